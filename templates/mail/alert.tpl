{{!Plain text: nothing is escaped; values are one line each, cut to fit 72 columns.}}{{SITE_NAME}}: {{SUBJECT}}

Hello,

this is {{SITE_NAME}}, writing to its admins.
{{#LATE}}
The e-mail worker (turnout-worker) has not done its rounds
{{#SINCE}}since {{SINCE}}{{/SINCE}}{{#NEVER}}since this site was set up{{/NEVER}}, so no e-mail is going out:
no confirmations, no waitlist moves, no reminders. On the server:

  systemctl status turnout-worker
  journalctl -u turnout-worker
{{/LATE}}{{#DEAD}}
{{COUNT}} could not be delivered and were given up on. The newest:
{{#LETTER}}
- {{WHEN}}, {{KIND}}
  to {{RECIPIENT}}
  {{ERROR}}
{{/LETTER}}{{/DEAD}}
See every e-mail that could not be delivered, and send them again
or give up on them, at

  {{OUTBOX_URL}}

or with turnout-admin outbox on the server.

You get this because your address is in alert_to in turnout.conf.
At most one such e-mail goes to you per hour.

{{SITE_NAME}}
