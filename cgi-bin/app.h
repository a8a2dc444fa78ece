#ifndef TURNOUT_APP_H
#define TURNOUT_APP_H

#include "config.h"
#include "db.h"
#include "request.h"

/* What a worker process holds for its whole life. */
struct app {
	const struct config *cfg;
	struct db *db;			/* NULL while the database cannot be used */
	int writer_fd;			/* the batch writer's socket (writer.h); -1: none */
	long long db_retry_at;		/* earliest time to try opening again */
	char db_error[512];		/* last reason logged, to log each once */
};

/*
 * The worker's database connection, (re)opened on demand at most once a
 * second; NULL if the database cannot be used (the reason is logged once
 * per distinct failure).
 */
struct db *app_db(struct app *app);


#endif
