{{%AUTOESCAPE context="HTML"}}<section class="admin-event">
<p class="back"><a href="/admin">← Dashboard</a></p>
{{#NEW}}<h1>New event</h1>{{/NEW}}
{{#EDIT}}<h1>Edit event</h1>
<p class="links"><a href="/events/{{OLD_SLUG}}">Public page</a> · <a href="/admin/events/{{OLD_SLUG}}/rsvps">Participants</a> · <a href="/admin/events/{{OLD_SLUG}}/items">Potluck items</a> · <a href="/admin/events/{{OLD_SLUG}}/drop">Drop</a> · <a href="/admin/events/{{OLD_SLUG}}/competition">Competition</a></p>{{/EDIT}}
{{#NOTICE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/NOTICE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#CONFLICT}}<table class="diff">
<thead><tr><th>Field</th><th>Saved by the other admin</th><th>Yours (in the form below)</th></tr></thead>
<tbody>{{#DIFF}}<tr><th>{{LABEL}}</th><td class="theirs">{{THEIRS}}</td><td>{{YOURS}}</td></tr>{{/DIFF}}</tbody>
</table>{{/CONFLICT}}
{{#COUNTS}}<p class="counts">Confirmed: <strong>{{CONFIRMED}}</strong> · Waitlisted: <strong>{{WAITLISTED}}</strong></p>{{/COUNTS}}
{{#OVER_CAPACITY}}<p class="notice">{{CONFIRMED}} people are confirmed but the capacity is {{CAPACITY}}: no one loses their spot; the event is full until cancellations bring it under.</p>{{/OVER_CAPACITY}}
<form method="post" action="{{ACTION}}">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#FORM_TOKEN}}<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">{{/FORM_TOKEN}}
<input type="hidden" name="edit_version" value="{{EDIT_VERSION}}">
<label for="title">Title</label>
<input id="title" name="title" value="{{TITLE}}" required maxlength="200">
<label for="slug">Address (slug): /events/…</label>
<input id="slug" name="slug" value="{{SLUG}}" required maxlength="64" pattern="[a-z0-9][a-z0-9\-]*">
<label for="description">Description</label>
<textarea id="description" name="description" rows="6" maxlength="20000">{{DESCRIPTION}}</textarea>
<label for="location">Location</label>
<input id="location" name="location" value="{{LOCATION}}" maxlength="200">
<label for="contact">Organiser's e-mail <span class="hint">(optional: replies to the event's e-mails go here; not shown on the public page)</span></label>
<input id="contact" name="contact" type="email" value="{{CONTACT}}" maxlength="254" autocomplete="email">
<p class="hint">Times are in {{TIMEZONE}}.</p>
<label for="starts">Starts</label>
<input id="starts" name="starts" type="datetime-local" value="{{STARTS}}" required>
<label for="ends">Ends <span class="hint">(optional)</span></label>
<input id="ends" name="ends" type="datetime-local" value="{{ENDS}}">
<label for="capacity">Capacity <span class="hint">(places; empty: unlimited)</span></label>
<input id="capacity" name="capacity" inputmode="numeric" value="{{CAPACITY}}" maxlength="7">
<label for="max_guests">Guests per RSVP <span class="hint">(0 to 100)</span></label>
<input id="max_guests" name="max_guests" inputmode="numeric" value="{{MAX_GUESTS}}" maxlength="3">
<label for="rsvp_opens">RSVPs open <span class="hint">(optional; empty: now)</span></label>
<input id="rsvp_opens" name="rsvp_opens" type="datetime-local" value="{{RSVP_OPENS}}">
<label for="rsvp_closes">RSVPs close <span class="hint">(optional; empty: when it starts)</span></label>
<input id="rsvp_closes" name="rsvp_closes" type="datetime-local" value="{{RSVP_CLOSES}}">
<label for="status">Status</label>
<select id="status" name="status">{{#STATUS_OPTION}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/STATUS_OPTION}}</select>
<button type="submit">Save</button>
</form>
</section>
