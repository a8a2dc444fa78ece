#ifndef TURNOUT_BACKUP_H
#define TURNOUT_BACKUP_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "db.h"

/*
 * Backups a group admin can restore: a copy taken with SQLite's online
 * backup API (one read snapshot, so consistent while the site writes),
 * checked, synced and renamed into place, gzip'ed when the name ends in
 * ".gz". Every function returns 0 or -1 with the reason in err.
 */

/* Copy the open database to path (mode 0600). Never leaves a partial file at path. */
int backup_write(struct db *db, const char *path, char *err, size_t errlen);

/*
 * A backup named turnout-YYYYmmdd-HHMMSS.db[.gz] (UTC) in dir, then remove
 * all but the newest keep such files there. The name written goes to
 * name (at least PATH_MAX bytes).
 */
int backup_rotate(struct db *db, const char *dir, int keep, int gzip, char *name,
    char *err, size_t errlen);

/*
 * The pid of a process that has c->database (or its WAL) open, or 0 if
 * none; its command name goes to comm (16 bytes). Only processes this user
 * may inspect are seen: run it as the site's user or root.
 */
pid_t backup_db_in_use(const struct config *c, char comm[16]);

/*
 * Replace c->database with the backup at path: refused while a process has
 * the database open; the backup must pass integrity_check and have a schema
 * this program knows (an older one is migrated on the copy, before it goes
 * in place). The database it replaces is kept as c->database.before-restore-
 * YYYYmmdd-HHMMSS (its name in kept, at least PATH_MAX bytes; "" if there
 * was none).
 */
int backup_restore(const struct config *c, const char *path, char *kept,
    char *err, size_t errlen);

#endif
