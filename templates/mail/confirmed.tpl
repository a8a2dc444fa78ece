{{!Plain text: nothing is escaped, the worker makes every value one line.}}You're confirmed: {{TITLE}}

Hello {{NAME}},

you are confirmed for {{TITLE}}.

When:  {{WHEN}}
{{#ENDS}}Ends:  {{ENDS}}
{{/ENDS}}Where: {{WHERE}}
Party: {{PARTY}}
{{#BRINGING}}You're bringing:
{{#ITEM}}- {{NAME}}: {{AMOUNT}}
{{/ITEM}}{{/BRINGING}}Event: {{EVENT_URL}}
{{#CLOSES}}Registration closes: {{CLOSES}}
{{/CLOSES}}Add to calendar: {{ICS_URL}}
{{>LINK}}
See you there,
{{SITE_NAME}}
