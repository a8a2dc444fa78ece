#include <stdio.h>
#include <string.h>

#include "change.h"
#include "clock.h"
#include "drop.h"

const char *const hold_status_names[HOLD_STATUS__MAX] = {
	[HOLD_LIVE] = "live",
	[HOLD_CLAIMED] = "claimed",
	[HOLD_RELEASED] = "released",
	[HOLD_EXPIRED] = "expired",
	[HOLD_CANCELLED] = "cancelled",
};

const char *const drop_action_names[DROP_ACTION__MAX] = {
	[DROP_HOLD] = "hold",
	[DROP_RENEW] = "renew",
	[DROP_CLAIM] = "claim",
	[DROP_RELEASE] = "release",
	[DROP_EXPIRE] = "expire",
	[DROP_CANCEL] = "cancel",
};

const char *hold_status_name(enum hold_status s)
{
	return hold_status_names[s];
}

/* The single integer a query st answers (reset after), into *v. */
static enum db_rc one_int(struct db *db, sqlite3_stmt *st, const char *what, int64_t *v)
{
	enum db_rc rc = db_step_one(db, st, what);

	if (rc == DB_OK) {
		*v = db_int(st, 0, 0);
		sqlite3_reset(st);
	}
	return rc;
}

static int settings_valid(const struct drop_settings *s)
{
	return s->per_person >= 1 && s->per_person <= DROP_PER_PERSON_MAX &&
	    s->hold_seconds >= DROP_HOLD_SECONDS_MIN &&
	    s->hold_seconds <= DROP_HOLD_SECONDS_MAX &&
	    s->renewals >= 0 && s->renewals <= DROP_RENEWALS_MAX &&
	    s->pickup != NULL && strlen(s->pickup) <= 4 * DROP_PICKUP_MAX;
}

enum db_rc drop_configure(struct db *db, const char *slug, const struct drop_settings *s)
{
	sqlite3_stmt *st;
	int64_t mark;
	enum db_rc rc;
	int replayed;

	if (!settings_valid(s))
		return DB_INVALID;
	if ((rc = change_begin(db, NULL, &replayed, &mark)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_DROP_CONFIGURE);
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, s->per_person);
	sqlite3_bind_int(st, 3, s->hold_seconds);
	sqlite3_bind_int(st, 4, s->renewals);
	sqlite3_bind_text(st, 5, s->pickup, -1, SQLITE_STATIC);
	if ((rc = db_step_done(db, st, "configuring a drop")) == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	/* A CHECK (e.g. the pick-up text's length) refuses the input. */
	if (rc == DB_CONFLICT)
		rc = DB_INVALID;
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_EVENT_MAKE_DROP);
		sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
		/* DB_CONFLICT: the event is a competition (drop_not_competition). */
		rc = db_step_done(db, st, "making an event a drop");
	}
	return change_end(db, rc, NULL, mark);
}

/*
 * Insert with st (bound by the caller) in its own transaction; *id gets
 * the new row. No row (too many) is DB_INVALID; a broken reference
 * (no such drop or item) DB_NOTFOUND.
 */
static enum db_rc add_row(struct db *db, sqlite3_stmt *st, const char *what, int64_t *id)
{
	int64_t mark;
	enum db_rc rc;
	int replayed;

	if ((rc = change_begin(db, NULL, &replayed, &mark)) != DB_OK) {
		sqlite3_reset(st);
		return rc;
	}
	rc = db_step_done(db, st, what);
	if (rc == DB_OK && db_changes(db) == 0)
		rc = DB_INVALID;
	else if (rc == DB_CONFLICT)
		rc = sqlite3_extended_errcode(db_sqlite(db)) == SQLITE_CONSTRAINT_FOREIGNKEY ?
		    DB_NOTFOUND : DB_INVALID;
	*id = rc == DB_OK ? db_last_id(db) : 0;
	return change_end(db, rc, NULL, mark);
}

enum db_rc drop_item_add(struct db *db, int64_t event_id, const char *name,
    const char *price, const char *description, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_DROP_ITEM_INSERT);

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, price, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, description, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, DROP_ITEMS_MAX);
	return add_row(db, st, "adding a drop item", id);
}

enum db_rc drop_variant_add(struct db *db, int64_t event_id, int64_t item_id,
    const char *name, int64_t stock, int64_t *id)
{
	sqlite3_stmt *st;

	if (stock < 0 || stock > DROP_STOCK_MAX)
		return DB_INVALID;
	st = db_stmt(db, STMT_DROP_VARIANT_INSERT);
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, stock);
	sqlite3_bind_int(st, 4, DROP_VARIANTS_MAX);
	sqlite3_bind_int64(st, 5, event_id);
	return add_row(db, st, "adding a drop variant", id);
}

enum db_rc drop_variant_set_stock(struct db *db, int64_t event_id, int64_t variant_id,
    int64_t stock)
{
	sqlite3_stmt *st;
	int64_t mark;
	enum db_rc rc;
	int replayed;

	if (stock < 0 || stock > DROP_STOCK_MAX)
		return DB_INVALID;
	if ((rc = change_begin(db, NULL, &replayed, &mark)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_DROP_VARIANT_SET_STOCK);
	sqlite3_bind_int64(st, 1, variant_id);
	sqlite3_bind_int64(st, 2, stock);
	sqlite3_bind_int64(st, 3, event_id);
	/* drop_variant_stock_guard refuses a stock below what is claimed. */
	if ((rc = db_step_done(db, st, "changing a stock")) == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	return change_end(db, rc, NULL, mark);
}

enum db_rc drop_settings_get(struct db *db, struct arena *a, int64_t event_id,
    struct drop_settings *s)
{
	sqlite3_stmt *st = db_stmt(db, STMT_DROP_SETTINGS);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, event_id);
	if ((rc = db_step_one(db, st, "reading a drop")) == DB_OK) {
		db_read_drop_settings(a, st, s);
		sqlite3_reset(st);
	}
	return rc;
}

enum db_rc drop_get(struct db *db, struct arena *a, const struct event *e, int64_t now_ms,
    struct drop *d)
{
	struct drop_variant v;
	sqlite3_stmt *st;
	enum db_rc rc;
	int step, k = 0;

	memset(d, 0, sizeof(*d));
	if (e->kind != EVENT_DROP)
		return DB_NOTFOUND;
	if ((rc = drop_settings_get(db, a, e->id, &d->s)) != DB_OK)
		return rc;
	d->items = arena_alloc(a, DROP_ITEMS_MAX * sizeof(*d->items));
	st = db_stmt(db, STMT_DROP_ITEMS);
	sqlite3_bind_int64(st, 1, e->id);
	sqlite3_bind_int(st, 3, DROP_ITEMS_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct drop_item *it = &d->items[d->nitems++];

		db_read_drop_item(a, st, it);
		it->variants = arena_alloc(a, DROP_VARIANTS_MAX * sizeof(*it->variants));
	}
	sqlite3_reset(st);
	if ((rc = db_rc_of(db, step, "reading a drop's items")) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_DROP_VARIANTS);
	sqlite3_bind_int64(st, 1, e->id);
	sqlite3_bind_int64(st, 2, now_ms);
	/* Variants come in the items' order: walk both lists together. */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		db_read_drop_variant(a, st, &v);
		while (k < d->nitems && d->items[k].id != v.item_id)
			k++;
		if (k == d->nitems || d->items[k].nvariants == DROP_VARIANTS_MAX)
			break;
		v.available = v.stock - v.held - v.claimed;
		if (v.available < 0)
			v.available = 0;
		d->items[k].variants[d->items[k].nvariants++] = v;
		d->stock += v.stock;
		d->held += v.held;
		d->claimed += v.claimed;
		d->available += v.available;
	}
	sqlite3_reset(st);
	return step == SQLITE_ROW ? DB_OK : db_rc_of(db, step, "reading a drop's variants");
}

/* Inside a write: mark the drop's holds overdue at now_ms expired. */
static enum db_rc expire_overdue(struct db *db, int64_t event_id, int64_t now_ms)
{
	sqlite3_stmt *st = db_stmt(db, STMT_DROP_EXPIRE);

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, now_ms);
	return db_step_done(db, st, "expiring holds");
}

/* The link of hold id: derived from it under the site secret, never stored. */
static void hold_token(int64_t id, char out[TOKEN_MANAGE_HEX + 1])
{
	char seed[32];

	snprintf(seed, sizeof(seed), "hold:%lld", (long long)id);
	token_manage_of(seed, out);
}

/* Counters of a variant inside a write (held is exact once overdue holds are expired). */
struct counts {
	int64_t event_id, stock, held, claimed;
};

static enum db_rc read_counts(struct db *db, int64_t variant_id, struct counts *c)
{
	sqlite3_stmt *st = db_stmt(db, STMT_DROP_VARIANT_GET);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, variant_id);
	if ((rc = db_step_one(db, st, "reading a variant")) == DB_OK) {
		c->event_id = db_int(st, 0, 0);
		c->stock = db_int(st, 1, 0);
		c->held = db_int(st, 2, 0);
		c->claimed = db_int(st, 3, 0);
		sqlite3_reset(st);
	}
	return rc;
}

/* What is left: stock - held - claimed, at least 0. */
static int64_t left(const struct counts *c)
{
	return c->stock - c->held - c->claimed > 0 ? c->stock - c->held - c->claimed : 0;
}

/* Read the hold behind token into h (strings in a). */
static enum db_rc read_hold(struct db *db, struct arena *a, const char *token,
    struct hold *h)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st = db_stmt(db, STMT_HOLD_BY_TOKEN);
	enum db_rc rc;

	token_hash(token, hash);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	if ((rc = db_step_one(db, st, "reading a hold")) == DB_OK) {
		db_read_hold(a, st, h);
		sqlite3_reset(st);
	}
	return rc;
}

/*
 * A second hold by an address with a live one gets that hold back, given
 * a full hold time from now if a renewal is left: never earlier than it
 * was, never past its first hold time plus one per renewal (the schema
 * checks that too), so a clock jumping back cannot lengthen it.
 */
static enum db_rc renew(struct db *db, struct arena *a, sqlite3_stmt *live,
    const char *owner, int64_t now_ms, struct drop_outcome *out)
{
	int64_t id = db_int(live, 0, 0), created = db_int(live, 1, 0);
	int64_t expires = db_int(live, 2, 0), hold_ms = db_int(live, 3, 0), to;
	int renewals = (int)db_int(live, 4, 0), max = (int)db_int(live, 5, 0);
	sqlite3_stmt *st;
	struct hold h;
	enum db_rc rc;

	sqlite3_reset(live);
	/* Only the browser that keeps its link gets the hold back. */
	if (owner == NULL || (rc = read_hold(db, a, owner, &h)) == DB_NOTFOUND ||
	    (rc == DB_OK && h.id != id)) {
		out->elsewhere = 1;
		return DB_CONFLICT;
	}
	if (rc != DB_OK)
		return rc;
	snprintf(out->token, sizeof(out->token), "%s", owner);
	out->renewed = 1;
	to = now_ms + hold_ms;
	if (to > created + hold_ms * (renewals + 2))
		to = created + hold_ms * (renewals + 2);
	if (renewals >= max || to <= expires)
		return DB_OK;
	st = db_stmt(db, STMT_HOLD_RENEW);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, now_ms);
	return db_step_done(db, st, "renewing a hold");
}

/* The hold of in at event e inside the transaction; see drop_hold(). */
static enum db_rc hold_in(struct db *db, struct arena *a, const struct event *e,
    const struct hold_input *in, const char *form_token, struct drop_outcome *out)
{
	unsigned char hash[TOKEN_HASH_LEN];
	int64_t now_ms = clock_now_ms(), mine, id;
	struct drop_settings s;
	struct counts c;
	sqlite3_stmt *st;
	enum db_rc rc;

	if (e->kind != EVENT_DROP || e->status == EVENT_DRAFT)
		return DB_NOTFOUND;
	if (!event_rsvp_open(e, now_ms / 1000))
		return DB_CLOSED;
	if ((rc = expire_overdue(db, e->id, now_ms)) != DB_OK ||
	    (rc = drop_settings_get(db, a, e->id, &s)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_HOLD_LIVE_BY_EMAIL);
	sqlite3_bind_int64(st, 1, e->id);
	sqlite3_bind_text(st, 2, in->email, -1, SQLITE_STATIC);
	if ((rc = db_step_one(db, st, "finding a live hold")) == DB_OK)
		return renew(db, a, st, in->owner, now_ms, out);
	if (rc != DB_NOTFOUND)
		return rc;
	if ((rc = read_counts(db, in->variant_id, &c)) != DB_OK)
		return rc == DB_NOTFOUND ? DB_INVALID : rc;
	if (c.event_id != e->id || in->quantity < 1 || in->quantity > s.per_person)
		return DB_INVALID;
	st = db_stmt(db, STMT_HOLD_PERSON_TOTAL);
	sqlite3_bind_int64(st, 1, e->id);
	sqlite3_bind_text(st, 2, in->email, -1, SQLITE_STATIC);
	if ((rc = one_int(db, st, "counting an address's holds", &mine)) != DB_OK)
		return rc;
	if (mine + in->quantity > s.per_person)
		return DB_CONFLICT;
	if (left(&c) < in->quantity) {
		out->available = left(&c);
		out->could_return = c.held > 0 && c.stock - c.claimed >= in->quantity;
		return DB_FULL;
	}
	/*
	 * The link comes from the row's id: a placeholder hash until it is
	 * known. Writers take turns and each replaces it before committing,
	 * so no other row has it.
	 */
	token_hash("pending", hash);
	st = db_stmt(db, STMT_HOLD_INSERT);
	sqlite3_bind_int64(st, 1, e->id);
	sqlite3_bind_int64(st, 2, in->variant_id);
	sqlite3_bind_blob(st, 3, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int(st, 4, in->quantity);
	sqlite3_bind_text(st, 5, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, in->email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (int64_t)s.hold_seconds * 1000);
	sqlite3_bind_int(st, 8, s.renewals);
	sqlite3_bind_int64(st, 9, now_ms);
	if ((rc = db_step_done(db, st, "holding")) != DB_OK)
		return rc;
	id = db_last_id(db);
	if (form_token != NULL)
		token_manage_of(form_token, out->token);
	else
		hold_token(id, out->token);
	token_hash(out->token, hash);
	st = db_stmt(db, STMT_HOLD_SET_TOKEN);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	return db_step_done(db, st, "giving a hold its link");
}

/*
 * A replayed hold answers the link its form token made, or, when the
 * first answer was the visitor's own hold given back, the link their
 * browser keeps: never a link found by the address alone.
 */
static enum db_rc replay_link(struct db *db, struct arena *a, const struct event *e,
    const char *form_token, const char *owner, struct drop_outcome *out)
{
	struct hold h;
	enum db_rc rc;

	token_manage_of(form_token, out->token);
	if ((rc = read_hold(db, a, out->token, &h)) == DB_NOTFOUND && owner != NULL &&
	    (rc = read_hold(db, a, owner, &h)) == DB_OK)
		snprintf(out->token, sizeof(out->token), "%s", owner);
	return rc == DB_OK && h.event_id != e->id ? DB_NOTFOUND : rc;
}

enum db_rc drop_hold(struct db *db, struct arena *a, const char *slug,
    const struct hold_input *in, const char *form_token, struct drop_outcome *out)
{
	struct event e;
	int64_t mark = 0;
	enum db_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = change_begin(db, form_token, &out->replayed, &mark)) != DB_OK)
		return rc;
	if ((rc = event_get(db, a, slug, &e)) == DB_OK)
		rc = out->replayed ? replay_link(db, a, &e, form_token, in->owner, out) :
		    hold_in(db, a, &e, in, form_token, out);
	return change_end(db, rc, NULL, mark);
}

enum db_rc drop_hold_get(struct db *db, struct arena *a, const char *token, int64_t now_ms,
    struct hold *h, struct event *e)
{
	enum db_rc rc;

	if ((rc = read_hold(db, a, token, h)) != DB_OK ||
	    (rc = event_get_by_id(db, a, h->event_id, e)) != DB_OK)
		return rc;
	if (h->status == HOLD_LIVE && now_ms >= h->expires_at)
		h->status = HOLD_EXPIRED;
	return DB_OK;
}

/* Move hold h from its status to `to` as actor (NULL: the visitor). */
static enum db_rc set_status(struct db *db, const struct hold *h, enum hold_status to,
    int64_t now_ms, const char *actor)
{
	sqlite3_stmt *st = db_stmt(db, STMT_HOLD_SET_STATUS);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, h->id);
	sqlite3_bind_text(st, 2, hold_status_names[to], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms);
	if (actor != NULL)
		sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, hold_status_names[h->status], -1, SQLITE_STATIC);
	if ((rc = db_step_done(db, st, "changing a hold")) == DB_OK && db_changes(db) != 1)
		rc = DB_ERROR;	/* the caller read it in this transaction */
	return rc;
}

/* Turn the live hold h into a claim: numbered, with the item's price now. */
static enum db_rc claim_in(struct db *db, const struct hold *h, int64_t now_ms,
    struct drop_outcome *out)
{
	struct counts c;
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = read_counts(db, h->variant_id, &c)) != DB_OK)
		return rc;
	/* The stock was lowered below what is held: this hold runs out. */
	if (c.claimed + h->quantity > c.stock)
		return DB_FULL;
	if ((rc = set_status(db, h, HOLD_CLAIMED, now_ms, NULL)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_CLAIM_INSERT);
	sqlite3_bind_int64(st, 1, h->id);
	sqlite3_bind_int64(st, 2, h->event_id);
	sqlite3_bind_int64(st, 3, now_ms / 1000);
	return one_int(db, st, "numbering a claim", &out->claim_number);
}

/*
 * The transaction of a claim (claim = 1) or a release on the hold behind
 * token: expire the drop's overdue holds first, then read the hold.
 */
static enum db_rc end_hold(struct db *db, struct arena *a, const char *token,
    const char *form_token, int claim, struct drop_outcome *out)
{
	int64_t now_ms = clock_now_ms(), mark = 0;
	struct counts c;
	struct hold h;
	enum db_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = change_begin(db, form_token, &out->replayed, &mark)) != DB_OK)
		return rc;
	if (out->replayed || (rc = read_hold(db, a, token, &h)) != DB_OK ||
	    (rc = expire_overdue(db, h.event_id, now_ms)) != DB_OK ||
	    (rc = read_hold(db, a, token, &h)) != DB_OK)
		goto done;
	out->claim_number = h.claim_number;
	if (h.status == HOLD_LIVE && claim)
		rc = claim_in(db, &h, now_ms, out);
	else if (h.status == HOLD_LIVE)
		rc = set_status(db, &h, HOLD_RELEASED, now_ms, NULL);
	else if (claim && h.status != HOLD_CLAIMED &&
	    (rc = read_counts(db, h.variant_id, &c)) == DB_OK) {
		out->available = left(&c);
		rc = DB_CLOSED;
	}
	else if (!claim && h.status == HOLD_CLAIMED)
		rc = DB_CLOSED;
done:
	return change_end(db, rc, NULL, mark);
}

enum db_rc drop_claim(struct db *db, struct arena *a, const char *token,
    const char *form_token, struct drop_outcome *out)
{
	return end_hold(db, a, token, form_token, 1, out);
}

enum db_rc drop_release(struct db *db, struct arena *a, const char *token,
    const char *form_token, struct drop_outcome *out)
{
	return end_hold(db, a, token, form_token, 0, out);
}

enum db_rc drop_sweep(struct db *db, int64_t now_ms, int *n)
{
	sqlite3_stmt *st;
	int64_t mark;
	enum db_rc rc;
	int replayed;

	*n = 0;
	/* A read first: the writers' gate only when there is something to do. */
	st = db_stmt(db, STMT_DROP_OVERDUE);
	sqlite3_bind_int64(st, 1, now_ms);
	if ((rc = db_step_one(db, st, "looking for overdue holds")) != DB_OK)
		return rc == DB_NOTFOUND ? DB_OK : rc;
	sqlite3_reset(st);
	if ((rc = change_begin(db, NULL, &replayed, &mark)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_DROP_SWEEP);
	sqlite3_bind_int64(st, 1, now_ms);
	if ((rc = db_step_done(db, st, "sweeping holds")) == DB_OK)
		*n = db_changes(db);
	return change_end(db, rc, NULL, mark);
}

enum db_rc drop_feed(struct db *db, struct arena *a, int64_t event_id,
    struct drop_activity **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_DROP_FEED);
	int step;

	*n = 0;
	*list = arena_alloc(a, DROP_FEED_MAX * sizeof(**list));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, DROP_FEED_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		db_read_drop_activity(a, st, &(*list)[(*n)++]);
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the activity feed");
}

enum db_rc drop_top(struct db *db, struct arena *a, int64_t event_id,
    struct drop_claimer **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_DROP_TOP);
	int step;

	*n = 0;
	*list = arena_alloc(a, DROP_TOP_MAX * sizeof(**list));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, DROP_TOP_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		(*list)[*n].name = db_text(a, st, 0);
		(*list)[(*n)++].units = db_int(st, 1, 0);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the top claimers");
}

enum db_rc drop_hold_by_id(struct db *db, struct arena *a, int64_t event_id,
    int64_t hold_id, struct hold *h)
{
	sqlite3_stmt *st = db_stmt(db, STMT_HOLD_BY_ID);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, hold_id);
	sqlite3_bind_int64(st, 2, event_id);
	if ((rc = db_step_one(db, st, "reading a hold")) == DB_OK) {
		db_read_hold(a, st, h);
		sqlite3_reset(st);
	}
	return rc;
}

enum db_rc drop_admin_list(struct db *db, struct arena *a, int64_t event_id,
    int64_t now_ms, struct hold **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_HOLD_ADMIN_LIST);
	int step;

	*n = 0;
	*list = arena_alloc(a, DROP_ADMIN_LIST_MAX * sizeof(**list));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, now_ms);
	sqlite3_bind_int(st, 3, DROP_ADMIN_LIST_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		db_read_hold(a, st, &(*list)[(*n)++]);
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing holds");
}

/* Set the claim's picked-up (what = 0) or paid (1) time if not set yet. */
static enum db_rc mark_claim(struct db *db, const struct hold *h, int what)
{
	sqlite3_stmt *st = db_stmt(db, STMT_CLAIM_MARK);

	sqlite3_bind_int64(st, 1, h->id);
	sqlite3_bind_int(st, 2, what);
	sqlite3_bind_int64(st, 3, clock_now());
	return db_step_done(db, st, "marking a claim");
}

enum db_rc drop_admin_act(struct db *db, struct arena *a, int64_t event_id,
    int64_t hold_id, enum drop_admin_action action, const char *actor)
{
	int64_t mark = 0;
	struct hold h;
	enum db_rc rc;
	int replayed;

	if ((rc = change_begin(db, NULL, &replayed, &mark)) != DB_OK)
		return rc;
	if ((rc = drop_hold_by_id(db, a, event_id, hold_id, &h)) != DB_OK)
		goto done;
	if (action == DROP_CANCEL_CLAIM && h.status == HOLD_CANCELLED)
		rc = DB_OK;	/* a second tap */
	else if (h.status != HOLD_CLAIMED)
		rc = DB_CLOSED;
	else if (action == DROP_CANCEL_CLAIM)
		/* The triggers return the units, log it and e-mail the person. */
		rc = set_status(db, &h, HOLD_CANCELLED, clock_now_ms(), actor);
	else
		rc = mark_claim(db, &h, action == DROP_PAID);
done:
	return change_end(db, rc, actor, mark);
}
