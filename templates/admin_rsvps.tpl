{{%AUTOESCAPE context="HTML"}}<section class="admin-rsvps">
<p class="back"><a href="/admin">← Dashboard</a> · <a href="/admin/events/{{SLUG}}/edit">Edit event</a></p>
<h1>Participants: {{TITLE}}</h1>
<p class="links"><a href="/admin/events/{{SLUG}}/items">Potluck items</a> · <a href="/admin/events/{{SLUG}}/stats">Figures</a> · <a href="/admin/events/{{SLUG}}/door">Door mode</a> · <a href="/admin/events/{{SLUG}}/rsvps.csv">Download as CSV</a> · <a href="/events/{{SLUG}}.ics">Calendar file (.ics)</a></p>
<p class="meta"><time datetime="{{WHEN_ISO}}">{{WHEN}}</time> · {{LOCATION}}</p>
<p class="counts">Confirmed: <strong>{{CONFIRMED}}</strong> of {{CAPACITY}} · Waitlisted: <strong>{{WAITLISTED}}</strong></p>
{{#CONFIRM_CANCEL}}<section class="confirm" id="confirm" aria-labelledby="confirm-title">
<h2 id="confirm-title">Cancel {{NAME}}'s RSVP?</h2>
<p>{{NAME}} ({{EMAIL}}), party of {{PARTY}}, {{STATUS}}. Their spots go to the waitlist, and they get an e-mail saying that the organiser cancelled their RSVP.</p>
<form method="post" action="/admin/events/{{SLUG}}/rsvps">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="from" value="{{PAGE_FROM}}"><input type="hidden" name="action" value="cancel"><input type="hidden" name="rsvp" value="{{ID}}"><input type="hidden" name="confirm" value="yes">
<label for="message">Message to {{NAME}} (optional, goes in the e-mail)</label>
<textarea id="message" name="message" maxlength="1000" rows="3">{{MESSAGE}}</textarea>
<p class="actions"><button type="submit" class="danger">Yes, cancel the RSVP</button> <a class="button" href="/admin/events/{{SLUG}}/rsvps{{PAGE_ARG}}#r{{ID}}">No, keep it</a></p>
</form>
</section>{{/CONFIRM_CANCEL}}
{{#CONFIRM_REMOVE}}<section class="confirm" id="confirm" aria-labelledby="confirm-title">
<h2 id="confirm-title">Remove {{N}} from the waitlist?</h2>
<ul>{{#PICK}}<li>{{NAME}}, party of {{PARTY}}</li>{{/PICK}}</ul>
<p>Each gets an e-mail saying that the organiser cancelled their RSVP.</p>
<form method="post" action="/admin/events/{{SLUG}}/rsvps">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="action" value="bulk_remove"><input type="hidden" name="confirm" value="yes">
{{#PICK}}<input type="hidden" name="pick_{{ID}}" value="1">{{/PICK}}
<p class="actions"><button type="submit" class="danger">Yes, remove them</button> <a class="button" href="/admin/events/{{SLUG}}/rsvps{{Q_ARG}}">No, keep them</a></p>
</form>
</section>{{/CONFIRM_REMOVE}}
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#RESULTS}}<ul class="results">{{#RESULT}}<li class="{{#OK}}ok{{/OK}}{{#REFUSED}}refused{{/REFUSED}}">{{WHAT}}: {{OUTCOME}}</li>{{/RESULT}}</ul>{{/RESULTS}}
<form method="get" action="/admin/events/{{SLUG}}/rsvps" class="search">
<label for="q">Search by name or e-mail</label>
<input id="q" name="q" value="{{Q}}" maxlength="100" type="search">
<button type="submit">Search</button>
</form>
<h2>Confirmed</h2>
{{#NO_CONFIRMED}}<p class="empty">Nobody.</p>{{/NO_CONFIRMED}}
{{#CONFIRMED_TABLE}}<table class="rsvps cards">
<thead><tr><th>Name</th><th>Party</th><th>Checked in</th><th>E-mail</th><th>Note</th><th>Signed up</th><th><span class="visually-hidden">Cancel</span></th></tr></thead>
<tbody>
{{/CONFIRMED_TABLE}}{{#CONFIRMED_ROW}}<tr id="r{{ID}}"><td class="name">{{NAME}}</td><td data-label="Party">{{PARTY}}</td>
<td data-label="Checked in">{{#CHECKED_IN}}<strong>✓ {{AT}}</strong>
<form method="post" action="/admin/events/{{SLUG}}/rsvps"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="from" value="{{PAGE_FROM}}"><input type="hidden" name="action" value="uncheckin"><input type="hidden" name="rsvp" value="{{ID}}"><button type="submit" class="link">Undo</button></form>{{/CHECKED_IN}}
{{#NOT_CHECKED_IN}}<form method="post" action="/admin/events/{{SLUG}}/rsvps"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="from" value="{{PAGE_FROM}}"><input type="hidden" name="action" value="checkin"><input type="hidden" name="rsvp" value="{{ID}}"><button type="submit">Check in</button></form>{{/NOT_CHECKED_IN}}</td>
<td data-label="E-mail">{{EMAIL}}</td><td data-label="Note">{{NOTE}}</td><td data-label="Signed up">{{CREATED}}</td>
<td class="actions"><a class="button danger" href="/admin/events/{{SLUG}}/rsvps?confirm=cancel&amp;rsvp={{ID}}{{Q_AMP}}{{FROM_AMP}}#confirm">Cancel RSVP…</a></td></tr>
{{/CONFIRMED_ROW}}{{#CONFIRMED_TABLE}}</tbody>
</table>{{/CONFIRMED_TABLE}}
<h2>Waitlist</h2>
{{#NO_WAITLIST}}<p class="empty">Nobody is waiting.</p>{{/NO_WAITLIST}}
{{#WAITLIST_TABLE}}<table class="rsvps cards">
<thead><tr><th><span class="visually-hidden">Pick</span></th><th>#</th><th>Name</th><th>Party</th><th>E-mail</th><th>Note</th><th>Signed up</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
{{/WAITLIST_TABLE}}{{#WAITLIST_ROW}}<tr id="r{{ID}}"><td class="pick"><label class="tick"><input type="checkbox" name="pick_{{ID}}" value="1" form="bulk" aria-label="Pick {{NAME}}"></label></td><td data-label="Place in line">{{POSITION}}</td><td class="name">{{NAME}}</td><td data-label="Party">{{PARTY}}</td><td data-label="E-mail">{{EMAIL}}</td><td data-label="Note">{{NOTE}}</td><td data-label="Signed up">{{CREATED}}</td>
<td class="actions"><form method="post" action="/admin/events/{{SLUG}}/rsvps"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="from" value="{{PAGE_FROM}}"><input type="hidden" name="action" value="promote"><input type="hidden" name="rsvp" value="{{ID}}"><button type="submit">Confirm now</button></form>
<a class="button danger" href="/admin/events/{{SLUG}}/rsvps?confirm=cancel&amp;rsvp={{ID}}{{Q_AMP}}{{FROM_AMP}}#confirm">Remove…</a></td></tr>
{{/WAITLIST_ROW}}{{#WAITLIST_TABLE}}</tbody>
</table>{{/WAITLIST_TABLE}}
{{#FIRST_PAGE}}<p class="pager"><a href="/admin/events/{{SLUG}}/rsvps{{Q_ARG}}">← First page</a></p>{{/FIRST_PAGE}}
{{#NEXT_PAGE}}<p class="pager"><a href="/admin/events/{{SLUG}}/rsvps?from={{FROM}}{{Q_AMP}}">Next page →</a></p>{{/NEXT_PAGE}}
{{#BULK_WAITLIST}}<form method="post" action="/admin/events/{{SLUG}}/rsvps" id="bulk">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="q" value="{{Q}}"><input type="hidden" name="from" value="{{PAGE_FROM}}">
<button type="submit" name="action" value="bulk_promote">Confirm the ticked (in queue order, those that fit)</button>
<button type="submit" name="action" value="bulk_remove" class="danger">Remove the ticked…</button>
</form>{{/BULK_WAITLIST}}
{{#ADD}}<section class="rsvp" id="add">
<h2>Add someone (e.g. after a phone call)</h2>
<p class="hint">They are confirmed if their party fits, else they join the waitlist.</p>
<form method="post" action="/admin/events/{{SLUG}}/rsvps">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="add">
<label for="name">Name</label>
<input id="name" name="name" value="{{NAME}}" required maxlength="100">
<label for="email">E-mail</label>
<input id="email" name="email" type="email" value="{{EMAIL}}" required maxlength="254">
<label for="guests">Guests (up to {{MAX_GUESTS}})</label>
<input id="guests" name="guests" inputmode="numeric" value="{{GUESTS}}" maxlength="3">
<label for="note">Note</label>
<textarea id="note" name="note" maxlength="1000" rows="2">{{NOTE}}</textarea>
<button type="submit">Add</button>
</form>
</section>{{/ADD}}
{{#BULK}}<section class="rsvp" id="bulk-add">
<h2>Add a group</h2>
<p class="hint">One person per line: <code>name, e-mail, guests</code> (guests may be left out). Each line is confirmed or waitlisted in order; a bad line is reported and the others are still added.</p>
<form method="post" action="/admin/events/{{SLUG}}/rsvps">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="bulk_add">
<label for="lines">People</label>
<textarea id="lines" name="lines" rows="6">{{LINES}}</textarea>
<button type="submit">Add them</button>
</form>
</section>{{/BULK}}
</section>
