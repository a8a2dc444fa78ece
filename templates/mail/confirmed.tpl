{{!Plain text: nothing is escaped, the worker makes every value one line.}}You're confirmed: {{TITLE}}

Hello {{NAME}},

you are confirmed for {{TITLE}}.

When:  {{WHEN}}
Where: {{WHERE}}
Event: {{EVENT_URL}}
{{#CLOSES}}Registration closes: {{CLOSES}}
{{/CLOSES}}Add to calendar: {{ICS_URL}}
{{>LINK}}
See you there,
{{SITE_NAME}}
