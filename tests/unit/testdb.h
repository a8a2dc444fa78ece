#ifndef TURNOUT_TESTDB_H
#define TURNOUT_TESTDB_H

#include "arena.h"
#include "config.h"
#include "db.h"
#include "token.h"
#include "event.h"

/* A fresh database file at the current schema in its own temporary dir. */
struct testdb {
	char dir[64];
	struct config cfg;
	struct db *db;
	struct arena *a;
};

/* Create and open it (cmocka assertions fail the test on any error). */
void testdb_open(struct testdb *t);
/* Close it, remove the directory and unpin the clock. */
void testdb_close(struct testdb *t);
/*
 * Pin the clock at now, open t, give the token module the database's
 * secret and create the event e (RSVP tests start like this).
 */
void testdb_open_event(struct testdb *t, int64_t now, const struct event *e);
/* The integer in the first column of the first row of sql. */
long long testdb_int(struct db *db, const char *sql);

/* Initialise the token module with the database's site secret. */
void testdb_token_init(struct testdb *t);

/* A fresh form token (purpose "t") and the manage token it yields. */
void testdb_tokens(char form[TOKEN_FORM_HEX + 1], char manage[TOKEN_MANAGE_HEX + 1]);

/*
 * cmocka teardown for a fixture allocated with test_calloc() whose first
 * member is its struct testdb: closes the database and frees the fixture.
 */
int testdb_teardown(void **state);

#endif
