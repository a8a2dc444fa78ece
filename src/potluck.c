#include <string.h>

#include "clock.h"
#include "idem.h"
#include "potluck.h"

const char *const item_category_names[ITEM_CATEGORY__MAX] = {
	[ITEM_FOOD] = "food",
	[ITEM_DRINK] = "drink",
	[ITEM_UTENSIL] = "utensil",
	[ITEM_DECORATION] = "decoration",
	[ITEM_OTHER] = "other",
};

const char *potluck_category_name(enum item_category c)
{
	return item_category_names[c];
}

int64_t potluck_needed(const struct item *it)
{
	return it->pledged < it->suggested ? it->suggested - it->pledged : 0;
}

/* Item item_id with rsvp_id's quantity (0: none), inside the caller's transaction. */
static enum db_rc get_item(struct db *db, struct arena *a, int64_t item_id,
    int64_t rsvp_id, struct item *it)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ITEM_GET);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_int64(st, 2, rsvp_id);
	if ((rc = db_step_one(db, st, "reading an item")) == DB_OK) {
		db_read_item(a, st, it);
		sqlite3_reset(st);
	}
	return rc;
}

/* Bind an item_input to ?2..?6 of STMT_ITEM_INSERT / STMT_ITEM_UPDATE. */
static void bind_item(sqlite3_stmt *st, const struct item_input *in)
{
	sqlite3_bind_text(st, 2, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, item_category_names[in->category], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, in->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, in->suggested);
	sqlite3_bind_int(st, 6, in->capped != 0);
}

/*
 * Step a write of the admin's values. Versions and caps are checked in C
 * before, so a constraint failing here is a field the schema refuses.
 */
static enum db_rc write_item(struct db *db, sqlite3_stmt *st, const char *what)
{
	enum db_rc rc = db_rc_of(db, sqlite3_step(st), what);

	sqlite3_reset(st);
	return rc == DB_CONFLICT ? DB_INVALID : rc;
}

/* How many items event_id has, into *n. */
static enum db_rc count_items(struct db *db, int64_t event_id, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ITEM_COUNT);
	int step;

	sqlite3_bind_int64(st, 1, event_id);
	step = sqlite3_step(st);
	*n = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return step == SQLITE_ROW ? DB_OK : db_rc_of(db, step, "counting items");
}

/* idem_claim() form_token inside the caller's transaction; NULL claims nothing. */
static enum db_rc claim(struct db *db, const char *form_token, int *replayed)
{
	*replayed = 0;
	return form_token != NULL ? idem_claim(db, form_token, replayed) : DB_OK;
}

enum db_rc potluck_item_add(struct db *db, int64_t event_id, const struct item_input *in,
    const char *form_token, int64_t *id)
{
	int64_t new_id = 0;
	sqlite3_stmt *st;
	enum db_rc rc;
	int replayed, count;

	*id = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = claim(db, form_token, &replayed)) != DB_OK || replayed)
		return db_end(db, rc);
	if ((rc = count_items(db, event_id, &count)) == DB_OK && count >= POTLUCK_ITEMS_MAX)
		rc = DB_FULL;
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_ITEM_INSERT);
		sqlite3_bind_int64(st, 1, event_id);
		bind_item(st, in);
		if ((rc = write_item(db, st, "adding an item")) == DB_OK)
			new_id = db_last_id(db);
	}
	if ((rc = db_end(db, rc)) == DB_OK)
		*id = new_id;
	return rc;
}

/*
 * Item item_id of event event_id, inside the caller's transaction, as the
 * admin's form at version left it: DB_NOTFOUND, or DB_CONFLICT with *it
 * read (strings in a) if it changed since.
 */
static enum db_rc find(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t version, struct item *it)
{
	enum db_rc rc = get_item(db, a, item_id, 0, it);

	if (rc == DB_OK && it->event_id != event_id)
		return DB_NOTFOUND;
	if (rc == DB_OK && it->version != version)
		return DB_CONFLICT;
	return rc;
}

/* 1 if it already has every field of in. */
static int same_fields(const struct item *it, const struct item_input *in)
{
	return strcmp(it->name, in->name) == 0 && strcmp(it->unit, in->unit) == 0 &&
	    it->category == in->category && it->suggested == in->suggested &&
	    it->capped == (in->capped != 0);
}

enum db_rc potluck_item_edit(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t version, const struct item_input *in)
{
	sqlite3_stmt *st;
	struct item it;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	rc = find(db, a, event_id, item_id, version, &it);
	/* A second press of Save: its own change bumped the version. */
	if (rc == DB_CONFLICT && same_fields(&it, in)) {
		rc = DB_OK;
	} else if (rc == DB_OK && in->capped && in->suggested < it.pledged) {
		rc = DB_FULL;
	} else if (rc == DB_OK) {
		st = db_stmt(db, STMT_ITEM_UPDATE);
		sqlite3_bind_int64(st, 1, item_id);
		bind_item(st, in);
		rc = write_item(db, st, "editing an item");
	}
	return db_end(db, rc);
}

enum db_rc potluck_item_move(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t version, int down)
{
	struct { int64_t id, position; } order[POTLUCK_ITEMS_MAX], t;
	sqlite3_stmt *st;
	struct item it;
	enum db_rc rc;
	int n = 0, k = -1, j, i, step = SQLITE_DONE;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = find(db, a, event_id, item_id, version, &it)) != DB_OK)
		goto out;
	st = db_stmt(db, STMT_ITEM_ORDER);
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_text(st, 2, item_category_names[it.category], -1, SQLITE_STATIC);
	while (n < POTLUCK_ITEMS_MAX && (step = sqlite3_step(st)) == SQLITE_ROW) {
		order[n].id = sqlite3_column_int64(st, 0);
		order[n].position = sqlite3_column_int64(st, 1);
		if (order[n++].id == item_id)
			k = n - 1;
	}
	sqlite3_reset(st);
	j = down ? k + 1 : k - 1;
	if ((rc = db_rc_of(db, step, "reading the order")) != DB_OK || k < 0 || j < 0 || j >= n)
		goto out;
	t = order[k];
	order[k] = order[j];
	order[j] = t;
	/*
	 * Number the category 1, 2, 3... in its new order, writing only the
	 * rows whose number changes: usually just the two swapped. Rows placed
	 * by hand may share a position; numbering them makes every swap show.
	 */
	for (i = 0; i < n && rc == DB_OK; i++) {
		if (order[i].position == i + 1)
			continue;
		st = db_stmt(db, STMT_ITEM_SET_POSITION);
		sqlite3_bind_int64(st, 1, order[i].id);
		sqlite3_bind_int(st, 2, i + 1);
		rc = db_rc_of(db, sqlite3_step(st), "moving an item");
		sqlite3_reset(st);
	}
out:
	return db_end(db, rc);
}

enum db_rc potluck_item_remove(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t version, int drop_pledges, const char *form_token)
{
	sqlite3_stmt *st;
	struct item it;
	enum db_rc rc;
	int replayed;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = claim(db, form_token, &replayed)) != DB_OK || replayed)
		return db_end(db, rc);
	rc = find(db, a, event_id, item_id, version, &it);
	if (rc == DB_OK && it.pledged > 0 && !drop_pledges) {
		rc = DB_CLOSED;
	} else if (rc == DB_OK) {
		/* The pledges go by ON DELETE CASCADE, in this transaction. */
		st = db_stmt(db, STMT_ITEM_DELETE);
		sqlite3_bind_int64(st, 1, item_id);
		rc = db_rc_of(db, sqlite3_step(st), "removing an item");
		sqlite3_reset(st);
	}
	return db_end(db, rc);
}

/* A pledger from columns 1 to 3 of st: name, quantity, RSVP status. */
static void read_pledger(struct arena *a, sqlite3_stmt *st, struct pledger *p)
{
	p->name = db_text(a, st, 1);
	p->quantity = sqlite3_column_int64(st, 2);
	p->tentative = strcmp((const char *)sqlite3_column_text(st, 3), "waitlisted") == 0;
}

/* Attach the first pledgers of each item of the event to it (list is sorted by id). */
static enum db_rc read_pledgers(struct db *db, struct arena *a, int64_t event_id,
    struct item *items, int n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_PLEDGE_LIST);
	struct item *it = NULL;
	int step, i;

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, POTLUCK_NAMES_SHOWN);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t item_id = sqlite3_column_int64(st, 0);

		if (it == NULL || it->id != item_id)
			for (it = NULL, i = 0; i < n && it == NULL; i++)
				if (items[i].id == item_id)
					it = &items[i];
		if (it == NULL || it->npledgers == POTLUCK_NAMES_SHOWN)
			continue;
		/* Only the first names are read; the item's counter has the rest. */
		it->more = sqlite3_column_int(st, 4) - (it->npledgers + 1);
		if (it->pledgers == NULL)
			it->pledgers = arena_alloc(a, POTLUCK_NAMES_SHOWN * sizeof(*it->pledgers));
		read_pledger(a, st, &it->pledgers[it->npledgers++]);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading pledges");
}

enum db_rc potluck_pledgers(struct db *db, struct arena *a, int64_t event_id, int64_t item_id,
    int64_t *after, int max, struct item *it, int *more)
{
	sqlite3_stmt *st;
	enum db_rc rc;
	int step;

	*more = 0;
	if ((rc = get_item(db, a, item_id, 0, it)) != DB_OK)
		return rc;
	if (it->event_id != event_id)
		return DB_NOTFOUND;
	it->pledgers = arena_alloc(a, (size_t)max * sizeof(*it->pledgers));
	st = db_stmt(db, STMT_PLEDGE_PAGE);
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_int64(st, 2, *after);
	sqlite3_bind_int(st, 3, max + 1);	/* one more: is there a next page? */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (it->npledgers == max) {
			*more = 1;
			continue;
		}
		*after = sqlite3_column_int64(st, 0);
		read_pledger(a, st, &it->pledgers[it->npledgers++]);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading pledgers");
}

/* The event's items by statement s (bound as STMT_ITEM_LIST), with their pledgers. */
static enum db_rc list_items(struct db *db, struct arena *a, enum stmt s, int64_t event_id,
    int64_t rsvp_id, struct item **items, int *n)
{
	sqlite3_stmt *st = db_stmt(db, s);
	enum db_rc rc;
	int step, count;

	*n = 0;
	*items = arena_alloc(a, POTLUCK_ITEMS_MAX * sizeof(**items));
	/*
	 * The list sorts in a temporary B-tree, which SQLite opens (zeroing a
	 * page) even for no rows: most events have no items, and their pages
	 * and e-mails all asked.
	 */
	if ((rc = count_items(db, event_id, &count)) != DB_OK || count == 0)
		return rc;
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, rsvp_id);
	sqlite3_bind_int(st, 3, POTLUCK_ITEMS_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		db_read_item(a, st, &(*items)[(*n)++]);
	sqlite3_reset(st);
	if ((rc = db_rc_of(db, step, "reading items")) != DB_OK || *n == 0)
		return rc;
	return read_pledgers(db, a, event_id, *items, *n);
}

enum db_rc potluck_sheet(struct db *db, struct arena *a, int64_t event_id,
    int64_t rsvp_id, struct item **items, int *n)
{
	return list_items(db, a, STMT_ITEM_LIST, event_id, rsvp_id, items, n);
}

enum db_rc potluck_items(struct db *db, struct arena *a, int64_t event_id,
    struct item **items, int *n)
{
	return list_items(db, a, STMT_ITEM_ADMIN_LIST, event_id, 0, items, n);
}

enum db_rc potluck_export(struct db *db, struct arena *a, int64_t event_id,
    void (*fn)(void *arg, const struct pledge_line *line), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ITEM_EXPORT);
	struct pledge_line l;
	struct item it;
	int step;

	sqlite3_bind_int64(st, 1, event_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		db_read_item(a, st, &it);
		l.item = &it;
		/* The row's pledge is read as the item's "mine". */
		l.name = db_text(a, st, 11);
		l.email = db_text(a, st, 12);
		l.quantity = it.mine;
		l.tentative = sqlite3_column_int(st, 13);
		fn(arg, &l);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "exporting the sheet");
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

enum db_rc potluck_apply(struct db *db, struct arena *a, int64_t rsvp_id, int64_t event_id,
    const struct pledge_input *in, int n, struct rsvp_outcome *out)
{
	enum db_rc rc = DB_OK;
	struct item it;
	int i;

	for (i = 0; i < n && rc == DB_OK; i++) {
		if (in[i].quantity < 0 || in[i].quantity > POTLUCK_QUANTITY_MAX) {
			rc = DB_INVALID;
			break;
		}
		if ((rc = get_item(db, a, in[i].item_id, rsvp_id, &it)) != DB_OK)
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
	return rc;
}

static enum db_rc apply_pledge(struct db *db, struct arena *a, const struct rsvp *r,
    const struct event *e, const void *arg, struct rsvp_outcome *out)
{
	return potluck_apply(db, a, r->id, e->id, arg, 1, out);
}

enum db_rc potluck_pledge(struct db *db, struct arena *a, const char *manage_token,
    const struct pledge_input *in, const char *form_token, struct rsvp_outcome *out)
{
	return rsvp_change(db, a, manage_token, form_token, apply_pledge, in, out);
}

const char *potluck_amount(struct arena *a, int64_t n, const char *unit)
{
	size_t len = strlen(unit), cut = 0;

	if (len == 0)
		return arena_printf(a, "%lld", (long long)n);
	if (n == 1 && len > 2 && unit[len - 1] == 's' && unit[len - 2] != 's') {
		cut = 1;
		/* "boxes", "dishes", "glasses", "punches": the "es" goes too */
		if (unit[len - 2] == 'e' && len > 3 && (strchr("xzs", unit[len - 3]) != NULL ||
		    (len > 4 && unit[len - 3] == 'h' && strchr("cs", unit[len - 4]) != NULL)))
			cut = 2;
	}
	return arena_printf(a, "%lld %.*s", (long long)n, (int)(len - cut), unit);
}
