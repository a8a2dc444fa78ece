#include <string.h>

#include <sodium.h>

#include "session.h"

int session_token_valid(const char *s)
{
	return strlen(s) == SESSION_TOKEN_HEX &&
	    strspn(s, "0123456789abcdef") == SESSION_TOKEN_HEX;
}

enum db_rc session_create(struct db *db, int64_t user_id, const char *old_token,
    int64_t now, char out[SESSION_TOKEN_HEX + 1])
{
	unsigned char raw[SESSION_TOKEN_HEX / 2], hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st;
	enum db_rc rc;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, SESSION_TOKEN_HEX + 1, raw, sizeof(raw));
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if (old_token != NULL && session_token_valid(old_token)) {
		token_hash(old_token, hash);
		st = db_stmt(db, STMT_SESSION_DELETE);
		sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
		rc = db_step_done(db, st, "ending the old session");
	}
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_SESSION_PURGE);
		sqlite3_bind_int64(st, 1, now - SESSION_IDLE);
		sqlite3_bind_int64(st, 2, now - SESSION_MAX_AGE);
		rc = db_step_done(db, st, "sweeping expired sessions");
	}
	if (rc == DB_OK) {
		token_hash(out, hash);
		st = db_stmt(db, STMT_SESSION_INSERT);
		sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, user_id);
		sqlite3_bind_int64(st, 3, now);
		rc = db_step_done(db, st, "creating a session");
	}
	return db_end(db, rc);
}

/*
 * Note activity in s at time now: a write at most once a SESSION_TOUCH_EVERY,
 * and only if the write gate is free at once. Reading a page never waits
 * for another writer (a stalled one would hang every admin page); a touch
 * not made now is made by a later request.
 */
static void touch(struct db *db, struct session *s, int64_t now)
{
	sqlite3_stmt *st;

	if (now - s->last_seen < SESSION_TOUCH_EVERY || db_try_begin(db) != DB_OK)
		return;
	st = db_stmt(db, STMT_SESSION_TOUCH);
	sqlite3_bind_blob(st, 1, s->hash, sizeof(s->hash), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (db_end(db, db_step_done(db, st, "noting session activity")) == DB_OK)
		s->last_seen = now;
}

enum db_rc session_get(struct db *db, struct arena *a, const char *token, int64_t now,
    struct session *s)
{
	sqlite3_stmt *st;
	int step;

	memset(s, 0, sizeof(*s));
	if (token == NULL || !session_token_valid(token))
		return DB_NOTFOUND;
	token_hash(token, s->hash);
	st = db_stmt(db, STMT_SESSION_GET);
	sqlite3_bind_blob(st, 1, s->hash, sizeof(s->hash), SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		s->user_id = sqlite3_column_int64(st, 0);
		s->user = arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
		s->created_at = sqlite3_column_int64(st, 2);
		s->last_seen = sqlite3_column_int64(st, 3);
		/* Unknown: the least an account may do. */
		s->role = (enum admin_role)db_enum(st, 4, admin_role_names, ADMIN_ROLE__MAX,
		    ADMIN_ROLE_SCOREKEEPER);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? DB_NOTFOUND : db_rc_of(db, step, "reading a session");
	/* Expired rows stay until the next login sweeps them: GETs stay cheap. */
	if (now - s->last_seen >= SESSION_IDLE || now - s->created_at >= SESSION_MAX_AGE)
		return DB_NOTFOUND;
	touch(db, s, now);
	return DB_OK;
}

enum db_rc session_delete(struct db *db, const char *token)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st;
	enum db_rc rc;

	if (token == NULL || !session_token_valid(token))
		return DB_OK;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	token_hash(token, hash);
	st = db_stmt(db, STMT_SESSION_DELETE);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	return db_end(db, db_step_done(db, st, "ending a session"));
}

/* The form-token purpose that binds a CSRF token to session s. */
static const char *csrf_purpose(struct arena *a, const struct session *s)
{
	char hex[2 * TOKEN_HASH_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), s->hash, sizeof(s->hash));
	return arena_printf(a, "csrf:%s", hex);
}

void session_csrf(struct arena *a, const struct session *s, int64_t now,
    char out[TOKEN_FORM_HEX + 1])
{
	token_form_new(out, now, csrf_purpose(a, s));
}

enum token_check session_csrf_check(struct arena *a, const struct session *s,
    const char *tok, int64_t now)
{
	if (tok == NULL)
		return TOKEN_MALFORMED;
	return token_form_check(tok, now, csrf_purpose(a, s));
}
