#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "backup.h"

extern char **environ;

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static const char *const db_suffixes[] = { "", "-wal", "-shm", "-journal" };

/*
 * Remove a database file with its WAL, shm and journal: one left beside a
 * new file of the same name would be replayed into it.
 */
static void remove_db_files(const char *path)
{
	char name[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof(db_suffixes) / sizeof(db_suffixes[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, db_suffixes[i]);
		unlink(name);
	}
}

/* fsync a file by name: a rename is only durable once both are synced. */
static int sync_path(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "syncing %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Read-only: the data went out with the fsync, close cannot lose any. */
	close(fd);
	return 0;
}

/* The directory part of path ("." if none) into dir. */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Rename from to to and sync the directory, so the new name survives a power cut. */
static int move_durably(const char *from, const char *to, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	if (rename(from, to) != 0) {
		snprintf(err, errlen, "renaming %s to %s: %s", from, to, strerror(errno));
		return -1;
	}
	dir_of(to, dir, sizeof(dir));
	return sync_path(dir, err, errlen);
}

/* gzip -c (flag "-nc") or gunzip -c ("-dc") the file from into to (created 0600). */
static int gzip_to(const char *flag, const char *from, const char *to, char *err,
    size_t errlen)
{
	char *argv[] = { (char *)"gzip", (char *)flag, (char *)"--", (char *)from, NULL };
	posix_spawn_file_actions_t fa;
	int status = -1, rc;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, to,
	    O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0600);
	rc = posix_spawnp(&pid, "gzip", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen, "cannot run gzip: %s", strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "gzip %s %s failed (see above)", flag, from);
		return -1;
	}
	return 0;
}

/* The first answer of a one-row PRAGMA on conn into out; -1 if it fails. */
static int pragma_text(sqlite3 *conn, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(out, len, "%s", t != NULL ? (const char *)t : "");
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Check the database file at path (called label in err): an SQLite
 * database whose check answers "ok" (quick_check: the structure;
 * integrity_check: also the indexes), its schema version into *version.
 */
static int check_file(const char *path, const char *label, const char *check,
    int *version, char *err, size_t errlen)
{
	char sql[64], answer[200] = "", v[16] = "";
	sqlite3 *conn = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", label, conn != NULL ? sqlite3_errmsg(conn) :
		    "out of memory");
		goto out;
	}
	snprintf(sql, sizeof(sql), "PRAGMA %s", check);
	if (pragma_text(conn, sql, answer, sizeof(answer)) != 0) {
		snprintf(err, errlen, "%s is not a usable database: %s", label,
		    sqlite3_errmsg(conn));
		goto out;
	}
	if (strcmp(answer, "ok") != 0) {
		snprintf(err, errlen, "%s is damaged (%s: %s)", label, check, answer);
		goto out;
	}
	if (pragma_text(conn, "PRAGMA user_version", v, sizeof(v)) != 0) {
		snprintf(err, errlen, "%s: %s", label, sqlite3_errmsg(conn));
		goto out;
	}
	*version = atoi(v);
	rc = 0;
out:
	/* The last connection to close folds its WAL back and deletes it. */
	sqlite3_close(conn);
	return rc;
}

/* Copy the live database into a new file at to (one read snapshot). */
static int copy_db(struct db *db, const char *to, char *err, size_t errlen)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int fd, rc;

	/* Created here so it is 0600 whatever the umask, and never an old file. */
	if ((fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", to, strerror(errno));
		return -1;
	}
	close(fd);
	if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", to,
		    dst != NULL ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return -1;
	}
	/* One step copies every page under one read transaction: writers go on. */
	if ((b = sqlite3_backup_init(dst, "main", db_sqlite(db), "main")) == NULL) {
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return -1;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup to %s: %s", to, sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	/* A backup restores to any directory on its own: no WAL beside it. */
	rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	sqlite3_close(dst);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "backup %s: cannot leave WAL mode", to);
		return -1;
	}
	return 0;
}

int backup_write(struct db *db, const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 16], gz[PATH_MAX + 16];
	int version, gzip = ends_with(path, ".gz"), rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.partial", path) >= (int)sizeof(tmp) ||
	    snprintf(gz, sizeof(gz), "%s.partial-gz", path) >= (int)sizeof(gz)) {
		snprintf(err, errlen, "backup file name too long");
		return -1;
	}
	/* Left over from an interrupted run: never in use, ours to replace. */
	remove_db_files(tmp);
	unlink(gz);
	if (copy_db(db, tmp, err, errlen) != 0 ||
	    check_file(tmp, tmp, "quick_check", &version, err, errlen) != 0 ||
	    sync_path(tmp, err, errlen) != 0)
		goto out;
	if (gzip) {
		if (gzip_to("-nc", tmp, gz, err, errlen) != 0 || sync_path(gz, err, errlen) != 0 ||
		    move_durably(gz, path, err, errlen) != 0)
			goto out;
	} else if (move_durably(tmp, path, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	remove_db_files(tmp);
	unlink(gz);
	return rc;
}

/* A file name backup_rotate() makes, so that it never removes anything else. */
static int rotated_name(const char *name)
{
	int n = 0;

	if (sscanf(name, "turnout-%*8[0-9]-%*6[0-9]%n", &n) != 0 || n != 23)
		return 0;
	return strcmp(name + n, ".db") == 0 || strcmp(name + n, ".db.gz") == 0;
}

static int is_rotated(const struct dirent *e)
{
	return rotated_name(e->d_name);
}

/* Remove all but the newest keep backups in dir (their names sort by time). */
static int prune(const char *dir, int keep, char *err, size_t errlen)
{
	struct dirent **list;
	char path[PATH_MAX];
	int n, i, rc = 0;

	if ((n = scandir(dir, &list, is_rotated, alphasort)) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (i < n - keep && rc == 0 && unlink(path) != 0) {
			snprintf(err, errlen, "removing %s: %s", path, strerror(errno));
			rc = -1;
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

int backup_rotate(struct db *db, const char *dir, int keep, int gzip, char *name,
    char *err, size_t errlen)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (snprintf(name, PATH_MAX, "%s/turnout-%s.db%s", dir, stamp,
	    gzip ? ".gz" : "") >= PATH_MAX) {
		snprintf(err, errlen, "backup directory name too long");
		return -1;
	}
	if (access(name, F_OK) == 0) {
		snprintf(err, errlen, "%s exists already (one backup a second at most)", name);
		return -1;
	}
	if (backup_write(db, name, err, errlen) != 0)
		return -1;
	return prune(dir, keep, err, errlen);
}

/* Does the link /proc/PID/fd/N name the database, its WAL or its shm? */
static int names_db(const char *link, const char *db)
{
	size_t n = strlen(db);

	return strncmp(link, db, n) == 0 && (link[n] == '\0' || strcmp(link + n, "-wal") == 0 ||
	    strcmp(link + n, "-shm") == 0);
}

pid_t backup_db_in_use(const struct config *c, char comm[16])
{
	char db[PATH_MAX], path[PATH_MAX], link[PATH_MAX];
	pid_t found = 0, self = getpid();
	struct dirent *p, *f;
	DIR *procs, *fds;
	ssize_t n;

	if (realpath(c->database, db) == NULL || (procs = opendir("/proc")) == NULL)
		return 0;
	while (found == 0 && (p = readdir(procs)) != NULL) {
		pid_t pid = (pid_t)atoi(p->d_name);

		if (pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		if ((fds = opendir(path)) == NULL)
			continue;
		while (found == 0 && (f = readdir(fds)) != NULL) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, f->d_name);
			if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
				continue;
			link[n] = '\0';
			if (names_db(link, db))
				found = pid;
		}
		closedir(fds);
	}
	closedir(procs);
	*comm = '\0';
	if (found != 0) {
		FILE *fp;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)found);
		if ((fp = fopen(path, "r")) != NULL) {
			if (fgets(comm, 16, fp) != NULL)
				comm[strcspn(comm, "\n")] = '\0';
			fclose(fp);
		}
	}
	return found;
}

/* The backup at path as a plain database file at tmp (created 0600). */
static int unpack(const char *path, const char *tmp, char *err, size_t errlen)
{
	char buf[65536];
	int in, out, rc = -1;
	ssize_t n;

	if (ends_with(path, ".gz"))
		return gzip_to("-dc", path, tmp, err, errlen);
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (n == 0)
		rc = 0;
	else
		snprintf(err, errlen, "copying %s to %s: %s", path, tmp, strerror(errno));
	close(in);
	if (close(out) != 0 && rc == 0) {
		snprintf(err, errlen, "writing %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* Bring the copy at tmp to this program's schema, as turnout-admin migrate does. */
static int migrate_copy(const struct config *c, const char *tmp, char *err, size_t errlen)
{
	struct config copy = *c;
	struct db *db;
	int from, rc;

	snprintf(copy.database, sizeof(copy.database), "%s", tmp);
	copy.write_gate = 0;
	if ((db = db_open(&copy, 0, err, errlen)) == NULL)
		return -1;
	rc = db_migrate(db, &from, err, errlen);
	db_close(db);
	return rc;
}

/*
 * Move the database at path, with any WAL, shm or journal beside it, to
 * kept (same suffixes). Opened and closed once first, so that its WAL is
 * folded in if it can be; a damaged one moves as it is.
 */
static int set_aside(const char *path, const char *kept, char *err, size_t errlen)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16], why[400];
	int version;
	size_t i;

	(void)check_file(path, path, "quick_check", &version, why, sizeof(why));
	for (i = 0; i < sizeof(db_suffixes) / sizeof(db_suffixes[0]); i++) {
		snprintf(from, sizeof(from), "%s%s", path, db_suffixes[i]);
		snprintf(to, sizeof(to), "%s%s", kept, db_suffixes[i]);
		if ((i == 0 || access(from, F_OK) == 0) &&
		    move_durably(from, to, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int backup_restore(const struct config *c, const char *path, char *kept,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX], stamp[32], comm[16];
	int version, rc = -1;
	time_t now = time(NULL);
	struct tm tm;
	pid_t pid;

	*kept = '\0';
	if ((pid = backup_db_in_use(c, comm)) != 0) {
		snprintf(err, errlen, "%s is in use by process %d (%s): stop the site"
		    " and the e-mail worker first", c->database, (int)pid, comm);
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.restoring", c->database) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "database file name too long");
		return -1;
	}
	remove_db_files(tmp);
	if (unpack(path, tmp, err, errlen) != 0)
		goto out;
	if (check_file(tmp, path, "integrity_check", &version, err, errlen) != 0)
		goto out;
	if (version < 1 || version > db_latest_version()) {
		snprintf(err, errlen, "%s has schema version %d; this program knows 1 to %d%s",
		    path, version, db_latest_version(), version > db_latest_version() ?
		    ": restore it with the Turnout version that made it" : "");
		goto out;
	}
	if (version < db_latest_version() && migrate_copy(c, tmp, err, errlen) != 0)
		goto out;
	if (sync_path(tmp, err, errlen) != 0)
		goto out;
	if (access(c->database, F_OK) == 0) {
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		if (snprintf(kept, PATH_MAX, "%s.before-restore-%s", c->database, stamp) >=
		    PATH_MAX - 16) {
			snprintf(err, errlen, "database file name too long");
			*kept = '\0';
			goto out;
		}
		if (set_aside(c->database, kept, err, errlen) != 0) {
			*kept = '\0';
			goto out;
		}
	}
	rc = move_durably(tmp, c->database, err, errlen);
out:
	remove_db_files(tmp);
	return rc;
}
