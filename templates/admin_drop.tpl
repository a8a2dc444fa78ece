{{%AUTOESCAPE context="HTML"}}<section class="admin-drop">
<p class="back"><a href="/admin">← Dashboard</a> · <a href="/admin/events/{{SLUG}}/edit">Edit event</a> · <a href="/events/{{SLUG}}">Public page</a></p>
<h1>Drop: {{TITLE}}</h1>
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#NOT_A_DROP}}<p>This event takes RSVPs. Save the settings below to make it a limited drop instead: its page then shows items to hold and claim. The sale window is the event's sign-up window.</p>{{/NOT_A_DROP}}
<form method="post" action="/admin/events/{{SLUG}}/drop" class="drop-settings">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="action" value="settings">
<label for="per_person">Limit per person</label>
<input id="per_person" name="per_person" type="number" min="1" max="100" value="{{PER_PERSON}}" inputmode="numeric">
<label for="hold_seconds">Hold time in seconds (15 to 1800)</label>
<input id="hold_seconds" name="hold_seconds" type="number" min="15" max="1800" value="{{HOLD_SECONDS}}" inputmode="numeric">
<label for="renewals">Renewals (a second "Hold it" by the same person gives a full hold time again, this many times)</label>
<input id="renewals" name="renewals" type="number" min="0" max="10" value="{{RENEWALS}}" inputmode="numeric">
<label for="pickup">Pick-up or payment text (in the claim e-mail)</label>
<textarea id="pickup" name="pickup" maxlength="2000" rows="3">{{PICKUP}}</textarea>
<button type="submit">Save settings</button>
</form>
{{#DROP}}<p class="links"><a href="/admin/events/{{SLUG}}/claims.csv">Download the claims as CSV</a> · <a href="/events/{{SLUG}}/live">Live page</a></p>
<h2>Items and stock</h2>
{{#ITEM}}<div class="drop-item" id="item-{{ID}}">
<h3>{{NAME}} <span class="hint">{{PRICE}}</span></h3>
<table class="variants"><thead><tr><th>Variant</th><th>Stock</th><th>Held</th><th>Claimed</th><th>Available</th></tr></thead><tbody>
{{#VARIANT}}<tr><th>{{NAME}}</th><td><form method="post" action="/admin/events/{{SLUG}}/drop" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="stock"><input type="hidden" name="id" value="{{ID}}">
<input name="stock" type="number" min="0" value="{{STOCK}}" inputmode="numeric" aria-label="Stock of {{NAME}}"> <button type="submit">Save</button></form></td>
<td>{{HELD}}</td><td>{{CLAIMED}}</td><td>{{AVAILABLE}}</td></tr>{{/VARIANT}}
</tbody></table>
<form method="post" action="/admin/events/{{SLUG}}/drop" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="variant"><input type="hidden" name="id" value="{{ID}}">
<input name="name" maxlength="50" placeholder="Variant (size, colour)" aria-label="New variant of {{NAME}}">
<input name="stock" type="number" min="0" placeholder="Stock" inputmode="numeric" aria-label="Its stock">
<button type="submit">Add variant</button></form>
</div>{{/ITEM}}
<form method="post" action="/admin/events/{{SLUG}}/drop" class="add-item">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="action" value="item">
<label for="item-name">New item</label>
<input id="item-name" name="name" maxlength="100" required>
<label for="item-price">Price, as text (e.g. "€15, pay at pick-up")</label>
<input id="item-price" name="price" maxlength="100">
<label for="item-description">Description</label>
<textarea id="item-description" name="description" maxlength="2000" rows="2"></textarea>
<button type="submit">Add item</button>
</form>
<h2>Holds and claims</h2>
{{#NO_HOLDS}}<p class="empty">No holds or claims yet.</p>{{/NO_HOLDS}}
<table class="holds"><thead><tr><th>#</th><th>Name</th><th>E-mail</th><th>What</th><th>Status</th><th></th></tr></thead><tbody>
{{#HOLD}}<tr id="hold-{{ID}}"><td>{{#NUMBER}}{{NUMBER}}{{/NUMBER}}</td><td>{{NAME}}</td><td>{{EMAIL}}</td><td>{{QUANTITY}} × {{WHAT}}</td>
<td>{{STATUS}}{{#UNTIL}} until {{UNTIL}}{{/UNTIL}}{{#PICKED_UP}} · picked up{{/PICKED_UP}}{{#PAID}} · paid{{/PAID}}</td>
<td>{{#ACTIONS}}{{#CAN_PICK_UP}}<form method="post" action="/admin/events/{{SLUG}}/drop#hold-{{ID}}" class="inline"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="picked_up"><input type="hidden" name="hold" value="{{ID}}"><button type="submit">Picked up</button></form>{{/CAN_PICK_UP}}
{{#CAN_PAY}}<form method="post" action="/admin/events/{{SLUG}}/drop#hold-{{ID}}" class="inline"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="paid"><input type="hidden" name="hold" value="{{ID}}"><button type="submit">Paid</button></form>{{/CAN_PAY}}
<form method="post" action="/admin/events/{{SLUG}}/drop" class="inline"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="cancel"><input type="hidden" name="hold" value="{{ID}}"><button type="submit" class="danger">Cancel claim</button></form>{{/ACTIONS}}</td></tr>{{/HOLD}}
</tbody></table>{{/DROP}}
</section>
