#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "admin_user.h"
#include "clock.h"
#include "idem.h"
#include "log.h"

static size_t memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
static const unsigned long long opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
/*
 * A valid hash for no one, with the current parameters: unknown names are
 * checked against it so they cost what a real check costs. Made at init
 * (before turnout.fcgi forks), so no login pays for making it.
 */
static char dummy_hash[crypto_pwhash_STRBYTES];

int admin_user_init(size_t mem)
{
	if (sodium_init() < 0)
		return -1;
	memlimit = mem;
	return crypto_pwhash_str(dummy_hash, "no such admin", 13, opslimit, memlimit);
}

int admin_user_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= ADMIN_NAME_MAX &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

const char *admin_user_password_problem(const char *password)
{
	size_t n = strlen(password);

	if (n < ADMIN_PASSWORD_MIN)
		return "a password needs at least 10 characters";
	if (n > ADMIN_PASSWORD_MAX)
		return "a password can have at most 1024 characters";
	return NULL;
}

/* The argon2id hash of password with the current parameters; -1 if out of memory. */
static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES])
{
	if (crypto_pwhash_str(out, password, strlen(password), opslimit, memlimit) != 0) {
		log_error("hashing a password: out of memory");
		return -1;
	}
	return 0;
}

/* Step the prepared write st inside a transaction; DB_NOTFOUND if it changed no row. */
static enum db_rc step_changed(struct db *db, sqlite3_stmt *st, const char *what)
{
	enum db_rc rc = db_rc_of(db, sqlite3_step(st), what);

	sqlite3_reset(st);
	return rc == DB_OK && db_changes(db) == 0 ? DB_NOTFOUND : rc;
}

/* Run the prepared write st alone in a transaction; DB_NOTFOUND if it changed no row. */
static enum db_rc write_one(struct db *db, sqlite3_stmt *st, const char *what)
{
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK) {
		sqlite3_reset(st);
		return rc;
	}
	return db_end(db, step_changed(db, st, what));
}

const char *const admin_role_names[ADMIN_ROLE__MAX] = {
	[ADMIN_ROLE_ADMIN] = "admin",
	[ADMIN_ROLE_ORGANISER] = "organiser",
	[ADMIN_ROLE_SCOREKEEPER] = "scorekeeper",
};

enum db_rc admin_user_add(struct db *db, const char *name, const char *password,
    enum admin_role role, const char *form_token, int *replayed)
{
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st;
	enum db_rc rc;

	*replayed = 0;
	if (!admin_user_name_valid(name) || admin_user_password_problem(password) != NULL)
		return DB_INVALID;
	/* Hashed before the transaction: it takes a while. */
	if (hash_password(password, hash) != 0)
		return DB_ERROR;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if (form_token != NULL && ((rc = idem_claim(db, form_token, replayed)) != DB_OK ||
	    *replayed))
		return db_end(db, rc);
	st = db_stmt(db, STMT_ADMIN_INSERT);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, clock_now());
	sqlite3_bind_text(st, 4, admin_role_names[role], -1, SQLITE_STATIC);
	return db_end(db, step_changed(db, st, "adding an admin"));
}

enum db_rc admin_user_set_role(struct db *db, const char *name, enum admin_role role)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ADMIN_SET_ROLE);

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, admin_role_names[role], -1, SQLITE_STATIC);
	return write_one(db, st, "changing a role");
}

enum db_rc admin_user_disable(struct db *db, const char *name, int on)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_ADMIN_SET_DISABLED);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (on)
		sqlite3_bind_int64(st, 2, clock_now());
	rc = step_changed(db, st, "disabling an account");
	if (rc == DB_OK && on) {
		/* Its sessions end with it, at once. */
		st = db_stmt(db, STMT_SESSION_DELETE_USER);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		rc = db_step_done(db, st, "ending an account's sessions");
	}
	return db_end(db, rc);
}

enum db_rc admin_user_assign(struct db *db, const char *name, const char *slug, int on)
{
	sqlite3_stmt *st = db_stmt(db, on ? STMT_SCOREKEEPER_ASSIGN : STMT_SCOREKEEPER_UNASSIGN);

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
	return write_one(db, st, "assigning a scorekeeper");
}

int admin_user_keeps_scores(struct db *db, int64_t user_id, const char *slug)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SCOREKEEPER_KEEPS);
	enum db_rc rc;

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
	if ((rc = db_step_one(db, st, "checking a scorekeeper")) == DB_OK)
		sqlite3_reset(st);
	return rc == DB_OK ? 1 : rc == DB_NOTFOUND ? 0 : -1;
}

enum db_rc admin_user_passwd(struct db *db, const char *name, const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st;
	enum db_rc rc;

	if (admin_user_password_problem(password) != NULL)
		return DB_INVALID;
	if (hash_password(password, hash) != 0)
		return DB_ERROR;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	/* Sessions first: a stolen one must not outlive the old password. */
	st = db_stmt(db, STMT_SESSION_DELETE_USER);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = db_rc_of(db, sqlite3_step(st), "ending an admin's sessions");
	sqlite3_reset(st);
	if (rc == DB_OK) {
		/* A new password starts with a clean slate at every address. */
		st = db_stmt(db, STMT_LOGIN_FAIL_DELETE_USER);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		rc = db_rc_of(db, sqlite3_step(st), "clearing an admin's login failures");
		sqlite3_reset(st);
	}
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_ADMIN_SET_HASH);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
		rc = step_changed(db, st, "changing a password");
	}
	return db_end(db, rc);
}

enum db_rc admin_user_del(struct db *db, const char *name)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ADMIN_DELETE);

	/* Sessions go with it: ON DELETE CASCADE. */
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return write_one(db, st, "deleting an admin");
}

enum db_rc admin_user_list(struct db *db, struct arena *a, struct admin_user **list,
    int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_ADMIN_LIST);
	struct admin_user *u;
	void *items = NULL;
	size_t cap = 0;
	int step;

	*n = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		u = arena_slot(a, &items, &cap, (size_t)(*n)++, sizeof(*u));
		u->name = db_text(a, st, 0);
		u->created_at = sqlite3_column_int64(st, 1);
		u->sessions = sqlite3_column_int(st, 2);
		u->role = (enum admin_role)db_enum(st, 3, admin_role_names, ADMIN_ROLE__MAX,
		    ADMIN_ROLE_SCOREKEEPER);
		u->last_login_at = db_int(st, 4, 0);
		u->disabled_at = db_int(st, 5, 0);
	}
	*list = items;
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing admins");
}

enum db_rc admin_user_assignments(struct db *db, struct arena *a,
    struct admin_assignment **list, int *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SCOREKEEPER_LIST);
	struct admin_assignment *k;
	void *items = NULL;
	size_t cap = 0;
	int step;

	*n = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		k = arena_slot(a, &items, &cap, (size_t)(*n)++, sizeof(*k));
		k->user = db_text(a, st, 0);
		k->slug = db_text(a, st, 1);
		k->title = db_text(a, st, 2);
	}
	*list = items;
	sqlite3_reset(st);
	return db_rc_of(db, step, "listing scorekeepers");
}

void admin_user_source(const char *addr, char out[ADMIN_SOURCE_LEN])
{
	struct in6_addr a6;
	struct in_addr a4;

	out[0] = '\0';
	if (addr == NULL)
		return;
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		inet_ntop(AF_INET, &a4, out, ADMIN_SOURCE_LEN);
	} else if (inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_V4MAPPED(&a6)) {
		/* An IPv4 client of a dual-stack socket: the address itself. */
		inet_ntop(AF_INET, a6.s6_addr + 12, out, ADMIN_SOURCE_LEN);
	} else if (inet_pton(AF_INET6, addr, &a6) == 1) {
		/* One customer of an ISP gets a whole /64: count it as one address. */
		memset(a6.s6_addr + 8, 0, 8);
		inet_ntop(AF_INET6, &a6, out, ADMIN_SOURCE_LEN - 3);
		strcat(out, "/64");
	}
}

/* 1 if a back-off ending at until still holds at now. */
static int locked(int64_t until, int64_t now)
{
	/*
	 * No back-off is longer than ADMIN_BACKOFF_MAX: a lock further ahead
	 * was set before the clock went back, and has run its course.
	 */
	return now < until && until - now <= ADMIN_BACKOFF_MAX;
}

/* The first wrong password never locks: STMT_LOGIN_FAILED inserts it unlocked. */
_Static_assert(ADMIN_FAILS_FREE > 1, "ADMIN_FAILS_FREE must be at least 2");

/* Count a wrong password of account id from source at time now, in a transaction. */
static enum db_rc record_failure(struct db *db, int64_t id, const char *source,
    int64_t now)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	/* Sweep as we go: a site may run without the worker's housekeeping. */
	st = db_stmt(db, STMT_LOGIN_FAIL_PURGE);
	sqlite3_bind_int64(st, 1, now - ADMIN_FAIL_KEEP);
	rc = db_rc_of(db, sqlite3_step(st), "sweeping old login failures");
	sqlite3_reset(st);
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_LOGIN_FAILED);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_int(st, 4, ADMIN_FAILS_FREE);
		sqlite3_bind_int(st, 5, ADMIN_BACKOFF_MAX);
		rc = db_rc_of(db, sqlite3_step(st), "recording a failed login");
		sqlite3_reset(st);
	}
	return db_end(db, rc);
}

/*
 * A right password of account id from source at time now: its failures
 * end, the login's time is kept, new_hash (or NULL) is stored.
 */
static enum db_rc record_success(struct db *db, int64_t id, const char *source,
    int64_t now, const char *new_hash)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_LOGIN_SUCCEEDED);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	rc = db_rc_of(db, sqlite3_step(st), "recording a login");
	sqlite3_reset(st);
	if (rc == DB_OK) {
		st = db_stmt(db, STMT_ADMIN_LOGGED_IN);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now);
		rc = db_step_done(db, st, "recording a login's time");
	}
	if (rc == DB_OK && new_hash != NULL) {
		st = db_stmt(db, STMT_ADMIN_REHASH);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, new_hash, -1, SQLITE_TRANSIENT);
		rc = db_rc_of(db, sqlite3_step(st), "storing a rehashed password");
		sqlite3_reset(st);
	}
	return db_end(db, rc);
}

enum db_rc admin_user_login(struct db *db, const char *name, const char *password,
    const char *addr, int64_t now, int64_t *user_id)
{
	char stored[crypto_pwhash_STRBYTES] = "", fresh[crypto_pwhash_STRBYTES];
	char source[ADMIN_SOURCE_LEN];
	sqlite3_stmt *st = db_stmt(db, STMT_ADMIN_BY_NAME);
	int64_t id = 0, locked_until = 0;
	const char *against;
	enum db_rc rc;
	int step, ok;

	admin_user_source(addr, source);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(stored, sizeof(stored), "%s", (const char *)sqlite3_column_text(st, 1));
		locked_until = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_rc_of(db, step, "reading an admin");
	/* Always one hash check, outside any transaction (it takes a while). */
	against = id != 0 && !locked(locked_until, now) ? stored : dummy_hash;
	ok = crypto_pwhash_str_verify(against, password, strlen(password)) == 0 &&
	    against == stored;
	if (id == 0 || locked(locked_until, now))
		return DB_INVALID;	/* no such admin, or in the back-off: no record */
	if (!ok) {
		rc = record_failure(db, id, source, now);
		return rc == DB_OK ? DB_INVALID : rc;
	}
	ok = crypto_pwhash_str_needs_rehash(stored, opslimit, memlimit) != 0 &&
	    hash_password(password, fresh) == 0;
	if ((rc = record_success(db, id, source, now, ok ? fresh : NULL)) == DB_OK)
		*user_id = id;
	return rc;
}
