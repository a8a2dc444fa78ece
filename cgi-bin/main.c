/*
 * turnout.fcgi: binds its unix socket, pre-forks workers and keeps them
 * running. Each worker accepts FastCGI requests one at a time on the
 * shared socket with its own SQLite connection.
 *
 * With synchronous = group and batch_writer = on it also runs the batch
 * writer (writer.h), which answers the visitors' writes for every worker.
 *
 * Shutdown: on SIGTERM or SIGINT the master shuts the listening socket
 * down, which makes every idle worker's accept() fail; a busy worker
 * finishes its request first. The writer stops taking workers too and
 * exits once the last one has gone. Workers ignore those signals themselves
 * (systemd and a terminal send them to the whole group), so an in-flight
 * request is never cut. Workers still running after the grace period are
 * killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <fcgios.h>
#include <sodium.h>

#include "admin_user.h"
#include "app.h"
#include "arena.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "page.h"
#include "route.h"
#include "token.h"
#include "tpl.h"
#include "writer.h"

#define WORKERS_MAX 64
#define GRACE_SECONDS 10
/*
 * Default workers per core with synchronous = group: a commit waits for
 * the shared fsync in its worker, so a rush needs many requests in flight
 * to fill the batches (bench/run shows the commits per fsync).
 */
#define WORKERS_PER_CORE 16
/* A worker checkpoints (PASSIVE) after answering once the WAL has this many pages. */
#define CHECKPOINT_PAGES 1000

static volatile sig_atomic_t stopping, reporting;

/* What the master's children share: the sockets, the settings, the workers. */
struct site {
	int listen_fd;			/* FastCGI, from nginx */
	int writer_fd;			/* the batch writer's; -1: none */
	const struct config *cfg;
	int workers;
};

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void on_report(int sig)
{
	(void)sig;
	reporting = 1;
}

/* SIGUSR2 to the master: log the group fsync's counters (bench/run reads them). */
static void report_group(const struct site *site)
{
	uint64_t commits, syncs, requests, batches, largest;

	reporting = 0;
	db_group_counts(&commits, &syncs);
	log_info("group fsync: %llu commits acknowledged in %llu fsyncs",
	    (unsigned long long)commits, (unsigned long long)syncs);
	if (site->writer_fd >= 0) {
		metrics_batch_counts(&requests, &batches, &largest);
		log_info("batch writer: %llu requests answered in %llu batches (largest %llu)",
		    (unsigned long long)requests, (unsigned long long)batches,
		    (unsigned long long)largest);
	}
}

/* Give the token module the site secret stored in the database. */
static int load_secret(struct db *db, char *err, size_t errlen)
{
	unsigned char secret[TOKEN_SECRET_LEN];

	if (db_secret(db, secret, sizeof(secret)) != 0 || token_init(secret) != 0) {
		snprintf(err, errlen, "the database has no usable site secret");
		return -1;
	}
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

struct db *app_db(struct app *app)
{
	char err[sizeof(app->db_error)];

	if (app->db != NULL)
		return app->db;
	if (clock_now() < app->db_retry_at)
		return NULL;
	app->db_retry_at = clock_now() + 1;
	app->db = db_open(app->cfg, 0, err, sizeof(err));
	if (app->db != NULL && (db_prepare(app->db, err, sizeof(err)) != 0 ||
	    load_secret(app->db, err, sizeof(err)) != 0)) {
		db_close(app->db);
		app->db = NULL;
	}
	if (app->db == NULL && strcmp(err, app->db_error) != 0) {
		log_error("%s", err);
		snprintf(app->db_error, sizeof(app->db_error), "%s", err);
	} else if (app->db != NULL && app->db_error[0] != '\0') {
		log_info("database %s is usable again", app->cfg->database);
		app->db_error[0] = '\0';
	}
	return app->db;
}

/*
 * Read the request body, at most max bytes, whatever CONTENT_LENGTH
 * claims. Returns 0, or 413 if there is more.
 */
static int read_body(FCGX_Stream *in, struct arena *a, long max,
    struct req_input *ri)
{
	size_t cap = 4096, len = 0, limit = (size_t)max + 1;
	char *buf = arena_alloc(a, cap), *bigger;
	int n;

	/* Grow as data arrives: most requests (GETs) carry no body at all. */
	while ((n = FCGX_GetStr(buf + len, (int)(cap - len), in)) > 0) {
		len += (size_t)n;
		if (len > (size_t)max)
			return 413;
		if (len == cap) {
			cap = 2 * cap < limit ? 2 * cap : limit;
			bigger = arena_alloc(a, cap);
			memcpy(bigger, buf, len);
			buf = bigger;
		}
	}
	ri->body = buf;
	ri->body_len = len;
	return 0;
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* The headers every response carries. */
static const char security_headers[] =
	"Content-Security-Policy: default-src 'self'; frame-ancestors 'none';"
	" base-uri 'none'; form-action 'self'\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"X-Frame-Options: DENY\r\n";

/* A streamed body's piece, to the FastCGI stream sink. */
static void put_out(void *sink, const char *s, size_t n)
{
	FCGX_PutStr(s, (int)n, sink);
}

/*
 * Write r's response: status line, headers, body (none for HEAD). Returns
 * 0, or -1 if a streamed body broke off.
 */
static int respond(FCGX_Stream *out, struct req *r)
{
	struct arena_buf head = { .a = r->a };
	const char *line;
	int i;

	line = arena_printf(r->a, "Status: %d %s\r\n%sReferrer-Policy: %s\r\n"
	    "Content-Type: %s\r\n%sCache-Control: %s\r\n",
	    r->status, status_text(r->status), security_headers,
	    r->referrer_policy != NULL ? r->referrer_policy : "same-origin",
	    r->content_type != NULL ? r->content_type : "text/plain; charset=utf-8",
	    r->stream != NULL ? "" : arena_printf(r->a, "Content-Length: %zu\r\n", r->body_len),
	    r->cache_control != NULL ? r->cache_control : "no-cache");
	arena_buf_put(&head, line, strlen(line));
	for (i = 0; i < r->nheaders; i++) {
		line = arena_printf(r->a, "%s: %s\r\n", r->headers[i].key, r->headers[i].val);
		arena_buf_put(&head, line, strlen(line));
	}
	arena_buf_put(&head, "\r\n", 2);
	FCGX_PutStr(head.buf, (int)head.len, out);
	if (r->method != M_HEAD && r->body_len > 0)
		FCGX_PutStr(r->body, (int)r->body_len, out);
	if (r->method != M_HEAD && r->stream != NULL)
		return r->stream(r, put_out, out);
	return 0;
}

/*
 * Parse, route, guard and run in's handler, with r's response and status
 * set. The writer runs this too, for the RF_BATCH requests workers hand
 * it (app->writer_fd is -1 there). *rtp: the route, NULL if none.
 */
static int answer(struct req *r, const struct req_input *in, struct app *app,
    const struct route **rtp)
{
	const struct route *rt = NULL;
	unsigned allowed;
	int status;

	if ((status = req_parse(r, in)) != 0) {
		/* r->error says why */
	} else if ((rt = route_find(r, &allowed)) == NULL) {
		status = allowed ? 405 : 404;
		if (allowed)
			req_header(r, "Allow", route_allow_header(r->a, allowed));
		/* Anonymous visitors learn nothing about which admin pages exist. */
		if (route_is_admin(r->path) && app_db(app) != NULL &&
		    route_guard(r, app, RF_ADMIN) == 303)
			status = 303;
	} else if (app_db(app) == NULL && (rt->flags & RF_DB)) {
		/* (Opened for every route: /healthz says why it is not.) */
		status = 503;
	} else if ((rt->flags & RF_BATCH) && app->writer_fd >= 0 &&
	    (status = writer_forward(app, in, r)) >= 0) {
		/* The writer's answer (a 503 without a page if it has none). */
	} else if ((status = route_guard(r, app, rt->flags)) == 0 &&
	    (status = field_check(r, rt->fields |
	    (rt->flags & RF_CSRF ? FIELD(F_CSRF) : 0))) == 0) {
		status = rt->fn(r, app);
	}
	/* Admin pages hold personal data: no browser or proxy may keep them. */
	if (r->path != NULL && route_is_admin(r->path))
		r->cache_control = "no-store";
	if (status >= 400 && r->body == NULL)
		status = page_error(r, app, status);
	*rtp = rt;
	return r->status = status;
}

/* answer() in the writer, which needs no route. */
static int answer_in_writer(struct req *r, const struct req_input *in, struct app *app)
{
	const struct route *rt;

	return answer(r, in, app, &rt);
}

/*
 * Answer one request: read it, answer(), send the response.
 * Returns 0, or -1 if the answer broke off after its headers were sent.
 */
static int serve(FCGX_Request *fr, struct app *app, struct arena *a)
{
	const struct route *rt = NULL;
	struct req_input in;
	struct timespec t0, t1;
	struct req r;
	int status, broke;

	memset(&in, 0, sizeof(in));
	in.request_id = FCGX_GetParam("REQUEST_ID", fr->envp);
	log_request(in.request_id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	req_init(&r, a);
	in.method = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	in.uri = FCGX_GetParam("REQUEST_URI", fr->envp);
	in.cookie = FCGX_GetParam("HTTP_COOKIE", fr->envp);
	in.content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	in.https = FCGX_GetParam("HTTPS", fr->envp);
	in.host = FCGX_GetParam("HTTP_HOST", fr->envp);
	in.port = FCGX_GetParam("SERVER_PORT", fr->envp);
	in.if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", fr->envp);
	in.remote_addr = FCGX_GetParam("REMOTE_ADDR", fr->envp);
	in.authorization = FCGX_GetParam("HTTP_AUTHORIZATION", fr->envp);
	in.idempotency_key = FCGX_GetParam("HTTP_IDEMPOTENCY_KEY", fr->envp);
	/* Admin forms list rows, with a checkbox each (on the raw URI: stricter if encoded). */
	in.max_fields = in.uri != NULL && route_is_admin(in.uri) ? REQ_ADMIN_FIELDS_MAX : 0;

	if ((status = read_body(fr->in, a, app->cfg->max_body, &in)) != 0) {
		r.error = arena_printf(a, "The form is larger than %ld KiB.",
		    app->cfg->max_body / 1024);
		r.status = status = page_error(&r, app, status);
	} else {
		status = answer(&r, &in, app, &rt);
	}
	broke = respond(fr->out, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_count(rt, status, (t1.tv_sec - t0.tv_sec) * 1000000LL +
	    (t1.tv_nsec - t0.tv_nsec) / 1000, app->db);
	/* What failed is in the lines above; which request it was, in this one. */
	if (status >= 500)
		log_error("answered %d to %s %s", status, in.method != NULL ? in.method : "?",
		    rt != NULL ? rt->pattern : "(no route)");
	log_request(NULL);
	return broke;
}

/*
 * End fr's answer, cut short after its headers went out, so that the client
 * sees it incomplete rather than as a whole file: nginx takes the end of
 * the connection (keep_conn off) for a complete answer, so the rest sent is
 * a record of an unknown FastCGI version, which makes nginx drop the
 * client's connection without the final chunk. The connection is closed.
 */
static void break_off(FCGX_Request *fr)
{
	static const char bad_record[8];	/* version 0 */
	ssize_t n;

	FCGX_FFlush(fr->out);
	n = write(fr->ipcFd, bad_record, sizeof(bad_record));
	(void)n;	/* nothing more can be done: the connection goes anyway */
	FCGX_Free(fr, 1);
}

/* A worker's life: accept and serve until the listening socket is shut. */
static void worker(const struct site *site)
{
	struct app app;
	struct arena *a = arena_new();
	FCGX_Request fr;
	int listen_fd = site->listen_fd;

	memset(&app, 0, sizeof(app));
	app.cfg = site->cfg;
	app.writer_fd = site->writer_fd;
	FCGX_InitRequest(&fr, listen_fd, 0);
	app_db(&app);
	while (FCGX_Accept_r(&fr) >= 0) {
		if (serve(&fr, &app, a) == 0)
			FCGX_Finish_r(&fr);
		else
			break_off(&fr);
		arena_reset(a);
		db_checkpoint(app.db, CHECKPOINT_PAGES);
	}
	FCGX_Free(&fr, 1);
	db_close(app.db);
	arena_free(a);
}

/* The writer's life: see writer_run(). */
static void writer(const struct site *site)
{
	struct app app;

	memset(&app, 0, sizeof(app));
	app.cfg = site->cfg;
	app.writer_fd = -1;	/* it answers, it does not hand over */
	prctl(PR_SET_NAME, "turnout-writer");
	writer_run(site->writer_fd, &app, answer_in_writer);
	db_close(app.db);
}

/* Slots 0 .. workers-1 are workers, slot `workers` the writer. */
static pid_t spawn(const struct site *site, pid_t master, int slot)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;
	/* A worker must not outlive a master killed with -9. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != master)
		_exit(1);
	/* The master's stop signals reach the whole group: requests are finished first. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	metrics_slot(slot);
	if (slot < site->workers)
		worker(site);
	else
		writer(site);
	close(site->listen_fd);
	OS_LibShutdown();
	exit(0);
}

/* Wait for every worker until the deadline, then kill the rest. */
static void reap_all(pid_t *pids, int n)
{
	time_t deadline = time(NULL) + GRACE_SECONDS;
	int alive = 0, i, st;
	pid_t pid;

	for (i = 0; i < n; i++)
		alive += pids[i] > 0;
	while (alive > 0) {
		pid = waitpid(-1, &st, WNOHANG);
		if (pid > 0) {
			for (i = 0; i < n; i++)
				if (pids[i] == pid) {
					pids[i] = 0;
					alive--;
				}
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			break;
		if (time(NULL) >= deadline) {
			log_error("%d worker(s) still busy after %d s: killing them",
			    alive, GRACE_SECONDS);
			for (i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
			deadline = time(NULL) + GRACE_SECONDS;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
}

/* Keep the workers and the writer running until told to stop. */
static void supervise(const struct site *site)
{
	pid_t pids[WORKERS_MAX + 1] = { 0 }, master = getpid(), pid;
	time_t started[WORKERS_MAX + 1] = { 0 };
	int n = site->workers + (site->writer_fd >= 0), i, st;
	const char *who;

	for (i = 0; i < n; i++) {
		pids[i] = spawn(site, master, i);
		started[i] = time(NULL);
	}
	log_info("serving on %s with %d worker(s)%s", site->cfg->socket, site->workers,
	    site->writer_fd >= 0 ? " and the batch writer" : "");
	while (!stopping) {
		if (reporting)
			report_group(site);
		pid = wait(&st);
		if (pid < 0)
			continue;	/* EINTR: a signal; the loop checks it */
		for (i = 0; i < n && pids[i] != pid; i++)
			;
		if (i == n)
			continue;
		who = i < site->workers ? "worker" : "writer";
		if (WIFSIGNALED(st))
			log_error("%s %ld killed by signal %d: starting another", who, (long)pid,
			    WTERMSIG(st));
		else
			log_error("%s %ld exited with status %d: starting another", who, (long)pid,
			    WEXITSTATUS(st));
		/* A worker that dies at once would otherwise fork in a tight loop. */
		if (time(NULL) - started[i] < 1)
			sleep(1);
		if (stopping) {
			pids[i] = 0;
			break;
		}
		pids[i] = spawn(site, master, i);
		started[i] = time(NULL);
	}
	log_info("stopping: finishing requests in progress");
	/* Wakes every accept() at once; connections already accepted live on. */
	shutdown(site->listen_fd, SHUT_RDWR);
	if (site->writer_fd >= 0)
		shutdown(site->writer_fd, SHUT_RDWR);
	reap_all(pids, n);
}

/* Remove a socket left by an earlier run; refuse to remove anything else. */
static void remove_stale_socket(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISSOCK(sb.st_mode))
		log_fatal("%s exists and is not a socket", path);
	unlink(path);
}

static void chgrp_socket(const char *path, const char *group)
{
	struct group *gr = getgrnam(group);

	if (gr == NULL)
		log_fatal("socket_group: no group named %s", group);
	if (chown(path, (uid_t)-1, gr->gr_gid) != 0)
		log_fatal("chgrp %s %s: %s", group, path, strerror(errno));
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct sigaction sa;
	struct site site = { .cfg = &cfg, .writer_fd = -1 };
	int listen_fd, n;

	config_from_args(&cfg, argc, argv, "turnout.fcgi");
	/* Loaded before the fork: every worker shares them. */
	tpl_init(cfg.templates, page_templates, 0);
	if (admin_user_init((size_t)cfg.password_memory_kib * 1024) != 0)
		log_fatal("cannot initialise libsodium or hash a password (password_memory_kib too large?)");

	if (FCGX_Init() != 0)
		log_fatal("FCGX_Init failed");
	remove_stale_socket(cfg.socket);
	if ((listen_fd = FCGX_OpenSocket(cfg.socket, 1024)) < 0)
		log_fatal("cannot listen on %s: %s", cfg.socket, strerror(errno));
	/* nginx reaches the socket through the group (www-data on a VPS). */
	if (chmod(cfg.socket, 0660) != 0)
		log_fatal("chmod %s: %s", cfg.socket, strerror(errno));
	if (cfg.socket_group[0] != '\0')
		chgrp_socket(cfg.socket, cfg.socket_group);

	/* libfcgi installed its own handlers in FCGX_Init: replace them. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_report;
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Before the fork: the workers share the fsyncs and the writer. */
	if (cfg.synchronous == SYNC_GROUP && db_group_init() != 0)
		log_fatal("cannot set up the group fsync");
	if (cfg.synchronous == SYNC_GROUP && cfg.batch_writer &&
	    (site.writer_fd = writer_init()) < 0)
		log_fatal("cannot set up the batch writer: %s", strerror(errno));
	n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (cfg.synchronous == SYNC_GROUP)
		n *= WORKERS_PER_CORE;
	if (cfg.workers > 0)
		n = cfg.workers;
	if (n > WORKERS_MAX)
		n = WORKERS_MAX;
	/* The writer counts in the slot after the workers'. */
	if (metrics_init(n + (site.writer_fd >= 0)) != 0)
		log_fatal("cannot map the workers' counters: %s", strerror(errno));
	site.listen_fd = listen_fd;
	site.workers = n;
	supervise(&site);
	db_group_free();
	if (site.writer_fd >= 0)
		close(site.writer_fd);

	unlink(cfg.socket);
	close(listen_fd);
	OS_LibShutdown();
	log_info("stopped");
	return 0;
}
