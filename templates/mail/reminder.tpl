{{!Plain text: nothing is escaped, the worker makes every value one line.}}Reminder: {{TITLE}}, {{WHEN}}

Hello {{NAME}},

a reminder that you are confirmed for {{TITLE}}.

When:  {{WHEN}}
Where: {{WHERE}}
Event: {{EVENT_URL}}

If you cannot come after all, please cancel with the link in your
first e-mail (or ask for it again on the event page), so someone on the
waitlist gets your spot.

See you there,
{{SITE_NAME}}
