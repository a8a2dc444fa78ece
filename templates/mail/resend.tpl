{{!Plain text: nothing is escaped, the worker makes every value one line.}}Your link for {{TITLE}}

Hello {{NAME}},

you (or someone who typed your address) asked for the link to your
RSVP for {{TITLE}} ({{WHEN}}).
{{>LINK}}
This new link replaces the one you had before: the old one no longer
works. If you did not ask for it, you can ignore this e-mail.

{{SITE_NAME}}
