#ifndef TURNOUT_HYGIENE_H
#define TURNOUT_HYGIENE_H

#include "config.h"
#include "db.h"

/*
 * Housekeeping turnout-worker runs now and then, so no request pays for
 * it: delete what has outlived its use (used form tokens past their
 * lifetime, delivered or discarded messages after 30 days, API
 * Idempotency-Key answers after a day ...) in one
 * transaction, which also records the pass (health_worker_pass). *n gets
 * the number of rows deleted.
 */
enum db_rc hygiene_purge(struct db *db, int *n);

/*
 * Index the RSVPs waiting for the participant search (rsvp_search_todo),
 * HYGIENE_INDEX_BATCH to a transaction, until none wait; *n gets how many.
 * turnout-worker calls it at every pass, and bench/history each time it
 * delivers the outbox, as the worker would. Until then the search reads
 * the queue as well.
 */
#define HYGIENE_INDEX_BATCH 1000
enum db_rc hygiene_index(struct db *db, int *n);

/*
 * Merge the participant search's index (FTS5 keeps each batch of
 * sign-ups as a segment, and a search reads every segment) toward one
 * segment, HYGIENE_MERGE_PAGES pages of work at a time: a busy site's
 * index is whole again within minutes.
 */
#define HYGIENE_MERGE_PAGES 1000
enum db_rc hygiene_merge(struct db *db);

/*
 * Truncate the WAL file when it has grown past c->wal_checkpoint_mb
 * (long readers can keep SQLite's automatic checkpoints from resetting
 * it). Returns 1 if it checkpointed, 0 if not needed, -1 on error.
 */
int hygiene_checkpoint(struct db *db, const struct config *c);

#endif
