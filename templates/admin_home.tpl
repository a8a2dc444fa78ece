{{%AUTOESCAPE context="HTML"}}<section class="admin-home">
<h1>Dashboard</h1>
{{#UNDELIVERED}}<p class="notice warn" role="alert"><a href="/admin/outbox">{{MESSAGE}}</a>: retry or discard them in the outbox.</p>{{/UNDELIVERED}}
<p><a class="button" href="/admin/events/new">New event</a> · <a href="/admin/competitions">Competitions and scores</a>{{#ACCOUNTS}} · <a href="/admin/accounts">Accounts</a>{{/ACCOUNTS}}</p>
<h2>Upcoming events</h2>
{{#NO_UPCOMING}}<p class="empty">No upcoming events.</p>{{/NO_UPCOMING}}
<table class="admin-events">
<thead><tr><th>Event</th><th>When</th><th>Status</th><th>Confirmed / capacity</th><th>Waitlisted</th><th>Items still needed</th><th></th></tr></thead>
<tbody>
{{#UPCOMING}}<tr><td><a href="/admin/events/{{SLUG}}/edit">{{TITLE}}</a></td><td>{{WHEN}}</td><td>{{STATUS}}</td><td>{{CONFIRMED}} / {{CAPACITY}}</td><td>{{WAITLISTED}}</td><td>{{ITEMS_NEEDED}}</td><td><a href="/admin/events/{{SLUG}}/rsvps">Participants</a> · <a href="/admin/events/{{SLUG}}/items">Potluck items</a> · <a href="/admin/events/{{SLUG}}/drop">Drop</a> · <a href="/admin/events/{{SLUG}}/competition">Competition</a> · <a href="/admin/events/{{SLUG}}/stats">Figures</a> · <a href="/events/{{SLUG}}">Public page</a></td></tr>
{{/UPCOMING}}</tbody>
</table>
<h2>Past events</h2>
{{#NO_PAST}}<p class="empty">No past events.</p>{{/NO_PAST}}
<table class="admin-events">
<thead><tr><th>Event</th><th>When</th><th>Status</th><th>Confirmed / capacity</th><th>Waitlisted</th><th>Items still needed</th><th></th></tr></thead>
<tbody>
{{#PAST}}<tr><td><a href="/admin/events/{{SLUG}}/edit">{{TITLE}}</a></td><td>{{WHEN}}</td><td>{{STATUS}}</td><td>{{CONFIRMED}} / {{CAPACITY}}</td><td>{{WAITLISTED}}</td><td>{{ITEMS_NEEDED}}</td><td><a href="/admin/events/{{SLUG}}/rsvps">Participants</a> · <a href="/admin/events/{{SLUG}}/items">Potluck items</a> · <a href="/admin/events/{{SLUG}}/drop">Drop</a> · <a href="/admin/events/{{SLUG}}/competition">Competition</a> · <a href="/admin/events/{{SLUG}}/stats">Figures</a> · <a href="/events/{{SLUG}}">Public page</a></td></tr>
{{/PAST}}</tbody>
</table>
</section>
