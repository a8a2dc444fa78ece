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

	assert_int_equal(potluck_item_add(F->t.db, event_id, &in, NULL, &id), DB_OK);
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
	return rsvp_create(F->t.db, F->t.a, "party", &in, F->form[*idx], F->manage[*idx], out);
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

	return potluck_pledge(F->t.db, F->t.a, F->manage[i], &p, F->form[f], out);
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
	assert_int_equal(q("SELECT count(*) FROM item i WHERE pledges <>"
	    " (SELECT count(*) FROM pledge p WHERE p.item_id = i.id)"), 0);
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

/* The sheet lists the first POTLUCK_NAMES_SHOWN pledgers; the rest are counted. */
static void test_sheet_counts_the_rest(void **state)
{
	struct pledge_input p = { F->cake, 0, 1 };
	struct rsvp_outcome out;
	struct item it;
	char name[16];
	int i, k;

	(void)state;
	for (k = 0; k < POTLUCK_NAMES_SHOWN + 2; k++) {
		snprintf(name, sizeof(name), "guest%d", k);
		assert_int_equal(rsvp_with(name, &p, 1, &i, &out), DB_OK);
	}
	it = item(F->cake);
	assert_int_equal(it.npledgers, POTLUCK_NAMES_SHOWN);
	assert_int_equal(it.more, 2);
	assert_string_equal(it.pledgers[0].name, "guest0");
	/* A cancellation releases its pledge and the count with it. */
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[i], F->form[fresh()], &out), DB_OK);
	assert_int_equal(item(F->cake).more, 1);
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
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE pledge SET quantity = 9",
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
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[a], F->form[f], &out), DB_OK);
	assert_int_equal(item(F->chairs).pledged, 0);
	assert_int_equal(item(F->cake).pledged, 0);
	assert_true(item(F->chairs).version > v);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 0);
	/* A cancelled RSVP cannot pledge, not even past the C code. */
	assert_int_equal(pledge(a, F->cake, 1, &out), DB_CLOSED);
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO pledge (item_id, rsvp_id,"
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
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "party", &(struct rsvp_input){ .name = "ann",
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
	assert_int_equal(potluck_pledge(F->t.db, F->t.a, F->manage[a], &p, F->form[f], &out), DB_OK);
	assert_false(out.replayed);
	p.quantity = 3;
	assert_int_equal(potluck_pledge(F->t.db, F->t.a, F->manage[a], &p, F->form[f], &out), DB_OK);
	assert_true(out.replayed);
	assert_int_equal(item(F->cake).pledged, 2);
}

/* The item's columns an admin's change may touch, as one string to compare. */
static const char *item_row(int64_t id)
{
	static char buf[256];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(F->t.db), "SELECT name || '|' || category"
	    " || '|' || unit || '|' || suggested || '|' || capped || '|' || position || '|'"
	    " || pledged || '|' || version FROM item WHERE id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	snprintf(buf, sizeof(buf), "%s", sqlite3_step(st) == SQLITE_ROW ?
	    (const char *)sqlite3_column_text(st, 0) : "(gone)");
	sqlite3_finalize(st);
	return buf;
}

static int64_t version_of(int64_t id)
{
	return item(id).version;
}

static void test_items_add_edit_remove(void **state)
{
	struct item_input in = { .name = "Chairs", .unit = "", .category = ITEM_UTENSIL,
	    .suggested = 3, .capped = 1 };
	struct rsvp_outcome out;
	int a = rsvp_ok("ann"), i;
	int64_t id, v;

	(void)state;
	assert_int_equal(pledge(a, F->chairs, 3, &out), DB_OK);
	v = version_of(F->chairs);
	in.unit = "pieces";
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, F->chairs, v, &in), DB_OK);
	assert_string_equal(item(F->chairs).unit, "pieces");
	assert_int_equal(item(F->chairs).version, v + 1);
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, 9999, v, &in), DB_NOTFOUND);
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->chairs, v + 1, 1, NULL), DB_OK);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 0);
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->chairs, v + 1, 1, NULL), DB_NOTFOUND);
	in.name = "";
	assert_int_equal(potluck_item_add(F->t.db, 1, &in, NULL, &id), DB_INVALID);
	in.name = "More";
	for (i = 2; i < POTLUCK_ITEMS_MAX; i++)
		assert_int_equal(potluck_item_add(F->t.db, 1, &in, NULL, &id), DB_OK);
	assert_int_equal(potluck_item_add(F->t.db, 1, &in, NULL, &id), DB_FULL);
	check_totals();
}

static void test_add_goes_last_and_replays(void **state)
{
	struct item_input in = { .name = "Forks", .unit = "packs", .category = ITEM_UTENSIL,
	    .suggested = 2 };
	int f = fresh();
	int64_t id, again;

	(void)state;
	assert_int_equal(potluck_item_add(F->t.db, 1, &in, F->form[f], &id), DB_OK);
	assert_string_equal(item_row(id), "Forks|utensil|packs|2|0|3|0|1");
	/* The same form again: no second item, nothing changed. */
	assert_int_equal(potluck_item_add(F->t.db, 1, &in, F->form[f], &again), DB_OK);
	assert_int_equal(again, 0);
	assert_int_equal(q("SELECT count(*) FROM item WHERE name = 'Forks'"), 1);
	/* A refused add does not use up its form. */
	f = fresh();
	in.suggested = 0;
	assert_int_equal(potluck_item_add(F->t.db, 1, &in, F->form[f], &id), DB_INVALID);
	in.suggested = 1;
	assert_int_equal(potluck_item_add(F->t.db, 1, &in, F->form[f], &id), DB_OK);
	assert_true(id > 0);
}

static void test_edit_stale_or_foreign_changes_nothing(void **state)
{
	struct item_input in = { .name = "Big cake", .unit = "", .category = ITEM_FOOD,
	    .suggested = 4 };
	struct rsvp_outcome out;
	int a = rsvp_ok("ann");
	char before[256];
	int64_t seen = version_of(F->cake);

	(void)state;
	/* Someone pledges after the admin loaded the page. */
	assert_int_equal(pledge(a, F->cake, 1, &out), DB_OK);
	snprintf(before, sizeof(before), "%s", item_row(F->cake));
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, F->cake, seen, &in), DB_CONFLICT);
	assert_string_equal(item_row(F->cake), before);
	/* The item of another event, or none, is not found, whatever the version. */
	snprintf(before, sizeof(before), "%s", item_row(F->other));
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, F->other, 1, &in), DB_NOTFOUND);
	assert_int_equal(potluck_item_move(F->t.db, F->t.a, 1, F->other, 1, 0), DB_NOTFOUND);
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->other, 1, 1, NULL), DB_NOTFOUND);
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, 9999, 1, &in), DB_NOTFOUND);
	assert_string_equal(item_row(F->other), before);
	/* With the current version it saves; pressing Save again is no conflict. */
	seen = version_of(F->cake);
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, F->cake, seen, &in), DB_OK);
	snprintf(before, sizeof(before), "%s", item_row(F->cake));
	assert_string_equal(before, "Big cake|food||4|0|1|1|3");
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, F->cake, seen, &in), DB_OK);
	assert_string_equal(item_row(F->cake), before);
	check_totals();
}

static void test_capped_cannot_drop_below_pledged(void **state)
{
	struct item_input in = { .name = "Folding chairs", .unit = "", .category = ITEM_UTENSIL,
	    .suggested = 2, .capped = 1 };
	struct rsvp_outcome out;
	int a = rsvp_ok("ann");
	char before[256];

	(void)state;
	assert_int_equal(pledge(a, F->chairs, 3, &out), DB_OK);
	snprintf(before, sizeof(before), "%s", item_row(F->chairs));
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, F->chairs, version_of(F->chairs), &in),
	    DB_FULL);
	assert_string_equal(item_row(F->chairs), before);
	/* Uncapped, fewer than pledged is fine: "enough pledged". */
	in.capped = 0;
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, F->chairs, version_of(F->chairs), &in),
	    DB_OK);
	assert_int_equal(item(F->chairs).suggested, 2);
	check_totals();
}

static void test_move_swaps_within_category(void **state)
{
	int64_t vc = version_of(F->chairs), vg = version_of(F->grill), vk = version_of(F->cake);
	struct item_input in = { .name = "Grill", .unit = "", .category = ITEM_FOOD,
	    .suggested = 1, .capped = 1 };
	struct item *items;
	int n;

	(void)state;
	/* The grill (second utensil) goes up: the two trade places, both bumped. */
	assert_int_equal(potluck_item_move(F->t.db, F->t.a, 1, F->grill, vg, 0), DB_OK);
	assert_int_equal(potluck_items(F->t.db, F->t.a, 1, &items, &n), DB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(items[0].id, F->cake);
	assert_int_equal(items[1].id, F->grill);
	assert_int_equal(items[2].id, F->chairs);
	assert_int_equal(version_of(F->grill), vg + 1);
	assert_int_equal(version_of(F->chairs), vc + 1);
	assert_int_equal(version_of(F->cake), vk);
	/* The same press again (its version is stale now) moves nothing. */
	assert_int_equal(potluck_item_move(F->t.db, F->t.a, 1, F->grill, vg, 0), DB_CONFLICT);
	/* At the top of its category: nothing to do. */
	assert_int_equal(potluck_item_move(F->t.db, F->t.a, 1, F->grill, vg + 1, 0), DB_OK);
	assert_int_equal(version_of(F->grill), vg + 1);
	assert_int_equal(potluck_item_move(F->t.db, F->t.a, 1, F->grill, vg + 1, 1), DB_OK);
	assert_int_equal(potluck_items(F->t.db, F->t.a, 1, &items, &n), DB_OK);
	assert_int_equal(items[1].id, F->chairs);
	/* Positions shared by hand-made rows still swap visibly. */
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE item SET position = 7 WHERE"
	    " category = 'utensil'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(potluck_item_move(F->t.db, F->t.a, 1, F->grill, version_of(F->grill), 0),
	    DB_OK);
	assert_int_equal(potluck_items(F->t.db, F->t.a, 1, &items, &n), DB_OK);
	assert_int_equal(items[1].id, F->grill);
	assert_int_equal(items[2].id, F->chairs);
	/* Moved to another category by an edit, it goes last there. */
	assert_int_equal(potluck_item_edit(F->t.db, F->t.a, 1, F->grill, version_of(F->grill), &in),
	    DB_OK);
	assert_int_equal(potluck_items(F->t.db, F->t.a, 1, &items, &n), DB_OK);
	assert_int_equal(items[0].id, F->cake);
	assert_int_equal(items[1].id, F->grill);
	assert_true(items[1].position > items[0].position);
}

static void test_remove_with_pledges_needs_confirming(void **state)
{
	struct rsvp_outcome out;
	int a = rsvp_ok("ann"), b = rsvp_ok("bob"), f = fresh();
	int64_t v;
	char before[256];

	(void)state;
	assert_int_equal(pledge(a, F->cake, 1, &out), DB_OK);
	assert_int_equal(pledge(b, F->cake, 2, &out), DB_OK);
	assert_int_equal(pledge(b, F->chairs, 1, &out), DB_OK);
	v = version_of(F->cake);
	snprintf(before, sizeof(before), "%s", item_row(F->cake));
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->cake, v, 0, F->form[f]), DB_CLOSED);
	assert_string_equal(item_row(F->cake), before);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 3);
	/* Confirmed on a page from before another pledge: not removed. */
	assert_int_equal(pledge(a, F->cake, 2, &out), DB_OK);
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->cake, v, 1, F->form[f]), DB_CONFLICT);
	assert_int_equal(q("SELECT count(*) FROM pledge"), 3);
	/* Confirmed with the current numbers: the item and its pledges go. */
	v = version_of(F->cake);
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->cake, v, 1, F->form[f]), DB_OK);
	assert_string_equal(item_row(F->cake), "(gone)");
	assert_int_equal(q("SELECT count(*) FROM pledge"), 1);
	assert_int_equal(item(F->chairs).pledged, 1);
	/* The same form again is answered as the first time; a new one finds nothing. */
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->cake, v, 1, F->form[f]), DB_OK);
	f = fresh();
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->cake, v, 1, F->form[f]), DB_NOTFOUND);
	/* An item nobody pledged goes at once. */
	assert_int_equal(potluck_item_remove(F->t.db, F->t.a, 1, F->grill, version_of(F->grill), 0, NULL),
	    DB_OK);
	assert_string_equal(item_row(F->grill), "(gone)");
	check_totals();
}

struct lines {
	int n;
	char text[8][128];
};

static void collect(void *arg, const struct pledge_line *l)
{
	struct lines *ls = arg;

	assert_true(ls->n < 8);
	snprintf(ls->text[ls->n++], sizeof(ls->text[0]), "%s|%s|%lld|%s|%s|%lld|%d",
	    potluck_category_name(l->item->category), l->item->name,
	    (long long)l->item->pledged, l->name, l->email, (long long)l->quantity,
	    l->tentative);
}

static void test_export_lists_every_pledge(void **state)
{
	struct rsvp_outcome out;
	struct lines ls = { 0 };
	int a = rsvp_ok("ann"), b = rsvp_ok("bob"), c = rsvp_ok("cy");

	(void)state;
	assert_int_equal(pledge(a, F->cake, 1, &out), DB_OK);
	assert_int_equal(pledge(c, F->cake, 2, &out), DB_OK);
	assert_int_equal(pledge(b, F->grill, 1, &out), DB_OK);
	assert_int_equal(potluck_export(F->t.db, F->t.a, 1, collect, &ls), DB_OK);
	assert_int_equal(ls.n, 4);
	assert_string_equal(ls.text[0], "food|Cake|3|ann|ann@example.org|1|0");
	assert_string_equal(ls.text[1], "food|Cake|3|cy|cy@example.org|2|1");
	assert_string_equal(ls.text[2], "utensil|Folding chairs|0|||0|0");
	assert_string_equal(ls.text[3], "utensil|Grill|1|bob|bob@example.org|1|0");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, testdb_teardown)
	const struct CMUnitTest tests[] = {
		T(test_pledge_change_remove),
		T(test_sheet_lists_who_and_mine),
		T(test_sheet_counts_the_rest),
		T(test_capped_refusal_changes_nothing),
		T(test_cancel_releases_pledges),
		T(test_waitlisted_may_pledge),
		T(test_stale_forms),
		T(test_bad_pledges),
		T(test_pledges_with_the_rsvp),
		T(test_replayed_pledge),
		T(test_items_add_edit_remove),
		T(test_add_goes_last_and_replays),
		T(test_edit_stale_or_foreign_changes_nothing),
		T(test_capped_cannot_drop_below_pledged),
		T(test_move_swaps_within_category),
		T(test_remove_with_pledges_needs_confirming),
		T(test_export_lists_every_pledge),
	};

	return cmocka_run_group_tests_name("potluck", tests, NULL, NULL);
}
