#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "event.h"
#include "history.h"
#include "hygiene.h"
#include "outbox.h"
#include "potluck.h"
#include "rsvp.h"
#include "score.h"
#include "token.h"

#define DAY (24 * 3600)

/* The generator's state: who signed up, and the pinned clock. */
struct hist {
	struct db *db;
	const char *slug;
	int64_t event_id;
	char (*manage)[TOKEN_MANAGE_HEX + 1];	/* by sign-up order */
	int64_t *ids;				/* rsvp ids, by sign-up order */
	int64_t now, step;			/* the clock, and its tick per change */
	struct arena *a;			/* each change's memory, emptied at each tick */
	long changes;
	int verbose;
};

/* Advance the pinned clock one tick; every HISTORY_DRAIN changes, deliver the mail. */
static int tick(struct hist *h)
{
	struct outbox_msg *msgs;
	enum db_rc rc;
	int n, taken;

	clock_set(h->now += h->step);
	arena_reset(h->a);
	if (++h->changes % HISTORY_DRAIN != 0)
		return 0;
	/* What turnout-worker does, without the SMTP server. */
	do {
		rc = outbox_claim(h->db, h->a, 60, 256, &msgs, &n);
		if (rc == DB_OK)
			rc = outbox_sent(h->db, msgs, n, &taken);
		arena_reset(h->a);
	} while (rc == DB_OK);
	if (rc != DB_NOTFOUND) {
		fprintf(stderr, "history: delivering the outbox failed (db_rc %d)\n", (int)rc);
		return -1;
	}
	if ((rc = hygiene_index(h->db, &n)) != DB_OK) {
		fprintf(stderr, "history: indexing the search failed (db_rc %d)\n", (int)rc);
		return -1;
	}
	return 0;
}

/* A fresh form token; "t" for purpose: the domain functions only hash it. */
static void form(char tok[TOKEN_FORM_HEX + 1])
{
	token_form_new(tok, clock_now(), "history");
}

/* Complain about rc from what, and fail. */
static int failed(const char *what, long i, enum db_rc rc)
{
	fprintf(stderr, "history: %s %ld failed (db_rc %d)\n", what, i, (int)rc);
	return -1;
}

static int past_events(struct hist *h)
{
	struct event e = { .title = "Past club night", .description = "Over.",
	    .location = "Club house", .status = EVENT_PUBLISHED, .capacity = 40 };
	char slug[EVENT_SLUG_MAX + 1];
	enum db_rc rc;
	long i;

	for (i = 0; i < HISTORY_PAST_EVENTS; i++) {
		snprintf(slug, sizeof(slug), "past-%ld", i + 1);
		e.slug = slug;
		e.starts_at = h->now - (HISTORY_PAST_EVENTS - i) * 2 * DAY;
		e.ends_at = e.starts_at + 3 * 3600;
		if ((rc = event_create(h->db, &e)) != DB_OK)
			return failed("creating past event", i, rc);
	}
	return 0;
}

static int sign_up(struct hist *h, long from, long to)
{
	struct rsvp_input in = { .note = "" };
	char tok[TOKEN_FORM_HEX + 1], name[40], email[64];
	struct rsvp_outcome out;
	enum db_rc rc;
	long i;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "Runner %ld", i + 1);
		snprintf(email, sizeof(email), "runner%ld@example.org", i + 1);
		in.name = name;
		in.email = email;
		form(tok);
		token_manage_of(tok, h->manage[i]);
		if ((rc = rsvp_create(h->db, h->a, h->slug, &in, tok, h->manage[i], &out)) != DB_OK)
			return failed("sign-up", i, rc);
		if (tick(h) != 0)
			return -1;
	}
	return 0;
}

static int items(struct hist *h, int64_t *first, long n)
{
	static const char *const names[] = { "Water", "Bananas", "Cups", "Flags" };
	struct item_input in = { .unit = "", .category = ITEM_FOOD, .suggested = 10000 };
	char name[40];
	enum db_rc rc;
	int64_t id;
	long i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s %ld", names[i % 4], i + 1);
		in.name = name;
		if ((rc = potluck_item_add(h->db, h->event_id, &in, NULL, &id)) != DB_OK)
			return failed("adding item", i, rc);
		if (i == 0)
			*first = id;
	}
	return 0;
}

/* Participant i (confirmed) pledges 1 + i % 3 of item first + i % nitems. */
static int pledge(struct hist *h, long i, int64_t first, long nitems)
{
	struct pledge_input p = { .item_id = first + i % nitems, .version = 0,
	    .quantity = 1 + i % 3 };
	char tok[TOKEN_FORM_HEX + 1];
	struct rsvp_outcome out;
	enum db_rc rc;

	form(tok);
	if ((rc = potluck_pledge(h->db, h->a, h->manage[i], &p, tok, &out)) != DB_OK)
		return failed("pledge", i, rc);
	return tick(h);
}

static int cancel(struct hist *h, long i)
{
	char tok[TOKEN_FORM_HEX + 1];
	struct rsvp_outcome out;
	enum db_rc rc;

	form(tok);
	if ((rc = rsvp_cancel(h->db, h->a, h->manage[i], tok, &out)) != DB_OK)
		return failed("cancellation", i, rc);
	return tick(h);
}

/* The id of sign-up i, read back through its manage link. */
static int64_t id_of(struct hist *h, long i)
{
	struct event e;
	struct rsvp r;

	return rsvp_get(h->db, h->a, h->manage[i], &r, &e) == DB_OK ? r.id : -1;
}

static int check_in(struct hist *h, long i)
{
	struct rsvp_outcome out;
	enum db_rc rc;
	int64_t id;

	if ((id = id_of(h, i)) < 0)
		return failed("finding participant", i, DB_NOTFOUND);
	if ((rc = rsvp_admin_act(h->db, h->a, h->event_id, id, RSVP_CHECK_IN, "door", &out)) != DB_OK)
		return failed("check-in", i, rc);
	return tick(h);
}

int history_make(struct db *db, const char *slug, int scale, int verbose)
{
	long total = 100000 / scale, confirmed = 60000 / scale, pledges = 20000 / scale;
	long cancels = 8000 / scale, nitems = 40, i, k;
	struct arena *a = arena_new();
	struct hist h = { .db = db, .slug = slug, .verbose = verbose, .a = a };
	int64_t first_item = 0;
	struct event e;
	int rc = -1;

	if (scale < 1 || event_get(db, a, slug, &e) != DB_OK) {
		fprintf(stderr, "history: no event %s\n", slug);
		goto out;
	}
	h.event_id = e.id;
	if ((h.manage = calloc((size_t)total, sizeof(*h.manage))) == NULL)
		goto out;
	/* Every change one tick, the last one now. */
	h.step = (int64_t)HISTORY_DAYS * DAY / (total + pledges + cancels + cancels / 4 + 1);
	h.now = clock_now() - (int64_t)HISTORY_DAYS * DAY;
	clock_set(h.now);
	if (past_events(&h) != 0 || event_set_capacity(db, a, slug, confirmed) != DB_OK ||
	    items(&h, &first_item, nitems) != 0)
		goto out;
	if (verbose)
		fprintf(stderr, "history: %ld sign-ups to %s\n", total, slug);
	if (sign_up(&h, 0, confirmed) != 0)
		goto out;
	/* The waitlist grows while the confirmed pledge. */
	for (i = confirmed, k = 0; i < total; i++) {
		if (sign_up(&h, i, i + 1) != 0)
			goto out;
		if (k < pledges && i % 2 == 0 && pledge(&h, k++, first_item, nitems) != 0)
			goto out;
	}
	for (; k < pledges; k++)
		if (pledge(&h, k, first_item, nitems) != 0)
			goto out;
	if (verbose)
		fprintf(stderr, "history: %ld cancellations, %ld check-ins\n", cancels,
		    cancels / 4);
	/* Three of four from the confirmed (each promotes one), one from the waitlist. */
	for (i = 0; i < cancels; i++)
		if (cancel(&h, i % 4 != 3 ? confirmed - 1 - i : total - 1 - i) != 0)
			goto out;
	for (i = 0; i < cancels / 4; i++)
		if (check_in(&h, i) != 0)
			goto out;
	h.changes = HISTORY_DRAIN - 1;	/* deliver the rest */
	rc = tick(&h);
out:
	clock_set(0);
	free(h.manage);
	arena_free(a);
	return rc;
}

/* Racer i's finish time in ms: 15 to 60 minutes, scattered (an LCG), some ties. */
static int64_t finish_time(long i)
{
	uint64_t x = (uint64_t)i * 6364136223846793005u + 1442695040888963407u;

	return 15 * 60000 + (int64_t)((x >> 33) % (45 * 600)) * 100;
}

int history_competition(struct db *db, const char *slug, int scale, int verbose)
{
	long entries = HISTORY_ENTRIES / scale, times = HISTORY_TIMES / scale;
	long fixes = HISTORY_FIXES / scale, i;
	struct arena *a = arena_new(), *keep = arena_new();	/* a: each change's, emptied by tick() */
	struct hist h = { .db = db, .slug = slug, .verbose = verbose, .a = a };
	struct score_input sc = { .source = SCORE_SCOREKEEPER, .actor = "finish line" };
	struct rsvp_input in = { .note = "" };
	char tok[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1], name[40], email[64];
	struct score_outcome out;
	struct rsvp_outcome ro;
	struct competition c;
	struct event e, ev;
	struct rsvp r;
	enum db_rc rc;
	int rcode = -1;

	if (scale < 1 || event_get(db, keep, slug, &e) != DB_OK ||
	    score_competition(db, keep, e.id, &c) != DB_OK || c.kind != SCORE_TIME) {
		fprintf(stderr, "history: %s is no race (a competition of times)\n", slug);
		goto out;
	}
	h.event_id = e.id;
	h.now = clock_now();
	if ((h.ids = calloc((size_t)entries, sizeof(*h.ids))) == NULL ||
	    event_set_capacity(db, a, slug, e.confirmed + entries) != DB_OK)
		goto out;
	if (verbose)
		fprintf(stderr, "history: %ld entrants, %ld times, %ld corrections at %s\n",
		    entries, times, fixes, slug);
	for (i = 0; i < entries; i++) {
		snprintf(name, sizeof(name), "Racer %ld", i + 1);
		snprintf(email, sizeof(email), "racer%ld@example.org", i + 1);
		in.name = name;
		in.email = email;
		in.division_id = c.ndivisions > 0 ? c.divisions[i % c.ndivisions].id : 0;
		form(tok);
		token_manage_of(tok, manage);
		if ((rc = rsvp_create(db, a, slug, &in, tok, manage, &ro)) != DB_OK ||
		    (rc = rsvp_get(db, a, manage, &r, &ev)) != DB_OK) {
			failed("entrant", i, rc);
			goto out;
		}
		h.ids[i] = r.id;
		if (tick(&h) != 0)
			goto out;
	}
	/* The finish line: times as the runners come in, a few typed wrong. */
	for (i = 0; i < times; i++) {
		sc.entry_id = h.ids[i];
		sc.value = finish_time(i) + (i < fixes ? 60000 : 0);
		if ((rc = score_submit(db, a, e.id, &sc, NULL, NULL, &out)) != DB_OK) {
			failed("finish time", i, rc);
			goto out;
		}
		if (i < fixes) {
			sc.value = finish_time(i);
			if ((rc = score_void(db, a, e.id, out.score_id, "misread", sc.actor, &sc,
			    NULL, &out)) != DB_OK) {
				failed("correction", i, rc);
				goto out;
			}
		}
		if (tick(&h) != 0)
			goto out;
	}
	h.changes = HISTORY_DRAIN - 1;
	rcode = tick(&h);
out:
	clock_set(0);
	free(h.ids);
	arena_free(a);
	arena_free(keep);
	return rcode;
}
