#ifndef TURNOUT_RSVP_H
#define TURNOUT_RSVP_H

#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "event.h"

#define RSVP_NAME_MAX 100	/* characters */
#define RSVP_EMAIL_MAX 254	/* bytes */
#define RSVP_NOTE_MAX 1000	/* characters */
#define RSVP_RECENT_MAX 10

enum rsvp_status { RSVP_CONFIRMED, RSVP_WAITLISTED, RSVP_CANCELLED, RSVP_STATUS__MAX };

/* Each status as the database stores it. */
extern const char *const rsvp_status_names[RSVP_STATUS__MAX];

#define RSVP_ADMIN_PAGE 200	/* rows of one participants page */

struct pledge_input;

/* A new RSVP as the visitor entered it (already validated for form). */
struct rsvp_input {
	const char *name, *email, *note;
	int guests;
	const struct pledge_input *pledges;	/* made with the RSVP (potluck.h) */
	int npledges;
	/*
	 * The admin adding it on someone's behalf (e.g. a phone call), for
	 * the log; NULL: the visitor. An admin may add outside the RSVP
	 * window and to a draft, never to a cancelled event.
	 */
	const char *actor;
	/*
	 * A competition's entry (score.h): the name on the leaderboard (NULL:
	 * the name) and the division chosen (0: none).
	 */
	const char *display_name;
	int64_t division_id;
};

/* An RSVP as its manage page shows it; strings live in an arena. */
struct rsvp {
	int64_t id, event_id, created_at;
	const char *name, *email, *note;
	int guests;
	enum rsvp_status status;
	int64_t checked_in_at;		/* 0: not checked in */
	int position;			/* waitlisted: 1 = next in line */
	int64_t spots_ahead;		/* waitlisted: spots of parties ahead */
};

/* What a change did. */
struct rsvp_outcome {
	int replayed;			/* form token used before: nothing changed */
	enum rsvp_status status;	/* the party's status afterwards */
	int64_t spots_left;		/* with DB_FULL: what is left (-1 unlimited) */
	int64_t item_id, item_left;	/* a refused pledge: its item, what is open */
};

/* "confirmed", "waitlisted" or "cancelled". */
const char *rsvp_status_name(enum rsvp_status s);

/* A party of 1 + guests as pages and e-mails say it: "1 (you)", "3 (you + 2 guests)"; in a. */
const char *rsvp_party_text(struct arena *a, int guests);

/*
 * A waitlisted party's place (position, from 1) as pages say it: "nobody
 * is ahead of you", "1 party ahead of you", "4 parties ahead of you"; in a.
 */
const char *rsvp_ahead_text(struct arena *a, int position);

/*
 * RSVP to the event `slug` in one transaction: the party (1 + guests) is
 * confirmed if it fits in the spots left, else waitlisted; never split.
 * form_token makes it idempotent; only the hash of manage_token (the
 * visitor's secret link) is stored. Returns DB_OK, DB_NOTFOUND (no such
 * event), DB_CLOSED (not published or outside the RSVP window),
 * DB_INVALID (more guests than allowed), DB_CONFLICT (an active RSVP for
 * this e-mail exists), DB_FULL (the party is larger than the capacity),
 * DB_BUSY or DB_ERROR. in->pledges are made in the same transaction: a
 * refused one (see potluck_apply(), out->item_id set) refuses the RSVP.
 */
enum db_rc rsvp_create(struct db *db, struct arena *a, const char *slug, const struct rsvp_input *in,
    const char *form_token, const char *manage_token, struct rsvp_outcome *out);

/*
 * The RSVP behind a manage token, with its event; DB_NOTFOUND if none.
 * rsvp_get also counts a waitlisted party's place (position, spots
 * ahead: an index count that grows with the queue ahead), rsvp_find
 * leaves them 0, for callers that do not show them.
 */
enum db_rc rsvp_get(struct db *db, struct arena *a, const char *manage_token,
    struct rsvp *r, struct event *e);
enum db_rc rsvp_find(struct db *db, struct arena *a, const char *manage_token,
    struct rsvp *r, struct event *e);

/*
 * Change the party size and note. More guests only while RSVPs are open
 * and, for a confirmed party, only if the extra spots fit (else DB_FULL
 * with out->spots_left); fewer guests free spots and promote the waitlist.
 * DB_CLOSED once cancelled or once the event has started.
 */
enum db_rc rsvp_update(struct db *db, struct arena *a, const char *manage_token, int guests,
    const char *note, const char *form_token, struct rsvp_outcome *out);


/* One change to an existing RSVP, applied inside rsvp_change(). */
typedef enum db_rc (*rsvp_change_fn)(struct db *db, struct arena *a, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out);

/*
 * The transaction every change to an existing RSVP runs in: claim the
 * form token, load the RSVP and its event (DB_CLOSED once it is cancelled
 * or the event has started), apply the change, promote the waitlist into
 * any room it made, commit - or roll all of it back.
 */
enum db_rc rsvp_change(struct db *db, struct arena *a, const char *manage_token,
    const char *form_token, rsvp_change_fn apply, const void *arg,
    struct rsvp_outcome *out);

/* Cancel and promote the waitlist; DB_CLOSED once the event has started. */
enum db_rc rsvp_cancel(struct db *db, struct arena *a, const char *manage_token,
    const char *form_token, struct rsvp_outcome *out);

/*
 * "E-mail me my link" for the active RSVP of `email` at event `slug`, in
 * one transaction: give the RSVP one more link, manage_token (only hashes
 * are stored, so an old link cannot be sent again; it keeps working), and
 * enqueue an e-mail with the new link to that address only. At most
 * OUTBOX_RESEND_PER_HOUR per address and event. The caller answers the
 * same whatever happened, so nobody learns whether an RSVP exists;
 * *queued (for tests) says if an e-mail was enqueued. form_token makes
 * it idempotent (out->replayed). Returns DB_OK, DB_BUSY or DB_ERROR.
 */
enum db_rc rsvp_resend(struct db *db, const char *slug, const char *email,
    const char *form_token, const char *manage_token, struct rsvp_outcome *out,
    int *queued);

/*
 * "Replace my link", for a link that got out: in one transaction, every
 * link of the RSVP behind manage_token stops working, new_token becomes
 * its only one, and an e-mail with it is enqueued. form_token makes it
 * idempotent (out->replayed). DB_OK, DB_NOTFOUND, DB_BUSY or DB_ERROR.
 */
enum db_rc rsvp_replace_link(struct db *db, struct arena *a, const char *manage_token,
    const char *form_token, const char *new_token, struct rsvp_outcome *out);

/* What an admin does to one RSVP from the participants page. */
enum rsvp_admin_action {
	RSVP_CHECK_IN,		/* confirmed parties only */
	RSVP_UNDO_CHECK_IN,
	RSVP_ADMIN_CANCEL,	/* promotes the waitlist; worded as the organiser's */
	RSVP_PROMOTE,		/* a waitlisted party, out of turn, if it fits */
};

/*
 * Apply action to RSVP rsvp_id of event event_id in one transaction, the
 * log rows naming actor. Repeating an action that is already done changes
 * nothing and is DB_OK (a double submit). DB_NOTFOUND (no such RSVP at
 * this event), DB_CLOSED (not possible in its status, e.g. checking in a
 * waitlisted party), DB_FULL (a promotion that does not fit), DB_BUSY,
 * DB_ERROR.
 */
enum db_rc rsvp_admin_act(struct db *db, struct arena *a, int64_t event_id, int64_t rsvp_id,
    enum rsvp_admin_action action, const char *actor, struct rsvp_outcome *out);

/*
 * RSVP_ADMIN_CANCEL with the organiser's message (NULL: none): the person's
 * e-mail says the organiser cancelled, with the message. Codes as
 * rsvp_admin_act().
 */
enum db_rc rsvp_admin_cancel(struct db *db, struct arena *a, int64_t event_id,
    int64_t rsvp_id, const char *actor, const char *message, struct rsvp_outcome *out);

/* RSVP rsvp_id of event event_id, any status; DB_NOTFOUND, DB_ERROR. */
enum db_rc rsvp_admin_get(struct db *db, struct arena *a, int64_t event_id, int64_t rsvp_id,
    struct rsvp *r);

/* One line of a bulk add and what became of it. */
struct rsvp_bulk_line {
	struct rsvp_input in;
	enum db_rc rc;			/* DB_OK, or why this line was refused */
	enum rsvp_status status;	/* with DB_OK */
};

/*
 * Add the lines to the event `slug` in order, in one transaction, as the
 * admin actor: each confirmed if it fits, else waitlisted. A line refused
 * (DB_CONFLICT e-mail taken, DB_FULL party larger than the capacity,
 * DB_INVALID too many guests) says so in its rc and the others go on.
 * form_token makes the whole list idempotent (*replayed = 1: nothing
 * done). Returns DB_OK, DB_NOTFOUND, DB_BUSY or DB_ERROR (nothing added).
 */
enum db_rc rsvp_bulk_add(struct db *db, struct arena *a, const char *slug, struct rsvp_bulk_line *lines,
    int n, const char *actor, const char *form_token, int *replayed);

/* One RSVP picked on the participants page and what became of it. */
struct rsvp_bulk_pick {
	int64_t id;
	enum db_rc rc;
};

/*
 * rsvp_admin_act() on several RSVPs of one event in one transaction, in
 * queue order (picks are sorted by id); each pick's rc says how it went,
 * a refused one does not stop the others. Returns DB_OK, DB_BUSY or
 * DB_ERROR (then nothing changed).
 */
enum db_rc rsvp_admin_bulk(struct db *db, struct arena *a, int64_t event_id, struct rsvp_bulk_pick *picks,
    int n, enum rsvp_admin_action action, const char *actor);

/*
 * Where a page of the participants list starts: after RSVP id `after` of
 * status `status` (confirmed: after 0 is the start of the list).
 * position is the waitlist position of `after` when status is
 * waitlisted, -1 if not known (it is counted then).
 */
struct rsvp_cursor {
	enum rsvp_status status;
	int64_t after;
	int position;
};

/*
 * A page of the event's active RSVPs for the participants page:
 * confirmed, then the waitlist, each in arrival order (the waitlisted
 * with their positions), from *cursor on, at most max rows (keyset
 * pagination: each page reads only its own rows); only those whose name or
 * e-mail contains search if it is not NULL or "". *list is allocated in
 * a. *cursor moves past the last row; *more is set if rows follow.
 */
enum db_rc rsvp_admin_page(struct db *db, struct arena *a, int64_t event_id,
    const char *search, struct rsvp_cursor *cursor, int max, struct rsvp **list, int *n,
    int *more);

/*
 * Every active RSVP of the event, in the participants page's order with
 * waitlist positions, read in pages from one snapshot: fn(arg, rsvp) for
 * each; fn returns 0 to go on. Memory stays bounded by a page. DB_ERROR
 * if fn stopped it.
 */
enum db_rc rsvp_admin_export(struct db *db, int64_t event_id,
    int (*fn)(void *arg, const struct rsvp *r), void *arg);

#define RSVP_DOOR_MAX 2000	/* parties door mode lists at once */

/* Door mode's list: confirmed parties by name, and how many came so far. */
struct rsvp_door {
	struct rsvp *list;		/* in the arena, *n of them */
	int n, more;			/* more: a search would find others */
	int64_t confirmed, checked_in;	/* parties, from the event's counters */
};

/*
 * The confirmed parties of event event_id in alphabetical order (names
 * alike by id), those whose name or e-mail contains search if it is not
 * NULL or "", at most RSVP_DOOR_MAX, with the event's counts of parties
 * confirmed and checked in. DB_OK or DB_ERROR.
 */
enum db_rc rsvp_door(struct db *db, struct arena *a, int64_t event_id, const char *search,
    struct rsvp_door *d);

/* The latest active sign-ups, newest first, at most RSVP_RECENT_MAX. */
enum db_rc rsvp_recent(struct db *db, struct arena *a, int64_t event_id,
    struct rsvp **list, int *n);

#endif
