#ifndef TURNOUT_METRICS_H
#define TURNOUT_METRICS_H

#include <stdint.h>

#include "app.h"
#include "request.h"
#include "route.h"

/*
 * Request counters and latency histograms for /metrics (Prometheus text
 * format). Each worker counts in its own slot of a memory mapping the
 * master makes before it forks them, so counting takes no lock and a
 * worker that dies and is replaced leaves its counts to its successor.
 */

/* In the master, before any worker: room for n slots. 0 or -1. */
int metrics_init(int n);

/* In a worker: count in slot i from now on. */
void metrics_slot(int i);

/*
 * One answered request: its route (NULL if none), status and time taken,
 * and the worker's database connection (NULL if none), whose write-gate
 * waits so far are added.
 */
void metrics_count(const struct route *rt, int status, long long micros, struct db *db);

/* Add the write-gate waits of db (the connection of this slot's process) so far. */
void metrics_gate(struct db *db);

/* The batch writer answered a batch of n requests (in its own slot). */
void metrics_batch(int n);

/* Every slot's batches: requests, batches, the largest batch. */
void metrics_batch_counts(uint64_t *requests, uint64_t *batches, uint64_t *largest);

/* The page /metrics answers: every slot's counts summed, and the site's health. */
char *metrics_text(struct arena *a, struct app *app);

#endif
