{{%AUTOESCAPE context="HTML"}}<article class="leaderboard" data-board-url="/events/{{SLUG}}/leaderboard.json"{{#LIVE}} data-board-live{{/LIVE}}>
<p class="back"><a href="/events/{{SLUG}}">← {{TITLE}}</a></p>
<h1>Leaderboard: {{TITLE}}</h1>
<p class="rule">{{RULE_LABEL}}{{#CLOSED}}; scoring is closed{{/CLOSED}}.</p>
<p class="notice board-state" data-board-state{{#NO_NOTICE}} hidden{{/NO_NOTICE}}>{{NOTICE}}</p>
{{>BOARD}}
<p class="hint"><span data-board-updated>Updated {{UPDATED}}</span>; {{#LIVE}}this page refreshes every {{SECONDS}} seconds. <a href="/events/{{SLUG}}/leaderboard?refresh=off">Pause the refresh</a>{{/LIVE}}{{#PAUSED}}automatic refresh is paused. <a href="/events/{{SLUG}}/leaderboard">Refresh automatically again</a>{{/PAUSED}} · <a href="/events/{{SLUG}}/leaderboard.json">As JSON</a></p>
</article>
