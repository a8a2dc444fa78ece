#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "health.h"

static long long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* path's birth time, where the file system keeps one, else its last change. */
static long long file_born(const char *path)
{
	struct statx sx;

	if (statx(AT_FDCWD, path, 0, STATX_BTIME | STATX_MTIME, &sx) != 0)
		return 0;
	return (sx.stx_mask & STATX_BTIME) ? (long long)sx.stx_btime.tv_sec :
	    (long long)sx.stx_mtime.tv_sec;
}

enum db_rc health_read(struct db *db, const struct config *c, struct health *h)
{
	char wal[sizeof(c->database) + 4];
	sqlite3_stmt *st;
	enum db_rc rc;

	memset(h, 0, sizeof(*h));
	snprintf(wal, sizeof(wal), "%s-wal", c->database);
	h->db_bytes = file_size(c->database);
	h->wal_bytes = file_size(wal);
	h->db_born = file_born(c->database);
	if ((rc = outbox_counts(db, h->outbox)) != DB_OK)
		return rc;
	st = db_stmt(db, STMT_WORKER_PASS_GET);
	rc = db_step_one(db, st, "reading the worker's last pass");
	if (rc == DB_OK)
		h->worker_pass = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == DB_NOTFOUND ? DB_OK : rc;
}

enum db_rc health_worker_pass(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, STMT_WORKER_PASS_SET);

	sqlite3_bind_int64(st, 1, clock_now());
	return db_step_done(db, st, "recording the worker's pass");
}
