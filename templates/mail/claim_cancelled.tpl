{{!Plain text: nothing is escaped, the worker makes every value one line.}}The organiser cancelled your claim: {{TITLE}}

Hello {{NAME}},

the organiser of {{TITLE}} cancelled your claim number {{NUMBER}}
({{QUANTITY}} x {{ITEM}}). If you think this is a mistake, please reply
to the organiser. If any are left, you can hold one again at
{{EVENT_URL}}

{{SITE_NAME}}
