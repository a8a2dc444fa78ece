{{%AUTOESCAPE context="HTML"}}<article class="mine">
{{#GONE}}<h1>This link no longer works</h1>
<p class="notice">{{WHY}}</p>
<p><a href="/me">Get a new link to your sign-ups</a></p>{{/GONE}}
{{#LIST}}<h1>My sign-ups</h1>
<p>Everything under {{EMAIL}}, newest first. This private link works until {{EXPIRES}}; keep it to yourself.</p>
{{#NOTHING}}<p class="empty">Nothing is signed up under this address.</p>{{/NOTHING}}
{{#MORE}}<p class="notice">Only the newest {{MAX}} are shown.</p>{{/MORE}}
<ul class="events mine-list">
{{#RSVP}}<li class="card rsvp-{{STATE}}">
<h2><a href="/events/{{SLUG}}">{{TITLE}}</a></h2>
<p class="meta"><time datetime="{{WHEN_ISO}}">{{WHEN}}</time></p>
<p class="status">{{STATUS}}</p>
<p>Party: {{PARTY}}</p>
{{#ENTRY}}<p>Entry: bib {{BIB}}, “{{DISPLAY}}”{{#DIVISION}}, {{DIVISION}}{{/DIVISION}}</p>{{/ENTRY}}
{{#PLEDGES}}<p>You bring:</p>
<ul>{{#PLEDGE}}<li>{{TEXT}}</li>{{/PLEDGE}}</ul>{{/PLEDGES}}
<form method="post" action="/me/{{TOKEN}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="open">
<input type="hidden" name="rsvp" value="{{ID}}">
<button type="submit" class="secondary">Manage this RSVP<span class="visually-hidden">: {{TITLE}}</span></button>
</form>
</li>
{{/RSVP}}
{{#HOLD}}<li class="card">
<h2><a href="/events/{{SLUG}}">{{TITLE}}</a></h2>
<p class="meta"><time datetime="{{WHEN_ISO}}">{{WHEN}}</time></p>
<p>{{QUANTITY}} × {{ITEM}}</p>
<p class="status">{{STATUS}}</p>
<form method="post" action="/me/{{TOKEN}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="open">
<input type="hidden" name="hold" value="{{ID}}">
<button type="submit" class="secondary">See this hold<span class="visually-hidden">: {{TITLE}}</span></button>
</form>
</li>
{{/HOLD}}
</ul>
<h2>Done with this link?</h2>
<p>If someone else may have seen it, revoke it: it stops working at once, and so do the RSVP and hold pages opened from it. The links from your sign-up e-mails keep working.</p>
<form method="post" action="/me/{{TOKEN}}">
<input type="hidden" name="form_token" value="{{REVOKE_TOKEN}}">
<input type="hidden" name="action" value="revoke">
<button type="submit" class="danger">Revoke this link</button>
</form>{{/LIST}}
</article>
