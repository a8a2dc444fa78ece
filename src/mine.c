/* "My sign-ups": one e-mailed link per address to all of its sign-ups. */
#include <string.h>

#include "change.h"
#include "clock.h"
#include "mine.h"
#include "waitlist.h"

/* A link found by its token: its id, address and times. */
struct link {
	int64_t id, expires_at, revoked_at;
	const char *email;
};

/* The link whose token is token (read inside the caller's transaction or not). */
static enum db_rc find_link(struct db *db, struct arena *a, const char *token,
    struct link *l)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st = db_stmt(db, STMT_MINE_BY_TOKEN);
	enum db_rc rc;

	token_hash(token, hash);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	if ((rc = db_step_one(db, st, "finding a sign-ups link")) != DB_OK)
		return rc;
	l->id = sqlite3_column_int64(st, 0);
	l->email = db_text(a, st, 1);
	l->expires_at = sqlite3_column_int64(st, 2);
	l->revoked_at = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	return DB_OK;
}

/*
 * Begin a change to the link token (no form token: opening and revoking
 * are idempotent by themselves) and find it into *l: DB_OK with the
 * transaction open; otherwise it is closed again (DB_NOTFOUND: no link).
 */
static enum db_rc begin_link(struct db *db, struct arena *a, const char *token,
    struct link *l, int64_t *mark)
{
	enum db_rc rc;
	int replayed;

	if ((rc = change_begin(db, NULL, &replayed, mark)) != DB_OK)
		return rc;
	if ((rc = find_link(db, a, token, l)) != DB_OK)
		return change_end(db, rc, NULL, *mark);
	return DB_OK;
}

/* A link works until it expires or is revoked. */
static int link_live(const struct link *l)
{
	return l->revoked_at == 0 && clock_now() < l->expires_at;
}

/*
 * Inside the caller's transaction: the name the e-mail greets, into *name
 * (in a); DB_NOTFOUND when the address has no RSVP and no hold.
 */
static enum db_rc greeting(struct db *db, struct arena *a, const char *email,
    const char **name)
{
	sqlite3_stmt *st = db_stmt(db, STMT_MINE_NAME);
	enum db_rc rc;

	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	if ((rc = db_step_one(db, st, "reading a sign-up's name")) != DB_OK)
		return rc;
	*name = db_text(a, st, 0);
	sqlite3_reset(st);
	return DB_OK;
}

/* Links made for email within the last hour, into *n. */
static enum db_rc recent_links(struct db *db, const char *email, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_MINE_RECENT);
	enum db_rc rc;

	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, clock_now() - 3600);
	if ((rc = db_step_one(db, st, "counting sign-ups links")) != DB_OK)
		return rc;
	*n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return DB_OK;
}

/* Inside the caller's transaction: store a new link for email and enqueue its e-mail. */
static enum db_rc make_link(struct db *db, const char *email, const char *name)
{
	char token[TOKEN_MANAGE_HEX + 1];
	unsigned char hash[TOKEN_HASH_LEN];
	int64_t now = clock_now();
	sqlite3_stmt *st;
	enum db_rc rc;

	token_manage_new(token);
	token_hash(token, hash);
	st = db_stmt(db, STMT_MINE_INSERT);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now + MINE_TTL);
	if ((rc = db_step_done(db, st, "storing a sign-ups link")) != DB_OK)
		return rc;
	/* The plain token only in the message, cleared once it is sent. */
	st = db_stmt(db, STMT_MINE_ENQUEUE);
	sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(db_sqlite(db)));
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, now);
	return db_step_done(db, st, "enqueueing a sign-ups link");
}

enum db_rc mine_request(struct db *db, struct arena *a, const char *email,
    const char *form_token, int *queued)
{
	const char *name;
	int64_t mark = 0;
	enum db_rc rc;
	int replayed, sent = 0;

	*queued = 0;
	if ((rc = change_begin(db, form_token, &replayed, &mark)) != DB_OK)
		return rc;
	if (!replayed && (rc = greeting(db, a, email, &name)) == DB_OK &&
	    (rc = recent_links(db, email, &sent)) == DB_OK && sent < MINE_PER_HOUR &&
	    (rc = make_link(db, email, name)) == DB_OK)
		*queued = 1;
	/* Nothing under the address is no failure: the answer is the same. */
	rc = change_end(db, rc == DB_NOTFOUND ? DB_OK : rc, NULL, mark);
	if (rc != DB_OK)
		*queued = 0;
	return rc;
}

/* The pledges of RSVP r, into r->pledges (in a). */
static enum db_rc read_pledges(struct db *db, struct arena *a, struct mine_rsvp *r)
{
	sqlite3_stmt *st = db_stmt(db, STMT_MINE_PLEDGES);
	struct mine_pledge *p;
	int step, room = 8;

	r->npledges = 0;
	r->pledges = arena_alloc(a, (size_t)room * sizeof(*r->pledges));
	sqlite3_bind_int64(st, 1, r->id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->npledges == room) {
			p = arena_alloc(a, (size_t)room * 2 * sizeof(*p));
			memcpy(p, r->pledges, (size_t)room * sizeof(*p));
			r->pledges = p;
			room *= 2;
		}
		p = &r->pledges[r->npledges++];
		p->item = db_text(a, st, 0);
		p->unit = db_text(a, st, 1);
		p->quantity = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading pledges");
}

/* The address's RSVPs, newest first, with their pledges and places in line. */
static enum db_rc read_rsvps(struct db *db, struct arena *a, struct mine_view *v)
{
	sqlite3_stmt *st = db_stmt(db, STMT_MINE_RSVPS);
	enum db_rc rc = DB_OK;
	struct mine_rsvp *r;
	int64_t ahead;
	int step, i;

	v->rsvps = arena_alloc(a, MINE_ROWS_MAX * sizeof(*v->rsvps));
	sqlite3_bind_text(st, 1, v->email, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, MINE_ROWS_MAX + 1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (v->nrsvps == MINE_ROWS_MAX) {
			v->more = 1;
			continue;
		}
		r = &v->rsvps[v->nrsvps++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(st, 0);
		r->event_id = sqlite3_column_int64(st, 1);
		r->status = (enum rsvp_status)db_enum(st, 2, rsvp_status_names, RSVP_STATUS__MAX,
		    RSVP_CANCELLED);
		r->guests = sqlite3_column_int(st, 3);
		r->slug = db_text(a, st, 4);
		r->title = db_text(a, st, 5);
		r->starts_at = sqlite3_column_int64(st, 6);
		r->bib = db_int(st, 7, 0);
		r->display = db_text(a, st, 8);
		r->division = db_text(a, st, 9);
	}
	sqlite3_reset(st);
	if ((rc = db_rc_of(db, step, "reading an address's RSVPs")) != DB_OK)
		return rc;
	for (i = 0; i < v->nrsvps && rc == DB_OK; i++) {
		r = &v->rsvps[i];
		rc = read_pledges(db, a, r);
		if (rc == DB_OK && r->status == RSVP_WAITLISTED)
			rc = waitlist_position(db, r->event_id, r->id, &r->position, &ahead);
	}
	return rc;
}

/* The address's holds, newest first; a live hold past its time shows as expired. */
static enum db_rc read_holds(struct db *db, struct arena *a, struct mine_view *v)
{
	sqlite3_stmt *st = db_stmt(db, STMT_MINE_HOLDS);
	struct mine_hold *h;
	int step;

	v->holds = arena_alloc(a, MINE_ROWS_MAX * sizeof(*v->holds));
	sqlite3_bind_text(st, 1, v->email, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, MINE_ROWS_MAX + 1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (v->nholds == MINE_ROWS_MAX) {
			v->more = 1;
			continue;
		}
		h = &v->holds[v->nholds++];
		h->status = db_text(a, st, 0);
		h->quantity = sqlite3_column_int(st, 1);
		/* The sweeper may not have run yet: hold times are milliseconds. */
		if (strcmp(h->status, "live") == 0 && sqlite3_column_int64(st, 2) <= clock_now_ms())
			h->status = "expired";
		h->slug = db_text(a, st, 3);
		h->title = db_text(a, st, 4);
		h->starts_at = sqlite3_column_int64(st, 5);
		h->item = db_text(a, st, 6);
		h->variant = db_text(a, st, 7);
		h->claim_number = db_int(st, 8, 0);
		h->id = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading an address's holds");
}

enum db_rc mine_get(struct db *db, struct arena *a, const char *token,
    struct mine_view *v)
{
	struct link l;
	enum db_rc rc;

	memset(v, 0, sizeof(*v));
	/* One snapshot: the places in line agree with the statuses. */
	if ((rc = db_exec(db, "BEGIN")) != DB_OK)
		return rc;
	if ((rc = find_link(db, a, token, &l)) != DB_OK)
		goto out;
	v->id = l.id;
	v->email = l.email;
	v->expires_at = l.expires_at;
	if (!link_live(&l)) {
		rc = DB_CLOSED;
		goto out;
	}
	if ((rc = read_rsvps(db, a, v)) == DB_OK)
		rc = read_holds(db, a, v);
out:
	db_rollback(db);
	return rc;
}

/* Per kind: is it the address's, and where its links opened from a page go. */
static const struct {
	enum stmt owns, add;
	const char *seed;	/* in token_manage_of's input between page token and id */
} kinds[] = {
	[MINE_RSVP] = { STMT_MINE_OWNS, STMT_MINE_LINK_ADD, "" },
	[MINE_HOLD] = { STMT_MINE_OWNS_HOLD, STMT_MINE_HOLD_LINK_ADD, "hold:" },
};

enum db_rc mine_open(struct db *db, struct arena *a, const char *token, enum mine_kind kind,
    int64_t id, char manage[TOKEN_MANAGE_HEX + 1])
{
	unsigned char hash[TOKEN_HASH_LEN];
	int64_t mark = 0;
	sqlite3_stmt *st;
	struct link l;
	enum db_rc rc;

	if ((rc = begin_link(db, a, token, &l, &mark)) != DB_OK)
		return rc;
	if (!link_live(&l)) {
		rc = DB_CLOSED;
		goto end;
	}
	st = db_stmt(db, kinds[kind].owns);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, l.email, -1, SQLITE_STATIC);
	if ((rc = db_step_one(db, st, "checking a sign-up's address")) != DB_OK)
		goto end;
	sqlite3_reset(st);
	/* Not a form token: a domain of its own ("<32 hex>:..."). */
	token_manage_of(arena_printf(a, "%s:%s%lld", token, kinds[kind].seed, (long long)id),
	    manage);
	token_hash(manage, hash);
	st = db_stmt(db, kinds[kind].add);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, clock_now());
	sqlite3_bind_int64(st, 4, l.id);
	rc = db_step_done(db, st, "opening a sign-up from a sign-ups link");
end:
	return change_end(db, rc, NULL, mark);
}

enum db_rc mine_revoke(struct db *db, struct arena *a, const char *token)
{
	int64_t mark = 0;
	sqlite3_stmt *st;
	struct link l;
	enum db_rc rc;

	if ((rc = begin_link(db, a, token, &l, &mark)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_MINE_REVOKE);
	sqlite3_bind_int64(st, 1, l.id);
	sqlite3_bind_int64(st, 2, clock_now());
	if ((rc = db_step_done(db, st, "revoking a sign-ups link")) == DB_OK) {
		st = db_stmt(db, STMT_MINE_LINKS_DROP);
		sqlite3_bind_int64(st, 1, l.id);
		rc = db_step_done(db, st, "dropping the RSVP links of a sign-ups link");
	}
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_MINE_HOLD_LINKS_DROP);
		sqlite3_bind_int64(st, 1, l.id);
		rc = db_step_done(db, st, "dropping the hold links of a sign-ups link");
	}
	return change_end(db, rc, NULL, mark);
}
