#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "health.h"
#include "metrics.h"

/* Route kinds, the label "kind": what a request costs differs by kind. */
enum kind { K_PAGE, K_JSON, K_WRITE, K_ADMIN, K_API, K_MONITOR, K_OTHER, K__MAX };
static const char *const kind_names[K__MAX] = {
	"page", "json", "write", "admin", "api", "monitor", "other"
};

/* Histogram bounds in microseconds (Prometheus "le" in seconds). */
static const long long bounds_us[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000
};
#define NBOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))

struct slot {
	uint64_t answers[K__MAX][5];		/* by status class 1xx..5xx */
	uint64_t le[K__MAX][NBOUNDS];		/* answered within bounds_us[i] */
	uint64_t micros[K__MAX];		/* sum of times taken */
	uint64_t busy;				/* 503 answers: busy, disk full, no database */
	uint64_t gate_waits, gate_wait_us;	/* queued for the write gate: times, time */
	uint64_t batch_requests, batches;	/* the batch writer's (its own slot) */
	uint64_t batch_largest;
};

/* This worker's connection's gate counts when last added (a new connection starts at 0). */
static uint64_t seen_waits, seen_wait_us;

static struct slot *slots, *mine;
static int nslots;

int metrics_init(int n)
{
	void *p = mmap(NULL, (size_t)n * sizeof(struct slot), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	slots = p;
	nslots = n;
	return 0;
}

void metrics_slot(int i)
{
	mine = slots != NULL && i >= 0 && i < nslots ? &slots[i] : NULL;
}

static enum kind kind_of(const struct route *rt)
{
	size_t n;

	if (rt == NULL)
		return K_OTHER;
	n = strlen(rt->pattern);
	/* A monitor's polls are not visitors' pages. */
	if (strcmp(rt->pattern, "/metrics") == 0 || strcmp(rt->pattern, "/healthz") == 0)
		return K_MONITOR;
	if (rt->flags & RF_JSON)
		return K_API;
	if (rt->flags & RF_ADMIN)
		return K_ADMIN;
	if (rt->methods & M_POST)
		return K_WRITE;
	return n > 5 && strcmp(rt->pattern + n - 5, ".json") == 0 ? K_JSON : K_PAGE;
}

/*
 * Only this worker writes its slot, one request at a time; a reader may
 * see a request's counts half added, never a torn number (aligned 64-bit
 * stores).
 */
void metrics_gate(struct db *db)
{
	uint64_t waits = 0, wait_us = 0;

	if (mine == NULL)
		return;
	if (db != NULL)
		db_gate_counts(db, &waits, &wait_us);
	if (waits < seen_waits)		/* the connection was opened again */
		seen_waits = seen_wait_us = 0;
	mine->gate_waits += waits - seen_waits;
	mine->gate_wait_us += wait_us - seen_wait_us;
	seen_waits = waits;
	seen_wait_us = wait_us;
}

void metrics_count(const struct route *rt, int status, long long micros, struct db *db)
{
	enum kind k = kind_of(rt);
	size_t i;

	if (mine == NULL)
		return;
	metrics_gate(db);
	if (status >= 100 && status < 600)
		mine->answers[k][status / 100 - 1]++;
	for (i = 0; i < NBOUNDS; i++)
		if (micros <= bounds_us[i])
			mine->le[k][i]++;
	mine->micros[k] += (uint64_t)(micros > 0 ? micros : 0);
	mine->busy += status == 503;
}

void metrics_batch(int n)
{
	if (mine == NULL)
		return;
	mine->batch_requests += (uint64_t)n;
	mine->batches++;
	if ((uint64_t)n > mine->batch_largest)
		mine->batch_largest = (uint64_t)n;
}

static void sum_slots(struct slot *t)
{
	int s, k;
	size_t i;

	memset(t, 0, sizeof(*t));
	for (s = 0; s < nslots; s++) {
		for (k = 0; k < K__MAX; k++) {
			for (i = 0; i < 5; i++)
				t->answers[k][i] += slots[s].answers[k][i];
			for (i = 0; i < NBOUNDS; i++)
				t->le[k][i] += slots[s].le[k][i];
			t->micros[k] += slots[s].micros[k];
		}
		t->busy += slots[s].busy;
		t->gate_waits += slots[s].gate_waits;
		t->gate_wait_us += slots[s].gate_wait_us;
		t->batch_requests += slots[s].batch_requests;
		t->batches += slots[s].batches;
		if (slots[s].batch_largest > t->batch_largest)
			t->batch_largest = slots[s].batch_largest;
	}
}

void metrics_batch_counts(uint64_t *requests, uint64_t *batches, uint64_t *largest)
{
	struct slot t;

	sum_slots(&t);
	*requests = t.batch_requests;
	*batches = t.batches;
	*largest = t.batch_largest;
}

/* The request counters, in Prometheus text. */
static char *requests_text(struct arena *a)
{
	uint64_t count, commits, syncs;
	struct slot t;
	char *out;
	size_t i;
	int k;

	sum_slots(&t);
	out = arena_printf(a,
	    "# HELP turnout_requests_total Requests answered by turnout.fcgi, by route kind"
	    " and status class.\n# TYPE turnout_requests_total counter\n");
	for (k = 0; k < K__MAX; k++)
		for (i = 0; i < 5; i++)
			out = arena_printf(a, "%sturnout_requests_total{kind=\"%s\",status=\"%zuxx\"}"
			    " %llu\n", out, kind_names[k], i + 1,
			    (unsigned long long)t.answers[k][i]);
	out = arena_printf(a, "%s# HELP turnout_request_seconds Time from reading a request"
	    " to its answer, by route kind.\n# TYPE turnout_request_seconds histogram\n", out);
	for (k = 0; k < K__MAX; k++) {
		for (count = 0, i = 0; i < 5; i++)
			count += t.answers[k][i];
		for (i = 0; i < NBOUNDS; i++)
			out = arena_printf(a, "%sturnout_request_seconds_bucket{kind=\"%s\","
			    "le=\"%g\"} %llu\n", out, kind_names[k], bounds_us[i] / 1e6,
			    (unsigned long long)t.le[k][i]);
		out = arena_printf(a, "%sturnout_request_seconds_bucket{kind=\"%s\",le=\"+Inf\"}"
		    " %llu\nturnout_request_seconds_sum{kind=\"%s\"} %.6f\n"
		    "turnout_request_seconds_count{kind=\"%s\"} %llu\n", out, kind_names[k],
		    (unsigned long long)count, kind_names[k], t.micros[k] / 1e6, kind_names[k],
		    (unsigned long long)count);
	}
	db_group_counts(&commits, &syncs);
	return arena_printf(a, "%s# HELP turnout_busy_answers_total 503 answers (the database"
	    " busy past busy_timeout_ms, the disk full, or no database).\n"
	    "# TYPE turnout_busy_answers_total counter\nturnout_busy_answers_total %llu\n"
	    "# HELP turnout_write_gate_waits_total Writes that queued for the write lock"
	    " behind another.\n# TYPE turnout_write_gate_waits_total counter\n"
	    "turnout_write_gate_waits_total %llu\n"
	    "# HELP turnout_write_gate_wait_seconds_total Time writes spent in that queue.\n"
	    "# TYPE turnout_write_gate_wait_seconds_total counter\n"
	    "turnout_write_gate_wait_seconds_total %.6f\n"
	    "# HELP turnout_group_commits_total Commits acknowledged after a shared fsync"
	    " (synchronous = group).\n# TYPE turnout_group_commits_total counter\n"
	    "turnout_group_commits_total %llu\n"
	    "# HELP turnout_group_fsyncs_total Fsyncs of the write-ahead log made for them.\n"
	    "# TYPE turnout_group_fsyncs_total counter\nturnout_group_fsyncs_total %llu\n"
	    "# HELP turnout_batch_requests_total Requests the batch writer answered.\n"
	    "# TYPE turnout_batch_requests_total counter\nturnout_batch_requests_total %llu\n"
	    "# HELP turnout_batch_transactions_total Transactions it made them in.\n"
	    "# TYPE turnout_batch_transactions_total counter\n"
	    "turnout_batch_transactions_total %llu\n",
	    out, (unsigned long long)t.busy, (unsigned long long)t.gate_waits,
	    t.gate_wait_us / 1e6, (unsigned long long)commits, (unsigned long long)syncs,
	    (unsigned long long)t.batch_requests, (unsigned long long)t.batches);
}

char *metrics_text(struct arena *a, struct app *app)
{
	char *out = requests_text(a);
	struct health h;
	int s;

	if (app->db == NULL || health_read(app->db, app->cfg, &h) != DB_OK)
		return arena_printf(a, "%sturnout_database_up 0\n", out);
	out = arena_printf(a, "%s# HELP turnout_database_up 1 if the database answers.\n"
	    "# TYPE turnout_database_up gauge\nturnout_database_up 1\n"
	    "# HELP turnout_outbox_messages E-mails in the outbox, by state (dead: given up"
	    " on, see /admin/outbox).\n# TYPE turnout_outbox_messages gauge\n", out);
	for (s = 0; s < OUTBOX__MAX; s++)
		out = arena_printf(a, "%sturnout_outbox_messages{state=\"%s\"} %lld\n", out,
		    outbox_state_name((enum outbox_state)s), (long long)h.outbox[s]);
	return arena_printf(a, "%s# HELP turnout_database_bytes Size of the database file and"
	    " of its write-ahead log.\n# TYPE turnout_database_bytes gauge\n"
	    "turnout_database_bytes{file=\"db\"} %lld\nturnout_database_bytes{file=\"wal\"} %lld\n"
	    "# HELP turnout_worker_last_pass_seconds When turnout-worker last did its"
	    " housekeeping (every minute while it runs), Unix time; 0: never.\n"
	    "# TYPE turnout_worker_last_pass_seconds gauge\n"
	    "turnout_worker_last_pass_seconds %lld\n", out, h.db_bytes, h.wal_bytes,
	    h.worker_pass);
}
