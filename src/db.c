#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "sql.h"

/* All SQL the programs run, indexed by enum stmt. */
static const char *const stmt_sql[STMT__MAX] = {
	[STMT_HEALTH] = "SELECT count(*) FROM event",
	[STMT_EVENT_UPCOMING] =
		"SELECT slug, title, description, location, starts_at, ends_at,"
		" status, capacity, max_guests, rsvp_opens_at, rsvp_closes_at,"
		" version FROM event"
		" WHERE status = 'published' AND coalesce(ends_at, starts_at) >= ?1"
		" ORDER BY starts_at, id LIMIT ?2",
	[STMT_EVENT_BY_SLUG] =
		"SELECT slug, title, description, location, starts_at, ends_at,"
		" status, capacity, max_guests, rsvp_opens_at, rsvp_closes_at,"
		" version FROM event WHERE slug = ?1",
	[STMT_EVENT_INSERT] =
		"INSERT INTO event (slug, title, description, location,"
		" starts_at, ends_at, status, capacity, max_guests,"
		" rsvp_opens_at, rsvp_closes_at, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
};

int db_latest_version(void)
{
	int n = 0;

	while (sql_migrations[n] != NULL)
		n++;
	return 1 + n;
}

/* Run SQL without results; -1 with sqlite's message in err. */
static int exec(struct db *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s", msg != NULL ? msg : sqlite3_errmsg(db->conn));
	sqlite3_free(msg);
	return -1;
}

struct db *db_open(const struct config *c, int create, char *err, size_t errlen)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	char pragmas[256];
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		log_fatal("out of memory");
	if (sqlite3_open_v2(c->database, &db->conn, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", c->database,
		    db->conn != NULL ? sqlite3_errmsg(db->conn) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	/*
	 * synchronous=FULL makes every commit durable at the cost of one
	 * fsync; NORMAL can lose the last commits on power loss (never on a
	 * crash of the program) and writes ~2x faster (STACK-NOTES.md).
	 */
	snprintf(pragmas, sizeof(pragmas),
	    "PRAGMA busy_timeout = %d; PRAGMA journal_mode = WAL;"
	    " PRAGMA foreign_keys = ON; PRAGMA synchronous = %s;",
	    c->busy_timeout_ms, c->synchronous == SYNC_FULL ? "FULL" : "NORMAL");
	if (exec(db, pragmas, err, errlen) != 0) {
		/* A directory or a non-database file fails here, not at open. */
		char why[200];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "cannot use database %s: %s", c->database, why);
		goto fail;
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void db_close(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(db->stmt[i]);
	sqlite3_close(db->conn);
	free(db);
}

int db_version(struct db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int db_migrate(struct db *db, int *from, char *err, size_t errlen)
{
	int latest = db_latest_version(), v, i;

	if (exec(db, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	/* Read the version inside the transaction: two migrators cannot race. */
	*from = v = db_version(db);
	if (v < 0 || v > latest) {
		snprintf(err, errlen, "database schema version %d is newer than this"
		    " program's (%d): upgrade Turnout first", v, latest);
		goto fail;
	}
	if (v == 0 && exec(db, sql_schema, err, errlen) != 0)
		goto fail;
	for (i = v == 0 ? latest - 1 : v - 1; i < latest - 1; i++)
		if (exec(db, sql_migrations[i], err, errlen) != 0)
			goto fail;
	if (db_version(db) != latest) {
		snprintf(err, errlen, "schema left version %d, expected %d",
		    db_version(db), latest);
		goto fail;
	}
	return exec(db, "COMMIT", err, errlen);
fail:
	sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int db_prepare(struct db *db, char *err, size_t errlen)
{
	int v = db_version(db), i;

	if (v != db_latest_version()) {
		snprintf(err, errlen, "database schema version is %d, this program"
		    " needs %d: run turnout-admin %s", v, db_latest_version(),
		    v == 0 ? "init" : "migrate");
		return -1;
	}
	for (i = 0; i < STMT__MAX; i++) {
		if (sqlite3_prepare_v3(db->conn, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "preparing statement %d: %s", i,
			    sqlite3_errmsg(db->conn));
			return -1;
		}
	}
	return 0;
}

sqlite3_stmt *db_stmt(struct db *db, enum stmt s)
{
	sqlite3_stmt *st = db->stmt[s];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

enum db_rc db_rc_of(struct db *db, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_CONSTRAINT:
		return DB_CONFLICT;
	default:
		log_error("%s: %s", what, sqlite3_errmsg(db->conn));
		return DB_ERROR;
	}
}

enum db_rc db_ping(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, STMT_HEALTH);
	enum db_rc rc = db_rc_of(db, sqlite3_step(st), "health check");

	sqlite3_reset(st);
	return rc;
}

enum db_rc db_begin(struct db *db)
{
	return db_rc_of(db, sqlite3_exec(db->conn, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), "begin");
}

enum db_rc db_commit(struct db *db)
{
	enum db_rc rc = db_rc_of(db, sqlite3_exec(db->conn, "COMMIT", NULL, NULL,
	    NULL), "commit");

	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}
