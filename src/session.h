#ifndef TURNOUT_SESSION_H
#define TURNOUT_SESSION_H

#include <stdint.h>

#include "admin_user.h"
#include "arena.h"
#include "db.h"
#include "token.h"

/*
 * Admin sessions. The cookie holds 256 random bits as hex; the database
 * only their hash, so a copy of the database logs no one in. A session
 * ends after SESSION_IDLE seconds without a request, SESSION_MAX_AGE
 * seconds after login, or at logout.
 *
 * CSRF tokens are form tokens (token.h) whose purpose names the session's
 * hash: issued at render time without a write, refused for any other
 * session, and expired after TOKEN_FORM_TTL.
 */
#define SESSION_TOKEN_HEX 64
#define SESSION_IDLE (2 * 3600)
#define SESSION_MAX_AGE (12 * 3600)
#define SESSION_TOUCH_EVERY 60		/* last_seen is written at most this often */

struct session {
	unsigned char hash[TOKEN_HASH_LEN];
	int64_t user_id;
	const char *user;		/* the admin's name */
	enum admin_role role;
	int64_t created_at, last_seen;
};

/* 1 if s looks like a session token (64 lower-case hex digits). */
int session_token_valid(const char *s);

/*
 * Log user_id in at time now: a new token into out. The session behind
 * old_token (the cookie sent with the login, may be NULL) ends, so a
 * session id planted before the login is never the one logged in; expired
 * sessions of every admin are swept at the same time.
 */
enum db_rc session_create(struct db *db, int64_t user_id, const char *old_token,
    int64_t now, char out[SESSION_TOKEN_HEX + 1]);

/*
 * The live session behind token at time now, or DB_NOTFOUND (malformed,
 * unknown, idle too long or too old). Notes the activity in last_seen
 * unless another writer holds the database (never waits for one).
 */
enum db_rc session_get(struct db *db, struct arena *a, const char *token, int64_t now,
    struct session *s);

/* End the session behind token (logout); DB_OK even if there was none. */
enum db_rc session_delete(struct db *db, const char *token);

/* A CSRF token for s's forms, issued at time now. */
void session_csrf(struct arena *a, const struct session *s, int64_t now,
    char out[TOKEN_FORM_HEX + 1]);

/* Check a CSRF token sent with a POST in session s. */
enum token_check session_csrf_check(struct arena *a, const struct session *s,
    const char *tok, int64_t now);

#endif
