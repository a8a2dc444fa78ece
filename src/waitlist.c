#include <stdlib.h>

#include "clock.h"
#include "event.h"
#include "log.h"
#include "waitlist.h"

enum db_rc waitlist_promote(struct db *db, struct arena *a, int64_t event_id)
{
	int64_t *ids = NULL, free_spots, spots;
	size_t n = 0, cap = 0, i;
	sqlite3_stmt *st;
	struct event e;
	enum db_rc rc;
	int step = SQLITE_DONE;

	if ((rc = event_get_by_id(db, a, event_id, &e)) != DB_OK)
		goto out;
	free_spots = e.capacity < 0 ? INT64_MAX : e.spots_left;
	/* Choose first, then update: no writes while the queue is being read. */
	st = db_stmt(db, STMT_WAITLIST);
	sqlite3_bind_int64(st, 1, event_id);
	while (free_spots > 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		spots = 1 + sqlite3_column_int64(st, 2);
		if (spots > free_spots)
			continue;	/* too big for now: keeps its place */
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((ids = realloc(ids, cap * sizeof(*ids))) == NULL)
				log_fatal("out of memory");
		}
		ids[n++] = sqlite3_column_int64(st, 0);
		free_spots -= spots;
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		rc = db_rc_of(db, step, "reading the waitlist");
	for (i = 0; i < n && rc == DB_OK; i++) {
		st = db_stmt(db, STMT_RSVP_SET_STATUS);
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_text(st, 2, "confirmed", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, clock_now());
		rc = db_rc_of(db, sqlite3_step(st), "promoting from the waitlist");
		sqlite3_reset(st);
	}
out:
	free(ids);
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
	while (*n < WAITLIST_SHOW_MAX && (step = sqlite3_step(st)) == SQLITE_ROW) {
		name = sqlite3_column_text(st, 1);
		(*list)[*n].rsvp_id = sqlite3_column_int64(st, 0);
		(*list)[*n].name = arena_strdup(a, name != NULL ? (const char *)name : "");
		(*list)[(*n)++].guests = sqlite3_column_int(st, 2);
	}
	if (*n == WAITLIST_SHOW_MAX)
		step = SQLITE_DONE;
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the waitlist");
}

enum db_rc waitlist_position(struct db *db, int64_t event_id, int64_t rsvp_id,
    int *position, int64_t *spots_ahead)
{
	sqlite3_stmt *st = db_stmt(db, STMT_WAITLIST_AHEAD);
	int step;

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, rsvp_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*position = 1 + sqlite3_column_int(st, 0);
		*spots_ahead = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the waitlist position");
}
