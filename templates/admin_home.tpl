{{%AUTOESCAPE context="HTML"}}<section class="admin-home">
<h1>Dashboard</h1>
{{#UNDELIVERED}}<p class="notice warn" role="alert"><a href="/admin/outbox">{{MESSAGE}}</a>: retry or discard them in the outbox.</p>{{/UNDELIVERED}}
<p><a class="button" href="/admin/events/new">New event</a> · <a href="/admin/competitions">Competitions and scores</a>{{#ACCOUNTS}} · <a href="/admin/accounts">Accounts</a>{{/ACCOUNTS}}</p>
{{#RETURNING}}<p class="facts-line">Across all events: {{PEOPLE}} people have signed up; {{RETURNING}} sign-ups came from people who had signed up to an earlier event ({{SHARE}} %).</p>{{/RETURNING}}
<h2>Upcoming events</h2>
{{#NO_UPCOMING}}<p class="empty">No upcoming events.</p>{{/NO_UPCOMING}}
{{#UPCOMING_TABLE}}<table class="admin-events cards">
<thead><tr><th>Event</th><th>When</th><th>Status</th><th>Confirmed / capacity</th><th>Waitlisted</th><th>Items still needed</th><th>Checked in</th><th><span class="visually-hidden">Pages</span></th></tr></thead>
<tbody>
{{/UPCOMING_TABLE}}{{#UPCOMING}}<tr><td data-label="Event"><a href="/admin/events/{{SLUG}}/edit">{{TITLE}}</a></td><td data-label="When">{{WHEN}}</td><td data-label="Status">{{STATUS}}</td><td data-label="Confirmed / capacity">{{CONFIRMED}} / {{CAPACITY}}</td><td data-label="Waitlisted">{{WAITLISTED}}</td><td data-label="Items still needed">{{ITEMS_NEEDED}}</td><td data-label="Checked in">{{DOOR}}</td><td class="actions"><a href="/admin/events/{{SLUG}}/rsvps">Participants</a> · <a href="/admin/events/{{SLUG}}/items">Potluck items</a> · <a href="/admin/events/{{SLUG}}/drop">Drop</a> · <a href="/admin/events/{{SLUG}}/competition">Competition</a> · <a href="/admin/events/{{SLUG}}/stats">Figures</a> · <a href="/events/{{SLUG}}">Public page</a></td></tr>
{{/UPCOMING}}{{#UPCOMING_TABLE}}</tbody>
</table>{{/UPCOMING_TABLE}}
<h2 id="past">Past events</h2>
{{#NO_PAST}}<p class="empty">No past events.</p>{{/NO_PAST}}
{{#NO_OLDER}}<p class="empty">No older events.</p>{{/NO_OLDER}}
{{#PAST_TABLE}}<table class="admin-events cards">
<thead><tr><th>Event</th><th>When</th><th>Status</th><th>Confirmed / capacity</th><th>Waitlisted</th><th>Items still needed</th><th>Checked in</th><th><span class="visually-hidden">Pages</span></th></tr></thead>
<tbody>
{{/PAST_TABLE}}{{#PAST}}<tr><td data-label="Event"><a href="/admin/events/{{SLUG}}/edit">{{TITLE}}</a></td><td data-label="When">{{WHEN}}</td><td data-label="Status">{{STATUS}}</td><td data-label="Confirmed / capacity">{{CONFIRMED}} / {{CAPACITY}}</td><td data-label="Waitlisted">{{WAITLISTED}}</td><td data-label="Items still needed">{{ITEMS_NEEDED}}</td><td data-label="Checked in">{{DOOR}}</td><td class="actions"><a href="/admin/events/{{SLUG}}/rsvps">Participants</a> · <a href="/admin/events/{{SLUG}}/items">Potluck items</a> · <a href="/admin/events/{{SLUG}}/drop">Drop</a> · <a href="/admin/events/{{SLUG}}/competition">Competition</a> · <a href="/admin/events/{{SLUG}}/stats">Figures</a> · <a href="/events/{{SLUG}}">Public page</a></td></tr>
{{/PAST}}{{#PAST_TABLE}}</tbody>
</table>{{/PAST_TABLE}}
{{#LATEST_PAST}}<p class="pager"><a href="/admin#past">← Latest past events</a></p>{{/LATEST_PAST}}
{{#OLDER}}<p class="pager"><a href="/admin?from={{BEFORE}}#past">Older events →</a></p>{{/OLDER}}
</section>
