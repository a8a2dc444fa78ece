/* Database open, schema and migrations, and the event module, on real files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "event.h"
#include "testdb.h"

static int setup(void **state)
{
	struct testdb *t = test_calloc(1, sizeof(*t));

	testdb_open(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	testdb_close(*state);
	test_free(*state);
	return 0;
}

#define pragma testdb_int

static void test_open_settings(void **state)
{
	struct testdb *f = *state;
	const unsigned char *mode;
	sqlite3_stmt *st;

	assert_int_equal(db_version(f->db), db_latest_version());
	assert_int_equal(pragma(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(pragma(f->db, "PRAGMA synchronous"), 2);	/* FULL */
	assert_int_equal(pragma(f->db, "PRAGMA busy_timeout"), 5000);
	sqlite3_prepare_v2(db_sqlite(f->db), "PRAGMA journal_mode", -1, &st, NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	mode = sqlite3_column_text(st, 0);
	assert_string_equal((const char *)mode, "wal");
	sqlite3_finalize(st);
}

static void test_sync_normal(void **state)
{
	struct testdb *f = *state;
	char err[512];
	struct db *db;

	f->cfg.synchronous = SYNC_NORMAL;
	f->cfg.busy_timeout_ms = 1234;
	db = db_open(&f->cfg, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(pragma(db, "PRAGMA synchronous"), 1);
	assert_int_equal(pragma(db, "PRAGMA busy_timeout"), 1234);
	db_close(db);
}

/*
 * synchronous = group: FULL in a process without the shared page (the
 * admin tool); after db_group_init, NORMAL without automatic checkpoints,
 * and each commit returns after one group fsync covered it.
 */
static void test_sync_group(void **state)
{
	struct testdb *f = *state;
	uint64_t commits, syncs;
	char err[512];
	struct db *db;

	f->cfg.synchronous = SYNC_GROUP;
	db = db_open(&f->cfg, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(pragma(db, "PRAGMA synchronous"), 2);
	assert_int_equal(pragma(db, "PRAGMA wal_autocheckpoint"), 1000);
	db_close(db);

	assert_int_equal(db_group_init(), 0);
	db = db_open(&f->cfg, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(pragma(db, "PRAGMA synchronous"), 1);
	assert_int_equal(pragma(db, "PRAGMA wal_autocheckpoint"), 0);
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE probe (x)"), DB_OK);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO probe VALUES (1)"), DB_OK);
	assert_int_equal(db_commit(db), DB_OK);
	db_group_counts(&commits, &syncs);
	assert_int_equal(commits, 2);
	assert_int_equal(syncs, 2);
	db_close(db);
	db_group_free();
}

static void test_migrate_is_idempotent(void **state)
{
	struct testdb *f = *state;
	char err[512];
	int from;

	assert_int_equal(db_migrate(f->db, &from, err, sizeof(err)), 0);
	assert_int_equal(from, db_latest_version());
	assert_int_equal(db_version(f->db), db_latest_version());
}

static void test_newer_database_refused(void **state)
{
	struct testdb *f = *state;
	char err[512], sql[64];
	int from;

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", db_latest_version() + 1);
	assert_int_equal(sqlite3_exec(db_sqlite(f->db), sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(db_migrate(f->db, &from, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer"));
	assert_int_equal(db_prepare(f->db, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "migrate"));
	/* Nothing was changed by the refused migration. */
	assert_int_equal(db_version(f->db), db_latest_version() + 1);
}

static void test_open_failures(void **state)
{
	struct testdb *f = *state;
	struct config c = f->cfg;
	char err[512];
	struct db *db;
	FILE *junk;

	/* Missing file without create. */
	snprintf(c.database, sizeof(c.database), "%s/missing.db", f->dir);
	assert_null(db_open(&c, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "missing.db"));
	/* A directory where the database should be. */
	snprintf(c.database, sizeof(c.database), "%s/dir.db", f->dir);
	assert_int_equal(mkdir(c.database, 0700), 0);
	assert_null(db_open(&c, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "dir.db"));
	/* A file that is not a database. */
	snprintf(c.database, sizeof(c.database), "%s/junk.db", f->dir);
	junk = fopen(c.database, "w");
	fputs("this is not an SQLite database, just some text that is long enough\n", junk);
	fclose(junk);
	db = db_open(&c, 0, err, sizeof(err));
	assert_null(db);
	assert_non_null(strstr(err, "junk.db"));
	/* An empty database is usable only after init. */
	snprintf(c.database, sizeof(c.database), "%s/empty.db", f->dir);
	db = db_open(&c, 1, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_prepare(db, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "init"));
	db_close(db);
}

/* A row-per-column description of the schema: names, types, defaults. */
static char *schema_shape(struct db *db)
{
	static const char sql[] =
		"SELECT group_concat(m.type || ' ' || m.name || ' ' || coalesce(("
		"  SELECT group_concat(c.name || ':' || c.type || ':' || c.\"notnull\" || ':'"
		"   || coalesce(c.dflt_value, '') || ':' || c.pk, ',')"
		"  FROM pragma_table_info(m.name) c), ''), char(10))"
		" FROM (SELECT * FROM sqlite_master ORDER BY type, name) m";
	sqlite3_stmt *st;
	char *out;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* A database made by release 1, upgraded, looks like a new one. */
static void test_upgrade_from_v1_matches_fresh(void **state)
{
	struct testdb *f = *state;
	struct config c = f->cfg;
	char err[512], *v1sql, *fresh, *upgraded;
	struct event e;
	struct db *db;
	FILE *in;
	long n;
	int from;

	in = fopen(TURNOUT_SRCDIR "/tests/unit/fixtures/schema-v1.sql", "r");
	assert_non_null(in);
	fseek(in, 0, SEEK_END);
	n = ftell(in);
	rewind(in);
	v1sql = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(v1sql, 1, (size_t)n, in), (size_t)n);
	fclose(in);
	snprintf(c.database, sizeof(c.database), "%s/v1.db", f->dir);
	assert_non_null(db = db_open(&c, 1, err, sizeof(err)));
	assert_int_equal(sqlite3_exec(db_sqlite(db), v1sql, NULL, NULL, NULL), SQLITE_OK);
	free(v1sql);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "INSERT INTO event (slug, title, starts_at,"
	    " status, capacity, created_at, updated_at) VALUES ('old', 'Old', 1, 'published',"
	    " 5, 1, 1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(db_migrate(db, &from, err, sizeof(err)), 0);
	assert_int_equal(from, 1);
	assert_int_equal(db_version(db), db_latest_version());
	fresh = schema_shape(f->db);
	upgraded = schema_shape(db);
	assert_string_equal(upgraded, fresh);
	/* The old event survived with empty counters. */
	assert_int_equal(db_prepare(db, err, sizeof(err)), 0);
	assert_int_equal(event_get(db, f->a, "old", &e), DB_OK);
	assert_int_equal(e.capacity, 5);
	assert_int_equal(e.confirmed + e.waitlisted, 0);
	assert_int_equal(e.spots_left, 5);
	db_close(db);
	free(fresh);
	free(upgraded);
}

static struct event make(const char *slug, int64_t starts, enum event_status s)
{
	struct event e = {
		.slug = slug, .title = slug, .description = "", .location = "here",
		.starts_at = starts, .status = s, .capacity = 10, .max_guests = 2,
	};
	return e;
}

static void test_events(void **state)
{
	struct testdb *f = *state;
	int64_t now = 1800000000;
	struct event e, *list;
	int n;

	clock_set(now);
	e = make("later", now + 7200, EVENT_PUBLISHED);
	assert_int_equal(event_create(f->db, &e), DB_OK);
	e = make("sooner", now + 3600, EVENT_PUBLISHED);
	e.capacity = -1;
	e.ends_at = now + 4000;
	assert_int_equal(event_create(f->db, &e), DB_OK);
	e = make("draft", now + 100, EVENT_DRAFT);
	assert_int_equal(event_create(f->db, &e), DB_OK);
	e = make("past", now - 7200, EVENT_PUBLISHED);
	assert_int_equal(event_create(f->db, &e), DB_OK);
	/* Started an hour ago, ends in an hour: still listed. */
	e = make("ongoing", now - 3600, EVENT_PUBLISHED);
	e.ends_at = now + 3600;
	assert_int_equal(event_create(f->db, &e), DB_OK);

	assert_int_equal(event_list_upcoming(f->db, f->a, now, &list, &n), DB_OK);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].slug, "ongoing");
	assert_string_equal(list[1].slug, "sooner");
	assert_int_equal(list[1].capacity, -1);
	assert_int_equal(list[1].spots_left, -1);
	assert_int_equal(list[1].ends_at, now + 4000);
	assert_string_equal(list[2].slug, "later");
	assert_int_equal(list[2].spots_left, 10);
	assert_int_equal(list[2].ends_at, 0);

	assert_int_equal(event_get(f->db, f->a, "draft", &e), DB_OK);
	assert_int_equal(e.status, EVENT_DRAFT);
	assert_int_equal(e.max_guests, 2);
	assert_int_equal(e.version, 1);
	assert_int_equal(event_get(f->db, f->a, "past", &e), DB_OK);
	assert_true(event_is_past(&e, now));
	assert_int_equal(event_get(f->db, f->a, "nope", &e), DB_NOTFOUND);
}

/* The schema refuses what the code must never write. */
static void test_event_constraints(void **state)
{
	struct testdb *f = *state;
	struct event e = make("dup", 1800000000, EVENT_PUBLISHED);

	assert_int_equal(event_create(f->db, &e), DB_OK);
	assert_int_equal(event_create(f->db, &e), DB_CONFLICT);
	e = make("Bad Slug", 1800000000, EVENT_PUBLISHED);
	assert_int_equal(event_create(f->db, &e), DB_CONFLICT);
	e = make("-leading", 1800000000, EVENT_PUBLISHED);
	assert_int_equal(event_create(f->db, &e), DB_CONFLICT);
	e = make("neg", 1800000000, EVENT_PUBLISHED);
	e.capacity = -5;	/* only -1 means unlimited; it is stored as NULL */
	assert_int_equal(event_create(f->db, &e), DB_CONFLICT);
	e = make("backwards", 1800000000, EVENT_PUBLISHED);
	e.ends_at = 1700000000;
	assert_int_equal(event_create(f->db, &e), DB_CONFLICT);
}

/*
 * Another process's flock on the database file (a writer that stalls
 * holding the gate): db_begin gives up with DB_BUSY after busy_timeout_ms
 * (also 0), db_try_begin at once, both without starting a transaction;
 * once the gate is free, writing works again.
 */
static void test_gate_timeout(void **state)
{
	struct testdb *f = *state;
	struct config c = f->cfg;
	int fd = open(f->cfg.database, O_RDONLY), timeout;
	struct db *db;
	char err[512];

	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	for (timeout = 0; timeout <= 50; timeout += 50) {
		c.busy_timeout_ms = timeout;
		assert_non_null(db = db_open(&c, 0, err, sizeof(err)));
		assert_int_equal(db_begin(db), DB_BUSY);
		assert_int_equal(db_try_begin(db), DB_BUSY);
		assert_true(sqlite3_get_autocommit(db_sqlite(db)));
		db_close(db);
	}
	close(fd);
	assert_int_equal(db_try_begin(f->db), DB_OK);
	db_rollback(f->db);
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_commit(f->db), DB_OK);
}

static void test_slug_valid(void **state)
{
	char s[70];

	(void)state;
	assert_true(event_slug_valid("fun-run-5k"));
	assert_false(event_slug_valid(""));
	assert_false(event_slug_valid("-x"));
	assert_false(event_slug_valid("A"));
	assert_false(event_slug_valid("a/b"));
	assert_false(event_slug_valid(".."));
	memset(s, 'a', 64);
	s[64] = '\0';
	assert_true(event_slug_valid(s));
	s[64] = 'a';
	s[65] = '\0';
	assert_false(event_slug_valid(s));
}

/*
 * Opcodes of the EXPLAIN of sql on conn that fill a temporary index with
 * constants and then test a value's membership of it: an IN list of three
 * or more values in a CHECK or in a trigger, built again for every row.
 * Prints each; returns how many. (An IN list that drives an index's
 * seeks instead iterates the temporary index: not counted.)
 */
static int in_list_tests(sqlite3 *conn, const char *sql)
{
	static const char *const constants[] = { "String8", "Integer", "Int64", "Real", NULL };
	char *explain = sqlite3_mprintf("EXPLAIN %s", sql), ops[4096][16];
	int p1[4096], n = 0, found = 0, i, k, c;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(conn, explain, -1, &st, NULL), SQLITE_OK);
	sqlite3_free(explain);
	while (sqlite3_step(st) == SQLITE_ROW && n < 4096) {
		snprintf(ops[n], sizeof(ops[n]), "%s", (const char *)sqlite3_column_text(st, 1));
		p1[n++] = sqlite3_column_int(st, 2);
	}
	assert_true(n < 4096);
	sqlite3_finalize(st);
	for (i = 0; i + 1 < n; i++) {
		if (strcmp(ops[i], "OpenEphemeral") != 0)
			continue;
		for (c = 0, k = 0; constants[k] != NULL; k++)
			c |= strcmp(ops[i + 1], constants[k]) == 0;
		for (k = i + 2; c && k < n && k < i + 80; k++)
			if (p1[k] == p1[i] && (strcmp(ops[k], "Found") == 0 ||
			    strcmp(ops[k], "NotFound") == 0)) {
				print_message("# %.100s: an IN list at opcode %d\n", sql, i);
				found++;
				break;
			}
	}
	return found;
}

/*
 * Writing any row tests no value against an IN list (migrations/
 * 025-check-lists.sql: a temporary index per row checked, seven in each
 * sign-up's commit): the INSERT, UPDATE and DELETE of every table, with
 * every CHECK and the triggers they fire.
 */
static void test_no_in_lists_per_row(void **state)
{
	struct testdb *f = *state;
	sqlite3 *conn = db_sqlite(f->db);
	sqlite3_stmt *st;
	int found = 0, tables = 0;
	char *sql;

	assert_int_equal(sqlite3_prepare_v2(conn, "SELECT m.name, group_concat('\"' || c.name"
	    " || '\" = \"' || c.name || '\"', ', ') FROM sqlite_master m"
	    " JOIN pragma_table_info(m.name) c WHERE m.type = 'table'"
	    " AND m.name NOT LIKE 'sqlite_%' AND m.sql NOT LIKE 'CREATE VIRTUAL%'"
	    " GROUP BY m.name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		tables++;
		sql = sqlite3_mprintf("INSERT INTO \"%w\" DEFAULT VALUES", t);
		found += in_list_tests(conn, sql);
		sqlite3_free(sql);
		sql = sqlite3_mprintf("UPDATE \"%w\" SET %s", t, sqlite3_column_text(st, 1));
		found += in_list_tests(conn, sql);
		sqlite3_free(sql);
		sql = sqlite3_mprintf("DELETE FROM \"%w\"", t);
		found += in_list_tests(conn, sql);
		sqlite3_free(sql);
	}
	sqlite3_finalize(st);
	assert_true(tables > 20);
	assert_int_equal(found, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_normal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_v1_matches_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_in_lists_per_row, setup, teardown),
		cmocka_unit_test(test_slug_valid),
	};

	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
