#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stats.h"

/*
 * The median of the event's n waits (seconds), read in wait order from
 * the middle: one value, or the two around the middle; -1 if none.
 */
static enum db_rc median_wait(struct db *db, int64_t event_id, int64_t n, int64_t *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_STATS_WAITS);
	int64_t mid[2] = { 0, 0 };
	int step, k = 0;

	*out = -1;
	if (n == 0)
		return DB_OK;
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, (n - 1) / 2);
	sqlite3_bind_int(st, 3, n % 2 ? 1 : 2);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && k < 2)
		mid[k++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (k > 0)
		*out = n % 2 ? mid[0] : (mid[0] + mid[k - 1]) / 2;
	return db_rc_of(db, step, "reading waiting times");
}

/* The totals triggers keep in event_figures; *waits: how many waits there are. */
static enum db_rc figures(struct db *db, int64_t event_id, struct stats *s, int64_t *waits)
{
	sqlite3_stmt *st = db_stmt(db, STMT_STATS_FIGURES);
	int step;

	sqlite3_bind_int64(st, 1, event_id);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		s->direct = sqlite3_column_int64(st, 0);
		s->waitlisted = sqlite3_column_int64(st, 1);
		s->cancels = sqlite3_column_int64(st, 2);
		s->promoted = sqlite3_column_int64(st, 3);
		s->confirmed_now = sqlite3_column_int64(st, 4);
		s->checked_in = sqlite3_column_int64(st, 5);
		*waits = sqlite3_column_int64(st, 6);
		s->people = sqlite3_column_int64(st, 7);
		s->returning = sqlite3_column_int64(st, 8);
		s->signups = s->direct + s->waitlisted;
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading figures");
}

enum db_rc stats_site(struct db *db, int64_t *people, int64_t *returning)
{
	sqlite3_stmt *st = db_stmt(db, STMT_STATS_SITE);
	int step;

	*people = *returning = 0;
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*people = sqlite3_column_int64(st, 0);
		*returning = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the site's figures");
}

enum db_rc stats_totals(struct db *db, int64_t event_id, struct stats *s)
{
	int64_t waits;

	memset(s, 0, sizeof(*s));
	return figures(db, event_id, s, &waits);
}

enum db_rc stats_get(struct db *db, struct arena *a, int64_t event_id, struct stats *s)
{
	sqlite3_stmt *st;
	struct stats_point cur = { 0, 0, 0, 0 };
	int64_t waits = 0;
	enum db_rc rc;
	int step;

	memset(s, 0, sizeof(*s));
	s->points = arena_alloc(a, STATS_POINTS_MAX * sizeof(*s->points));
	st = db_stmt(db, STMT_STATS_CURVE);
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, STATS_POINTS_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cur.at = sqlite3_column_int64(st, 0);
		cur.signups += sqlite3_column_int64(st, 1);
		cur.cancels += sqlite3_column_int64(st, 2);
		cur.waiting += sqlite3_column_int64(st, 3);
		s->points[s->npoints++] = cur;
	}
	sqlite3_reset(st);
	if ((rc = db_rc_of(db, step, "reading the curves")) != DB_OK ||
	    (rc = figures(db, event_id, s, &waits)) != DB_OK)
		return rc;
	return median_wait(db, event_id, waits, &s->median_wait);
}

/*
 * v with one decimal into out, as "%.1f" would print it but in integer
 * steps: the floating-point printf was 60 % of the figures page with a
 * season's 600 steps per curve.
 */
static void put_tenths(struct arena_buf *out, double v)
{
	char buf[32], *p = buf + sizeof(buf);
	long t = (long)((v < 0 ? -v : v) * 10 + 0.5), neg = v < 0 && t != 0;

	*--p = (char)('0' + t % 10);
	*--p = '.';
	do {
		t /= 10;
		*--p = (char)('0' + t % 10);
	} while (t >= 10);
	if (neg)
		*--p = '-';
	arena_buf_put(out, p, (size_t)(buf + sizeof(buf) - p));
}

/* " x,y" into out, each with one decimal. */
static void put_point(struct arena_buf *out, double x, double y)
{
	arena_buf_put(out, " ", 1);
	put_tenths(out, x);
	arena_buf_put(out, ",", 1);
	put_tenths(out, y);
}

const char *stats_polyline(struct arena *a, const struct stats *s, enum stats_curve curve,
    int w, int h, int64_t t0, int64_t t1, int64_t vmax)
{
	struct arena_buf out = { .a = a };
	double span = t1 > t0 ? (double)(t1 - t0) : 1.0, top = vmax > 0 ? (double)vmax : 1.0;
	double x, y = h;
	char *pt;
	int i, merge = s->npoints > w;

	pt = arena_printf(a, "0,%d", h);
	arena_buf_put(&out, pt, strlen(pt));
	for (i = 0; i < s->npoints; i++) {
		int64_t v = curve == STATS_CANCELS ? s->points[i].cancels :
		    curve == STATS_WAITING ? s->points[i].waiting : s->points[i].signups;

		x = (double)(s->points[i].at - t0) * w / span;
		/*
		 * More points than pixels across: one step per pixel column, at
		 * the column's last value, with far fewer points to send.
		 */
		if (merge && i + 1 < s->npoints &&
		    (long)x == (long)((double)(s->points[i + 1].at - t0) * w / span))
			continue;
		/* A step: along at the old height, then up to the new one. */
		put_point(&out, x, y);
		y = h - (double)v * h / top;
		put_point(&out, x, y);
	}
	pt = arena_printf(a, " %d,", w);
	arena_buf_put(&out, pt, strlen(pt));
	put_tenths(&out, y);
	return out.buf;
}
