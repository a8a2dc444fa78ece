#ifndef TURNOUT_WRITER_H
#define TURNOUT_WRITER_H

#include "app.h"
#include "request.h"

/*
 * The batch writer (synchronous = group, batch_writer = on): one process of turnout.fcgi
 * answers the visitors' writes that a rush brings (routes with RF_BATCH:
 * RSVPs, pledges, holds, claims, scores) for every worker. It takes all
 * the requests waiting, runs each one's handler in its own savepoint of
 * one transaction (db_batch_begin: a refused change leaves the others),
 * commits and waits for the disk once, and only then sends each worker
 * its answer. A change costs SQLite's work, not a commit and an fsync of
 * its own, and the writer's page cache stays warm.
 */

/*
 * In the master, before forking: the socket the workers reach the writer
 * on (unnamed, in the abstract namespace; the writer only takes
 * connections from its own user). Returns it listening, or -1 with errno
 * set. The writer counts its batches in its metrics slot (metrics.h).
 */
int writer_init(void);

/* Runs one request's handler: the same as a worker's. Returns the status. */
typedef int (*writer_answer_fn)(struct req *r, const struct req_input *in, struct app *app);

/*
 * The writer process: answer the workers' requests in batches until
 * listen_fd is shut down and every worker has gone.
 */
void writer_run(int listen_fd, struct app *app, writer_answer_fn answer);

/*
 * In a worker: have the writer (app->writer_fd) answer `in`, waiting at
 * most twice busy_timeout_ms (the gate, then the disk) and a second.
 * Returns the status with r's response filled in (r->body NULL for a
 * 503: the change may or may not be made, as when a commit is not known
 * to be on disk), or -1 if the request never reached the writer (it is
 * not running): the worker answers it itself.
 */
int writer_forward(struct app *app, const struct req_input *in, struct req *r);

#endif
