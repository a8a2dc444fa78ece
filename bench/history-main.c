/*
 * history: give a site's database a season's history (see history.h),
 * then ANALYZE it, as a site that has run `PRAGMA optimize` would have,
 * and merge its search index, as turnout-worker does.
 *
 *   history DATABASE [SLUG [SCALE [RACE]]]     (defaults: season-run, 1, none)
 *
 * SLUG is a plain RSVP event that takes the season's sign-ups (bench/pages.sh
 * adds season-run, shaped as the demo's fun run was before it became a
 * race); RACE, a competition of times, gets the season's race (the demo's
 * fun-run-5k). The database must be initialised (turnout-admin init, demo,
 * and SLUG added); nothing else may use it meanwhile. The history is made in
 * a copy in memory and copied back at the end: the same transactions,
 * without writing ~40 pages per commit to a file.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "history.h"
#include "token.h"

/* Copy database from into to (sqlite3's online backup); 0 or -1. */
static int copy(struct db *to, struct db *from)
{
	sqlite3_backup *b = sqlite3_backup_init(db_sqlite(to), "main", db_sqlite(from), "main");
	int rc;

	if (b == NULL) {
		fprintf(stderr, "history: copying: %s\n", sqlite3_errmsg(db_sqlite(to)));
		return -1;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "history: copying: %s\n", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	const char *slug = argc > 2 ? argv[2] : "season-run";
	int scale = argc > 3 ? atoi(argv[3]) : 1;
	char err[512] = "";
	struct config c, m;
	struct db *file = NULL, *mem = NULL;
	int rc = 1;

	if (argc < 2 || argc > 5 || scale < 1) {
		fprintf(stderr, "usage: history DATABASE [SLUG [SCALE [RACE]]]\n");
		return 2;
	}
	config_defaults(&c);
	if ((size_t)snprintf(c.database, sizeof(c.database), "%s", argv[1]) >=
	    sizeof(c.database)) {
		fprintf(stderr, "history: database path too long\n");
		return 2;
	}
	m = c;
	snprintf(m.database, sizeof(m.database), ":memory:");
	m.write_gate = 0;
	if ((file = db_open(&c, 0, err, sizeof(err))) == NULL ||
	    db_prepare(file, err, sizeof(err)) != 0 ||
	    (mem = db_open(&m, 1, err, sizeof(err))) == NULL)
		goto fail;
	if (copy(mem, file) != 0)
		goto out;
	if (db_prepare(mem, err, sizeof(err)) != 0 ||
	    db_secret(mem, secret, sizeof(secret)) != 0 || token_init(secret) != 0)
		goto fail;
	if (history_make(mem, slug, scale, 1) != 0 ||
	    (argc > 4 && history_competition(mem, argv[4], scale, 1) != 0))
		goto out;
	/* And its search index merged, as turnout-worker's housekeeping does. */
	if (sqlite3_exec(db_sqlite(mem), "ANALYZE; INSERT INTO rsvp_search (rsvp_search)"
	    " VALUES ('optimize')", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, sizeof(err), "ANALYZE: %s", sqlite3_errmsg(db_sqlite(mem)));
		goto fail;
	}
	rc = copy(file, mem) != 0;
	goto out;
fail:
	fprintf(stderr, "history: %s\n", *err != '\0' ? err : "no usable site secret");
out:
	db_close(mem);
	db_close(file);
	return rc;
}
