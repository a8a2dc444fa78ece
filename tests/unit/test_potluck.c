/* The potluck sheet: items, pledges, caps and stale forms, on a real database file. */
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
#include "potluck.h"
#include "rsvp.h"
#include "token.h"
#include "testdb.h"

#define NOW 1800000000

struct fixture {
	struct testdb t;	/* first: testdb_teardown() frees the fixture */
	int n;			/* tokens handed out */
	char form[64][TOKEN_FORM_HEX + 1];
	char manage[64][TOKEN_MANAGE_HEX + 1];
	int64_t chairs, cake, grill;	/* items of "party" (chairs capped at 4) */
	int64_t other;			/* an item of "other-party" */
};

static struct fixture *F;

static int64_t add(int64_t event_id, const char *name, int64_t suggested, int capped,
    enum item_category c)
{
	struct item_input in = { .name = name, .unit = "", .category = c,
	    .suggested = suggested, .capped = capped };
	int64_t id = 0;

	assert_int_equal(potluck_item_add(F->t.db, event_id, &in, &id), DB_OK);
	assert_true(id > 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));
	struct event e = {
		.slug = "party", .title = "Party", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 2,
		.max_guests = 0,
	};
	struct event o;

	clock_set(NOW);
	testdb_open(&f->t);
	testdb_token_init(&f->t);
	assert_int_equal(event_create(f->t.db, &e), DB_OK);
	e.slug = "other-party";
	assert_int_equal(event_create(f->t.db, &e), DB_OK);
	*state = F = f;
	assert_int_equal(event_get(f->t.db, f->t.a, "party", &e), DB_OK);
	assert_int_equal(event_get(f->t.db, f->t.a, "other-party", &o), DB_OK);
	f->chairs = add(e.id, "Folding chairs", 4, 1, ITEM_UTENSIL);
	f->cake = add(e.id, "Cake", 3, 0, ITEM_FOOD);
	f->grill = add(e.id, "Grill", 1, 1, ITEM_UTENSIL);
	f->other = add(o.id, "Other cake", 3, 0, ITEM_FOOD);
	return 0;
}

/* New tokens for one RSVP or form; returns their index. */
static int fresh(void)
{
	assert_true(F->n < 64);
	testdb_tokens(F->form[F->n], F->manage[F->n]);
	return F->n++;
}

static long long q(const char *sql)
{
	return testdb_int(F->t.db, sql);
}

/* RSVP name to "party" with pledges; returns the db_rc, *idx its tokens. */
static enum db_rc rsvp_with(const char *name, const struct pledge_input *p, int n,
    int *idx, struct rsvp_outcome *out)
{
	struct rsvp_input in = { .name = name, .note = "", .pledges = p, .npledges = n };
	char email[64];

	snprintf(email, sizeof(email), "%s@example.org", name);
	in.email = email;
	*idx = fresh();
	return rsvp_create(F->t.db, "party", &in, F->form[*idx], F->manage[*idx], out);
}

static int rsvp_ok(const char *name)
{
	struct rsvp_outcome out;
	int i;

	assert_int_equal(rsvp_with(name, NULL, 0, &i, &out), DB_OK);
	return i;
}

/* Item id as the sheet of "party" (event 1) shows it to a visitor. */
static struct item item(int64_t id)
{
	struct item *items;
	int n, i;

	assert_int_equal(potluck_sheet(F->t.db, F->t.a, 1, 0, &items, &n), DB_OK);
	for (i = 0; i < n; i++)
		if (items[i].id == id)
			return items[i];
	fail_msg("item %lld not on the sheet", (long long)id);
	return items[0];
}

/* Pledge quantity of item from RSVP i on a form showing version. */
static enum db_rc pledge_v(int i, int64_t item_id, int64_t version, int64_t quantity,
    struct rsvp_outcome *out)
{
	struct pledge_input p = { item_id, version, quantity };
	int f = fresh();

	return potluck_pledge(F->t.db, F->manage[i], &p, F->form[f], out);
}

/* The same with the item's current version. */
static enum db_rc pledge(int i, int64_t item_id, int64_t quantity, struct rsvp_outcome *out)
{
	return pledge_v(i, item_id, item(item_id).version, quantity, out);
}

/* Every item's total equals the sum of its pledges; caps hold. */
static void check_totals(void)
{
	assert_int_equal(q("SELECT count(*) FROM item i WHERE pledged <>"
	    " (SELECT coalesce(sum(quantity), 0) FROM pledge p WHERE p.item_id = i.id)"), 0);
	assert_int_equal(q("SELECT count(*) FROM item WHERE capped AND pledged > suggested"), 0);
	assert_int_equal(q("SELECT count(*) FROM pledge p JOIN rsvp r ON r.id = p.rsvp_id"
	    " WHERE r.status = 'cancelled'"), 0);
}

static void test_pledge_change_remove(void **state)
{
	struct rsvp_outcome out;
	int64_t v0 = item(F->cake).version, ev0;
	int a = rsvp_ok("ann");

	(void)state;
	ev0 = q("SELECT version FROM event WHERE slug = 'party'");
	assert_int_equal(pledge(a, F->cake, 2, &out), DB_OK);
	assert_int_equal(item(F->cake).pledged, 2);
	assert_int_equal(item(F->cake).version, v0 + 1);
	assert_true(q("SELECT version FROM event WHERE slug = 'party'") > ev0);
	/* Changing replaces: still one row. */
	assert_int_equal(pledge(a, F->cake, 5, &out), DB_OK);
	assert_int_equal(item(F->cake).pledged, 5);
	assert_int_equal(item(F->cake).version, v0 + 2);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 1);
	/* The same quantity again changes nothing. */
	assert_int_equal(pledge(a, F->cake, 5, &out), DB_OK);
	assert_int_equal(item(F->cake).version, v0 + 2);
	/* 0 removes it. */
	assert_int_equal(pledge(a, F->cake, 0, &out), DB_OK);
	assert_int_equal(item(F->cake).pledged, 0);
	assert_int_equal(item(F->cake).version, v0 + 3);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 0);
	check_totals();
}

static void test_sheet_lists_who_and_mine(void **state)
{
	struct rsvp_outcome out;
	struct item *items;
	int a = rsvp_ok("ann"), b = rsvp_ok("bob"), n, i;

	(void)state;
	assert_int_equal(pledge(a, F->cake, 1, &out), DB_OK);
	assert_int_equal(pledge(b, F->cake, 2, &out), DB_OK);
	assert_int_equal(pledge(b, F->grill, 1, &out), DB_OK);
	assert_int_equal(potluck_sheet(F->t.db, F->t.a, 1, q("SELECT id FROM rsvp WHERE"
	    " name = 'bob'"), &items, &n), DB_OK);
	assert_int_equal(n, 3);
	/* food first; within utensils the chairs, still needed, before the full grill */
	assert_int_equal(items[0].id, F->cake);
	assert_int_equal(items[1].id, F->chairs);
	assert_int_equal(items[2].id, F->grill);
	assert_int_equal(items[0].npledgers, 2);
	assert_string_equal(items[0].pledgers[0].name, "ann");
	assert_int_equal(items[0].pledgers[1].quantity, 2);
	assert_int_equal(items[0].mine, 2);
	assert_int_equal(items[1].mine, 0);
	assert_int_equal(potluck_needed(&items[0]), 0);
	assert_int_equal(potluck_needed(&items[1]), 4);
	for (i = 0; i < n; i++)
		assert_int_equal(items[i].more, 0);
	check_totals();
}

static void test_capped_refusal_changes_nothing(void **state)
{
	struct rsvp_outcome out;
	int a = rsvp_ok("ann"), b = rsvp_ok("bob");
	struct item before;

	(void)state;
	assert_int_equal(pledge(a, F->chairs, 3, &out), DB_OK);
	before = item(F->chairs);
	assert_int_equal(pledge(b, F->chairs, 2, &out), DB_FULL);
	assert_int_equal(out.item_id, F->chairs);
	assert_int_equal(out.item_left, 1);
	assert_int_equal(item(F->chairs).pledged, before.pledged);
	assert_int_equal(item(F->chairs).version, before.version);
	assert_int_equal(q("SELECT count(*) FROM pledge WHERE rsvp_id = 2"), 0);
	/* Raising one's own pledge counts only the others' against the cap. */
	assert_int_equal(pledge(a, F->chairs, 4, &out), DB_OK);
	assert_int_equal(pledge(a, F->chairs, 5, &out), DB_FULL);
	assert_int_equal(out.item_left, 0);
	/* The database refuses it even when the C code is bypassed. */
	assert_int_not_equal(sqlite3_exec(F->t.db->conn, "UPDATE pledge SET quantity = 9",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(item(F->chairs).pledged, 4);
	check_totals();
}

static void test_cancel_releases_pledges(void **state)
{
	struct rsvp_outcome out;
	int a = rsvp_ok("ann"), f;
	int64_t v;

	(void)state;
	assert_int_equal(pledge(a, F->chairs, 4, &out), DB_OK);
	assert_int_equal(pledge(a, F->cake, 1, &out), DB_OK);
	v = item(F->chairs).version;
	f = fresh();
	assert_int_equal(rsvp_cancel(F->t.db, F->manage[a], F->form[f], &out), DB_OK);
	assert_int_equal(item(F->chairs).pledged, 0);
	assert_int_equal(item(F->cake).pledged, 0);
	assert_true(item(F->chairs).version > v);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 0);
	/* A cancelled RSVP cannot pledge, not even past the C code. */
	assert_int_equal(pledge(a, F->cake, 1, &out), DB_CLOSED);
	assert_int_not_equal(sqlite3_exec(F->t.db->conn, "INSERT INTO pledge (item_id, rsvp_id,"
	    " quantity, created_at, updated_at) VALUES (2, 1, 1, 0, 0)", NULL, NULL, NULL),
	    SQLITE_OK);
	check_totals();
}

static void test_waitlisted_may_pledge(void **state)
{
	struct rsvp_outcome out;
	struct item it;
	int w;

	(void)state;
	rsvp_ok("ann");
	rsvp_ok("bob");
	w = rsvp_ok("cy");	/* capacity 2: waitlisted */
	assert_int_equal(pledge(w, F->cake, 1, &out), DB_OK);
	it = item(F->cake);
	assert_int_equal(it.npledgers, 1);
	assert_true(it.pledgers[0].tentative);
	check_totals();
}

static void test_stale_forms(void **state)
{
	struct rsvp_outcome out;
	int a = rsvp_ok("ann"), b = rsvp_ok("bob");
	int64_t seen;

	(void)state;
	assert_int_equal(pledge(a, F->cake, 2, &out), DB_OK);
	seen = item(F->cake).version;
	assert_int_equal(pledge(b, F->cake, 2, &out), DB_OK);
	/* Ann lowers her pledge on a page from before Bob's: shown the numbers. */
	assert_int_equal(pledge_v(a, F->cake, seen, 1, &out), DB_CONFLICT);
	assert_int_equal(out.item_id, F->cake);
	assert_int_equal(item(F->cake).pledged, 4);
	/* Removing is a decrease too. */
	assert_int_equal(pledge_v(a, F->cake, seen, 0, &out), DB_CONFLICT);
	/* A raise of an uncapped item adds up. */
	assert_int_equal(pledge_v(a, F->cake, seen, 3, &out), DB_OK);
	assert_int_equal(item(F->cake).pledged, 5);
	/* A stale capped pledge is checked against the fresh total. */
	seen = item(F->chairs).version;
	assert_int_equal(pledge(b, F->chairs, 3, &out), DB_OK);
	assert_int_equal(pledge_v(a, F->chairs, seen, 1, &out), DB_OK);
	assert_int_equal(pledge_v(a, F->chairs, seen, 2, &out), DB_FULL);
	assert_int_equal(out.item_left, 0);
	check_totals();
}

static void test_bad_pledges(void **state)
{
	struct rsvp_outcome out;
	int a = rsvp_ok("ann");
	int64_t ev = q("SELECT version FROM event WHERE slug = 'party'");

	(void)state;
	assert_int_equal(pledge(a, F->cake, -1, &out), DB_INVALID);
	assert_int_equal(pledge(a, F->cake, POTLUCK_QUANTITY_MAX + 1, &out), DB_INVALID);
	assert_int_equal(pledge_v(a, F->other, 1, 1, &out), DB_NOTFOUND);
	assert_int_equal(pledge_v(a, 9999, 1, 1, &out), DB_NOTFOUND);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 0);
	assert_int_equal(q("SELECT version FROM event WHERE slug = 'party'"), ev);
}

static void test_pledges_with_the_rsvp(void **state)
{
	struct pledge_input p[2] = { { 0, 0, 2 }, { 0, 0, 2 } };
	struct rsvp_outcome out;
	int i;

	(void)state;
	p[0].item_id = F->cake;
	p[1].item_id = F->grill;
	assert_int_equal(rsvp_with("ann", p, 2, &i, &out), DB_FULL);
	assert_int_equal(out.item_id, F->grill);
	assert_int_equal(out.item_left, 1);
	/* All or nothing: no RSVP, no cake pledge. */
	assert_int_equal(q("SELECT count(*) FROM rsvp"), 0);
	assert_int_equal(item(F->cake).pledged, 0);
	p[1].quantity = 1;
	assert_int_equal(rsvp_with("ann", p, 2, &i, &out), DB_OK);
	assert_int_equal(item(F->cake).pledged, 2);
	assert_int_equal(item(F->grill).pledged, 1);
	/* The replay changes nothing. */
	assert_int_equal(rsvp_create(F->t.db, "party", &(struct rsvp_input){ .name = "ann",
	    .email = "ann@example.org", .note = "", .pledges = p, .npledges = 2 },
	    F->form[i], F->manage[i], &out), DB_OK);
	assert_true(out.replayed);
	assert_int_equal(item(F->cake).pledged, 2);
	/* An item of another event refuses the RSVP. */
	p[0].item_id = F->other;
	assert_int_equal(rsvp_with("bob", p, 1, &i, &out), DB_NOTFOUND);
	assert_int_equal(q("SELECT count(*) FROM rsvp"), 1);
	check_totals();
}

static void test_replayed_pledge(void **state)
{
	struct pledge_input p = { 0, 0, 2 };
	struct rsvp_outcome out;
	int a = rsvp_ok("ann"), f = fresh();

	(void)state;
	/* Not pledge_v(): the same form token twice. */
	p.item_id = F->cake;
	p.version = item(F->cake).version;
	assert_int_equal(potluck_pledge(F->t.db, F->manage[a], &p, F->form[f], &out), DB_OK);
	assert_false(out.replayed);
	p.quantity = 3;
	assert_int_equal(potluck_pledge(F->t.db, F->manage[a], &p, F->form[f], &out), DB_OK);
	assert_true(out.replayed);
	assert_int_equal(item(F->cake).pledged, 2);
}

static void test_items_add_edit_remove(void **state)
{
	struct item_input in = { .name = "Chairs", .unit = "", .category = ITEM_UTENSIL,
	    .suggested = 2, .capped = 1 };
	struct rsvp_outcome out;
	int a = rsvp_ok("ann"), i;
	int64_t id, v;

	(void)state;
	assert_int_equal(pledge(a, F->chairs, 3, &out), DB_OK);
	v = item(F->chairs).version;
	/* A capped item cannot drop below what is pledged. */
	assert_int_equal(potluck_item_edit(F->t.db, F->chairs, &in), DB_CONFLICT);
	in.suggested = 3;
	in.unit = "pieces";
	assert_int_equal(potluck_item_edit(F->t.db, F->chairs, &in), DB_OK);
	assert_string_equal(item(F->chairs).unit, "pieces");
	assert_int_equal(item(F->chairs).version, v + 1);
	assert_int_equal(potluck_item_edit(F->t.db, 9999, &in), DB_NOTFOUND);
	assert_int_equal(potluck_item_remove(F->t.db, F->chairs), DB_OK);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 0);
	assert_int_equal(potluck_item_remove(F->t.db, F->chairs), DB_NOTFOUND);
	in.name = "";
	assert_int_equal(potluck_item_add(F->t.db, 1, &in, &id), DB_CONFLICT);
	in.name = "More";
	for (i = 2; i < POTLUCK_ITEMS_MAX; i++)
		assert_int_equal(potluck_item_add(F->t.db, 1, &in, &id), DB_OK);
	assert_int_equal(potluck_item_add(F->t.db, 1, &in, &id), DB_FULL);
	check_totals();
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, testdb_teardown)
	const struct CMUnitTest tests[] = {
		T(test_pledge_change_remove),
		T(test_sheet_lists_who_and_mine),
		T(test_capped_refusal_changes_nothing),
		T(test_cancel_releases_pledges),
		T(test_waitlisted_may_pledge),
		T(test_stale_forms),
		T(test_bad_pledges),
		T(test_pledges_with_the_rsvp),
		T(test_replayed_pledge),
		T(test_items_add_edit_remove),
	};

	return cmocka_run_group_tests_name("potluck", tests, NULL, NULL);
}
