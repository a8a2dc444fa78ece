#ifndef TURNOUT_BENCH_HISTORY_H
#define TURNOUT_BENCH_HISTORY_H

#include "db.h"

/*
 * A season's history for one event, made through the site's own
 * functions (rsvp_create, rsvp_cancel, potluck_pledge, rsvp_admin_act,
 * outbox_claim/outbox_sent as the worker does, event_create), so every
 * trigger, counter, log and outbox row is what the site itself writes.
 * At scale 1 (issue 14's shape):
 *
 *   - PAST_EVENTS published events that are over (the archive);
 *   - the event's capacity raised to 60 000 spots, then 100 000 sign-ups
 *     (60 000 confirmed, 40 000 waitlisted), 20 000 pledges on 40 items
 *     by confirmed participants, 8 000 cancellations (6 000 confirmed,
 *     which promote 6 000 from the waitlist, and 2 000 waitlisted), 2 000
 *     check-ins: 60 000 confirmed, 32 000 waitlisted, 8 000 cancelled;
 *   - ~116 000 log rows and 114 000 e-mails, all delivered ("sent"), the
 *     worker's way, every HISTORY_DRAIN changes;
 *   - the changes spread over the last HISTORY_DAYS days (the clock is
 *     pinned as it goes, and unpinned at the end), so that the form tokens
 *     of the last day (~20 000) are still kept and older ones purged.
 *
 * scale divides every count but PAST_EVENTS (1: the full season; the plan
 * test uses a small one). The event slug must exist, be published, take
 * no guests, be no competition and be open for RSVPs over those days
 * (bench/pages.sh adds season-run). The token module must be initialised with the site secret.
 * Progress goes to stderr when verbose. Returns 0, or -1 (said on stderr).
 */
#define HISTORY_PAST_EVENTS 200
#define HISTORY_DAYS 6
#define HISTORY_DRAIN 512

int history_make(struct db *db, const char *slug, int scale, int verbose);

/*
 * The season's race: competition slug (a race of times, such as the
 * demo's fun run) gets HISTORY_ENTRIES / scale more entrants (its capacity
 * raised to fit, the divisions in turn) through rsvp_create, and a
 * scorekeeper's finish times for HISTORY_TIMES / scale of them through
 * score_submit, the first HISTORY_FIXES / scale typed a minute wrong and
 * corrected with score_void; their e-mails delivered. Returns 0, or -1
 * (said on stderr).
 */
#define HISTORY_ENTRIES 1500
#define HISTORY_TIMES 1350
#define HISTORY_FIXES 30

int history_competition(struct db *db, const char *slug, int scale, int verbose);

#endif
