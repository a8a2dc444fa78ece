{{%AUTOESCAPE context="HTML"}}<article class="leaderboard">
<p class="back"><a href="/events/{{SLUG}}">← {{TITLE}}</a></p>
<h1>Leaderboard: {{TITLE}}</h1>
<p class="rule">{{RULE_LABEL}}{{#CLOSED}}; scoring is closed{{/CLOSED}}.</p>
{{#DIVISION}}<section class="board">
{{#NAMED}}<h2>{{NAME}}</h2>{{/NAMED}}
{{#EMPTY}}<p class="empty">No entries yet.</p>{{/EMPTY}}
{{#TABLE}}<table class="board">
<thead><tr><th scope="col">Rank</th><th scope="col">Bib</th><th scope="col">Name</th><th scope="col">{{FIGURE_LABEL}}</th><th scope="col">Scores</th><th scope="col">Best</th></tr></thead>
<tbody>{{#ROW}}<tr{{#TOP}} class="top top{{RANK}}"{{/TOP}}><td>{{RANK_LABEL}}</td><td>{{BIB}}</td><td>{{NAME}}</td><td>{{FIGURE}}</td><td>{{SCORES}}</td><td>{{BEST}}</td></tr>
{{/ROW}}</tbody>
</table>{{/TABLE}}
</section>{{/DIVISION}}
<p class="hint">Updated {{UPDATED}}; this page refreshes every few seconds. <a href="/events/{{SLUG}}/leaderboard.json">As JSON</a></p>
</article>
