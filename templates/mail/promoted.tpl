{{!Plain text: nothing is escaped, the worker makes every value one line.}}A spot opened up: you're confirmed for {{TITLE}}

Hello {{NAME}},

good news: a spot opened up and you have moved up from the waitlist.
You are now confirmed for {{TITLE}}.

When:  {{WHEN}}
{{#ENDS}}Ends:  {{ENDS}}
{{/ENDS}}Where: {{WHERE}}
Party: {{PARTY}}
{{#BRINGING}}You're bringing:
{{#ITEM}}- {{NAME}}: {{AMOUNT}}
{{/ITEM}}{{/BRINGING}}Event: {{EVENT_URL}}
{{>LINK}}
See you there,
{{SITE_NAME}}
