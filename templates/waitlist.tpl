{{%AUTOESCAPE context="HTML"}}<article class="waitlist">
<p class="back"><a href="/events/{{SLUG}}">← {{TITLE}}</a></p>
<h1>Waitlist: {{TITLE}}</h1>
<p class="spots">{{SPOTS}}</p>
{{#EMPTY}}<p class="empty">Nobody is waiting.</p>{{/EMPTY}}
<ol class="queue">{{#ENTRY}}<li value="{{POSITION}}">{{INITIALS}}, party of {{PARTY}}</li>{{/ENTRY}}</ol>
<p class="hint">People move up in this order as spots free up; a party too big for the spots left keeps its place while smaller ones behind it may go ahead.</p>
</article>
