{{%AUTOESCAPE context="HTML"}}<section class="admin-board">
<p class="back"><a href="/admin/events/{{SLUG}}/scores">← Scores</a> · <a href="/events/{{SLUG}}/leaderboard">Public leaderboard</a></p>
<h1>Live leaderboard: {{TITLE}}</h1>
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<p class="rule">{{RULE_LABEL}}{{#CLOSED}}; scoring is closed{{/CLOSED}}. This board is always live; <strong>{{STATE}}</strong></p>
{{#CONTROLS}}<form method="post" action="/admin/events/{{SLUG}}/leaderboard" class="board-controls">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
{{#CAN_FREEZE}}<button type="submit" name="action" value="freeze">Freeze the public leaderboard</button>
<span class="hint">The public page and leaderboard.json keep today's standings; scores are still taken and shown here.</span>{{/CAN_FREEZE}}
{{#CAN_UNFREEZE}}<button type="submit" name="action" value="unfreeze">Unfreeze (show the live standings)</button>{{/CAN_UNFREEZE}}
{{#CAN_PUBLISH}}<button type="submit" name="action" value="publish">Publish the final results</button>
<span class="hint">The public board shows the live standings as “Final results”; it cannot be frozen again.</span>{{/CAN_PUBLISH}}
</form>{{/CONTROLS}}
{{>BOARD}}
{{#LOG}}<h2>Freezes and publication</h2>
<ul class="board-log">{{#CHANGE}}<li>{{WHAT}} by {{ACTOR}}, {{WHEN}}</li>{{/CHANGE}}</ul>{{/LOG}}
</section>
