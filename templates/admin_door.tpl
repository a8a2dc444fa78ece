{{%AUTOESCAPE context="HTML"}}<section class="door">
<p class="back"><a href="/admin/events/{{SLUG}}/rsvps">← Participants</a></p>
<h1>Door: {{TITLE}}</h1>
<p class="meta"><time datetime="{{WHEN_ISO}}">{{WHEN}}</time> · {{LOCATION}}</p>
<p class="door-count" role="status" aria-live="polite">Checked in <strong data-door="in">{{CHECKED_IN}}</strong> of <strong data-door="of">{{CONFIRMED}}</strong> parties</p>
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<form method="get" action="/admin/events/{{SLUG}}/door" class="search door-search" role="search">
<label for="q">Find a name or e-mail</label>
<input id="q" name="q" value="{{Q}}" maxlength="100" type="search" autocomplete="off" data-door-filter>
<button type="submit">Search</button>
</form>
{{#NOBODY}}<p class="empty">Nobody is confirmed yet.</p>{{/NOBODY}}
{{#NO_MATCH}}<p class="empty">Nobody matches “{{Q}}”.</p>{{/NO_MATCH}}
<p class="empty" data-door-none hidden>Nobody matches.</p>
<ul class="door-list">
{{#ROW}}<li id="r{{ID}}" class="door-row{{#IN}} in{{/IN}}" data-search="{{NAME}} {{EMAIL}}" data-email="{{EMAIL}}">
<span class="who"><strong>{{NAME}}</strong> <span class="party">party of {{PARTY}}</span>{{#IN}} <span class="at">✓ in at {{AT}}</span>{{/IN}}</span>
<form method="post" action="/admin/events/{{SLUG}}/door" data-door-form>
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="rsvp" value="{{ID}}">
{{#OUT}}<input type="hidden" name="action" value="checkin"><button type="submit" aria-label="Check in {{NAME}}">Check in</button>{{/OUT}}
{{#IN}}<input type="hidden" name="action" value="uncheckin"><button type="submit" class="secondary" aria-label="Undo check-in of {{NAME}}">Undo</button>{{/IN}}
</form>
</li>
{{/ROW}}</ul>
{{#MORE}}<p class="hint">Showing the first {{MAX}} by name: search to find the others.</p>{{/MORE}}
</section>
<script src="/static/door.js" defer></script>
