{{!Plain text: nothing is escaped, the worker makes every value but TEXT one line.}}The organiser cancelled your RSVP: {{TITLE}}

Hello {{NAME}},

the organiser of {{TITLE}} ({{WHEN}}) has cancelled your RSVP:
your place is no longer held for you.
{{#MESSAGE}}
Their message to you:

{{TEXT}}
{{/MESSAGE}}
If you think this is a mistake, please contact the organiser, or
sign up again while there are spots: {{EVENT_URL}}

{{SITE_NAME}}
