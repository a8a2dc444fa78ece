#ifndef TURNOUT_ALERT_H
#define TURNOUT_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "health.h"
#include "outbox.h"
#include "transport.h"

/*
 * Alerts: e-mails to the site's admins (config alert_to) about the site
 * itself, when letters go dead (turnout-worker enqueues them) or the
 * worker has stopped (turnout-admin watch sends them, as a stopped worker
 * cannot). They are outbox rows of kind 'alert', with no event, listed
 * on /admin/outbox like any e-mail. At most one of each per address and
 * hour: the dedupe key carries the hour.
 */

/* The worker does its housekeeping every minute: 10 missed passes is a problem. */
#define ALERT_WORKER_LATE 600
/* Dead letters an alert lists, the newest first. */
#define ALERT_LETTERS 5

/*
 * In one transaction: if letters went dead since the last alert about
 * dead letters, enqueue an alert to each address that had none this
 * hour, and remember the letters reported once one was enqueued (so an
 * old dead letter alerts once, not every hour). *n gets how many were
 * enqueued; nothing at all without alert_to.
 */
enum db_rc alert_dead(struct db *db, const struct config *c, int *n);

/*
 * 1 if the worker has missed its passes at time now: its last pass is
 * more than ALERT_WORKER_LATE ago, or it never ran on a database older
 * than that (a new site gets the time to start it).
 */
int alert_worker_late(const struct health *h, int64_t now);

/*
 * The alert m (an outbox row of kind 'alert') as a whole message (CRLF,
 * headers), rendered from mail/alert.tpl with the site as it is now:
 * the worker's last pass if it is late, the dead letters' count and the
 * newest ALERT_LETTERS of them, with its HTML part (mail_html). In a;
 * NULL with the reason in *err. tpl_init must have loaded mail/alert.tpl
 * and mail/html.tpl as text.
 */
char *alert_mail(struct db *db, const struct config *c, struct arena *a,
    const struct outbox_msg *m, const char **err);

/*
 * turnout-admin watch, for a worker that is late: send the alert through
 * t to each address that had none about it this hour, each recorded in
 * the outbox as sent. Recorded before it is sent, so two watches at once
 * never both send; a send that fails takes its record back, so the next
 * watch tries again. *sent gets how many went out. Returns 0, or -1 with
 * the reason in err (those before the failure went out).
 */
int alert_stalled(struct db *db, const struct config *c, struct transport *t,
    struct arena *a, int *sent, char *err, size_t errlen);

#endif
