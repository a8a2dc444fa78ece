{{!Plain text: nothing is escaped, the worker makes every value one line.}}Your link for {{TITLE}}

Hello {{NAME}},

here is a link to your RSVP for {{TITLE}} ({{WHEN}}), as asked
for on the event's page.
{{>LINK}}
If you asked for your link to be e-mailed, any link you had before
still works. If you replaced your link, only this one works now.
If you did not ask for anything, you can ignore this e-mail.

{{SITE_NAME}}
