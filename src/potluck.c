#include <string.h>

#include "clock.h"
#include "potluck.h"

static const char *const category_names[ITEM_CATEGORY__MAX] = {
	[ITEM_FOOD] = "food",
	[ITEM_DRINK] = "drink",
	[ITEM_UTENSIL] = "utensil",
	[ITEM_DECORATION] = "decoration",
	[ITEM_OTHER] = "other",
};

const char *potluck_category_name(enum item_category c)
{
	return category_names[c];
}

int64_t potluck_needed(const struct item *it)
{
	return it->pledged < it->suggested ? it->suggested - it->pledged : 0;
}

static const char *text(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return arena_strdup(a, t != NULL ? (const char *)t : "");
}

/* Fill it from a row of ITEM_COLS followed by the asking RSVP's quantity. */
static void read_item(struct arena *a, sqlite3_stmt *st, struct item *it)
{
	const char *cat = (const char *)sqlite3_column_text(st, 3);
	int c;

	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(st, 0);
	it->event_id = sqlite3_column_int64(st, 1);
	it->name = text(a, st, 2);
	it->category = ITEM_OTHER;
	for (c = 0; c < ITEM_CATEGORY__MAX; c++)
		if (cat != NULL && strcmp(cat, category_names[c]) == 0)
			it->category = (enum item_category)c;
	it->unit = text(a, st, 4);
	it->suggested = sqlite3_column_int64(st, 5);
	it->capped = sqlite3_column_int(st, 6);
	it->position = sqlite3_column_int(st, 7);
	it->pledged = sqlite3_column_int64(st, 8);
	it->version = sqlite3_column_int64(st, 9);
	it->mine = sqlite3_column_int64(st, 10);
}

/* Bind an item_input to ?2..?7 of STMT_ITEM_INSERT / STMT_ITEM_UPDATE. */
static void bind_item(sqlite3_stmt *st, const struct item_input *in)
{
	sqlite3_bind_text(st, 2, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, category_names[in->category], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, in->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, in->suggested);
	sqlite3_bind_int(st, 6, in->capped != 0);
	sqlite3_bind_int(st, 7, in->position);
}

/* Run one write statement in its own transaction; DB_NOTFOUND if no row changed. */
static enum db_rc write_one(struct db *db, sqlite3_stmt *st, const char *what)
{
	enum db_rc rc = db_rc_of(db, sqlite3_step(st), what);

	if (rc == DB_OK && sqlite3_changes(db->conn) == 0)
		rc = DB_NOTFOUND;
	sqlite3_reset(st);
	if (rc == DB_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

enum db_rc potluck_item_add(struct db *db, int64_t event_id, const struct item_input *in,
    int64_t *id)
{
	sqlite3_stmt *st;
	enum db_rc rc;
	int step;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_ITEM_COUNT);
	sqlite3_bind_int64(st, 1, event_id);
	step = sqlite3_step(st);
	rc = step == SQLITE_ROW ? (sqlite3_column_int(st, 0) >= POTLUCK_ITEMS_MAX ?
	    DB_FULL : DB_OK) : db_rc_of(db, step, "counting items");
	sqlite3_reset(st);
	if (rc != DB_OK) {
		db_rollback(db);
		return rc;
	}
	st = db_stmt(db, STMT_ITEM_INSERT);
	sqlite3_bind_int64(st, 1, event_id);
	bind_item(st, in);
	rc = write_one(db, st, "adding an item");
	*id = rc == DB_OK ? sqlite3_last_insert_rowid(db->conn) : 0;
	return rc;
}

enum db_rc potluck_item_edit(struct db *db, int64_t item_id, const struct item_input *in)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_ITEM_UPDATE);
	sqlite3_bind_int64(st, 1, item_id);
	bind_item(st, in);
	return write_one(db, st, "editing an item");
}

enum db_rc potluck_item_remove(struct db *db, int64_t item_id)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_ITEM_DELETE);
	sqlite3_bind_int64(st, 1, item_id);
	return write_one(db, st, "removing an item");
}

/* Attach the pledgers of the event to their items (list is sorted by id). */
static enum db_rc read_pledgers(struct db *db, struct arena *a, int64_t event_id,
    struct item *items, int n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_PLEDGE_LIST);
	struct item *it = NULL;
	int step, i;

	sqlite3_bind_int64(st, 1, event_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t item_id = sqlite3_column_int64(st, 0);
		struct pledger *p;

		if (it == NULL || it->id != item_id)
			for (it = NULL, i = 0; i < n && it == NULL; i++)
				if (items[i].id == item_id)
					it = &items[i];
		if (it == NULL)
			continue;
		if (it->npledgers == POTLUCK_NAMES_SHOWN) {
			it->more++;
			continue;
		}
		if (it->pledgers == NULL)
			it->pledgers = arena_alloc(a, POTLUCK_NAMES_SHOWN * sizeof(*it->pledgers));
		p = &it->pledgers[it->npledgers++];
		p->name = text(a, st, 1);
		p->quantity = sqlite3_column_int64(st, 2);
		p->tentative = strcmp((const char *)sqlite3_column_text(st, 3), "waitlisted") == 0;
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading pledges");
}

enum db_rc potluck_sheet(struct db *db, struct arena *a, int64_t event_id,
    int64_t rsvp_id, struct item **items, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ITEM_LIST);
	enum db_rc rc;
	int step;

	*n = 0;
	*items = arena_alloc(a, POTLUCK_ITEMS_MAX * sizeof(**items));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, rsvp_id);
	sqlite3_bind_int(st, 3, POTLUCK_ITEMS_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		read_item(a, st, &(*items)[(*n)++]);
	sqlite3_reset(st);
	if ((rc = db_rc_of(db, step, "reading items")) != DB_OK || *n == 0)
		return rc;
	return read_pledgers(db, a, event_id, *items, *n);
}

/* Item item_id with rsvp_id's quantity, inside the caller's transaction. */
static enum db_rc read_for_pledge(struct db *db, struct arena *a, int64_t item_id,
    int64_t rsvp_id, struct item *it)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ITEM_GET);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_int64(st, 2, rsvp_id);
	if ((rc = db_step_one(db, st, "reading an item")) == DB_OK) {
		read_item(a, st, it);
		sqlite3_reset(st);
	}
	return rc;
}

/* Insert, replace or (quantity 0) delete rsvp_id's pledge of item it. */
static enum db_rc write_pledge(struct db *db, const struct item *it, int64_t rsvp_id,
    int64_t quantity)
{
	sqlite3_stmt *st = db_stmt(db, quantity == 0 ? STMT_PLEDGE_DELETE :
	    it->mine == 0 ? STMT_PLEDGE_INSERT : STMT_PLEDGE_UPDATE);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, it->id);
	sqlite3_bind_int64(st, 2, rsvp_id);
	if (quantity != 0) {
		sqlite3_bind_int64(st, 3, quantity);
		sqlite3_bind_int64(st, 4, clock_now());
	}
	rc = db_rc_of(db, sqlite3_step(st), "writing a pledge");
	sqlite3_reset(st);
	return rc;
}

enum db_rc potluck_apply(struct db *db, int64_t rsvp_id, int64_t event_id,
    const struct pledge_input *in, int n, struct rsvp_outcome *out)
{
	struct arena *a = arena_new();
	enum db_rc rc = DB_OK;
	struct item it;
	int i;

	for (i = 0; i < n && rc == DB_OK; i++) {
		if (in[i].quantity < 0 || in[i].quantity > POTLUCK_QUANTITY_MAX) {
			rc = DB_INVALID;
			break;
		}
		if ((rc = read_for_pledge(db, a, in[i].item_id, rsvp_id, &it)) != DB_OK)
			break;
		if (it.event_id != event_id) {
			rc = DB_NOTFOUND;
			break;
		}
		if (in[i].quantity == it.mine)
			continue;
		/* What the others pledged plus this wish, against the cap. */
		if (it.capped && it.pledged - it.mine + in[i].quantity > it.suggested)
			rc = DB_FULL;
		/*
		 * Someone pledged since the visitor looked: bringing less might
		 * rest on numbers that are no longer true, so show them first.
		 */
		else if (in[i].version != it.version && in[i].quantity < it.mine)
			rc = DB_CONFLICT;
		else {
			rc = write_pledge(db, &it, rsvp_id, in[i].quantity);
			continue;
		}
		out->item_id = it.id;
		out->item_left = potluck_needed(&it);
	}
	arena_free(a);
	return rc;
}

static enum db_rc apply_pledge(struct db *db, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	return potluck_apply(db, r->id, e->id, arg, 1, out);
}

enum db_rc potluck_pledge(struct db *db, const char *manage_token,
    const struct pledge_input *in, const char *form_token, struct rsvp_outcome *out)
{
	return rsvp_change(db, manage_token, form_token, apply_pledge, in, out);
}
