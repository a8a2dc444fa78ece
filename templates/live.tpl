{{%AUTOESCAPE context="HTML"}}<article class="live">
<p class="back"><a href="/events/{{SLUG}}">← {{TITLE}}</a></p>
<h1>{{TITLE}}: live</h1>
<p class="spots big">{{SPOTS}}</p>
{{#BAR}}<progress max="{{CAPACITY}}" value="{{FILLED}}">{{FILLED}} of {{CAPACITY}}</progress>{{/BAR}}
<dl class="facts">
<dt>Confirmed</dt><dd>{{CONFIRMED}}</dd>
<dt>Waitlisted</dt><dd>{{WAITLISTED}}</dd>
{{#BAR}}<dt>Spots left</dt><dd>{{SPOTS_LEFT}}</dd>{{/BAR}}
</dl>
<h2>Latest sign-ups</h2>
{{#NO_RECENT}}<p class="empty">Nobody has signed up yet.</p>{{/NO_RECENT}}
<ol class="recent">{{#RECENT}}<li>{{INITIALS}}, party of {{PARTY}} ({{STATUS}})</li>{{/RECENT}}</ol>
{{>SHEET}}
<p class="hint">Updated {{UPDATED}}.</p>
</article>
