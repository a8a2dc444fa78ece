#ifndef TURNOUT_DROP_H
#define TURNOUT_DROP_H

#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "event.h"
#include "token.h"

/*
 * Limited drops: an event of kind "drop" offers items in variants, each
 * with a stock. A hold reserves units of one variant for the drop's hold
 * time and must be claimed before it expires; available = stock - live
 * holds - claims, where a hold is live while now < expires_at (in
 * milliseconds: clock_now_ms()). Every hold, claim and release is one
 * transaction (change.h) that first expires the drop's overdue holds,
 * then checks and writes, so expiry is exact with no sweeper running; the
 * database's triggers keep the counters and refuse any overselling.
 */

#define DROP_ITEMS_MAX 20		/* per drop */
#define DROP_VARIANTS_MAX 20		/* per item */
#define DROP_HOLD_SECONDS_MIN 15
#define DROP_HOLD_SECONDS_MAX 1800
#define DROP_HOLD_SECONDS_DEFAULT 60
#define DROP_PER_PERSON_MAX 100
#define DROP_RENEWALS_MAX 10
#define DROP_STOCK_MAX 1000000
#define DROP_PICKUP_MAX 2000		/* characters */
#define DROP_PRICE_MAX 100		/* characters */
#define DROP_FEED_MAX 20		/* activity feed rows */
#define DROP_TOP_MAX 10			/* top claimers */
#define DROP_ADMIN_LIST_MAX 2000	/* holds on the admin page */

enum hold_status {
	HOLD_LIVE, HOLD_CLAIMED, HOLD_RELEASED, HOLD_EXPIRED, HOLD_CANCELLED, HOLD_STATUS__MAX
};

/* Each status as the database stores it. */
extern const char *const hold_status_names[HOLD_STATUS__MAX];

/* A drop's settings (the sale window is the event's RSVP window). */
struct drop_settings {
	int per_person;			/* units per address: live holds + claims */
	int hold_seconds;		/* DROP_HOLD_SECONDS_MIN ... _MAX */
	int renewals;			/* full hold times a repeat hold may add */
	const char *pickup;		/* pick-up or payment text for the claim */
};

struct drop_variant {
	int64_t id, item_id;
	const char *name;		/* "" for an item's only variant */
	int64_t stock, held, claimed;	/* held: live holds, not yet expired */
	int64_t available;		/* stock - held - claimed, at least 0 */
	int position;
};

struct drop_item {
	int64_t id, event_id;
	const char *name, *price, *description;
	int position;
	struct drop_variant *variants;
	int nvariants;
};

/* A drop as its pages show it; everything lives in an arena. */
struct drop {
	struct drop_settings s;
	struct drop_item *items;
	int nitems;
	int64_t stock, held, claimed, available;	/* totals */
};

/* A hold (with its claim, if claimed) as the hold and admin pages show it. */
struct hold {
	int64_t id, event_id, variant_id;
	int quantity;
	const char *name, *email;
	enum hold_status status;	/* HOLD_LIVE only while now < expires_at */
	int64_t created_at, expires_at;	/* ms */
	int renewals, max_renewals;
	const char *item, *variant, *price;	/* price: the claim's, else the item's */
	int64_t claim_number;		/* 0: not claimed */
	int64_t claimed_at, picked_up_at, paid_at;	/* s; 0: not yet */
};

/* A new hold as the visitor entered it (validated for form). */
struct hold_input {
	int64_t variant_id;
	int quantity;
	const char *name, *email;
	const char *owner;		/* the hold link the visitor's browser keeps, or NULL */
};

/* What a hold, claim or release did. */
struct drop_outcome {
	int replayed;			/* form token used before: nothing changed */
	int renewed;			/* the address's live hold was returned */
	int elsewhere;			/* DB_CONFLICT: the address holds one, in another browser */
	char token[TOKEN_MANAGE_HEX + 1];	/* the hold's link (drop_hold()) */
	int64_t available;		/* DB_FULL: what is left of the variant */
	int could_return;		/* DB_FULL: live holds may still run out */
	int64_t claim_number;		/* drop_claim() */
};

/* What the drop log records. */
enum drop_action {
	DROP_HOLD, DROP_RENEW, DROP_CLAIM, DROP_RELEASE, DROP_EXPIRE, DROP_CANCEL,
	DROP_ACTION__MAX
};

/* Each action as the database stores it. */
extern const char *const drop_action_names[DROP_ACTION__MAX];

/* One row of the activity feed (the full name: pages show initials). */
struct drop_activity {
	const char *name, *item, *variant;
	int quantity;
	enum drop_action action;
};

/* One of the top claimers. */
struct drop_claimer {
	const char *name;
	int64_t units;
};

/* "live", "claimed", "released", "expired" or "cancelled". */
const char *hold_status_name(enum hold_status s);

/*
 * Make the event `slug` a drop with settings s, or change the settings of
 * a drop, in one transaction. DB_INVALID if a setting is out of range,
 * DB_CONFLICT if the event is a competition, DB_NOTFOUND, DB_BUSY, DB_ERROR.
 */
enum db_rc drop_configure(struct db *db, const char *slug, const struct drop_settings *s);

/*
 * Add an item to the drop at event_id (*id receives it), or a variant to
 * one of its items. DB_NOTFOUND (not a drop / no such item), DB_INVALID (a field
 * out of range or too many), DB_BUSY, DB_ERROR.
 */
enum db_rc drop_item_add(struct db *db, int64_t event_id, const char *name,
    const char *price, const char *description, int64_t *id);
enum db_rc drop_variant_add(struct db *db, int64_t event_id, int64_t item_id,
    const char *name, int64_t stock, int64_t *id);

/*
 * Change the stock of a variant of the drop at event_id. Below held + claimed is allowed (the holds
 * run out, nobody gets a new one); below what is claimed is DB_CONFLICT.
 * DB_NOTFOUND, DB_INVALID (out of range), DB_BUSY, DB_ERROR.
 */
enum db_rc drop_variant_set_stock(struct db *db, int64_t event_id, int64_t variant_id,
    int64_t stock);

/* The settings of the drop at event_id; DB_NOTFOUND if it is none. */
enum db_rc drop_settings_get(struct db *db, struct arena *a, int64_t event_id,
    struct drop_settings *s);

/* The drop's latest DROP_FEED_MAX log rows, newest first, allocated in a. */
enum db_rc drop_feed(struct db *db, struct arena *a, int64_t event_id,
    struct drop_activity **list, int *n);

/* Who claimed most units (by address), at most DROP_TOP_MAX, allocated in a. */
enum db_rc drop_top(struct db *db, struct arena *a, int64_t event_id,
    struct drop_claimer **list, int *n);

/*
 * The drop at event e with its items and variants and live numbers at
 * time now_ms (holds past their expiry count as returned even before
 * anything marks them). DB_NOTFOUND if e is not a drop.
 */
enum db_rc drop_get(struct db *db, struct arena *a, const struct event *e, int64_t now_ms,
    struct drop *d);

/*
 * Hold in->quantity of variant in->variant_id at the drop `slug`, in one
 * transaction that first expires the drop's overdue holds (scratch
 * memory from a, the caller's arena, as for every call here). The link is
 * out->token (only its hash is stored), derived from form_token (from
 * the hold's id without one: demo and bench holds). A live hold of the
 * same address is returned instead (out->renewed), given a full hold
 * time from now if it has renewals left, never more than its first hold
 * time plus one per renewal - but only to the browser that made it
 * (in->owner is its link): to anyone else, knowing the address reveals
 * nothing and changes nothing (DB_CONFLICT with out->elsewhere).
 * form_token makes it idempotent (a replay answers the same link, never
 * another address's). Returns DB_OK, DB_NOTFOUND (no such published drop), DB_CLOSED
 * (outside the sale window), DB_INVALID (a variant of no item of this
 * drop, quantity outside 1 ... per-person limit), DB_CONFLICT (the
 * address's live holds and claims would pass the per-person limit),
 * DB_FULL (not enough available: out->available, out->could_return),
 * DB_BUSY or DB_ERROR.
 */
enum db_rc drop_hold(struct db *db, struct arena *a, const char *slug,
    const struct hold_input *in, const char *form_token, struct drop_outcome *out);

/*
 * The hold behind token with its event, read only: a live hold past its
 * expiry reads as HOLD_EXPIRED at time now_ms. DB_NOTFOUND if none.
 */
enum db_rc drop_hold_get(struct db *db, struct arena *a, const char *token, int64_t now_ms,
    struct hold *h, struct event *e);

/*
 * Claim the hold behind token in one transaction that first expires the
 * drop's overdue holds: a live hold becomes a claim (numbered, with the
 * item's price now; out->claim_number). DB_OK (also when it is already
 * claimed: a double click), DB_NOTFOUND, DB_CLOSED (it ran out, was let
 * go or cancelled: out->available says what is left of the variant),
 * DB_BUSY, DB_ERROR.
 */
enum db_rc drop_claim(struct db *db, struct arena *a, const char *token,
    const char *form_token, struct drop_outcome *out);

/*
 * Let the hold behind token go: its units are available at once. DB_OK
 * (also when it has already ended without a claim), DB_NOTFOUND,
 * DB_CLOSED (it is claimed), DB_BUSY, DB_ERROR.
 */
enum db_rc drop_release(struct db *db, struct arena *a, const char *token,
    const char *form_token, struct drop_outcome *out);

/*
 * The hold hold_id of the drop at event_id with its claim, whatever its
 * status (as stored: the admin list and the worker's e-mails read it).
 * DB_NOTFOUND if there is none.
 */
enum db_rc drop_hold_by_id(struct db *db, struct arena *a, int64_t event_id,
    int64_t hold_id, struct hold *h);

/*
 * The drop's claims (by number, cancelled ones too) and then its live
 * holds, at most DROP_ADMIN_LIST_MAX, for the admin page at time now_ms.
 */
enum db_rc drop_admin_list(struct db *db, struct arena *a, int64_t event_id,
    int64_t now_ms, struct hold **list, int *n);

/* What an organiser does to a claim. */
enum drop_admin_action {
	DROP_PICKED_UP,		/* the first time only: a second tap keeps it */
	DROP_PAID,		/* likewise */
	DROP_CANCEL_CLAIM,	/* the units return to the stock, the person is e-mailed */
};

/*
 * Apply action to the claim of hold hold_id at the drop event_id in one
 * transaction, the log naming actor. DB_OK (also when already done),
 * DB_NOTFOUND (no such hold there), DB_CLOSED (the hold is not claimed,
 * or a cancelled claim picked up), DB_BUSY, DB_ERROR.
 */
enum db_rc drop_admin_act(struct db *db, struct arena *a, int64_t event_id,
    int64_t hold_id, enum drop_admin_action action, const char *actor);

/*
 * Mark every overdue live hold expired at time now_ms (the worker's
 * sweeper: only tidying, the write paths expire holds themselves);
 * *n receives how many. Takes no write lock when nothing is overdue.
 * DB_OK, DB_BUSY, DB_ERROR.
 */
enum db_rc drop_sweep(struct db *db, int64_t now_ms, int *n);

#endif
