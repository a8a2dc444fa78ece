{{!Plain text: nothing is escaped, the worker makes every value one line.}}You're on the waitlist: {{TITLE}}

Hello {{NAME}},

{{TITLE}} is full, so you are on its waitlist. When spots free up,
you move up automatically and we send you another e-mail.
{{AHEAD}}

When:  {{WHEN}}
{{#ENDS}}Ends:  {{ENDS}}
{{/ENDS}}Where: {{WHERE}}
Party: {{PARTY}}
{{#BRINGING}}You're bringing:
{{#ITEM}}- {{NAME}}: {{AMOUNT}}
{{/ITEM}}{{/BRINGING}}Event: {{EVENT_URL}}
{{#CLOSES}}Registration closes: {{CLOSES}}
{{/CLOSES}}{{>LINK}}
{{SITE_NAME}}
