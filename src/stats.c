#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stats.h"

/* The single integer a figures statement yields for event_id (or its rc). */
static enum db_rc figure(struct db *db, enum stmt which, int64_t event_id, int64_t *out)
{
	sqlite3_stmt *st = db_stmt(db, which);
	int step;

	sqlite3_bind_int64(st, 1, event_id);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading figures");
}

/* The median of the waits (seconds, sorted by SQL); -1 if none. */
static enum db_rc median_wait(struct db *db, int64_t event_id, int64_t *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_STATS_WAITS);
	int64_t *waits = NULL;
	size_t n = 0, cap = 0;
	int step;

	sqlite3_bind_int64(st, 1, event_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((waits = realloc(waits, cap * sizeof(*waits))) == NULL)
				log_fatal("out of memory");
		}
		waits[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	*out = n == 0 ? -1 : n % 2 ? waits[n / 2] : (waits[n / 2 - 1] + waits[n / 2]) / 2;
	free(waits);
	return db_rc_of(db, step, "reading waiting times");
}

enum db_rc stats_get(struct db *db, struct arena *a, int64_t event_id, struct stats *s)
{
	sqlite3_stmt *st;
	struct stats_point cur = { 0, 0, 0 };
	enum db_rc rc;
	int step;

	memset(s, 0, sizeof(*s));
	s->points = arena_alloc(a, STATS_POINTS_MAX * sizeof(*s->points));
	st = db_stmt(db, STMT_STATS_LOG);
	sqlite3_bind_int64(st, 1, event_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *action = (const char *)sqlite3_column_text(st, 1);

		cur.at = sqlite3_column_int64(st, 0);
		if (strcmp(action, "rsvp") == 0 || strcmp(action, "waitlist") == 0) {
			cur.signups++;
			*(action[0] == 'r' ? &s->direct : &s->waitlisted) += 1;
		} else if (strcmp(action, "cancel") == 0) {
			cur.cancels++;
		}
		if (s->npoints < STATS_POINTS_MAX)
			s->points[s->npoints++] = cur;
	}
	sqlite3_reset(st);
	if ((rc = db_rc_of(db, step, "reading the log")) != DB_OK)
		return rc;
	s->signups = cur.signups;
	s->cancels = cur.cancels;
	if ((rc = figure(db, STMT_STATS_PROMOTED, event_id, &s->promoted)) != DB_OK ||
	    (rc = figure(db, STMT_STATS_CONFIRMED, event_id, &s->confirmed_now)) != DB_OK ||
	    (rc = figure(db, STMT_STATS_CHECKED_IN, event_id, &s->checked_in)) != DB_OK)
		return rc;
	return median_wait(db, event_id, &s->median_wait);
}

const char *stats_polyline(struct arena *a, const struct stats *s, int cancels, int w, int h,
    int64_t t0, int64_t t1, int64_t vmax)
{
	struct arena_buf out = { .a = a };
	double span = t1 > t0 ? (double)(t1 - t0) : 1.0, top = vmax > 0 ? (double)vmax : 1.0;
	double x, y = h;
	char *pt;
	int i;

	pt = arena_printf(a, "0,%d", h);
	arena_buf_put(&out, pt, strlen(pt));
	for (i = 0; i < s->npoints; i++) {
		int64_t v = cancels ? s->points[i].cancels : s->points[i].signups;

		x = (double)(s->points[i].at - t0) * w / span;
		/* A step: along at the old height, then up to the new one. */
		pt = arena_printf(a, " %.1f,%.1f %.1f,%.1f", x, y, x, h - (double)v * h / top);
		arena_buf_put(&out, pt, strlen(pt));
		y = h - (double)v * h / top;
	}
	pt = arena_printf(a, " %d,%.1f", w, y);
	arena_buf_put(&out, pt, strlen(pt));
	return out.buf;
}
