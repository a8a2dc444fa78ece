#ifndef TURNOUT_ICS_H
#define TURNOUT_ICS_H

#include <stdint.h>

#include "arena.h"
#include "event.h"

/*
 * The event as an iCalendar file (RFC 5545): one VEVENT in a VCALENDAR,
 * times in UTC, text escaped, lines folded at 75 octets (never inside a
 * UTF-8 character), CRLF line ends. url is the event page, host names
 * the UID's domain, now is DTSTAMP. Allocated in a.
 */
char *ics_event(struct arena *a, const struct event *e, const char *url, const char *host,
    int64_t now);

#endif
