#ifndef TURNOUT_EVENT_H
#define TURNOUT_EVENT_H

#include <stdint.h>

#include "arena.h"
#include "db.h"

#define EVENT_SLUG_MAX 64
#define EVENT_LIST_MAX 100
#define EVENT_ADMIN_MAX 200
#define EVENT_ADMIN_PAST_PAGE 10	/* past events on one page of the dashboard */

enum event_status { EVENT_DRAFT, EVENT_PUBLISHED, EVENT_CANCELLED, EVENT_STATUS__MAX };

/* Each status as the database stores it. */
extern const char *const event_status_names[EVENT_STATUS__MAX];

/* What a visitor does at the event: RSVP, or hold and claim at a drop (drop.h). */
enum event_kind { EVENT_RSVP, EVENT_DROP, EVENT_KIND__MAX };

/* Each kind as the database stores it. */
extern const char *const event_kind_names[EVENT_KIND__MAX];

/* An event as pages show it; strings live in the arena it was read into. */
struct event {
	int64_t id;
	const char *slug, *title, *description, *location;
	const char *contact;			/* the organiser's address for replies; "": none */
	int64_t starts_at, ends_at;		/* ends_at 0: not given */
	enum event_status status;
	enum event_kind kind;
	int64_t capacity;			/* -1: unlimited */
	int64_t confirmed, waitlisted;		/* spots (people), not parties */
	int64_t spots_left;			/* -1: unlimited; 0 when full */
	int max_guests;
	int64_t rsvp_opens_at, rsvp_closes_at;	/* 0: not given */
	int64_t version;			/* changes with every RSVP: ETag */
	int64_t edit_version;			/* changes with edits: the editor's lock */
	int items, items_needed;		/* event_list_admin() only: potluck items, */
						/* and those pledged short of suggested, */
	int64_t parties, checked_in;		/* confirmed parties, of them checked in */
};

/* 1 if s is a well-formed slug: 1-64 of [a-z0-9-], not starting with '-'. */
int event_slug_valid(const char *s);

/* "draft", "published" or "cancelled". */
const char *event_status_name(enum event_status s);

/* 1 if the event is over at time now. */
int event_is_past(const struct event *e, int64_t now);

/*
 * Published events not yet over at time now, soonest first, at most
 * EVENT_LIST_MAX. *list is allocated in a; *n receives the count.
 */
enum db_rc event_list_upcoming(struct db *db, struct arena *a, int64_t now,
    struct event **list, int *n);

/*
 * The events not over at time now for the admin dashboard, whatever their
 * status, soonest first; at most EVENT_ADMIN_MAX.
 */
enum db_rc event_list_admin(struct db *db, struct arena *a, int64_t now,
    struct event **list, int *n);

/*
 * A page of the events over at time now, whatever their status, latest
 * first, from those over before event `before` (0: from the latest): up to
 * EVENT_ADMIN_PAST_PAGE, *more set if there are older ones.
 */
enum db_rc event_list_past(struct db *db, struct arena *a, int64_t now, int64_t before,
    struct event **list, int *n, int *more);

/*
 * The event with this slug, whatever its status (callers decide what a
 * draft means to them). DB_NOTFOUND if there is none.
 */
enum db_rc event_get(struct db *db, struct arena *a, const char *slug,
    struct event *e);

/* 1 if RSVPs are accepted at time now (published, window open, not started). */
int event_rsvp_open(const struct event *e, int64_t now);

/* Read the event with this id inside the caller's transaction. */
enum db_rc event_get_by_id(struct db *db, struct arena *a, int64_t id, struct event *e);

/*
 * Set the capacity (-1: unlimited) in one transaction and promote the
 * waitlist into any room it makes. Lowering it below the confirmed count
 * is allowed: nobody loses a spot, the event is full until cancellations
 * bring it under. DB_NOTFOUND for an unknown slug.
 */
enum db_rc event_set_capacity(struct db *db, struct arena *a, const char *slug,
    int64_t capacity);

/*
 * Insert a new event (status, times and limits as in e; version 1).
 * DB_CONFLICT if the slug is taken or a field breaks a rule.
 */
enum db_rc event_create(struct db *db, const struct event *e);

/* 1 if a and b agree on every field an admin edits. */
int event_same_fields(const struct event *a, const struct event *b);

/*
 * Create (slug NULL; form_token makes it idempotent) or edit the event
 * `slug` from the fields of in, in one transaction, as the admin actor
 * (named in the log of any promotion it causes); an edit applies only if in->edit_version is still the
 * event's (optimistic lock), and a raised capacity promotes the waitlist
 * at once. Returns DB_OK (also when a repeated edit finds its own
 * changes already saved), DB_CONFLICT with the event as saved meanwhile
 * in *current (allocated in a), DB_INVALID if in->slug belongs to another
 * event, DB_NOTFOUND, DB_BUSY or DB_ERROR.
 */
enum db_rc event_save(struct db *db, struct arena *a, const char *slug,
    const struct event *in, const char *form_token, const char *actor,
    struct event *current);

#endif
