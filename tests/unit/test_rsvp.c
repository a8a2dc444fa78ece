/* RSVPs, the waitlist and its promotion policy, on a real database file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "event.h"
#include "rsvp.h"
#include "token.h"
#include "testdb.h"
#include "waitlist.h"

#define NOW 1800000000

struct fixture {
	struct testdb t;
	int n;			/* tokens handed out */
	char form[64][TOKEN_FORM_HEX + 1];
	char manage[64][TOKEN_MANAGE_HEX + 1];
};

static struct fixture *F;

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));
	struct event e = {
		.slug = "run", .title = "Run", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 10,
		.max_guests = 5,
	};

	testdb_open_event(&f->t, NOW, &e);
	*state = F = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	testdb_close(&f->t);
	test_free(f);
	return 0;
}

/* A fresh form token and the manage token it yields; returns its index. */
static int fresh(void)
{
	int i = F->n++;

	assert_true(i < 64);
	token_form_new(F->form[i], clock_now(), "t");
	token_manage_of(F->form[i], F->manage[i]);
	return i;
}

/* RSVP name with guests to "run"; returns the db_rc, *idx the tokens used. */
static enum db_rc rsvp(const char *name, int guests, int *idx, struct rsvp_outcome *out)
{
	struct rsvp_input in = { .name = name, .note = "", .guests = guests };
	char email[64];

	snprintf(email, sizeof(email), "%s@example.org", name);
	in.email = email;
	*idx = fresh();
	return rsvp_create(F->t.db, F->t.a, "run", &in, F->form[*idx], F->manage[*idx], out);
}

/* RSVP that must succeed with the expected status; returns the token index. */
static int rsvp_ok(const char *name, int guests, enum rsvp_status want)
{
	struct rsvp_outcome out;
	int i;

	assert_int_equal(rsvp(name, guests, &i, &out), DB_OK);
	assert_false(out.replayed);
	assert_int_equal(out.status, want);
	return i;
}

static enum rsvp_status status_of(int i)
{
	struct event e;
	struct rsvp r;

	assert_int_equal(rsvp_get(F->t.db, F->t.a, F->manage[i], &r, &e), DB_OK);
	return r.status;
}

static struct event ev(void)
{
	struct event e;

	assert_int_equal(event_get(F->t.db, F->t.a, "run", &e), DB_OK);
	return e;
}

static long long q(const char *sql)
{
	return testdb_int(F->t.db, sql);
}

/*
 * The invariants every test ends with: counters equal the sums, no
 * overbooking, no waitlisted party that fits, the log agrees.
 */
static void check_invariants(void)
{
	struct event e = ev();

	assert_int_equal(e.confirmed, q("SELECT coalesce(sum(1 + guests), 0) FROM rsvp"
	    " WHERE status = 'confirmed'"));
	assert_int_equal(e.waitlisted, q("SELECT coalesce(sum(1 + guests), 0) FROM rsvp"
	    " WHERE status = 'waitlisted'"));
	if (e.capacity >= 0)
		assert_int_equal(q("SELECT count(*) FROM rsvp r JOIN event e ON e.id = r.event_id"
		    " WHERE r.status = 'waitlisted'"
		    " AND 1 + r.guests <= max(e.capacity - e.confirmed, 0)"), 0);
	/* The latest log row of every RSVP states its current status and size. */
	assert_int_equal(q("SELECT count(*) FROM rsvp r WHERE (SELECT new_status || '/' || spots"
	    " FROM rsvp_log l WHERE l.rsvp_id = r.id ORDER BY l.id DESC LIMIT 1)"
	    " IS NOT r.status || '/' || (1 + r.guests)"), 0);
}

static void test_fits_exactly_then_one_over(void **state)
{
	struct rsvp_outcome out;
	int i;

	(void)state;
	rsvp_ok("ann", 4, RSVP_CONFIRMED);
	rsvp_ok("bob", 3, RSVP_CONFIRMED);
	rsvp_ok("cat", 0, RSVP_CONFIRMED);	/* 5 + 4 + 1 = 10: exactly full */
	assert_int_equal(ev().spots_left, 0);
	assert_int_equal(rsvp("dan", 0, &i, &out), DB_OK);
	assert_int_equal(out.status, RSVP_WAITLISTED);
	assert_int_equal(ev().confirmed, 10);
	assert_int_equal(ev().waitlisted, 1);
	check_invariants();
}

static void test_party_larger_than_capacity(void **state)
{
	struct rsvp_outcome out;
	struct event e;
	int i;

	(void)state;
	assert_int_equal(event_set_capacity(F->t.db, F->t.a, "run", 3), DB_OK);
	assert_int_equal(rsvp("big", 4, &i, &out), DB_FULL);
	e = ev();
	assert_int_equal(e.confirmed + e.waitlisted, 0);
	assert_int_equal(q("SELECT count(*) FROM rsvp"), 0);
	/* And nothing was recorded for the token: a retry is evaluated again. */
	assert_int_equal(q("SELECT count(*) FROM form_use"), 0);
}

static void test_guests_up_and_down(void **state)
{
	struct rsvp_outcome out;
	char ft[TOKEN_FORM_HEX + 1];
	int a, w;

	(void)state;
	a = rsvp_ok("ann", 2, RSVP_CONFIRMED);
	rsvp_ok("bob", 5, RSVP_CONFIRMED);	/* 3 + 6 = 9, one left */
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_update(F->t.db, F->t.a, F->manage[a], 4, "", ft, &out), DB_FULL);
	assert_int_equal(out.spots_left, 1);
	assert_int_equal(ev().confirmed, 9);
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_update(F->t.db, F->t.a, F->manage[a], 3, "veggie", ft, &out), DB_OK);
	assert_int_equal(ev().confirmed, 10);
	w = rsvp_ok("cat", 1, RSVP_WAITLISTED);
	/* Fewer guests free two spots: the waitlisted pair moves up at once. */
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_update(F->t.db, F->t.a, F->manage[a], 1, "veggie", ft, &out), DB_OK);
	assert_int_equal(status_of(w), RSVP_CONFIRMED);
	assert_int_equal(ev().confirmed, 10);
	/* More guests than the event allows. */
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_update(F->t.db, F->t.a, F->manage[a], 6, "", ft, &out), DB_INVALID);
	check_invariants();
}

static void test_cancel_promotes_in_order(void **state)
{
	struct rsvp_outcome out;
	char ft[TOKEN_FORM_HEX + 1];
	struct event e;
	struct rsvp r;
	int a, w1, w2, w3;

	(void)state;
	a = rsvp_ok("ann", 5, RSVP_CONFIRMED);
	rsvp_ok("bob", 3, RSVP_CONFIRMED);		/* 6 + 4 = 10 */
	w1 = rsvp_ok("cat", 2, RSVP_WAITLISTED);	/* 3 spots */
	w2 = rsvp_ok("dan", 1, RSVP_WAITLISTED);	/* 2 spots */
	w3 = rsvp_ok("eve", 0, RSVP_WAITLISTED);	/* 1 spot */
	assert_int_equal(rsvp_get(F->t.db, F->t.a, F->manage[w3], &r, &e), DB_OK);
	assert_int_equal(r.position, 3);
	assert_int_equal(r.spots_ahead, 5);
	/* rsvp_find: the same RSVP and event, its place not counted. */
	assert_int_equal(rsvp_find(F->t.db, F->t.a, F->manage[w3], &r, &e), DB_OK);
	assert_int_equal(r.status, RSVP_WAITLISTED);
	assert_int_equal(r.position, 0);
	assert_int_equal(e.id, r.event_id);
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[a], ft, &out), DB_OK);
	/* 6 spots free: cat (3), dan (2), eve (1), in arrival order. */
	assert_int_equal(status_of(w1), RSVP_CONFIRMED);
	assert_int_equal(status_of(w2), RSVP_CONFIRMED);
	assert_int_equal(status_of(w3), RSVP_CONFIRMED);
	assert_int_equal(status_of(a), RSVP_CANCELLED);
	assert_int_equal(q("SELECT count(*) FROM rsvp_log WHERE action = 'promote'"), 3);
	assert_int_equal(q("SELECT count(*) FROM rsvp_log WHERE action = 'cancel'"), 1);
	/* Cancelled is final: no update, no second cancel. */
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[a], ft, &out), DB_CLOSED);
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_update(F->t.db, F->t.a, F->manage[a], 0, "", ft, &out), DB_CLOSED);
	check_invariants();
}

/* The policy: a party too big keeps first place; smaller ones behind may go. */
static void test_big_party_keeps_its_place(void **state)
{
	struct rsvp_outcome out;
	char ft[TOKEN_FORM_HEX + 1];
	struct event e;
	struct rsvp r;
	int a, big, small;

	(void)state;
	rsvp_ok("ann", 5, RSVP_CONFIRMED);
	a = rsvp_ok("bob", 1, RSVP_CONFIRMED);		/* 6 + 2 = 8 */
	big = rsvp_ok("cat", 4, RSVP_WAITLISTED);	/* 5 > 2 left */
	small = rsvp_ok("dan", 2, RSVP_WAITLISTED);	/* 3 > 2 left */
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[a], ft, &out), DB_OK);
	/* 4 free: cat (5) still does not fit, dan (3) does. */
	assert_int_equal(status_of(big), RSVP_WAITLISTED);
	assert_int_equal(status_of(small), RSVP_CONFIRMED);
	assert_int_equal(rsvp_get(F->t.db, F->t.a, F->manage[big], &r, &e), DB_OK);
	assert_int_equal(r.position, 1);
	/* A newcomer who fits the 1 spot left goes straight in. */
	rsvp_ok("eve", 0, RSVP_CONFIRMED);
	check_invariants();
}

static void test_capacity_changes(void **state)
{
	int w1, w2, w3;

	(void)state;
	rsvp_ok("ann", 5, RSVP_CONFIRMED);
	rsvp_ok("bob", 3, RSVP_CONFIRMED);		/* 10 */
	w1 = rsvp_ok("cat", 1, RSVP_WAITLISTED);
	w2 = rsvp_ok("dan", 2, RSVP_WAITLISTED);
	w3 = rsvp_ok("eve", 0, RSVP_WAITLISTED);
	/* Raising the capacity by 5 promotes the two first (2 + 3). */
	assert_int_equal(event_set_capacity(F->t.db, F->t.a, "run", 15), DB_OK);
	assert_int_equal(status_of(w1), RSVP_CONFIRMED);
	assert_int_equal(status_of(w2), RSVP_CONFIRMED);
	assert_int_equal(status_of(w3), RSVP_WAITLISTED);
	check_invariants();
	/* Lowering it below the count bumps nobody; the event is just full. */
	assert_int_equal(event_set_capacity(F->t.db, F->t.a, "run", 8), DB_OK);
	assert_int_equal(ev().confirmed, 15);
	assert_int_equal(ev().spots_left, 0);
	assert_int_equal(status_of(w1), RSVP_CONFIRMED);
	rsvp_ok("fay", 0, RSVP_WAITLISTED);
	/* Unlimited: everyone waiting is confirmed. */
	assert_int_equal(event_set_capacity(F->t.db, F->t.a, "run", -1), DB_OK);
	assert_int_equal(ev().waitlisted, 0);
	assert_int_equal(status_of(w3), RSVP_CONFIRMED);
	check_invariants();
	assert_int_equal(event_set_capacity(F->t.db, F->t.a, "nope", 5), DB_NOTFOUND);
}

static void test_window(void **state)
{
	struct rsvp_outcome out;
	struct event e = {
		.slug = "later", .title = "Later", .description = "", .location = "",
		.starts_at = NOW + 10 * 86400, .status = EVENT_PUBLISHED, .capacity = 5,
		.rsvp_opens_at = NOW + 3600, .rsvp_closes_at = NOW + 7200,
	};
	struct rsvp_input in = { .name = "ann", .email = "ann@example.org", .note = "" };
	int i;

	(void)state;
	assert_int_equal(event_create(F->t.db, &e), DB_OK);
	i = fresh();
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "later", &in, F->form[i], F->manage[i], &out), DB_CLOSED);
	clock_set(NOW + 3600);
	i = fresh();
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "later", &in, F->form[i], F->manage[i], &out), DB_OK);
	clock_set(NOW + 7200);
	in.email = "bob@example.org";
	i = fresh();
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "later", &in, F->form[i], F->manage[i], &out), DB_CLOSED);
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "nope", &in, F->form[i], F->manage[i], &out), DB_NOTFOUND);
	/* Drafts take no RSVPs. */
	e.slug = "draft";
	e.status = EVENT_DRAFT;
	e.rsvp_opens_at = e.rsvp_closes_at = 0;
	assert_int_equal(event_create(F->t.db, &e), DB_OK);
	i = fresh();
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "draft", &in, F->form[i], F->manage[i], &out), DB_CLOSED);
}

static void test_duplicate_email(void **state)
{
	struct rsvp_outcome out;
	char ft[TOKEN_FORM_HEX + 1];
	int a, i;

	(void)state;
	a = rsvp_ok("ann", 0, RSVP_CONFIRMED);
	assert_int_equal(rsvp("ann", 1, &i, &out), DB_CONFLICT);
	assert_int_equal(q("SELECT count(*) FROM rsvp"), 1);
	/* After a cancellation the address may sign up again. */
	token_form_new(ft, NOW, "t");
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[a], ft, &out), DB_OK);
	assert_int_equal(rsvp("ann", 1, &i, &out), DB_OK);
	check_invariants();
}

static void test_idempotent_replay(void **state)
{
	struct rsvp_input in = { .name = "ann", .email = "ann@example.org", .note = "" };
	struct rsvp_outcome out;
	int i;

	(void)state;
	i = fresh();
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "run", &in, F->form[i], F->manage[i], &out), DB_OK);
	assert_false(out.replayed);
	/* Same token again, even with other data: nothing changes. */
	in.email = "other@example.org";
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "run", &in, F->form[i], F->manage[i], &out), DB_OK);
	assert_true(out.replayed);
	assert_int_equal(q("SELECT count(*) FROM rsvp"), 1);
	assert_int_equal(ev().confirmed, 1);
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[i], F->form[i], &out), DB_OK);
	assert_true(out.replayed);
	assert_int_equal(status_of(i), RSVP_CONFIRMED);
}

/* Run sql straight on the connection; it must be refused by the
 * overbooking guard (the trigger's message), not by any other error. */
static void assert_overbooking_refused(const char *sql)
{
	char *err = NULL;

	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), sql, NULL, NULL, &err),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_non_null(err);
	assert_string_equal(err, "overbooking: confirmed spots would exceed capacity");
	sqlite3_free(err);
}

/* The database refuses overbooking even when the C code is bypassed. */
static void test_guard_trigger(void **state)
{
	(void)state;
	rsvp_ok("ann", 5, RSVP_CONFIRMED);
	assert_overbooking_refused("UPDATE rsvp SET guests = 20 WHERE name = 'ann'");
	assert_overbooking_refused(
	    "INSERT INTO rsvp (event_id, token_hash, name, email, guests, status, created_at,"
	    " updated_at) SELECT id, randomblob(32), 'x', 'x@y.z', 5, 'confirmed', 0, 0"
	    " FROM event");
	assert_int_equal(ev().confirmed, 6);
	check_invariants();
}

static void test_tokens(void **state)
{
	char t[TOKEN_FORM_HEX + 1], m1[TOKEN_MANAGE_HEX + 1], m2[TOKEN_MANAGE_HEX + 1];
	unsigned char secret[TOKEN_SECRET_LEN], mac[crypto_auth_hmacsha512256_BYTES];
	unsigned char msg[7 + TOKEN_FORM_HEX];

	(void)state;
	token_form_new(t, NOW, "t");
	assert_int_equal(token_form_check(t, NOW, "t"), TOKEN_OK);
	/* A token made for one form is refused by any other. */
	assert_int_equal(token_form_check(t, NOW, "u"), TOKEN_MALFORMED);
	assert_int_equal(token_form_check(t, NOW + TOKEN_FORM_TTL, "t"), TOKEN_OK);
	assert_int_equal(token_form_check(t, NOW + TOKEN_FORM_TTL + 1, "t"), TOKEN_EXPIRED);
	/* A clock set back a few minutes still takes the forms it made. */
	assert_int_equal(token_form_check(t, NOW - 240, "t"), TOKEN_OK);
	assert_int_equal(token_form_check(t, NOW - TOKEN_FORM_SKEW, "t"), TOKEN_OK);
	assert_int_equal(token_form_check(t, NOW - TOKEN_FORM_SKEW - 1, "t"), TOKEN_EXPIRED);
	t[50] = t[50] == 'a' ? 'b' : 'a';		/* a forged MAC */
	assert_int_equal(token_form_check(t, NOW, "t"), TOKEN_MALFORMED);
	assert_int_equal(token_form_check("abc", NOW, "t"), TOKEN_MALFORMED);
	token_form_new(t, NOW, "t");
	token_manage_of(t, m1);
	token_manage_of(t, m2);
	assert_string_equal(m1, m2);
	/*
	 * HMAC-SHA-512/256 of "manage:" and the form token under the site
	 * secret, as every release made it: links already sent keep working.
	 */
	assert_int_equal(db_secret(F->t.db, secret, sizeof(secret)), 0);
	memcpy(msg, "manage:", 7);
	memcpy(msg + 7, t, TOKEN_FORM_HEX);
	crypto_auth_hmacsha512256(mac, msg, sizeof(msg), secret);
	sodium_bin2hex(m2, sizeof(m2), mac, TOKEN_MANAGE_HEX / 2);
	assert_string_equal(m1, m2);
	assert_true(token_manage_valid(m1));
	assert_false(token_manage_valid("0123"));
}

/* RSVP i's id. */
static int64_t id_of(int i)
{
	struct event e;
	struct rsvp r;

	assert_int_equal(rsvp_find(F->t.db, F->t.a, F->manage[i], &r, &e), DB_OK);
	return r.id;
}

/*
 * Door mode lists the confirmed parties by name, case aside, with the
 * event's counts; a search narrows it; check-ins move the count.
 */
static void test_door_list(void **state)
{
	struct rsvp_outcome out;
	struct rsvp_door d;
	int64_t ev_id = ev().id;
	int zed, amy;

	(void)state;
	zed = rsvp_ok("zed", 2, RSVP_CONFIRMED);
	amy = rsvp_ok("Amy", 0, RSVP_CONFIRMED);
	rsvp_ok("bo", 5, RSVP_CONFIRMED);
	rsvp_ok("Al", 0, RSVP_WAITLISTED);
	assert_int_equal(rsvp_door(F->t.db, F->t.a, ev_id, NULL, &d), DB_OK);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.list[0].name, "Amy");
	assert_string_equal(d.list[1].name, "bo");
	assert_string_equal(d.list[2].name, "zed");
	assert_false(d.more);
	assert_int_equal(d.confirmed, 3);
	assert_int_equal(d.checked_in, 0);
	assert_int_equal(rsvp_admin_act(F->t.db, F->t.a, ev_id, id_of(zed), RSVP_CHECK_IN, "door",
	    &out), DB_OK);
	assert_int_equal(rsvp_door(F->t.db, F->t.a, ev_id, "ZED@", &d), DB_OK);
	assert_int_equal(d.n, 1);
	assert_true(d.list[0].checked_in_at != 0);
	assert_int_equal(d.checked_in, 1);
	/* The organiser cancels Amy: her message says so, with their words. */
	assert_int_equal(rsvp_admin_cancel(F->t.db, F->t.a, ev_id, id_of(amy), "door",
	    "Sorry, Amy.", &out), DB_OK);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = 'cancelled'"
	    " AND by_organiser = 1 AND message = 'Sorry, Amy.'"), 1);
	/* Again (a double submit): nothing more. */
	assert_int_equal(rsvp_admin_cancel(F->t.db, F->t.a, ev_id, id_of(amy), "door", NULL, &out),
	    DB_OK);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = 'cancelled'"), 1);
	/* Al moved up into Amy's spot: door mode lists him now. */
	assert_int_equal(rsvp_door(F->t.db, F->t.a, ev_id, "", &d), DB_OK);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.list[0].name, "Al");
	assert_int_equal(d.confirmed, 3);
	/* A visitor's own cancel is not the organiser's. */
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[zed], F->form[fresh()], &out),
	    DB_OK);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = 'cancelled'"
	    " AND by_organiser = 0 AND message IS NULL"), 1);
	check_invariants();
}

/* 1 if manage token tok opens an RSVP. */
static int opens(const char *tok)
{
	struct event e;
	struct rsvp r;

	return rsvp_find(F->t.db, F->t.a, tok, &r, &e) == DB_OK;
}

/*
 * Links: a resend adds one (the old one keeps working), a promotion's
 * message carries one of its own, "replace my link" leaves only the new
 * one; each replay changes nothing.
 */
static void test_links(void **state)
{
	struct rsvp_outcome out;
	char promoted[TOKEN_MANAGE_HEX + 1];
	int amy, bo, again, relink, queued;
	sqlite3_stmt *st;

	(void)state;
	amy = rsvp_ok("amy", 5, RSVP_CONFIRMED);
	rsvp_ok("cy", 3, RSVP_CONFIRMED);
	bo = rsvp_ok("bo", 4, RSVP_WAITLISTED);
	again = fresh();
	assert_int_equal(rsvp_resend(F->t.db, "run", "amy@example.org", F->form[again],
	    F->manage[again], &out, &queued), DB_OK);
	assert_true(queued);
	assert_true(opens(F->manage[amy]));
	assert_true(opens(F->manage[again]));
	relink = fresh();
	assert_int_equal(rsvp_replace_link(F->t.db, F->t.a, F->manage[again], F->form[relink],
	    F->manage[relink], &out), DB_OK);
	assert_false(out.replayed);
	assert_false(opens(F->manage[amy]));
	assert_false(opens(F->manage[again]));
	assert_true(opens(F->manage[relink]));
	assert_int_equal(rsvp_replace_link(F->t.db, F->t.a, F->manage[again], F->form[relink],
	    F->manage[relink], &out), DB_OK);
	assert_true(out.replayed);
	assert_int_equal(q("SELECT count(*) FROM outbox WHERE kind = 'resend'"), 2);
	/* Amy cancels: bo moves up, and his e-mail has a link that opens his RSVP. */
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[relink], F->form[fresh()], &out),
	    DB_OK);
	assert_int_equal(status_of(bo), RSVP_CONFIRMED);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(F->t.db), "SELECT link_token FROM outbox"
	    " WHERE kind = 'promoted'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), TOKEN_MANAGE_HEX);
	memcpy(promoted, sqlite3_column_text(st, 0), sizeof(promoted));
	sqlite3_finalize(st);
	assert_true(opens(promoted));
	assert_true(opens(F->manage[bo]));
	check_invariants();
}

#define MANY 900	/* RSVPs to "run": their ids span blocks of 256 */

/* Party and spots ahead of RSVP id in "run"'s queue, counted the long way. */
static void ahead_counted(int64_t id, long long *parties, long long *spots)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rsvp WHERE status = 'waitlisted'"
	    " AND event_id = (SELECT id FROM event WHERE slug = 'run') AND id < %lld",
	    (long long)id);
	*parties = q(sql);
	snprintf(sql, sizeof(sql), "SELECT coalesce(sum(1 + guests), 0) FROM rsvp WHERE"
	    " status = 'waitlisted' AND event_id = (SELECT id FROM event WHERE slug = 'run')"
	    " AND id < %lld", (long long)id);
	*spots = q(sql);
}

/*
 * A long queue whose ids are spread over several blocks of 256 (another
 * event's sign-ups in between), changed every way a party can change:
 * every waitlisted party's place and the spots ahead of it are what
 * counting the queue gives, and so are the places of a search's hits on
 * the participants page (counted between two hits).
 */
static void test_positions_across_blocks(void **state)
{
	struct event other = { .slug = "other", .title = "Other", .description = "",
	    .location = "", .starts_at = NOW + 86400, .status = EVENT_PUBLISHED,
	    .capacity = -1, .max_guests = 5 };
	char (*form)[TOKEN_FORM_HEX + 1] = test_malloc(MANY * sizeof(*form));
	char (*manage)[TOKEN_MANAGE_HEX + 1] = test_malloc(MANY * sizeof(*manage));
	struct rsvp_input in = { .note = "" };
	struct rsvp_cursor cursor = { RSVP_WAITLISTED, 0, -1 };
	struct rsvp_outcome out;
	char name[32], email[64], ft[TOKEN_FORM_HEX + 1], om[TOKEN_MANAGE_HEX + 1];
	long long parties, spots;
	struct rsvp *list;
	struct event e;
	struct rsvp r;
	int i, n, more, checked = 0;

	(void)state;
	assert_int_equal(event_create(F->t.db, &other), DB_OK);
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "runner %d", i);
		snprintf(email, sizeof(email), "runner%d@example.org", i);
		in.name = name;
		in.email = email;
		in.guests = i % 3;
		token_form_new(form[i], clock_now(), "t");
		token_manage_of(form[i], manage[i]);
		assert_int_equal(rsvp_create(F->t.db, F->t.a, "run", &in, form[i], manage[i],
		    &out), DB_OK);
		if (i % 2 == 0) {
			token_form_new(ft, clock_now(), "t");
			token_manage_of(ft, om);
			assert_int_equal(rsvp_create(F->t.db, F->t.a, "other", &in, ft, om, &out),
			    DB_OK);
		}
	}
	for (i = 0; i < MANY; i++) {
		token_form_new(ft, clock_now(), "t");
		if (i % 7 == 3)		/* leaves the queue, or makes room */
			assert_int_equal(rsvp_cancel(F->t.db, F->t.a, manage[i], ft, &out), DB_OK);
		else if (i % 11 == 5)	/* a bigger or smaller party, same place */
			assert_int_equal(rsvp_update(F->t.db, F->t.a, manage[i], (i + 1) % 4, "",
			    ft, &out), DB_OK);
	}
	/* The counters are the queue's, block by block. */
	assert_int_equal(q("SELECT count(*) FROM (SELECT event_id, block, parties, spots"
	    " FROM waitlist_block WHERE parties > 0 EXCEPT SELECT event_id, id >> 8, count(*),"
	    " sum(1 + guests) FROM rsvp WHERE status = 'waitlisted' GROUP BY 1, 2)"), 0);
	assert_int_equal(q("SELECT count(*) FROM (SELECT event_id, id >> 8, count(*),"
	    " sum(1 + guests) FROM rsvp WHERE status = 'waitlisted' GROUP BY 1, 2 EXCEPT"
	    " SELECT event_id, block, parties, spots FROM waitlist_block)"), 0);
	assert_int_equal(q("SELECT count(*) FROM waitlist_block WHERE parties = 0 AND spots <> 0"),
	    0);
	assert_true(q("SELECT count(DISTINCT id >> 8) FROM rsvp WHERE status = 'waitlisted'") > 3);
	for (i = 0; i < MANY; i++) {
		assert_int_equal(rsvp_get(F->t.db, F->t.a, manage[i], &r, &e), DB_OK);
		if (r.status != RSVP_WAITLISTED)
			continue;
		ahead_counted(r.id, &parties, &spots);
		assert_int_equal(r.position, parties + 1);
		assert_int_equal(r.spots_ahead, spots);
		checked++;
	}
	assert_true(checked > 600);
	/* "runner 1" matches 1, 10-19, 100-199: hits far apart, counted between. */
	e = ev();
	checked = 0;
	do {
		assert_int_equal(rsvp_admin_page(F->t.db, F->t.a, e.id, "runner 1", &cursor, 50,
		    &list, &n, &more), DB_OK);
		for (i = 0; i < n; i++) {
			if (list[i].status != RSVP_WAITLISTED)
				continue;
			ahead_counted(list[i].id, &parties, &spots);
			assert_int_equal(list[i].position, parties + 1);
			checked++;
		}
	} while (more);
	assert_true(checked > 50);
	test_free(form);
	test_free(manage);
}

/* Hits of the participants page's search for text, over all its pages. */
static int hits(const char *text)
{
	struct rsvp_cursor cursor = { RSVP_CONFIRMED, 0, 0 };
	struct event e = ev();
	struct rsvp *list;
	int n, more, total = 0;

	do {
		assert_int_equal(rsvp_admin_page(F->t.db, F->t.a, e.id, text, &cursor, 2, &list,
		    &n, &more), DB_OK);
		total += n;
	} while (more);
	return total;
}

/*
 * The search finds text literally, whichever way it is found (trigrams
 * from 3 characters, the index walk below that): quotes, LIKE's own
 * characters, case (ASCII, as before); and the trigram index follows the
 * RSVPs it was made from, even when the database is changed by hand.
 */
static void test_search(void **state)
{
	static const char *const names[] = { "Ann O\"Neil", "Bob 100% Fun", "Cat_Under",
	    "\xc3\x89mile Zola", "dan", "eve" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct rsvp_input in = { .name = names[i], .note = "", .guests = 0 };
		struct rsvp_outcome out;
		char email[64];
		int k = fresh();

		snprintf(email, sizeof(email), "person%zu@example.org", i);
		in.email = email;
		assert_int_equal(rsvp_create(F->t.db, F->t.a, "run", &in, F->form[k], F->manage[k],
		    &out), DB_OK);
	}
	assert_int_equal(hits("O\"Ne"), 1);
	assert_int_equal(hits("\""), 1);
	assert_int_equal(hits("100%"), 1);
	assert_int_equal(hits("0%"), 1);
	assert_int_equal(hits("t_U"), 1);
	assert_int_equal(hits("_"), 1);
	assert_int_equal(hits("BOB"), 1);
	assert_int_equal(hits("mile"), 1);
	assert_int_equal(hits("\xc3\xa9mile"), 0);	/* LIKE folds ASCII only */
	assert_int_equal(hits("example.org"), 6);
	assert_int_equal(hits("z"), 1);
	assert_int_equal(hits("zz"), 0);
	assert_int_equal(hits("zzz"), 0);
	/* By hand: a renamed and a deleted RSVP, the index still whole. */
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE rsvp SET name = 'Renamed"
	    " Person' WHERE name = 'dan'; DELETE FROM rsvp WHERE name = 'eve';", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(hits("Renamed"), 1);
	assert_int_equal(hits("dan"), 0);
	assert_int_equal(hits("eve"), 0);
	assert_int_equal(hits("example.org"), 5);
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO rsvp_search (rsvp_search)"
	    " VALUES ('integrity-check')", NULL, NULL, NULL), SQLITE_OK);
}

/*
 * The batch writer's transaction (db_batch_begin): each change in it is a
 * savepoint. A refused one (the same e-mail again) leaves the others and
 * uses nothing up (its form token makes an RSVP later); a batch rolled
 * back keeps none of its changes; after it, changes commit on their own.
 */
static void test_batch(void **state)
{
	struct rsvp_input in = { .name = "Cat", .email = "cat@example.org", .note = "" };
	struct rsvp_outcome out;
	int i, refused;

	(void)state;
	assert_int_equal(db_batch_begin(F->t.db), DB_OK);
	assert_int_equal(rsvp("ann", 0, &i, &out), DB_OK);
	assert_int_equal(rsvp("ann", 1, &refused, &out), DB_CONFLICT);
	assert_int_equal(rsvp("bob", 2, &i, &out), DB_OK);
	assert_true(db_batch_open(F->t.db));
	assert_int_equal(db_batch_end(F->t.db, 1), DB_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM rsvp"), 2);
	assert_int_equal(testdb_int(F->t.db, "SELECT confirmed FROM event"), 4);
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "run", &in, F->form[refused],
	    F->manage[refused], &out), DB_OK);
	assert_false(out.replayed);

	assert_int_equal(db_batch_begin(F->t.db), DB_OK);
	assert_int_equal(rsvp("dan", 0, &i, &out), DB_OK);
	assert_int_equal(db_batch_end(F->t.db, 0), DB_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM rsvp"), 3);
	assert_int_equal(testdb_int(F->t.db,
	    "SELECT count(*) FROM rsvp WHERE email = 'dan@example.org'"), 0);

	assert_int_equal(rsvp("eve", 0, &i, &out), DB_OK);
	assert_false(db_batch_open(F->t.db));
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM rsvp"), 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_fits_exactly_then_one_over),
		T(test_party_larger_than_capacity),
		T(test_guests_up_and_down),
		T(test_cancel_promotes_in_order),
		T(test_big_party_keeps_its_place),
		T(test_capacity_changes),
		T(test_window),
		T(test_duplicate_email),
		T(test_idempotent_replay),
		T(test_guard_trigger),
		T(test_tokens),
		T(test_door_list),
		T(test_links),
		T(test_positions_across_blocks),
		T(test_search),
		T(test_batch),
	};

	return cmocka_run_group_tests_name("rsvp", tests, NULL, NULL);
}
