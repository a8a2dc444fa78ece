#ifndef TURNOUT_DB_H
#define TURNOUT_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "arena.h"
#include "config.h"

struct drop_activity;
struct drop_item;
struct drop_settings;
struct drop_variant;
struct event;
struct hold;
struct item;
struct outbox_msg;
struct rsvp;
struct entry;
struct score_row;
struct score_log_row;

/* Outcomes of domain calls; handlers map them to HTTP statuses. */
enum db_rc {
	DB_OK,
	DB_NOTFOUND,
	DB_CONFLICT,
	DB_FULL,		/* not enough spots left */
	DB_CLOSED,		/* a rule of the event forbids it now (422) */
	DB_INVALID,		/* input the rules refuse (400) */
	DB_BUSY,		/* lock not had within busy_timeout: 503 + Retry-After */
	DB_NOSPACE,		/* the disk is full, nothing written: 503 + Retry-After */
	DB_UNSYNCED,		/* a commit whose fsync failed, maybe not on disk: 503 + Retry-After */
	DB_ERROR
};

/* Every statement the programs run, prepared once per connection. */
enum stmt {
	STMT_HEALTH,
	STMT_WORKER_PASS_SET,
	STMT_WORKER_PASS_GET,
	STMT_SECRET,
	STMT_EVENT_UPCOMING,
	STMT_EVENT_ADMIN_UPCOMING,
	STMT_EVENT_ADMIN_PAST,
	STMT_EVENT_BY_SLUG,
	STMT_EVENT_BY_ID,
	STMT_EVENT_INSERT,
	STMT_EVENT_SET_CAPACITY,
	STMT_EVENT_UPDATE,
	STMT_FORM_USED,
	STMT_FORM_USE,
	STMT_FORM_PURGE,
	STMT_RSVP_INSERT,
	STMT_RSVP_EMAIL_TAKEN,
	STMT_RSVP_BY_TOKEN,
	STMT_RSVP_BY_ID,
	STMT_RSVP_ADMIN_LIST,
	STMT_RSVP_ADMIN_SEARCH,
	STMT_RSVP_ADMIN_SEARCH_TODO,
	STMT_SEARCH_INDEX,
	STMT_SEARCH_QUEUED,
	STMT_SEARCH_INDEXED,
	STMT_SEARCH_MERGE,
	STMT_RSVP_CHECK_IN,
	STMT_LOG_MARK,
	STMT_LOG_ACTOR,
	STMT_STATS_CURVE,
	STMT_STATS_FIGURES,
	STMT_STATS_SITE,
	STMT_STATS_WAITS,
	STMT_RSVP_UPDATE,
	STMT_RSVP_SET_STATUS,
	STMT_RSVP_RECENT,
	STMT_WAITLIST,
	STMT_WAITLIST_FIT,
	STMT_WAITLIST_AHEAD,
	STMT_ITEM_INSERT,
	STMT_ITEM_UPDATE,
	STMT_ITEM_DELETE,
	STMT_ITEM_COUNT,
	STMT_ITEM_GET,
	STMT_ITEM_LIST,
	STMT_ITEM_ADMIN_LIST,
	STMT_ITEM_ORDER,
	STMT_ITEM_SET_POSITION,
	STMT_ITEM_EXPORT,
	STMT_PLEDGE_LIST,
	STMT_PLEDGE_PAGE,
	STMT_PLEDGE_INSERT,
	STMT_PLEDGE_UPDATE,
	STMT_PLEDGE_DELETE,
	STMT_RSVP_ACTIVE_BY_EMAIL,
	STMT_RSVP_SET_TOKEN,
	STMT_RSVP_DOOR,
	STMT_RSVP_DOOR_COUNTS,
	STMT_RSVP_LINK_ADD,
	STMT_RSVP_LINKS_DROP,
	STMT_OUTBOX_LINK,
	STMT_OUTBOX_LINK_PROMOTED,
	STMT_OUTBOX_BY_ORGANISER,
	STMT_OUTBOX_RESEND,
	STMT_OUTBOX_RESENDS_SINCE,
	STMT_OUTBOX_CLAIM,
	STMT_OUTBOX_SENT,
	STMT_OUTBOX_FAILED,
	STMT_OUTBOX_RELEASE,
	STMT_OUTBOX_COUNTS,
	STMT_OUTBOX_DEAD,
	STMT_OUTBOX_RETRY,
	STMT_OUTBOX_DISCARD,
	STMT_OUTBOX_REMINDERS,
	STMT_ALERT_DEAD,
	STMT_ALERT_DEAD_SEEN,
	STMT_ALERT_DEAD_NEWEST,
	STMT_ALERT_STALLED,
	STMT_ALERT_UNRECORD,
	STMT_EVENT_REMINDED,
	STMT_PURGE_FORM_USE,
	STMT_PURGE_OUTBOX,
	STMT_ADMIN_INSERT,
	STMT_ADMIN_BY_NAME,
	STMT_ADMIN_SET_HASH,
	STMT_ADMIN_DELETE,
	STMT_ADMIN_LIST,
	STMT_ADMIN_REHASH,
	STMT_LOGIN_FAILED,
	STMT_LOGIN_SUCCEEDED,
	STMT_LOGIN_FAIL_DELETE_USER,
	STMT_LOGIN_FAIL_PURGE,
	STMT_SESSION_INSERT,
	STMT_SESSION_GET,
	STMT_SESSION_TOUCH,
	STMT_SESSION_DELETE,
	STMT_SESSION_DELETE_USER,
	STMT_SESSION_PURGE,
	STMT_EVENT_MAKE_DROP,
	STMT_DROP_SETTINGS,
	STMT_DROP_CONFIGURE,
	STMT_DROP_ITEM_INSERT,
	STMT_DROP_VARIANT_INSERT,
	STMT_DROP_VARIANT_SET_STOCK,
	STMT_DROP_ITEMS,
	STMT_DROP_VARIANTS,
	STMT_DROP_VARIANT_GET,
	STMT_DROP_EXPIRE,
	STMT_DROP_SWEEP,
	STMT_HOLD_LIVE_BY_EMAIL,
	STMT_HOLD_RENEW,
	STMT_HOLD_PERSON_TOTAL,
	STMT_HOLD_INSERT,
	STMT_HOLD_SET_TOKEN,
	STMT_HOLD_BY_TOKEN,
	STMT_HOLD_SET_STATUS,
	STMT_CLAIM_INSERT,
	STMT_DROP_FEED,
	STMT_DROP_TOP,
	STMT_DROP_OVERDUE,
	STMT_HOLD_BY_ID,
	STMT_HOLD_ADMIN_LIST,
	STMT_CLAIM_MARK,
	STMT_COMP_GET,
	STMT_COMP_PUT,
	STMT_DIVISION_LIST,
	STMT_DIVISION_PUT,
	STMT_ENTRY_INSERT,
	STMT_ENTRY_GET,
	STMT_ENTRY_BY_BIB,
	STMT_ENTRY_SEARCH,
	STMT_ENTRY_RENAME,
	STMT_SCORE_NEXT_ROUND,
	STMT_SCORE_INSERT,
	STMT_SCORE_GET,
	STMT_SCORE_VOID,
	STMT_SCORE_REPLACED,
	STMT_SCORE_LIST,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_CHECK,
	STMT_TOKEN_REVOKE,
	STMT_KEY_GET,
	STMT_KEY_PUT,
	STMT_PURGE_API_KEYS,
	STMT_PURGE_MINE_LINKS,
	STMT_TOKEN_LIST,
	STMT_COMPETITION_LIST,
	STMT_ADMIN_SET_ROLE,
	STMT_SCOREKEEPER_ASSIGN,
	STMT_SCOREKEEPER_UNASSIGN,
	STMT_SCOREKEEPER_KEEPS,
	STMT_COMP_USAGE,
	STMT_DIVISION_RENAME,
	STMT_DIVISION_ENTRIES,
	STMT_DIVISION_DELETE,
	STMT_ADMIN_SET_DISABLED,
	STMT_ADMIN_LOGGED_IN,
	STMT_SCOREKEEPER_LIST,
	STMT_BOARD_FREEZE,
	STMT_BOARD_UNFREEZE,
	STMT_BOARD_PUBLISH,
	STMT_BOARD_SNAPSHOT,
	STMT_BOARD_LOG_INSERT,
	STMT_BOARD_LOG_LIST,
	STMT_SCORE_LOG,
	STMT_SCORE_LOG_ENTRY,
	STMT_MINE_NAME,
	STMT_MINE_RECENT,
	STMT_MINE_INSERT,
	STMT_MINE_ENQUEUE,
	STMT_MINE_BY_TOKEN,
	STMT_MINE_REVOKE,
	STMT_MINE_LINKS_DROP,
	STMT_MINE_HOLD_LINKS_DROP,
	STMT_MINE_OWNS,
	STMT_MINE_OWNS_HOLD,
	STMT_MINE_LINK_ADD,
	STMT_MINE_HOLD_LINK_ADD,
	STMT_MINE_RSVPS,
	STMT_MINE_PLEDGES,
	STMT_MINE_HOLDS,
	STMT__MAX
};

/*
 * Group fsync (synchronous = group): called once, before forking, by the
 * program whose processes share the fsyncs (turnout.fcgi's master). It
 * maps the shared page: the counters and the leader's robust mutex.
 * Connections db_open()s with synchronous = group after it commit without
 * an fsync and db_commit() waits for a shared one; without it they use
 * FULL. Returns 0, or -1 logged. db_group_free() unmaps it.
 */
int db_group_init(void);
void db_group_free(void);
/* Commits acknowledged through the group and fsyncs made for them so far. */
void db_group_counts(uint64_t *commits, uint64_t *syncs);

/* A connection with its prepared statements; only db.c sees inside. */
struct db;

/*
 * Open the database at c->database with the connection settings (WAL,
 * foreign keys, busy timeout, synchronous). With create = 0 a missing file
 * is an error. Returns a handle the caller frees with db_close(), or NULL
 * with the reason in err.
 */
struct db *db_open(const struct config *c, int create, char *err, size_t errlen);
void db_close(struct db *db);
/*
 * How often this connection queued for the write gate (another writer had
 * it) and for how long in all, in microseconds, since it was opened.
 */
void db_gate_counts(struct db *db, uint64_t *waits, uint64_t *wait_us);

/* The schema version this program was built for. */
int db_latest_version(void);
/* PRAGMA user_version of the open database, or -1. */
int db_version(struct db *db);

/*
 * Bring the database to db_latest_version(): an empty database gets
 * schema.sql, an older one the migrations it lacks, all in one
 * transaction. A newer database is an error. *from receives the version
 * found. Returns 0 or -1 with the reason in err.
 */
int db_migrate(struct db *db, int *from, char *err, size_t errlen);

/*
 * Check the version and prepare every statement; needed before db_stmt().
 * Returns 0 or -1 with the reason in err.
 */
int db_prepare(struct db *db, char *err, size_t errlen);

/* The prepared statement s, reset and with its bindings cleared. */
sqlite3_stmt *db_stmt(struct db *db, enum stmt s);

/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK; begin and commit return a db_rc.
 * Writers first queue on a blocking flock of the database file (the write
 * gate), so processes take turns instead of sleep-polling in SQLite's busy
 * handler, which made p99 latency explode with several writer processes.
 * db_begin waits at most busy_timeout_ms for the gate (then DB_BUSY), so a
 * stalled holder (a stopped process) costs writers a 503, not a hang; it
 * uses SIGALRM and ITIMER_REAL for that, which no caller may use.
 * db_try_begin does not wait for the gate at all: DB_BUSY if it is taken.
 * With synchronous = group db_commit returns only once the commit is on
 * disk (waiting after the gate is released, so the next writer commits
 * meanwhile): DB_OK, DB_BUSY when no sync came within busy_timeout_ms (a
 * stalled leader), DB_UNSYNCED when the sync failed. Either failure means
 * the change is committed but not known to be on disk: the visitor gets
 * a 503 and a retry with the same form token answers the first outcome.
 */
enum db_rc db_begin(struct db *db);
enum db_rc db_try_begin(struct db *db);
enum db_rc db_commit(struct db *db);
/*
 * A PASSIVE checkpoint when this connection's last commit left at least
 * `pages` frames in the WAL (grouped connections never checkpoint inside a
 * commit). For after an answer is sent; never waits for other processes.
 */
void db_checkpoint(struct db *db, int pages);
void db_rollback(struct db *db);

/*
 * One transaction for many changes (the batch writer, cgi-bin/writer.c):
 * db_batch_begin() takes the gate and begins; until db_batch_end() every
 * db_begin() on db opens a savepoint instead, its db_commit() releases it
 * (not yet on disk) and its db_rollback() undoes that change alone.
 * db_batch_open() is 0 once an error made SQLite roll the whole
 * transaction back (the changes made so far in it are gone).
 * db_batch_end() commits the batch (keep = 1, with the wait for the disk
 * of db_commit) or rolls it back; DB_ERROR if it was already gone.
 */
enum db_rc db_batch_begin(struct db *db);
int db_batch_open(struct db *db);
enum db_rc db_batch_end(struct db *db, int keep);
/*
 * Frames in the WAL after db's last commit (for the writer, whose changes
 * a worker checkpoints: db_checkpoint_owed() makes db_checkpoint() on the
 * worker's connection act as if it had left that many).
 */
int db_wal_pages(struct db *db);
void db_checkpoint_owed(struct db *db, int pages);
/* End a write transaction: commit if rc is DB_OK, else roll back. Returns the outcome. */
enum db_rc db_end(struct db *db, enum db_rc rc);

/*
 * Who did it, in the analytics log: the log triggers cannot know the
 * admin, so an admin's change takes a mark (the last log row) after BEGIN
 * and, before COMMIT, names the actor on every row written after it. The
 * write gate and BEGIN IMMEDIATE make those rows this change's own, and
 * no state is left behind for a later change to inherit by mistake.
 * db_log_actor() with actor NULL (the visitor) does nothing.
 */
enum db_rc db_log_mark(struct db *db, int64_t *mark);
enum db_rc db_log_actor(struct db *db, const char *actor, int64_t mark);

/* The site secret (for tokens), into out. Returns 0 or -1. */
int db_secret(struct db *db, unsigned char *out, size_t len);

/* A trivial read through the connection: DB_OK when the database answers. */
enum db_rc db_ping(struct db *db);

/*
 * Step st, a query for at most one row. DB_OK: the row is there to read
 * and the caller resets st; otherwise st is reset and the result is
 * DB_NOTFOUND (no row) or the error (logged as `what`).
 */
enum db_rc db_step_one(struct db *db, sqlite3_stmt *st, const char *what);

/* Step st, a statement without rows (a write), and reset it. Returns its db_rc. */
enum db_rc db_step_done(struct db *db, sqlite3_stmt *st, const char *what);

/*
 * Map an sqlite3 result code to a db_rc, logging unexpected errors once.
 * A full disk (SQLITE_FULL, or an I/O error whose cause was ENOSPC or
 * EDQUOT) is DB_NOSPACE. A commit whose fsync failed (SQLITE_IOERR_FSYNC) is
 * DB_UNSYNCED.
 */
enum db_rc db_rc_of(struct db *db, int rc, const char *what);

/*
 * A LIKE pattern (ESCAPE '\\') matching text that contains search
 * literally, in a; NULL when search is NULL or "" (no filter).
 */
const char *db_like_pattern(struct arena *a, const char *search);

/*
 * An FTS5 phrase query matching text that contains search (trigrams), in
 * a; NULL when search is shorter than a trigram (3 characters).
 */
const char *db_trigram_phrase(struct arena *a, const char *search);

/* Rows changed by the last write statement; the rowid of the last insert. */
int db_changes(struct db *db);
int64_t db_last_id(struct db *db);

/* Run constant SQL without results (a pragma). Returns a db_rc, errors logged. */
enum db_rc db_exec(struct db *db, const char *sql);

/* The SQLite handle, for tests and tools that run SQL of their own. */
sqlite3 *db_sqlite(struct db *db);

/*
 * Column readers for the row st is on. db_text: column i as an arena
 * string ("" for NULL). db_int: column i, or dflt for NULL. db_enum: the
 * index of column i's text in names[0..n), or dflt if NULL or unknown.
 */
const char *db_text(struct arena *a, sqlite3_stmt *st, int i);
int64_t db_int(sqlite3_stmt *st, int i, int64_t dflt);
int db_enum(sqlite3_stmt *st, int i, const char *const *names, int n, int dflt);

/*
 * Row readers: fill the struct from the row st is on, a statement that
 * selects that row type's column list (db.c keeps each list beside its
 * reader). Strings are allocated in a. db_read_item also reads the asking
 * RSVP's quantity, the column after the item's; db_read_event the admin
 * lists' item counts when the statement selects them, and works out the
 * spots left.
 */
void db_read_event(struct arena *a, sqlite3_stmt *st, struct event *e);
void db_read_rsvp(struct arena *a, sqlite3_stmt *st, struct rsvp *r);
void db_read_item(struct arena *a, sqlite3_stmt *st, struct item *it);
void db_read_outbox(struct arena *a, sqlite3_stmt *st, struct outbox_msg *m);
void db_read_drop_settings(struct arena *a, sqlite3_stmt *st, struct drop_settings *s);
void db_read_drop_item(struct arena *a, sqlite3_stmt *st, struct drop_item *it);
void db_read_drop_variant(struct arena *a, sqlite3_stmt *st, struct drop_variant *v);
void db_read_hold(struct arena *a, sqlite3_stmt *st, struct hold *h);
void db_read_drop_activity(struct arena *a, sqlite3_stmt *st, struct drop_activity *f);
void db_read_entry(struct arena *a, sqlite3_stmt *st, struct entry *en);
void db_read_score(struct arena *a, sqlite3_stmt *st, struct score_row *sc);
void db_read_score_log(struct arena *a, sqlite3_stmt *st, struct score_log_row *lr);

#endif
