/*
 * commit-rate: how many RSVPs per second SQLite commits on this machine
 * without HTTP, the baseline bench/run divides POST /events/{slug}/rsvp
 * by. Each commit is the site's own transaction, rsvp_create(): BEGIN
 * IMMEDIATE (after the write gate), claim the form token, read the event,
 * check the e-mail, insert the RSVP (the triggers update the counters and
 * the analytics log), COMMIT, on the site's connection settings
 * (db_open: WAL, busy_timeout, synchronous FULL unless -n). With -b N,
 * N RSVPs to a transaction, each in its own savepoint (db_batch_begin), as
 * turnout.fcgi's batch writer makes them: SQLite's own work per RSVP,
 * without the commit each.
 *
 *   commit-rate [-d seconds] [-n] [-b batch] [-p processes] [-g on|off] [-D dir]
 *
 * It creates a fresh database in dir (default $TMPDIR or /tmp; put it on
 * the site's file system, fsync costs differ between file systems) with
 * one unlimited event, runs `processes` writers at once for `seconds`
 * (each its own connection, as each turnout.fcgi worker has), removes the
 * database, and prints one line:
 *
 *   rate 8123 commits/s p50 0.110 ms p99 0.420 ms p99.9 1.200 ms max 3.100 ms (...)
 *
 * Latency is per transaction (one rsvp_create() call without -b),
 * including the wait for the write
 * gate or SQLite's lock: with several processes, -g on against -g off
 * shows what queueing on the flock gate buys over SQLite's sleeping busy
 * handler.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "event.h"
#include "rsvp.h"
#include "token.h"

#define PROCS_MAX 16
#define BATCH_MAX 64
/* Latencies kept per process and second: above any rate seen here. */
#define LAT_PER_SECOND 200000
#define SLUG "bench-commit-rate"

/* One writer's results, in memory shared with the parent. */
struct slot {
	long commits, busy, errors;
	double elapsed;			/* seconds the writer ran */
	long nlat;			/* latencies recorded (<= cap) */
	int failed;			/* could not set up: message on stderr */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open the database as a turnout.fcgi worker does; NULL after a message. */
static struct db *open_db(const struct config *c, int create)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	char err[512] = "";
	struct db *db = db_open(c, create, err, sizeof(err));
	int from;

	if (db != NULL && create && db_migrate(db, &from, err, sizeof(err)) != 0)
		goto fail;
	if (db != NULL && db_prepare(db, err, sizeof(err)) == 0 &&
	    db_secret(db, secret, sizeof(secret)) == 0 && token_init(secret) == 0)
		return db;
	if (*err == '\0')
		snprintf(err, sizeof(err), "no usable site secret");
fail:
	fprintf(stderr, "commit-rate: %s\n", err);
	db_close(db);
	return NULL;
}

/* The event every RSVP goes to: published, unlimited, far from its start. */
static int create_event(struct db *db)
{
	struct event e = {
		.slug = SLUG, .title = "Commit rate", .description = "bench",
		.location = "here", .starts_at = clock_now() + 30 * 24 * 3600,
		.status = EVENT_PUBLISHED, .capacity = -1, .max_guests = 0,
	};

	if (event_create(db, &e) != DB_OK) {
		fprintf(stderr, "commit-rate: cannot create the event\n");
		return -1;
	}
	return 0;
}

/*
 * One writer: wait for the start (EOF on the barrier pipe, so all start
 * together), then RSVP with fresh tokens and e-mails until time is up,
 * batch RSVPs to a transaction.
 */
static void writer(const struct config *c, int k, int batch, int barrier, double seconds,
    struct slot *s, uint32_t *lat, long cap)
{
	char form[BATCH_MAX][TOKEN_FORM_HEX + 1], manage[BATCH_MAX][TOKEN_MANAGE_HEX + 1];
	char name[BATCH_MAX][64], email[BATCH_MAX][64];
	struct rsvp_input in = { .note = "" };
	struct rsvp_outcome out;
	struct db *db = open_db(c, 0);
	struct arena *a = arena_new();
	double start, t0, t1;
	long seq = 0;
	enum db_rc rc;
	int j;
	char b;

	if (db == NULL) {
		s->failed = 1;
		arena_free(a);
		return;
	}
	while (read(barrier, &b, 1) < 0 && errno == EINTR)
		;
	start = now_s();
	do {
		/* Tokens are made outside the timed part, as the site does. */
		for (j = 0; j < batch; j++, seq++) {
			token_form_new(form[j], clock_now(), "rsvp:" SLUG);
			token_manage_of(form[j], manage[j]);
			snprintf(name[j], sizeof(name[j]), "Bench %d-%ld", k, seq);
			snprintf(email[j], sizeof(email[j]), "p%d-%ld@example.org", k, seq);
		}
		t0 = now_s();
		rc = batch > 1 ? db_batch_begin(db) : DB_OK;
		for (j = 0; j < batch && rc == DB_OK; j++) {
			in.name = name[j];
			in.email = email[j];
			rc = rsvp_create(db, a, SLUG, &in, form[j], manage[j], &out);
			arena_reset(a);
		}
		if (batch > 1 && rc == DB_OK)
			rc = db_batch_end(db, 1);
		else if (batch > 1 && j > 0)
			db_batch_end(db, 0);
		t1 = now_s();
		if (rc == DB_OK)
			s->commits += batch;
		else if (rc == DB_BUSY)
			s->busy++;
		else if (++s->errors > 100)
			break;	/* something is wrong: do not spin on it */
		if (s->nlat < cap)
			lat[s->nlat++] = (uint32_t)((t1 - t0) * 1e6 + 0.5);
	} while (t1 - start < seconds);
	s->elapsed = t1 - start;
	arena_free(a);
	db_close(db);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (nearest rank) of n sorted values, in ms. */
static double quantile_ms(const uint32_t *v, long n, double q)
{
	long i = (long)(q * (double)n + 0.999999) - 1;

	if (n == 0)
		return 0;
	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	return v[i] / 1000.0;
}

static void usage(void)
{
	fprintf(stderr, "usage: commit-rate [-d seconds] [-n] [-b batch] [-p processes]"
	    " [-g on|off] [-D dir]\n"
	    "  -d  how long to commit (default 5)\n"
	    "  -b  RSVPs to a transaction, each in a savepoint, 1-%d (default 1); the rate\n"
	    "      counts RSVPs, the latencies are per transaction\n"
	    "  -n  synchronous = normal (default full: one fsync per commit)\n"
	    "  -p  writer processes at once, 1-%d (default 1)\n"
	    "  -g  the write gate (default on, as the site)\n"
	    "  -D  directory for the temporary database (default $TMPDIR or /tmp)\n",
	    BATCH_MAX, PROCS_MAX);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dir = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	double seconds = 5, elapsed = 0;
	int procs = 1, batch = 1, opt, k, st, fds[2], failed = 0;
	long cap, commits = 0, busy = 0, errors = 0, n = 0, i, least = 0, most = 0;
	struct slot *slots;
	uint32_t *lat, *all;
	struct config c;
	struct db *db;
	pid_t pid;

	config_defaults(&c);
	/* One fsync per commit, as the site before group fsync. */
	c.synchronous = SYNC_FULL;
	while ((opt = getopt(argc, argv, "d:nb:p:g:D:")) != -1) {
		switch (opt) {
		case 'd': seconds = atof(optarg); break;
		case 'b': batch = atoi(optarg); break;
		case 'n': c.synchronous = SYNC_NORMAL; break;
		case 'p': procs = atoi(optarg); break;
		case 'g':
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				usage();
			c.write_gate = strcmp(optarg, "on") == 0;
			break;
		case 'D': dir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || seconds <= 0 || seconds > 3600 || procs < 1 ||
	    procs > PROCS_MAX || batch < 1 || batch > BATCH_MAX)
		usage();
	snprintf(c.data_dir, sizeof(c.data_dir), "%s", dir);
	if ((size_t)snprintf(c.database, sizeof(c.database), "%s/commit-rate-%ld.db",
	    dir, (long)getpid()) >= sizeof(c.database)) {
		fprintf(stderr, "commit-rate: directory name too long\n");
		return 2;
	}

	if ((db = open_db(&c, 1)) == NULL)
		return 1;
	if (create_event(db) != 0) {
		db_close(db);
		failed = 1;
		goto out;
	}
	db_close(db);

	/* Shared with the writers: untouched pages cost nothing. */
	cap = (long)(seconds + 1) * LAT_PER_SECOND;
	slots = mmap(NULL, sizeof(*slots) * PROCS_MAX, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	lat = mmap(NULL, sizeof(*lat) * (size_t)cap * (size_t)procs,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (slots == MAP_FAILED || lat == MAP_FAILED || pipe(fds) != 0) {
		perror("commit-rate");
		failed = 1;
		goto out;
	}
	memset(slots, 0, sizeof(*slots) * PROCS_MAX);
	for (k = 0; k < procs; k++) {
		if ((pid = fork()) < 0) {
			perror("commit-rate: fork");
			failed = 1;
			break;
		}
		if (pid == 0) {
			close(fds[1]);
			writer(&c, k, batch, fds[0], seconds, &slots[k], lat + (size_t)k * (size_t)cap, cap);
			_exit(slots[k].failed);
		}
	}
	/* Every writer is forked (and opening its connection): start them. */
	close(fds[1]);
	close(fds[0]);
	while (wait(&st) > 0 || errno == EINTR)
		;
	for (k = 0; k < procs; k++) {
		failed |= slots[k].failed;
		commits += slots[k].commits;
		busy += slots[k].busy;
		errors += slots[k].errors;
		if (slots[k].elapsed > elapsed)
			elapsed = slots[k].elapsed;
		if (k == 0 || slots[k].commits < least)
			least = slots[k].commits;
		if (slots[k].commits > most)
			most = slots[k].commits;
		n += slots[k].nlat;
	}
	if (failed || elapsed <= 0)
		goto out;

	/* Gather every process's latencies into one sorted list. */
	if ((all = malloc(sizeof(*all) * (size_t)(n > 0 ? n : 1))) == NULL) {
		perror("commit-rate");
		failed = 1;
		goto out;
	}
	for (n = 0, k = 0; k < procs; k++)
		for (i = 0; i < slots[k].nlat; i++)
			all[n++] = lat[(size_t)k * (size_t)cap + (size_t)i];
	qsort(all, (size_t)n, sizeof(*all), cmp_u32);
	/*
	 * Percentiles over commits favour the process that commits most: one
	 * starved in SQLite's busy handler adds few, slow commits. The spread
	 * of commits per process and the maximum show such starvation.
	 */
	printf("rate %.0f commits/s p50 %.3f ms p99 %.3f ms p99.9 %.3f ms max %.3f ms"
	    " (%ld commits in %.2f s, %d process%s with %ld-%ld each, gate %s,"
	    " synchronous %s, %d to a transaction, %ld busy, %ld errors)\n",
	    (double)commits / elapsed, quantile_ms(all, n, 0.50),
	    quantile_ms(all, n, 0.99), quantile_ms(all, n, 0.999),
	    quantile_ms(all, n, 1.0), commits, elapsed, procs, procs == 1 ? "" : "es",
	    least, most, c.write_gate ? "on" : "off",
	    c.synchronous == SYNC_FULL ? "full" : "normal", batch, busy, errors);
	free(all);
	failed = errors > 0;
out:
	/* The database and its WAL were only ever this run's. */
	for (k = 0; k < 3; k++) {
		char path[sizeof(c.database) + 8];

		snprintf(path, sizeof(path), "%s%s", c.database,
		    k == 0 ? "" : k == 1 ? "-wal" : "-shm");
		unlink(path);
	}
	return failed;
}
