{{%AUTOESCAPE context="HTML"}}<article class="resend">
<p class="back"><a href="/events/{{SLUG}}">← {{TITLE}}</a></p>
<h1>Check your e-mail</h1>
<p class="notice">If there is an RSVP for {{EMAIL}} to {{TITLE}}, we have sent its link to that address.
It can take a few minutes to arrive; look in the spam folder too.</p>
<p>The e-mail holds a new link; any link you had before keeps working.
We send at most {{PER_HOUR}} of these e-mails per hour to one address.</p>
</article>
