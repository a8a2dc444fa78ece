{{!Plain text: nothing is escaped, the worker makes every value but PICKUP one line.}}Your claim number {{NUMBER}}: {{TITLE}}

Hello {{NAME}},

you claimed {{QUANTITY}} x {{ITEM}} at {{TITLE}}.
Your claim number is {{NUMBER}}.
Price: {{PRICE}}

{{PICKUP}}

{{EVENT_URL}}

{{SITE_NAME}}
