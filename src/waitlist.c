#include <stdint.h>

#include "clock.h"
#include "event.h"
#include "outbox.h"
#include "waitlist.h"

/*
 * The earliest waiting party that fits in free_spots: the first of each
 * party size up to free_spots, one index seek per size present. *id 0 if
 * none fits.
 */
static enum db_rc first_fit(struct db *db, int64_t event_id, int64_t free_spots,
    int64_t *id, int *guests)
{
	sqlite3_stmt *st = db_stmt(db, STMT_WAITLIST_FIT);
	int64_t g = 0;
	int step = SQLITE_DONE;

	*id = 0;
	sqlite3_bind_int64(st, 1, event_id);
	while (g < free_spots) {
		sqlite3_bind_int64(st, 2, g);
		if ((step = sqlite3_step(st)) != SQLITE_ROW)
			break;
		g = sqlite3_column_int64(st, 1);
		if (g >= free_spots)
			break;	/* the smallest size left is too big */
		if (*id == 0 || sqlite3_column_int64(st, 0) < *id) {
			*id = sqlite3_column_int64(st, 0);
			*guests = (int)g;
		}
		g++;
		sqlite3_reset(st);
	}
	sqlite3_reset(st);
	return step == SQLITE_ROW ? DB_OK : db_rc_of(db, step, "reading the waitlist");
}

enum db_rc waitlist_promote(struct db *db, struct arena *a, int64_t event_id)
{
	int64_t free_spots, id;
	sqlite3_stmt *st;
	struct event e;
	enum db_rc rc;
	int guests = 0;

	if ((rc = event_get_by_id(db, a, event_id, &e)) != DB_OK)
		return rc;
	free_spots = e.capacity < 0 ? INT64_MAX : e.spots_left;
	/*
	 * The earliest party that fits, again and again: the same parties as
	 * walking the queue in order, for an earlier party too big for more
	 * spots stays too big for fewer.
	 */
	while (free_spots > 0 && (rc = first_fit(db, event_id, free_spots, &id, &guests)) ==
	    DB_OK && id != 0) {
		st = db_stmt(db, STMT_RSVP_SET_STATUS);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, "confirmed", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, clock_now());
		rc = db_rc_of(db, sqlite3_step(st), "promoting from the waitlist");
		sqlite3_reset(st);
		if (rc != DB_OK || (rc = outbox_promoted_link(db, id)) != DB_OK)
			break;
		free_spots -= 1 + guests;
	}
	return rc;
}

enum db_rc waitlist_list(struct db *db, struct arena *a, int64_t event_id,
    struct waitlist_entry **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_WAITLIST);
	const unsigned char *name;
	int step = SQLITE_DONE;

	*n = 0;
	*list = arena_alloc(a, WAITLIST_SHOW_MAX * sizeof(**list));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, WAITLIST_SHOW_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		name = sqlite3_column_text(st, 1);
		(*list)[*n].rsvp_id = sqlite3_column_int64(st, 0);
		(*list)[*n].name = arena_strdup(a, name != NULL ? (const char *)name : "");
		(*list)[(*n)++].guests = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the waitlist");
}

enum db_rc waitlist_between(struct db *db, int64_t event_id, int64_t after, int64_t before,
    int64_t *parties, int64_t *spots)
{
	sqlite3_stmt *st = db_stmt(db, STMT_WAITLIST_AHEAD);
	int step;

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int64(st, 3, after);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*parties = sqlite3_column_int64(st, 0);
		*spots = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the waitlist position");
}

enum db_rc waitlist_position(struct db *db, int64_t event_id, int64_t rsvp_id,
    int *position, int64_t *spots_ahead)
{
	int64_t ahead = 0;
	enum db_rc rc = waitlist_between(db, event_id, 0, rsvp_id, &ahead, spots_ahead);

	*position = 1 + (int)ahead;
	return rc;
}
