{{%AUTOESCAPE context="HTML"}}<section class="admin-items">
<p class="back"><a href="/admin">← Dashboard</a> · <a href="/admin/events/{{SLUG}}/edit">Edit event</a> · <a href="/admin/events/{{SLUG}}/rsvps">Participants</a></p>
<h1>Potluck items: {{TITLE}}</h1>
<p class="links"><a href="/events/{{SLUG}}#potluck">Public page</a> · <a href="/admin/events/{{SLUG}}/items.csv">Download the sheet as CSV</a></p>
<p class="counts">Items: <strong>{{COUNT}}</strong> of at most {{ITEMS_MAX}} · Still needed: <strong>{{NEEDED}}</strong></p>
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#NO_ITEMS}}<p class="empty">No items yet: add the first one below.</p>{{/NO_ITEMS}}
{{#CATEGORY}}<h2>{{LABEL}}</h2>
<ul class="items">{{#ITEM}}<li class="item admin-item" id="item-{{ID}}">
<p class="item-head"><strong>{{NAME}}</strong> <span class="item-count">{{PLEDGED}} of {{SUGGESTED}}{{#UNIT}} {{UNIT}}{{/UNIT}} pledged{{#CAPPED}} · capped{{/CAPPED}} · {{PEOPLE}}</span></p>
<p class="item-need">{{NEED_LABEL}}</p>
{{#WARN_REMOVE}}<div class="notice warn confirm-remove">
<p>{{PLEDGES}} — their pledges will be dropped, and their RSVP pages will no longer list it.</p>
<form method="post" action="/admin/events/{{SLUG}}/items">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="remove">
<input type="hidden" name="item" value="{{ID}}">
<input type="hidden" name="version" value="{{VERSION}}">
<input type="hidden" name="confirm" value="1">
<button type="submit" class="danger">Remove it and drop the pledges</button>
</form>
<p><a href="/admin/events/{{SLUG}}/items#item-{{ID}}">Keep it</a></p>
</div>{{/WARN_REMOVE}}
{{#CONFLICT}}<table class="diff">
<thead><tr><th>Field</th><th>Saved meanwhile</th><th>Yours (in the form below)</th></tr></thead>
<tbody>{{#DIFF}}<tr><th>{{LABEL}}</th><td class="theirs">{{THEIRS}}</td><td>{{YOURS}}</td></tr>{{/DIFF}}</tbody>
</table>{{/CONFLICT}}
<details{{#OPEN}} open{{/OPEN}}><summary>Edit</summary>
<form method="post" action="/admin/events/{{SLUG}}/items#item-{{ID}}">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="action" value="edit">
<input type="hidden" name="item" value="{{ID}}">
<input type="hidden" name="version" value="{{FORM_VERSION}}">
{{>FIELDS}}
<button type="submit">Save</button>
</form>
</details>
<div class="item-actions">
{{#UP}}<form method="post" action="/admin/events/{{SLUG}}/items"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="up"><input type="hidden" name="item" value="{{ID}}"><input type="hidden" name="version" value="{{VERSION}}"><button type="submit" aria-label="Move {{NAME}} up">↑ Up</button></form>{{/UP}}
{{#DOWN}}<form method="post" action="/admin/events/{{SLUG}}/items"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="down"><input type="hidden" name="item" value="{{ID}}"><input type="hidden" name="version" value="{{VERSION}}"><button type="submit" aria-label="Move {{NAME}} down">↓ Down</button></form>{{/DOWN}}
<form method="post" action="/admin/events/{{SLUG}}/items"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="form_token" value="{{FORM_TOKEN}}"><input type="hidden" name="action" value="remove"><input type="hidden" name="item" value="{{ID}}"><input type="hidden" name="version" value="{{VERSION}}"><button type="submit" class="danger" aria-label="Remove {{NAME}}">Remove</button></form>
</div>
</li>{{/ITEM}}</ul>{{/CATEGORY}}
{{#ADD}}<section class="rsvp" id="add">
<h2>Add an item</h2>
<p class="hint">It goes last in its category; Up and Down change the order visitors see.</p>
<form method="post" action="/admin/events/{{SLUG}}/items#add">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="add">
{{>FIELDS}}
<button type="submit">Add</button>
</form>
</section>{{/ADD}}
{{#LIST_FULL}}<p class="notice">This sheet has the most items it can hold: remove one to add another.</p>{{/LIST_FULL}}
</section>
