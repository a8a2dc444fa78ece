#ifndef TURNOUT_TZ_H
#define TURNOUT_TZ_H

#include <stdint.h>

#include "arena.h"

/*
 * The site's time zone (config key timezone): admins enter and see times
 * in it, the database keeps UTC. The zone is the process's TZ, so
 * localtime_r() and these functions agree.
 */
#define TZ_LOCAL_LEN 16			/* "2026-12-05T10:00" */

/* Make name (e.g. "Europe/Berlin", checked by config) the process's zone. */
void tz_set(const char *name);

/*
 * Parse "YYYY-MM-DDTHH:MM" (what <input type="datetime-local"> sends) as a
 * wall-clock time in the site's zone into unix seconds. Deterministic at
 * DST changes: a time that does not exist (the spring gap) moves forward
 * by the gap (02:30 becomes 03:30); a time that exists twice (the autumn
 * overlap) is the earlier one. Returns 0, or -1 if s is malformed or not
 * a real date.
 */
int tz_parse_local(const char *s, int64_t *out);

/* t as "YYYY-MM-DDTHH:MM" in the site's zone, into out. */
void tz_format_local(int64_t t, char out[TZ_LOCAL_LEN + 1]);

/* Human date and time in the site's time zone, e.g. "Sat 5 Dec 2026, 10:00". */
const char *tz_human(struct arena *a, int64_t t);
/* The site's zone as configured: "Europe/Berlin" ("UTC" if none was set). */
const char *tz_zone_name(void);
/*
 * t for a page or e-mail that names the zone: "Fri 4 Dec, 18:00
 * (Europe/Berlin)"; the year shows when it is not now's year.
 */
const char *tz_human_zone(struct arena *a, int64_t t, int64_t now);
/* When an event ends: only the time if it ends on the day it starts. */
const char *tz_until(struct arena *a, int64_t starts, int64_t ends);
/* Machine time for <time datetime>: "2026-12-05T10:00:00Z". */
const char *tz_iso(struct arena *a, int64_t t);

#endif
