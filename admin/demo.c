#include <stdio.h>

#include "clock.h"
#include "demo.h"
#include "event.h"
#include "rsvp.h"
#include "token.h"

#define DAY (24 * 3600)
#define HOUR 3600

/* Midnight UTC, `days` from now, plus `hours`: stable, readable times. */
static int64_t at(int64_t now, int days, int hours)
{
	return now - now % DAY + (int64_t)days * DAY + (int64_t)hours * HOUR;
}

/*
 * Sign the chess club up through the real RSVP path: the tournament is
 * full and three players wait, so the waitlist has something to show.
 */
static enum db_rc demo_players(struct db *db)
{
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
	char form[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1], email[64];
	struct rsvp_outcome out;
	struct rsvp_input in = { .note = "", .guests = 0 };
	enum db_rc rc = DB_OK;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && rc == DB_OK; i++) {
		snprintf(email, sizeof(email), "player%zu@example.org", i + 1);
		in.name = names[i];
		in.email = email;
		token_form_new(form, clock_now(), "rsvp:chess-tournament");
		token_manage_of(form, manage);
		rc = rsvp_create(db, "chess-tournament", &in, form, manage, &out);
	}
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
		  .description = "Our first limited run of makerspace T-shirts: 30 shirts,"
		  " screen-printed in the space. Come and collect yours.",
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
	if ((rc = db_commit(db)) != DB_OK)
		return rc;
	return demo_players(db);
}
