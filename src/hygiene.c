#include <stdio.h>
#include <sys/stat.h>

#include "admin_user.h"
#include "clock.h"
#include "health.h"
#include "hygiene.h"
#include "log.h"
#include "score.h"
#include "session.h"
#include "token.h"

/* What to purge and after how long; a new table to expire is one more line. */
static const struct {
	enum stmt stmt;
	int64_t keep, keep2;	/* seconds, bound as now - keep to ?1 (and ?2) */
} purges[] = {
	{ STMT_PURGE_FORM_USE, TOKEN_FORM_TTL + 3600, 0 },
	{ STMT_PURGE_OUTBOX, 30 * 24 * 3600, 0 },
	/* Idle or too old; logins sweep them too, but a site may go days without one. */
	{ STMT_SESSION_PURGE, SESSION_IDLE, SESSION_MAX_AGE },
	/* Failed logins: swept at each failure too, kept here for quiet sites. */
	{ STMT_LOGIN_FAIL_PURGE, ADMIN_FAIL_KEEP, 0 },
	/* The scores API's Idempotency-Key answers: kept for a day. */
	{ STMT_PURGE_API_KEYS, SCORE_KEY_TTL, 0 },
	/* "My sign-ups" links once expired, and the links opened from their pages. */
	{ STMT_PURGE_MINE_LINKS, 0, 0 },
};

enum db_rc hygiene_purge(struct db *db, int *n)
{
	sqlite3_stmt *st;
	enum db_rc rc;
	size_t i;

	*n = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	for (i = 0; i < sizeof(purges) / sizeof(purges[0]) && rc == DB_OK; i++) {
		st = db_stmt(db, purges[i].stmt);
		sqlite3_bind_int64(st, 1, clock_now() - purges[i].keep);
		if (purges[i].keep2 > 0)
			sqlite3_bind_int64(st, 2, clock_now() - purges[i].keep2);
		rc = db_rc_of(db, sqlite3_step(st), "purging old rows");
		sqlite3_reset(st);
		*n += db_changes(db);
	}
	if (rc == DB_OK)
		rc = health_worker_pass(db);
	return db_end(db, rc);
}

enum db_rc hygiene_index(struct db *db, int *n)
{
	sqlite3_stmt *st;
	enum db_rc rc;
	int done;

	*n = 0;
	do {
		/* Read first: an idle site's worker must not write every second. */
		st = db_stmt(db, STMT_SEARCH_QUEUED);
		if ((rc = db_step_one(db, st, "reading the search queue")) != DB_OK)
			return rc == DB_NOTFOUND ? DB_OK : rc;
		sqlite3_reset(st);
		if ((rc = db_begin(db)) != DB_OK)
			return rc;
		st = db_stmt(db, STMT_SEARCH_INDEX);
		sqlite3_bind_int(st, 1, HYGIENE_INDEX_BATCH);
		rc = db_step_done(db, st, "indexing new RSVPs for the search");
		done = 0;
		if (rc == DB_OK) {
			st = db_stmt(db, STMT_SEARCH_INDEXED);
			sqlite3_bind_int(st, 1, HYGIENE_INDEX_BATCH);
			rc = db_step_done(db, st, "indexing new RSVPs for the search");
			done = db_changes(db);
		}
		if ((rc = db_end(db, rc)) == DB_OK)
			*n += done;
	} while (rc == DB_OK && done == HYGIENE_INDEX_BATCH);
	return rc;
}

enum db_rc hygiene_merge(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SEARCH_MERGE);
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	/* Negative: segments of any level, as "optimize" would, but bounded. */
	sqlite3_bind_int(st, 1, -HYGIENE_MERGE_PAGES);
	rc = db_rc_of(db, sqlite3_step(st), "merging the search index");
	sqlite3_reset(st);
	return db_end(db, rc);
}

int hygiene_checkpoint(struct db *db, const struct config *c)
{
	char wal[sizeof(c->database) + 4];
	struct stat sb;

	snprintf(wal, sizeof(wal), "%s-wal", c->database);
	if (stat(wal, &sb) != 0 || sb.st_size <= (off_t)c->wal_checkpoint_mb * 1024 * 1024)
		return 0;
	if (db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)") != DB_OK)
		return -1;
	return 1;
}
