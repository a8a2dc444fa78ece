#include <string.h>
#include <time.h>

#include "ics.h"

#define FOLD 75			/* octets per line, CRLF not counted */

/*
 * One content line "NAME:value", folded: a CRLF and a space before the
 * octet that would pass FOLD, moved back to the start of a UTF-8 character.
 */
static void line(struct arena_buf *o, const char *name, const char *value)
{
	char *l = arena_printf(o->a, "%s:%s", name, value);
	size_t n = strlen(l), at = 0, room = FOLD, take;

	while (n - at > room) {
		take = room;
		while (take > 0 && ((unsigned char)l[at + take] & 0xc0) == 0x80)
			take--;
		arena_buf_put(o, l + at, take);
		arena_buf_put(o, "\r\n ", 3);
		at += take;
		room = FOLD - 1;	/* the leading space counts */
	}
	arena_buf_put(o, l + at, n - at);
	arena_buf_put(o, "\r\n", 2);
}

/* TEXT value escaping: backslash, semicolon, comma and line breaks. */
static const char *text(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, 2 * strlen(s) + 1), *p = out;

	for (; *s != '\0'; s++) {
		if (*s == '\r')
			continue;	/* CRLF and LF both become one \n */
		if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
			continue;
		}
		if (strchr("\\;,", *s) != NULL)
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return out;
}

static const char *utc(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[20];

	strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", gmtime_r(&tt, &tm));
	return arena_strdup(a, buf);
}

char *ics_event(struct arena *a, const struct event *e, const char *url, const char *host,
    int64_t now)
{
	struct arena_buf o = { .a = a };

	line(&o, "BEGIN", "VCALENDAR");
	line(&o, "VERSION", "2.0");
	line(&o, "PRODID", "-//Turnout//Turnout event sign-ups//EN");
	line(&o, "CALSCALE", "GREGORIAN");
	line(&o, "METHOD", "PUBLISH");
	line(&o, "BEGIN", "VEVENT");
	line(&o, "UID", arena_printf(a, "event-%lld@%s", (long long)e->id, host));
	line(&o, "DTSTAMP", utc(a, now));
	line(&o, "DTSTART", utc(a, e->starts_at));
	if (e->ends_at != 0)
		line(&o, "DTEND", utc(a, e->ends_at));
	/* Calendars replace their copy when the sequence grows with each edit. */
	line(&o, "SEQUENCE", arena_printf(a, "%lld", (long long)(e->edit_version - 1)));
	line(&o, "SUMMARY", text(a, e->title));
	if (*e->description != '\0')
		line(&o, "DESCRIPTION", text(a, e->description));
	if (*e->location != '\0')
		line(&o, "LOCATION", text(a, e->location));
	line(&o, "URL", url);
	line(&o, "STATUS", e->status == EVENT_CANCELLED ? "CANCELLED" : "CONFIRMED");
	line(&o, "END", "VEVENT");
	line(&o, "END", "VCALENDAR");
	return o.buf;
}
