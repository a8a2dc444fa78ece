#ifndef TURNOUT_HEALTH_H
#define TURNOUT_HEALTH_H

#include <stdint.h>

#include "config.h"
#include "db.h"
#include "outbox.h"

/*
 * What an admin (turnout-admin status) or a monitor (/metrics) wants to
 * know about a running site that the database and its files can tell.
 */
struct health {
	int64_t outbox[OUTBOX__MAX];	/* e-mails by state */
	long long db_bytes, wal_bytes;	/* the database file and its write-ahead log */
	long long worker_pass;		/* the e-mail worker's last housekeeping pass; 0: never */
	long long db_born;		/* when the database file was made (else last written) */
};

/* Read them; DB_OK or the database's error. */
enum db_rc health_read(struct db *db, const struct config *c, struct health *h);

/* The worker's heartbeat, written with each housekeeping pass (now). */
enum db_rc health_worker_pass(struct db *db);

#endif
