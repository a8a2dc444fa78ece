{{%AUTOESCAPE context="HTML"}}<h1>Upcoming events</h1>
{{#NO_EVENTS}}<p class="empty">No events are planned right now. Check back soon!</p>{{/NO_EVENTS}}
<ul class="events">
{{#EVENT}}<li class="card">
<h2><a href="/events/{{SLUG}}">{{TITLE}}</a></h2>
<p class="meta"><time datetime="{{WHEN_ISO}}">{{WHEN}}</time> · {{LOCATION}}</p>
<p class="spots state-{{STATE}}">{{SPOTS}}</p>
</li>
{{/EVENT}}
</ul>
