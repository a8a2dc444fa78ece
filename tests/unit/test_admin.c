/* Admin accounts, passwords, sessions and CSRF tokens, on a real database file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "admin_user.h"
#include "clock.h"
#include "csv.h"
#include "event.h"
#include "hygiene.h"
#include "ics.h"
#include "rsvp.h"
#include "score.h"
#include "session.h"
#include "stats.h"
#include "testdb.h"
#include "tz.h"

#define NOW 1800000000
#define PW "correct horse battery"
#define ADDR "192.0.2.1"		/* the client logging in */
/* Cheap hashes keep the suite fast under Valgrind; production uses 64 MiB. */
#define MEM (1024 * 1024)

/* An account made as turnout-admin makes it (no form token). */
static enum db_rc add(struct testdb *t, const char *name, const char *password,
    enum admin_role role)
{
	int replayed;

	return admin_user_add(t->db, name, password, role, NULL, &replayed);
}

static int setup(void **state)
{
	struct testdb *t = test_calloc(1, sizeof(*t));
	unsigned char secret[TOKEN_SECRET_LEN];

	clock_set(NOW);
	testdb_open(t);
	assert_int_equal(db_secret(t->db, secret, sizeof(secret)), 0);
	assert_int_equal(token_init(secret), 0);
	assert_int_equal(admin_user_init(MEM), 0);
	assert_int_equal(add(t, "alice", PW, ADMIN_ROLE_ADMIN), DB_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	testdb_close(*state);
	test_free(*state);
	return 0;
}

static void test_names_and_passwords(void **state)
{
	struct testdb *t = *state;

	assert_true(admin_user_name_valid("bob.smith_2-x"));
	assert_false(admin_user_name_valid(""));
	assert_false(admin_user_name_valid("Bob"));
	assert_false(admin_user_name_valid("a b"));
	assert_false(admin_user_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_non_null(admin_user_password_problem("short"));
	assert_null(admin_user_password_problem("long enough"));
	assert_int_equal(add(t, "bob", "short", ADMIN_ROLE_ADMIN), DB_INVALID);
	assert_int_equal(add(t, "Bob", PW, ADMIN_ROLE_ADMIN), DB_INVALID);
	assert_int_equal(add(t, "alice", PW, ADMIN_ROLE_ADMIN), DB_CONFLICT);
	/* The password itself is never stored, only an argon2id hash. */
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM admin_user WHERE"
	    " hash LIKE '$argon2id$%' AND instr(hash, 'horse') = 0"), 1);
}

/*
 * Roles: an account's role reaches its session; a scorekeeper keeps the
 * scores of the competitions assigned to it only; existing accounts are
 * admins.
 */
static void test_roles(void **state)
{
	static const char *const none[1] = { NULL };
	struct competition c = { .kind = SCORE_POINTS, .rule = SCORE_BEST, .rounds = 1 };
	struct event e = { .slug = "cup", .title = "Cup", .description = "", .location = "",
		.starts_at = NOW + 3600, .status = EVENT_PUBLISHED, .capacity = -1 };
	char token[SESSION_TOKEN_HEX + 1];
	struct testdb *t = *state;
	struct admin_user *list;
	struct session s;
	int64_t id;
	int n;

	assert_int_equal(add(t, "kim", PW, ADMIN_ROLE_SCOREKEEPER), DB_OK);
	id = testdb_int(t->db, "SELECT id FROM admin_user WHERE name = 'kim'");
	assert_int_equal(session_create(t->db, id, NULL, NOW, token), DB_OK);
	assert_int_equal(session_get(t->db, t->a, token, NOW, &s), DB_OK);
	assert_int_equal(s.role, ADMIN_ROLE_SCOREKEEPER);
	assert_int_equal(admin_user_list(t->db, t->a, &list, &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].role, ADMIN_ROLE_ADMIN);	/* alice */
	assert_int_equal(list[1].role, ADMIN_ROLE_SCOREKEEPER);
	/* Only a competition can be assigned; twice is once; unassigning ends it. */
	assert_int_equal(event_create(t->db, &e), DB_OK);
	assert_int_equal(admin_user_assign(t->db, "kim", "cup", 1), DB_NOTFOUND);
	assert_int_equal(score_setup(t->db, t->a, "cup", &c, none, 0), DB_OK);
	assert_int_equal(admin_user_keeps_scores(t->db, id, "cup"), 0);
	assert_int_equal(admin_user_assign(t->db, "kim", "cup", 1), DB_OK);
	assert_int_equal(admin_user_assign(t->db, "kim", "cup", 1), DB_NOTFOUND);
	assert_int_equal(admin_user_keeps_scores(t->db, id, "cup"), 1);
	assert_int_equal(admin_user_keeps_scores(t->db, id, "other"), 0);
	assert_int_equal(admin_user_assign(t->db, "nobody", "cup", 1), DB_NOTFOUND);
	assert_int_equal(admin_user_assign(t->db, "kim", "cup", 0), DB_OK);
	assert_int_equal(admin_user_keeps_scores(t->db, id, "cup"), 0);
	assert_int_equal(admin_user_set_role(t->db, "kim", ADMIN_ROLE_ORGANISER), DB_OK);
	assert_int_equal(session_get(t->db, t->a, token, NOW, &s), DB_OK);
	assert_int_equal(s.role, ADMIN_ROLE_ORGANISER);
	assert_int_equal(admin_user_set_role(t->db, "nobody", ADMIN_ROLE_ADMIN), DB_NOTFOUND);
	/* The schema refuses an unknown role. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(t->db), "UPDATE admin_user SET role = 'root'",
	    NULL, NULL, NULL), SQLITE_OK);
}

static void test_login_verify(void **state)
{
	struct testdb *t = *state;
	int64_t id = 0;

	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW, &id), DB_OK);
	assert_true(id > 0);
	assert_int_equal(admin_user_login(t->db, "alice", "wrong password", ADDR, NOW, &id),
	    DB_INVALID);
	/* Unknown names fail the same way and leave no trace. */
	assert_int_equal(admin_user_login(t->db, "mallory", PW, ADDR, NOW, &id), DB_INVALID);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM admin_user"), 1);
	assert_int_equal(admin_user_passwd(t->db, "alice", "a new password"), DB_OK);
	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW, &id), DB_INVALID);
	assert_int_equal(admin_user_login(t->db, "alice", "a new password", ADDR, NOW, &id), DB_OK);
	assert_int_equal(admin_user_passwd(t->db, "nobody", "a new password"), DB_NOTFOUND);
}

/* A login with changed hash parameters stores a new hash that still verifies. */
static void test_rehash_on_login(void **state)
{
	struct testdb *t = *state;
	long long before, after;
	int64_t id;

	before = testdb_int(t->db, "SELECT instr(hash, 'm=1024,') FROM admin_user");
	assert_true(before > 0);
	assert_int_equal(admin_user_init(2 * MEM), 0);
	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW, &id), DB_OK);
	after = testdb_int(t->db, "SELECT instr(hash, 'm=2048,') FROM admin_user");
	assert_true(after > 0);
	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW, &id), DB_OK);
}

/* The back-off of alice at ADDR: until when it holds (0: none). */
static long long locked_until(struct testdb *t)
{
	return testdb_int(t->db, "SELECT coalesce(max(locked_until), 0) FROM login_fail"
	    " WHERE source = '" ADDR "'");
}

/* After ADMIN_FAILS_FREE wrong passwords even the right one waits. */
static void test_backoff(void **state)
{
	struct testdb *t = *state;
	int64_t id;
	int i;

	for (i = 0; i < ADMIN_FAILS_FREE; i++)
		assert_int_equal(admin_user_login(t->db, "alice", "wrong password", ADDR, NOW, &id),
		    DB_INVALID);
	assert_int_equal(locked_until(t), NOW + 30);
	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW + 29, &id), DB_INVALID);
	assert_int_equal(admin_user_login(t->db, "alice", "wrong password", ADDR, NOW + 30, &id),
	    DB_INVALID);
	/* Each further failure doubles the wait. */
	assert_int_equal(locked_until(t), NOW + 30 + 60);
	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW + 90, &id), DB_OK);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM login_fail"), 0);
}

/*
 * A stranger's wrong passwords slow the stranger's address, not the
 * organiser at another one; one IPv6 /64 counts as one address.
 */
static void test_backoff_per_address(void **state)
{
	static const char *const stranger[] = {
		"2001:db8:1:2::1", "2001:db8:1:2:ffff::7", "2001:db8:1:2:aaaa:bbbb:cccc:dddd",
		"2001:db8:1:2::99", "2001:db8:1:2::1:1",
	};
	struct testdb *t = *state;
	char source[ADMIN_SOURCE_LEN];
	int64_t id;
	size_t i;

	for (i = 0; i < sizeof(stranger) / sizeof(stranger[0]); i++)
		assert_int_equal(admin_user_login(t->db, "alice", "wrong password", stranger[i],
		    NOW, &id), DB_INVALID);
	/* The stranger's whole /64 waits, even with the right password ... */
	assert_int_equal(admin_user_login(t->db, "alice", PW, "2001:db8:1:2::5", NOW + 1, &id),
	    DB_INVALID);
	/* ... while the organiser, elsewhere, gets in at once. */
	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW + 1, &id), DB_OK);
	assert_int_equal(admin_user_login(t->db, "alice", PW, "2001:db8:1:3::5", NOW + 1, &id),
	    DB_OK);
	assert_int_equal(testdb_int(t->db, "SELECT failed FROM login_fail"
	    " WHERE source = '2001:db8:1:2::/64'"), ADMIN_FAILS_FREE);
	/* Sources: IPv4 as it is, IPv6 by /64 (a mapped IPv4 is IPv4), else one "". */
	admin_user_source("192.0.2.77", source);
	assert_string_equal(source, "192.0.2.77");
	admin_user_source("::ffff:192.0.2.77", source);
	assert_string_equal(source, "192.0.2.77");
	admin_user_source("2001:0db8:0001:0002:0003:0004:0005:0006", source);
	assert_string_equal(source, "2001:db8:1:2::/64");
	admin_user_source("unix:", source);
	assert_string_equal(source, "");
	admin_user_source(NULL, source);
	assert_string_equal(source, "");
	/* A new password (turnout-admin user passwd) ends every back-off. */
	assert_int_equal(admin_user_passwd(t->db, "alice", PW), DB_OK);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM login_fail"), 0);
}

/* Failures quiet for a day are forgotten: the table does not grow for ever. */
static void test_login_failures_are_purged(void **state)
{
	struct testdb *t = *state;
	int64_t id;

	assert_int_equal(admin_user_login(t->db, "alice", "wrong password", "192.0.2.8", NOW,
	    &id), DB_INVALID);
	assert_int_equal(admin_user_login(t->db, "alice", "wrong password", "192.0.2.9",
	    NOW + ADMIN_FAIL_KEEP, &id), DB_INVALID);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM login_fail"), 2);
	assert_int_equal(admin_user_login(t->db, "alice", "wrong password", "192.0.2.9",
	    NOW + ADMIN_FAIL_KEEP + 1, &id), DB_INVALID);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM login_fail"
	    " WHERE source = '192.0.2.9' AND failed = 2"), 1);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM login_fail"), 1);
}

/*
 * The clock set back two hours (a VM restored, NTP stepping) after the
 * back-off began: it still ends after its 30 s, not two hours later, and
 * forms made just before the jump are still taken.
 */
static void test_clock_set_back(void **state)
{
	struct testdb *t = *state;
	char tok[SESSION_TOKEN_HEX + 1], csrf[TOKEN_FORM_HEX + 1];
	struct session s;
	int64_t id;
	int i;

	for (i = 0; i < ADMIN_FAILS_FREE; i++)
		assert_int_equal(admin_user_login(t->db, "alice", "wrong password", ADDR,
		    clock_now(), &id), DB_INVALID);
	clock_set(NOW - 2 * 3600);
	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, clock_now(), &id), DB_OK);
	/* A form of before the jump, whose time is now minutes ahead. */
	clock_set(NOW);
	assert_int_equal(session_create(t->db, id, NULL, clock_now(), tok), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok, clock_now(), &s), DB_OK);
	session_csrf(t->a, &s, clock_now(), csrf);
	clock_set(NOW - 4 * 60);
	assert_int_equal(session_csrf_check(t->a, &s, csrf, clock_now()), TOKEN_OK);
	clock_set(NOW - TOKEN_FORM_SKEW - 1);
	assert_int_equal(session_csrf_check(t->a, &s, csrf, clock_now()), TOKEN_EXPIRED);
	clock_set(NOW);
}

static void test_session_lifecycle(void **state)
{
	struct testdb *t = *state;
	char tok[SESSION_TOKEN_HEX + 1], tok2[SESSION_TOKEN_HEX + 1];
	struct session s;
	int64_t id;
	char c;

	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW, &id), DB_OK);
	assert_int_equal(session_create(t->db, id, NULL, NOW, tok), DB_OK);
	assert_true(session_token_valid(tok));
	assert_int_equal(session_get(t->db, t->a, tok, NOW + 10, &s), DB_OK);
	assert_string_equal(s.user, "alice");
	/* Only the hash is stored. */
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM session"), 1);
	/* Malformed and unknown tokens are no session. */
	assert_int_equal(session_get(t->db, t->a, "abc", NOW, &s), DB_NOTFOUND);
	c = tok[0];
	tok[0] = c == 'a' ? 'b' : 'a';
	assert_int_equal(session_get(t->db, t->a, tok, NOW, &s), DB_NOTFOUND);
	tok[0] = c;
	/* Activity keeps it alive ... */
	assert_int_equal(session_get(t->db, t->a, tok, NOW + SESSION_IDLE - 1, &s), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok, NOW + 2 * SESSION_IDLE - 2, &s), DB_OK);
	/* ... until the absolute limit. */
	assert_int_equal(session_get(t->db, t->a, tok, NOW + SESSION_MAX_AGE, &s),
	    DB_NOTFOUND);
	/* Idle expiry. */
	assert_int_equal(session_create(t->db, id, NULL, NOW, tok2), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok2, NOW + SESSION_IDLE, &s), DB_NOTFOUND);
	/* A new login replaces the session it came with and sweeps expired ones. */
	assert_int_equal(session_create(t->db, id, NULL, NOW + SESSION_MAX_AGE, tok), DB_OK);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM session"), 1);
	assert_int_equal(session_create(t->db, id, tok, NOW + SESSION_MAX_AGE, tok2), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok, NOW + SESSION_MAX_AGE, &s), DB_NOTFOUND);
	assert_int_equal(session_get(t->db, t->a, tok2, NOW + SESSION_MAX_AGE, &s), DB_OK);
	/* Logout. */
	assert_int_equal(session_delete(t->db, tok2), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok2, NOW + SESSION_MAX_AGE, &s), DB_NOTFOUND);
	/* A password change or deletion ends every session of the admin. */
	assert_int_equal(session_create(t->db, id, NULL, NOW, tok), DB_OK);
	assert_int_equal(admin_user_passwd(t->db, "alice", "a new password"), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok, NOW, &s), DB_NOTFOUND);
	assert_int_equal(session_create(t->db, id, NULL, NOW, tok), DB_OK);
	assert_int_equal(add(t, "bob", PW, ADMIN_ROLE_ADMIN), DB_OK);	/* not the last admin */
	assert_int_equal(admin_user_del(t->db, "alice"), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok, NOW, &s), DB_NOTFOUND);
	assert_int_equal(admin_user_del(t->db, "alice"), DB_NOTFOUND);
}

/*
 * Accounts: the last enabled admin stays (removed, demoted or disabled:
 * refused, the schema too); a disabled account cannot log in and its
 * sessions end at once; a login's time is kept; a form token makes an
 * add idempotent; assignments are listed.
 */
static void test_accounts(void **state)
{
	struct testdb *t = *state;
	char tok[SESSION_TOKEN_HEX + 1], form[TOKEN_FORM_HEX + 1];
	struct admin_assignment *as;
	struct admin_user *list;
	struct session s;
	int64_t id, bob;
	int n, replayed;

	id = testdb_int(t->db, "SELECT id FROM admin_user WHERE name = 'alice'");
	assert_int_equal(admin_user_del(t->db, "alice"), DB_CONFLICT);
	assert_int_equal(admin_user_set_role(t->db, "alice", ADMIN_ROLE_ORGANISER), DB_CONFLICT);
	assert_int_equal(admin_user_disable(t->db, "alice", 1), DB_CONFLICT);
	assert_int_not_equal(sqlite3_exec(db_sqlite(t->db), "DELETE FROM admin_user",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_sqlite(t->db), "UPDATE admin_user SET role ="
	    " 'scorekeeper'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(admin_user_set_role(t->db, "alice", ADMIN_ROLE_ADMIN), DB_OK);
	/* An add with a form token, sent twice: one account. */
	token_form_new(form, NOW, "account");
	assert_int_equal(admin_user_add(t->db, "bob", PW, ADMIN_ROLE_ADMIN, form, &replayed),
	    DB_OK);
	assert_int_equal(replayed, 0);
	assert_int_equal(admin_user_add(t->db, "bob", PW, ADMIN_ROLE_ADMIN, form, &replayed),
	    DB_OK);
	assert_int_equal(replayed, 1);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM admin_user"), 2);
	bob = testdb_int(t->db, "SELECT id FROM admin_user WHERE name = 'bob'");
	/* A login keeps its time; two admins: either may go. */
	assert_int_equal(admin_user_login(t->db, "bob", PW, "192.0.2.1", NOW + 5, &bob), DB_OK);
	assert_int_equal(session_create(t->db, bob, NULL, NOW, tok), DB_OK);
	assert_int_equal(admin_user_list(t->db, t->a, &list, &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].last_login_at, 0);	/* alice: never */
	assert_int_equal(list[1].last_login_at, NOW + 5);
	assert_int_equal(list[1].sessions, 1);
	/* Disabled: its session ends at once, no login, then the last admin stays. */
	assert_int_equal(admin_user_disable(t->db, "bob", 1), DB_OK);
	assert_int_equal(admin_user_disable(t->db, "bob", 1), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok, NOW, &s), DB_NOTFOUND);
	assert_int_equal(admin_user_login(t->db, "bob", PW, "192.0.2.1", NOW + 9, &bob),
	    DB_INVALID);
	assert_int_equal(admin_user_list(t->db, t->a, &list, &n), DB_OK);
	assert_int_equal(list[1].disabled_at, NOW);
	assert_int_equal(list[1].sessions, 0);
	assert_int_equal(admin_user_set_role(t->db, "alice", ADMIN_ROLE_ORGANISER), DB_CONFLICT);
	assert_int_equal(admin_user_disable(t->db, "bob", 0), DB_OK);
	assert_int_equal(admin_user_login(t->db, "bob", PW, "192.0.2.1", NOW + 9, &bob), DB_OK);
	assert_int_equal(admin_user_set_role(t->db, "alice", ADMIN_ROLE_ORGANISER), DB_OK);
	assert_int_equal(admin_user_del(t->db, "bob"), DB_CONFLICT);	/* now the last */
	assert_int_equal(admin_user_disable(t->db, "nobody", 1), DB_NOTFOUND);
	(void)id;
	/* No assignments yet. */
	assert_int_equal(admin_user_assignments(t->db, t->a, &as, &n), DB_OK);
	assert_int_equal(n, 0);
}

static void test_csrf(void **state)
{
	struct testdb *t = *state;
	char tok[SESSION_TOKEN_HEX + 1], other[SESSION_TOKEN_HEX + 1];
	char csrf[TOKEN_FORM_HEX + 1];
	struct session s, s2;
	int64_t id;

	assert_int_equal(admin_user_login(t->db, "alice", PW, ADDR, NOW, &id), DB_OK);
	assert_int_equal(session_create(t->db, id, NULL, NOW, tok), DB_OK);
	assert_int_equal(session_create(t->db, id, NULL, NOW, other), DB_OK);
	assert_int_equal(session_get(t->db, t->a, tok, NOW, &s), DB_OK);
	assert_int_equal(session_get(t->db, t->a, other, NOW, &s2), DB_OK);
	session_csrf(t->a, &s, NOW, csrf);
	assert_int_equal(session_csrf_check(t->a, &s, csrf, NOW + 60), TOKEN_OK);
	/* Another session's token, a missing one, a forged one. */
	assert_int_equal(session_csrf_check(t->a, &s2, csrf, NOW), TOKEN_MALFORMED);
	assert_int_equal(session_csrf_check(t->a, &s, NULL, NOW), TOKEN_MALFORMED);
	assert_int_equal(session_csrf_check(t->a, &s, "", NOW), TOKEN_MALFORMED);
	csrf[TOKEN_FORM_HEX - 1] = csrf[TOKEN_FORM_HEX - 1] == '0' ? '1' : '0';
	assert_int_equal(session_csrf_check(t->a, &s, csrf, NOW), TOKEN_MALFORMED);
	/* An old one. */
	session_csrf(t->a, &s, NOW, csrf);
	assert_int_equal(session_csrf_check(t->a, &s, csrf, NOW + TOKEN_FORM_TTL + 1),
	    TOKEN_EXPIRED);
}

/* Local wall-clock time s in the current zone, as unix seconds (or -1). */
static long long local(const char *s)
{
	int64_t t;

	return tz_parse_local(s, &t) == 0 ? (long long)t : -1;
}

static void test_time_zones(void **state)
{
	char buf[TZ_LOCAL_LEN + 1];

	(void)state;
	tz_set("UTC");
	assert_int_equal(local("2026-12-05T10:00"), 1796464800);
	tz_set("Europe/Berlin");
	assert_int_equal(local("2026-12-05T10:00"), 1796464800 - 3600);
	assert_int_equal(local("2026-07-05T10:00"), 1783245600 - 7200);
	/* The spring gap (02:00-03:00 on 29 March 2026) moves forward. */
	assert_int_equal(local("2026-03-29T02:30"), local("2026-03-29T03:30"));
	assert_int_equal(local("2026-03-29T03:30") - local("2026-03-29T01:30"), 3600);
	/* The autumn overlap (02:00-03:00 twice on 25 October 2026): the earlier. */
	assert_int_equal(local("2026-10-25T02:30") - local("2026-10-25T01:30"), 3600);
	assert_int_equal(local("2026-10-25T03:00") - local("2026-10-25T02:30"), 5400);
	/* Round trip, also across the changes. */
	tz_format_local(local("2026-10-25T02:30"), buf);
	assert_string_equal(buf, "2026-10-25T02:30");
	tz_format_local(local("2026-03-29T02:30"), buf);
	assert_string_equal(buf, "2026-03-29T03:30");
	/* Malformed and impossible dates. */
	assert_int_equal(local("2026-02-30T10:00"), -1);
	assert_int_equal(local("2026-12-05 10:00"), -1);
	assert_int_equal(local("2026-12-05T24:00"), -1);
	assert_int_equal(local("2026-12-05T10:00:00"), -1);
	assert_int_equal(local("+026-12-05T10:00"), -1);
	assert_int_equal(local(""), -1);
	tz_set("America/New_York");
	assert_int_equal(local("2026-12-05T10:00"), 1796464800 + 5 * 3600);
	tz_set("UTC");
}

/* Times for visitors name the zone; the year shows only when it is not now's. */
static void test_time_named(void **state)
{
	struct arena *a = arena_new();

	(void)state;
	tz_set("Europe/Berlin");
	assert_string_equal(tz_human_zone(a, 1796464800 - 3600, 1796464800 - 30 * 86400),
	    "Sat 5 Dec, 10:00 (Europe/Berlin)");
	assert_string_equal(tz_human_zone(a, 1796464800 - 3600, 1796464800 - 365 * 86400),
	    "Sat 5 Dec 2026, 10:00 (Europe/Berlin)");
	assert_string_equal(tz_zone_name(), "Europe/Berlin");
	tz_set("UTC");
	assert_string_equal(tz_human_zone(a, 1796464800, 1796464800), "Sat 5 Dec, 10:00 (UTC)");
	arena_free(a);
}

static void test_slugs(void **state)
{
	(void)state;
	assert_true(event_slug_valid("summer-bbq-2026"));
	assert_false(event_slug_valid(""));
	assert_false(event_slug_valid("-x"));
	assert_false(event_slug_valid("Summer"));
	assert_false(event_slug_valid("a/b"));
	assert_false(event_slug_valid("a b"));
	assert_false(event_slug_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

/* RSVP name (guests 0) to "ev" through the real path. */
/* name@example.org signs up to the event slug. */
static void sign_up_to(struct testdb *t, const char *slug, const char *name)
{
	char form[TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1], email[64];
	struct rsvp_input in = { .name = name, .email = email, .note = "", .guests = 0 };
	struct rsvp_outcome out;

	snprintf(email, sizeof(email), "%s@example.org", name);
	token_form_new(form, NOW, "t");
	token_manage_of(form, manage);
	assert_int_equal(rsvp_create(t->db, t->a, slug, &in, form, manage, &out), DB_OK);
}

static void sign_up(struct testdb *t, const char *name)
{
	sign_up_to(t, "ev", name);
}

static void test_event_save(void **state)
{
	struct testdb *t = *state;
	char form[TOKEN_FORM_HEX + 1];
	struct event e = {
		.slug = "ev", .title = "Ev", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 1,
	}, cur, edit;

	token_form_new(form, NOW, "admin-event-new");
	assert_int_equal(event_save(t->db, t->a, NULL, &e, form, "alice", &cur), DB_OK);
	/* A repeated create changes nothing; another with the slug is refused. */
	assert_int_equal(event_save(t->db, t->a, NULL, &e, form, "alice", &cur), DB_OK);
	token_form_new(form, NOW, "admin-event-new");
	assert_int_equal(event_save(t->db, t->a, NULL, &e, form, "alice", &cur), DB_INVALID);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM event"), 1);
	sign_up(t, "ann");
	sign_up(t, "ben");
	sign_up(t, "cat");
	assert_int_equal(event_get(t->db, t->a, "ev", &cur), DB_OK);
	assert_int_equal(cur.edit_version, 1);
	assert_int_equal(cur.waitlisted, 2);
	/* Raising the capacity promotes in the same save. */
	edit = e;
	edit.edit_version = 1;
	edit.capacity = 2;
	assert_int_equal(event_save(t->db, t->a, "ev", &edit, NULL, "alice", &cur), DB_OK);
	assert_int_equal(event_get(t->db, t->a, "ev", &cur), DB_OK);
	assert_int_equal(cur.confirmed, 2);
	assert_int_equal(cur.waitlisted, 1);
	assert_int_equal(cur.edit_version, 2);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_log WHERE"
	    " action = 'promote' AND actor = 'alice'"), 1);
	/* The same save again (a double click) finds its own edit: fine. */
	assert_int_equal(event_save(t->db, t->a, "ev", &edit, NULL, "alice", &cur), DB_OK);
	/* A different edit against the old version is a conflict. */
	edit.title = "Someone else's title";
	assert_int_equal(event_save(t->db, t->a, "ev", &edit, NULL, "alice", &cur), DB_CONFLICT);
	assert_string_equal(cur.title, "Ev");
	assert_int_equal(cur.edit_version, 2);
	/* Lowering below the confirmed count is allowed; nobody is bumped. */
	edit.edit_version = 2;
	edit.capacity = 1;
	edit.slug = "ev2";
	assert_int_equal(event_save(t->db, t->a, "ev", &edit, NULL, "alice", &cur), DB_OK);
	assert_int_equal(event_get(t->db, t->a, "ev2", &cur), DB_OK);
	assert_int_equal(cur.confirmed, 2);
	assert_int_equal(cur.spots_left, 0);
	assert_int_equal(event_get(t->db, t->a, "ev", &cur), DB_NOTFOUND);
}

/* The id of the RSVP named name at "ev". */
static int64_t rsvp_id(struct testdb *t, const char *name)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT id FROM rsvp WHERE name = '%s'", name);
	return testdb_int(t->db, sql);
}

/* The first page (of up to 100) of event ev's participants list. */
static enum db_rc first_page(struct testdb *t, int64_t ev, const char *search,
    struct rsvp **list, int *n)
{
	struct rsvp_cursor c = { RSVP_CONFIRMED, 0, 0 };
	int more;

	return rsvp_admin_page(t->db, t->a, ev, search, &c, 100, list, n, &more);
}

static void test_admin_actions_are_logged(void **state)
{
	struct testdb *t = *state;
	struct rsvp_outcome out;
	struct rsvp *list;
	struct event e = {
		.slug = "ev", .title = "Ev", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 2,
		.max_guests = 3,
	};
	int64_t ev;
	int n;

	assert_int_equal(event_create(t->db, &e), DB_OK);
	ev = testdb_int(t->db, "SELECT id FROM event");
	sign_up(t, "ann");
	sign_up(t, "ben");
	sign_up(t, "cat");
	sign_up(t, "dan");
	/* Check in, twice (a double submit keeps the first time), and undo. */
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ann"), RSVP_CHECK_IN, "alice",
	    &out), DB_OK);
	clock_set(NOW + 5);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ann"), RSVP_CHECK_IN, "alice",
	    &out), DB_OK);
	assert_int_equal(testdb_int(t->db, "SELECT checked_in_at FROM rsvp WHERE name = 'ann'"),
	    NOW);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ben"), RSVP_CHECK_IN, "alice",
	    &out), DB_OK);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ben"), RSVP_UNDO_CHECK_IN,
	    "alice", &out), DB_OK);
	/* Waitlisted parties cannot check in; unknown ids or other events' are not found. */
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "cat"), RSVP_CHECK_IN, "alice",
	    &out), DB_CLOSED);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, 999, RSVP_CHECK_IN, "alice", &out),
	    DB_NOTFOUND);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev + 1, rsvp_id(t, "ann"), RSVP_CHECK_IN,
	    "alice", &out), DB_NOTFOUND);
	/* Manual promotion only if it fits. */
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "dan"), RSVP_PROMOTE, "alice",
	    &out), DB_FULL);
	/* Cancel promotes the next in line, logged with the admin's name. */
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ben"), RSVP_ADMIN_CANCEL,
	    "alice", &out), DB_OK);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp WHERE status ="
	    " 'confirmed' AND name IN ('ann', 'cat')"), 2);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ben"), RSVP_ADMIN_CANCEL,
	    "alice", &out), DB_OK);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ben"), RSVP_PROMOTE, "alice",
	    &out), DB_CLOSED);
	/* A raised capacity promotes dan; turnout-admin names no one in the log. */
	assert_int_equal(event_set_capacity(t->db, t->a, "ev", 3), DB_OK);
	assert_int_equal(testdb_int(t->db, "SELECT status = 'confirmed' FROM rsvp"
	    " WHERE name = 'dan'"), 1);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_log WHERE actor IS NULL"
	    " AND action IN ('rsvp', 'waitlist', 'promote')"), 5);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_log WHERE actor = 'alice'"),
	    5);	/* checkin ann, checkin + uncheckin ben, cancel ben, promote cat */
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_log WHERE actor = 'alice'"
	    " AND action = 'promote'"), 1);
	/* The participants list: confirmed, then the queue; search is literal. */
	assert_int_equal(first_page(t, ev, NULL, &list, &n), DB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(first_page(t, ev, "CAT@", &list, &n), DB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].name, "cat");
	assert_int_equal(first_page(t, ev, "%", &list, &n), DB_OK);
	assert_int_equal(n, 0);
}

/* Every name of a search, page after page of 2 (the names must fit 16 bytes). */
static int search_names(struct testdb *t, int64_t ev, const char *search, char out[][16])
{
	struct rsvp_cursor c = { RSVP_CONFIRMED, 0, 0 };
	struct rsvp *list;
	int n, more, i, total = 0;

	do {
		assert_int_equal(rsvp_admin_page(t->db, t->a, ev, search, &c, 2, &list, &n, &more),
		    DB_OK);
		for (i = 0; i < n; i++)
			snprintf(out[total++], 16, "%s", list[i].name);
	} while (more);
	return total;
}

static void search_index_ok(struct testdb *t)
{
	assert_int_equal(sqlite3_exec(db_sqlite(t->db), "INSERT INTO rsvp_search (rsvp_search)"
	    " VALUES ('integrity-check')", NULL, NULL, NULL), SQLITE_OK);
}

/*
 * New RSVPs wait for the search index in a queue the worker empties; the
 * search finds them meanwhile, in order across both, and a queued row
 * changed or deleted leaves the index whole.
 */
static void test_search_queue(void **state)
{
	struct testdb *t = *state;
	struct event e = {
		.slug = "ev", .title = "Ev", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 10,
	};
	char names[8][16];
	int64_t ev;
	int n;

	assert_int_equal(event_create(t->db, &e), DB_OK);
	ev = testdb_int(t->db, "SELECT id FROM event");
	sign_up(t, "ann");
	sign_up(t, "ben");
	sign_up(t, "cat");
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_search_todo"), 3);
	assert_int_equal(hygiene_index(t->db, &n), DB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_search_todo"), 0);
	sign_up(t, "dan");
	sign_up(t, "eve");
	/* Pages of 2: the index's three, then the queue's two, in arrival order. */
	assert_int_equal(search_names(t, ev, "example", names), 5);
	assert_string_equal(names[2], "cat");
	assert_string_equal(names[3], "dan");
	assert_string_equal(names[4], "eve");
	assert_int_equal(search_names(t, ev, "eve@", names), 1);
	/* Renamed while queued: indexed under the new name only. */
	assert_int_equal(sqlite3_exec(db_sqlite(t->db), "UPDATE rsvp SET name = 'dora',"
	    " email = 'dora@example.org' WHERE name = 'dan'", NULL, NULL, NULL), SQLITE_OK);
	/* Renamed once indexed: the index follows. */
	assert_int_equal(sqlite3_exec(db_sqlite(t->db), "UPDATE rsvp SET name = 'anna',"
	    " email = 'anna@example.org' WHERE name = 'ann'", NULL, NULL, NULL), SQLITE_OK);
	/* Deleted while queued, and once indexed. */
	assert_int_equal(sqlite3_exec(db_sqlite(t->db), "DELETE FROM rsvp WHERE name IN"
	    " ('eve', 'ben')", NULL, NULL, NULL), SQLITE_OK);
	search_index_ok(t);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_search_todo"), 1);
	assert_int_equal(hygiene_index(t->db, &n), DB_OK);
	assert_int_equal(n, 1);
	search_index_ok(t);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_search"
	    " WHERE rsvp_search MATCH '\"dora@\"'"), 1);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_search"
	    " WHERE rsvp_search MATCH '\"dan@\"'"), 0);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_search"
	    " WHERE rsvp_search MATCH '\"ann\"'"), 1);
	assert_int_equal(search_names(t, ev, "example", names), 3);
	assert_string_equal(names[0], "anna");
	assert_string_equal(names[1], "cat");
	assert_string_equal(names[2], "dora");
}

/* Collects the export's rows: names and positions. */
struct export {
	char names[16][16];
	int positions[16], n;
};

static int collect(void *arg, const struct rsvp *r)
{
	struct export *x = arg;

	snprintf(x->names[x->n], sizeof(x->names[0]), "%s", r->name);
	x->positions[x->n++] = r->position;
	return 0;
}

/* Keyset pages: confirmed, then the queue with positions, page after page. */
static void test_participant_pages(void **state)
{
	static const char *const names[] = { "ann", "ben", "cat", "dan", "eve", "fay", "gus" };
	struct testdb *t = *state;
	struct rsvp_cursor c = { RSVP_CONFIRMED, 0, 0 };
	struct export x = { .n = 0 };
	struct event e = {
		.slug = "ev", .title = "Ev", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 2,
	};
	struct rsvp *list;
	int64_t ev;
	int n, more, i;
	size_t k;

	assert_int_equal(event_create(t->db, &e), DB_OK);
	ev = testdb_int(t->db, "SELECT id FROM event");
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		sign_up(t, names[k]);
	/* ann and ben confirmed; cat, dan, eve, fay, gus wait in that order. */
	assert_int_equal(rsvp_admin_page(t->db, t->a, ev, NULL, &c, 3, &list, &n, &more), DB_OK);
	assert_int_equal(n, 3);
	assert_true(more);
	assert_string_equal(list[0].name, "ann");
	assert_string_equal(list[2].name, "cat");
	assert_int_equal(list[2].position, 1);
	assert_int_equal(rsvp_admin_page(t->db, t->a, ev, NULL, &c, 3, &list, &n, &more), DB_OK);
	assert_int_equal(n, 3);
	assert_true(more);
	assert_string_equal(list[0].name, "dan");
	assert_int_equal(list[0].position, 2);
	assert_int_equal(list[2].position, 4);
	assert_int_equal(rsvp_admin_page(t->db, t->a, ev, NULL, &c, 3, &list, &n, &more), DB_OK);
	assert_int_equal(n, 1);
	assert_false(more);
	assert_string_equal(list[0].name, "gus");
	assert_int_equal(list[0].position, 5);
	/* A page from a link (position unknown: counted), ending exactly at the end. */
	c = (struct rsvp_cursor){ RSVP_WAITLISTED, rsvp_id(t, "dan"), -1 };
	assert_int_equal(rsvp_admin_page(t->db, t->a, ev, NULL, &c, 3, &list, &n, &more), DB_OK);
	assert_int_equal(n, 3);
	assert_false(more);
	assert_int_equal(list[0].position, 3);
	assert_int_equal(list[2].position, 5);
	/* A search (names with an n): ann, ben, then dan keeps his place in the queue. */
	c = (struct rsvp_cursor){ RSVP_CONFIRMED, 0, 0 };
	assert_int_equal(rsvp_admin_page(t->db, t->a, ev, "n", &c, 2, &list, &n, &more), DB_OK);
	assert_int_equal(n, 2);
	assert_true(more);
	assert_string_equal(list[1].name, "ben");
	assert_int_equal(rsvp_admin_page(t->db, t->a, ev, "n", &c, 2, &list, &n, &more), DB_OK);
	assert_int_equal(n, 1);
	assert_false(more);
	assert_string_equal(list[0].name, "dan");
	assert_int_equal(list[0].position, 2);
	/* Two hits apart in the queue: what lies between them is counted. */
	c = (struct rsvp_cursor){ RSVP_CONFIRMED, 0, 0 };
	assert_int_equal(rsvp_admin_page(t->db, t->a, ev, "u", &c, 5, &list, &n, &more), DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].position, 5);
	c = (struct rsvp_cursor){ RSVP_CONFIRMED, 0, 0 };
	assert_int_equal(rsvp_admin_page(t->db, t->a, ev, "t", &c, 5, &list, &n, &more), DB_OK);
	assert_int_equal(n, 1);	/* cat */
	assert_int_equal(list[0].position, 1);
	/* The export: everyone, in the page's order, with positions. */
	assert_int_equal(rsvp_admin_export(t->db, ev, collect, &x), DB_OK);
	assert_int_equal(x.n, 7);
	for (i = 0; i < x.n; i++) {
		assert_string_equal(x.names[i], names[i]);
		assert_int_equal(x.positions[i], i < 2 ? 0 : i - 1);
	}
}

static void test_csv(void **state)
{
	struct arena *a = arena_new();
	struct csv c;

	(void)state;
	csv_init(&c, a);
	csv_cell(&c, "plain");
	csv_cell(&c, "say \"hi\", then\r\nleave");
	csv_cell(&c, "=HYPERLINK(\"x\")");
	csv_cell(&c, "+1");
	csv_cell(&c, "-2");
	csv_cell(&c, "@SUM(A1)");
	csv_cell(&c, "");
	csv_cell_int(&c, 3);
	csv_end_row(&c);
	csv_cell(&c, "Zoë");
	csv_end_row(&c);
	assert_int_equal(c.out.len, strlen(c.out.buf));
	assert_string_equal(c.out.buf, "\xef\xbb\xbf\"plain\",\"say \"\"hi\"\", then\r\nleave\","
	    "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-2\",\"'@SUM(A1)\",\"\",\"3\"\r\n"
	    "\"Zoë\"\r\n");
	arena_free(a);
}

static void test_ics(void **state)
{
	struct arena *a = arena_new();
	struct event e = {
		.id = 7, .slug = "ev", .title = "Picnic; games, fun",
		.description = "Line one\nline two \\ done. ééééééééééééééééééééééééééééééééééééééé",
		.location = "", .starts_at = 1796464800, .ends_at = 1796472000,
		.status = EVENT_CANCELLED, .edit_version = 3,
	};
	const char *s, *p, *eol;

	(void)state;
	s = ics_event(a, &e, "http://example.org/events/ev", "example.org", 1796000000);
	assert_non_null(strstr(s, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
	assert_non_null(strstr(s, "\r\nUID:event-7@example.org\r\n"));
	assert_non_null(strstr(s, "\r\nDTSTART:20261205T100000Z\r\nDTEND:20261205T120000Z\r\n"));
	assert_non_null(strstr(s, "\r\nSUMMARY:Picnic\\; games\\, fun\r\n"));
	assert_non_null(strstr(s, "\r\nDESCRIPTION:Line one\\nline two \\\\ done. "));
	assert_non_null(strstr(s, "\r\nSTATUS:CANCELLED\r\n"));
	assert_non_null(strstr(s, "\r\nSEQUENCE:2\r\n"));
	assert_null(strstr(s, "LOCATION"));
	/* Every line at most 75 octets, folded lines start with a space. */
	for (p = s; *p != '\0'; p = eol + 2) {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 75);
		/* A fold never splits a UTF-8 character. */
		assert_true(((unsigned char)eol[-1] & 0xc0) != 0xc0);
	}
	assert_non_null(strstr(s, "\r\n "));
	assert_non_null(strstr(s, "END:VEVENT\r\nEND:VCALENDAR\r\n"));
	arena_free(a);
}

static void test_bulk(void **state)
{
	struct testdb *t = *state;
	char form[TOKEN_FORM_HEX + 1];
	struct rsvp_bulk_line lines[4] = {
		{ .in = { .name = "ann", .email = "ann@example.org", .note = "", .guests = 1 } },
		{ .in = { .name = "ben", .email = "ann@example.org", .note = "", .guests = 0 } },
		{ .in = { .name = "cat", .email = "cat@example.org", .note = "", .guests = 5 } },
		{ .in = { .name = "dan", .email = "dan@example.org", .note = "", .guests = 0 } },
	};
	struct rsvp_bulk_pick picks[3];
	struct event e = {
		.slug = "ev", .title = "Ev", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_DRAFT, .capacity = 2, .max_guests = 2,
	};
	int64_t ev;
	int replayed;

	assert_int_equal(event_create(t->db, &e), DB_OK);
	ev = testdb_int(t->db, "SELECT id FROM event");
	token_form_new(form, NOW, "t");
	/* In order, each on its own merits; an admin may add to a draft. */
	assert_int_equal(rsvp_bulk_add(t->db, t->a, "ev", lines, 4, "alice", form, &replayed), DB_OK);
	assert_false(replayed);
	assert_int_equal(lines[0].rc, DB_OK);
	assert_int_equal(lines[0].status, RSVP_CONFIRMED);
	assert_int_equal(lines[1].rc, DB_CONFLICT);
	assert_int_equal(lines[2].rc, DB_INVALID);
	assert_int_equal(lines[3].rc, DB_OK);
	assert_int_equal(lines[3].status, RSVP_WAITLISTED);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp_log WHERE actor = 'alice'"), 2);
	assert_int_equal(rsvp_bulk_add(t->db, t->a, "ev", lines, 4, "alice", form, &replayed), DB_OK);
	assert_true(replayed);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp"), 2);
	/* Picks in queue order; refusals reported, the rest applied. */
	picks[0].id = rsvp_id(t, "dan");
	picks[1].id = 999;
	picks[2].id = rsvp_id(t, "ann");
	assert_int_equal(rsvp_admin_bulk(t->db, t->a, ev, picks, 3, RSVP_PROMOTE, "alice"), DB_OK);
	assert_int_equal(picks[0].id, rsvp_id(t, "ann"));	/* sorted */
	assert_int_equal(picks[0].rc, DB_OK);			/* already confirmed */
	assert_int_equal(picks[1].rc, DB_FULL);			/* dan does not fit */
	assert_int_equal(picks[2].rc, DB_NOTFOUND);
	assert_int_equal(rsvp_admin_bulk(t->db, t->a, ev, picks, 3, RSVP_ADMIN_CANCEL, "alice"), DB_OK);
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp WHERE status = 'cancelled'"), 2);
}

static void test_stats(void **state)
{
	struct testdb *t = *state;
	struct rsvp_outcome out;
	struct event e = {
		.slug = "ev", .title = "Ev", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 1,
	};
	struct stats s;
	int64_t ev;

	assert_int_equal(event_create(t->db, &e), DB_OK);
	ev = testdb_int(t->db, "SELECT id FROM event");
	sign_up(t, "ann");
	sign_up(t, "ben");
	sign_up(t, "cat");
	clock_set(NOW + 3600);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ann"), RSVP_ADMIN_CANCEL,
	    "alice", &out), DB_OK);
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev, rsvp_id(t, "ben"), RSVP_CHECK_IN,
	    "alice", &out), DB_OK);
	assert_int_equal(stats_get(t->db, t->a, ev, &s), DB_OK);
	assert_int_equal(s.signups, 3);
	assert_int_equal(s.direct, 1);
	assert_int_equal(s.waitlisted, 2);
	assert_int_equal(s.promoted, 1);
	assert_int_equal(s.cancels, 1);
	assert_int_equal(s.confirmed_now, 1);
	assert_int_equal(s.checked_in, 1);
	assert_int_equal(s.median_wait, 3600);
	/*
	 * Buckets of 144 s (a day to the start, over 600): the three sign-ups
	 * in the first, the cancel and the promotion an hour later.
	 */
	assert_int_equal(s.npoints, 2);
	assert_int_equal(s.points[0].at, NOW - NOW % 144);
	assert_int_equal(s.points[1].at, (NOW + 3600) - (NOW + 3600) % 144);
	assert_int_equal(s.points[1].signups, 3);
	assert_int_equal(s.points[1].cancels, 1);
	/* The waitlist: ben and cat join (2), ann cancels and ben moves up (1). */
	assert_int_equal(s.points[0].waiting, 2);
	assert_int_equal(s.points[1].waiting, 1);
	/* Steps from the bottom left to the right edge at the top. */
	assert_string_equal(stats_polyline(t->a, &s, STATS_SIGNUPS, 100, 30, s.points[0].at,
	    s.points[1].at, 3), "0,30 0.0,30.0 0.0,0.0 100.0,0.0 100.0,0.0 100,0.0");
	assert_string_equal(stats_polyline(t->a, &s, STATS_WAITING, 100, 30, s.points[0].at,
	    s.points[1].at, 3), "0,30 0.0,30.0 0.0,10.0 100.0,10.0 100.0,20.0 100,20.0");
}

/*
 * Who comes back: ann signs up to a second event, ben to his first; ann
 * cancelling there and signing up again is still one person. The counts
 * agree with the RSVPs, per event and across events.
 */
static void test_returning(void **state)
{
	struct testdb *t = *state;
	struct event e = {
		.slug = "ev", .title = "Ev", .description = "", .location = "",
		.starts_at = NOW + 86400, .status = EVENT_PUBLISHED, .capacity = 10,
	}, e2 = e;
	struct rsvp_outcome out;
	int64_t ev, ev2, people, came_back;
	struct stats s;

	e2.slug = "ev2";
	assert_int_equal(event_create(t->db, &e), DB_OK);
	assert_int_equal(event_create(t->db, &e2), DB_OK);
	ev = testdb_int(t->db, "SELECT id FROM event WHERE slug = 'ev'");
	ev2 = testdb_int(t->db, "SELECT id FROM event WHERE slug = 'ev2'");
	sign_up_to(t, "ev", "ann");
	sign_up_to(t, "ev2", "ann");
	sign_up_to(t, "ev2", "ben");
	assert_int_equal(rsvp_admin_act(t->db, t->a, ev2, testdb_int(t->db, "SELECT id FROM rsvp"
	    " WHERE name = 'ann' AND event_id = (SELECT id FROM event WHERE slug = 'ev2')"),
	    RSVP_ADMIN_CANCEL, "alice", &out), DB_OK);
	sign_up_to(t, "ev2", "ann");
	assert_int_equal(testdb_int(t->db, "SELECT count(*) FROM rsvp WHERE event_id = "
	    "(SELECT id FROM event WHERE slug = 'ev2')"), 3);
	assert_int_equal(stats_totals(t->db, ev, &s), DB_OK);
	assert_int_equal(s.people, 1);
	assert_int_equal(s.returning, 0);
	assert_int_equal(stats_totals(t->db, ev2, &s), DB_OK);
	assert_int_equal(s.people, 2);
	assert_int_equal(s.returning, 1);
	assert_int_equal(stats_site(t->db, &people, &came_back), DB_OK);
	assert_int_equal(people, 2);
	assert_int_equal(came_back, 1);
}

/*
 * A season: 20 000 sign-ups over the month before the start are drawn to
 * the last (the page drew the first 5 000 log rows), from about 600
 * buckets, and a figure the log's triggers keep agrees with the curve.
 */
static void test_stats_season(void **state)
{
	struct testdb *t = *state;
	struct event e = {
		.slug = "ev", .title = "Ev", .description = "", .location = "",
		.starts_at = NOW + 30 * 86400, .status = EVENT_PUBLISHED, .capacity = 1,
	};
	struct stats s;
	int64_t ev;

	clock_set(NOW);
	assert_int_equal(event_create(t->db, &e), DB_OK);
	ev = testdb_int(t->db, "SELECT id FROM event");
	sign_up(t, "ann");
	/* The log of 20 000 more, one every 2 minutes, a cancel every 10th. */
	assert_int_equal(sqlite3_exec(db_sqlite(t->db), "WITH RECURSIVE n(i) AS (SELECT 1"
	    " UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO rsvp_log (rsvp_id,"
	    " event_id, action, old_status, new_status, spots, at) SELECT r.id, r.event_id,"
	    " iif(i % 10 = 0, 'cancel', 'waitlist'), iif(i % 10 = 0, 'confirmed', NULL),"
	    " 'waitlisted', 1, 1800000000 + i * 120 FROM n, rsvp r", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(stats_get(t->db, t->a, ev, &s), DB_OK);
	/* 28 days in buckets of 72 minutes (30 days over 600) */
	assert_int_equal(s.npoints, (NOW + 20000 * 120) / 4320 - NOW / 4320 + 1);
	assert_int_equal(s.points[s.npoints - 1].signups, 1 + 18000);
	assert_int_equal(s.points[s.npoints - 1].cancels, 2000);
	assert_int_equal(s.points[s.npoints - 1].waiting, 18000);
	assert_int_equal(s.points[s.npoints - 1].signups, s.signups);
	assert_true(s.points[s.npoints - 1].at >= NOW + 20000 * 120 - 30 * 86400 / 600);
}

/* A season's curve: one step per pixel column, ending where all the points end. */
static void test_stats_curve_per_pixel(void **state)
{
	struct testdb *t = *state;
	struct stats_point pts[1000];
	struct stats s = { .points = pts, .npoints = 1000 };
	const char *line, *p;
	int i, n = 0;

	for (i = 0; i < 1000; i++)
		pts[i] = (struct stats_point){ .at = NOW + i, .signups = i + 1, .cancels = 0 };
	line = stats_polyline(t->a, &s, 0, 100, 50, NOW, NOW + 999, 1000);
	for (p = line; *p != '\0'; p++)
		n += *p == ' ';
	assert_true(n <= 2 * (100 + 1) + 1);	/* columns 0 to 100, and the end */
	assert_non_null(strstr(line, " 100.0,0.0 100,0.0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names_and_passwords, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rehash_on_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_per_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_failures_are_purged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_set_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csrf, setup, teardown),
		cmocka_unit_test(test_time_zones),
		cmocka_unit_test(test_time_named),
		cmocka_unit_test(test_slugs),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_ics),
		cmocka_unit_test_setup_teardown(test_event_save, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_actions_are_logged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_participant_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_season, setup, teardown),
		cmocka_unit_test_setup_teardown(test_returning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_curve_per_pixel, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
