{{%AUTOESCAPE context="HTML"}}<section class="admin-login">
<h1>Admin login</h1>
{{#LOGGED_OUT}}<p class="notice" role="status">You are logged out.</p>{{/LOGGED_OUT}}
{{#ERROR}}<p class="notice warn" role="alert">{{MESSAGE}}</p>{{/ERROR}}
<form method="post" action="/admin/login">
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<label for="name">Name</label>
<input id="name" name="name" value="{{NAME}}" required maxlength="64" autocomplete="username" autocapitalize="none">
<label for="password">Password</label>
<input id="password" name="password" type="password" required maxlength="1024" autocomplete="current-password">
<button type="submit">Log in</button>
</form>
<p class="hint">Admin accounts are made on the server with <code>turnout-admin user add NAME</code>.</p>
</section>
