#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "clock.h"
#include "outbox.h"
#include "potluck.h"
#include "rsvp.h"
#include "score.h"
#include "token.h"
#include "waitlist.h"

const char *const rsvp_status_names[RSVP_STATUS__MAX] = {
	[RSVP_CONFIRMED] = "confirmed",
	[RSVP_WAITLISTED] = "waitlisted",
	[RSVP_CANCELLED] = "cancelled",
};

const char *rsvp_status_name(enum rsvp_status s)
{
	return rsvp_status_names[s];
}

const char *rsvp_party_text(struct arena *a, int guests)
{
	return guests == 0 ? "1 (you)" : arena_printf(a, "%d (you + %d guest%s)", 1 + guests,
	    guests, guests == 1 ? "" : "s");
}

const char *rsvp_ahead_text(struct arena *a, int position)
{
	return position <= 1 ? "nobody is ahead of you" : position == 2 ?
	    "1 party ahead of you" : arena_printf(a, "%d parties ahead of you", position - 1);
}

/* Start a change with the shared skeleton (change.h); out is cleared. */
static enum db_rc begin_change(struct db *db, const char *form_token,
    struct rsvp_outcome *out, int64_t *mark)
{
	memset(out, 0, sizeof(*out));
	return change_begin(db, form_token, &out->replayed, mark);
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

/* 1 if rc refuses one item of a batch (the others go on), not the batch. */
static int item_refused(enum db_rc rc)
{
	return rc == DB_NOTFOUND || rc == DB_CONFLICT || rc == DB_FULL || rc == DB_CLOSED ||
	    rc == DB_INVALID;
}

/*
 * Insert the RSVP in for event_id inside the caller's transaction: the
 * party is confirmed if it fits in the spots left, else waitlisted.
 * out->status and out->spots_left are set; see rsvp_create() for the rcs.
 */
static enum db_rc create_in(struct db *db, struct arena *a, int64_t event_id,
    const struct rsvp_input *in, const char *manage_token, struct rsvp_outcome *out)
{
	unsigned char hash[TOKEN_HASH_LEN];
	int64_t now = clock_now(), spots = 1 + in->guests, id;
	sqlite3_stmt *st;
	struct event e;
	enum db_rc rc;

	if ((rc = event_get_by_id(db, a, event_id, &e)) != DB_OK)
		return rc;
	out->spots_left = e.spots_left;
	/* A drop takes holds, never RSVPs. */
	if (e.kind == EVENT_DROP ||
	    (in->actor != NULL ? e.status == EVENT_CANCELLED : !event_rsvp_open(&e, now)))
		return DB_CLOSED;
	if (in->guests < 0 || in->guests > e.max_guests)
		return DB_INVALID;
	if (email_taken(db, e.id, in->email))
		return DB_CONFLICT;
	if (e.capacity >= 0 && spots > e.capacity)
		return DB_FULL;
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
	sqlite3_bind_text(st, 7, rsvp_status_names[out->status], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	rc = db_rc_of(db, sqlite3_step(st), "creating an RSVP");
	sqlite3_reset(st);
	if (rc != DB_OK)
		return rc;
	id = db_last_id(db);
	/* A competition's RSVP is an entry too (nothing for other events). */
	if ((rc = score_enter(db, a, e.id, id, in->name, in->display_name,
	    in->division_id)) != DB_OK)
		return rc;
	if (in->npledges > 0 &&
	    (rc = potluck_apply(db, a, id, e.id, in->pledges, in->npledges, out)) != DB_OK)
		return rc;
	/* The insert trigger enqueued the sign-up e-mail; only C knows its link. */
	return outbox_link(db, id, manage_token);
}

enum db_rc rsvp_create(struct db *db, struct arena *a, const char *slug,
    const struct rsvp_input *in, const char *form_token, const char *manage_token,
    struct rsvp_outcome *out)
{
	int64_t mark = 0;
	struct event e;
	enum db_rc rc;

	if ((rc = begin_change(db, form_token, out, &mark)) != DB_OK)
		return rc;
	if (!out->replayed && (rc = event_get(db, a, slug, &e)) == DB_OK)
		rc = create_in(db, a, e.id, in, manage_token, out);
	return change_end(db, rc, in->actor, mark);
}

enum db_rc rsvp_bulk_add(struct db *db, struct arena *a, const char *slug,
    struct rsvp_bulk_line *lines, int n, const char *actor, const char *form_token,
    int *replayed)
{
	char manage[TOKEN_MANAGE_HEX + 1];
	struct rsvp_outcome out;
	int64_t mark = 0;
	struct event e;
	enum db_rc rc;
	int i;

	if ((rc = begin_change(db, form_token, &out, &mark)) != DB_OK)
		return rc;
	*replayed = out.replayed;
	if (out.replayed || (rc = event_get(db, a, slug, &e)) != DB_OK)
		goto done;
	for (i = 0; i < n && rc == DB_OK; i++) {
		lines[i].in.actor = actor;
		/* Each line's link comes from the list's token and its place in it. */
		token_manage_of(arena_printf(a, "%s:%d", form_token, i), manage);
		lines[i].rc = create_in(db, a, e.id, &lines[i].in, manage, &out);
		lines[i].status = out.status;
		if (!item_refused(lines[i].rc))
			rc = lines[i].rc;
	}
done:
	return change_end(db, rc, actor, mark);
}

/* Which RSVP a change is about, and who makes it. */
struct rsvp_ref {
	const char *manage_token;	/* the visitor's link; NULL: an admin's change */
	int64_t event_id, id;		/* an admin's: the RSVP id at this event */
	const char *actor;		/* the admin's name; NULL: the visitor */
};

/* Read the RSVP ref names into r (no waitlist position). */
static enum db_rc read_rsvp(struct db *db, struct arena *a, const struct rsvp_ref *ref,
    struct rsvp *r)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st;
	enum db_rc rc;
	int step;

	if (ref->manage_token != NULL) {
		st = db_stmt(db, STMT_RSVP_BY_TOKEN);
		token_hash(ref->manage_token, hash);
		sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	} else {
		st = db_stmt(db, STMT_RSVP_BY_ID);
		sqlite3_bind_int64(st, 1, ref->id);
		sqlite3_bind_int64(st, 2, ref->event_id);
	}
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		db_read_rsvp(a, st, r);
		rc = DB_OK;
	} else {
		rc = step == SQLITE_DONE ? DB_NOTFOUND : db_rc_of(db, step, "reading an RSVP");
	}
	sqlite3_reset(st);
	return rc;
}

enum db_rc rsvp_find(struct db *db, struct arena *a, const char *manage_token,
    struct rsvp *r, struct event *e)
{
	struct rsvp_ref ref = { .manage_token = manage_token };
	enum db_rc rc;

	if ((rc = read_rsvp(db, a, &ref, r)) != DB_OK)
		return rc;
	return event_get_by_id(db, a, r->event_id, e);
}

enum db_rc rsvp_get(struct db *db, struct arena *a, const char *manage_token,
    struct rsvp *r, struct event *e)
{
	enum db_rc rc;

	if ((rc = rsvp_find(db, a, manage_token, r, e)) != DB_OK)
		return rc;
	if (r->status == RSVP_WAITLISTED)
		rc = waitlist_position(db, r->event_id, r->id, &r->position, &r->spots_ahead);
	return rc;
}

/*
 * Load the RSVP and its event for a change; DB_CLOSED if too late for the
 * visitor to change it (admins decide per action).
 */
static enum db_rc load_for_change(struct db *db, struct arena *a,
    const struct rsvp_ref *ref, struct rsvp *r, struct event *e)
{
	enum db_rc rc;

	if ((rc = read_rsvp(db, a, ref, r)) != DB_OK ||
	    (rc = event_get_by_id(db, a, r->event_id, e)) != DB_OK)
		return rc;
	if (ref->actor == NULL && (r->status == RSVP_CANCELLED || clock_now() >= e->starts_at))
		return DB_CLOSED;
	return DB_OK;
}

/*
 * Apply one change inside the transaction: load the RSVP and its event,
 * apply, promote the waitlist into any room it made; out->status after.
 */
static enum db_rc change_in(struct db *db, struct arena *a, const struct rsvp_ref *ref,
    rsvp_change_fn apply, const void *arg, struct rsvp_outcome *out)
{
	struct event e;
	struct rsvp r;
	enum db_rc rc;

	if ((rc = load_for_change(db, a, ref, &r, &e)) != DB_OK)
		return rc;
	out->status = r.status;
	out->spots_left = e.spots_left;
	if ((rc = apply(db, a, &r, &e, arg, out)) == DB_OK &&
	    (rc = waitlist_promote(db, a, r.event_id)) == DB_OK &&
	    (rc = read_rsvp(db, a, ref, &r)) == DB_OK)
		out->status = r.status;
	return rc;
}

/*
 * The transaction every change to an existing RSVP runs in: claim the
 * form token, apply the change with change_in(), name the actor in the
 * log, commit - or roll all of it back.
 */
static enum db_rc change_rsvp(struct db *db, struct arena *a, const struct rsvp_ref *ref,
    const char *form_token, rsvp_change_fn apply, const void *arg,
    struct rsvp_outcome *out)
{
	int64_t mark = 0;
	enum db_rc rc;

	if ((rc = begin_change(db, form_token, out, &mark)) != DB_OK)
		return rc;
	if (!out->replayed)
		rc = change_in(db, a, ref, apply, arg, out);
	return change_end(db, rc, ref->actor, mark);
}

enum db_rc rsvp_change(struct db *db, struct arena *a, const char *manage_token,
    const char *form_token, rsvp_change_fn apply, const void *arg,
    struct rsvp_outcome *out)
{
	struct rsvp_ref ref = { .manage_token = manage_token };

	return change_rsvp(db, a, &ref, form_token, apply, arg, out);
}

struct update {
	int guests;
	const char *note;
};

static enum db_rc apply_update(struct db *db, struct arena *a, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	(void)a;
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

enum db_rc rsvp_update(struct db *db, struct arena *a, const char *manage_token, int guests,
    const char *note, const char *form_token, struct rsvp_outcome *out)
{
	struct rsvp_ref ref = { .manage_token = manage_token };
	struct update u = { guests, note };

	return change_rsvp(db, a, &ref, form_token, apply_update, &u, out);
}

/* Give r the status s (the triggers count and log it). */
static enum db_rc set_status(struct db *db, const struct rsvp *r, enum rsvp_status s)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RSVP_SET_STATUS);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, rsvp_status_names[s], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_now());
	rc = db_rc_of(db, sqlite3_step(st), "changing an RSVP's status");
	sqlite3_reset(st);
	return rc;
}

static enum db_rc apply_cancel(struct db *db, struct arena *a, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	(void)a;
	(void)e;
	(void)arg;
	(void)out;
	/* The rsvp_cancel_releases_pledges trigger drops its pledges too. */
	return r->status == RSVP_CANCELLED ? DB_OK : set_status(db, r, RSVP_CANCELLED);
}

enum db_rc rsvp_cancel(struct db *db, struct arena *a, const char *manage_token,
    const char *form_token, struct rsvp_outcome *out)
{
	struct rsvp_ref ref = { .manage_token = manage_token };

	return change_rsvp(db, a, &ref, form_token, apply_cancel, NULL, out);
}

/* An organiser's cancel: arg is their message to the person, or NULL. */
static enum db_rc apply_admin_cancel(struct db *db, struct arena *a, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	enum db_rc rc;

	if (r->status == RSVP_CANCELLED)
		return DB_OK;
	if ((rc = apply_cancel(db, a, r, e, NULL, out)) != DB_OK)
		return rc;
	return outbox_by_organiser(db, r->id, arg);
}

/* Manual promotion: a waitlisted party out of turn, if it fits. */
static enum db_rc apply_promote(struct db *db, struct arena *a, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	enum db_rc rc;

	(void)a;
	(void)arg;
	(void)out;
	if (r->status == RSVP_CONFIRMED)
		return DB_OK;
	if (r->status != RSVP_WAITLISTED)
		return DB_CLOSED;
	if (e->capacity >= 0 && 1 + r->guests > e->spots_left)
		return DB_FULL;
	if ((rc = set_status(db, r, RSVP_CONFIRMED)) != DB_OK)
		return rc;
	return outbox_promoted_link(db, r->id);
}

/* Check in (arg non-NULL) or undo it; only confirmed parties come in. */
static enum db_rc apply_check_in(struct db *db, struct arena *a, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	(void)a;
	sqlite3_stmt *st;
	enum db_rc rc;

	(void)e;
	(void)out;
	if ((arg != NULL) == (r->checked_in_at != 0))
		return DB_OK;	/* already so: keep the first time */
	if (arg != NULL && r->status != RSVP_CONFIRMED)
		return DB_CLOSED;
	st = db_stmt(db, STMT_RSVP_CHECK_IN);
	sqlite3_bind_int64(st, 1, r->id);
	if (arg != NULL)
		sqlite3_bind_int64(st, 2, clock_now());
	sqlite3_bind_int64(st, 3, clock_now());
	rc = db_rc_of(db, sqlite3_step(st), "checking in");
	sqlite3_reset(st);
	return rc;
}

/* What each admin action applies. */
static const struct {
	rsvp_change_fn apply;
	const char *arg;
} admin_acts[] = {
	[RSVP_CHECK_IN] = { apply_check_in, "in" },
	[RSVP_UNDO_CHECK_IN] = { apply_check_in, NULL },
	[RSVP_ADMIN_CANCEL] = { apply_admin_cancel, NULL },
	[RSVP_PROMOTE] = { apply_promote, NULL },
};

enum db_rc rsvp_admin_act(struct db *db, struct arena *a, int64_t event_id, int64_t rsvp_id,
    enum rsvp_admin_action action, const char *actor, struct rsvp_outcome *out)
{
	struct rsvp_ref ref = { .event_id = event_id, .id = rsvp_id, .actor = actor };

	return change_rsvp(db, a, &ref, NULL, admin_acts[action].apply,
	    admin_acts[action].arg, out);
}

enum db_rc rsvp_admin_cancel(struct db *db, struct arena *a, int64_t event_id,
    int64_t rsvp_id, const char *actor, const char *message, struct rsvp_outcome *out)
{
	struct rsvp_ref ref = { .event_id = event_id, .id = rsvp_id, .actor = actor };

	return change_rsvp(db, a, &ref, NULL, apply_admin_cancel, message, out);
}

enum db_rc rsvp_admin_get(struct db *db, struct arena *a, int64_t event_id, int64_t rsvp_id,
    struct rsvp *r)
{
	struct rsvp_ref ref = { .event_id = event_id, .id = rsvp_id };

	return read_rsvp(db, a, &ref, r);
}

static int by_id(const void *x, const void *y)
{
	const struct rsvp_bulk_pick *p = x, *q = y;

	return p->id < q->id ? -1 : p->id > q->id;
}

enum db_rc rsvp_admin_bulk(struct db *db, struct arena *a, int64_t event_id,
    struct rsvp_bulk_pick *picks, int n, enum rsvp_admin_action action, const char *actor)
{
	struct rsvp_ref ref = { .event_id = event_id, .actor = actor };
	struct rsvp_outcome out;
	int64_t mark = 0;
	enum db_rc rc;
	int i;

	/* Ids are the arrival order: queue order. */
	qsort(picks, (size_t)n, sizeof(*picks), by_id);
	if ((rc = begin_change(db, NULL, &out, &mark)) != DB_OK)
		return rc;
	for (i = 0; i < n && rc == DB_OK; i++) {
		ref.id = picks[i].id;
		picks[i].rc = change_in(db, a, &ref, admin_acts[action].apply,
		    admin_acts[action].arg, &out);
		if (!item_refused(picks[i].rc))
			rc = picks[i].rc;
	}
	return change_end(db, rc, actor, mark);
}

/* Up to max rows of statement s (bound as STMT_RSVP_ADMIN_SEARCH) into list + *n. */
static enum db_rc page_rows(struct db *db, struct arena *a, enum stmt s, int64_t event_id,
    enum rsvp_status status, int64_t after, const char *pattern, const char *phrase,
    int max, struct rsvp *list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, s);
	int step;

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_text(st, 2, rsvp_status_name(status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, after);
	if (pattern != NULL)
		sqlite3_bind_text(st, 4, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, max);
	if (phrase != NULL)
		sqlite3_bind_text(st, 6, phrase, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		db_read_rsvp(a, st, &list[(*n)++]);
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing RSVPs");
}

/*
 * Up to max rows of one status from *cursor into list + *n; the rows
 * read of the waitlist get their positions (counting the parties between
 * two hits of a search in the index).
 */
static enum db_rc page_part(struct db *db, struct arena *a, int64_t event_id,
    const char *pattern, const char *phrase, struct rsvp_cursor *cursor, int max,
    struct rsvp *list, int *n)
{
	int64_t ahead, spots, prev = cursor->after;
	int first = *n, i;
	enum db_rc rc;

	rc = page_rows(db, a, phrase != NULL ? STMT_RSVP_ADMIN_SEARCH : STMT_RSVP_ADMIN_LIST,
	    event_id, cursor->status, cursor->after, pattern, phrase, max, list, n);
	/*
	 * Then the RSVPs still queued for the index. Each is newer than every
	 * indexed one (a new row's id is one past the largest, and the queue
	 * is indexed oldest first), so they follow the index's hits in order.
	 */
	if (rc == DB_OK && phrase != NULL && *n - first < max)
		rc = page_rows(db, a, STMT_RSVP_ADMIN_SEARCH_TODO, event_id, cursor->status,
		    *n > first ? list[*n - 1].id : cursor->after, pattern, NULL,
		    max - (*n - first), list, n);
	if (rc != DB_OK)
		return rc;
	for (i = first; i < *n && cursor->status == RSVP_WAITLISTED && rc == DB_OK; i++) {
		ahead = 0;
		if (cursor->position < 0 || pattern != NULL)
			rc = waitlist_between(db, event_id, cursor->position < 0 ? 0 : prev,
			    list[i].id, &ahead, &spots);
		list[i].position = cursor->position = (cursor->position < 0 ? 0 :
		    cursor->position) + (int)ahead + 1;
		prev = list[i].id;
	}
	if (*n > first)
		cursor->after = list[*n - 1].id;
	return rc;
}

enum db_rc rsvp_admin_page(struct db *db, struct arena *a, int64_t event_id,
    const char *search, struct rsvp_cursor *cursor, int max, struct rsvp **list, int *n,
    int *more)
{
	const char *pattern = db_like_pattern(a, search);
	/* A search of a trigram or more finds its hits in rsvp_search. */
	const char *phrase = db_trigram_phrase(a, search);
	enum db_rc rc = DB_OK;
	struct rsvp *last;
	int want = max + 1;	/* one more row: are there more pages? */

	*n = 0;
	*more = 0;
	*list = arena_alloc(a, (size_t)want * sizeof(**list));
	if (cursor->status == RSVP_CONFIRMED) {
		rc = page_part(db, a, event_id, pattern, phrase, cursor, want, *list, n);
		if (rc == DB_OK && *n < want)
			*cursor = (struct rsvp_cursor){ RSVP_WAITLISTED, 0, 0 };
	}
	if (rc == DB_OK && *n < want && cursor->status == RSVP_WAITLISTED)
		rc = page_part(db, a, event_id, pattern, phrase, cursor, want - *n, *list, n);
	if (rc == DB_OK && *n > max) {
		last = &(*list)[max - 1];
		*more = 1;
		*n = max;
		*cursor = (struct rsvp_cursor){ last->status, last->id, last->position };
	}
	return rc;
}

enum db_rc rsvp_admin_export(struct db *db, int64_t event_id,
    int (*fn)(void *arg, const struct rsvp *r), void *arg)
{
	struct rsvp_cursor cursor = { RSVP_CONFIRMED, 0, 0 };
	struct arena *a = arena_new();
	struct rsvp *list;
	enum db_rc rc;
	int n, more, i;

	/*
	 * One snapshot (a deferred read transaction, no write gate; in WAL mode
	 * it holds up no writer): positions stay right however long the
	 * reader takes.
	 */
	if ((rc = db_exec(db, "BEGIN")) != DB_OK)
		goto out;
	do {
		arena_reset(a);
		rc = rsvp_admin_page(db, a, event_id, NULL, &cursor, RSVP_ADMIN_PAGE, &list, &n,
		    &more);
		for (i = 0; i < n && rc == DB_OK; i++)
			if (fn(arg, &list[i]) != 0)
				rc = DB_ERROR;
	} while (rc == DB_OK && more);
	db_rollback(db);
out:
	arena_free(a);
	return rc;
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

/* Enqueue the "your link" e-mail of RSVP id with manage_token in it. */
static enum db_rc enqueue_link(struct db *db, int64_t id, const char *manage_token)
{
	sqlite3_stmt *st = db_stmt(db, STMT_OUTBOX_RESEND);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, manage_token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_now());
	return db_step_done(db, st, "enqueueing a link");
}

enum db_rc rsvp_resend(struct db *db, const char *slug, const char *email,
    const char *form_token, const char *manage_token, struct rsvp_outcome *out,
    int *queued)
{
	int64_t id, mark = 0;
	enum db_rc rc;
	int sent;

	*queued = 0;
	if ((rc = begin_change(db, form_token, out, &mark)) != DB_OK)
		return rc;
	if (out->replayed || (id = active_rsvp(db, slug, email)) == 0)
		return db_end(db, DB_OK);
	if (id < 0 || (sent = recent_resends(db, slug, email)) < 0)
		return db_end(db, DB_ERROR);
	if (sent >= OUTBOX_RESEND_PER_HOUR)
		return db_end(db, DB_OK);
	/* One more link: the one the person has keeps working. */
	if ((rc = outbox_rsvp_link(db, id, manage_token)) == DB_OK)
		rc = enqueue_link(db, id, manage_token);
	*queued = rc == DB_OK;
	return db_end(db, rc);
}

enum db_rc rsvp_replace_link(struct db *db, struct arena *a, const char *manage_token,
    const char *form_token, const char *new_token, struct rsvp_outcome *out)
{
	struct rsvp_ref ref = { .manage_token = manage_token };
	unsigned char hash[TOKEN_HASH_LEN];
	int64_t mark = 0;
	sqlite3_stmt *st;
	struct rsvp r;
	enum db_rc rc;

	if ((rc = begin_change(db, form_token, out, &mark)) != DB_OK)
		return rc;
	if (out->replayed)
		return db_end(db, DB_OK);
	if ((rc = read_rsvp(db, a, &ref, &r)) != DB_OK)
		return db_end(db, rc);
	st = db_stmt(db, STMT_RSVP_LINKS_DROP);
	sqlite3_bind_int64(st, 1, r.id);
	if ((rc = db_step_done(db, st, "dropping manage links")) != DB_OK)
		return db_end(db, rc);
	token_hash(new_token, hash);
	st = db_stmt(db, STMT_RSVP_SET_TOKEN);
	sqlite3_bind_int64(st, 1, r.id);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	if ((rc = db_step_done(db, st, "replacing a manage link")) != DB_OK)
		return db_end(db, rc);
	return db_end(db, enqueue_link(db, r.id, new_token));
}

enum db_rc rsvp_door(struct db *db, struct arena *a, int64_t event_id, const char *search,
    struct rsvp_door *d)
{
	const char *pattern = db_like_pattern(a, search);
	sqlite3_stmt *st = db_stmt(db, STMT_RSVP_DOOR);
	int step;

	memset(d, 0, sizeof(*d));
	d->list = arena_alloc(a, (RSVP_DOOR_MAX + 1) * sizeof(*d->list));
	sqlite3_bind_int64(st, 1, event_id);
	if (pattern != NULL)
		sqlite3_bind_text(st, 2, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, RSVP_DOOR_MAX + 1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && d->n < RSVP_DOOR_MAX)
		db_read_rsvp(a, st, &d->list[d->n++]);
	d->more = step == SQLITE_ROW;
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_rc_of(db, step, "reading the door list");
	st = db_stmt(db, STMT_RSVP_DOOR_COUNTS);
	sqlite3_bind_int64(st, 1, event_id);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		d->confirmed = sqlite3_column_int64(st, 0);
		d->checked_in = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "counting check-ins");
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
		r->name = db_text(a, st, 0);
		r->guests = sqlite3_column_int(st, 1);
		r->status = (enum rsvp_status)db_enum(st, 2, rsvp_status_names,
		    RSVP_STATUS__MAX, RSVP_CANCELLED);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading recent sign-ups");
}
