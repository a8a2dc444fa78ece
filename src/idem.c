#include "clock.h"
#include "idem.h"
#include "token.h"

enum db_rc idem_claim(struct db *db, const char *form_token, int *replayed)
{
	unsigned char hash[TOKEN_HASH_LEN];
	sqlite3_stmt *st;
	enum db_rc rc;
	int step;

	token_hash(form_token, hash);
	st = db_stmt(db, STMT_FORM_USED);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	*replayed = step == SQLITE_ROW;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_rc_of(db, step, "checking a form token");
	if (*replayed)
		return DB_OK;
	st = db_stmt(db, STMT_FORM_USE);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, clock_now());
	rc = db_rc_of(db, sqlite3_step(st), "recording a form token");
	sqlite3_reset(st);
	if (rc != DB_OK)
		return rc;
	st = db_stmt(db, STMT_FORM_PURGE);
	sqlite3_bind_int64(st, 1, clock_now() - TOKEN_FORM_TTL - 3600);
	rc = db_rc_of(db, sqlite3_step(st), "purging old form tokens");
	sqlite3_reset(st);
	return rc;
}
