/*
 * Competitions on a real database file: value parsing and formatting,
 * entries (bibs, divisions), aggregates kept by triggers (insert, void,
 * correction), ranks with ties under each rule and kind, idempotency by
 * form token and by Idempotency-Key (replay, other body, expiry after
 * 24 h), and API tokens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "event.h"
#include "hygiene.h"
#include "rsvp.h"
#include "score.h"
#include "testdb.h"
#include "token.h"

#define NOW 1800000000

struct fixture {
	struct testdb t;
	int entrants;
};

static struct fixture *F;

/* A published event "cup" (capacity 4) made a competition of kind and rule. */
static void open_cup(void **state, enum score_kind kind, enum score_rule rule,
    int ndiv)
{
	static const char *const divisions[] = { "Open", "Under 16" };
	struct fixture *f = test_calloc(1, sizeof(*f));
	struct event e = {
		.slug = "cup", .title = "Cup", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 4,
	};
	struct competition c = { .kind = kind, .rule = rule, .rounds = 5, .unit = "m" };

	testdb_open_event(&f->t, NOW, &e);
	assert_int_equal(score_setup(f->t.db, f->t.a, "cup", &c, divisions, ndiv), DB_OK);
	*state = F = f;
}

static int setup_points(void **state)
{
	open_cup(state, SCORE_POINTS, SCORE_TOTAL, 0);
	return 0;
}

static int setup_divisions(void **state)
{
	open_cup(state, SCORE_POINTS, SCORE_BEST, 2);
	return 0;
}

static int64_t event_id(void)
{
	return testdb_int(F->t.db, "SELECT id FROM event WHERE slug = 'cup'");
}

/* Register name (division index div, -1: none); returns the rc, *id the entry. */
static enum db_rc enter(const char *name, int div, int64_t *id)
{
	char form[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1], email[64], sql[128];
	struct rsvp_input in = { .name = name, .note = "" };
	struct rsvp_outcome out;
	enum db_rc rc;

	snprintf(email, sizeof(email), "%s@example.org", name);
	for (char *p = email; *p != '\0'; p++)
		if (*p == ' ')
			*p = '.';
	in.email = email;
	if (div >= 0) {
		/* 999: a division that does not exist. */
		snprintf(sql, sizeof(sql), "SELECT coalesce((SELECT id FROM division"
		    " ORDER BY position LIMIT 1 OFFSET %d), 999)", div);
		in.division_id = testdb_int(F->t.db, sql);
	}
	testdb_tokens(form, manage);
	rc = rsvp_create(F->t.db, F->t.a, "cup", &in, form, manage, &out);
	*id = rc == DB_OK ? testdb_int(F->t.db, "SELECT max(id) FROM rsvp") : 0;
	return rc;
}

static int64_t enter_ok(const char *name, int div)
{
	int64_t id;

	assert_int_equal(enter(name, div, &id), DB_OK);
	return id;
}

/* A scorekeeper's score for entry id (round 0: the next). */
static enum db_rc submit(int64_t id, int64_t value, int round, struct score_outcome *out)
{
	struct score_input in = {
		.entry_id = id, .value = value, .round = round, .source = SCORE_SCOREKEEPER,
		.actor = "keeper",
	};

	return score_submit(F->t.db, F->t.a, event_id(), &in, NULL, NULL, out);
}

static void submit_ok(int64_t id, int64_t value)
{
	struct score_outcome out;

	assert_int_equal(submit(id, value, 0, &out), DB_OK);
}

/* Every entry's aggregates equal those computed from its live scores. */
static void assert_aggregates_exact(void)
{
	assert_int_equal(testdb_int(F->t.db,
	    "SELECT count(*) FROM entry e WHERE e.scores <> (SELECT count(*) FROM score s"
	    " WHERE s.entry_id = e.rsvp_id AND s.voided_at IS NULL)"
	    " OR e.total <> (SELECT coalesce(sum(value), 0) FROM score s"
	    " WHERE s.entry_id = e.rsvp_id AND s.voided_at IS NULL)"
	    " OR e.best IS NOT (SELECT iif(c.kind = 'time', min(s.value), max(s.value))"
	    " FROM score s JOIN competition c ON c.event_id = s.event_id"
	    " WHERE s.entry_id = e.rsvp_id AND s.voided_at IS NULL)"), 0);
}

static void test_parse_points(void **state)
{
	int64_t v;

	(void)state;
	assert_null(score_parse(SCORE_POINTS, "12", &v));
	assert_int_equal(v, 12000);
	assert_null(score_parse(SCORE_POINTS, "1.5", &v));
	assert_int_equal(v, 1500);
	assert_null(score_parse(SCORE_DISTANCE, "0.125", &v));
	assert_int_equal(v, 125);
	assert_null(score_parse(SCORE_POINTS, "0", &v));
	assert_int_equal(v, 0);
	assert_non_null(score_parse(SCORE_POINTS, "-1", &v));
	assert_non_null(score_parse(SCORE_POINTS, "1e309", &v));
	assert_non_null(score_parse(SCORE_POINTS, "NaN", &v));
	assert_non_null(score_parse(SCORE_POINTS, "inf", &v));
	assert_non_null(score_parse(SCORE_POINTS, "1.2345", &v));
	assert_non_null(score_parse(SCORE_POINTS, "1.", &v));
	assert_non_null(score_parse(SCORE_POINTS, ".5", &v));
	assert_non_null(score_parse(SCORE_POINTS, " 1", &v));
	assert_non_null(score_parse(SCORE_POINTS, "", &v));
	assert_non_null(score_parse(SCORE_POINTS, "99999999", &v));
	assert_null(score_parse(SCORE_POINTS, "1000000", &v));
	assert_int_equal(v, SCORE_VALUE_MAX);
	assert_non_null(score_parse(SCORE_POINTS, "1000000.001", &v));
}

static void test_parse_time(void **state)
{
	int64_t v;

	(void)state;
	assert_null(score_parse(SCORE_TIME, "1:02:03", &v));
	assert_int_equal(v, 3723000);
	assert_null(score_parse(SCORE_TIME, "4:05.3", &v));
	assert_int_equal(v, 245300);
	assert_null(score_parse(SCORE_TIME, "59.87", &v));
	assert_int_equal(v, 59870);
	assert_null(score_parse(SCORE_TIME, "25:00", &v));
	assert_int_equal(v, 1500000);
	assert_null(score_parse(SCORE_TIME, "0:59.999", &v));
	assert_int_equal(v, 59999);
	assert_non_null(score_parse(SCORE_TIME, "1:75", &v));
	assert_non_null(score_parse(SCORE_TIME, "1:60", &v));
	assert_non_null(score_parse(SCORE_TIME, "1:02:60.5", &v));
	assert_non_null(score_parse(SCORE_TIME, "1:2:3:4", &v));
	assert_non_null(score_parse(SCORE_TIME, "1::3", &v));
	assert_non_null(score_parse(SCORE_TIME, ":30", &v));
	assert_non_null(score_parse(SCORE_TIME, "1:3", &v));
	assert_non_null(score_parse(SCORE_TIME, "1:30:", &v));
	assert_non_null(score_parse(SCORE_TIME, "-1:30", &v));
	assert_non_null(score_parse(SCORE_TIME, "1.5:30", &v));
	assert_non_null(score_parse(SCORE_TIME, "NaN", &v));
	assert_non_null(score_parse(SCORE_TIME, "300:00:00", &v));
}

static void test_format(void **state)
{
	struct arena *a = arena_new();

	(void)state;
	assert_string_equal(score_format(a, SCORE_TIME, 3723000), "1:02:03");
	assert_string_equal(score_format(a, SCORE_TIME, 245300), "4:05.3");
	assert_string_equal(score_format(a, SCORE_TIME, 59870), "0:59.87");
	assert_string_equal(score_format(a, SCORE_TIME, 59999), "0:59.999");
	assert_string_equal(score_format(a, SCORE_TIME, 3600000), "1:00:00");
	assert_string_equal(score_format(a, SCORE_POINTS, 12000), "12");
	assert_string_equal(score_format(a, SCORE_POINTS, 1500), "1.5");
	assert_string_equal(score_format(a, SCORE_DISTANCE, 125), "0.125");
	assert_string_equal(score_format(a, SCORE_DISTANCE, 50), "0.05");
	/* What is formatted parses back to itself. */
	for (int64_t v = 0; v < 4000000; v += 4321) {
		int64_t back;

		assert_null(score_parse(SCORE_TIME, score_format(a, SCORE_TIME, v), &back));
		assert_int_equal(back, v);
		assert_null(score_parse(SCORE_POINTS, score_format(a, SCORE_POINTS, v), &back));
		assert_int_equal(back, v);
	}
	arena_free(a);
}

/* Entries get bibs in order; a competition without divisions takes none. */
static void test_entries(void **state)
{
	struct entry en, *list;
	int64_t a, b, id;
	int n;

	(void)state;
	a = enter_ok("Ann Bell", -1);
	b = enter_ok("Bob Cole", -1);
	assert_int_equal(score_entry(F->t.db, F->t.a, event_id(), a, &en), DB_OK);
	assert_int_equal(en.bib, 1);
	assert_string_equal(en.display_name, "Ann Bell");
	assert_int_equal(score_entry(F->t.db, F->t.a, event_id(), b, &en), DB_OK);
	assert_int_equal(en.bib, 2);
	assert_int_equal(score_rename(F->t.db, b, "Bobby C."), DB_OK);
	assert_int_equal(score_entry(F->t.db, F->t.a, event_id(), b, &en), DB_OK);
	assert_string_equal(en.display_name, "Bobby C.");
	assert_int_equal(score_rename(F->t.db, 999, "Nobody"), DB_NOTFOUND);
	/* The scorekeeper's search: by bib, display name or name, literally. */
	assert_int_equal(score_entries(F->t.db, F->t.a, event_id(), "2", 10, &list, &n), DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, b);
	assert_int_equal(score_entries(F->t.db, F->t.a, event_id(), "bobby", 10, &list, &n),
	    DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(score_entries(F->t.db, F->t.a, event_id(), "cole", 10, &list, &n),
	    DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(score_entries(F->t.db, F->t.a, event_id(), "%", 10, &list, &n), DB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(score_entries(F->t.db, F->t.a, event_id(), NULL, 10, &list, &n),
	    DB_OK);
	assert_int_equal(n, 2);
	/* A division that does not exist here is refused, nothing is added. */
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM division"), 0);
	assert_int_equal(enter("Cy", 0, &id), DB_INVALID);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM rsvp"), 2);
}

/* With divisions, one must be chosen, and each board ranks on its own. */
static void test_divisions(void **state)
{
	struct competition c;
	struct board_row *rows;
	int64_t id, a, b, k, d;
	int n;

	(void)state;
	assert_int_equal(enter("Nobody", -1, &id), DB_INVALID);
	a = enter_ok("Ann", 0);
	b = enter_ok("Bob", 1);
	k = enter_ok("Kit", 1);
	d = enter_ok("Dee", 0);
	submit_ok(a, 5000);
	submit_ok(b, 7000);
	submit_ok(k, 6000);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	assert_int_equal(c.ndivisions, 2);
	assert_int_equal(score_board(F->t.db, F->t.a, &c, &rows, &n), DB_OK);
	assert_int_equal(n, 4);
	assert_int_equal(rows[0].entry_id, a);
	assert_int_equal(rows[0].rank, 1);
	assert_int_equal(rows[1].entry_id, d);
	assert_int_equal(rows[1].rank, 0);	/* no score yet: unranked, last */
	assert_int_equal(rows[2].entry_id, b);
	assert_int_equal(rows[2].rank, 1);
	assert_int_equal(rows[2].division, 1);
	assert_int_equal(rows[3].entry_id, k);
	assert_int_equal(rows[3].rank, 2);
}

/* The settings: what scores fix is refused (and nothing changes); divisions. */
static void test_settings(void **state)
{
	static const char *const more[] = { "Veterans" };
	struct competition c, now;
	struct score_outcome out;
	int64_t a, sid, open, u16, vet;
	int scored, max_round;

	(void)state;
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	open = c.divisions[0].id;
	u16 = c.divisions[1].id;
	/* No scores yet: everything may change. */
	c.kind = SCORE_TIME;
	c.unit = "";
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_OK);
	c.kind = SCORE_POINTS;
	c.unit = "m";
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_OK);
	a = enter_ok("Ann", 0);
	assert_int_equal(submit(a, 5000, 3, &out), DB_OK);
	sid = out.score_id;
	assert_int_equal(score_usage(F->t.db, event_id(), &scored, &max_round), DB_OK);
	assert_int_equal(scored, 1);
	assert_int_equal(max_round, 3);
	/* Kind, rule, unit: fixed now. Rounds: not below 3. */
	c.kind = SCORE_TIME;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_CONFLICT);
	c.kind = SCORE_POINTS;
	c.rule = SCORE_TOTAL;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_CONFLICT);
	c.rule = SCORE_BEST;
	c.unit = "cm";
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_CONFLICT);
	c.unit = "m";
	c.rounds = 2;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, more, 1), DB_CONFLICT);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &now), DB_OK);
	assert_int_equal(now.kind, SCORE_POINTS);
	assert_int_equal(now.rounds, 5);
	assert_int_equal(now.ndivisions, 2);	/* the refused call added none */
	/* The schema refuses it too, whatever the code does. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE competition SET kind = 'time'",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE competition SET rounds = 2",
	    NULL, NULL, NULL), SQLITE_OK);
	/* Rounds down to 3, self-scoring and closing are free. */
	c.rounds = 3;
	c.self_scoring = 1;
	c.closed = 1;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_OK);
	c.closed = 0;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_OK);
	/* A voided score still fixes the kind (its value would read wrong). */
	assert_int_equal(score_void(F->t.db, F->t.a, event_id(), sid, "test", "keeper", NULL,
	    NULL, &out), DB_OK);
	assert_int_equal(score_usage(F->t.db, event_id(), &scored, &max_round), DB_OK);
	assert_int_equal(scored, 1);
	assert_int_equal(max_round, 0);
	c.kind = SCORE_DISTANCE;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_CONFLICT);
	c.kind = SCORE_POINTS;
	c.rounds = 1;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_OK);
	/* Divisions: add (twice: once), rename, remove only an unused one. */
	assert_int_equal(score_division_add(F->t.db, F->t.a, event_id(), "Veterans"), DB_OK);
	assert_int_equal(score_division_add(F->t.db, F->t.a, event_id(), "Veterans"), DB_OK);
	assert_int_equal(score_division_add(F->t.db, F->t.a, event_id(), ""), DB_INVALID);
	assert_int_equal(score_division_add(F->t.db, F->t.a, event_id(),
	    "12345678901234567890123456789012345678901"), DB_INVALID);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &now), DB_OK);
	assert_int_equal(now.ndivisions, 3);
	assert_string_equal(now.divisions[2].name, "Veterans");
	vet = now.divisions[2].id;
	assert_int_equal(score_division_rename(F->t.db, event_id(), u16, "Juniors"), DB_OK);
	assert_int_equal(score_division_rename(F->t.db, event_id(), u16, "Open"), DB_CONFLICT);
	assert_int_equal(score_division_rename(F->t.db, event_id(), 999, "Kids"), DB_NOTFOUND);
	assert_int_equal(score_division_remove(F->t.db, event_id(), open), DB_CONFLICT);
	assert_int_equal(score_division_remove(F->t.db, event_id(), vet), DB_OK);
	assert_int_equal(score_division_remove(F->t.db, event_id(), vet), DB_NOTFOUND);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &now), DB_OK);
	assert_int_equal(now.ndivisions, 2);
	assert_string_equal(now.divisions[0].name, "Open");
	assert_string_equal(now.divisions[1].name, "Juniors");
	/* Not a competition, or a division of another one. */
	assert_int_equal(score_division_add(F->t.db, F->t.a, 999, "X"), DB_NOTFOUND);
	assert_int_equal(score_division_remove(F->t.db, 999, u16), DB_NOTFOUND);
}

/*
 * Every submission, void and correction is a row of the analytics log
 * with who did it (the account, the API token, the entrant), in the same
 * transaction; the sign-up figures do not count them.
 */
static void test_score_log(void **state)
{
	struct score_input api = { .value = 5000, .source = SCORE_API, .actor = "api:timer" };
	struct score_input fix = { .value = 2000, .source = SCORE_SCOREKEEPER };
	struct score_log_row *log;
	struct score_outcome out;
	struct competition c;
	int64_t a, b, kept, timed, mine, fixed;
	int n;

	(void)state;
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	c.self_scoring = 1;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, NULL, 0), DB_OK);
	a = enter_ok("Ann", -1);
	b = enter_ok("Bob", -1);
	assert_int_equal(submit(a, 3000, 0, &out), DB_OK);
	kept = out.score_id;
	api.entry_id = a;
	assert_int_equal(score_submit(F->t.db, F->t.a, event_id(), &api, NULL, NULL, &out),
	    DB_OK);
	timed = out.score_id;
	api.entry_id = b;
	api.source = SCORE_ENTRANT;
	api.actor = NULL;
	assert_int_equal(score_submit(F->t.db, F->t.a, event_id(), &api, NULL, NULL, &out),
	    DB_OK);
	mine = out.score_id;
	assert_int_equal(score_void(F->t.db, F->t.a, event_id(), timed, "wrong chip", "kim",
	    NULL, NULL, &out), DB_OK);
	assert_int_equal(score_void(F->t.db, F->t.a, event_id(), kept, "misread", "keeper",
	    &fix, NULL, &out), DB_OK);
	fixed = out.score_id;
	/* A refused submission leaves no row. */
	assert_int_equal(submit(a, 1000, 1, &out), DB_CONFLICT);
	assert_int_equal(score_log(F->t.db, F->t.a, event_id(), 0, 100, &log, &n), DB_OK);
	assert_int_equal(n, 6);
	/* Newest first: the correction's replacement, its void, the API score's void ... */
	assert_string_equal(log[0].action, "correct");
	assert_int_equal(log[0].score_id, fixed);
	assert_int_equal(log[0].value, 2000);
	assert_string_equal(score_log_who(F->t.a, &log[0]), "keeper");
	assert_string_equal(log[1].action, "void");
	assert_int_equal(log[1].score_id, kept);
	assert_string_equal(log[1].void_reason, "misread");
	assert_string_equal(log[2].action, "void");
	assert_int_equal(log[2].score_id, timed);
	assert_string_equal(score_log_who(F->t.a, &log[2]), "kim");
	assert_string_equal(log[3].action, "score");
	assert_int_equal(log[3].score_id, mine);
	assert_int_equal(log[3].entry_id, b);
	assert_string_equal(score_log_who(F->t.a, &log[3]), "the entrant");
	assert_string_equal(log[4].action, "score");
	assert_string_equal(score_log_who(F->t.a, &log[4]), "API token “timer”");
	assert_string_equal(log[5].action, "score");
	assert_int_equal(log[5].score_id, kept);
	assert_string_equal(score_log_who(F->t.a, &log[5]), "keeper");
	/* One entry's history. */
	assert_int_equal(score_log(F->t.db, F->t.a, event_id(), b, 100, &log, &n), DB_OK);
	assert_int_equal(n, 1);
	/* Every score has its row, every void too; the figures count sign-ups only. */
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM score s WHERE (SELECT count(*)"
	    " FROM rsvp_log l WHERE l.score_id = s.id AND l.action IN ('score', 'correct')) <> 1"
	    " OR (SELECT count(*) FROM rsvp_log l WHERE l.score_id = s.id AND l.action = 'void')"
	    " <> (s.voided_at IS NOT NULL)"), 0);
	assert_int_equal(testdb_int(F->t.db, "SELECT direct FROM event_figures"), 2);
}

/* Count, total and best follow inserts, voids and corrections exactly. */
static void test_aggregates(void **state)
{
	struct score_input fix = { .value = 2000, .source = SCORE_SCOREKEEPER };
	struct score_outcome out;
	struct entry en;
	int64_t a, first;

	(void)state;
	a = enter_ok("Ann", -1);
	assert_int_equal(submit(a, 3000, 0, &out), DB_OK);
	first = out.score_id;
	assert_int_equal(out.round, 1);
	assert_int_equal(submit(a, 9000, 0, &out), DB_OK);
	assert_int_equal(out.round, 2);
	assert_int_equal(submit(a, 4500, 0, &out), DB_OK);
	assert_int_equal(out.scores, 3);
	assert_int_equal(out.total, 16500);
	assert_int_equal(out.best, 9000);
	assert_aggregates_exact();
	/* Voiding the best: the best is the next one, as if it never existed. */
	assert_int_equal(score_void(F->t.db, F->t.a, event_id(), out.score_id - 1, "typo",
	    "keeper", NULL, NULL, &out), DB_OK);
	assert_int_equal(score_entry(F->t.db, F->t.a, event_id(), a, &en), DB_OK);
	assert_int_equal(en.scores, 2);
	assert_int_equal(en.total, 7500);
	assert_int_equal(en.best, 4500);
	assert_aggregates_exact();
	/* Voiding twice is refused; a void needs a reason. */
	assert_int_equal(score_void(F->t.db, F->t.a, event_id(), out.score_id, "again",
	    "keeper", NULL, NULL, &out), DB_NOTFOUND);
	assert_int_equal(score_void(F->t.db, F->t.a, event_id(), first, "", "keeper", NULL,
	    NULL, &out), DB_INVALID);
	/* A correction: round 1 becomes 2.000 in the same transaction. */
	assert_int_equal(score_void(F->t.db, F->t.a, event_id(), first, "misread", "keeper",
	    &fix, NULL, &out), DB_OK);
	assert_int_equal(out.round, 1);
	assert_int_equal(out.scores, 2);
	assert_int_equal(out.total, 6500);
	assert_int_equal(out.best, 4500);
	assert_int_equal(score_void(F->t.db, F->t.a, event_id(), first, "again", "keeper",
	    NULL, NULL, &out), DB_CLOSED);
	assert_int_equal(testdb_int(F->t.db, "SELECT replaced_by IS NOT NULL FROM score"
	    " WHERE id = (SELECT min(id) FROM score)"), 1);
	/* The round freed by the void takes a new score; a live round does not. */
	assert_int_equal(submit(a, 1000, 2, &out), DB_OK);
	assert_int_equal(submit(a, 1000, 2, &out), DB_CONFLICT);
	assert_aggregates_exact();
	/* Scores are never changed in place, even by hand. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db),
	    "UPDATE score SET value = 1", NULL, NULL, NULL), SQLITE_OK);
}

/* Refusals: unknown entry, waitlisted entry, rounds, closed, self-scoring. */
static void test_refusals(void **state)
{
	struct score_input in = { .value = 1000, .source = SCORE_ENTRANT };
	static const char *const none[1] = { NULL };
	struct competition c = { .kind = SCORE_POINTS, .rule = SCORE_TOTAL, .rounds = 2 };
	struct score_outcome out;
	int64_t a, w, other;

	(void)state;
	a = enter_ok("Ann", -1);
	enter_ok("Bob", -1);
	enter_ok("Cy", -1);
	enter_ok("Dee", -1);
	w = enter_ok("Wait", -1);	/* capacity 4: waitlisted */
	assert_int_equal(submit(999, 1000, 0, &out), DB_NOTFOUND);
	assert_int_equal(submit(w, 1000, 0, &out), DB_CLOSED);
	assert_int_equal(submit(a, -1, 0, &out), DB_INVALID);
	assert_int_equal(submit(a, SCORE_VALUE_MAX + 1, 0, &out), DB_INVALID);
	/* An entrant may not score unless self-scoring is on. */
	in.entry_id = a;
	assert_int_equal(score_submit(F->t.db, F->t.a, event_id(), &in, NULL, NULL, &out),
	    DB_CLOSED);
	c.self_scoring = 1;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, none, 0), DB_OK);
	assert_int_equal(score_submit(F->t.db, F->t.a, event_id(), &in, NULL, NULL, &out),
	    DB_OK);
	submit_ok(a, 1000);
	assert_int_equal(submit(a, 1000, 0, &out), DB_CLOSED);	/* past its 2 rounds */
	/* By bib; another event's entry is unknown here. */
	in.entry_id = 0;
	in.bib = 2;
	assert_int_equal(score_submit(F->t.db, F->t.a, event_id(), &in, NULL, NULL, &out),
	    DB_OK);
	assert_int_equal(out.entry_id, a + 1);
	other = event_id() + 1;
	in.bib = 3;
	assert_int_equal(score_submit(F->t.db, F->t.a, other, &in, NULL, NULL, &out),
	    DB_NOTFOUND);
	c.closed = 1;
	assert_int_equal(score_setup(F->t.db, F->t.a, "cup", &c, none, 0), DB_OK);
	assert_int_equal(score_submit(F->t.db, F->t.a, event_id(), &in, NULL, NULL, &out),
	    DB_CLOSED);
	/* A drop cannot be a competition (its sign-ups are holds, not RSVPs). */
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO event (slug, title,"
	    " starts_at, status, kind, created_at, updated_at) VALUES ('shop', 'Shop', 1,"
	    " 'published', 'drop', 1, 1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(score_setup(F->t.db, F->t.a, "shop", &c, none, 0), DB_INVALID);
	/* The trigger refuses what the code would: a waitlisted entry scores nothing. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO score (entry_id,"
	    " event_id, round, value, source, created_at) SELECT rsvp_id, event_id, 1, 1,"
	    " 'api', 1 FROM entry WHERE rsvp_id = (SELECT max(rsvp_id) FROM entry)",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_aggregates_exact();
}

/* Ranks of rows with totals (and counts) under rule and kind. */
static void rank_case(enum score_kind kind, enum score_rule rule, const int64_t *fig,
    const int64_t *count, int n, const int *want_rank, const int *want_order)
{
	struct competition c = { .kind = kind, .rule = rule };
	struct board_row rows[8];
	int i;

	memset(rows, 0, sizeof(rows));
	for (i = 0; i < n; i++) {
		rows[i].entry_id = i;
		rows[i].display_name = "x";
		rows[i].division = 0;
		rows[i].scores = count[i];
		rows[i].total = rows[i].best = fig[i];
	}
	score_rank(&c, rows, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(rows[i].entry_id, want_order[i]);
		assert_int_equal(rows[i].rank, want_rank[i]);
	}
}

static void test_ranks(void **state)
{
	static const int64_t fig[] = { 5, 9, 9, 3, 7 }, one[] = { 1, 1, 1, 1, 1 };
	/* Higher is better: 9, 9, 7, 5, 3 -> 1, 1, 3, 4, 5. */
	static const int hi_rank[] = { 1, 1, 3, 4, 5 }, hi_order[] = { 1, 2, 4, 0, 3 };
	/* Lower is better (times): 3, 5, 7, 9, 9 -> 1, 2, 3, 4, 4. */
	static const int lo_rank[] = { 1, 2, 3, 4, 4 }, lo_order[] = { 3, 0, 4, 1, 2 };
	/* Averages exactly: 6/3 = 4/2 = 2 tie, 5/2 above; no scores unranked, last. */
	static const int64_t tot[] = { 6, 4, 5, 0 }, cnt[] = { 3, 2, 2, 0 };
	static const int avg_rank[] = { 1, 2, 2, 0 }, avg_order[] = { 2, 0, 1, 3 };
	static const int avg_lo_rank[] = { 1, 1, 3, 0 }, avg_lo_order[] = { 0, 1, 2, 3 };

	(void)state;
	rank_case(SCORE_POINTS, SCORE_TOTAL, fig, one, 5, hi_rank, hi_order);
	rank_case(SCORE_DISTANCE, SCORE_BEST, fig, one, 5, hi_rank, hi_order);
	rank_case(SCORE_TIME, SCORE_BEST, fig, one, 5, lo_rank, lo_order);
	rank_case(SCORE_TIME, SCORE_TOTAL, fig, one, 5, lo_rank, lo_order);
	rank_case(SCORE_POINTS, SCORE_AVERAGE, tot, cnt, 4, avg_rank, avg_order);
	rank_case(SCORE_TIME, SCORE_AVERAGE, tot, cnt, 4, avg_lo_rank, avg_lo_order);
}

/* The board from the database: total rule, a tie sharing rank 2, rounded average. */
static void test_board(void **state)
{
	struct competition c;
	struct board_row *rows;
	int64_t a, b, k;
	int n;

	(void)state;
	a = enter_ok("Ann", -1);
	b = enter_ok("Bob", -1);
	k = enter_ok("Kit", -1);
	submit_ok(a, 667);
	submit_ok(a, 334);
	submit_ok(b, 1001);
	submit_ok(k, 3000);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	assert_int_equal(score_board(F->t.db, F->t.a, &c, &rows, &n), DB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].entry_id, k);
	assert_int_equal(rows[0].rank, 1);
	assert_int_equal(rows[1].rank, 2);
	assert_int_equal(rows[2].rank, 2);
	assert_int_equal(rows[1].entry_id, a);	/* ties by display name */
	c.rule = SCORE_AVERAGE;
	assert_int_equal(score_board(F->t.db, F->t.a, &c, &rows, &n), DB_OK);
	assert_int_equal(rows[0].entry_id, k);
	assert_int_equal(rows[1].entry_id, b);
	assert_int_equal(rows[2].figure, 501);	/* 1001 / 2, rounded for display */
}

/*
 * A field of any size is ranked whole: the best of 6 000 entrants is the
 * one with the highest bib, which a board read in bib order up to a cap
 * (it was 5 000) left out. Live and frozen alike.
 */
static void test_board_of_any_size(void **state)
{
	struct competition c;
	struct board_row *rows;
	int n, replayed;

	(void)state;
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db),
	    "UPDATE event SET capacity = NULL WHERE slug = 'cup';"
	    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 6000)"
	    " INSERT INTO rsvp (event_id, token_hash, name, email, guests, status, created_at,"
	    " updated_at) SELECT e.id, randomblob(32), 'Runner ' || i, 'r' || i || '@example.org',"
	    " 0, 'confirmed', 1, 1 FROM k, event e WHERE e.slug = 'cup';"
	    "INSERT INTO entry (rsvp_id, event_id, bib, display_name) SELECT id, event_id, id, name"
	    " FROM rsvp;"
	    "UPDATE entry SET scores = 1, total = bib, best = bib;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	assert_int_equal(score_board(F->t.db, F->t.a, &c, &rows, &n), DB_OK);
	assert_int_equal(n, 6000);
	assert_int_equal(rows[0].bib, 6000);
	assert_int_equal(rows[0].rank, 1);
	assert_int_equal(rows[5999].rank, 6000);
	assert_int_equal(score_board_set(F->t.db, event_id(), BOARD_FREEZE, "boss", NULL,
	    &replayed), DB_OK);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	assert_int_equal(score_board_public(F->t.db, F->t.a, &c, &rows, &n), DB_OK);
	assert_int_equal(n, 6000);
	assert_int_equal(rows[0].bib, 6000);
}

/* A form token used twice adds one score; the second says replayed. */
static void test_form_token_replay(void **state)
{
	struct score_input in = { .value = 1000, .source = SCORE_SCOREKEEPER };
	char form[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1];
	struct score_outcome out;

	(void)state;
	in.entry_id = enter_ok("Ann", -1);
	testdb_tokens(form, manage);
	assert_int_equal(score_submit(F->t.db, F->t.a, event_id(), &in, form, NULL, &out),
	    DB_OK);
	assert_int_equal(out.replayed, 0);
	assert_int_equal(score_submit(F->t.db, F->t.a, event_id(), &in, form, NULL, &out),
	    DB_OK);
	assert_int_equal(out.replayed, 1);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM score"), 1);
}

/* The answer stored for a key: "<status> <rc> <score id>". */
static int answer(void *ctx, struct arena *a, enum db_rc rc, const struct score_outcome *out,
    const char **response)
{
	(void)ctx;
	*response = arena_printf(a, "%d %lld", (int)rc, (long long)out->score_id);
	return rc == DB_OK ? 201 : 422;
}

static enum db_rc keyed(int64_t token_id, const char *k, const char *body, int64_t entry,
    struct score_key *key)
{
	struct score_input in = { .entry_id = entry, .value = 1000, .source = SCORE_API,
		.actor = "api:timer" };
	struct score_outcome out;

	memset(key, 0, sizeof(*key));
	key->token_id = token_id;
	key->key = k;
	key->body = body;
	key->body_len = strlen(body);
	key->answer = answer;
	return score_submit(F->t.db, F->t.a, event_id(), &in, NULL, key, &out);
}

/*
 * Idempotency-Key: a replay answers the stored answer and changes
 * nothing; another body with the key is a mismatch; a refusal is stored
 * too; after 24 h the key is new again; the worker's purge drops it.
 */
static void test_idempotency_key(void **state)
{
	char tok[SCORE_API_TOKEN_HEX + 1];
	struct score_key key;
	char form[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1], again[SCORE_API_TOKEN_HEX + 1];
	const char *first, *label;
	int64_t a, tid;
	int n, replayed;

	(void)state;
	a = enter_ok("Ann", -1);
	testdb_tokens(form, manage);
	assert_int_equal(score_token_new(F->t.db, event_id(), "timer", "admin", form, tok,
	    &replayed), DB_OK);
	assert_int_equal(replayed, 0);
	/* The same form again makes no second token. */
	assert_int_equal(score_token_new(F->t.db, event_id(), "timer", "admin", form, again,
	    &replayed), DB_OK);
	assert_int_equal(replayed, 1);
	assert_string_equal(again, "");
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM api_token"), 1);
	assert_int_equal(score_token_check(F->t.db, F->t.a, event_id(), tok, &tid, &label),
	    DB_OK);
	assert_string_equal(label, "timer");
	assert_int_equal(keyed(tid, "k1", "{\"a\":1}", a, &key), DB_OK);
	assert_int_equal(key.status, 201);
	assert_int_equal(key.replayed, 0);
	first = key.response;
	assert_int_equal(keyed(tid, "k1", "{\"a\":1}", a, &key), DB_OK);
	assert_int_equal(key.replayed, 1);
	assert_int_equal(key.mismatch, 0);
	assert_int_equal(key.status, 201);
	assert_string_equal(key.response, first);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM score"), 1);
	assert_int_equal(keyed(tid, "k1", "{\"a\":2}", a, &key), DB_OK);
	assert_int_equal(key.mismatch, 1);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM score"), 1);
	/* A refusal (unknown entry) is kept and replayed; nothing else stays. */
	assert_int_equal(keyed(tid, "k2", "x", 999, &key), DB_OK);
	assert_int_equal(key.status, 422);
	assert_int_equal(keyed(tid, "k2", "x", 999, &key), DB_OK);
	assert_int_equal(key.replayed, 1);
	assert_int_equal(key.status, 422);
	/* 24 h later the key is over: the same request is a new score. */
	clock_set(NOW + SCORE_KEY_TTL - 1);
	assert_int_equal(keyed(tid, "k1", "{\"a\":1}", a, &key), DB_OK);
	assert_int_equal(key.replayed, 1);
	clock_set(NOW + SCORE_KEY_TTL + 1);
	assert_int_equal(keyed(tid, "k1", "{\"a\":1}", a, &key), DB_OK);
	assert_int_equal(key.replayed, 0);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM score"), 2);
	/* The worker's purge drops what is older than a day: k2 (k1 was renewed). */
	assert_int_equal(hygiene_purge(F->t.db, &n), DB_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM api_key_use"), 1);
	/* Keys are per token; a revoked token is unknown. */
	assert_int_equal(score_token_revoke(F->t.db, event_id(), tid), DB_OK);
	assert_int_equal(score_token_check(F->t.db, F->t.a, event_id(), tok, &tid, &label),
	    DB_NOTFOUND);
	assert_int_equal(score_token_check(F->t.db, F->t.a, event_id(), "nothex", &tid,
	    &label), DB_NOTFOUND);
	assert_int_equal(score_token_revoke(F->t.db, event_id(), tid), DB_NOTFOUND);
	assert_aggregates_exact();
}

/* A cancelled entry leaves the board; its scores stay on record. */
/* The competitions list shows each event's places like every other list. */
static void test_competition_list(void **state)
{
	struct event *list;
	int64_t id;
	int n;

	(void)state;
	assert_int_equal(enter("Ann Bell", -1, &id), DB_OK);
	assert_int_equal(score_competitions(F->t.db, F->t.a, 0, &list, &n), DB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].slug, "cup");
	assert_int_equal(list[0].capacity, 4);
	assert_int_equal(list[0].spots_left, 3);
}

static void test_cancelled_entry(void **state)
{
	char form[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1];
	struct rsvp_input in = { .name = "Zed", .email = "zed@example.org", .note = "" };
	struct competition c;
	struct rsvp_outcome ro;
	struct board_row *rows;
	int64_t version;
	int n;

	(void)state;
	testdb_tokens(form, manage);
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "cup", &in, form, manage, &ro), DB_OK);
	submit_ok(testdb_int(F->t.db, "SELECT max(id) FROM rsvp"), 1000);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	version = c.version;
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, manage, NULL, &ro), DB_OK);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	assert_true(c.version > version);
	assert_int_equal(score_board(F->t.db, F->t.a, &c, &rows, &n), DB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM score"), 1);
}

/* The public board of the current competition, and its public ETag into *version. */
static const struct board_row *public_board(int *n, int64_t *version)
{
	struct competition c;
	struct board_row *rows;

	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	assert_int_equal(score_board_public(F->t.db, F->t.a, &c, &rows, n), DB_OK);
	*version = c.public_version;
	return rows;
}

static enum db_rc board_set(enum board_action action, const char *form_token, int *replayed)
{
	return score_board_set(F->t.db, event_id(), action, "org", form_token, replayed);
}

/*
 * Freeze: the public board keeps the standings (and ETag) of the freeze
 * while scores still come in and move the live board; unfreeze shows them;
 * publish shows the final (live) standings and is never frozen again. Each
 * change is logged with its actor, once per form token.
 */
static void test_freeze_publish(void **state)
{
	char form[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1];
	const struct board_row *pub;
	struct competition c;
	struct board_row *live;
	int64_t a, b, k, v0, v1, v2;
	int n, replayed;

	(void)state;
	a = enter_ok("Ann", -1);
	b = enter_ok("Bob", -1);
	k = enter_ok("Kit", -1);
	submit_ok(a, 5000);
	submit_ok(b, 3000);
	pub = public_board(&n, &v0);
	assert_int_equal(pub[0].entry_id, a);
	testdb_tokens(form, manage);
	assert_int_equal(board_set(BOARD_FREEZE, form, &replayed), DB_OK);
	assert_false(replayed);
	assert_int_equal(board_set(BOARD_FREEZE, form, &replayed), DB_OK);	/* a double submit */
	assert_true(replayed);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM board_log"), 1);
	pub = public_board(&n, &v1);
	assert_true(v1 > v0);			/* the frozen board is a new document */
	/* Scores after the freeze: the live board moves, the public one does not. */
	submit_ok(k, 9000);
	submit_ok(b, 4000);
	pub = public_board(&n, &v2);
	assert_int_equal(v2, v1);
	assert_int_equal(n, 3);
	assert_int_equal(pub[0].entry_id, a);
	assert_int_equal(pub[0].rank, 1);
	assert_int_equal(pub[1].entry_id, b);
	assert_int_equal(pub[1].total, 3000);
	assert_int_equal(pub[2].entry_id, k);
	assert_int_equal(pub[2].rank, 0);	/* no score at the freeze */
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	assert_true(c.frozen_at > 0 && c.version > c.public_version);
	assert_int_equal(score_board(F->t.db, F->t.a, &c, &live, &n), DB_OK);
	assert_int_equal(live[0].entry_id, k);
	assert_int_equal(live[1].entry_id, b);	/* 3 + 4 */
	/* Frozen already: refused, nothing changed. */
	assert_int_equal(board_set(BOARD_FREEZE, NULL, &replayed), DB_CONFLICT);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM board_log"), 1);
	/* Unfreeze: live again, with a new ETag. */
	assert_int_equal(board_set(BOARD_UNFREEZE, NULL, &replayed), DB_OK);
	assert_int_equal(board_set(BOARD_UNFREEZE, NULL, &replayed), DB_CONFLICT);
	pub = public_board(&n, &v2);
	assert_true(v2 > v1);
	assert_int_equal(pub[0].entry_id, k);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM board_snapshot"), 0);
	/* Freeze again, score, publish: the final results are the live standings. */
	assert_int_equal(board_set(BOARD_FREEZE, NULL, &replayed), DB_OK);
	submit_ok(a, 7000);
	pub = public_board(&n, &v1);
	assert_int_equal(pub[0].entry_id, k);
	assert_int_equal(board_set(BOARD_PUBLISH, NULL, &replayed), DB_OK);
	pub = public_board(&n, &v2);
	assert_true(v2 > v1);
	assert_int_equal(pub[0].entry_id, a);	/* 5 + 7 */
	assert_int_equal(pub[0].total, 12000);
	assert_int_equal(score_competition(F->t.db, F->t.a, event_id(), &c), DB_OK);
	assert_true(c.published_at > 0 && c.frozen_at == 0 && c.public_version == c.version);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM board_snapshot"), 0);
	/* Published: never frozen or published again, by the code or the schema. */
	assert_int_equal(board_set(BOARD_FREEZE, NULL, &replayed), DB_CONFLICT);
	assert_int_equal(board_set(BOARD_PUBLISH, NULL, &replayed), DB_CONFLICT);
	assert_int_equal(board_set(BOARD_UNFREEZE, NULL, &replayed), DB_CONFLICT);
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE competition SET"
	    " frozen_at = 1, frozen_version = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT group_concat(action || ':' || actor, ' ')"
	    " = 'freeze:org unfreeze:org freeze:org publish:org'"
	    " FROM (SELECT action, actor FROM board_log ORDER BY id)"), 1);
	/* No actor, or no competition. */
	assert_int_equal(score_board_set(F->t.db, event_id(), BOARD_FREEZE, NULL, NULL,
	    &replayed), DB_INVALID);
	assert_int_equal(score_board_set(F->t.db, event_id() + 100, BOARD_FREEZE, "org", NULL,
	    &replayed), DB_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_points),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_ranks),
		cmocka_unit_test_setup_teardown(test_entries, setup_points, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_divisions, setup_divisions, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup_divisions, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_score_log, setup_points, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_aggregates, setup_points, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup_points, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_board, setup_points, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_board_of_any_size, setup_points, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_form_token_replay, setup_points,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_idempotency_key, setup_points,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_competition_list, setup_points,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_cancelled_entry, setup_points,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_freeze_publish, setup_points,
		    testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
