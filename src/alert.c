#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "clock.h"
#include "mail.h"
#include "tpl.h"
#include "tz.h"

/* A value for a text line of at most 72 characters: one line, cut to max bytes. */
static const char *clip(struct arena *a, const char *s, size_t max)
{
	size_t n;

	s = mail_one_line(a, s);
	if ((n = strlen(s)) <= max)
		return s;
	/* Never inside a UTF-8 character: back to the first byte of one. */
	for (n = max - 3; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
		;
	return arena_printf(a, "%.*s...", (int)n, s);
}

enum db_rc alert_dead(struct db *db, const struct config *c, int *n)
{
	sqlite3_stmt *st;
	enum db_rc rc;
	int i;

	*n = 0;
	if (c->alert_n == 0)
		return DB_OK;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_ALERT_DEAD);
	for (i = 0; i < c->alert_n && rc == DB_OK; i++) {
		sqlite3_bind_text(st, 1, c->alert_to[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, clock_now());
		if ((rc = db_step_done(db, st, "enqueueing an alert")) == DB_OK)
			*n += db_changes(db);
	}
	/*
	 * Reported only once an alert went: letters dying in an hour whose
	 * alert went already are reported by the next hour's.
	 */
	if (rc == DB_OK && *n > 0)
		rc = db_step_done(db, db_stmt(db, STMT_ALERT_DEAD_SEEN),
		    "remembering the dead letters reported");
	if ((rc = db_end(db, rc)) != DB_OK)
		*n = 0;
	return rc;
}

int alert_worker_late(const struct health *h, int64_t now)
{
	if (h->worker_pass == 0)
		return now - h->db_born > ALERT_WORKER_LATE;
	return now - h->worker_pass > ALERT_WORKER_LATE;
}

/* The newest dead letters into d (LETTER sections); DB_OK or the error. */
static enum db_rc letters(struct db *db, struct arena *a, struct tpl_dict *d)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ALERT_DEAD_NEWEST);
	struct tpl_dict *l;
	int step;

	sqlite3_bind_int(st, 1, ALERT_LETTERS);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		l = tpl_section(d, "LETTER");
		tpl_set(l, "KIND", db_text(a, st, 0));
		tpl_set(l, "RECIPIENT", clip(a, db_text(a, st, 1), 64));
		tpl_set(l, "ERROR", clip(a, db_text(a, st, 2), 66));
		tpl_set(l, "WHEN", tz_human(a, sqlite3_column_int64(st, 3)));
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the newest dead letters");
}

char *alert_mail(struct db *db, const struct config *c, struct arena *a,
    const struct outbox_msg *m, const char **err)
{
	struct tpl_dict *d = tpl_dict_new(a), *s;
	int64_t now = clock_now();
	const char *text, *dead;
	struct mail mail = { 0 };
	struct health h;
	size_t len;

	if (health_read(db, c, &h) != DB_OK) {
		*err = "the database cannot be read";
		return NULL;
	}
	tpl_set(d, "SITE_NAME", mail_one_line(a, c->site_name));
	tpl_set(d, "OUTBOX_URL", arena_printf(a, "%s/admin/outbox", c->site_url));
	dead = arena_printf(a, "%lld e-mail%s", (long long)h.outbox[OUTBOX_DEAD],
	    h.outbox[OUTBOX_DEAD] == 1 ? "" : "s");
	if (alert_worker_late(&h, now)) {
		tpl_set(d, "SUBJECT", "the e-mail worker has stopped");
		s = tpl_section(d, "LATE");
		if (h.worker_pass == 0)
			tpl_show(s, "NEVER");
		else
			tpl_set(tpl_section(s, "SINCE"), "SINCE", tz_human_zone(a, h.worker_pass,
			    now));
	} else {
		tpl_set(d, "SUBJECT", arena_printf(a, "%s could not be delivered", dead));
	}
	if (h.outbox[OUTBOX_DEAD] > 0) {
		s = tpl_section(d, "DEAD");
		tpl_set(s, "COUNT", dead);
		if (letters(db, a, s) != DB_OK) {
			*err = "the dead letters cannot be read";
			return NULL;
		}
	}
	if ((text = tpl_render_text(a, "mail/alert.tpl", d, &len)) == NULL) {
		*err = "template missing or invalid (see the log)";
		return NULL;
	}
	mail.text = text;
	mail.html = mail_html(a, text, c->site_url);
	return outbox_mail(a, c, m, &mail, err);
}

/* Take back the record of an alert that did not go out (see alert_stalled). */
static void unrecord(struct db *db, int64_t id)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return;
	st = db_stmt(db, STMT_ALERT_UNRECORD);
	sqlite3_bind_int64(st, 1, id);
	db_end(db, db_step_done(db, st, "taking back an alert"));
}

int alert_stalled(struct db *db, const struct config *c, struct transport *t,
    struct arena *a, int *sent, char *err, size_t errlen)
{
	struct outbox_msg m[CONFIG_ALERT_MAX];
	const char *why = NULL;
	sqlite3_stmt *st;
	enum db_rc rc = DB_OK;
	int i, n = 0, failed = 0;
	char *msg;

	*sent = 0;
	for (i = 0; i < c->alert_n && !failed; i++) {
		if ((rc = db_begin(db)) != DB_OK)
			break;
		st = db_stmt(db, STMT_ALERT_STALLED);
		sqlite3_bind_text(st, 1, c->alert_to[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, clock_now());
		if ((rc = db_step_one(db, st, "recording an alert")) == DB_OK)
			db_read_outbox(a, st, &m[n]);
		sqlite3_reset(st);
		if ((rc = db_end(db, rc)) == DB_NOTFOUND)
			continue;	/* this hour's went already */
		if (rc != DB_OK)
			break;
		if ((msg = alert_mail(db, c, a, &m[n], &why)) == NULL)
			snprintf(err, errlen, "%s", why);
		if (msg == NULL || transport_send(t, m[n].recipient, msg, err, errlen) != SEND_OK) {
			unrecord(db, m[n].id);
			failed = 1;
		} else {
			n++;
		}
	}
	if (rc != DB_OK && rc != DB_NOTFOUND) {
		snprintf(err, errlen, "the database cannot be written");
		failed = 1;
	}
	/* Accepted but perhaps not kept: they go again at the next watch. */
	if (n > 0 && transport_flush(t, err, errlen) != 0) {
		for (i = 0; i < n; i++)
			unrecord(db, m[i].id);
		n = 0;
		failed = 1;
	}
	*sent = n;
	return failed ? -1 : 0;
}
