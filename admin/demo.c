#include <stdio.h>

#include "clock.h"
#include "demo.h"
#include "drop.h"
#include "event.h"
#include "potluck.h"
#include "rsvp.h"
#include "score.h"
#include "token.h"

#define DAY (24 * 3600)
#define HOUR 3600

/* Midnight UTC, `days` from now, plus `hours`: stable, readable times. */
static int64_t at(int64_t now, int days, int hours)
{
	return now - now % DAY + (int64_t)days * DAY + (int64_t)hours * HOUR;
}

/*
 * RSVP through the real path, with pledges made in the same transaction
 * (and for a competition, an entry in division_id, 0: none).
 */
static enum db_rc demo_rsvp(struct db *db, struct arena *a, const char *slug, const char *name,
    const char *email, const struct pledge_input *pledges, int npledges,
    int64_t division_id)
{
	char form[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1], purpose[80];
	struct rsvp_input in = { .name = name, .email = email, .note = "",
	    .pledges = pledges, .npledges = npledges, .division_id = division_id };
	struct rsvp_outcome out;

	snprintf(purpose, sizeof(purpose), "rsvp:%s", slug);
	token_form_new(form, clock_now(), purpose);
	token_manage_of(form, manage);
	return rsvp_create(db, a, slug, &in, form, manage, &out);
}

/* A demo competition, signed up and scored through the site's own functions. */
struct demo_competition {
	const char *slug, *email;		/* entrant i's address: EMAIL(i + 1)@example.org */
	struct competition rules;
	const char *const *divisions;
	int ndivisions;
	const char *const *names;		/* entrant i plays in division i % ndivisions */
	size_t nnames;
	int64_t (*value)(size_t i);		/* score i (thousandths), for bib i % bibs + 1 */
	size_t nscores, bibs;
};

/*
 * Make d.slug a competition with d's rules and divisions, sign d's names
 * up through the real RSVP path and enter its scores as a scorekeeper.
 */
static enum db_rc demo_competition(struct db *db, const struct demo_competition *d)
{
	struct score_input in = { .source = SCORE_SCOREKEEPER, .actor = "demo" };
	struct score_outcome out;
	struct competition got;
	struct arena *a = arena_new();
	struct event e;
	enum db_rc rc;
	char email[64];
	size_t i;

	if ((rc = score_setup(db, a, d->slug, &d->rules, d->divisions, d->ndivisions)) == DB_OK &&
	    (rc = event_get(db, a, d->slug, &e)) == DB_OK)
		rc = score_competition(db, a, e.id, &got);
	for (i = 0; i < d->nnames && rc == DB_OK; i++) {
		snprintf(email, sizeof(email), "%s%zu@example.org", d->email, i + 1);
		rc = demo_rsvp(db, a, d->slug, d->names[i], email, NULL, 0,
		    got.divisions[i % (size_t)d->ndivisions].id);
	}
	for (i = 0; i < d->nscores && rc == DB_OK; i++) {
		in.bib = (int64_t)(i % d->bibs) + 1;
		in.value = d->value(i);
		rc = score_submit(db, a, e.id, &in, NULL, NULL, &out);
	}
	arena_free(a);
	return rc;
}

/* A chess game's points: 1 a win, 0.5 a draw, 0 a loss, in a fixed pattern. */
static int64_t chess_points(size_t i)
{
	static const int64_t points[] = { 1000, 500, 0 };

	return points[(i + i / 20 + i / 7) % 3];
}

/*
 * The chess tournament is a competition: points (1 a win, 0.5 a draw),
 * ranked by the total of seven rounds, with an Open and a Women's
 * division. Sign the club up through the real RSVP path (the tournament
 * is full and three players wait, so the waitlist has something to show)
 * and score the first two rounds for the first twenty bibs, so the
 * leaderboard has something too. The names alternate: the odd ones play in
 * the Women's division.
 */
static enum db_rc demo_players(struct db *db)
{
	static const char *const divisions[] = { "Open", "Women" };
	static const char *const names[] = {
		"Magnus Berg", "Judit Hollo", "Anand Rao", "Vera Menchik", "Paul Morphy",
		"Sonja Graf", "Mikhail Tal", "Nona Gaprindashvili", "Jose Capablanca",
		"Lisa Lane", "Emanuel Lasker", "Maia Chiburdanidze", "Bobby Fischer",
		"Susan Polgar", "Tigran Petrosian", "Elisabeth Paehtz", "Boris Spassky",
		"Hou Yifan", "Garry Kasparov", "Pia Cramling", "Anatoly Karpov",
		"Xie Jun", "Viktor Korchnoi", "Alexandra Kosteniuk", "Vasily Smyslov",
		"Ju Wenjun", "Mikhail Botvinnik", "Zsuzsa Polgar", "Alexander Alekhine",
		"Humpy Koneru", "Max Euwe", "Kateryna Lagno", "Wilhelm Steinitz",
		"Anna Muzychuk", "Akiba Rubinstein",
	};
	const struct demo_competition d = {
		.slug = "chess-tournament", .email = "player",
		.rules = { .kind = SCORE_POINTS, .rule = SCORE_TOTAL, .rounds = 7, .unit = "" },
		.divisions = divisions, .ndivisions = 2,
		.names = names, .nnames = sizeof(names) / sizeof(names[0]),
		.value = chess_points, .nscores = 40, .bibs = 20,
	};

	return demo_competition(db, &d);
}

/* Finish times of the fun run's first bibs, in milliseconds (bib 1 first). */
static const int64_t run_times[] = {
	1314200, 1652900, 1780400, 2105700, 1548100, 1923300, 2476800, 1699500,
	1402600, 2231000, 1866200, 2980400, 1590700, 2044100, 1745300, 2612900,
	1488000, 1979600, 2327200, 1821500,
};

static int64_t run_time(size_t i)
{
	return run_times[i];
}

/*
 * The 5 km fun run is a race: finish times (lower is better), the best
 * single time (one run each), in three divisions. 26 runners signed up
 * (places stay for more: the run has 50), 20 of them have a time.
 */
static enum db_rc demo_runners(struct db *db)
{
	static const char *const divisions[] = { "Open", "Women", "Over 50" };
	static const char *const names[] = {
		"Tom Okafor", "Ines Duarte", "Walter Brandt", "Sam Kerr", "Lena Vogt",
		"Hugh Barrow", "Ravi Menon", "Mia Lindqvist", "Gerd Hansen", "Omar Haddad",
		"Clara Jensen", "Ruth Adler", "Leo Martin", "Aiko Tanaka", "Piet de Vries",
		"Dan Byrne", "Zoe Clarke", "Margit Szabo", "Yusuf Demir", "Ella Moreau",
		"Bernd Koch", "Finn Walsh", "Noor Ahmed", "Ilse Weber", "Jack Doyle",
		"Sofia Rossi",
	};
	const struct demo_competition d = {
		.slug = "fun-run-5k", .email = "runner",
		.rules = { .kind = SCORE_TIME, .rule = SCORE_BEST, .rounds = 1, .unit = "" },
		.divisions = divisions, .ndivisions = 3,
		.names = names, .nnames = sizeof(names) / sizeof(names[0]),
		.value = run_time, .nscores = sizeof(run_times) / sizeof(run_times[0]),
		.bibs = sizeof(run_times) / sizeof(run_times[0]),
	};

	return demo_competition(db, &d);
}

/*
 * The picnic's sheet: what it needs, with a capped grill and units, and
 * two neighbours' pledges, so the bars and names have something to show.
 */
static enum db_rc demo_potluck(struct db *db)
{
	static const struct item_input items[] = {
		{ "Sausages", "", ITEM_FOOD, 24, 0 },
		{ "Potato salad", "bowls", ITEM_FOOD, 3, 0 },
		{ "Fruit", "bowls", ITEM_FOOD, 4, 0 },
		{ "Coca-Cola", "litres", ITEM_DRINK, 10, 0 },
		{ "Lemonade", "bottles", ITEM_DRINK, 6, 0 },
		{ "Grill", "", ITEM_UTENSIL, 1, 1 },
		{ "Paper plates", "packs", ITEM_UTENSIL, 4, 0 },
		{ "Bunting", "strings", ITEM_DECORATION, 2, 1 },
	};
	int64_t id[sizeof(items) / sizeof(items[0])];
	struct arena *a = arena_new();
	struct pledge_input nora[2], omar[1];
	enum db_rc rc;
	struct event e;
	size_t i;

	rc = event_get(db, a, "potluck-picnic", &e);
	for (i = 0; i < sizeof(items) / sizeof(items[0]) && rc == DB_OK; i++)
		rc = potluck_item_add(db, e.id, &items[i], NULL, &id[i]);
	/* Versions 0: a form from before anything was pledged. */
	nora[0] = (struct pledge_input){ id[0], 0, 12 };
	nora[1] = (struct pledge_input){ id[5], 0, 1 };
	omar[0] = (struct pledge_input){ id[3], 0, 4 };
	if (rc == DB_OK)
		rc = demo_rsvp(db, a, "potluck-picnic", "Nora Jensen", "nora@example.org",
		    nora, 2, 0);
	if (rc == DB_OK)
		rc = demo_rsvp(db, a, "potluck-picnic", "Omar Haddad", "omar@example.org",
		    omar, 1, 0);
	arena_free(a);
	return rc;
}

/*
 * The T-shirt drop: three sizes, and a few shirts already claimed through
 * the real hold and claim path, so the stock, the activity feed and the
 * organiser's list have something to show.
 */
static enum db_rc demo_drop(struct db *db)
{
	static const struct { const char *size; int stock; } sizes[] = {
		{ "S", 8 }, { "M", 12 }, { "L", 10 },
	};
	static const struct { const char *name, *email; int size, quantity; } claims[] = {
		{ "Ada Lovelace", "ada@example.org", 1, 2 },
		{ "Grace Hopper", "grace@example.org", 0, 1 },
		{ "Alan Turing", "alan@example.org", 2, 1 },
	};
	const struct drop_settings s = { .per_person = 2, .hold_seconds = 60, .renewals = 2,
	    .pickup = "Collect your shirt at the makerspace on the evening of the event;"
	    " pay €15 in cash or by card when you collect it." };
	int64_t item, variant[sizeof(sizes) / sizeof(sizes[0])];
	struct arena *a = arena_new();
	struct drop_outcome held, out;
	enum db_rc rc;
	struct event e;
	size_t i;

	if ((rc = drop_configure(db, "tshirt-drop", &s)) == DB_OK &&
	    (rc = event_get(db, a, "tshirt-drop", &e)) == DB_OK)
		rc = drop_item_add(db, e.id, "Makerspace T-shirt", "€15, pay at pick-up",
		    "Organic cotton, black, with the makerspace logo screen-printed in white.",
		    &item);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && rc == DB_OK; i++)
		rc = drop_variant_add(db, e.id, item, sizes[i].size, sizes[i].stock, &variant[i]);
	for (i = 0; i < sizeof(claims) / sizeof(claims[0]) && rc == DB_OK; i++) {
		struct hold_input in = { variant[claims[i].size], claims[i].quantity,
		    claims[i].name, claims[i].email, NULL };

		if ((rc = drop_hold(db, a, "tshirt-drop", &in, NULL, &held)) == DB_OK)
			rc = drop_claim(db, a, held.token, NULL, &out);
	}
	arena_free(a);
	return rc;
}

enum db_rc demo_load(struct db *db)
{
	int64_t now = clock_now();
	const struct event events[] = {
		{ .slug = "potluck-picnic", .title = "Neighbourhood potluck picnic",
		  .description = "Bring a dish, a blanket and your neighbours. We share"
		  " food, drinks and a long afternoon in the park. Sign up below and say"
		  " what you'll bring, so we don't end up with twelve potato salads.",
		  .location = "Linden Park, by the bandstand",
		  .starts_at = at(now, 9, 12), .ends_at = at(now, 9, 17),
		  .status = EVENT_PUBLISHED, .capacity = 80, .max_guests = 4 },
		{ .slug = "fun-run-5k", .title = "5 km fun run",
		  .description = "A friendly 5 km loop along the river for runners and"
		  " walkers of every pace. Water and bananas at the finish.",
		  .location = "Riverside boathouse",
		  .starts_at = at(now, 5, 9), .ends_at = at(now, 5, 11),
		  .status = EVENT_PUBLISHED, .capacity = 50, .max_guests = 0,
		  .rsvp_closes_at = at(now, 4, 18) },
		{ .slug = "chess-tournament", .title = "Chess club rapid tournament",
		  .description = "Seven rounds of 15+10 rapid chess, Swiss system."
		  " Scores go on the leaderboard after every round.",
		  .location = "Community centre, room 2",
		  .starts_at = at(now, 16, 10), .ends_at = at(now, 16, 18),
		  .status = EVENT_PUBLISHED, .capacity = 32, .max_guests = 0,
		  .rsvp_closes_at = at(now, 14, 20) },
		{ .slug = "tshirt-drop", .title = "Makerspace T-shirt drop",
		  .description = "Our first limited run of makerspace T-shirts: 30 shirts"
		  " in three sizes, screen-printed in the space. Hold one, claim it, and"
		  " collect it on the evening.",
		  .location = "Makerspace, unit 4",
		  .starts_at = at(now, 12, 18), .ends_at = at(now, 12, 20),
		  .status = EVENT_PUBLISHED, .capacity = -1, .max_guests = 1 },
		{ .slug = "committee-meeting", .title = "Committee meeting (draft)",
		  .description = "Planning the spring programme.",
		  .location = "Community centre, room 1",
		  .starts_at = at(now, 20, 19), .ends_at = 0,
		  .status = EVENT_DRAFT, .capacity = 12, .max_guests = 0 },
		{ .slug = "spring-cleanup", .title = "Spring clean-up of the park",
		  .description = "Gloves and bags provided. Thank you to everyone who came!",
		  .location = "Linden Park, main gate",
		  .starts_at = at(now, -30, 9), .ends_at = at(now, -30, 12),
		  .status = EVENT_PUBLISHED, .capacity = 40, .max_guests = 2 },
	};
	enum db_rc rc;
	size_t i;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if ((rc = event_create(db, &events[i])) != DB_OK) {
			db_rollback(db);
			return rc;
		}
	if ((rc = db_commit(db)) != DB_OK || (rc = demo_players(db)) != DB_OK ||
	    (rc = demo_runners(db)) != DB_OK)
		return rc;
	if ((rc = demo_potluck(db)) != DB_OK)
		return rc;
	return demo_drop(db);
}
