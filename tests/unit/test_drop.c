/* Limited drops: holds, claims, expiry and the stock guard, on a real database file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "drop.h"
#include "event.h"
#include "testdb.h"
#include "token.h"

#define NOW 1800000000
#define NOW_MS ((int64_t)NOW * 1000)
#define HOLD_MS 60000

struct fixture {
	struct testdb t;
	int64_t event_id, item, small, medium, other_variant;
};

static struct fixture *F;

/* A published event `slug` made a drop with settings s. */
static int64_t make_drop(const char *slug, const struct drop_settings *s)
{
	struct event e = {
		.slug = slug, .title = slug, .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = -1,
	};
	struct event got;

	assert_int_equal(event_create(F->t.db, &e), DB_OK);
	assert_int_equal(drop_configure(F->t.db, slug, s), DB_OK);
	assert_int_equal(event_get(F->t.db, F->t.a, slug, &got), DB_OK);
	assert_int_equal(got.kind, EVENT_DROP);
	return got.id;
}

static int setup(void **state)
{
	struct drop_settings s = { .per_person = 2, .hold_seconds = 60, .renewals = 2,
	    .pickup = "Collect at the bar" };
	struct fixture *f = test_calloc(1, sizeof(*f));
	int64_t other, item;

	*state = F = f;
	clock_set(NOW);
	testdb_open(&f->t);
	testdb_token_init(&f->t);
	f->event_id = make_drop("shirts", &s);
	assert_int_equal(drop_item_add(f->t.db, f->event_id, "T-shirt", "€15, pay at pick-up",
	    "Organic cotton", &f->item), DB_OK);
	assert_int_equal(drop_variant_add(f->t.db, f->event_id, f->item, "S", 2, &f->small), DB_OK);
	assert_int_equal(drop_variant_add(f->t.db, f->event_id, f->item, "M", 1, &f->medium), DB_OK);
	other = make_drop("bikes", &s);
	assert_int_equal(drop_item_add(f->t.db, other, "Bike", "free", "", &item), DB_OK);
	assert_int_equal(drop_variant_add(f->t.db, other, item, "", 5, &f->other_variant), DB_OK);
	return 0;
}

/*
 * Hold quantity of variant for name at "shirts" with a fresh form token,
 * from a browser that keeps the hold link owner (NULL: none).
 */
static enum db_rc hold_as(const char *name, int64_t variant, int quantity,
    const char *owner, struct drop_outcome *out)
{
	struct hold_input in = { .variant_id = variant, .quantity = quantity, .name = name,
	    .owner = owner };
	char form[TOKEN_FORM_HEX + 1], email[64];

	snprintf(email, sizeof(email), "%s@example.org", name);
	in.email = email;
	token_form_new(form, clock_now(), "t");
	return drop_hold(F->t.db, F->t.a, "shirts", &in, form, out);
}

static enum db_rc hold(const char *name, int64_t variant, int quantity,
    struct drop_outcome *out)
{
	return hold_as(name, variant, quantity, NULL, out);
}

static enum db_rc claim(const char *token, struct drop_outcome *out)
{
	char form[TOKEN_FORM_HEX + 1];

	token_form_new(form, clock_now(), "t");
	return drop_claim(F->t.db, F->t.a, token, form, out);
}

static enum db_rc release(const char *token, struct drop_outcome *out)
{
	char form[TOKEN_FORM_HEX + 1];

	token_form_new(form, clock_now(), "t");
	return drop_release(F->t.db, F->t.a, token, form, out);
}

/* The status of the hold behind token at the pinned time. */
static enum hold_status status_of(const char *token, struct hold *h)
{
	struct event e;

	assert_int_equal(drop_hold_get(F->t.db, F->t.a, token, clock_now_ms(), h, &e), DB_OK);
	return h->status;
}

/* The counters equal the holds' rows; claims (cancelled ones too) have their row. */
static void assert_consistent(void)
{
	assert_int_equal(testdb_int(F->t.db,
	    "SELECT count(*) FROM drop_variant v WHERE held <> (SELECT coalesce(sum(quantity), 0)"
	    " FROM drop_hold WHERE variant_id = v.id AND status = 'live') OR claimed <>"
	    " (SELECT coalesce(sum(quantity), 0) FROM drop_hold WHERE variant_id = v.id"
	    " AND status = 'claimed') OR held + claimed > stock"), 0);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold h WHERE"
	    " (status IN ('claimed', 'cancelled')) <>"
	    " EXISTS (SELECT 1 FROM drop_claim WHERE hold_id = h.id)"),
	    0);
}

static long long held(int64_t variant)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT held FROM drop_variant WHERE id = %lld",
	    (long long)variant);
	return testdb_int(F->t.db, sql);
}

/* The drop log's actions in order, space-separated (a static buffer). */
static const char *log_actions(void)
{
	static char buf[256];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(F->t.db), "SELECT group_concat(action,"
	    " ' ') FROM (SELECT action FROM drop_log ORDER BY id)", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0) != NULL ?
	    (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	return buf;
}

static void test_hold_and_claim(void **state)
{
	struct drop_outcome out, c;
	struct hold h;
	struct event e;
	struct drop d;

	(void)state;
	assert_int_equal(hold("ann", F->small, 1, &out), DB_OK);
	assert_true(token_manage_valid(out.token));
	assert_int_equal(status_of(out.token, &h), HOLD_LIVE);
	assert_int_equal(h.expires_at, NOW_MS + HOLD_MS);
	assert_string_equal(h.item, "T-shirt");
	assert_string_equal(h.variant, "S");
	assert_int_equal(held(F->small), 1);
	assert_int_equal(event_get(F->t.db, F->t.a, "shirts", &e), DB_OK);
	assert_int_equal(drop_get(F->t.db, F->t.a, &e, clock_now_ms(), &d), DB_OK);
	assert_int_equal(d.nitems, 1);
	assert_int_equal(d.items[0].nvariants, 2);
	assert_int_equal(d.items[0].variants[0].available, 1);
	assert_int_equal(d.available, 2);

	clock_set_ms(NOW_MS + 30000);
	assert_int_equal(claim(out.token, &c), DB_OK);
	assert_int_equal(c.claim_number, 1);
	assert_int_equal(status_of(out.token, &h), HOLD_CLAIMED);
	assert_string_equal(h.price, "€15, pay at pick-up");
	assert_int_equal(h.claim_number, 1);
	/* A second click on "Claim" is the same claim. */
	assert_int_equal(claim(out.token, &c), DB_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_claim"), 1);
	/* Claimed units never come back by themselves. */
	clock_set_ms(NOW_MS + 3600000);
	assert_int_equal(status_of(out.token, &h), HOLD_CLAIMED);
	assert_string_equal(log_actions(), "hold claim");
}

static void test_replayed_form_is_one_hold(void **state)
{
	struct hold_input in = { .variant_id = 0, .quantity = 1, .name = "Bo",
	    .email = "bo@example.org" };
	struct drop_outcome a, b, c;
	char form[TOKEN_FORM_HEX + 1];

	(void)state;
	in.variant_id = F->small;
	token_form_new(form, clock_now(), "t");
	assert_int_equal(drop_hold(F->t.db, F->t.a, "shirts", &in, form, &a), DB_OK);
	assert_int_equal(drop_hold(F->t.db, F->t.a, "shirts", &in, form, &b), DB_OK);
	assert_true(b.replayed);
	assert_string_equal(a.token, b.token);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold"), 1);
	/* A used form replayed with someone else's address: not their link. */
	assert_int_equal(hold("cy", F->medium, 1, &c), DB_OK);
	in.email = "cy@example.org";
	assert_int_equal(drop_hold(F->t.db, F->t.a, "shirts", &in, form, &b), DB_OK);
	assert_true(b.replayed);
	assert_string_equal(a.token, b.token);
	assert_string_not_equal(b.token, c.token);
	assert_int_equal(held(F->small), 1);
}

static void test_claim_at_the_boundary(void **state)
{
	struct drop_outcome a, b, c;
	struct hold h;

	(void)state;
	assert_int_equal(hold("ann", F->small, 1, &a), DB_OK);
	assert_int_equal(hold("bo", F->small, 1, &b), DB_OK);
	/* 1 ms before the expiry: still live, the claim wins. */
	clock_set_ms(NOW_MS + HOLD_MS - 1);
	assert_int_equal(claim(a.token, &c), DB_OK);
	/* At the expiry instant the hold is over: now < expires_at is false. */
	clock_set_ms(NOW_MS + HOLD_MS);
	assert_int_equal(status_of(b.token, &h), HOLD_EXPIRED);
	assert_int_equal(claim(b.token, &c), DB_CLOSED);
	assert_int_equal(c.available, 1);	/* "try again": one S is left */
	assert_int_equal(status_of(a.token, &h), HOLD_CLAIMED);
	assert_int_equal(status_of(b.token, &h), HOLD_EXPIRED);
	/* 1 ms after, likewise; the refusal changed nothing. */
	clock_set_ms(NOW_MS + HOLD_MS + 1);
	assert_int_equal(claim(b.token, &c), DB_CLOSED);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_claim"), 1);
	assert_int_equal(testdb_int(F->t.db, "SELECT claimed FROM drop_variant WHERE name = 'S'"),
	    1);
	assert_consistent();
}

static void test_expiry_needs_no_sweeper(void **state)
{
	struct drop_outcome a, b;

	(void)state;
	assert_int_equal(hold("ann", F->medium, 1, &a), DB_OK);
	assert_int_equal(hold("bo", F->medium, 1, &b), DB_FULL);
	assert_true(b.could_return);
	assert_int_equal(b.available, 0);
	clock_set_ms(NOW_MS + HOLD_MS);
	/* Nothing swept: the hold transaction expires Ann's hold itself. */
	assert_int_equal(hold("bo", F->medium, 1, &b), DB_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold WHERE status ="
	    " 'expired'"), 1);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_log WHERE action ="
	    " 'expire' AND at = 1800000060000"), 1);
	assert_consistent();
}

static void test_sold_out(void **state)
{
	struct drop_outcome a, b;

	(void)state;
	assert_int_equal(hold("ann", F->medium, 1, &a), DB_OK);
	assert_int_equal(claim(a.token, &b), DB_OK);
	assert_int_equal(hold("bo", F->medium, 1, &b), DB_FULL);
	/* Everything is claimed: no live hold can return. */
	assert_false(b.could_return);
	assert_int_equal(hold("cy", F->small, 2, &b), DB_OK);
	assert_int_equal(hold("di", F->small, 1, &b), DB_FULL);
	assert_true(b.could_return);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold"), 2);
}

static void test_release_returns_stock(void **state)
{
	struct drop_outcome a, b;
	struct hold h;

	(void)state;
	assert_int_equal(hold("ann", F->medium, 1, &a), DB_OK);
	assert_int_equal(release(a.token, &b), DB_OK);
	assert_int_equal(status_of(a.token, &h), HOLD_RELEASED);
	assert_int_equal(held(F->medium), 0);
	/* Released: it cannot be claimed, letting it go again is no change. */
	assert_int_equal(claim(a.token, &b), DB_CLOSED);
	assert_int_equal(release(a.token, &b), DB_OK);
	assert_int_equal(hold("bo", F->medium, 1, &b), DB_OK);
	assert_int_equal(claim(b.token, &a), DB_OK);
	/* A claim is not let go by the hold page. */
	assert_int_equal(release(b.token, &a), DB_CLOSED);
	assert_string_equal(log_actions(), "hold release hold claim");
}

static void test_per_person_limit(void **state)
{
	struct drop_outcome out, c;

	(void)state;
	assert_int_equal(hold("ann", F->small, 3, &out), DB_INVALID);
	assert_int_equal(hold("ann", F->small, 0, &out), DB_INVALID);
	assert_int_equal(hold("ann", F->small, -1, &out), DB_INVALID);
	assert_int_equal(hold("ann", F->small, 1, &out), DB_OK);
	assert_int_equal(claim(out.token, &c), DB_OK);
	/* One claimed plus two more would pass the limit of two. */
	assert_int_equal(hold("ann", F->small, 2, &out), DB_CONFLICT);
	assert_int_equal(hold("ann", F->small, 1, &out), DB_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold"), 2);
}

static void test_bad_variants(void **state)
{
	struct drop_outcome out;

	(void)state;
	assert_int_equal(hold("ann", F->other_variant, 1, &out), DB_INVALID);
	assert_int_equal(hold("ann", 99999, 1, &out), DB_INVALID);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold"), 0);
	/* The database refuses such a hold even if the C check were missing. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO drop_hold"
	    " (event_id, variant_id, token_hash, quantity, name, email, hold_ms, max_renewals,"
	    " created_at, expires_at, updated_at) SELECT e.id, v.id, zeroblob(32), 1, 'x',"
	    " 'x@y.z', 60000, 0, 1, 2, 1 FROM event e, drop_variant v WHERE e.slug = 'shirts'"
	    " AND v.name = ''", NULL, NULL, NULL), SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db_sqlite(F->t.db)), "another drop"));
}

static void test_window(void **state)
{
	struct drop_outcome out;

	(void)state;
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE event SET rsvp_opens_at ="
	    " 1800000100 WHERE slug = 'shirts'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(hold("ann", F->small, 1, &out), DB_CLOSED);
	clock_set(NOW + 100);
	assert_int_equal(hold("ann", F->small, 1, &out), DB_OK);
}

static void test_same_address_renews(void **state)
{
	struct drop_outcome a, b;
	struct hold h;

	(void)state;
	assert_int_equal(hold("ann", F->small, 1, &a), DB_OK);
	/* Another browser knowing the address learns nothing and renews nothing. */
	assert_int_equal(hold("ann", F->small, 1, &b), DB_CONFLICT);
	assert_true(b.elsewhere);
	assert_string_equal(b.token, "");
	assert_int_equal(hold_as("ann", F->small, 1, "0123456789abcdef0123456789abcdef", &b),
	    DB_CONFLICT);
	assert_true(b.elsewhere);
	assert_int_equal(testdb_int(F->t.db, "SELECT renewals FROM drop_hold"), 0);
	/* At its last moment: a full hold time from now, the same link. */
	clock_set_ms(NOW_MS + HOLD_MS - 1);
	assert_int_equal(hold_as("ann", F->medium, 1, a.token, &b), DB_OK);
	assert_true(b.renewed);
	assert_string_equal(a.token, b.token);
	assert_int_equal(status_of(a.token, &h), HOLD_LIVE);
	assert_int_equal(h.expires_at, NOW_MS + 2 * HOLD_MS - 1);
	assert_int_equal(h.renewals, 1);
	/* The clock jumps back an hour: a renewal never makes a hold shorter. */
	clock_set_ms(NOW_MS - 3600000);
	assert_int_equal(hold_as("ann", F->small, 1, a.token, &b), DB_OK);
	assert_int_equal(status_of(a.token, &h), HOLD_LIVE);
	assert_int_equal(h.expires_at, NOW_MS + 2 * HOLD_MS - 1);
	assert_int_equal(h.renewals, 1);
	/* Jumping forward: capped at the first hold time plus one per renewal. */
	clock_set_ms(NOW_MS + 2 * HOLD_MS - 2);
	assert_int_equal(hold_as("ann", F->small, 1, a.token, &b), DB_OK);
	assert_int_equal(status_of(a.token, &h), HOLD_LIVE);
	assert_int_equal(h.expires_at, NOW_MS + 3 * HOLD_MS - 2);
	assert_int_equal(h.renewals, 2);
	/* No renewals left: the same hold, not a minute more. */
	clock_set_ms(NOW_MS + 3 * HOLD_MS - 3);
	assert_int_equal(hold_as("ann", F->small, 1, a.token, &b), DB_OK);
	assert_string_equal(a.token, b.token);
	assert_int_equal(status_of(a.token, &h), HOLD_LIVE);
	assert_int_equal(h.expires_at, NOW_MS + 3 * HOLD_MS - 2);
	clock_set_ms(NOW_MS + 3 * HOLD_MS - 2);
	assert_int_equal(status_of(a.token, &h), HOLD_EXPIRED);
	/* The schema refuses a longer hold whatever the code does. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE drop_hold SET"
	    " expires_at = expires_at + 3", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_log WHERE action ="
	    " 'renew'"), 2);
}

static void test_stock_guard(void **state)
{
	struct drop_outcome a, b, c;

	(void)state;
	assert_int_equal(hold("ann", F->small, 1, &a), DB_OK);
	assert_int_equal(claim(a.token, &c), DB_OK);
	assert_int_equal(hold("bo", F->small, 1, &b), DB_OK);
	/* Below held + claimed: allowed, Bo's hold runs out. */
	assert_int_equal(drop_variant_set_stock(F->t.db, F->event_id, F->small, 1), DB_OK);
	/* Below what is claimed: refused, nothing changes. */
	assert_int_equal(drop_variant_set_stock(F->t.db, F->event_id, F->small, 0), DB_CONFLICT);
	assert_int_equal(testdb_int(F->t.db, "SELECT stock FROM drop_variant WHERE name = 'S'"),
	    1);
	/* Bo's hold cannot become a claim now: it runs out. */
	assert_int_equal(claim(b.token, &c), DB_FULL);
	assert_int_equal(testdb_int(F->t.db, "SELECT claimed FROM drop_variant WHERE name = 'S'"),
	    1);
	assert_int_equal(drop_variant_set_stock(F->t.db, F->event_id, F->small, DROP_STOCK_MAX + 1),
	    DB_INVALID);
	/* The guard trigger, whatever the code does. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE drop_variant SET"
	    " held = held + 5 WHERE name = 'M'", NULL, NULL, NULL), SQLITE_OK);
	assert_string_equal(sqlite3_errmsg(db_sqlite(F->t.db)),
	    "oversold: held + claimed would exceed stock");
}

static void test_sweep(void **state)
{
	struct drop_outcome a, b;
	int n;

	(void)state;
	assert_int_equal(hold("ann", F->small, 1, &a), DB_OK);
	clock_set_ms(NOW_MS + 1000);
	assert_int_equal(hold("bo", F->small, 1, &b), DB_OK);
	assert_int_equal(drop_sweep(F->t.db, NOW_MS + HOLD_MS, &n), DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(held(F->small), 1);
	assert_int_equal(drop_sweep(F->t.db, NOW_MS + HOLD_MS, &n), DB_OK);
	assert_int_equal(n, 0);
	assert_consistent();
}

static void test_settings_range(void **state)
{
	struct drop_settings s = { .per_person = 1, .hold_seconds = 14, .renewals = 0,
	    .pickup = "" };

	(void)state;
	assert_int_equal(drop_configure(F->t.db, "shirts", &s), DB_INVALID);
	s.hold_seconds = 1801;
	assert_int_equal(drop_configure(F->t.db, "shirts", &s), DB_INVALID);
	s.hold_seconds = 15;
	assert_int_equal(drop_configure(F->t.db, "nope", &s), DB_NOTFOUND);
	assert_int_equal(drop_configure(F->t.db, "shirts", &s), DB_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT hold_seconds FROM drop_setting"
	    " WHERE event_id = (SELECT id FROM event WHERE slug = 'shirts')"), 15);
}

/* An organiser marks and cancels claims; claims and cancellations are e-mailed. */
static void test_admin_claims(void **state)
{
	struct drop_outcome a, b, c;
	struct hold *list, h;
	int64_t id;
	int n;

	(void)state;
	assert_int_equal(hold("ann", F->small, 1, &a), DB_OK);
	assert_int_equal(claim(a.token, &c), DB_OK);
	assert_int_equal(hold("bo", F->medium, 1, &b), DB_OK);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM outbox WHERE kind = 'claimed'"
	    " AND recipient = 'ann@example.org' AND hold_id IS NOT NULL"), 1);
	assert_int_equal(drop_admin_list(F->t.db, F->t.a, F->event_id, clock_now_ms(), &list, &n),
	    DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].claim_number, 1);	/* claims first, then live holds */
	assert_int_equal(list[1].status, HOLD_LIVE);
	id = list[0].id;
	/* Only a claim is marked or cancelled; only this drop's. */
	assert_int_equal(drop_admin_act(F->t.db, F->t.a, F->event_id, list[1].id,
	    DROP_CANCEL_CLAIM, "org"), DB_CLOSED);
	assert_int_equal(drop_admin_act(F->t.db, F->t.a, F->event_id + 1, id, DROP_PAID, "org"),
	    DB_NOTFOUND);
	clock_set(NOW + 10);
	assert_int_equal(drop_admin_act(F->t.db, F->t.a, F->event_id, id, DROP_PICKED_UP, "org"),
	    DB_OK);
	clock_set(NOW + 20);
	assert_int_equal(drop_admin_act(F->t.db, F->t.a, F->event_id, id, DROP_PICKED_UP, "org"),
	    DB_OK);
	assert_int_equal(drop_hold_by_id(F->t.db, F->t.a, F->event_id, id, &h), DB_OK);
	assert_int_equal(h.picked_up_at, NOW + 10);	/* a second tap keeps the first time */
	assert_int_equal(h.paid_at, 0);
	assert_int_equal(drop_admin_act(F->t.db, F->t.a, F->event_id, id, DROP_CANCEL_CLAIM,
	    "org"), DB_OK);
	assert_int_equal(drop_hold_by_id(F->t.db, F->t.a, F->event_id, id, &h), DB_OK);
	assert_int_equal(h.status, HOLD_CANCELLED);
	assert_int_equal(testdb_int(F->t.db, "SELECT claimed FROM drop_variant WHERE name = 'S'"),
	    0);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM outbox WHERE kind ="
	    " 'claim_cancelled' AND recipient = 'ann@example.org'"), 1);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_log WHERE action ="
	    " 'cancel' AND actor = 'org'"), 1);
	/* Twice is once; a cancelled claim is not picked up. */
	assert_int_equal(drop_admin_act(F->t.db, F->t.a, F->event_id, id, DROP_CANCEL_CLAIM,
	    "org"), DB_OK);
	assert_int_equal(drop_admin_act(F->t.db, F->t.a, F->event_id, id, DROP_PAID, "org"),
	    DB_CLOSED);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM outbox WHERE kind ="
	    " 'claim_cancelled'"), 1);
	assert_consistent();
}

/* Items and variants belong to one drop: another drop's are not reachable. */
static void test_variants_stay_in_their_drop(void **state)
{
	int64_t id;

	(void)state;
	assert_int_equal(drop_variant_add(F->t.db, F->event_id + 1, F->item, "XL", 3, &id),
	    DB_INVALID);
	assert_int_equal(drop_variant_set_stock(F->t.db, F->event_id, F->other_variant, 1),
	    DB_NOTFOUND);
	assert_int_equal(drop_item_add(F->t.db, 99999, "x", "", "", &id), DB_NOTFOUND);
	assert_int_equal(drop_variant_add(F->t.db, F->event_id, 99999, "x", 1, &id),
	    DB_INVALID);
}

/*
 * Run n processes, each with its own connection, calling fn(i) at once
 * (they wait for a pipe to close); returns how many answered DB_OK.
 */
static int race(int n, enum db_rc (*fn)(struct db *db, int i))
{
	int go[2], ok = 0, i, status;
	char err[256];
	pid_t pid;

	/* No connection may cross a fork: the parent's closes meanwhile. */
	db_close(F->t.db);
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == 0) {
			struct db *db;
			char c;
			enum db_rc rc;

			close(go[1]);
			if ((db = db_open(&F->t.cfg, 0, err, sizeof(err))) == NULL ||
			    db_prepare(db, err, sizeof(err)) != 0)
				_exit(3);
			(void)!read(go[0], &c, 1);
			do
				rc = fn(db, i);
			while (rc == DB_BUSY);
			db_close(db);
			/* The parent's memory, copied by fork: Valgrind counts it too. */
			arena_free(F->t.a);
			test_free(F);
			_exit(rc == DB_OK ? 0 : rc == DB_ERROR ? 3 : 1);
		}
		assert_true(pid > 0);
	}
	close(go[0]);
	close(go[1]);
	while ((pid = wait(&status)) > 0) {
		assert_true(WIFEXITED(status));
		assert_int_not_equal(WEXITSTATUS(status), 3);
		ok += WEXITSTATUS(status) == 0;
	}
	assert_non_null(F->t.db = db_open(&F->t.cfg, 0, err, sizeof(err)));
	assert_int_equal(db_prepare(F->t.db, err, sizeof(err)), 0);
	return ok;
}

static enum db_rc hold_medium(struct db *db, int i)
{
	struct hold_input in = { .quantity = 1, .name = "racer" };
	char email[64];

	snprintf(email, sizeof(email), "r%d@example.org", i);
	in.email = email;
	in.variant_id = F->medium;
	return drop_hold(db, F->t.a, "shirts", &in, NULL, &(struct drop_outcome){ 0 });
}

/* The last unit: many at once for a stock of 1, exactly one hold. */
static void test_last_unit_race(void **state)
{
	(void)state;
	assert_int_equal(race(16, hold_medium), 1);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold"), 1);
	assert_int_equal(held(F->medium), 1);
	assert_consistent();
}

static char tokens[8][TOKEN_MANAGE_HEX + 1];

/* Even racers claim at the expiry instant, odd ones sweep at it. */
static enum db_rc claim_or_sweep(struct db *db, int i)
{
	struct drop_outcome out;
	int n;

	clock_set_ms(NOW_MS + HOLD_MS - (i % 4 == 0));
	if (i % 2 == 1)
		return drop_sweep(db, clock_now_ms(), &n);
	return drop_claim(db, F->t.a, tokens[i / 2], NULL, &out);
}

/* Claims racing the sweeper at the expiry instant: claimed or expired, never both. */
static void test_claims_race_the_sweeper(void **state)
{
	struct drop_outcome out;
	int i;

	(void)state;
	assert_int_equal(drop_variant_set_stock(F->t.db, F->event_id, F->small, 8), DB_OK);
	for (i = 0; i < 8; i++) {
		char name[8];

		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(hold(name, F->small, 1, &out), DB_OK);
		strcpy(tokens[i], out.token);
	}
	race(16, claim_or_sweep);
	/*
	 * Each hold ended once. Only a claim 1 ms early can have won (if no
	 * sweep went first); at the instant itself nobody claims.
	 */
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold WHERE status"
	    " IN ('claimed', 'expired')"), 8);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM drop_hold WHERE status ="
	    " 'claimed' AND (id - (SELECT min(id) FROM drop_hold)) % 2 = 1"), 0);
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM (SELECT hold_id FROM drop_log"
	    " GROUP BY hold_id HAVING sum(action IN ('claim', 'expire')) <> 1)"), 0);
	assert_consistent();
	assert_int_equal(testdb_int(F->t.db, "SELECT count(*) FROM pragma_integrity_check"
	    " WHERE integrity_check <> 'ok'"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hold_and_claim, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_replayed_form_is_one_hold, setup,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_claim_at_the_boundary, setup,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_expiry_needs_no_sweeper, setup,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_sold_out, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_release_returns_stock, setup,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_per_person_limit, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_bad_variants, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_same_address_renews, setup,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_stock_guard, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_settings_range, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_admin_claims, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_variants_stay_in_their_drop, setup,
		    testdb_teardown),
		cmocka_unit_test_setup_teardown(test_last_unit_race, setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_claims_race_the_sweeper, setup,
		    testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
