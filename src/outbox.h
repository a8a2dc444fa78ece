#ifndef TURNOUT_OUTBOX_H
#define TURNOUT_OUTBOX_H

#include <stdint.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "mail.h"

/*
 * The outbox: notifications written in the transaction that causes them
 * (schema triggers on RSVP status changes, plus the calls below), then
 * delivered by turnout-worker at least once:
 *
 *   pending --claim--> sending --sent--> sent
 *    ^  ^                |  |
 *    |  +----release-----+  +--temporary failure, attempts left--> pending (later)
 *    |                      +--permanent failure or last attempt--> dead
 *    +---- admin retry ---- dead ---- admin discard --> discarded
 *
 * The worker claims a batch of due messages at once, each under a lease,
 * marks those the transport accepted sent together, and releases those
 * it did not try (stopping, too little lease left to try them, or its
 * disk full); a mark it cannot write yet is kept and written before it
 * claims anything new. A
 * lease that runs out means the worker died or hung: any worker claims
 * the row again, so what it had sent but not yet marked goes out twice;
 * nothing is ever lost.
 */
enum outbox_state {
	OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_DEAD, OUTBOX_DISCARDED,
	OUTBOX__MAX
};

#define OUTBOX_DEAD_LIST_MAX 200
#define OUTBOX_RESEND_PER_HOUR 3	/* per address and event */

/* A claimed message; strings live in the arena it was claimed into. */
struct outbox_msg {
	int64_t id, event_id, created_at;
	const char *kind;		/* confirmed, waitlisted, promoted, ... */
	const char *recipient, *name;
	const char *link_token;		/* manage token to link to, or NULL */
	int attempts;			/* including this one */
	int64_t next_attempt_at;	/* the queue's order */
	int64_t lease_until;		/* the row may be another worker's from then on */
	int64_t hold_id;		/* a drop's claim (drop.h), or 0 */
	int64_t rsvp_id;		/* the RSVP it is about, or 0 */
	int by_organiser;		/* a cancellation an organiser made */
	const char *message;		/* the organiser's words to the person, or NULL */
};

/*
 * Inside the caller's transaction, right after RSVP rsvp_id moved up from
 * the waitlist: the RSVP gets a new link of its own (its others keep
 * working) and the promotion message the trigger enqueued carries it.
 */
enum db_rc outbox_promoted_link(struct db *db, int64_t rsvp_id);

/*
 * Inside the caller's transaction: manage_token becomes one more live link
 * of RSVP rsvp_id (only its hash is stored).
 */
enum db_rc outbox_rsvp_link(struct db *db, int64_t rsvp_id, const char *manage_token);

/*
 * Inside the caller's transaction, right after an organiser cancelled RSVP
 * rsvp_id: the cancellation message the trigger enqueued says so, with
 * message (NULL: none) from the organiser.
 */
enum db_rc outbox_by_organiser(struct db *db, int64_t rsvp_id, const char *message);

/* A dead letter, as the admin sees it. */
struct outbox_dead {
	int64_t id, created_at;
	const char *kind, *recipient, *error, *event_slug;
	int attempts;
};

/* "pending", "sending", "sent", "dead" or "discarded". */
const char *outbox_state_name(enum outbox_state s);

/*
 * Seconds to wait after failed attempt number `attempts` (1 = the first),
 * from the configured schedule plus up to 20 % jitter taken from rnd, so
 * messages that failed together do not retry together. -1 when the
 * schedule is used up (the message is dead).
 */
int64_t outbox_backoff(const struct config *c, int attempts, uint32_t rnd);

/*
 * Inside the caller's transaction, right after the RSVP insert: give the
 * sign-up message the trigger enqueued its manage link. The plain token
 * is kept only until the message is sent (see README "E-mail").
 */
enum db_rc outbox_link(struct db *db, int64_t rsvp_id, const char *manage_token);

/*
 * Claim up to max due messages, oldest due first, in one write
 * transaction, each leased for lease seconds: *msgs gets an array of *n
 * in a. DB_NOTFOUND (and *n 0) when nothing is due.
 */
enum db_rc outbox_claim(struct db *db, struct arena *a, int lease, int max,
    struct outbox_msg **msgs, int *n);

/*
 * Record in one transaction that the transport accepted the n messages
 * of msgs. A row another worker took over meanwhile (our lease ran out)
 * is left to it and counted in *taken.
 */
enum db_rc outbox_sent(struct db *db, const struct outbox_msg *msgs, int n, int *taken);

/*
 * Hand the n claimed messages of msgs back untried, in one transaction:
 * due again at once, with the claim's attempt undone. Rows taken over
 * meanwhile are left alone. msgs must not be used afterwards: a new
 * claim may carry the same attempts.
 */
enum db_rc outbox_release(struct db *db, const struct outbox_msg *msgs, int n);

/*
 * Record a failed attempt with its error: retried later after the
 * backoff, or dead when permanent or out of attempts. *dead tells which.
 */
enum db_rc outbox_failed(struct db *db, const struct config *c,
    const struct outbox_msg *m, int permanent, const char *error, int *dead);

/*
 * Enqueue the reminders that are due: one per confirmed RSVP of a
 * published event starting within `hours`. Exactly once per RSVP, in one
 * transaction; *n gets how many were added.
 */
enum db_rc outbox_remind(struct db *db, int hours, int *n);

/*
 * The whole message m (CRLF, headers) in a: mail, whose text, html and
 * reply_to the caller set, gets the site as its sender, m's recipient,
 * the date and m's Message-ID. NULL with the reason in *err (a permanent
 * failure).
 */
char *outbox_mail(struct arena *a, const struct config *c, const struct outbox_msg *m,
    struct mail *mail, const char **err);

/* Messages per state, into counts[OUTBOX__MAX]. */
enum db_rc outbox_counts(struct db *db, int64_t counts[OUTBOX__MAX]);

/* The dead letters, oldest first, at most OUTBOX_DEAD_LIST_MAX, in a. */
enum db_rc outbox_dead_list(struct db *db, struct arena *a, struct outbox_dead **list,
    int *n);

/*
 * Admin actions on dead letters, each one transaction: id 0 means all of
 * them. *n gets how many changed; DB_NOTFOUND if none did.
 */
enum db_rc outbox_retry(struct db *db, int64_t id, int *n);
enum db_rc outbox_discard(struct db *db, int64_t id, int *n);

#endif
