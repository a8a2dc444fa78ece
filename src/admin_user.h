#ifndef TURNOUT_ADMIN_USER_H
#define TURNOUT_ADMIN_USER_H

#include <stdint.h>

#include "arena.h"
#include "db.h"

#define ADMIN_NAME_MAX 64
#define ADMIN_PASSWORD_MIN 10		/* bytes */
#define ADMIN_PASSWORD_MAX 1024
#define ADMIN_FAILS_FREE 5		/* wrong passwords in a row before the back-off */
#define ADMIN_BACKOFF_MAX 900		/* seconds: the longest back-off */
#define ADMIN_FAIL_KEEP (24 * 3600)	/* failures are forgotten after a quiet day */
#define ADMIN_SOURCE_LEN 64		/* "2001:db8:1:2::/64" and its NUL fit */

/*
 * What an account may do: everything (accounts too, from turnout-admin),
 * organise (events, participants, competitions), or keep the scores of
 * the competitions assigned to it (cgi-bin/route.c's flags say which
 * pages each may use).
 */
enum admin_role { ADMIN_ROLE_ADMIN, ADMIN_ROLE_ORGANISER, ADMIN_ROLE_SCOREKEEPER,
	ADMIN_ROLE__MAX };
extern const char *const admin_role_names[ADMIN_ROLE__MAX];

/* An admin account as `turnout-admin user list` and /admin/accounts show it. */
struct admin_user {
	const char *name;
	int64_t created_at;
	int64_t last_login_at;		/* 0: never */
	int64_t disabled_at;		/* 0: may log in */
	int sessions;			/* logged in on this many browsers */
	enum admin_role role;
};

/* A scorekeeper's assignment to a competition. */
struct admin_assignment {
	const char *user, *slug, *title;
};

/*
 * Use memlimit bytes of memory per argon2id hash (crypto_pwhash_str with
 * libsodium's interactive operations limit). Hashes made with other
 * parameters still verify and are rehashed at the next login. Initialises
 * libsodium and hashes once (the stand-in for unknown names). Returns 0,
 * or -1 (libsodium unusable or out of memory).
 */
int admin_user_init(size_t memlimit);

/* 1 if name is 1-64 of [a-z0-9._-]. */
int admin_user_name_valid(const char *name);

/* Why a new password is refused, or NULL if it is acceptable. */
const char *admin_user_password_problem(const char *password);

/*
 * Create an account with role; DB_CONFLICT if the name is taken,
 * DB_INVALID for a bad name or password. form_token (NULL: none) makes it
 * idempotent: a replay adds nothing and sets *replayed.
 */
enum db_rc admin_user_add(struct db *db, const char *name, const char *password,
    enum admin_role role, const char *form_token, int *replayed);

/*
 * Give an account another role (its sessions keep going, with the new
 * role from their next request); DB_NOTFOUND if there is none,
 * DB_CONFLICT if it is the last enabled admin and role is another.
 */
enum db_rc admin_user_set_role(struct db *db, const char *name, enum admin_role role);

/*
 * Disable (on = 1: no login, every session ends at once) or enable the
 * account name. DB_NOTFOUND if there is none, DB_CONFLICT for the last
 * enabled admin. Disabling twice keeps the first time.
 */
enum db_rc admin_user_disable(struct db *db, const char *name, int on);

/*
 * Assign (on = 1) or unassign the account name to the competition slug as
 * a scorekeeper. DB_NOTFOUND if either does not exist (or, unassigning,
 * was not assigned).
 */
enum db_rc admin_user_assign(struct db *db, const char *name, const char *slug, int on);

/* 1 if user_id keeps the scores of the competition slug, 0 if not, -1 on error. */
int admin_user_keeps_scores(struct db *db, int64_t user_id, const char *slug);

/*
 * Set a new password, log the admin out everywhere and end their login
 * back-offs; DB_NOTFOUND if no such admin.
 */
enum db_rc admin_user_passwd(struct db *db, const char *name, const char *password);

/*
 * Delete an admin and their sessions; DB_NOTFOUND if no such admin,
 * DB_CONFLICT if it is the last enabled admin.
 */
enum db_rc admin_user_del(struct db *db, const char *name);

/* Every admin by name, allocated in a. */
enum db_rc admin_user_list(struct db *db, struct arena *a, struct admin_user **list,
    int *n);

/* Every scorekeeper assignment, by account then competition, allocated in a. */
enum db_rc admin_user_assignments(struct db *db, struct arena *a,
    struct admin_assignment **list, int *n);

/*
 * The login source of a client address: an IPv4 address as it is, an IPv6
 * address as its /64 ("2001:db8:1:2::/64"; an ISP gives one customer a
 * whole /64), "" for anything else (e.g. NULL). Into out.
 */
void admin_user_source(const char *addr, char out[ADMIN_SOURCE_LEN]);

/*
 * Check a login from client address addr (REMOTE_ADDR, may be NULL) at
 * time now. DB_OK with *user_id set (and the login's time kept); DB_INVALID
 * for an unknown name, a disabled account, a wrong password or an
 * account in its back-off at that address's source
 * (callers must show one message for all three). Unknown names cost a
 * hash check too, so timing does not tell them apart. A wrong password
 * counts towards the back-off of this account at this source only, so a
 * stranger's failures never lock the organiser out at another address; a
 * right one ends that back-off and rehashes the password if the hash
 * parameters changed. A back-off reaching further than ADMIN_BACKOFF_MAX
 * ahead (the clock went back) is over.
 */
enum db_rc admin_user_login(struct db *db, const char *name, const char *password,
    const char *addr, int64_t now, int64_t *user_id);

#endif
