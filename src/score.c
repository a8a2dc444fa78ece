#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "change.h"
#include "clock.h"
#include "event.h"
#include "score.h"
#include "token.h"

const char *const score_kind_names[SCORE_KIND__MAX] = {
	[SCORE_POINTS] = "points", [SCORE_TIME] = "time", [SCORE_DISTANCE] = "distance",
};
const char *const score_rule_names[SCORE_RULE__MAX] = {
	[SCORE_BEST] = "best", [SCORE_TOTAL] = "total", [SCORE_AVERAGE] = "average",
};
const char *const score_source_names[SCORE_SOURCE__MAX] = {
	[SCORE_ENTRANT] = "entrant", [SCORE_SCOREKEEPER] = "scorekeeper", [SCORE_API] = "api",
};
const char *const board_action_names[BOARD_ACTION__MAX] = {
	[BOARD_FREEZE] = "freeze", [BOARD_UNFREEZE] = "unfreeze", [BOARD_PUBLISH] = "publish",
};

/*
 * Plain digits s[0..n) into *out, at most maxlen of them. Returns 0, or -1
 * for anything else (signs, spaces, exponents, an empty string).
 */
static int digits(const char *s, size_t n, size_t maxlen, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > maxlen)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "12", "12.5", "12.125" into thousandths; -1 if it is anything else. */
static int decimal(const char *s, size_t n, size_t maxint, int64_t *out)
{
	const char *dot = memchr(s, '.', n);
	size_t ni = dot != NULL ? (size_t)(dot - s) : n, nf = dot != NULL ? n - ni - 1 : 0;
	int64_t whole, frac = 0;

	if (digits(s, ni, maxint, &whole) != 0 ||
	    (dot != NULL && digits(dot + 1, nf, 3, &frac) != 0))
		return -1;
	for (; nf < 3; nf++)
		frac *= 10;
	*out = whole * 1000 + frac;
	return 0;
}

const char *score_parse(enum score_kind kind, const char *text, int64_t *out)
{
	const char *p = text, *colon;
	int64_t part, v = 0;
	size_t n = strlen(text), len;
	int parts = 0;

	if (n == 0)
		return "Please enter a score.";
	if (*text == '-')
		return "A score cannot be negative.";
	if (n > 20)
		return "That score is too long.";
	if (kind != SCORE_TIME) {
		if (decimal(text, n, 7, &v) != 0)
			return "A score is a number such as 12 or 12.5 (at most 3 decimals).";
	} else {
		/* h:mm:ss.t: each part after the first is below 60, seconds may have decimals. */
		for (;;) {
			colon = strchr(p, ':');
			len = colon != NULL ? (size_t)(colon - p) : strlen(p);
			if (++parts > 3)
				return "A time has at most three parts (h:mm:ss).";
			/* After a colon come exactly two digits (and the seconds' decimals). */
			if ((parts > 1 && strcspn(p, ".:") != 2) ||
			    (colon != NULL ? digits(p, len, parts == 1 ? 3 : 2, &part) != 0 :
			    decimal(p, len, parts == 1 ? 6 : 2, &part) != 0))
				return "A time looks like 1:02:03, 4:05.3 or 59.87.";
			if (colon == NULL)
				break;
			if (parts > 1 && part >= 60)
				return "Minutes and seconds go up to 59.";
			v = v * 60 + part;
			p = colon + 1;
		}
		if (parts > 1 && part >= 60000)
			return "Minutes and seconds go up to 59.";
		v = v * 60000 + part;
		if (parts == 1)
			v = part;
	}
	if (v > SCORE_VALUE_MAX)
		return "That score is larger than this site accepts.";
	*out = v;
	return NULL;
}

/* The fraction of v (thousandths) as ".5", ".125" or "" (none). */
static const char *fraction(struct arena *a, int64_t v)
{
	int f = (int)(v % 1000);

	if (f == 0)
		return "";
	if (f % 100 == 0)
		return arena_printf(a, ".%d", f / 100);
	if (f % 10 == 0)
		return arena_printf(a, ".%02d", f / 10);
	return arena_printf(a, ".%03d", f);
}

const char *score_format(struct arena *a, enum score_kind kind, int64_t v)
{
	int64_t s = v / 1000;

	if (kind != SCORE_TIME)
		return arena_printf(a, "%lld%s", (long long)s, fraction(a, v));
	if (s >= 3600)
		return arena_printf(a, "%lld:%02d:%02d%s", (long long)(s / 3600),
		    (int)(s / 60 % 60), (int)(s % 60), fraction(a, v));
	return arena_printf(a, "%d:%02d%s", (int)(s / 60), (int)(s % 60), fraction(a, v));
}

enum db_rc score_competition(struct db *db, struct arena *a, int64_t event_id,
    struct competition *c)
{
	sqlite3_stmt *st = db_stmt(db, STMT_COMP_GET);
	enum db_rc rc;
	int step;

	memset(c, 0, sizeof(*c));
	sqlite3_bind_int64(st, 1, event_id);
	if ((rc = db_step_one(db, st, "reading a competition")) != DB_OK)
		return rc;
	c->event_id = event_id;
	c->kind = (enum score_kind)db_enum(st, 0, score_kind_names, SCORE_KIND__MAX, 0);
	c->rule = (enum score_rule)db_enum(st, 1, score_rule_names, SCORE_RULE__MAX, 0);
	c->unit = db_text(a, st, 2);
	c->rounds = (int)db_int(st, 3, 1);
	c->self_scoring = (int)db_int(st, 4, 0);
	c->closed = (int)db_int(st, 5, 0);
	c->version = db_int(st, 6, 1);
	c->frozen_at = db_int(st, 7, 0);
	c->public_version = c->frozen_at != 0 ? db_int(st, 8, c->version) : c->version;
	c->published_at = db_int(st, 9, 0);
	sqlite3_reset(st);
	st = db_stmt(db, STMT_DIVISION_LIST);
	c->divisions = arena_alloc(a, SCORE_DIVISIONS_MAX * sizeof(*c->divisions));
	sqlite3_bind_int64(st, 1, event_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && c->ndivisions < SCORE_DIVISIONS_MAX) {
		c->divisions[c->ndivisions].id = sqlite3_column_int64(st, 0);
		c->divisions[c->ndivisions++].name = db_text(a, st, 1);
	}
	sqlite3_reset(st);
	return step == SQLITE_ROW ? DB_OK : db_rc_of(db, step, "reading divisions");
}

/* Characters (not bytes) of the UTF-8 text s, as SQLite's length() counts them. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* 1 if name may be a division's: 1 to SCORE_DIVISION_MAX characters. */
static int division_name_valid(const char *name)
{
	size_t n = chars(name);

	return n >= 1 && n <= SCORE_DIVISION_MAX;
}

enum db_rc score_usage(struct db *db, int64_t event_id, int *scored, int *max_round)
{
	sqlite3_stmt *st = db_stmt(db, STMT_COMP_USAGE);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, event_id);
	if ((rc = db_step_one(db, st, "reading a competition's scores")) != DB_OK)
		return rc;
	*scored = sqlite3_column_int(st, 0);
	*max_round = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	return DB_OK;
}

/*
 * DB_CONFLICT if the scores of the competition old (NULL: none yet) fix
 * what c changes; DB_OK if c may replace it.
 */
static enum db_rc rules_free(struct db *db, const struct competition *old,
    const struct competition *c)
{
	int scored, max_round;
	enum db_rc rc;

	if (old == NULL)
		return DB_OK;
	if ((rc = score_usage(db, old->event_id, &scored, &max_round)) != DB_OK)
		return rc;
	if (c->rounds < max_round || (scored && (c->kind != old->kind || c->rule != old->rule ||
	    strcmp(c->unit != NULL ? c->unit : "", old->unit) != 0)))
		return DB_CONFLICT;
	return DB_OK;
}

/* Put division name of event_id at position, inside the caller's transaction. */
static enum db_rc division_put(struct db *db, int64_t event_id, const char *name, int position)
{
	sqlite3_stmt *st = db_stmt(db, STMT_DIVISION_PUT);

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, position);
	return db_step_done(db, st, "saving a division");
}

enum db_rc score_setup(struct db *db, struct arena *a, const char *slug,
    const struct competition *c, const char *const *divisions, int ndivisions)
{
	struct competition old;
	sqlite3_stmt *st;
	struct event e;
	enum db_rc rc;
	int i;

	if (ndivisions > SCORE_DIVISIONS_MAX || c->rounds < 1 || c->rounds > SCORE_ROUNDS_MAX ||
	    (c->unit != NULL && chars(c->unit) > SCORE_UNIT_MAX))
		return DB_INVALID;
	for (i = 0; i < ndivisions; i++)
		if (!division_name_valid(divisions[i]))
			return DB_INVALID;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = event_get(db, a, slug, &e)) != DB_OK)
		return db_end(db, rc);
	if (e.kind != EVENT_RSVP)
		return db_end(db, DB_INVALID);	/* a drop's sign-ups are holds */
	rc = score_competition(db, a, e.id, &old);
	if (rc == DB_NOTFOUND || (rc == DB_OK && (rc = rules_free(db, &old, c)) == DB_OK)) {
		st = db_stmt(db, STMT_COMP_PUT);
		sqlite3_bind_int64(st, 1, e.id);
		sqlite3_bind_text(st, 2, score_kind_names[c->kind], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, score_rule_names[c->rule], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, c->unit != NULL ? c->unit : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, c->rounds);
		sqlite3_bind_int(st, 6, c->self_scoring);
		sqlite3_bind_int(st, 7, c->closed);
		rc = db_step_done(db, st, "saving a competition");
	}
	for (i = 0; i < ndivisions && rc == DB_OK; i++)
		rc = division_put(db, e.id, divisions[i], i);
	return db_end(db, rc);
}

enum db_rc score_division_add(struct db *db, struct arena *a, int64_t event_id,
    const char *name)
{
	struct competition c;
	enum db_rc rc;
	int i;

	if (!division_name_valid(name))
		return DB_INVALID;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = score_competition(db, a, event_id, &c)) != DB_OK)
		return db_end(db, rc);
	for (i = 0; i < c.ndivisions; i++)
		if (strcmp(c.divisions[i].name, name) == 0)
			return db_end(db, DB_OK);	/* added already: a double click */
	if (c.ndivisions >= SCORE_DIVISIONS_MAX)
		return db_end(db, DB_INVALID);
	return db_end(db, division_put(db, event_id, name, c.ndivisions));
}

enum db_rc score_division_rename(struct db *db, int64_t event_id, int64_t id,
    const char *name)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if (!division_name_valid(name))
		return DB_INVALID;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_DIVISION_RENAME);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, event_id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	/* DB_CONFLICT: another division has that name (the UNIQUE constraint). */
	if ((rc = db_step_done(db, st, "renaming a division")) == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	return db_end(db, rc);
}

enum db_rc score_division_remove(struct db *db, int64_t event_id, int64_t id)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_DIVISION_ENTRIES);
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = db_step_one(db, st, "counting a division's entries")) != DB_OK)
		return db_end(db, rc);
	rc = sqlite3_column_int(st, 0) > 0 ? DB_CONFLICT : DB_OK;
	sqlite3_reset(st);
	if (rc != DB_OK)
		return db_end(db, rc);
	st = db_stmt(db, STMT_DIVISION_DELETE);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, event_id);
	if ((rc = db_step_done(db, st, "removing a division")) == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	return db_end(db, rc);
}

enum db_rc score_enter(struct db *db, struct arena *a, int64_t event_id, int64_t rsvp_id,
    const char *name, const char *display, int64_t division_id)
{
	struct competition c;
	sqlite3_stmt *st;
	enum db_rc rc;
	int i, found = division_id == 0;

	if ((rc = score_competition(db, a, event_id, &c)) != DB_OK)
		return rc == DB_NOTFOUND ? DB_OK : rc;
	for (i = 0; i < c.ndivisions; i++)
		found |= c.divisions[i].id == division_id;
	if (!found || (c.ndivisions > 0 && division_id == 0))
		return DB_INVALID;
	st = db_stmt(db, STMT_ENTRY_INSERT);
	sqlite3_bind_int64(st, 1, rsvp_id);
	sqlite3_bind_int64(st, 2, event_id);
	sqlite3_bind_text(st, 3, display != NULL ? display : name, -1, SQLITE_STATIC);
	if (division_id != 0)
		sqlite3_bind_int64(st, 4, division_id);
	rc = db_step_done(db, st, "entering a competition");
	return rc == DB_CONFLICT ? DB_INVALID : rc;
}

/* The entry of event_id by id, or by bib when id is 0. */
static enum db_rc read_entry(struct db *db, struct arena *a, int64_t event_id, int64_t id,
    int64_t bib, struct entry *en)
{
	sqlite3_stmt *st = db_stmt(db, id != 0 ? STMT_ENTRY_GET : STMT_ENTRY_BY_BIB);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, id != 0 ? id : bib);
	if ((rc = db_step_one(db, st, "reading an entry")) != DB_OK)
		return rc;
	db_read_entry(a, st, en);
	sqlite3_reset(st);
	return DB_OK;
}

enum db_rc score_entry(struct db *db, struct arena *a, int64_t event_id, int64_t id,
    struct entry *e)
{
	return read_entry(db, a, event_id, id, 0, e);
}

enum db_rc score_entries(struct db *db, struct arena *a, int64_t event_id, const char *q,
    int max, struct entry **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ENTRY_SEARCH);
	const char *pattern = db_like_pattern(a, q);
	size_t cap = 0;
	int64_t bib;
	int step;

	*n = 0;
	*list = NULL;
	sqlite3_bind_int64(st, 1, event_id);
	if (pattern != NULL) {
		sqlite3_bind_text(st, 2, pattern, -1, SQLITE_STATIC);
		if (digits(q, strlen(q), 9, &bib) == 0)
			sqlite3_bind_int64(st, 3, bib);
	}
	sqlite3_bind_int(st, 4, max > 0 ? max : -1);	/* LIMIT -1: none */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		db_read_entry(a, st, arena_slot(a, (void **)list, &cap, (size_t)*n, sizeof(**list)));
		(*n)++;
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing entries");
}

enum db_rc score_rename(struct db *db, int64_t rsvp_id, const char *display)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_ENTRY_RENAME);
	sqlite3_bind_int64(st, 1, rsvp_id);
	sqlite3_bind_text(st, 2, display, -1, SQLITE_STATIC);
	if ((rc = db_step_done(db, st, "renaming an entry")) == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	return db_end(db, rc == DB_CONFLICT ? DB_INVALID : rc);
}

/*
 * Add in's score to the competition c inside the caller's transaction; the
 * entry's aggregates afterwards into out. The checks word what the
 * schema's guard trigger would refuse anyway.
 */
static enum db_rc add_score(struct db *db, struct arena *a, const struct competition *c,
    const struct score_input *in, struct score_outcome *out)
{
	struct entry en;
	sqlite3_stmt *st;
	enum db_rc rc;

	if (in->value < 0 || in->value > SCORE_VALUE_MAX || in->round < 0 ||
	    in->round > SCORE_ROUNDS_MAX)
		return DB_INVALID;
	if ((rc = read_entry(db, a, c->event_id, in->entry_id, in->bib, &en)) != DB_OK)
		return rc;
	out->entry_id = en.id;
	if (c->closed || !en.confirmed || (in->source == SCORE_ENTRANT && !c->self_scoring))
		return DB_CLOSED;
	out->round = in->round;
	if (out->round == 0) {
		st = db_stmt(db, STMT_SCORE_NEXT_ROUND);
		sqlite3_bind_int64(st, 1, en.id);
		if ((rc = db_step_one(db, st, "finding the next round")) != DB_OK)
			return rc;
		out->round = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
	}
	if (out->round > c->rounds)
		return DB_CLOSED;
	st = db_stmt(db, STMT_SCORE_INSERT);
	sqlite3_bind_int64(st, 1, en.id);
	sqlite3_bind_int64(st, 2, c->event_id);
	sqlite3_bind_int(st, 3, out->round);
	sqlite3_bind_int64(st, 4, in->value);
	sqlite3_bind_text(st, 5, score_source_names[in->source], -1, SQLITE_STATIC);
	if (in->actor != NULL)
		sqlite3_bind_text(st, 6, in->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, clock_now());
	/* DB_CONFLICT: that round has a live score (the unique index). */
	if ((rc = db_step_done(db, st, "adding a score")) != DB_OK)
		return rc;
	out->score_id = db_last_id(db);
	out->value = in->value;
	if ((rc = read_entry(db, a, c->event_id, en.id, 0, &en)) != DB_OK)
		return rc;
	out->scores = en.scores;
	out->total = en.total;
	out->best = en.best;
	return DB_OK;
}

/* 1 if rc is a rule's answer to the request (kept for a key), not a failure. */
static int rule_outcome(enum db_rc rc)
{
	return rc != DB_BUSY && rc != DB_ERROR;
}

/*
 * With a key: look it up. A live use answers from what was stored (or
 * mismatch if the body differs) and *done is set.
 */
static enum db_rc key_find(struct db *db, struct arena *a, struct score_key *key,
    const unsigned char kh[32], const unsigned char bh[32], int *done)
{
	sqlite3_stmt *st = db_stmt(db, STMT_KEY_GET);
	enum db_rc rc;

	*done = 0;
	sqlite3_bind_int64(st, 1, key->token_id);
	sqlite3_bind_blob(st, 2, kh, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_now() - SCORE_KEY_TTL);
	if ((rc = db_step_one(db, st, "reading an idempotency key")) != DB_OK)
		return rc == DB_NOTFOUND ? DB_OK : rc;
	*done = 1;
	key->replayed = 1;
	key->mismatch = sqlite3_column_bytes(st, 0) != 32 ||
	    sodium_memcmp(sqlite3_column_blob(st, 0), bh, 32) != 0;
	key->status = sqlite3_column_int(st, 1);
	key->response = db_text(a, st, 2);
	sqlite3_reset(st);
	return DB_OK;
}

/* Store the key's answer (replacing a use older than its lifetime). */
static enum db_rc key_store(struct db *db, const struct score_key *key,
    const unsigned char kh[32], const unsigned char bh[32])
{
	sqlite3_stmt *st = db_stmt(db, STMT_KEY_PUT);

	sqlite3_bind_int64(st, 1, key->token_id);
	sqlite3_bind_blob(st, 2, kh, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, bh, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, key->status);
	sqlite3_bind_text(st, 5, key->response, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, clock_now());
	return db_step_done(db, st, "storing an idempotency key");
}

/*
 * The keyed part of a submission: inside a savepoint, so a rule's refusal
 * undoes the score's writes but keeps the key with its answer.
 */
static enum db_rc keyed_add(struct db *db, struct arena *a, const struct competition *c,
    const struct score_input *in, struct score_key *key, struct score_outcome *out)
{
	unsigned char kh[32], bh[32];
	enum db_rc rc, outcome;
	int done;

	token_hash(key->key, kh);
	crypto_generichash(bh, sizeof(bh), (const unsigned char *)key->body, key->body_len,
	    NULL, 0);
	if ((rc = key_find(db, a, key, kh, bh, &done)) != DB_OK || done)
		return rc;
	if ((rc = db_exec(db, "SAVEPOINT score")) != DB_OK)
		return rc;
	outcome = add_score(db, a, c, in, out);
	if (!rule_outcome(outcome))
		return outcome;
	if (outcome != DB_OK && (rc = db_exec(db, "ROLLBACK TO score")) != DB_OK)
		return rc;
	if ((rc = db_exec(db, "RELEASE score")) != DB_OK)
		return rc;
	key->status = key->answer(key->ctx, a, outcome, out, &key->response);
	return key_store(db, key, kh, bh);
}

enum db_rc score_submit(struct db *db, struct arena *a, int64_t event_id,
    const struct score_input *in, const char *form_token, struct score_key *key,
    struct score_outcome *out)
{
	struct competition c;
	int64_t mark = 0;
	enum db_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = change_begin(db, form_token, &out->replayed, &mark)) != DB_OK)
		return rc;
	if (!out->replayed && (rc = score_competition(db, a, event_id, &c)) == DB_OK)
		rc = key != NULL ? keyed_add(db, a, &c, in, key, out) :
		    add_score(db, a, &c, in, out);
	return change_end(db, rc, in->actor, mark);
}

enum db_rc score_void(struct db *db, struct arena *a, int64_t event_id, int64_t score_id,
    const char *reason, const char *actor, const struct score_input *in,
    const char *form_token, struct score_outcome *out)
{
	struct score_input fix;
	struct competition c;
	int64_t mark = 0;
	sqlite3_stmt *st;
	enum db_rc rc;

	memset(out, 0, sizeof(*out));
	if (reason == NULL || *reason == '\0' || strlen(reason) > SCORE_REASON_MAX)
		return DB_INVALID;
	if ((rc = change_begin(db, form_token, &out->replayed, &mark)) != DB_OK)
		return rc;
	if (out->replayed || (rc = score_competition(db, a, event_id, &c)) != DB_OK)
		goto done;
	st = db_stmt(db, STMT_SCORE_GET);
	sqlite3_bind_int64(st, 1, score_id);
	sqlite3_bind_int64(st, 2, event_id);
	if ((rc = db_step_one(db, st, "reading a score")) != DB_OK)
		goto done;
	fix.entry_id = sqlite3_column_int64(st, 0);
	fix.bib = 0;
	fix.round = sqlite3_column_int(st, 1);
	rc = sqlite3_column_type(st, 2) != SQLITE_NULL || c.closed ? DB_CLOSED : DB_OK;
	sqlite3_reset(st);
	if (rc != DB_OK)
		goto done;
	st = db_stmt(db, STMT_SCORE_VOID);
	sqlite3_bind_int64(st, 1, score_id);
	sqlite3_bind_int64(st, 2, clock_now());
	if (actor != NULL)
		sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	if ((rc = db_step_done(db, st, "voiding a score")) != DB_OK || in == NULL)
		goto done;
	/* A correction: the new value in the same round, linked from the old. */
	fix.value = in->value;
	fix.source = in->source;
	fix.actor = actor;
	if ((rc = add_score(db, a, &c, &fix, out)) != DB_OK)
		goto done;
	st = db_stmt(db, STMT_SCORE_REPLACED);
	sqlite3_bind_int64(st, 1, score_id);
	sqlite3_bind_int64(st, 2, out->score_id);
	rc = db_step_done(db, st, "linking a correction");
done:
	return change_end(db, rc, actor, mark);
}

enum db_rc score_list(struct db *db, struct arena *a, int64_t event_id, int64_t entry_id,
    int max, struct score_row **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SCORE_LIST);
	int step;

	*n = 0;
	*list = arena_alloc(a, (size_t)max * sizeof(**list));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, entry_id);
	sqlite3_bind_int(st, 3, max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		db_read_score(a, st, &(*list)[(*n)++]);
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing scores");
}

enum db_rc score_log(struct db *db, struct arena *a, int64_t event_id, int64_t entry_id,
    int max, struct score_log_row **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, entry_id != 0 ? STMT_SCORE_LOG_ENTRY : STMT_SCORE_LOG);
	int step;

	*n = 0;
	*list = arena_alloc(a, (size_t)max * sizeof(**list));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, max);
	if (entry_id != 0)
		sqlite3_bind_int64(st, 3, entry_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		db_read_score_log(a, st, &(*list)[(*n)++]);
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the score log");
}

const char *score_log_who(struct arena *a, const struct score_log_row *l)
{
	if (*l->actor == '\0')
		return "the entrant";
	if (strncmp(l->actor, "api:", 4) == 0)
		return arena_printf(a, "API token “%s”", l->actor + 4);
	return l->actor;
}

/* The competition being ranked, for the comparison (qsort has no context). */
static const struct competition *ranking;

/* <0 if x ranks above y by the rule, 0 for a tie. Rows without scores last. */
static int compare_figures(const struct board_row *x, const struct board_row *y)
{
	int lower = ranking->kind == SCORE_TIME;
	int64_t l, r;

	if ((x->scores == 0) != (y->scores == 0))
		return x->scores == 0 ? 1 : -1;
	if (x->scores == 0)
		return 0;
	switch (ranking->rule) {
	case SCORE_BEST:
		l = x->best, r = y->best;
		break;
	case SCORE_TOTAL:
		l = x->total, r = y->total;
		break;
	default:
		/* Averages as fractions: total/scores against total/scores, exactly. */
		l = x->total * y->scores, r = y->total * x->scores;
		break;
	}
	if (l == r)
		return 0;
	return (l < r) == lower ? -1 : 1;
}

static int compare_rows(const void *p, const void *q)
{
	const struct board_row *x = p, *y = q;
	int d;

	if (x->division != y->division)
		return x->division < y->division ? -1 : 1;
	if ((d = compare_figures(x, y)) != 0)
		return d;
	if ((d = strcmp(x->display_name, y->display_name)) != 0)
		return d;
	return x->entry_id < y->entry_id ? -1 : x->entry_id > y->entry_id;
}

void score_rank(const struct competition *c, struct board_row *rows, int n)
{
	int i, start = 0;

	ranking = c;
	qsort(rows, (size_t)n, sizeof(*rows), compare_rows);
	for (i = 0; i < n; i++) {
		if (i > 0 && rows[i].division != rows[i - 1].division)
			start = i;
		if (rows[i].scores == 0)
			rows[i].rank = 0;
		else if (i > start && compare_figures(&rows[i], &rows[i - 1]) == 0)
			rows[i].rank = rows[i - 1].rank;
		else
			rows[i].rank = i - start + 1;
	}
	ranking = NULL;
}

/* Ranked rows of c from its entries list[0..n) (only the confirmed ones) into *rows. */
static void board_rows(struct arena *a, const struct competition *c, const struct entry *list,
    int n, struct board_row **rows, int *nrows)
{
	struct board_row *b;
	int i, k;

	*rows = b = arena_alloc(a, (size_t)(n > 0 ? n : 1) * sizeof(*b));
	for (i = k = 0; i < n; i++) {
		if (!list[i].confirmed)
			continue;
		memset(&b[k], 0, sizeof(b[k]));
		b[k].entry_id = list[i].id;
		b[k].bib = list[i].bib;
		b[k].division_id = list[i].division_id;
		b[k].display_name = list[i].display_name;
		b[k].division = -1;
		for (int d = 0; d < c->ndivisions; d++)
			if (c->divisions[d].id == list[i].division_id)
				b[k].division = d;
		b[k].scores = list[i].scores;
		b[k].total = list[i].total;
		b[k].best = list[i].best;
		b[k].figure = c->rule == SCORE_BEST ? b[k].best : c->rule == SCORE_TOTAL ?
		    b[k].total : b[k].scores == 0 ? 0 :
		    (2 * b[k].total + b[k].scores) / (2 * b[k].scores);
		k++;
	}
	*nrows = k;
	score_rank(c, b, k);
}

enum db_rc score_board(struct db *db, struct arena *a, const struct competition *c,
    struct board_row **rows, int *n)
{
	struct entry *list;
	enum db_rc rc;
	int nlist;

	*n = 0;
	/* Every entry: a board ranked on part of the field would be wrong. */
	if ((rc = score_entries(db, a, c->event_id, NULL, 0, &list, &nlist)) != DB_OK)
		return rc;
	board_rows(a, c, list, nlist, rows, n);
	return DB_OK;
}

enum db_rc score_board_public(struct db *db, struct arena *a, const struct competition *c,
    struct board_row **rows, int *n)
{
	struct entry *list = NULL, *e;
	sqlite3_stmt *st;
	size_t cap = 0;
	int step, k = 0;

	if (c->frozen_at == 0)
		return score_board(db, a, c, rows, n);
	*n = 0;
	st = db_stmt(db, STMT_BOARD_SNAPSHOT);
	sqlite3_bind_int64(st, 1, c->event_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		e = arena_slot(a, (void **)&list, &cap, (size_t)k++, sizeof(*list));
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->bib = sqlite3_column_int64(st, 1);
		e->display_name = db_text(a, st, 2);
		e->division_id = sqlite3_column_int64(st, 3);
		e->scores = sqlite3_column_int64(st, 4);
		e->total = sqlite3_column_int64(st, 5);
		e->best = sqlite3_column_int64(st, 6);
		e->confirmed = 1;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return db_rc_of(db, step, "reading the frozen leaderboard");
	board_rows(a, c, list, k, rows, n);
	return DB_OK;
}

enum db_rc score_board_set(struct db *db, int64_t event_id, enum board_action action,
    const char *actor, const char *form_token, int *replayed)
{
	static const enum stmt change[BOARD_ACTION__MAX] = {
		[BOARD_FREEZE] = STMT_BOARD_FREEZE, [BOARD_UNFREEZE] = STMT_BOARD_UNFREEZE,
		[BOARD_PUBLISH] = STMT_BOARD_PUBLISH,
	};
	int64_t mark = 0, now = clock_now();
	sqlite3_stmt *st;
	enum db_rc rc;

	if (actor == NULL || *actor == '\0' || (unsigned)action >= BOARD_ACTION__MAX)
		return DB_INVALID;
	if ((rc = change_begin(db, form_token, replayed, &mark)) != DB_OK || *replayed)
		return rc != DB_OK ? rc : change_end(db, DB_OK, actor, mark);
	st = db_stmt(db, change[action]);
	sqlite3_bind_int64(st, 1, event_id);
	if (action != BOARD_UNFREEZE)
		sqlite3_bind_int64(st, 2, now);
	if ((rc = db_step_done(db, st, "freezing or publishing a leaderboard")) == DB_OK &&
	    db_changes(db) == 0) {
		/* Not in a state this action starts from, or no competition at all. */
		st = db_stmt(db, STMT_COMP_GET);
		sqlite3_bind_int64(st, 1, event_id);
		if ((rc = db_step_one(db, st, "reading a competition")) == DB_OK) {
			sqlite3_reset(st);
			rc = DB_CONFLICT;
		}
	}
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_BOARD_LOG_INSERT);
		sqlite3_bind_int64(st, 1, event_id);
		sqlite3_bind_text(st, 2, board_action_names[action], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
		rc = db_step_done(db, st, "logging a leaderboard change");
	}
	return change_end(db, rc, actor, mark);
}

enum db_rc score_board_log(struct db *db, struct arena *a, int64_t event_id, int max,
    struct board_change **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_BOARD_LOG_LIST);
	int step;

	*n = 0;
	*list = arena_alloc(a, (size_t)(max > 0 ? max : 1) * sizeof(**list));
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		(*list)[*n].action = db_text(a, st, 0);
		(*list)[*n].at = sqlite3_column_int64(st, 1);
		(*list)[(*n)++].actor = db_text(a, st, 2);
	}
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the leaderboard's log");
}

enum db_rc score_token_new(struct db *db, int64_t event_id, const char *label,
    const char *actor, const char *form_token, char out[SCORE_API_TOKEN_HEX + 1],
    int *replayed)
{
	unsigned char raw[SCORE_API_TOKEN_HEX / 2], hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st;
	int64_t mark;
	enum db_rc rc;

	*out = '\0';
	if ((rc = change_begin(db, form_token, replayed, &mark)) != DB_OK)
		return rc;
	if (*replayed)
		return change_end(db, DB_OK, actor, mark);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, SCORE_API_TOKEN_HEX + 1, raw, sizeof(raw));
	token_hash(out, hash);
	st = db_stmt(db, STMT_TOKEN_INSERT);
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
	if (actor != NULL)
		sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, clock_now());
	rc = db_step_done(db, st, "creating an API token");
	return change_end(db, rc == DB_CONFLICT ? DB_INVALID : rc, actor, mark);
}

enum db_rc score_token_check(struct db *db, struct arena *a, int64_t event_id,
    const char *bearer, int64_t *id, const char **label)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st;
	enum db_rc rc;

	if (strlen(bearer) != SCORE_API_TOKEN_HEX ||
	    strspn(bearer, "0123456789abcdef") != SCORE_API_TOKEN_HEX)
		return DB_NOTFOUND;
	token_hash(bearer, hash);
	st = db_stmt(db, STMT_TOKEN_CHECK);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, event_id);
	if ((rc = db_step_one(db, st, "checking an API token")) != DB_OK)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	*label = db_text(a, st, 1);
	sqlite3_reset(st);
	return DB_OK;
}

enum db_rc score_token_revoke(struct db *db, int64_t event_id, int64_t id)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_TOKEN_REVOKE);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, event_id);
	sqlite3_bind_int64(st, 3, clock_now());
	if ((rc = db_step_done(db, st, "revoking an API token")) == DB_OK && db_changes(db) == 0)
		rc = DB_NOTFOUND;
	return db_end(db, rc);
}

enum db_rc score_token_list(struct db *db, struct arena *a, int64_t event_id,
    struct score_token **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_TOKEN_LIST);
	struct score_token *t;
	void *items = NULL;
	size_t cap = 0;
	int step;

	*n = 0;
	sqlite3_bind_int64(st, 1, event_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		t = arena_slot(a, &items, &cap, (size_t)(*n)++, sizeof(*t));
		t->id = sqlite3_column_int64(st, 0);
		t->label = db_text(a, st, 1);
		t->created_by = db_text(a, st, 2);
		t->created_at = sqlite3_column_int64(st, 3);
		t->revoked_at = sqlite3_column_int64(st, 4);
	}
	*list = items;
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing API tokens");
}

enum db_rc score_competitions(struct db *db, struct arena *a, int64_t user_id,
    struct event **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_COMPETITION_LIST);
	int step;

	*n = 0;
	*list = arena_alloc(a, SCORE_LIST_MAX * sizeof(**list));
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, SCORE_LIST_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		db_read_event(a, st, &(*list)[(*n)++]);
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing competitions");
}
