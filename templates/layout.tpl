{{%AUTOESCAPE context="HTML"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{#REFRESH}}{{#ON}}<meta http-equiv="refresh" content="{{SECONDS}}">{{/ON}}{{/REFRESH}}
{{#RELOAD}}<noscript><meta http-equiv="refresh" content="{{SECONDS}}"></noscript>{{/RELOAD}}
<title>{{PAGE_TITLE}} · {{SITE_NAME}}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
{{#LIVE_SCRIPT}}<script src="/static/live.js" defer></script>{{/LIVE_SCRIPT}}
{{#WAIT_SCRIPT}}<script src="/static/waiting.js" defer></script>{{/WAIT_SCRIPT}}
{{#DROP_SCRIPT}}<script src="/static/drop.js" defer></script>{{/DROP_SCRIPT}}
{{#BOARD_SCRIPT}}<script src="/static/board.js" defer></script>{{/BOARD_SCRIPT}}
{{#ERRORS_SCRIPT}}<script src="/static/errors.js" defer></script>{{/ERRORS_SCRIPT}}
</head>
<body{{#ADMIN}} class="admin"{{/ADMIN}}>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<a class="brand" href="/">{{SITE_NAME}}</a>
{{#ADMIN}}<nav class="admin-bar"><a href="/admin">Dashboard</a> <a href="/admin/outbox">Outbox</a> <span>{{USER}}</span>
<form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="{{CSRF}}"><button type="submit" class="link">Log out</button></form></nav>{{/ADMIN}}
</header>
<main id="main">
{{#REFRESH}}{{#ON}}<p class="refresh-note">This page refreshes every {{SECONDS}} seconds. <a href="{{PAUSE_URL}}">Pause refreshing</a></p>{{/ON}}{{#OFF}}<p class="refresh-note">Refreshing is paused. <a href="{{RESUME_URL}}">Refresh every {{SECONDS}} seconds again</a></p>{{/OFF}}{{/REFRESH}}
{{>BODY}}
</main>
<footer class="site">
<p><a href="/me">My sign-ups</a></p>
<p>Powered by Turnout, self-hosted event sign-ups</p>
</footer>
</body>
</html>
