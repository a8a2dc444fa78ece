{{%AUTOESCAPE context="HTML"}}<article class="event">
<p class="back"><a href="/">← All events</a></p>
<h1>{{TITLE}}</h1>
{{#CANCELLED}}<p class="notice warn">This event has been cancelled.</p>{{/CANCELLED}}
{{#ENDED}}<p class="notice">This event has ended. Thank you to everyone who came.</p>{{/ENDED}}
<dl class="facts">
<dt>When</dt><dd><time datetime="{{WHEN_ISO}}">{{WHEN}}</time>{{#ENDS}} until {{ENDS}}{{/ENDS}}</dd>
<dt>Where</dt><dd>{{LOCATION}}</dd>
{{#CAPACITY}}<dt>Places</dt><dd>{{CAPACITY}}</dd>{{/CAPACITY}}
{{#GUESTS}}<dt>Guests</dt><dd>Up to {{MAX_GUESTS}} per sign-up</dd>{{/GUESTS}}
</dl>
<p class="spots big">{{SPOTS}}</p>
<div class="description">{{DESCRIPTION}}</div>
</article>
