#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "testdb.h"
#include "token.h"

void testdb_open(struct testdb *t)
{
	char err[512];
	int from;

	memset(t, 0, sizeof(*t));
	strcpy(t->dir, "/tmp/turnout-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	config_defaults(&t->cfg);
	snprintf(t->cfg.database, sizeof(t->cfg.database), "%s/t.db", t->dir);
	t->db = db_open(&t->cfg, 1, err, sizeof(err));
	assert_non_null(t->db);
	assert_int_equal(db_migrate(t->db, &from, err, sizeof(err)), 0);
	assert_int_equal(from, 0);
	assert_int_equal(db_prepare(t->db, err, sizeof(err)), 0);
	t->a = arena_new();
}

void testdb_close(struct testdb *t)
{
	char cmd[128];

	db_close(t->db);
	arena_free(t->a);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	clock_set(0);
}

void testdb_token_init(struct testdb *t)
{
	unsigned char secret[TOKEN_SECRET_LEN];

	assert_int_equal(db_secret(t->db, secret, sizeof(secret)), 0);
	assert_int_equal(token_init(secret), 0);
}

void testdb_tokens(char form[TOKEN_FORM_HEX + 1], char manage[TOKEN_MANAGE_HEX + 1])
{
	token_form_new(form, clock_now(), "t");
	token_manage_of(form, manage);
}

int testdb_teardown(void **state)
{
	struct testdb *t = *state;

	testdb_close(t);
	test_free(t);
	return 0;
}

void testdb_open_event(struct testdb *t, int64_t now, const struct event *e)
{
	clock_set(now);
	testdb_open(t);
	testdb_token_init(t);
	assert_int_equal(event_create(t->db, e), DB_OK);
}

long long testdb_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}
