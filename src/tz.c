#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tz.h"

void tz_set(const char *name)
{
	setenv("TZ", name, 1);
	tzset();
}

/* 1 if t, shown in the site's zone, is the wall-clock time w. */
static int shows_as(time_t t, const struct tm *w)
{
	struct tm l;

	localtime_r(&t, &l);
	return l.tm_year == w->tm_year && l.tm_mon == w->tm_mon && l.tm_mday == w->tm_mday &&
	    l.tm_hour == w->tm_hour && l.tm_min == w->tm_min;
}

/* The zone's offset from UTC (seconds east) at time t. */
static long offset_at(time_t t)
{
	struct tm l;

	localtime_r(&t, &l);
	return l.tm_gmtoff;
}

int tz_parse_local(const char *s, int64_t *out)
{
	struct tm w, check;
	time_t as_utc, before, after;
	int y, mo, d, h, mi, n = 0;

	if (strlen(s) != TZ_LOCAL_LEN ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 ||
	    n != TZ_LOCAL_LEN || strspn(s, "0123456789-T:") != TZ_LOCAL_LEN ||
	    y < 1970 || y > 9999)
		return -1;
	memset(&w, 0, sizeof(w));
	w.tm_year = y - 1900;
	w.tm_mon = mo - 1;
	w.tm_mday = d;
	w.tm_hour = h;
	w.tm_min = mi;
	/* timegm() normalises 31 February into March: refuse what moved. */
	check = w;
	as_utc = timegm(&check);
	if (check.tm_mon != w.tm_mon || check.tm_mday != w.tm_mday ||
	    check.tm_hour != w.tm_hour || check.tm_min != w.tm_min)
		return -1;
	/*
	 * No mktime(): its choice at DST changes is unspecified. The offsets
	 * a day either side are the only candidates (zones change at most
	 * once a day); the earlier instant that shows as w wins.
	 */
	before = as_utc - offset_at(as_utc - 86400);
	after = as_utc - offset_at(as_utc + 86400);
	if (before > after) {
		time_t tmp = before;

		before = after;
		after = tmp;
	}
	if (shows_as(before, &w))
		*out = before;
	else if (shows_as(after, &w))
		*out = after;
	else	/* in the gap: with the offset from before it, i.e. moved forward */
		*out = as_utc - offset_at(as_utc - 86400);
	return 0;
}

void tz_format_local(int64_t t, char out[TZ_LOCAL_LEN + 1])
{
	time_t tt = (time_t)t;
	struct tm l;

	localtime_r(&tt, &l);
	strftime(out, TZ_LOCAL_LEN + 1, "%Y-%m-%dT%H:%M", &l);
}

/* t for people (the site's zone) or, with iso set, for machines (UTC). */
static const char *fmt_time(struct arena *a, int64_t t, int iso)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	if (iso)
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	else
		strftime(buf, sizeof(buf), "%a %-d %b %Y, %H:%M", localtime_r(&tt, &tm));
	return arena_strdup(a, buf);
}

const char *tz_human(struct arena *a, int64_t t)
{
	return fmt_time(a, t, 0);
}

const char *tz_zone_name(void)
{
	const char *name = getenv("TZ");

	return name != NULL && *name != '\0' ? name : "UTC";
}

/* Instants x and y in the site's zone. */
static void local_pair(int64_t x, int64_t y, struct tm *lx, struct tm *ly)
{
	time_t tx = (time_t)x, ty = (time_t)y;

	localtime_r(&tx, lx);
	localtime_r(&ty, ly);
}

const char *tz_human_zone(struct arena *a, int64_t t, int64_t now)
{
	struct tm tm, tmn;
	char buf[64];

	local_pair(t, now, &tm, &tmn);
	strftime(buf, sizeof(buf), tm.tm_year == tmn.tm_year ? "%a %-d %b, %H:%M" :
	    "%a %-d %b %Y, %H:%M", &tm);
	return arena_printf(a, "%s (%s)", buf, tz_zone_name());
}

const char *tz_until(struct arena *a, int64_t starts, int64_t ends)
{
	struct tm ts, te;
	char buf[16];

	local_pair(starts, ends, &ts, &te);
	if (ts.tm_year != te.tm_year || ts.tm_yday != te.tm_yday)
		return tz_human(a, ends);
	strftime(buf, sizeof(buf), "%H:%M", &te);
	return arena_strdup(a, buf);
}

const char *tz_iso(struct arena *a, int64_t t)
{
	return fmt_time(a, t, 1);
}
