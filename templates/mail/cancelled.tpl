{{!Plain text: nothing is escaped, the worker makes every value one line.}}Your RSVP is cancelled: {{TITLE}}

Hello {{NAME}},

your RSVP for {{TITLE}} ({{WHEN}}) is cancelled. Thank you for
letting us know. If you change your mind, you can sign up again while
there are spots: {{EVENT_URL}}

{{SITE_NAME}}
