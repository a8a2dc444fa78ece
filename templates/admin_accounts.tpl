{{%AUTOESCAPE context="HTML"}}<section class="admin-accounts">
<p class="back"><a href="/admin">← Dashboard</a></p>
<h1>Accounts</h1>
{{#DONE}}<p class="notice" role="status">{{MESSAGE}}</p>{{/DONE}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<p class="hint">An <strong>admin</strong> does everything, accounts too; an <strong>organiser</strong> events, participants, drops and competitions; a <strong>scorekeeper</strong> only the scores of the competitions assigned to it.</p>
<table class="accounts">
<thead><tr><th scope="col">Account</th><th scope="col">Role</th><th scope="col">Last login</th><th scope="col">Logged in on</th><th scope="col">Changes</th></tr></thead>
<tbody>{{#ACCOUNT}}<tr id="account-{{NAME}}"><th scope="row">{{NAME}}{{#YOU}} (you){{/YOU}}{{#DISABLED}}<br><span class="hint">disabled {{WHEN}}</span>{{/DISABLED}}</th>
<td><form method="post" action="/admin/accounts" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="role"><input type="hidden" name="name" value="{{NAME}}">
<select name="role" aria-label="Role of {{NAME}}">{{#ROLE_OPTION}}<option{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/ROLE_OPTION}}</select> <button type="submit">Change</button>
</form></td>
<td>{{LAST_LOGIN}}<br><span class="hint">created {{CREATED}}</span></td><td>{{SESSIONS}} browser(s)</td>
<td>{{#ENABLED}}<form method="post" action="/admin/accounts" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="disable"><input type="hidden" name="name" value="{{NAME}}">
<button type="submit">Disable</button>
</form>{{/ENABLED}}{{#DISABLED}}<form method="post" action="/admin/accounts" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="enable"><input type="hidden" name="name" value="{{NAME}}">
<button type="submit">Enable</button>
</form>{{/DISABLED}}{{#OTHER}}<form method="post" action="/admin/accounts" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="remove"><input type="hidden" name="name" value="{{NAME}}">
<label><input type="checkbox" name="confirm" value="1" required> sure</label> <button type="submit" class="danger">Remove</button>
</form>{{/OTHER}}
{{#KEEPER}}<div class="keeps"><p>Keeps the scores of:</p><ul>{{#ASSIGNED}}<li><a href="/admin/events/{{SLUG}}/scores">{{TITLE}}</a>
<form method="post" action="/admin/accounts" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="unassign"><input type="hidden" name="name" value="{{NAME}}"><input type="hidden" name="slug" value="{{SLUG}}">
<button type="submit">Unassign</button>
</form></li>{{/ASSIGNED}}</ul>
{{#NO_COMPETITIONS}}<p class="empty">No competitions yet.</p>{{/NO_COMPETITIONS}}<form method="post" action="/admin/accounts" class="inline">
<input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="action" value="assign"><input type="hidden" name="name" value="{{NAME}}">
<select name="slug" aria-label="Competition for {{NAME}}">{{#COMPETITION}}<option value="{{SLUG}}">{{TITLE}}</option>{{/COMPETITION}}</select> <button type="submit">Assign</button>
</form></div>{{/KEEPER}}</td></tr>
{{/ACCOUNT}}</tbody>
</table>
<h2>New account</h2>
<form method="post" action="/admin/accounts" class="account-new">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<input type="hidden" name="action" value="add">
<label for="new-name">Name (a-z, 0-9, '.', '_', '-'; typed to log in)</label>
<input id="new-name" name="name" value="{{NEW_NAME}}" required maxlength="64" autocomplete="off" pattern="[a-z0-9._-]+">
{{#NEW}}<label for="new-role">Role</label>
<select id="new-role" name="role">{{#ROLE_OPTION}}<option{{#SELECTED}} selected{{/SELECTED}}>{{VALUE}}</option>{{/ROLE_OPTION}}</select>{{/NEW}}
<label for="new-password">Initial password (at least {{PASSWORD_MIN}} characters)</label>
<input id="new-password" name="password" type="password" required minlength="{{PASSWORD_MIN}}" maxlength="1024" autocomplete="new-password">
<button type="submit">Add the account</button>
</form>
</section>
