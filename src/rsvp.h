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

enum rsvp_status { RSVP_CONFIRMED, RSVP_WAITLISTED, RSVP_CANCELLED };

struct pledge_input;

/* A new RSVP as the visitor entered it (already validated for form). */
struct rsvp_input {
	const char *name, *email, *note;
	int guests;
	const struct pledge_input *pledges;	/* made with the RSVP (potluck.h) */
	int npledges;
};

/* An RSVP as its manage page shows it; strings live in an arena. */
struct rsvp {
	int64_t id, event_id, created_at;
	const char *name, *email, *note;
	int guests;
	enum rsvp_status status;
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
enum db_rc rsvp_create(struct db *db, const char *slug, const struct rsvp_input *in,
    const char *form_token, const char *manage_token, struct rsvp_outcome *out);

/* The RSVP behind a manage token, with its event; DB_NOTFOUND if none. */
enum db_rc rsvp_get(struct db *db, struct arena *a, const char *manage_token,
    struct rsvp *r, struct event *e);

/*
 * Change the party size and note. More guests only while RSVPs are open
 * and, for a confirmed party, only if the extra spots fit (else DB_FULL
 * with out->spots_left); fewer guests free spots and promote the waitlist.
 * DB_CLOSED once cancelled or once the event has started.
 */
enum db_rc rsvp_update(struct db *db, const char *manage_token, int guests,
    const char *note, const char *form_token, struct rsvp_outcome *out);

/* One change to an existing RSVP, applied inside rsvp_change(). */
typedef enum db_rc (*rsvp_change_fn)(struct db *db, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out);

/*
 * The transaction every change to an existing RSVP runs in: claim the
 * form token, load the RSVP and its event (DB_CLOSED once it is cancelled
 * or the event has started), apply the change, promote the waitlist into
 * any room it made, commit - or roll all of it back.
 */
enum db_rc rsvp_change(struct db *db, const char *manage_token,
    const char *form_token, rsvp_change_fn apply, const void *arg,
    struct rsvp_outcome *out);

/* Cancel and promote the waitlist; DB_CLOSED once the event has started. */
enum db_rc rsvp_cancel(struct db *db, const char *manage_token,
    const char *form_token, struct rsvp_outcome *out);

/*
 * "E-mail me my link" for the active RSVP of `email` at event `slug`, in
 * one transaction: give the RSVP the new manage token (only hashes are
 * stored, so the old link cannot be sent again: it stops working) and
 * enqueue an e-mail with the new link to that address only. At most
 * OUTBOX_RESEND_PER_HOUR per address and event. The caller answers the
 * same whatever happened, so nobody learns whether an RSVP exists;
 * *queued (for tests) says if an e-mail was enqueued. form_token makes
 * it idempotent (out->replayed). Returns DB_OK, DB_BUSY or DB_ERROR.
 */
enum db_rc rsvp_resend(struct db *db, const char *slug, const char *email,
    const char *form_token, const char *manage_token, struct rsvp_outcome *out,
    int *queued);

/* The latest active sign-ups, newest first, at most RSVP_RECENT_MAX. */
enum db_rc rsvp_recent(struct db *db, struct arena *a, int64_t event_id,
    struct rsvp **list, int *n);

#endif
