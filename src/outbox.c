#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "outbox.h"
#include "token.h"

static const char *const state_names[OUTBOX__MAX] = {
	[OUTBOX_PENDING] = "pending",
	[OUTBOX_SENDING] = "sending",
	[OUTBOX_SENT] = "sent",
	[OUTBOX_DEAD] = "dead",
	[OUTBOX_DISCARDED] = "discarded",
};

const char *outbox_state_name(enum outbox_state s)
{
	return state_names[s];
}

int64_t outbox_backoff(const struct config *c, int attempts, uint32_t rnd)
{
	int64_t delay;

	if (attempts < 1 || attempts > c->mail_retry_n)
		return -1;
	delay = c->mail_retry[attempts - 1];
	return delay + (int64_t)(rnd % (uint32_t)(delay / 5 + 1));
}

enum db_rc outbox_link(struct db *db, int64_t rsvp_id, const char *manage_token)
{
	sqlite3_stmt *st = db_stmt(db, STMT_OUTBOX_LINK);

	sqlite3_bind_int64(st, 1, rsvp_id);
	sqlite3_bind_text(st, 2, manage_token, -1, SQLITE_STATIC);
	return db_step_done(db, st, "linking a message");
}

enum db_rc outbox_rsvp_link(struct db *db, int64_t rsvp_id, const char *manage_token)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st = db_stmt(db, STMT_RSVP_LINK_ADD);

	token_hash(manage_token, hash);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, rsvp_id);
	sqlite3_bind_int64(st, 3, clock_now());
	return db_step_done(db, st, "adding a manage link");
}

enum db_rc outbox_promoted_link(struct db *db, int64_t rsvp_id)
{
	char token[TOKEN_MANAGE_HEX + 1];
	sqlite3_stmt *st;
	enum db_rc rc;

	token_manage_new(token);
	if ((rc = outbox_rsvp_link(db, rsvp_id, token)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_OUTBOX_LINK_PROMOTED);
	sqlite3_bind_int64(st, 1, rsvp_id);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_TRANSIENT);
	return db_step_done(db, st, "linking a promotion");
}

enum db_rc outbox_by_organiser(struct db *db, int64_t rsvp_id, const char *message)
{
	sqlite3_stmt *st = db_stmt(db, STMT_OUTBOX_BY_ORGANISER);

	sqlite3_bind_int64(st, 1, rsvp_id);
	if (message != NULL)
		sqlite3_bind_text(st, 2, message, -1, SQLITE_STATIC);
	return db_step_done(db, st, "marking an organiser's cancellation");
}

/* Queue order for qsort: next_attempt_at, then id. */
static int by_due(const void *x, const void *y)
{
	const struct outbox_msg *a = x, *b = y;

	if (a->next_attempt_at != b->next_attempt_at)
		return a->next_attempt_at < b->next_attempt_at ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

enum db_rc outbox_claim(struct db *db, struct arena *a, int lease, int max,
    struct outbox_msg **msgs, int *n)
{
	sqlite3_stmt *st;
	enum db_rc rc;
	int step;

	*n = 0;
	*msgs = arena_alloc(a, (size_t)max * sizeof(**msgs));
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_OUTBOX_CLAIM);
	sqlite3_bind_int64(st, 1, clock_now());
	sqlite3_bind_int(st, 2, lease);
	sqlite3_bind_int(st, 3, max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		db_read_outbox(a, st, &(*msgs)[(*n)++]);
	}
	rc = db_rc_of(db, step, "claiming messages");
	sqlite3_reset(st);
	if (rc == DB_OK && *n == 0)
		rc = DB_NOTFOUND;
	if ((rc = db_end(db, rc)) != DB_OK)
		*n = 0;
	qsort(*msgs, (size_t)*n, sizeof(**msgs), by_due);
	return rc;
}

/*
 * Apply the fenced update s (sent or release) to each of the n claimed
 * msgs in one transaction; *changed gets how many rows were still ours.
 */
static enum db_rc update_claimed(struct db *db, enum stmt s, const struct outbox_msg *msgs,
    int n, int *changed)
{
	sqlite3_stmt *st;
	enum db_rc rc;
	int i;

	*changed = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, s);
	for (i = 0; i < n && rc == DB_OK; i++) {
		sqlite3_bind_int64(st, 1, msgs[i].id);
		sqlite3_bind_int(st, 2, msgs[i].attempts);
		if (s == STMT_OUTBOX_SENT)
			sqlite3_bind_int64(st, 3, clock_now());
		if ((rc = db_step_done(db, st, "updating claimed messages")) == DB_OK)
			*changed += db_changes(db);
	}
	return db_end(db, rc);
}

enum db_rc outbox_sent(struct db *db, const struct outbox_msg *msgs, int n, int *taken)
{
	enum db_rc rc = update_claimed(db, STMT_OUTBOX_SENT, msgs, n, taken);

	*taken = rc == DB_OK ? n - *taken : 0;
	return rc;
}

enum db_rc outbox_release(struct db *db, const struct outbox_msg *msgs, int n)
{
	int released;

	return update_claimed(db, STMT_OUTBOX_RELEASE, msgs, n, &released);
}

enum db_rc outbox_failed(struct db *db, const struct config *c,
    const struct outbox_msg *m, int permanent, const char *error, int *dead)
{
	sqlite3_stmt *st;
	enum db_rc rc;
	uint32_t rnd;
	int64_t wait;

	sqlite3_randomness(sizeof(rnd), &rnd);
	wait = permanent ? -1 : outbox_backoff(c, m->attempts, rnd);
	*dead = wait < 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_OUTBOX_FAILED);
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int(st, 2, m->attempts);
	sqlite3_bind_text(st, 3, state_names[*dead ? OUTBOX_DEAD : OUTBOX_PENDING], -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, clock_now() + (*dead ? 0 : wait));
	sqlite3_bind_text(st, 5, error, -1, SQLITE_STATIC);
	if ((rc = db_step_done(db, st, "recording a failed message")) == DB_OK &&
	    db_changes(db) == 0)
		rc = DB_CONFLICT;
	return db_end(db, rc);
}

enum db_rc outbox_remind(struct db *db, int hours, int *n)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	*n = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_OUTBOX_REMINDERS);
	sqlite3_bind_int64(st, 1, clock_now());
	sqlite3_bind_int64(st, 2, (int64_t)hours * 3600);
	if ((rc = db_step_done(db, st, "enqueueing reminders")) != DB_OK)
		return db_end(db, rc);
	*n = db_changes(db);
	/* Those events are done: the next sweeps do not read their RSVPs again. */
	st = db_stmt(db, STMT_EVENT_REMINDED);
	sqlite3_bind_int64(st, 1, clock_now());
	sqlite3_bind_int64(st, 2, (int64_t)hours * 3600);
	return db_end(db, db_step_done(db, st, "marking events reminded"));
}

char *outbox_mail(struct arena *a, const struct config *c, const struct outbox_msg *m,
    struct mail *mail, const char **err)
{
	mail->from_name = c->site_name;
	mail->from = c->mail_from;
	mail->to = m->recipient;
	mail->date = clock_now();
	mail->id = m->id;
	mail->created_at = m->created_at;
	return mail_build(a, mail, err);
}

enum db_rc outbox_counts(struct db *db, int64_t counts[OUTBOX__MAX])
{
	sqlite3_stmt *st = db_stmt(db, STMT_OUTBOX_COUNTS);
	int step, i;

	memset(counts, 0, OUTBOX__MAX * sizeof(counts[0]));
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((i = db_enum(st, 0, state_names, OUTBOX__MAX, -1)) >= 0)
			counts[i] = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return db_rc_of(db, step, "counting messages");
}

enum db_rc outbox_dead_list(struct db *db, struct arena *a, struct outbox_dead **list,
    int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_OUTBOX_DEAD);
	struct outbox_dead *d;
	int step;

	*n = 0;
	*list = arena_alloc(a, OUTBOX_DEAD_LIST_MAX * sizeof(**list));
	sqlite3_bind_int(st, 1, OUTBOX_DEAD_LIST_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		d = &(*list)[(*n)++];
		d->id = sqlite3_column_int64(st, 0);
		d->kind = db_text(a, st, 1);
		d->recipient = db_text(a, st, 2);
		d->attempts = sqlite3_column_int(st, 3);
		d->error = db_text(a, st, 4);
		d->created_at = sqlite3_column_int64(st, 5);
		d->event_slug = db_text(a, st, 6);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing dead messages");
}

/* Apply admin statement s to dead letter id (0: all) in one transaction. */
static enum db_rc admin_change(struct db *db, enum stmt s, int64_t id, int *n)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	*n = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, s);
	sqlite3_bind_int64(st, 1, id);
	if (s == STMT_OUTBOX_RETRY)
		sqlite3_bind_int64(st, 2, clock_now());
	if ((rc = db_step_done(db, st, "changing dead messages")) == DB_OK &&
	    (*n = db_changes(db)) == 0)
		rc = DB_NOTFOUND;
	return db_end(db, rc);
}

enum db_rc outbox_retry(struct db *db, int64_t id, int *n)
{
	return admin_change(db, STMT_OUTBOX_RETRY, id, n);
}

enum db_rc outbox_discard(struct db *db, int64_t id, int *n)
{
	return admin_change(db, STMT_OUTBOX_DISCARD, id, n);
}
