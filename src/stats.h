#ifndef TURNOUT_STATS_H
#define TURNOUT_STATS_H

#include <stdint.h>

#include "arena.h"
#include "db.h"

/*
 * Buckets drawn: an event has about 600 (event_curve); more come from
 * moving its start far out, or from sign-ups long after it.
 */
#define STATS_POINTS_MAX 5000

/* One moment of the curves: totals at the end of the bucket starting at `at`. */
struct stats_point {
	int64_t at;
	int64_t signups, cancels;	/* parties, cumulative */
	int64_t waiting;		/* parties on the waitlist then */
};

/* The curves of the figures page. */
enum stats_curve { STATS_SIGNUPS, STATS_CANCELS, STATS_WAITING, STATS_CURVE__MAX };

/* An event's figures, from the counters the log's and rsvp's triggers keep. */
struct stats {
	int64_t signups;		/* parties that signed up */
	int64_t direct;			/* ... confirmed at once */
	int64_t waitlisted;		/* ... that joined the waitlist */
	int64_t promoted;		/* waitlisted parties later confirmed */
	int64_t cancels;		/* cancellations (and removals) */
	int64_t confirmed_now;		/* parties confirmed now */
	int64_t checked_in;		/* of them, checked in */
	int64_t median_wait;		/* seconds from waitlist to promotion; -1: none */
	int64_t people;			/* addresses that signed up */
	int64_t returning;		/* of them, signed up to another event before */
	struct stats_point *points;	/* in time order, in the arena */
	int npoints;
};

/* The counters of event event_id only: no curves, no median wait (a public page's). */
enum db_rc stats_totals(struct db *db, int64_t event_id, struct stats *s);

/*
 * Who comes back, across all events: *people, the addresses that ever
 * signed up; *returning, the sign-ups to an event from an address that
 * had signed up to another one before.
 */
enum db_rc stats_site(struct db *db, int64_t *people, int64_t *returning);

/* The figures of event event_id, allocated in a. */
enum db_rc stats_get(struct db *db, struct arena *a, int64_t event_id, struct stats *s);

/*
 * A curve as SVG polyline points "x,y x,y ..." in a w x h box, time from
 * t0 to t1 left to right, 0 to vmax bottom to top, drawn as steps (with
 * more points than w, one step per pixel column, at the column's last
 * value). Allocated in a.
 */
const char *stats_polyline(struct arena *a, const struct stats *s, enum stats_curve curve,
    int w, int h, int64_t t0, int64_t t1, int64_t vmax);

#endif
