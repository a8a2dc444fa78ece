/* Pages about events: the list, one event, its live status and waitlist. */
#include <string.h>

#include "clock.h"
#include "fields.h"
#include "handlers.h"
#include "ics.h"
#include "metrics.h"
#include "page.h"
#include "rsvp.h"
#include "score.h"
#include "stats.h"
#include "token.h"
#include "tpl.h"
#include "tz.h"
#include "waitlist.h"

#define LIVE_REFRESH_SECONDS 5

int h_home(struct req *r, struct app *app)
{
	int64_t now = clock_now();
	struct event *list;
	struct page p;
	enum db_rc rc;
	int i, n;

	if ((rc = event_list_upcoming(app->db, r->a, now, &list, &n)) != DB_OK)
		return db_status(rc);
	page_begin(&p, r, app, "Upcoming events", "home.tpl");
	for (i = 0; i < n; i++)
		page_event_summary(tpl_section(p.body, "EVENT"), r->a, &list[i], now);
	if (n == 0)
		tpl_show(p.body, "NO_EVENTS");
	return page_end(&p, r, 200);
}

/*
 * GET /healthz: 200 "ok" if a page can be made: the database answers and
 * the templates can be read (from disk, as the next start will). Else 503
 * with one line per problem, saying what is wrong.
 */
int h_healthz(struct req *r, struct app *app)
{
	struct db *db = app->db;
	const char *missing = tpl_check(app->cfg->templates, page_templates, 0);
	enum db_rc rc = db != NULL ? db_ping(db) : DB_ERROR;
	const char *problems = "";

	if (db == NULL)
		problems = arena_printf(r->a, "database: %s\n", app->db_error);
	else if (rc != DB_OK)
		problems = arena_printf(r->a, "database: %s does not answer (%s)\n",
		    app->cfg->database, rc == DB_BUSY ? "busy" : "an error, see the log");
	if (missing != NULL)
		problems = arena_printf(r->a, "%stemplates: %s/%s is missing or invalid\n",
		    problems, app->cfg->templates, missing);
	r->content_type = "text/plain; charset=utf-8";
	r->body = arena_strdup(r->a, *problems == '\0' ? "ok\n" : problems);
	r->body_len = strlen(r->body);
	return *problems == '\0' ? 200 : 503;
}

/*
 * GET /metrics: the request counters of every worker and the site's
 * health, for Prometheus. Counts and sizes, no personal data; nginx lets
 * only loopback and the addresses the admin adds ask (nginx.conf).
 */
int h_metrics(struct req *r, struct app *app)
{
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	r->body = metrics_text(r->a, app);
	r->body_len = strlen(r->body);
	return 200;
}

/*
 * Load the event with this slug for a public page. Returns 0, or the
 * status to answer (drafts do not exist for visitors).
 */
static int load_slug(struct req *r, struct app *app, const char *slug, struct event *e)
{
	enum db_rc rc = event_get(app->db, r->a, slug, e);

	if (rc == DB_NOTFOUND || (rc == DB_OK && e->status == EVENT_DRAFT))
		return 404;
	return rc == DB_OK ? 0 : db_status(rc);
}

int event_load_public(struct req *r, struct app *app, struct event *e)
{
	return load_slug(r, app, r->params[0], e);
}

/* The counts live pages and the script show, as template values. */
static void live_numbers(struct tpl_dict *d, const struct event *e)
{
	tpl_set_int(d, "CONFIRMED", e->confirmed);
	tpl_set_int(d, "WAITLISTED", e->waitlisted);
	if (e->capacity >= 0) {
		struct tpl_dict *bar = tpl_section(d, "BAR");

		tpl_set_int(bar, "CAPACITY", e->capacity);
		tpl_set_int(bar, "SPOTS_LEFT", e->spots_left);
		/* <progress> cannot go past its max: a lowered capacity shows full. */
		tpl_set_int(bar, "FILLED", e->confirmed < e->capacity ? e->confirmed : e->capacity);
	}
}

/* Why the RSVP form of an event neither over nor cancelled is not shown at time now. */
static const char *closed_reason(struct arena *a, const struct event *e, int64_t now)
{
	if (now >= e->starts_at)
		return "This event has started: sign-ups are closed.";
	if (now < e->rsvp_opens_at)
		return arena_printf(a, "Sign-ups open on %s.", tz_human_zone(a,
		    e->rsvp_opens_at, now));
	return "Sign-ups for this event are closed.";
}

/* A competition's entry fields: the name on the leaderboard and the division. */
static void entry_fields(struct tpl_dict *f, const struct competition *c,
    const struct rsvp_form *form)
{
	struct tpl_dict *d = tpl_section(f, "ENTRY_FIELDS"), *div, *opt;
	int i;

	tpl_set(d, "DISPLAY", form != NULL && form->display != NULL ? form->display : "");
	tpl_set_int(d, "DISPLAY_MAX", SCORE_DISPLAY_MAX);
	if (c->ndivisions == 0)
		return;
	div = tpl_section(d, "DIVISION_FIELD");
	for (i = 0; i < c->ndivisions; i++) {
		opt = tpl_section(div, "DIVISION_OPTION");
		tpl_set_int(opt, "ID", c->divisions[i].id);
		tpl_set(opt, "NAME", c->divisions[i].name);
		if (form != NULL && form->division_id == c->divisions[i].id)
			tpl_show(opt, "SELECTED");
	}
}

/* The RSVP form (refilled from form, if not NULL) into d, its fields on the sheet's items. */
static void rsvp_form(struct page *p, struct req *r, const struct event *e,
    const struct rsvp_form *form, const struct item *items, int nitems, int64_t now,
    const struct competition *c)
{
	struct sheet_forms fields = { .r = form != NULL ? r : NULL };
	struct page_errors none = { 0 };
	const struct page_errors *pe = form != NULL ? form->errors : &none;
	struct arena *a = r->a;
	char token[TOKEN_FORM_HEX + 1];
	struct tpl_dict *opt, *f;
	int g, full = e->capacity >= 0 && e->spots_left == 0;

	f = tpl_section(p->body, "RSVP_FORM");
	tpl_set(f, "HEADING", full ? "Join the waitlist" : "Sign up");
	tpl_set(f, "BUTTON", full ? "Join the waitlist" : "RSVP");
	tpl_set(tpl_section(p->body, "SIGNUP_LINK"), "LABEL", full ? "Join the waitlist" :
	    "Sign up");
	token_form_new(token, now, form_purpose(a, "rsvp", e->slug));
	tpl_set(f, "FORM_TOKEN", token);
	if (form != NULL) {
		tpl_set(f, "NAME", form->name);
		tpl_set(f, "EMAIL", form->email);
		tpl_set(f, "NOTE", form->note);
		if (form->pledge_out != NULL) {
			fields.item_id = form->pledge_out->item_id;
			fields.notice = sheet_refusal(a, items, nitems, form->pledge_rc,
			    form->pledge_out);
			fields.notice_warn = 1;
			page_errors_add(form->errors, arena_printf(a, "bring-%lld",
			    (long long)fields.item_id), fields.notice);
		} else {
			/* The first item refused: its card says why too. */
			for (g = 0; g < pe->n && fields.notice == NULL; g++)
				if (strncmp(pe->e[g].field, "bring-", 6) == 0 &&
				    field_id(pe->e[g].field + 6, &fields.item_id) == NULL) {
					fields.notice = pe->e[g].message;
					fields.notice_warn = 1;
				}
		}
		if (form->offer_resend) {
			struct tpl_dict *resend = tpl_section(f, "RESEND");

			token_form_new(token, now, form_purpose(a, "resend", e->slug));
			tpl_set(resend, "FORM_TOKEN", token);
			tpl_set(resend, "EMAIL", form->email);
		}
		page_errors_show(p, a, f, e->title, form->errors);
	}
	if (e->max_guests > 0) {
		struct tpl_dict *guests = tpl_section(f, "GUESTS_FIELD");

		tpl_set_int(guests, "MAX_GUESTS", e->max_guests);
		for (g = 0; g <= e->max_guests; g++) {
			opt = tpl_section(guests, "GUEST_OPTION");
			tpl_set_int(opt, "VALUE", g);
			if (form != NULL && form->guests == g)
				tpl_show(opt, "SELECTED");
		}
	}
	if (full)
		tpl_show(f, "WILL_WAITLIST");
	if (c != NULL)
		entry_fields(f, c, form);
	if (nitems > 0)
		sheet_fill(tpl_section(f, "BRING"), a, e->slug, items, nitems, &fields);
}

/* What an ended event's page says happened: who signed up, who came. */
static int ended(struct req *r, struct app *app, struct tpl_dict *d, const struct event *e)
{
	struct tpl_dict *s = tpl_section(d, "ENDED");
	struct stats st;
	enum db_rc rc;

	if ((rc = stats_totals(app->db, e->id, &st)) != DB_OK)
		return db_status(rc);
	tpl_set(s, "SIGNED_UP", e->confirmed == 1 ? "1 person was signed up." :
	    arena_printf(r->a, "%lld people were signed up.", (long long)e->confirmed));
	if (st.checked_in > 0)
		tpl_set(tpl_section(s, "CAME"), "CAME", arena_printf(r->a, "%lld %s checked in"
		    " at the door.", (long long)st.checked_in,
		    st.checked_in == 1 ? "party" : "parties"));
	return 0;
}

int event_page(struct req *r, struct app *app, const struct event *e, int page_status,
    const struct rsvp_form *form)
{
	int64_t now = clock_now();
	struct competition c;
	struct item *items;
	struct page p;
	enum db_rc rc;
	enum page_state state = page_state(e, now);
	int n, status, compete;

	if (e->kind == EVENT_DROP)
		return drop_page(r, app, e, page_status, NULL);
	if ((rc = potluck_sheet(app->db, r->a, e->id, 0, &items, &n)) != DB_OK)
		return db_status(rc);
	if ((rc = score_competition(app->db, r->a, e->id, &c)) != DB_OK && rc != DB_NOTFOUND)
		return db_status(rc);
	compete = rc == DB_OK;
	page_begin(&p, r, app, e->title, "event.tpl");
	page_event_summary(p.body, r->a, e, now);
	tpl_set(p.body, "DESCRIPTION", e->description);
	if (e->ends_at != 0)
		tpl_set(tpl_section(p.body, "ENDS"), "ENDS",
		    tz_until(r->a, e->starts_at, e->ends_at));
	if (e->max_guests > 0 && state != PAGE_ENDED)
		tpl_set_int(tpl_section(p.body, "GUESTS"), "MAX_GUESTS", e->max_guests);
	if (state == PAGE_CANCELLED)
		tpl_show(p.body, "CANCELLED");
	else if (state == PAGE_ENDED && (status = ended(r, app, p.body, e)) != 0)
		return status;
	/* Over or cancelled: nothing left to count, sign up for or watch live. */
	if (state != PAGE_ENDED && state != PAGE_CANCELLED) {
		struct tpl_dict *st = tpl_section(p.body, "STATUS");

		tpl_show(p.root, "LIVE_SCRIPT");
		tpl_show(p.body, "CALENDAR");
		live_numbers(st, e);
		if (e->capacity >= 0)
			tpl_set_int(tpl_section(p.body, "CAPACITY"), "CAPACITY", e->capacity);
		if (e->waitlisted > 0)
			tpl_show(st, "WAITLIST_LINK");
		if (e->rsvp_closes_at != 0 && now < e->rsvp_closes_at)
			tpl_set(tpl_section(p.body, "REG_CLOSES"), "CLOSES",
			    tz_human_zone(r->a, e->rsvp_closes_at, now));
	}
	if (compete && (status = compete_top(r, app, p.body, &c)) != 0)
		return status;
	if (event_rsvp_open(e, now)) {
		rsvp_form(&p, r, e, form, items, n, now, compete ? &c : NULL);
	} else {
		sheet_fill(tpl_section(p.body, "SHEET_ALONE"), r->a, e->slug, items, n, NULL);
		/* An event over or cancelled says so at the top already. */
		if (state == PAGE_CLOSED)
			tpl_set(tpl_section(p.body, "RSVP_CLOSED"), "REASON",
			    closed_reason(r->a, e, now));
	}
	return page_end(&p, r, page_status);
}

int h_event(struct req *r, struct app *app)
{
	struct event e;
	int status;

	if ((status = event_load_public(r, app, &e)) != 0)
		return status;
	return event_page(r, app, &e, 200, NULL);
}

int h_event_live(struct req *r, struct app *app)
{
	struct rsvp *recent;
	struct item *items;
	struct event e;
	struct page p;
	struct tpl_dict *d;
	enum db_rc rc;
	int status, i, n, nitems;

	if ((status = event_load_public(r, app, &e)) != 0)
		return status;
	if (e.kind == EVENT_DROP)
		return drop_live(r, app, &e);
	if ((rc = rsvp_recent(app->db, r->a, e.id, &recent, &n)) != DB_OK ||
	    (rc = potluck_sheet(app->db, r->a, e.id, 0, &items, &nitems)) != DB_OK)
		return db_status(rc);
	page_begin(&p, r, app, e.title, "live.tpl");
	page_refresh(&p, r, LIVE_REFRESH_SECONDS);
	page_event_summary(p.body, r->a, &e, clock_now());
	live_numbers(p.body, &e);
	tpl_set(p.body, "UPDATED", tz_human(r->a, clock_now()));
	for (i = 0; i < n; i++) {
		d = tpl_section(p.body, "RECENT");
		tpl_set(d, "INITIALS", field_initials(r->a, recent[i].name));
		tpl_set_int(d, "PARTY", 1 + recent[i].guests);
		tpl_set(d, "STATUS", rsvp_status_name(recent[i].status));
	}
	if (n == 0)
		tpl_show(p.body, "NO_RECENT");
	sheet_fill(p.body, r->a, e.slug, items, nitems, NULL);
	return page_end(&p, r, 200);
}

int h_event_status(struct req *r, struct app *app)
{
	struct tpl_dict *d;
	struct event e;
	int status;

	if ((status = event_load_public(r, app, &e)) != 0)
		return status;
	/* The version changes with every RSVP or potluck change: a cheap, exact ETag. */
	if (page_etag(r, e.version))
		return 304;
	d = tpl_dict_new(r->a);
	tpl_set(d, "SLUG", e.slug);
	tpl_set(d, "CAPACITY", e.capacity < 0 ? "null" : arena_printf(r->a, "%lld",
	    (long long)e.capacity));
	tpl_set_int(d, "CONFIRMED", e.confirmed);
	tpl_set_int(d, "WAITLISTED", e.waitlisted);
	tpl_set(d, "SPOTS_LEFT", e.spots_left < 0 ? "null" : arena_printf(r->a, "%lld",
	    (long long)e.spots_left));
	tpl_set(d, "SPOTS_LABEL", page_spots(r->a, &e, clock_now()));
	tpl_set_int(d, "VERSION", e.version);
	tpl_set(d, "RSVP_OPEN", event_rsvp_open(&e, clock_now()) ? "true" : "false");
	return page_data(r, "status.json.tpl", d, "application/json");
}

int h_event_waitlist(struct req *r, struct app *app)
{
	struct waitlist_entry *list;
	struct tpl_dict *d;
	struct event e;
	struct page p;
	enum db_rc rc;
	int status, i, n;

	if ((status = event_load_public(r, app, &e)) != 0)
		return status;
	if ((rc = waitlist_list(app->db, r->a, e.id, &list, &n)) != DB_OK)
		return db_status(rc);
	page_begin(&p, r, app, arena_printf(r->a, "Waitlist: %s", e.title), "waitlist.tpl");
	page_event_summary(p.body, r->a, &e, clock_now());
	for (i = 0; i < n; i++) {
		d = tpl_section(p.body, "ENTRY");
		tpl_set_int(d, "POSITION", i + 1);
		tpl_set(d, "INITIALS", field_initials(r->a, list[i].name));
		tpl_set_int(d, "PARTY", 1 + list[i].guests);
	}
	if (n == 0)
		tpl_show(p.body, "EMPTY");
	return page_end(&p, r, 200);
}

int h_event_ics(struct req *r, struct app *app)
{
	/* The router checked the capture: a slug followed by ".ics". */
	const char *slug = arena_strndup(r->a, r->params[0], strlen(r->params[0]) - 4);
	struct event e;
	int status;

	if ((status = load_slug(r, app, slug, &e)) != 0)
		return status;
	r->body = ics_event(r->a, &e, page_url(r, arena_printf(r->a, "/events/%s", e.slug)),
	    *r->host != '\0' ? r->host : "localhost", clock_now());
	r->body_len = strlen(r->body);
	r->content_type = "text/calendar; charset=utf-8";
	req_header(r, "Content-Disposition", arena_printf(r->a,
	    "attachment; filename=\"%s.ics\"", e.slug));
	return 200;
}
