#ifndef TURNOUT_WAITLIST_H
#define TURNOUT_WAITLIST_H

#include <stdint.h>

#include "arena.h"
#include "db.h"

#define WAITLIST_SHOW_MAX 500

struct waitlist_entry {
	int64_t rsvp_id;
	const char *name;
	int guests;
};

/*
 * The promotion policy, in one place. Walk the waitlist in arrival order
 * and confirm every party that fits in the spots left, so no waitlisted
 * party ever fits in the spots left (the invariant tests check). A party
 * too big for the spots left keeps its place, first in line for the next
 * opening, while smaller parties behind it may go ahead. Parties are
 * never split. Runs inside the caller's write transaction.
 */
enum db_rc waitlist_promote(struct db *db, struct arena *a, int64_t event_id);

/* The queue in order, at most WAITLIST_SHOW_MAX entries, allocated in a. */
enum db_rc waitlist_list(struct db *db, struct arena *a, int64_t event_id,
    struct waitlist_entry **list, int *n);

/*
 * Where a waitlisted RSVP stands: *position (1 = next in line) and the
 * spots of the parties ahead of it.
 */
enum db_rc waitlist_position(struct db *db, int64_t event_id, int64_t rsvp_id,
    int *position, int64_t *spots_ahead);

/*
 * The parties waiting between RSVP ids after and before (both left out)
 * and their spots: reads the index entries between them, not the queue.
 */
enum db_rc waitlist_between(struct db *db, int64_t event_id, int64_t after, int64_t before,
    int64_t *parties, int64_t *spots);

#endif
