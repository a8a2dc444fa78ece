#ifndef TURNOUT_POTLUCK_H
#define TURNOUT_POTLUCK_H

#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "rsvp.h"

#define POTLUCK_ITEMS_MAX 40		/* per event: every item fits on the RSVP form */
#define POTLUCK_QUANTITY_MAX 10000	/* one pledge, and an item's suggested quantity */
#define POTLUCK_NAMES_SHOWN 3		/* pledgers listed per item on the sheet */
#define POTLUCK_PLEDGERS_PAGE 100	/* on one page of an item's list of pledgers */
#define POTLUCK_NAME_MAX 100		/* characters of an item's name (the schema's CHECK) */
#define POTLUCK_UNIT_MAX 30		/* characters of its unit (likewise) */

enum item_category {
	ITEM_FOOD, ITEM_DRINK, ITEM_UTENSIL, ITEM_DECORATION, ITEM_OTHER, ITEM_CATEGORY__MAX
};

/* Each category as the database stores it. */
extern const char *const item_category_names[ITEM_CATEGORY__MAX];

/*
 * An item as an admin enters it. Where it shows within its category is
 * not entered: a new item goes last, potluck_item_move() changes that.
 */
struct item_input {
	const char *name, *unit;		/* unit "" when counted in pieces */
	enum item_category category;
	int64_t suggested;
	int capped;				/* 1: no more than suggested is welcome */
};

/* Someone's pledge as the sheet shows it. */
struct pledger {
	const char *name;
	int64_t quantity;
	int tentative;				/* the RSVP is waitlisted */
};

/* An item with its totals; strings and pledgers live in an arena. */
struct item {
	int64_t id, event_id, suggested, pledged, version;
	int64_t mine;				/* the asking RSVP's quantity, 0 none */
	const char *name, *unit;
	enum item_category category;
	int capped, position;
	struct pledger *pledgers;		/* at most POTLUCK_NAMES_SHOWN */
	int npledgers, more;			/* more: pledgers not listed */
};

/*
 * One visitor's wish for one item: quantity 0 removes the pledge. version
 * is the item's version on the page the visitor saw.
 */
struct pledge_input {
	int64_t item_id, version, quantity;
};

/* "food", "drink", "utensil", "decoration" or "other". */
const char *potluck_category_name(enum item_category c);

/* What is still open: suggested - pledged, never below 0. */
int64_t potluck_needed(const struct item *it);

/*
 * Add an item at the end of its category in one transaction, made
 * idempotent by form_token (NULL: none): a replay changes nothing and
 * returns DB_OK with *id 0, else *id receives the new item's id. DB_FULL
 * once the event has POTLUCK_ITEMS_MAX items, DB_INVALID if a field
 * breaks the schema's rules.
 */
enum db_rc potluck_item_add(struct db *db, int64_t event_id, const struct item_input *in,
    const char *form_token, int64_t *id);

/*
 * The admin's changes to item item_id of event event_id, each in one
 * transaction and only if the item is still at version, the one on the
 * admin's form (pledges change it too). Each returns DB_NOTFOUND if the
 * event has no such item and DB_CONFLICT if it changed since (nothing is
 * written then), besides what is said below.
 *
 * Edit: set its fields to in; an item moved to another category goes last
 * there. A stale form asking for exactly what is stored is a repeated
 * save: DB_OK. DB_FULL if the item is capped and in->suggested is below
 * what is already pledged; DB_INVALID as for add.
 */
enum db_rc potluck_item_edit(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t version, const struct item_input *in);

/*
 * Move: swap places with the neighbour above (down 0) or below (down 1)
 * within the category, bumping the version of both. At the end of its
 * category nothing changes (DB_OK).
 */
enum db_rc potluck_item_move(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t version, int down);

/*
 * Remove, with form_token as for add. An item with pledges is removed
 * only with drop_pledges set (the admin saw how many and confirmed): its
 * pledges go in the same transaction. Without it: DB_CLOSED, nothing
 * changed.
 */
enum db_rc potluck_item_remove(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t version, int drop_pledges, const char *form_token);

/*
 * "12", "12 packs" or "1 pack" (in a): units are entered in the plural
 * ("bowls", "boxes", "bottles"), and one of them reads in the singular.
 */
const char *potluck_amount(struct arena *a, int64_t n, const char *unit);

/*
 * The event's sheet: its items by category, still-needed first, with who
 * pledged what; each item's `mine` is rsvp_id's quantity (0: no RSVP).
 * *items is allocated in a.
 */
enum db_rc potluck_sheet(struct db *db, struct arena *a, int64_t event_id,
    int64_t rsvp_id, struct item **items, int *n);

/*
 * The event's items in the admin's order (by category, then as placed),
 * with their pledgers as potluck_sheet() gives them; *items is allocated
 * in a.
 */
enum db_rc potluck_items(struct db *db, struct arena *a, int64_t event_id,
    struct item **items, int *n);

/*
 * One page of the pledgers of item item_id of event event_id, in the order
 * they pledged, from after pledge id *after: *it is the item with up to
 * max pledgers (allocated in a), *after becomes the last one's pledge id
 * and *more says whether more follow. DB_NOTFOUND if the event has no
 * such item.
 */
enum db_rc potluck_pledgers(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t *after, int max, struct item *it, int *more);

/* One line of the sheet's export: a pledge, or an item nobody pledged. */
struct pledge_line {
	const struct item *item;
	const char *name, *email;		/* the pledger's; "" for no pledge */
	int64_t quantity;			/* 0 for no pledge */
	int tentative;				/* the pledger is on the waitlist */
};

/*
 * Every pledge of the event with its participant, and every item nobody
 * pledged, in the admin's order: fn(arg, line) for each. Strings live in a.
 */
enum db_rc potluck_export(struct db *db, struct arena *a, int64_t event_id,
    void (*fn)(void *arg, const struct pledge_line *line), void *arg);

/*
 * Apply pledges of RSVP rsvp_id (of event event_id) inside the caller's
 * write transaction, all or none. An item changed since the form was
 * rendered (version) is re-checked: a capped item against its fresh total,
 * a decrease is refused so the visitor can look at the current numbers
 * first; an uncapped increase goes ahead. Returns DB_OK; DB_NOTFOUND (no
 * such item in this event); DB_INVALID (quantity out of range); DB_FULL
 * (a capped item would go past its suggested quantity) or DB_CONFLICT
 * (stale decrease), both with out->item_id and out->item_left set.
 */
enum db_rc potluck_apply(struct db *db, struct arena *a, int64_t rsvp_id, int64_t event_id,
    const struct pledge_input *in, int n, struct rsvp_outcome *out);

/*
 * Set (or with quantity 0 remove) one pledge from the RSVP behind
 * manage_token, in one idempotent transaction (form_token). Returns what
 * potluck_apply() does, or DB_CLOSED once the RSVP is cancelled or the
 * event has started.
 */
enum db_rc potluck_pledge(struct db *db, struct arena *a, const char *manage_token,
    const struct pledge_input *in, const char *form_token, struct rsvp_outcome *out);

#endif
