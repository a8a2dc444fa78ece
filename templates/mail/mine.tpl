{{!Plain text: nothing is escaped, the worker makes every value one line.}}Your sign-ups at {{SITE_NAME}}

Hello {{NAME}},

here is a link to a page listing everything you signed up for with
this address, as asked for on our site:
{{LINK}}

It works for 30 days; keep it to yourself. The page has a button to
revoke it. If you did not ask for it, you can ignore this e-mail.

{{SITE_NAME}}
