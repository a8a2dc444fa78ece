#include <string.h>

#include "clock.h"
#include "idem.h"
#include "outbox.h"
#include "potluck.h"
#include "rsvp.h"
#include "token.h"
#include "waitlist.h"

static const char *const status_names[] = {
	[RSVP_CONFIRMED] = "confirmed",
	[RSVP_WAITLISTED] = "waitlisted",
	[RSVP_CANCELLED] = "cancelled",
};

const char *rsvp_status_name(enum rsvp_status s)
{
	return status_names[s];
}

static enum rsvp_status status_of(const unsigned char *s)
{
	int i;

	for (i = 0; i < (int)(sizeof(status_names) / sizeof(status_names[0])); i++)
		if (s != NULL && strcmp((const char *)s, status_names[i]) == 0)
			return (enum rsvp_status)i;
	return RSVP_CANCELLED;
}

static const char *text(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return arena_strdup(a, t != NULL ? (const char *)t : "");
}

/* Start a change: BEGIN IMMEDIATE and claim the form token. */
static enum db_rc begin_change(struct db *db, const char *form_token,
    struct rsvp_outcome *out)
{
	enum db_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = idem_claim(db, form_token, &out->replayed)) != DB_OK)
		db_rollback(db);
	return rc;
}

static int email_taken(struct db *db, int64_t event_id, const char *email)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RSVP_EMAIL_TAKEN);
	int taken;

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	taken = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return taken;
}

enum db_rc rsvp_create(struct db *db, const char *slug, const struct rsvp_input *in,
    const char *form_token, const char *manage_token, struct rsvp_outcome *out)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct arena *a = arena_new();
	int64_t now = clock_now(), spots = 1 + in->guests, id;
	sqlite3_stmt *st;
	struct event e;
	enum db_rc rc;

	if ((rc = begin_change(db, form_token, out)) != DB_OK)
		goto free;
	if (out->replayed || (rc = event_get(db, a, slug, &e)) != DB_OK)
		goto done;
	out->spots_left = e.spots_left;
	if (!event_rsvp_open(&e, now))
		rc = DB_CLOSED;
	else if (in->guests < 0 || in->guests > e.max_guests)
		rc = DB_INVALID;
	else if (email_taken(db, e.id, in->email))
		rc = DB_CONFLICT;
	else if (e.capacity >= 0 && spots > e.capacity)
		rc = DB_FULL;
	if (rc != DB_OK)
		goto done;
	/* The waitlist ahead holds only parties too big for the spots left. */
	out->status = e.capacity < 0 || spots <= e.spots_left ? RSVP_CONFIRMED :
	    RSVP_WAITLISTED;
	token_hash(manage_token, hash);
	st = db_stmt(db, STMT_RSVP_INSERT);
	sqlite3_bind_int64(st, 1, e.id);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, in->email, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, in->guests);
	sqlite3_bind_text(st, 6, in->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, status_names[out->status], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	rc = db_rc_of(db, sqlite3_step(st), "creating an RSVP");
	sqlite3_reset(st);
	if (rc != DB_OK)
		goto done;
	id = sqlite3_last_insert_rowid(db->conn);
	if (in->npledges > 0)
		rc = potluck_apply(db, id, e.id, in->pledges, in->npledges, out);
	/* The insert trigger enqueued the sign-up e-mail; only C knows its link. */
	if (rc == DB_OK)
		rc = outbox_link(db, id, manage_token);
done:
	rc = db_end(db, rc);
free:
	arena_free(a);
	return rc;
}

/* Read the RSVP behind manage_token into r (no waitlist position). */
static enum db_rc read_rsvp(struct db *db, struct arena *a, const char *manage_token,
    struct rsvp *r)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st = db_stmt(db, STMT_RSVP_BY_TOKEN);
	enum db_rc rc;
	int step;

	memset(r, 0, sizeof(*r));
	token_hash(manage_token, hash);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		r->event_id = sqlite3_column_int64(st, 1);
		r->name = text(a, st, 2);
		r->email = text(a, st, 3);
		r->guests = sqlite3_column_int(st, 4);
		r->note = text(a, st, 5);
		r->status = status_of(sqlite3_column_text(st, 6));
		r->created_at = sqlite3_column_int64(st, 7);
		rc = DB_OK;
	} else {
		rc = step == SQLITE_DONE ? DB_NOTFOUND : db_rc_of(db, step, "reading an RSVP");
	}
	sqlite3_reset(st);
	return rc;
}

enum db_rc rsvp_get(struct db *db, struct arena *a, const char *manage_token,
    struct rsvp *r, struct event *e)
{
	enum db_rc rc;

	if ((rc = read_rsvp(db, a, manage_token, r)) != DB_OK ||
	    (rc = event_get_by_id(db, a, r->event_id, e)) != DB_OK)
		return rc;
	if (r->status == RSVP_WAITLISTED)
		rc = waitlist_position(db, r->event_id, r->id, &r->position, &r->spots_ahead);
	return rc;
}

/* Load the RSVP and its event for a change; DB_CLOSED if too late to change. */
static enum db_rc load_for_change(struct db *db, struct arena *a,
    const char *manage_token, struct rsvp *r, struct event *e)
{
	enum db_rc rc;

	if ((rc = read_rsvp(db, a, manage_token, r)) != DB_OK ||
	    (rc = event_get_by_id(db, a, r->event_id, e)) != DB_OK)
		return rc;
	if (r->status == RSVP_CANCELLED || clock_now() >= e->starts_at)
		return DB_CLOSED;
	return DB_OK;
}

enum db_rc rsvp_change(struct db *db, const char *manage_token,
    const char *form_token, rsvp_change_fn apply, const void *arg,
    struct rsvp_outcome *out)
{
	struct arena *a = arena_new();
	struct event e;
	struct rsvp r;
	enum db_rc rc;

	if ((rc = begin_change(db, form_token, out)) != DB_OK)
		goto free;
	if (out->replayed || (rc = load_for_change(db, a, manage_token, &r, &e)) != DB_OK)
		goto done;
	out->status = r.status;
	out->spots_left = e.spots_left;
	if ((rc = apply(db, &r, &e, arg, out)) == DB_OK &&
	    (rc = waitlist_promote(db, r.event_id)) == DB_OK &&
	    (rc = read_rsvp(db, a, manage_token, &r)) == DB_OK)
		out->status = r.status;
done:
	rc = db_end(db, rc);
free:
	arena_free(a);
	return rc;
}

struct update {
	int guests;
	const char *note;
};

static enum db_rc apply_update(struct db *db, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	const struct update *u = arg;
	sqlite3_stmt *st;
	enum db_rc rc;

	(void)out;
	if (u->guests < 0 || u->guests > e->max_guests)
		return DB_INVALID;
	if (u->guests > r->guests && !event_rsvp_open(e, clock_now()))
		return DB_CLOSED;
	if (u->guests > r->guests && e->capacity >= 0 &&
	    (r->status == RSVP_CONFIRMED ? u->guests - r->guests > e->spots_left :
	    1 + u->guests > e->capacity))
		return DB_FULL;
	st = db_stmt(db, STMT_RSVP_UPDATE);
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int(st, 2, u->guests);
	sqlite3_bind_text(st, 3, u->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, clock_now());
	rc = db_rc_of(db, sqlite3_step(st), "updating an RSVP");
	sqlite3_reset(st);
	return rc;
}

enum db_rc rsvp_update(struct db *db, const char *manage_token, int guests,
    const char *note, const char *form_token, struct rsvp_outcome *out)
{
	struct update u = { guests, note };

	return rsvp_change(db, manage_token, form_token, apply_update, &u, out);
}

static enum db_rc apply_cancel(struct db *db, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RSVP_SET_STATUS);
	enum db_rc rc;

	(void)e;
	(void)arg;
	(void)out;
	/* The rsvp_cancel_releases_pledges trigger drops its pledges too. */
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, status_names[RSVP_CANCELLED], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_now());
	rc = db_rc_of(db, sqlite3_step(st), "cancelling an RSVP");
	sqlite3_reset(st);
	return rc;
}

enum db_rc rsvp_cancel(struct db *db, const char *manage_token,
    const char *form_token, struct rsvp_outcome *out)
{
	return rsvp_change(db, manage_token, form_token, apply_cancel, NULL, out);
}

/* The id of the active RSVP of email at slug: 0 if none, -1 on error. */
static int64_t active_rsvp(struct db *db, const char *slug, const char *email)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RSVP_ACTIVE_BY_EMAIL);
	int64_t id = 0;
	int step;

	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (db_rc_of(db, step, "finding an RSVP") != DB_OK)
		id = -1;
	sqlite3_reset(st);
	return id;
}

/* Resends to email at slug within the last hour; -1 on error. */
static int recent_resends(struct db *db, const char *slug, const char *email)
{
	sqlite3_stmt *st = db_stmt(db, STMT_OUTBOX_RESENDS_SINCE);
	int n = -1, step;

	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_now() - 3600);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else
		db_rc_of(db, step, "counting resends");
	sqlite3_reset(st);
	return n;
}

enum db_rc rsvp_resend(struct db *db, const char *slug, const char *email,
    const char *form_token, const char *manage_token, struct rsvp_outcome *out,
    int *queued)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st;
	enum db_rc rc;
	int64_t id;
	int sent;

	*queued = 0;
	if ((rc = begin_change(db, form_token, out)) != DB_OK)
		return rc;
	if (out->replayed || (id = active_rsvp(db, slug, email)) == 0)
		return db_end(db, DB_OK);
	if (id < 0 || (sent = recent_resends(db, slug, email)) < 0)
		return db_end(db, DB_ERROR);
	if (sent >= OUTBOX_RESEND_PER_HOUR)
		return db_end(db, DB_OK);
	token_hash(manage_token, hash);
	st = db_stmt(db, STMT_RSVP_SET_TOKEN);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	rc = db_rc_of(db, sqlite3_step(st), "changing a manage link");
	sqlite3_reset(st);
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_OUTBOX_RESEND);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, manage_token, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, clock_now());
		rc = db_rc_of(db, sqlite3_step(st), "enqueueing a link");
		sqlite3_reset(st);
	}
	*queued = rc == DB_OK;
	return db_end(db, rc);
}

enum db_rc rsvp_recent(struct db *db, struct arena *a, int64_t event_id,
    struct rsvp **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RSVP_RECENT);
	int step = SQLITE_DONE;

	*n = 0;
	*list = arena_alloc(a, RSVP_RECENT_MAX * sizeof(**list));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, RSVP_RECENT_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct rsvp *r = &(*list)[(*n)++];

		memset(r, 0, sizeof(*r));
		r->name = text(a, st, 0);
		r->guests = sqlite3_column_int(st, 1);
		r->status = status_of(sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading recent sign-ups");
}
