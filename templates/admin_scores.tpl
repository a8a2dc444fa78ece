{{%AUTOESCAPE context="HTML"}}<section class="admin-scores">
<p class="back"><a href="/admin/competitions">← Competitions</a> · <a href="/admin/events/{{SLUG}}/leaderboard">Live leaderboard, freeze and publish</a> · <a href="/admin/events/{{SLUG}}/scores.csv">All scores as CSV</a></p>
<h1>Scores: {{TITLE}}</h1>
{{#CLOSED}}<p class="notice warn">Scoring is closed for this competition.</p>{{/CLOSED}}
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<form method="get" action="/admin/events/{{SLUG}}/scores" class="search">
<label for="q">Entrant: name or bib</label>
<input id="q" name="q" value="{{Q}}" autofocus autocomplete="off" inputmode="search" maxlength="100">
<button type="submit">Find</button>
</form>
{{#NOT_FOUND}}<p class="empty">Nobody matches “{{Q}}”.</p>{{/NOT_FOUND}}
{{#NO_ENTRIES}}<p class="empty">No entries yet.</p>{{/NO_ENTRIES}}
<ul class="found">{{#FOUND}}<li>
<form method="post" action="/admin/events/{{SLUG}}/scores" class="score">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="score">
<input type="hidden" name="entry" value="{{ENTRY}}">
<input type="hidden" name="q" value="{{Q}}">
<label for="value-{{ENTRY}}"><strong>#{{BIB}} {{NAME}}</strong> <span class="hint">{{FULL_NAME}}{{#DIVISION}} · {{DIVISION}}{{/DIVISION}} · {{SCORES}} score(s){{#BEST}}, best {{BEST}}{{/BEST}}{{#WAITLISTED}} · waitlisted{{/WAITLISTED}}</span></label>
<input id="value-{{ENTRY}}" name="value" value="{{VALUE}}" required placeholder="{{HINT}}" autocomplete="off" maxlength="20"{{#FIRST}} inputmode="decimal"{{/FIRST}}>
<input name="round" type="number" min="1" max="100" placeholder="round (next)" inputmode="numeric" aria-label="Round (empty: the next)">
<button type="submit">Save</button>
</form>
</li>{{/FOUND}}</ul>
<h2>Latest scores</h2>
<table class="scores">
<thead><tr><th scope="col">Bib</th><th scope="col">Name</th><th scope="col">Round</th><th scope="col">Score</th><th scope="col">By</th><th scope="col">Void or correct</th></tr></thead>
<tbody>{{#RECENT}}<tr><td>{{BIB}}</td><td>{{NAME}}</td><td>{{ROUND}}</td><td>{{#VOIDED}}<del>{{/VOIDED}}{{VALUE}}{{#VOIDED}}</del> voided: {{REASON}}{{/VOIDED}}</td><td>{{BY}}</td><td>{{#VOID_FORM}}<form method="post" action="/admin/events/{{SLUG}}/scores" class="void">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="void">
<input type="hidden" name="score" value="{{ID}}">
<input name="reason" required maxlength="200" placeholder="reason" aria-label="Reason">
<input name="value" maxlength="20" placeholder="correct value (empty: void)" aria-label="Corrected value">
<button type="submit">Apply</button>
</form>{{/VOID_FORM}}</td></tr>
{{/RECENT}}</tbody>
</table>
{{#TOKENS}}<h2>API tokens</h2>
<p class="hint">A timing script sends scores to <code>/api/events/{{SLUG}}/scores</code> with one of these (see the README).</p>
{{#NEW_TOKEN}}<p class="notice" role="status">Token “{{LABEL}}”: <code class="token">{{TOKEN}}</code></p>{{/NEW_TOKEN}}
<ul class="tokens">{{#TOKEN_ROW}}<li>{{LABEL}} <span class="hint">made by {{BY}}, {{CREATED}}{{#REVOKED}}; revoked {{WHEN}}{{/REVOKED}}</span>
{{#LIVE}}<form method="post" action="/admin/events/{{SLUG}}/api-tokens" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="revoke">
<input type="hidden" name="id" value="{{ID}}">
<button type="submit" class="danger">Revoke</button>
</form>{{/LIVE}}</li>{{/TOKEN_ROW}}</ul>
<form method="post" action="/admin/events/{{SLUG}}/api-tokens">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="new">
<label for="label">New token, named</label>
<input id="label" name="label" required maxlength="60" placeholder="finish line">
<button type="submit">Make a token</button>
</form>{{/TOKENS}}
</section>
