/*
 * turnout-worker: delivers the outbox and does the housekeeping no request
 * should pay for. Runs beside turnout.fcgi on the same database; any
 * number of workers may run (each message is claimed under a lease in a
 * BEGIN IMMEDIATE transaction, so two never send it at the same time).
 *
 * Loop: claim a batch of due messages, render each from
 * templates/mail/KIND.tpl, hand it to the transport, make the accepted
 * ones durable (transport_flush), and record the outcomes: the accepted
 * ones sent together, only once durable; failures retried with backoff
 * or dead. A worker killed mid-batch leaves its messages leased; once
 * the lease runs out they are sent again (at least once, never lost).
 * Every minute: enqueue due reminders, alert the admins to letters gone
 * dead, purge old rows, merge the search index, truncate a large WAL.
 *
 * SIGTERM or SIGINT: finish the message in hand, record the batch, hand
 * back the messages not tried, then exit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "arena.h"
#include "clock.h"
#include "drop.h"
#include "config.h"
#include "db.h"
#include "event.h"
#include "hygiene.h"
#include "log.h"
#include "mail.h"
#include "outbox.h"
#include "potluck.h"
#include "rsvp.h"
#include "tpl.h"
#include "transport.h"
#include "tz.h"
#include "waitlist.h"

#define HOUSEKEEPING_EVERY 60	/* seconds */
#define SEND_TIMEOUT_MAX 60	/* seconds for one delivery */
/*
 * Messages claimed at once. A batch shares one claim, one flush (for the
 * maildir: one disk flush for all its files, where each message cost two)
 * and one "sent" transaction; the price is that a worker killed mid-batch
 * sends up to this many messages again. 32 makes the shared costs small
 * per message while keeping that repeat small.
 */
#define BATCH_MAX 32

/* The e-mails, one per outbox kind, the private link some of them carry, and the HTML part. */
static const char *const mail_templates[] = {
	"mail/confirmed.tpl", "mail/waitlisted.tpl", "mail/promoted.tpl",
	"mail/cancelled.tpl", "mail/reminder.tpl", "mail/resend.tpl", "mail/link.tpl",
	"mail/claimed.tpl", "mail/claim_cancelled.tpl", "mail/cancelled_by_organiser.tpl",
	"mail/mine.tpl", "mail/html.tpl", "mail/alert.tpl", NULL
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * Claimed messages whose outcome could not be written (the disk full, the
 * database busy): those sent, to be marked sent, and the rest, to be
 * handed back. Written before anything new is claimed, so that they are
 * not left leased until the lease runs out (the sent ones would then go
 * out twice). Only ids and attempts are kept: the strings were the
 * batch's arena's.
 */
struct owed {
	struct outbox_msg sent[BATCH_MAX], back[BATCH_MAX];
	int nsent, nback;
};

struct worker {
	const struct config *cfg;
	struct db *db;
	struct transport *tr;
	struct arena *a;
	int timeout;		/* the transport's, for one delivery */
	struct owed owed;
};

/* A claim's details for its e-mail, into d; -1 if it cannot be read. */
static int claim_values(struct worker *w, const struct outbox_msg *m, struct tpl_dict *d)
{
	struct drop_settings s;
	struct hold h;

	if (drop_hold_by_id(w->db, w->a, m->event_id, m->hold_id, &h) != DB_OK ||
	    drop_settings_get(w->db, w->a, m->event_id, &s) != DB_OK)
		return -1;
	tpl_set_int(d, "NUMBER", h.claim_number);
	tpl_set_int(d, "QUANTITY", h.quantity);
	tpl_set(d, "ITEM", mail_one_line(w->a, *h.variant != '\0' ?
	    arena_printf(w->a, "%s %s", h.item, h.variant) : h.item));
	tpl_set(d, "PRICE", mail_one_line(w->a, h.price));
	/* The pick-up text keeps its lines: the organiser wrote it as a paragraph. */
	tpl_set(d, "PICKUP", s.pickup);
	return 0;
}

/*
 * The party of the RSVP m is about into d (PARTY), what it pledged for the
 * potluck (BRINGING), and a waitlisted party's place (AHEAD: the parties
 * ahead of it), as they are now.
 */
static enum db_rc party_values(struct worker *w, const struct outbox_msg *m,
    struct tpl_dict *d)
{
	struct tpl_dict *bringing = NULL, *line;
	int64_t spots_ahead;
	struct item *items;
	struct rsvp rv;
	enum db_rc rc;
	int position, i, n;

	if ((rc = rsvp_admin_get(w->db, w->a, m->event_id, m->rsvp_id, &rv)) != DB_OK)
		return rc;
	tpl_set(d, "PARTY", rsvp_party_text(w->a, rv.guests));
	if ((rc = potluck_sheet(w->db, w->a, m->event_id, rv.id, &items, &n)) != DB_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (items[i].mine == 0)
			continue;
		if (bringing == NULL)
			bringing = tpl_section(d, "BRINGING");
		line = tpl_section(bringing, "ITEM");
		tpl_set(line, "NAME", mail_one_line(w->a, items[i].name));
		tpl_set(line, "AMOUNT", mail_one_line(w->a, potluck_amount(w->a, items[i].mine,
		    items[i].unit)));
	}
	if (rv.status != RSVP_WAITLISTED)
		return DB_OK;
	if ((rc = waitlist_position(w->db, m->event_id, rv.id, &position, &spots_ahead)) != DB_OK)
		return rc;
	tpl_set(d, "AHEAD", position <= 1 ? "You are next in line." : arena_printf(w->a,
	    "%d part%s ahead of you.", position - 1, position == 2 ? "y is" : "ies are"));
	return DB_OK;
}

/*
 * The values of m's event (as it is now) and of what m is about (RSVP,
 * claim, organiser's message) into d, and the event's organiser as
 * mail's Reply-To. Returns 0, or -1 with the reason in *err.
 */
static int event_values(struct worker *w, const struct outbox_msg *m, struct tpl_dict *d,
    struct mail *mail, const char **err)
{
	const struct config *c = w->cfg;
	struct event e;

	if (event_get_by_id(w->db, w->a, m->event_id, &e) != DB_OK) {
		*err = "the event can no longer be read";
		return -1;
	}
	tpl_set(d, "TITLE", mail_one_line(w->a, e.title));
	/* A reply goes to the organiser, when the event names one. */
	if (*e.contact != '\0')
		mail->reply_to = e.contact;
	/* Times name the site's zone, as the pages do; the deadline is the
	 * one those pages show ("Registration closes"). */
	tpl_set(d, "WHEN", tz_human_zone(w->a, e.starts_at, clock_now()));
	if (e.rsvp_closes_at != 0)
		tpl_set(tpl_section(d, "CLOSES"), "CLOSES", tz_human_zone(w->a, e.rsvp_closes_at,
		    clock_now()));
	if (e.ends_at != 0)
		tpl_set(tpl_section(d, "ENDS"), "ENDS", tz_human_zone(w->a, e.ends_at, clock_now()));
	tpl_set(d, "WHERE", mail_one_line(w->a, e.location));
	tpl_set(d, "EVENT_URL", arena_printf(w->a, "%s/events/%s", c->site_url, e.slug));
	tpl_set(d, "ICS_URL", arena_printf(w->a, "%s/events/%s.ics", c->site_url, e.slug));
	if (m->link_token != NULL)
		tpl_set(tpl_include(d, "LINK", "mail/link.tpl"), "LINK",
		    arena_printf(w->a, "%s/rsvp/%s", c->site_url, m->link_token));
	if (m->rsvp_id != 0 && party_values(w, m, d) != DB_OK) {
		*err = "the RSVP can no longer be read";
		return -1;
	}
	if (m->hold_id != 0 && claim_values(w, m, d) != 0) {
		*err = "the claim can no longer be read";
		return -1;
	}
	/* The organiser's message keeps its lines: they wrote it as a paragraph. */
	if (m->message != NULL)
		tpl_set(tpl_section(d, "MESSAGE"), "TEXT", m->message);
	return 0;
}

/*
 * The message for m, rendered from its kind's template with the event as
 * it is now; NULL with the reason in *err. Values are flattened to one
 * line: the text template escapes nothing.
 */
static char *render(struct worker *w, const struct outbox_msg *m, const char **err)
{
	const struct config *c = w->cfg;
	struct mail mail = { 0 };
	struct tpl_dict *d;
	size_t len;

	/* An alert to the admins is about the site: its own values. */
	if (strcmp(m->kind, "alert") == 0)
		return alert_mail(w->db, c, w->a, m, err);
	d = tpl_dict_new(w->a);
	tpl_set(d, "SITE_NAME", mail_one_line(w->a, c->site_name));
	tpl_set(d, "NAME", mail_one_line(w->a, m->name));
	/* "My sign-ups" is about no one event: only its link. */
	if (m->event_id == 0 && m->link_token == NULL) {
		*err = "the link is no longer there";
		return NULL;
	}
	if (m->event_id == 0)
		tpl_set(d, "LINK", arena_printf(w->a, "%s/me/%s", c->site_url, m->link_token));
	else if (event_values(w, m, d, &mail, err) != 0)
		return NULL;
	mail.text = tpl_render_text(w->a, arena_printf(w->a, "mail/%s%s.tpl", m->kind,
	    m->by_organiser ? "_by_organiser" : ""), d, &len);
	if (mail.text == NULL) {
		*err = "template missing or invalid (see the worker's log)";
		return NULL;
	}
	mail.html = mail_html(w->a, mail.text, c->site_url);
	return outbox_mail(w->a, c, m, &mail, err);
}

/* Add the n msgs to list (of *len, room for BATCH_MAX): see struct owed. */
static void owe(struct outbox_msg *list, int *len, const struct outbox_msg *msgs, int n)
{
	int i;

	for (i = 0; i < n && *len < BATCH_MAX; i++)
		list[(*len)++] = (struct outbox_msg){ .id = msgs[i].id,
		    .attempts = msgs[i].attempts, .lease_until = msgs[i].lease_until };
}

/* Hand the n msgs back untried, or keep them owed if that cannot be written. */
static void hand_back(struct worker *w, const struct outbox_msg *msgs, int n)
{
	if (outbox_release(w->db, msgs, n) == DB_OK)
		return;
	owe(w->owed.back, &w->owed.nback, msgs, n);
	log_error("%d message(s) not handed back yet: trying again before anything else", n);
}

/*
 * Write what is owed (struct owed). DB_OK when nothing is left owed;
 * otherwise nothing new may be claimed yet.
 */
static enum db_rc settle(struct worker *w)
{
	struct owed *o = &w->owed;
	enum db_rc rc = DB_OK;
	int taken;

	if (o->nsent > 0 && (rc = outbox_sent(w->db, o->sent, o->nsent, &taken)) == DB_OK) {
		log_info("%d message(s) sent earlier recorded as sent", o->nsent - taken);
		o->nsent = 0;
	}
	if (o->nback > 0 && rc == DB_OK &&
	    (rc = outbox_release(w->db, o->back, o->nback)) == DB_OK) {
		log_info("%d message(s) handed back", o->nback);
		o->nback = 0;
	}
	return rc;
}

/* Record a failed attempt at m and log it; if that cannot be written, hand m back. */
static void failed(struct worker *w, const struct outbox_msg *m, enum send_rc sent,
    const char *err)
{
	enum db_rc rc;
	int dead = 0;

	rc = outbox_failed(w->db, w->cfg, m, sent == SEND_PERM, err, &dead);
	log_error("message %lld (%s) attempt %d failed%s: %s", (long long)m->id, m->kind,
	    m->attempts, rc != DB_OK ? " (not recorded)" : dead ? ", now dead" :
	    ", will retry", err);
	if (rc != DB_OK)
		hand_back(w, m, 1);
}

/*
 * Render m and hand it to the transport; a failure is recorded at once,
 * except SEND_NOSPACE (the caller hands m back: nothing is wrong with it).
 */
static enum send_rc send_one(struct worker *w, const struct outbox_msg *m)
{
	const char *why = NULL;
	char err[512] = "";
	enum send_rc sent;
	char *msg;

	if ((msg = render(w, m, &why)) == NULL) {
		snprintf(err, sizeof(err), "%s", why);
		sent = SEND_PERM;
	} else {
		sent = transport_send(w->tr, m->recipient, msg, err, sizeof(err));
	}
	if (sent == SEND_NOSPACE)
		log_error("message %lld (%s) not sent: %s: handing the batch back", (long long)m->id,
		    m->kind, err);
	else if (sent != SEND_OK)
		failed(w, m, sent, err);
	return sent;
}

/*
 * Deliver the n claimed msgs in order and record what happened. The
 * accepted ones are moved to the front (msgs[0..ok)); the loop stops
 * at i, leaving msgs[i..n) untried, to be released. Returns 1 if it
 * stopped because the disk is full, else 0.
 */
static int deliver(struct worker *w, struct outbox_msg *msgs, int n)
{
	enum send_rc sent = SEND_OK;
	char err[512] = "";
	int i, j, ok = 0, taken;
	enum db_rc rc;

	for (i = 0; i < n && !stopping; i++) {
		/*
		 * A send that might end after the lease (the clock counts whole
		 * seconds) could overlap another worker's: leave the rest.
		 */
		if (msgs[i].lease_until - clock_now() <= w->timeout)
			break;
		if ((sent = send_one(w, &msgs[i])) == SEND_NOSPACE)
			break;
		if (sent == SEND_OK)
			msgs[ok++] = msgs[i];
	}
	if (ok > 0 && transport_flush(w->tr, err, sizeof(err)) != 0) {
		/* Accepted but perhaps not kept: send them again (a duplicate at worst). */
		for (j = 0; j < ok; j++)
			failed(w, &msgs[j], SEND_TEMP, err);
	} else if (ok > 0) {
		rc = outbox_sent(w->db, msgs, ok, &taken);
		for (j = 0; j < ok; j++)
			log_info("message %lld (%s) sent%s", (long long)msgs[j].id, msgs[j].kind,
			    rc == DB_OK ? "" : " (recorded later: the database cannot be written)");
		if (rc != DB_OK)
			owe(w->owed.sent, &w->owed.nsent, msgs, ok);
		if (taken > 0)
			log_error("%d of these sent after their lease ran out: another"
			    " worker has them too", taken);
	}
	if (i < n)
		hand_back(w, msgs + i, n - i);
	return sent == SEND_NOSPACE;
}

static void housekeeping(struct worker *w)
{
	int n;

	if (w->cfg->reminder_hours > 0 &&
	    outbox_remind(w->db, w->cfg->reminder_hours, &n) == DB_OK && n > 0)
		log_info("%d reminder(s) enqueued", n);
	/* Before the purge, which records the pass: a pass on record has looked. */
	if (alert_dead(w->db, w->cfg, &n) == DB_OK && n > 0)
		log_info("%d alert(s) about dead letters enqueued", n);
	if (hygiene_purge(w->db, &n) == DB_OK && n > 0)
		log_info("%d old row(s) purged", n);
	hygiene_merge(w->db);
	if (hygiene_checkpoint(w->db, w->cfg) == 1)
		log_info("write-ahead log truncated");
}

static void run(struct worker *w)
{
	struct timespec pause = { 1, 0 };
	struct outbox_msg *msgs;
	int64_t next_housekeeping = 0;
	enum db_rc rc;
	int n = 0, full = 0, swept, indexed;

	while (!stopping) {
		if ((rc = settle(w)) != DB_OK) {
			nanosleep(&pause, NULL);
			continue;
		}
		if (clock_now() >= next_housekeeping) {
			housekeeping(w);
			next_housekeeping = clock_now() + HOUSEKEEPING_EVERY;
		}
		/* Tidying only: every write at a drop expires its own overdue holds. */
		if (drop_sweep(w->db, clock_now_ms(), &swept) == DB_OK && swept > 0)
			log_info("%d hold(s) ran out", swept);
		/* The search finds queued RSVPs too, by reading the queue: keep it short. */
		hygiene_index(w->db, &indexed);
		rc = outbox_claim(w->db, w->a, w->cfg->mail_lease, BATCH_MAX, &msgs, &n);
		full = rc == DB_OK && deliver(w, msgs, n);
		arena_reset(w->a);
		/*
		 * Nothing due, the database busy, or the queue drained by a
		 * batch that was not full: look again in a second. The pause
		 * lets the next batch collect what arrives meanwhile; a worker
		 * that kept up without it sent batches of one or two, each with
		 * its own disk flush (bench/run: RSVPs at 45 % of the commit
		 * rate, 59 % with no flush at all).
		 */
		if ((rc != DB_OK || n < BATCH_MAX || full) && !stopping)
			nanosleep(&pause, NULL);
	}
	/* Stopping: one last try at what is still owed. */
	if (settle(w) != DB_OK)
		log_error("%d message(s) left leased: sent again once the lease runs out",
		    w->owed.nsent + w->owed.nback);
}

int main(int argc, char **argv)
{
	struct worker w = { 0 };
	struct config cfg;
	struct sigaction sa;
	char err[512];

	/*
	 * No signal restarts the sleep: SIGTERM ends the wait at once. Set
	 * first, so that a stop during the start is a clean exit too.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	config_from_args(&cfg, argc, argv, "turnout-worker");
	tpl_init(cfg.templates, mail_templates, 1);

	w.cfg = &cfg;
	/*
	 * The worker's own commits need not wait for the disk: a power cut
	 * can only undo its last claims and "sent" marks (those messages go
	 * out again) or reminders (the next pass adds them again), never lose
	 * a message, which the app wrote with its own synchronous setting.
	 * With FULL here every e-mail cost two more fsyncs, taken from the
	 * sign-ups' share of the disk (bench/run's rsvp figure).
	 */
	cfg.synchronous = SYNC_NORMAL;
	if ((w.db = db_open(&cfg, 0, err, sizeof(err))) == NULL ||
	    db_prepare(w.db, err, sizeof(err)) != 0) {
		db_close(w.db);
		log_fatal("%s", err);
	}
	/* A delivery must end well within its lease, or a second worker sends too. */
	w.timeout = cfg.mail_lease / 2 < SEND_TIMEOUT_MAX ? cfg.mail_lease / 2 :
	    SEND_TIMEOUT_MAX;
	if ((w.tr = transport_new(&cfg, w.timeout, err, sizeof(err))) == NULL) {
		db_close(w.db);
		log_fatal("mail: %s", err);
	}
	w.a = arena_new();
	log_info("worker started: mail goes %s", cfg.mail_transport == MAIL_SMTP ?
	    "out by smtp" : cfg.mail_transport == MAIL_SENDMAIL ? "to sendmail" :
	    "to the maildir");
	run(&w);
	arena_free(w.a);
	transport_free(w.tr);
	db_close(w.db);
	log_info("worker stopped");
	return 0;
}
