{{%AUTOESCAPE context="HTML"}}<section class="admin-outbox">
<p class="back"><a href="/admin">← Dashboard</a></p>
<h1>Outbox</h1>
<p class="hint">Every e-mail the site sends (confirmations, waitlist moves, cancellations, reminders, links sent again, alerts to the admins) waits here until the mail server takes it.</p>
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#CONFIRM_ALL}}<section class="confirm" id="confirm">
<h2>Discard all {{COUNT}} dead letters?</h2>
<p>They will never be sent, and this cannot be undone. Discard only what nobody needs any more; after fixing an address or the mail server, retry instead.</p>
<form method="post" action="/admin/outbox"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="discard"><input type="hidden" name="id" value="all"><input type="hidden" name="confirm" value="yes"><button type="submit" class="danger">Yes, discard them all</button></form>
<p><a href="/admin/outbox">No, keep them</a></p>
</section>{{/CONFIRM_ALL}}
<table class="outbox-states">
<thead><tr><th>State</th><th>E-mails</th><th>Meaning</th></tr></thead>
<tbody>
{{#STATE}}<tr><td>{{NAME}}</td><td>{{COUNT}}</td><td>{{MEANING}}</td></tr>
{{/STATE}}</tbody>
</table>
<h2>Dead letters</h2>
{{#NO_DEAD}}<p class="empty">None: every e-mail was delivered or is still on its way.</p>{{/NO_DEAD}}
{{#MORE}}<p class="hint">Showing the oldest {{SHOWN}} of {{TOTAL}}; "all" below means all {{TOTAL}}.</p>{{/MORE}}
{{#DEAD_LIST}}<table class="outbox-dead">
<thead><tr><th>Created</th><th>Kind</th><th>Recipient</th><th>Event</th><th>Attempts</th><th>Error</th><th></th></tr></thead>
<tbody>
{{#DEAD}}<tr id="m{{ID}}"><td data-label="Created"><time datetime="{{CREATED_ISO}}">{{CREATED}}</time></td><td data-label="Kind">{{KIND}}</td><td data-label="Recipient">{{RECIPIENT}}</td><td data-label="Event">{{#EVENT}}<a href="/admin/events/{{SLUG}}/rsvps">{{SLUG}}</a>{{/EVENT}}{{#ADMINS}}none: an alert to the admins{{/ADMINS}}</td><td data-label="Attempts">{{ATTEMPTS}}</td><td data-label="Error" class="error">{{ERROR}}</td>
<td class="actions"><form method="post" action="/admin/outbox"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="retry"><input type="hidden" name="id" value="{{ID}}"><button type="submit">Retry</button></form>
<form method="post" action="/admin/outbox"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="discard"><input type="hidden" name="id" value="{{ID}}"><button type="submit" class="danger">Discard</button></form></td></tr>
{{/DEAD}}</tbody>
</table>
<form method="post" action="/admin/outbox" class="outbox-all">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="id" value="all">
<button type="submit" name="action" value="retry">Retry all</button>
<button type="submit" name="action" value="discard" class="danger">Discard all…</button>
</form>
<p class="hint">Retry sends an e-mail again with all its attempts, once you have fixed what its error names (the address, or the mail settings). Discard gives up on it for good.</p>{{/DEAD_LIST}}
</section>
