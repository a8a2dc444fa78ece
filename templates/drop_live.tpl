{{%AUTOESCAPE context="HTML"}}<article class="live drop">
<p class="back"><a href="/events/{{SLUG}}">← {{TITLE}}</a></p>
<h1>{{TITLE}}: live</h1>
{{#ITEM}}<h2>{{NAME}}</h2>
<dl class="facts">{{#VARIANT}}<dt>{{NAME}}</dt><dd>{{AVAILABLE}} of {{STOCK}} available ({{HELD}} held, {{CLAIMED}} claimed)</dd>{{/VARIANT}}</dl>{{/ITEM}}
<h2>Activity</h2>
{{#NO_ACTIVITY}}<p class="empty">Nothing yet.</p>{{/NO_ACTIVITY}}
<ol class="recent">{{#ACTIVITY}}<li>{{#HELD}}{{INITIALS}} held {{QUANTITY}} × {{WHAT}}{{/HELD}}{{#RENEWED}}{{INITIALS}} renewed a hold on {{WHAT}}{{/RENEWED}}{{#CLAIMED}}{{INITIALS}} claimed {{QUANTITY}} × {{WHAT}}{{/CLAIMED}}{{#RELEASED}}a hold on {{WHAT}} was let go{{/RELEASED}}{{#EXPIRED}}a hold on {{WHAT}} ran out{{/EXPIRED}}{{#CANCELLED}}a claim on {{WHAT}} was cancelled{{/CANCELLED}}</li>{{/ACTIVITY}}</ol>
{{#TOP}}<h2>Top claimers</h2>
<ol class="top">{{#CLAIMER}}<li>{{INITIALS}}: {{UNITS}}</li>{{/CLAIMER}}</ol>{{/TOP}}
<p class="hint">Updated {{UPDATED}}.</p>
</article>
