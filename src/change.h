#ifndef TURNOUT_CHANGE_H
#define TURNOUT_CHANGE_H

#include <stdint.h>

#include "db.h"

/*
 * The transaction skeleton every write path shares (RSVPs, drops):
 *
 *	if ((rc = change_begin(db, form_token, &replayed, &mark)) != DB_OK)
 *		return rc;
 *	if (!replayed)
 *		rc = ...read, check, write...;
 *	return change_end(db, rc, actor, mark);
 *
 * change_begin: BEGIN IMMEDIATE (behind the write gate), claim the form
 * token (NULL: an admin action that is idempotent by itself; *replayed = 1
 * when the token was used before: change nothing and answer as the first
 * time did) and take the analytics log's mark. Returns DB_OK with the
 * transaction open, else DB_BUSY or DB_ERROR with nothing open.
 */
enum db_rc change_begin(struct db *db, const char *form_token, int *replayed,
    int64_t *mark);

/*
 * change_end: on DB_OK name the actor (NULL: the visitor) on the log rows
 * written since the mark and commit; otherwise roll all of it back.
 * Returns the outcome (rc, or the commit's failure).
 */
enum db_rc change_end(struct db *db, enum db_rc rc, const char *actor, int64_t mark);

#endif
