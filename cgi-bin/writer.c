/*
 * The batch writer: see writer.h. Workers and the writer talk over a unix
 * stream socket, one request at a time per worker; a message is its
 * length (4 bytes) and the fields, each string as its length and its
 * bytes with a NUL after them (NO_STRING for none), so the reader points
 * into the message instead of copying.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "arena.h"
#include "db.h"
#include "fdio.h"
#include "log.h"
#include "metrics.h"
#include "page.h"
#include "writer.h"

/* Requests in one batch, and workers connected, at most (WORKERS_MAX). */
#define BATCH_MAX 64
/* A larger request is answered by its worker; max_body is 64 KiB by default. */
#define MSG_MAX (1024 * 1024)
/*
 * How long the writer waits for the rest of a message or for a worker to
 * take its answer (a stopped worker must not stall every write).
 */
#define IO_TIMEOUT_MS 1000
#define NO_STRING UINT32_MAX

/* The request's strings, in message order. */
static const size_t in_strings[] = {
	offsetof(struct req_input, request_id), offsetof(struct req_input, method),
	offsetof(struct req_input, uri), offsetof(struct req_input, cookie),
	offsetof(struct req_input, content_type), offsetof(struct req_input, https),
	offsetof(struct req_input, host), offsetof(struct req_input, port),
	offsetof(struct req_input, if_none_match), offsetof(struct req_input, remote_addr),
	offsetof(struct req_input, authorization), offsetof(struct req_input, idempotency_key),
};

#define IN_STRING(in, i) (*(const char **)((char *)(in) + in_strings[i]))

int writer_init(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	/* An address of the family alone: the kernel picks an unused abstract name. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) != 0 ||
	    listen(fd, BATCH_MAX) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void put_u32(struct arena_buf *b, uint32_t v)
{
	arena_buf_put(b, (const char *)&v, sizeof(v));
}

static void put_bytes(struct arena_buf *b, const char *s, size_t n)
{
	put_u32(b, s != NULL ? (uint32_t)n : NO_STRING);
	if (s != NULL) {
		arena_buf_put(b, s, n);
		arena_buf_put(b, "", 1);	/* its NUL */
	}
}

static void put_str(struct arena_buf *b, const char *s)
{
	put_bytes(b, s, s != NULL ? strlen(s) : 0);
}

/* Patch the length in front once the message is whole. */
static void put_end(struct arena_buf *b)
{
	uint32_t len = (uint32_t)(b->len - sizeof(len));

	memcpy(b->buf, &len, sizeof(len));
}

/* Reading a message: a field past its end makes it bad. */
struct reader {
	const char *p;
	size_t left;
	int bad;
};

static uint32_t get_u32(struct reader *m)
{
	uint32_t v = 0;

	if (m->left < sizeof(v)) {
		m->bad = 1;
		return 0;
	}
	memcpy(&v, m->p, sizeof(v));
	m->p += sizeof(v);
	m->left -= sizeof(v);
	return v;
}

static const char *get_bytes(struct reader *m, size_t *n)
{
	uint32_t len = get_u32(m);
	const char *s = m->p;

	*n = 0;
	if (m->bad || len == NO_STRING)
		return NULL;
	if (len >= m->left || s[len] != '\0') {
		m->bad = 1;
		return NULL;
	}
	m->p += len + 1;
	m->left -= len + 1;
	*n = len;
	return s;
}

static const char *get_str(struct reader *m)
{
	size_t n;

	return get_bytes(m, &n);
}

/* One message from fd into arena a: 0 with m set, or -1 (gone, late or too long). */
static int read_msg(int fd, struct arena *a, struct reader *m)
{
	uint32_t len;
	char *buf;

	if (fd_read_all(fd, (char *)&len, sizeof(len)) != 0 || len > MSG_MAX)
		return -1;
	buf = arena_alloc(a, len + 1);
	if (fd_read_all(fd, buf, len) != 0)
		return -1;
	*m = (struct reader){ .p = buf, .left = len };
	return 0;
}

static void set_timeouts(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* The response's status and the writer's WAL size come first: put_reply's order. */
#define REPLY_PAGES_AT 8

static void put_reply(struct arena_buf *b, const struct req *r)
{
	int i;

	put_u32(b, 0);
	put_u32(b, (uint32_t)r->status);
	put_u32(b, 0);	/* the WAL's pages, once committed */
	put_str(b, r->content_type);
	put_str(b, r->referrer_policy);
	put_str(b, r->cache_control);
	put_u32(b, (uint32_t)r->nheaders);
	for (i = 0; i < r->nheaders; i++) {
		put_str(b, r->headers[i].key);
		put_str(b, r->headers[i].val);
	}
	put_bytes(b, r->body, r->body_len);
	put_end(b);
}

/* One request the writer holds until its batch is on disk. */
struct pending {
	int fd;			/* the worker's connection */
	struct arena *a;	/* the request's and its answer's */
	struct req_input in;
	struct arena_buf reply;
};

static int read_request(int fd, struct pending *p)
{
	struct reader m;
	size_t i;

	arena_reset(p->a);
	memset(&p->in, 0, sizeof(p->in));
	if (read_msg(fd, p->a, &m) != 0)
		return -1;
	for (i = 0; i < sizeof(in_strings) / sizeof(in_strings[0]); i++)
		IN_STRING(&p->in, i) = get_str(&m);
	p->in.body = get_bytes(&m, &p->in.body_len);
	p->in.max_fields = (int)get_u32(&m);
	p->fd = fd;
	p->reply = (struct arena_buf){ .a = p->a };
	return m.bad || m.left != 0 ? -1 : 0;
}

/*
 * Run the batch's handlers in one transaction and answer each worker
 * once it is on disk. If the batch cannot begin or commit, or an error
 * undid it (SQLite rolls the whole transaction back on a full disk),
 * nothing in it was saved and every request gets the same error: the
 * page of the request that undid it, or a status without a body (the
 * worker shows the page).
 */
static void run_batch(struct app *app, struct pending *p, int n, writer_answer_fn answer)
{
	struct arena_buf failed = { .a = p[0].a }, *fail = &failed;
	struct db *db = app_db(app);
	enum db_rc rc = DB_BUSY;	/* no database: busy, like a worker's RF_DB */
	uint32_t pages;
	struct req r;
	int i = 0;

	if (db != NULL && (rc = db_batch_begin(db)) == DB_OK) {
		for (i = 0; i < n; i++) {
			req_init(&r, p[i].a);
			log_request(p[i].in.request_id);
			r.status = answer(&r, &p[i].in, app);
			log_request(NULL);
			put_reply(&p[i].reply, &r);
			if (!db_batch_open(db))
				break;
		}
		if (i < n && r.status >= 500)
			fail = &p[i].reply;
		rc = db_batch_end(db, i == n);
		if (i < n)
			rc = DB_BUSY;	/* (a 503, unless the page says more) */
	}
	if (rc == DB_OK) {
		pages = (uint32_t)db_wal_pages(db);
		/* One worker checkpoints for the batch, after its answer. */
		memcpy(p[0].reply.buf + REPLY_PAGES_AT, &pages, sizeof(pages));
	} else if (fail == &failed) {
		req_init(&r, p[0].a);
		r.status = db_status(rc);
		put_reply(&failed, &r);
	}
	metrics_batch(n);
	metrics_gate(db);
	/* A worker that gave up waiting has gone: nothing to do. */
	for (i = 0; i < n; i++)
		fd_write_all(p[i].fd, rc == DB_OK ? p[i].reply.buf : fail->buf,
		    rc == DB_OK ? p[i].reply.len : fail->len);
}

/* A new worker's connection into conns; *listening = 0 once the site stops. */
static void accept_worker(int listen_fd, int *conns, int *nconns, int *listening)
{
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		/* The master shut the socket down: finish with those connected. */
		if (errno == EINVAL)
			*listening = 0;
		return;
	}
	/* The abstract namespace is open to every user of the machine. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 ||
	    peer.uid != geteuid() || *nconns == BATCH_MAX) {
		close(fd);
		return;
	}
	set_timeouts(fd, IO_TIMEOUT_MS);
	conns[(*nconns)++] = fd;
}

void writer_run(int listen_fd, struct app *app, writer_answer_fn answer)
{
	struct pending batch[BATCH_MAX];
	struct pollfd pfd[BATCH_MAX + 1];
	int conns[BATCH_MAX], nconns = 0, listening = 1, n, i, k, at;

	for (i = 0; i < BATCH_MAX; i++)
		batch[i].a = arena_new();
	app_db(app);
	log_info("batch writer %ld started", (long)getpid());
	while (listening || nconns > 0) {
		for (i = 0; i < nconns; i++)
			pfd[i] = (struct pollfd){ .fd = conns[i], .events = POLLIN };
		at = nconns;
		pfd[at] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)(nconns + listening), -1) <= 0)
			continue;	/* EINTR */
		/* Every worker waiting now is in this batch (one request each). */
		for (i = 0, n = 0; i < nconns; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (read_request(conns[i], &batch[n]) == 0) {
				n++;
				continue;
			}
			close(conns[i]);	/* the worker has gone */
			conns[i] = -1;
		}
		for (i = 0, k = 0; i < nconns; i++)
			if (conns[i] >= 0)
				conns[k++] = conns[i];
		nconns = k;
		if (n > 0)
			run_batch(app, batch, n, answer);
		if (listening && pfd[at].revents != 0)
			accept_worker(listen_fd, conns, &nconns, &listening);
	}
	for (i = 0; i < BATCH_MAX; i++)
		arena_free(batch[i].a);
}

/* This worker's connection to the writer; -1 until the first request. */
static int conn = -1;

static void drop_conn(void)
{
	if (conn >= 0)
		close(conn);
	conn = -1;
}

static int connect_writer(int listen_fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	int fd;

	if (getsockname(listen_fd, (struct sockaddr *)&sa, &len) != 0 ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, len) != 0) {
		close(fd);
		return -1;
	}
	set_timeouts(fd, IO_TIMEOUT_MS);
	return fd;
}

/* The writer's answer into r: its status, or -1 if the message is bad. */
static int take_reply(struct app *app, struct reader *m, struct req *r)
{
	const char *key, *val;
	uint32_t pages, nh, i;

	r->status = (int)get_u32(m);
	pages = get_u32(m);
	r->content_type = get_str(m);
	r->referrer_policy = get_str(m);
	r->cache_control = get_str(m);
	nh = get_u32(m);
	for (i = 0; i < nh && !m->bad; i++) {
		key = get_str(m);
		val = get_str(m);
		if (key != NULL && val != NULL)
			req_header(r, key, val);
	}
	r->body = (char *)get_bytes(m, &r->body_len);
	if (m->bad || m->left != 0 || r->status < 100 || r->status > 599)
		return -1;
	db_checkpoint_owed(app->db, (int)pages);
	return r->status;
}

int writer_forward(struct app *app, const struct req_input *in, struct req *r)
{
	struct arena_buf b = { .a = r->a };
	int wait_ms = 2 * app->cfg->busy_timeout_ms + IO_TIMEOUT_MS, tries, ready;
	struct pollfd pfd;
	struct reader m;
	size_t i;

	put_u32(&b, 0);
	for (i = 0; i < sizeof(in_strings) / sizeof(in_strings[0]); i++)
		put_str(&b, IN_STRING(in, i));
	put_bytes(&b, in->body, in->body_len);
	put_u32(&b, (uint32_t)in->max_fields);
	put_end(&b);
	if (b.len > MSG_MAX)
		return -1;
	/* A connection from before a writer restarted fails at once: once more on a new one. */
	for (tries = 0; ; tries++) {
		if (conn < 0 && (conn = connect_writer(app->writer_fd)) < 0)
			return -1;
		if (fd_write_all(conn, b.buf, b.len) == 0)
			break;
		drop_conn();
		if (tries == 1)
			return -1;
	}
	/*
	 * The writer waits up to busy_timeout_ms for the write gate and as
	 * long for the disk; past that it has stalled. Closing the connection
	 * then keeps its late answer from being taken for the next request's.
	 */
	pfd = (struct pollfd){ .fd = conn, .events = POLLIN };
	while ((ready = poll(&pfd, 1, wait_ms)) < 0 && errno == EINTR)
		;
	if (ready != 1 || read_msg(conn, r->a, &m) != 0 || take_reply(app, &m, r) < 0) {
		drop_conn();
		r->status = 503;
		r->body = NULL;
		r->body_len = 0;
		return 503;
	}
	return r->status;
}
