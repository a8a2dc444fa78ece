#include <string.h>

#include "clock.h"
#include "event.h"
#include "idem.h"
#include "waitlist.h"

static void bind_opt(sqlite3_stmt *st, int i, int64_t t, int64_t none);

const char *const event_status_names[EVENT_STATUS__MAX] = {
	[EVENT_DRAFT] = "draft",
	[EVENT_PUBLISHED] = "published",
	[EVENT_CANCELLED] = "cancelled",
};

const char *const event_kind_names[EVENT_KIND__MAX] = {
	[EVENT_RSVP] = "rsvp",
	[EVENT_DROP] = "drop",
};

const char *event_status_name(enum event_status s)
{
	return event_status_names[s];
}

int event_slug_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EVENT_SLUG_MAX || s[0] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int event_is_past(const struct event *e, int64_t now)
{
	return (e->ends_at != 0 ? e->ends_at : e->starts_at) < now;
}

/* The events statement s selects for time now, at most max, into *list. */
/* Up to max events of statement s, bound to now, max and (if any) ?3 after. */
static enum db_rc list(struct db *db, struct arena *a, enum stmt s, int64_t now, int max,
    int64_t after, struct event **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, s);
	int rc;

	*n = 0;
	*list = arena_alloc(a, (size_t)max * sizeof(**list));
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, max);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		db_read_event(a, st, &(*list)[(*n)++]);
	sqlite3_reset(st);
	return db_rc_of(db, rc, "listing events");
}

enum db_rc event_list_upcoming(struct db *db, struct arena *a, int64_t now,
    struct event **events, int *n)
{
	return list(db, a, STMT_EVENT_UPCOMING, now, EVENT_LIST_MAX, 0, events, n);
}

enum db_rc event_list_admin(struct db *db, struct arena *a, int64_t now,
    struct event **events, int *n)
{
	return list(db, a, STMT_EVENT_ADMIN_UPCOMING, now, EVENT_ADMIN_MAX, 0, events, n);
}

enum db_rc event_list_past(struct db *db, struct arena *a, int64_t now, int64_t before,
    struct event **events, int *n, int *more)
{
	/* One more than a page: are there older ones? */
	enum db_rc rc = list(db, a, STMT_EVENT_ADMIN_PAST, now, EVENT_ADMIN_PAST_PAGE + 1, before,
	    events, n);

	*more = *n > EVENT_ADMIN_PAST_PAGE;
	if (*more)
		*n = EVENT_ADMIN_PAST_PAGE;
	return rc;
}

int event_rsvp_open(const struct event *e, int64_t now)
{
	int64_t closes = e->rsvp_closes_at != 0 ? e->rsvp_closes_at : e->starts_at;

	return e->status == EVENT_PUBLISHED && now >= e->rsvp_opens_at && now < closes &&
	    now < e->starts_at;
}

/* Step a statement that selects one event; DB_NOTFOUND if none. */
static enum db_rc get_one(struct db *db, struct arena *a, sqlite3_stmt *st,
    struct event *e)
{
	enum db_rc rc;
	int step;

	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		db_read_event(a, st, e);
		rc = DB_OK;
	} else {
		rc = step == SQLITE_DONE ? DB_NOTFOUND : db_rc_of(db, step, "reading event");
	}
	sqlite3_reset(st);
	return rc;
}

enum db_rc event_get(struct db *db, struct arena *a, const char *slug,
    struct event *e)
{
	sqlite3_stmt *st = db_stmt(db, STMT_EVENT_BY_SLUG);

	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	return get_one(db, a, st, e);
}

enum db_rc event_get_by_id(struct db *db, struct arena *a, int64_t id, struct event *e)
{
	sqlite3_stmt *st = db_stmt(db, STMT_EVENT_BY_ID);

	sqlite3_bind_int64(st, 1, id);
	return get_one(db, a, st, e);
}

enum db_rc event_set_capacity(struct db *db, struct arena *a, const char *slug,
    int64_t capacity)
{
	sqlite3_stmt *st;
	struct event e;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		goto out;
	if ((rc = event_get(db, a, slug, &e)) != DB_OK)
		goto fail;
	st = db_stmt(db, STMT_EVENT_SET_CAPACITY);
	sqlite3_bind_int64(st, 1, e.id);
	bind_opt(st, 2, capacity, -1);
	sqlite3_bind_int64(st, 3, clock_now());
	rc = db_rc_of(db, sqlite3_step(st), "setting capacity");
	sqlite3_reset(st);
	if (rc != DB_OK || (rc = waitlist_promote(db, a, e.id)) != DB_OK)
		goto fail;
	rc = db_commit(db);
	goto out;
fail:
	db_rollback(db);
out:
	return rc;
}

/* Bind t as an integer, or NULL when it is "not given" (none). */
static void bind_opt(sqlite3_stmt *st, int i, int64_t t, int64_t none)
{
	if (t == none)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

/*
 * Bind e's editable fields as ?2-?12 and ?15, and now as ?13 (insert and
 * update alike; ?14 is the update's edit_version).
 */
static void bind_fields(sqlite3_stmt *st, const struct event *e)
{
	sqlite3_bind_text(st, 2, e->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->location, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, e->starts_at);
	bind_opt(st, 7, e->ends_at, 0);
	sqlite3_bind_text(st, 8, event_status_names[e->status], -1, SQLITE_STATIC);
	bind_opt(st, 9, e->capacity, -1);
	sqlite3_bind_int(st, 10, e->max_guests);
	bind_opt(st, 11, e->rsvp_opens_at, 0);
	bind_opt(st, 12, e->rsvp_closes_at, 0);
	sqlite3_bind_int64(st, 13, clock_now());
	sqlite3_bind_text(st, 15, e->contact != NULL ? e->contact : "", -1, SQLITE_STATIC);
}

enum db_rc event_create(struct db *db, const struct event *e)
{
	sqlite3_stmt *st = db_stmt(db, STMT_EVENT_INSERT);
	enum db_rc rc;

	bind_fields(st, e);
	rc = db_rc_of(db, sqlite3_step(st), "creating event");
	sqlite3_reset(st);
	return rc;
}

int event_same_fields(const struct event *a, const struct event *b)
{
	return strcmp(a->slug, b->slug) == 0 && strcmp(a->title, b->title) == 0 &&
	    strcmp(a->description, b->description) == 0 &&
	    strcmp(a->location, b->location) == 0 && a->starts_at == b->starts_at &&
	    a->ends_at == b->ends_at && a->status == b->status &&
	    a->capacity == b->capacity && a->max_guests == b->max_guests &&
	    a->rsvp_opens_at == b->rsvp_opens_at && a->rsvp_closes_at == b->rsvp_closes_at &&
	    strcmp(a->contact != NULL ? a->contact : "",
	    b->contact != NULL ? b->contact : "") == 0;
}

/* Apply the edit in inside the transaction; see event_save(). */
static enum db_rc save_in(struct db *db, struct arena *a, const char *slug,
    const struct event *in, const char *form_token, const char *actor, struct event *cur)
{
	sqlite3_stmt *st;
	struct event other;
	int64_t mark = 0;
	enum db_rc rc;
	int replayed;

	/* A repeated "create" finds its token used: the event is already there. */
	if (slug == NULL && ((rc = idem_claim(db, form_token, &replayed)) != DB_OK || replayed))
		return rc;
	if (slug != NULL && (rc = event_get(db, a, slug, cur)) != DB_OK)
		return rc;
	/* A double-clicked Save finds its own edit: nothing left to do. */
	if (slug != NULL && cur->edit_version != in->edit_version)
		return event_same_fields(in, cur) ? DB_OK : DB_CONFLICT;
	if ((slug == NULL || strcmp(slug, in->slug) != 0) &&
	    (rc = event_get(db, a, in->slug, &other)) != DB_NOTFOUND)
		return rc == DB_OK ? DB_INVALID : rc;
	if (slug == NULL)
		return event_create(db, in);
	if ((rc = db_log_mark(db, &mark)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_EVENT_UPDATE);
	sqlite3_bind_int64(st, 1, cur->id);
	bind_fields(st, in);
	sqlite3_bind_int64(st, 14, in->edit_version);
	rc = db_rc_of(db, sqlite3_step(st), "saving an event");
	sqlite3_reset(st);
	/* More room (a raised capacity) moves the waitlist up at once, in the admin's name. */
	if (rc != DB_OK || (rc = waitlist_promote(db, a, cur->id)) != DB_OK)
		return rc;
	return db_log_actor(db, actor, mark);
}

enum db_rc event_save(struct db *db, struct arena *a, const char *slug,
    const struct event *in, const char *form_token, const char *actor,
    struct event *current)
{
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	return db_end(db, save_in(db, a, slug, in, form_token, actor, current));
}
