{{%AUTOESCAPE context="HTML"}}<section class="admin-competitions">
{{#DASHBOARD}}<p class="back"><a href="/admin">← Dashboard</a></p>{{/DASHBOARD}}
<h1>Competitions</h1>
{{#NONE}}<p class="empty">No competitions here yet. A scorekeeper sees the competitions an organiser assigned them to (turnout-admin user assign NAME SLUG).</p>{{/NONE}}
<ul class="events">{{#COMPETITION}}<li><a href="/admin/events/{{SLUG}}/scores"><strong>{{TITLE}}</strong></a> <span class="hint"><time datetime="{{WHEN_ISO}}">{{WHEN}}</time> · {{LOCATION}}</span> · <a href="/events/{{SLUG}}/leaderboard">Leaderboard</a></li>{{/COMPETITION}}</ul>
</section>
