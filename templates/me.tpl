{{%AUTOESCAPE context="HTML"}}<article class="me">
{{#SENT}}<h1>Check your e-mail</h1>
<p class="notice">If that address has sign-ups here, a link to a page listing all of them is on its way to it.
It can take a few minutes to arrive; look in the spam folder too.</p>
<p>We send at most {{PER_HOUR}} of these e-mails per hour to one address.</p>
<p><a href="/">Back to the list of events</a></p>{{/SENT}}
{{#FORM}}<h1>My sign-ups</h1>
{{#NOTICE}}<p class="notice">{{MESSAGE}}</p>{{/NOTICE}}
<p>Enter the e-mail address you signed up with. We e-mail it a private link to a page
listing everything under that address: RSVPs, waitlist places, pledges, holds and
competition entries, each with its own page. The link works for {{DAYS}} days.</p>
{{>ERRORS}}
<form method="post" action="/me" id="me-form" novalidate>
<input type="hidden" name="form_token" value="{{FORM_TOKEN}}">
<div class="field">
<label for="email">E-mail</label>
{{#EMAIL_ERROR}}<p class="field-error" id="email-error"><span class="visually-hidden">Error: </span>{{MESSAGE}}</p>{{/EMAIL_ERROR}}
<input id="email" name="email" type="email" value="{{EMAIL}}" required maxlength="254" autocomplete="email"{{#EMAIL_ERROR}} aria-invalid="true" aria-describedby="email-error"{{/EMAIL_ERROR}}>
</div>
<button type="submit">E-mail me the link</button>
</form>{{/FORM}}
</article>
