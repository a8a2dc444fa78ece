/* The outbox: enqueue with RSVP changes, claims and leases, retries, dead
 * letters and the admin actions, reminders and housekeeping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "alert.h"
#include "clock.h"
#include "event.h"
#include "hygiene.h"
#include "idem.h"
#include "mine.h"
#include "outbox.h"
#include "rsvp.h"
#include "testdb.h"
#include "token.h"

#define NOW 1800000000
#define DAY 86400

struct fixture {
	struct testdb t;
	int n;
	char form[32][TOKEN_FORM_HEX + 1];
	char manage[32][TOKEN_MANAGE_HEX + 1];
};

static struct fixture *F;

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));
	struct event e = {
		.slug = "run", .title = "Run", .description = "", .location = "Park",
		.starts_at = NOW + 7 * DAY, .status = EVENT_PUBLISHED, .capacity = 2,
		.max_guests = 1,
	};

	testdb_open_event(&f->t, NOW, &e);
	*state = F = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	testdb_close(&f->t);
	test_free(f);
	return 0;
}

#define count(sql) testdb_int(F->t.db, sql)

/* RSVP name (name@example.org) with guests; returns the token index. */
static int rsvp(const char *name, int guests, enum db_rc want)
{
	struct rsvp_input in = { .name = name, .note = "", .guests = guests };
	struct rsvp_outcome out;
	char email[64];
	int i = F->n++;

	snprintf(email, sizeof(email), "%s@example.org", name);
	in.email = email;
	token_form_new(F->form[i], clock_now(), "t");
	token_manage_of(F->form[i], F->manage[i]);
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "run", &in, F->form[i], F->manage[i], &out),
	    want);
	return i;
}

static void cancel(int i)
{
	struct rsvp_outcome out;
	char form[TOKEN_FORM_HEX + 1];

	token_form_new(form, clock_now(), "t");
	assert_int_equal(rsvp_cancel(F->t.db, F->t.a, F->manage[i], form, &out), DB_OK);
}

/* Claim at most one message into *m; DB_NOTFOUND when none is due. */
static enum db_rc claim_one(int lease, struct outbox_msg **m)
{
	enum db_rc rc;
	int n;

	rc = outbox_claim(F->t.db, F->t.a, lease, 1, m, &n);
	assert_int_equal(n, rc == DB_OK);
	return rc;
}

/* Mark the n msgs sent; returns how many another worker had taken over. */
static int sent(const struct outbox_msg *msgs, int n)
{
	int taken;

	assert_int_equal(outbox_sent(F->t.db, msgs, n, &taken), DB_OK);
	return taken;
}

static void test_backoff_schedule(void **state)
{
	struct config c;
	const int64_t want[] = { 30, 120, 480, 1800, 7200 };
	int i;

	(void)state;
	config_defaults(&c);
	for (i = 1; i <= 5; i++) {
		assert_int_equal(outbox_backoff(&c, i, 0), want[i - 1]);
		/* Jitter adds at most a fifth of the delay. */
		assert_int_equal(outbox_backoff(&c, i, UINT32_MAX),
		    want[i - 1] + UINT32_MAX % (uint32_t)(want[i - 1] / 5 + 1));
		assert_true(outbox_backoff(&c, i, 12345) <= want[i - 1] * 6 / 5);
	}
	assert_int_equal(outbox_backoff(&c, 6, 0), -1);
	assert_int_equal(outbox_backoff(&c, 0, 0), -1);
}

/* Every RSVP status change enqueues its message in the same transaction. */
static void test_enqueued_with_changes(void **state)
{
	struct rsvp_outcome out;
	struct rsvp_input in = { .name = "ann", .email = "ann@example.org", .note = "" };
	char link[200];
	int ann, bob;

	(void)state;
	ann = rsvp("ann", 1, DB_OK);		/* confirmed: fills both places */
	bob = rsvp("bob", 0, DB_OK);		/* waitlisted */
	assert_int_equal(count("SELECT count(*) FROM outbox"), 2);
	snprintf(link, sizeof(link), "SELECT count(*) FROM outbox WHERE kind = 'confirmed'"
	    " AND link_token = '%s' AND recipient = 'ann@example.org'", F->manage[ann]);
	assert_int_equal(count(link), 1);
	snprintf(link, sizeof(link), "SELECT count(*) FROM outbox WHERE kind = 'waitlisted'"
	    " AND link_token = '%s'", F->manage[bob]);
	assert_int_equal(count(link), 1);
	/* A replayed form changes nothing and enqueues nothing. */
	assert_int_equal(rsvp_create(F->t.db, F->t.a, "run", &in, F->form[ann], F->manage[ann],
	    &out), DB_OK);
	assert_true(out.replayed);
	assert_int_equal(count("SELECT count(*) FROM outbox"), 2);
	/*
	 * Cancelling ann promotes bob: two messages, the cancellation without a
	 * link, the promotion with a new one of bob's own.
	 */
	cancel(ann);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind = 'cancelled'"
	    " AND link_token IS NULL"), 1);
	snprintf(link, sizeof(link), "SELECT count(*) FROM outbox WHERE kind = 'promoted'"
	    " AND recipient = 'bob@example.org' AND length(link_token) = 32"
	    " AND link_token <> '%s'", F->manage[bob]);
	assert_int_equal(count(link), 1);
	assert_int_equal(count("SELECT count(*) FROM rsvp_link"), 1);
	/* A refused RSVP (duplicate address) rolls its message back too. */
	rsvp("bob", 0, DB_CONFLICT);
	assert_int_equal(count("SELECT count(*) FROM outbox"), 4);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'pending'"), 4);
}

static void test_dedupe_key(void **state)
{
	(void)state;
	rsvp("ann", 0, DB_OK);
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO outbox (kind, dedupe_key,"
	    " recipient, name, event_id, next_attempt_at, created_at) SELECT kind,"
	    " dedupe_key, recipient, name, event_id, 0, 0 FROM outbox", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT_UNIQUE);
	/* Header injection cannot even be stored. */
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO outbox (kind, dedupe_key,"
	    " recipient, name, event_id, next_attempt_at, created_at) VALUES ('resend', 'x',"
	    " 'a@b.c' || char(13, 10) || 'Bcc: x@y.z', 'n', 1, 0, 0)", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT_CHECK);
}

/* Claim, fail for now, retry after the backoff, succeed. */
static void test_retry_then_sent(void **state)
{
	struct outbox_msg *m, *none;
	struct config c;
	int dead;

	(void)state;
	config_defaults(&c);
	rsvp("ann", 0, DB_OK);
	assert_int_equal(claim_one(300, &m), DB_OK);
	assert_string_equal(m->kind, "confirmed");
	assert_string_equal(m->recipient, "ann@example.org");
	assert_string_equal(m->name, "ann");
	assert_non_null(m->link_token);
	assert_int_equal(m->attempts, 1);
	assert_int_equal(m->lease_until, 1800000300);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sending'"
	    " AND lease_until = 1800000300"), 1);
	/* Leased: no other worker gets it. */
	assert_int_equal(claim_one(300, &none), DB_NOTFOUND);
	assert_int_equal(outbox_failed(F->t.db, &c, m, 0, "451 try later", &dead), DB_OK);
	assert_false(dead);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'pending'"
	    " AND next_attempt_at BETWEEN 1800000030 AND 1800000036"
	    " AND last_error = '451 try later' AND lease_until IS NULL"), 1);
	assert_int_equal(claim_one(300, &m), DB_NOTFOUND);
	clock_set(NOW + 36);
	assert_int_equal(claim_one(300, &m), DB_OK);
	assert_int_equal(m->attempts, 2);
	assert_int_equal(sent(m, 1), 0);
	/* Sent: the plain link is gone from the database. */
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sent'"
	    " AND sent_at = 1800000036 AND link_token IS NULL AND last_error IS NULL"), 1);
	assert_int_equal(claim_one(300, &m), DB_NOTFOUND);
}

/* A worker that dies mid-send: its lease runs out and another takes over. */
static void test_lease_expiry(void **state)
{
	struct outbox_msg *first, *second;

	(void)state;
	rsvp("ann", 0, DB_OK);
	assert_int_equal(claim_one(60, &first), DB_OK);
	clock_set(NOW + 59);
	assert_int_equal(claim_one(60, &second), DB_NOTFOUND);
	clock_set(NOW + 60);
	assert_int_equal(claim_one(60, &second), DB_OK);
	assert_int_equal(second->id, first->id);
	assert_int_equal(second->attempts, 2);
	/* The first worker wakes up late: the row is no longer its own. */
	assert_int_equal(sent(first, 1), 1);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sending'"), 1);
	assert_int_equal(sent(second, 1), 0);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sent'"), 1);
}

/*
 * Five messages due in the order e, d, c, b, a (ids 5..1), b and a at the
 * same time: a before b by id.
 */
static void five_due(void)
{
	rsvp("a", 0, DB_OK);
	rsvp("b", 0, DB_OK);
	rsvp("c", 0, DB_OK);
	rsvp("d", 0, DB_OK);
	rsvp("e", 0, DB_OK);
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE outbox SET next_attempt_at ="
	    " min(1799999980, 1800000000 - 10 * id)", NULL, NULL, NULL), SQLITE_OK);
}

/* The recipients of msgs[0..n), as "a b c". */
static const char *who(const struct outbox_msg *msgs, int n)
{
	static char out[200];
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%c", i ? " " : "",
		    msgs[i].recipient[0]);
	return out;
}

/* A batch: at most max, in queue order, all leased; leased rows stay out. */
static void test_batch_claim(void **state)
{
	struct outbox_msg *one, *two;
	int n, i;

	(void)state;
	five_due();
	assert_int_equal(outbox_claim(F->t.db, F->t.a, 300, 3, &one, &n), DB_OK);
	assert_int_equal(n, 3);
	assert_string_equal(who(one, n), "e d c");
	for (i = 0; i < n; i++) {
		assert_int_equal(one[i].attempts, 1);
		assert_int_equal(one[i].lease_until, NOW + 300);
	}
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sending'"
	    " AND attempts = 1 AND lease_until = 1800000300"), 3);
	/* Another worker gets the rest, not the leased ones. */
	clock_set(NOW + 10);
	assert_int_equal(outbox_claim(F->t.db, F->t.a, 300, 32, &two, &n), DB_OK);
	assert_string_equal(who(two, n), "a b");
	assert_int_equal(two[0].lease_until, NOW + 310);
	assert_int_equal(outbox_claim(F->t.db, F->t.a, 300, 32, &two, &n), DB_NOTFOUND);
	assert_int_equal(n, 0);
	/* The first lease runs out: only its rows come back, tried once more. */
	clock_set(NOW + 300);
	assert_int_equal(outbox_claim(F->t.db, F->t.a, 300, 32, &two, &n), DB_OK);
	assert_string_equal(who(two, n), "e d c");
	assert_int_equal(two[2].attempts, 2);
}

/* Each row of a sent batch is fenced: one taken over stays the new holder's. */
static void test_batch_sent_fenced(void **state)
{
	struct outbox_msg *old, *new;
	int n;

	(void)state;
	five_due();
	assert_int_equal(outbox_claim(F->t.db, F->t.a, 60, 2, &old, &n), DB_OK);
	assert_string_equal(who(old, n), "e d");
	/* The holder hangs past its lease; another worker takes e over. */
	clock_set(NOW + 60);
	assert_int_equal(claim_one(60, &new), DB_OK);
	assert_string_equal(new->recipient, "e@example.org");
	assert_int_equal(new->attempts, 2);
	assert_int_equal(sent(old, 2), 1);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sent'"
	    " AND recipient = 'd@example.org'"), 1);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sending'"
	    " AND recipient = 'e@example.org' AND attempts = 2"), 1);
	assert_int_equal(sent(new, 1), 0);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sent'"), 2);
}

/* Released rows are due again at once, their claim's attempt undone. */
static void test_release(void **state)
{
	struct outbox_msg *msgs, *again;
	int n;

	(void)state;
	five_due();
	assert_int_equal(outbox_claim(F->t.db, F->t.a, 300, 3, &msgs, &n), DB_OK);
	assert_int_equal(sent(msgs, 1), 0);
	assert_int_equal(outbox_release(F->t.db, msgs + 1, 2), DB_OK);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'pending'"
	    " AND attempts = 0 AND lease_until IS NULL"), 4);
	assert_int_equal(outbox_claim(F->t.db, F->t.a, 300, 32, &again, &n), DB_OK);
	assert_string_equal(who(again, n), "d c a b");
	assert_int_equal(again[0].attempts, 1);
	/* A row taken over after the lease is not the old holder's to release. */
	clock_set(NOW + 300);
	assert_int_equal(claim_one(300, &msgs), DB_OK);
	assert_string_equal(msgs->recipient, "d@example.org");
	assert_int_equal(outbox_release(F->t.db, again, 1), DB_OK);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE state = 'sending'"
	    " AND recipient = 'd@example.org' AND attempts = 2"), 1);
}

/* Out of attempts or refused for good: dead; the admin retries or discards. */
static void test_dead_letters_and_admin(void **state)
{
	int64_t counts[OUTBOX__MAX];
	struct outbox_dead *list;
	struct outbox_msg *m;
	struct config c;
	int dead, n, i;

	(void)state;
	config_defaults(&c);
	c.mail_retry_n = 2;
	rsvp("ann", 0, DB_OK);
	rsvp("bob", 0, DB_OK);
	assert_int_equal(outbox_retry(F->t.db, 0, &n), DB_NOTFOUND);
	/* ann: a 550 kills it at once. */
	assert_int_equal(claim_one(300, &m), DB_OK);
	assert_int_equal(outbox_failed(F->t.db, &c, m, 1, "550 no such user", &dead), DB_OK);
	assert_true(dead);
	/* bob: three temporary failures use up the two retries. */
	for (i = 0; i < 3; i++) {
		clock_set(NOW + 100000 * (i + 1));
		assert_int_equal(claim_one(300, &m), DB_OK);
		assert_string_equal(m->recipient, "bob@example.org");
		assert_int_equal(outbox_failed(F->t.db, &c, m, 0, "421 busy", &dead), DB_OK);
		assert_int_equal(dead, i == 2);
	}
	assert_int_equal(outbox_counts(F->t.db, counts), DB_OK);
	assert_int_equal(counts[OUTBOX_DEAD], 2);
	assert_int_equal(counts[OUTBOX_PENDING] + counts[OUTBOX_SENDING] + counts[OUTBOX_SENT], 0);
	assert_int_equal(outbox_dead_list(F->t.db, F->t.a, &list, &n), DB_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].recipient, "ann@example.org");
	assert_string_equal(list[0].error, "550 no such user");
	assert_string_equal(list[0].event_slug, "run");
	assert_int_equal(list[1].attempts, 3);
	/* Retry one: pending again with every attempt back. */
	assert_int_equal(outbox_retry(F->t.db, list[0].id, &n), DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(outbox_retry(F->t.db, list[0].id, &n), DB_NOTFOUND);
	assert_int_equal(claim_one(300, &m), DB_OK);
	assert_int_equal(m->attempts, 1);
	assert_string_equal(m->recipient, "ann@example.org");
	assert_int_equal(sent(m, 1), 0);
	/* Discard all: kept as discarded, so nothing re-enqueues it. */
	assert_int_equal(outbox_discard(F->t.db, 0, &n), DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(outbox_counts(F->t.db, counts), DB_OK);
	assert_int_equal(counts[OUTBOX_DISCARDED], 1);
	assert_int_equal(counts[OUTBOX_SENT], 1);
	assert_int_equal(outbox_discard(F->t.db, 0, &n), DB_NOTFOUND);
	assert_int_equal(outbox_retry(F->t.db, 0, &n), DB_NOTFOUND);
}

/* Claim the next message, check it is for whom and give up on it (permanent failure). */
static void dies(const struct config *c, const char *recipient)
{
	struct outbox_msg *m;
	int dead;

	assert_int_equal(claim_one(300, &m), DB_OK);
	assert_string_equal(m->recipient, recipient);
	assert_int_equal(outbox_failed(F->t.db, c, m, 1, "550 no such user", &dead), DB_OK);
	assert_true(dead);
}

/*
 * Letters going dead alert each address of alert_to once, at most once an
 * hour; letters reported do not alert again, nor do dead alerts.
 */
static void test_alert_dead(void **state)
{
	struct outbox_dead *list;
	struct outbox_msg *m;
	struct config c;
	int n, dead;

	(void)state;
	c = F->t.cfg;
	assert_int_equal(config_parse(&c, "alert_to = ops@example.org, boss@example.org\n",
	    (char[128]){ 0 }, 128), 0);
	rsvp("ann", 0, DB_OK);
	rsvp("bob", 0, DB_OK);
	assert_int_equal(alert_dead(F->t.db, &c, &n), DB_OK);
	assert_int_equal(n, 0);
	dies(&c, "ann@example.org");
	/* Without alert_to, nothing. */
	assert_int_equal(alert_dead(F->t.db, &F->t.cfg, &n), DB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(alert_dead(F->t.db, &c, &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind = 'alert' AND state ="
	    " 'pending' AND event_id IS NULL AND recipient IN ('ops@example.org',"
	    " 'boss@example.org')"), 2);
	assert_int_equal(alert_dead(F->t.db, &c, &n), DB_OK);
	assert_int_equal(n, 0);
	/* Another dead letter in the same hour: that hour's alerts went already. */
	clock_set(NOW + 3599);
	dies(&c, "bob@example.org");
	assert_int_equal(alert_dead(F->t.db, &c, &n), DB_OK);
	assert_int_equal(n, 0);
	/* The next hour reports it. */
	clock_set(NOW + 3600);
	assert_int_equal(alert_dead(F->t.db, &c, &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind = 'alert'"), 4);
	/* Reported letters stay dead without alerting every hour. */
	clock_set(NOW + 3 * 3600);
	assert_int_equal(alert_dead(F->t.db, &c, &n), DB_OK);
	assert_int_equal(n, 0);
	/* An alert the mail server refuses is not alerted about: it would go the same way. */
	assert_int_equal(claim_one(300, &m), DB_OK);
	assert_string_equal(m->kind, "alert");
	assert_int_equal(m->event_id, 0);
	assert_int_equal(outbox_failed(F->t.db, &c, m, 1, "550 no such admin", &dead), DB_OK);
	clock_set(NOW + 4 * 3600);
	assert_int_equal(alert_dead(F->t.db, &c, &n), DB_OK);
	assert_int_equal(n, 0);
	/* The dead letters' list shows it, with no event. */
	assert_int_equal(outbox_dead_list(F->t.db, F->t.a, &list, &n), DB_OK);
	assert_int_equal(n, 3);
	assert_string_equal(list[2].kind, "alert");
	assert_string_equal(list[2].event_slug, "");
	/* Only an alert has no event, and an alert has none. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO outbox (kind,"
	    " dedupe_key, recipient, name, next_attempt_at, created_at) VALUES ('confirmed',"
	    " 'x', 'ann@example.org', 'Ann', 1, 1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO outbox (kind,"
	    " dedupe_key, recipient, name, event_id, next_attempt_at, created_at) SELECT"
	    " 'alert', 'y', 'ops@example.org', 'admin', id, 1, 1 FROM event", NULL, NULL, NULL),
	    SQLITE_OK);
}

/* One reminder per confirmed RSVP once the event is within the window. */
static void test_reminders(void **state)
{
	int n, late;

	(void)state;
	rsvp("ann", 0, DB_OK);
	rsvp("bob", 0, DB_OK);
	cancel(rsvp("cy", 0, DB_OK));			/* cancelled: no reminder */
	rsvp("dee", 1, DB_OK);				/* waitlisted: none either */
	clock_set(NOW + 6 * DAY - 1);			/* 24 h + 1 s before */
	assert_int_equal(outbox_remind(F->t.db, 24, &n), DB_OK);
	assert_int_equal(n, 0);
	clock_set(NOW + 6 * DAY + 3600);
	late = rsvp("eve", 0, DB_OK);		/* inside the window: just confirmed */
	(void)late;
	assert_int_equal(outbox_remind(F->t.db, 24, &n), DB_OK);
	assert_int_equal(n, 2);
	/* Exactly once, however often the worker (or two workers) sweep. */
	assert_int_equal(outbox_remind(F->t.db, 24, &n), DB_OK);
	assert_int_equal(n, 0);
	/* The event is done: later sweeps no longer read its RSVPs. */
	assert_int_equal(count("SELECT reminded FROM event"), 1);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind = 'reminder'"
	    " AND recipient IN ('ann@example.org', 'bob@example.org')"), 2);
	/* After the start, nobody is reminded. */
	clock_set(NOW + 7 * DAY);
	assert_int_equal(outbox_remind(F->t.db, 24, &n), DB_OK);
	assert_int_equal(n, 0);
}

/* Resend one link: rotate the token, e-mail that address only, rate-limited. */
static void resend(const char *email, const char *form, int want_queued, int want_replayed)
{
	char manage[TOKEN_MANAGE_HEX + 1];
	struct rsvp_outcome out;
	int queued;

	token_manage_of(form, manage);
	assert_int_equal(rsvp_resend(F->t.db, "run", email, form, manage, &out, &queued),
	    DB_OK);
	assert_int_equal(queued, want_queued);
	assert_int_equal(out.replayed, want_replayed);
}

static void test_resend_link(void **state)
{
	char form[5][TOKEN_FORM_HEX + 1], manage[TOKEN_MANAGE_HEX + 1], sql[200];
	struct event e;
	struct rsvp r;
	int ann, i;

	(void)state;
	ann = rsvp("ann", 0, DB_OK);
	for (i = 0; i < 5; i++)
		token_form_new(form[i], clock_now(), "resend:run");
	/* No RSVP for that address: nothing is sent (the page says the same). */
	resend("nobody@example.org", form[0], 0, 0);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind = 'resend'"), 0);
	resend("ann@example.org", form[1], 1, 0);
	token_manage_of(form[1], manage);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE kind = 'resend' AND"
	    " recipient = 'ann@example.org' AND link_token = '%s'", manage);
	assert_int_equal(count(sql), 1);
	/* The new link works, and so does the old one: nobody else can disable it. */
	assert_int_equal(rsvp_get(F->t.db, F->t.a, manage, &r, &e), DB_OK);
	assert_string_equal(r.email, "ann@example.org");
	assert_int_equal(rsvp_get(F->t.db, F->t.a, F->manage[ann], &r, &e), DB_OK);
	/* A replayed form changes nothing. */
	resend("ann@example.org", form[1], 0, 1);
	assert_int_equal(rsvp_get(F->t.db, F->t.a, manage, &r, &e), DB_OK);
	/* Three per hour per address and event. */
	resend("ann@example.org", form[2], 1, 0);
	resend("ann@example.org", form[3], 1, 0);
	resend("ann@example.org", form[4], 0, 0);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind = 'resend'"), 3);
	clock_set(NOW + 3601);
	token_form_new(form[0], clock_now(), "resend:run");
	resend("ann@example.org", form[0], 1, 0);
}

static long long wal_size(void)
{
	char path[sizeof(F->t.cfg.database) + 4];
	struct stat sb;

	snprintf(path, sizeof(path), "%s-wal", F->t.cfg.database);
	assert_int_equal(stat(path, &sb), 0);
	return (long long)sb.st_size;
}

/* An admin session of user 1 logged in at created, last used at seen. */
static void add_session(int64_t created, int64_t seen)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "INSERT INTO session (token_hash, user_id, created_at,"
	    " last_seen) VALUES (randomblob(32), 1, %lld, %lld)", (long long)created,
	    (long long)seen);
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The search index, a segment per sign-up's transaction, is merged into one. */
static void test_search_merge(void **state)
{
	static const char *const names[] = { "ann", "ben", "cat", "dan", "eve", "fay", "gus" };
	size_t i;
	int n;

	(void)state;
	/* A segment per indexing pass of the worker. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rsvp(names[i], 0, DB_OK);
		assert_int_equal(hygiene_index(F->t.db, &n), DB_OK);
		assert_int_equal(n, 1);
	}
	assert_true(count("SELECT count(DISTINCT segid) FROM rsvp_search_idx") > 1);
	assert_int_equal(hygiene_merge(F->t.db), DB_OK);
	assert_int_equal(count("SELECT count(DISTINCT segid) FROM rsvp_search_idx"), 1);
	assert_int_equal(count("SELECT count(*) FROM rsvp_search WHERE rsvp_search MATCH"
	    " '\"example.org\"'"), 7);
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO rsvp_search (rsvp_search)"
	    " VALUES ('integrity-check')", NULL, NULL, NULL), SQLITE_OK);
	/* Nothing left to merge: still fine. */
	assert_int_equal(hygiene_merge(F->t.db), DB_OK);
}

static void test_hygiene(void **state)
{
	int replayed, n;

	(void)state;
	assert_int_equal(db_begin(F->t.db), DB_OK);
	assert_int_equal(idem_claim(F->t.db, "old-token", &replayed), DB_OK);
	assert_int_equal(db_commit(F->t.db), DB_OK);
	rsvp("ann", 0, DB_OK);
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "UPDATE outbox SET state = 'sent'",
	    NULL, NULL, NULL), SQLITE_OK);
	clock_set(NOW + DAY);
	/* Admin sessions: one in use, one idle for 3 h, one logged in 13 h ago. */
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db),
	    "INSERT INTO admin_user (name, hash, created_at) VALUES ('maria', 'x', 0)",
	    NULL, NULL, NULL), SQLITE_OK);
	add_session(NOW + DAY - 3 * 3600, NOW + DAY);
	add_session(NOW + DAY, NOW + DAY - 3 * 3600);
	add_session(NOW + DAY - 13 * 3600, NOW + DAY);
	assert_int_equal(hygiene_purge(F->t.db, &n), DB_OK);
	assert_int_equal(n, 2);		/* the idle and the old session, nothing else */
	assert_int_equal(count("SELECT count(*) FROM session"), 1);
	clock_set(NOW + DAY + 3601);
	assert_int_equal(hygiene_purge(F->t.db, &n), DB_OK);
	assert_int_equal(n, 2);		/* two form tokens: old-token and ann's */
	clock_set(NOW + 31 * DAY);
	assert_int_equal(hygiene_purge(F->t.db, &n), DB_OK);
	assert_int_equal(n, 2);		/* the delivered message and the last session */
	/* A small WAL is left alone; one past the limit is truncated. */
	assert_int_equal(hygiene_checkpoint(F->t.db, &F->t.cfg), 0);
	F->t.cfg.wal_checkpoint_mb = 1;
	assert_int_equal(sqlite3_exec(db_sqlite(F->t.db), "INSERT INTO setting (key, value)"
	    " VALUES ('big', zeroblob(2 * 1024 * 1024))", NULL, NULL, NULL), SQLITE_OK);
	assert_true(wal_size() > 1024 * 1024);
	assert_int_equal(hygiene_checkpoint(F->t.db, &F->t.cfg), 1);
	assert_int_equal(wal_size(), 0);
}

/*
 * A "my sign-ups" link lasts MINE_TTL; housekeeping then deletes it, and
 * the manage link opened from its page with it, while the link the
 * person signed up with stays.
 */
static void test_mine_links_expire(void **state)
{
	char token[TOKEN_MANAGE_HEX + 1], manage[TOKEN_MANAGE_HEX + 1];
	struct rsvp r;
	struct event e;
	sqlite3_stmt *st;
	int queued, n;

	(void)state;
	rsvp("ann", 0, DB_OK);
	assert_int_equal(mine_request(F->t.db, F->t.a, "ann@example.org", NULL, &queued), DB_OK);
	assert_true(queued);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(F->t.db), "SELECT link_token FROM outbox"
	    " WHERE kind = 'mine'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(token, sizeof(token), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_int_equal(mine_open(F->t.db, F->t.a, token, MINE_RSVP,
	    count("SELECT id FROM rsvp"), manage), DB_OK);
	assert_int_equal(count("SELECT count(*) FROM rsvp_link WHERE mine_id IS NOT NULL"), 1);
	clock_set(NOW + MINE_TTL - 1);
	assert_int_equal(hygiene_purge(F->t.db, &n), DB_OK);
	assert_int_equal(count("SELECT count(*) FROM mine_link"), 1);
	clock_set(NOW + MINE_TTL + 1);
	assert_int_equal(hygiene_purge(F->t.db, &n), DB_OK);
	assert_int_equal(count("SELECT count(*) FROM mine_link"), 0);
	assert_int_equal(count("SELECT count(*) FROM rsvp_link WHERE mine_id IS NOT NULL"), 0);
	assert_int_equal(rsvp_get(F->t.db, F->t.a, manage, &r, &e), DB_NOTFOUND);
	assert_int_equal(rsvp_get(F->t.db, F->t.a, F->manage[0], &r, &e), DB_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_schedule),
		T(test_enqueued_with_changes),
		T(test_dedupe_key),
		T(test_retry_then_sent),
		T(test_lease_expiry),
		T(test_batch_claim),
		T(test_batch_sent_fenced),
		T(test_release),
		T(test_dead_letters_and_admin),
		T(test_mine_links_expire),
		T(test_alert_dead),
		T(test_reminders),
		T(test_resend_link),
		T(test_hygiene),
		T(test_search_merge),
	};

	return cmocka_run_group_tests_name("outbox", tests, NULL, NULL);
}
