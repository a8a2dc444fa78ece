{{%AUTOESCAPE context="HTML"}}<section class="admin-competition">
<p class="back"><a href="/admin">← Dashboard</a> · <a href="/admin/events/{{SLUG}}/edit">Edit event</a> · <a href="/admin/events/{{SLUG}}/scores">Scores</a> · <a href="/events/{{SLUG}}/leaderboard">Leaderboard</a> · <a href="/admin/events/{{SLUG}}/leaderboard">Live leaderboard, freeze and publish</a> · <a href="/admin/events/{{SLUG}}/stats#score-log">Score log</a></p>
<h1>Competition: {{TITLE}}</h1>
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#A_DROP}}<p>This event is a limited drop: its sign-ups are holds, so it cannot be a competition.</p>{{/A_DROP}}
{{#NOT_YET}}<p>This event takes plain RSVPs. Save the rules below to make it a competition: its RSVPs become entries with a bib, a name on the leaderboard and scores.</p>{{/NOT_YET}}
{{#OPEN}}<form method="post" action="/admin/events/{{SLUG}}/competition" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="close">
<p>Scoring is <strong>open</strong>. <button type="submit" class="danger">Close scoring</button></p>
</form>{{/OPEN}}
{{#CLOSED}}<form method="post" action="/admin/events/{{SLUG}}/competition" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="reopen">
<p class="notice warn">Scoring is <strong>closed</strong>: no more scores are taken. <button type="submit">Reopen scoring</button></p>
</form>{{/CLOSED}}
{{#RULES}}<h2>Rules</h2>
<form method="post" action="/admin/events/{{SLUG}}/competition" class="competition-rules">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="action" value="rules">
{{#CHOOSE}}<label for="kind">Score kind</label>
<select id="kind" name="kind">{{#KIND}}<option{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/KIND}}</select>
<p class="hint">points: higher is better; time: lower is better (h:mm:ss, m:ss.t); distance: higher is better, with a unit.</p>{{/CHOOSE}}
{{#CHOOSE_RULE}}<label for="rule">Ranking rule</label>
<select id="rule" name="rule">{{#RULE}}<option{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/RULE}}</select>
<p class="hint">best single score, total of all scores, or average.</p>{{/CHOOSE_RULE}}
{{#CHOOSE_UNIT}}<label for="unit">Unit (distances: m, cm …; may stay empty)</label>
<input id="unit" name="unit" value="{{UNIT}}" maxlength="16">{{/CHOOSE_UNIT}}
{{#FIXED}}<p>Score kind: <strong>{{KIND}}</strong>{{/FIXED}}{{#FIXED_RULE}}, ranking rule: <strong>{{RULE}}</strong>{{/FIXED_RULE}}{{#FIXED_UNIT}}, unit: <strong>{{UNIT}}</strong>.</p>
<p class="hint">These are fixed: the competition has scores, and they would be read wrongly under other rules.</p>{{/FIXED_UNIT}}
<label for="rounds">Rounds (scores per entrant, 1 to 100)</label>
<input id="rounds" name="rounds" type="number" min="{{MIN_ROUNDS}}" max="100" value="{{ROUNDS}}" inputmode="numeric" required>
{{#ROUNDS_USED}}<p class="hint">Round {{ROUND}} has scores: at least {{ROUND}} rounds.</p>{{/ROUNDS_USED}}
<label><input type="checkbox" name="self_scoring" value="1"{{#SELF_SCORING}} checked{{/SELF_SCORING}}> Self-scoring: entrants report their own scores on their private page</label>
<button type="submit">{{#MAKE}}Make it a competition{{/MAKE}}{{#SAVE}}Save the rules{{/SAVE}}</button>
</form>{{/RULES}}
{{#COMPETITION}}<h2>Registration deadline</h2>
<form method="post" action="/admin/events/{{SLUG}}/competition" class="competition-deadline">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="action" value="deadline">
<input type="hidden" name="edit_version" value="{{EDIT_VERSION}}">
<p>Registration closes: {{CLOSES_HUMAN}}</p>
<label for="rsvp_closes">New deadline (empty: no deadline)</label>
<input id="rsvp_closes" name="rsvp_closes" type="datetime-local" value="{{CLOSES}}">
<button type="submit">Save the deadline</button>
</form>
<h2>Divisions</h2>
<p class="hint">Each division has its own leaderboard; entrants choose one when they sign up. A division with entries cannot be removed.</p>
{{#NO_DIVISIONS}}<p class="empty">No divisions: one leaderboard for everyone.</p>{{/NO_DIVISIONS}}
<ul class="divisions">{{#DIVISION}}<li>
<form method="post" action="/admin/events/{{SLUG}}/competition" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="division_rename"><input type="hidden" name="id" value="{{ID}}">
<input name="name" value="{{NAME}}" required maxlength="40" aria-label="Name of division {{NAME}}"> <button type="submit">Rename</button>
</form>
<form method="post" action="/admin/events/{{SLUG}}/competition" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="division_remove"><input type="hidden" name="id" value="{{ID}}">
<button type="submit" class="danger">Remove</button>
</form></li>{{/DIVISION}}</ul>
{{#ADD_DIVISION}}<form method="post" action="/admin/events/{{SLUG}}/competition" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="division_add">
<label for="division-name">New division</label>
<input id="division-name" name="name" required maxlength="40" placeholder="Under 16">
<button type="submit">Add</button>
</form>{{/ADD_DIVISION}}{{/COMPETITION}}
</section>
