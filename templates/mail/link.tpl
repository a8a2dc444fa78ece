{{!Plain text: nothing is escaped, the worker makes every value one line.}}
To see your RSVP, change your guests or cancel, use your personal link
(keep it to yourself):
{{LINK}}
