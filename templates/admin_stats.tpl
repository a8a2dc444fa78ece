{{%AUTOESCAPE context="HTML"}}<section class="admin-stats">
<p class="back"><a href="/admin">← Dashboard</a> · <a href="/admin/events/{{SLUG}}/rsvps">Participants</a> · <a href="/admin/events/{{SLUG}}/items">Potluck items</a></p>
<h1>Figures: {{TITLE}}</h1>
<p class="meta"><time datetime="{{WHEN_ISO}}">{{WHEN}}</time> · {{SPOTS}}</p>
<h2>Sign-ups and the waitlist over time</h2>
{{#NO_CHART}}<p class="empty">Nobody has signed up yet.</p>{{/NO_CHART}}
{{#CHART}}<figure class="chart">
<div class="plot"><span class="y-max" aria-hidden="true">{{MAX}}</span><span class="y-min" aria-hidden="true">0</span>
<svg viewBox="0 0 {{W}} {{H}}" preserveAspectRatio="none" role="img" aria-label="Sign-ups and cancellations from {{FROM}} to {{TO}}, up to {{MAX}} parties" xmlns="http://www.w3.org/2000/svg">
<line x1="0" y1="{{H}}" x2="{{W}}" y2="{{H}}" stroke="#888" stroke-width="1" vector-effect="non-scaling-stroke"/>
<line x1="0" y1="0" x2="0" y2="{{H}}" stroke="#888" stroke-width="1" vector-effect="non-scaling-stroke"/>
<polyline points="{{SIGNUP_POINTS}}" fill="none" stroke="#1a7f37" stroke-width="2" vector-effect="non-scaling-stroke"/>
<polyline points="{{CANCEL_POINTS}}" fill="none" stroke="#b42318" stroke-width="2" stroke-dasharray="6 3" vector-effect="non-scaling-stroke"/>
<polyline points="{{WAITING_POINTS}}" fill="none" stroke="#1f4e9b" stroke-width="2" stroke-dasharray="2 3" vector-effect="non-scaling-stroke"/>
</svg></div>
<figcaption>From {{FROM}} to {{TO}}. <span class="legend signups">Solid: sign-ups</span> · <span class="legend cancels">dashed: cancellations</span> (parties, cumulative) · <span class="legend waiting">dotted: parties on the waitlist</span>.</figcaption>
</figure>{{/CHART}}
<h2>Conversion</h2>
<dl class="facts">
<dt>Sign-ups</dt><dd>{{SIGNUPS}} parties ({{DIRECT}} confirmed at once, {{WAITLISTED}} to the waitlist)</dd>
<dt>RSVP → confirmed at once</dt><dd>{{DIRECT_SHARE}}</dd>
<dt>Waitlisted → promoted</dt><dd>{{PROMOTED_SHARE}}</dd>
<dt>Cancellations</dt><dd>{{CANCEL_SHARE}}</dd>
<dt>Checked in</dt><dd>{{CHECKED_IN}} confirmed parties</dd>
{{#NO_SHOWS}}<dt>No-shows so far</dt><dd>{{COUNT}} confirmed parties not checked in</dd>{{/NO_SHOWS}}
<dt>Came back</dt><dd>{{RETURNING}} people had signed up to an earlier event</dd>
</dl>
<h2>Waitlist</h2>
<dl class="facts">
<dt>Promoted from the waitlist</dt><dd>{{PROMOTED}} parties</dd>
<dt>Median time on the waitlist</dt><dd>{{MEDIAN_WAIT}}</dd>
</dl>
{{#SCORE_LOG}}<h2 id="score-log">Score log</h2>
{{#ALL}}<p class="hint">The latest {{MAX}} scores, voids and corrections, newest first, with who made them. Choose an entrant for their whole history.</p>{{/ALL}}
{{#ENTRY}}<p>History of <strong>#{{BIB}} {{NAME}}</strong>, newest first. <a href="/admin/events/{{SLUG}}/stats#score-log">Every entrant</a></p>{{/ENTRY}}
{{#NO_SCORES}}<p class="empty">No scores yet.</p>{{/NO_SCORES}}
<table class="score-log">
<thead><tr><th scope="col">When</th><th scope="col">Entrant</th><th scope="col">What</th><th scope="col">Round</th><th scope="col">Score</th><th scope="col">By</th></tr></thead>
<tbody>{{#ROW}}<tr><td>{{WHEN}}</td><td><a href="/admin/events/{{SLUG}}/stats?entry={{ENTRY}}#score-log">#{{BIB}} {{NAME}}</a></td><td>{{ACTION}}{{#REASON}}: {{REASON}}{{/REASON}}</td><td>{{ROUND}}</td><td>{{VALUE}}</td><td>{{WHO}}</td></tr>
{{/ROW}}</tbody>
</table>{{/SCORE_LOG}}
</section>
