#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "fields.h"
#include "page.h"
#include "tz.h"

const char *const page_templates[] = {
	"layout.tpl", "error.tpl", "home.tpl", "event.tpl", "sheet.tpl", "live.tpl",
	"waitlist.tpl", "item.tpl", "rsvp.tpl", "resend.tpl", "status.json.tpl", "items.json.tpl",
	"admin_login.tpl", "admin_home.tpl", "admin_event.tpl", "admin_items.tpl",
	"admin_item_fields.tpl", "admin_rsvps.tpl", "admin_door.tpl", "admin_stats.tpl", "admin_outbox.tpl",
	"drop.tpl", "drop_live.tpl", "hold.tpl", "stock.json.tpl", "admin_drop.tpl",
	"leaderboard.tpl", "leaderboard.json.tpl", "score.json.tpl",
	"admin_scores.tpl", "admin_competitions.tpl", "admin_competition.tpl",
	"admin_accounts.tpl",
	"board.tpl", "admin_leaderboard.tpl", "errors.tpl", "me.tpl", "mine.tpl",
	NULL
};

void page_begin(struct page *p, struct req *r, struct app *app, const char *title,
    const char *file)
{
	p->root = tpl_dict_new(r->a);
	tpl_set(p->root, "SITE_NAME", app->cfg->site_name);
	tpl_set(p->root, "PAGE_TITLE", title);
	p->body = tpl_include(p->root, "BODY", file);
}

int page_end(struct page *p, struct req *r, int status)
{
	r->body = tpl_render(r->a, "layout.tpl", p->root, &r->body_len);
	if (r->body == NULL)
		return 500;
	r->content_type = "text/html; charset=utf-8";
	return status;
}

void page_errors_add(struct page_errors *pe, const char *field, const char *message)
{
	if (message != NULL && pe->n < PAGE_ERRORS_MAX) {
		pe->e[pe->n].field = field;
		pe->e[pe->n++].message = message;
	}
}

const char *page_errors_find(const struct page_errors *pe, const char *field)
{
	int i;

	for (i = 0; i < pe->n; i++)
		if (strcmp(pe->e[i].field, field) == 0)
			return pe->e[i].message;
	return NULL;
}

void page_errors_show(struct page *p, struct arena *a, struct tpl_dict *form,
    const char *title, const struct page_errors *pe)
{
	struct tpl_dict *sum, *d;
	char *section;
	int i;
	size_t k;

	if (pe->n == 0)
		return;
	tpl_set(p->root, "PAGE_TITLE", arena_printf(a, "Error: %s", title));
	tpl_show(p->root, "ERRORS_SCRIPT");
	sum = tpl_include(form, "ERRORS", "errors.tpl");
	for (i = 0; i < pe->n; i++) {
		d = tpl_section(sum, "ERROR");
		tpl_set(d, "FIELD", pe->e[i].field);
		tpl_set(d, "MESSAGE", pe->e[i].message);
		if (strchr(pe->e[i].field, '-') != NULL)
			continue;
		section = arena_printf(a, "%s_ERROR", pe->e[i].field);
		for (k = 0; section[k] != '\0'; k++)
			section[k] = (char)toupper((unsigned char)section[k]);
		tpl_set(tpl_section(form, section), "MESSAGE", pe->e[i].message);
	}
}

static const struct {
	int status;
	const char *title, *message, *hint;
} errors[] = {
	{ 400, "Something in the request was wrong", "The request could not be understood.",
	  "Go back, check what you entered and try again." },
	{ 403, "Not allowed", "You are not allowed to do that.",
	  "If you followed a link from this site, reload the page and try again." },
	{ 404, "Page not found", "There is no page at this address.",
	  "Check the address, or start again from the list of events." },
	{ 405, "Not allowed here", "This page cannot be used that way.",
	  "Start again from the list of events." },
	{ 409, "Something changed meanwhile", "Someone changed this while you were looking at it.",
	  "Reload the page to see the current state and try again." },
	{ 413, "Too much data", "What you sent is larger than this site accepts.",
	  "Shorten what you entered and try again." },
	{ 414, "Address too long", "The address is longer than this site accepts.",
	  "Start again from the list of events." },
	{ 415, "Unsupported form", "The form was sent in a format this site does not accept.",
	  "Use the forms on this site." },
	{ 422, "That is not possible now", "The request breaks one of the event's rules.",
	  "Read the message on the event page and try again." },
	{ 503, "Busy or unavailable", "The site is busy or its database is unavailable right now.",
	  "Please try again in a few seconds." },
	{ STATUS_NO_SPACE, "Cannot save right now",
	  "The site cannot save anything right now: its disk is full. Nothing you sent was saved.",
	  "Please try again in a few minutes. If it keeps happening, tell the organisers." },
	{ 500, "Something went wrong", "The site failed to answer this request.",
	  "Please try again in a moment; if it keeps happening, tell the organisers." },
};

int db_status(enum db_rc rc)
{
	static const int status[] = {
		[DB_OK] = 200, [DB_NOTFOUND] = 404, [DB_CONFLICT] = 409, [DB_FULL] = 422,
		[DB_CLOSED] = 422, [DB_INVALID] = 400, [DB_BUSY] = 503,
		[DB_NOSPACE] = STATUS_NO_SPACE, [DB_UNSYNCED] = 503, [DB_ERROR] = 500,
	};

	return (unsigned)rc < sizeof(status) / sizeof(status[0]) ? status[rc] : 500;
}

int page_error(struct req *r, struct app *app, int status)
{
	struct page p;
	size_t i, n = sizeof(errors) / sizeof(errors[0]);

	/* Unknown statuses render as the last entry (500) but keep their code. */
	for (i = 0; i < n - 1 && errors[i].status != status; i++)
		;
	page_begin(&p, r, app, errors[i].title, "error.tpl");
	tpl_set(p.body, "TITLE", errors[i].title);
	tpl_set(p.body, "MESSAGE", r->error != NULL ? r->error : errors[i].message);
	tpl_set(p.body, "HINT", errors[i].hint);
	/* A full disk takes longer to clear than a busy moment. */
	if (status == STATUS_NO_SPACE) {
		status = 503;
		req_header(r, "Retry-After", "60");
	} else if (status == 503) {
		req_header(r, "Retry-After", "5");
	}
	tpl_set_int(p.body, "STATUS", status);
	if (page_end(&p, r, status) != status) {
		/* Even the error template failed: answer in plain text. */
		r->content_type = "text/plain; charset=utf-8";
		r->body = arena_printf(r->a, "%d %s\n", status, errors[i].title);
		r->body_len = strlen(r->body);
	}
	return status;
}

/* A capacity event's "few left": at most a tenth of its places, or 3. */
static int few_left(const struct event *e)
{
	return e->spots_left <= 3 || e->spots_left * 10 <= e->capacity;
}

enum page_state page_state(const struct event *e, int64_t now)
{
	if (e->status == EVENT_CANCELLED)
		return PAGE_CANCELLED;
	if (event_is_past(e, now))
		return PAGE_ENDED;
	if (!event_rsvp_open(e, now))
		return PAGE_CLOSED;
	if (e->capacity < 0 || e->kind == EVENT_DROP)
		return PAGE_AVAILABLE;
	if (e->spots_left == 0)
		return PAGE_WAITLIST;
	return few_left(e) ? PAGE_FEW : PAGE_AVAILABLE;
}

const char *page_state_class(enum page_state s)
{
	static const char *const names[PAGE_STATE__MAX] = {
		[PAGE_AVAILABLE] = "available", [PAGE_FEW] = "few", [PAGE_WAITLIST] = "waitlist",
		[PAGE_CLOSED] = "closed", [PAGE_ENDED] = "ended", [PAGE_CANCELLED] = "cancelled",
	};

	return names[s];
}

const char *page_spots(struct arena *a, const struct event *e, int64_t now)
{
	enum page_state s = page_state(e, now);
	int open = event_rsvp_open(e, now);

	if (s == PAGE_CANCELLED)
		return "Cancelled";
	if (s == PAGE_ENDED)
		return "This event has ended";
	if (e->kind == EVENT_DROP)
		return open ? "Limited drop: open now" : now < e->rsvp_opens_at ?
		    "Limited drop: opens soon" : "Limited drop: closed";
	if (s == PAGE_CLOSED)
		return now < e->rsvp_opens_at ? "Sign-ups not open yet" : "Sign-ups closed";
	if (e->capacity < 0)
		return "Open to all: no limit on places";
	if (s == PAGE_WAITLIST)
		return "Full: join the waitlist";
	return arena_printf(a, "%s%lld %s left of %lld", s == PAGE_FEW ? "Only " : "",
	    (long long)e->spots_left, e->spots_left == 1 ? "spot" : "spots",
	    (long long)e->capacity);
}

void page_event_summary(struct tpl_dict *d, struct arena *a, const struct event *e,
    int64_t now)
{
	tpl_set(d, "SLUG", e->slug);
	tpl_set(d, "TITLE", e->title);
	tpl_set(d, "LOCATION", e->location);
	tpl_set(d, "WHEN", tz_human_zone(a, e->starts_at, now));
	tpl_set(d, "WHEN_ISO", tz_iso(a, e->starts_at));
	tpl_set(d, "SPOTS", page_spots(a, e, now));
	tpl_set(d, "STATE", page_state_class(page_state(e, now)));
}

void page_refresh(struct page *p, struct req *r, int seconds)
{
	const char *v = field_get(r, F_REFRESH);
	struct tpl_dict *d = tpl_section(p->root, "REFRESH");

	tpl_set_int(d, "SECONDS", seconds);
	if (v != NULL && strcmp(v, "off") == 0) {
		tpl_set(tpl_section(d, "OFF"), "RESUME_URL", r->path);
	} else {
		tpl_show(d, "ON");
		tpl_set(d, "PAUSE_URL", arena_printf(r->a, "%s?refresh=off", r->path));
	}
}

int page_redirect(struct req *r, const char *location)
{
	req_header(r, "Location", location);
	r->content_type = "text/plain; charset=utf-8";
	r->body = arena_printf(r->a, "See %s\n", location);
	r->body_len = strlen(r->body);
	return 303;
}

int page_data(struct req *r, const char *file, struct tpl_dict *d,
    const char *content_type)
{
	r->body = tpl_render(r->a, file, d, &r->body_len);
	if (r->body == NULL)
		return 500;
	r->content_type = content_type;
	return 200;
}

int page_etag(struct req *r, int64_t version)
{
	const char *etag = arena_printf(r->a, "\"v%lld\"", (long long)version);

	req_header(r, "ETag", etag);
	/*
	 * nginx's microcache counts in whole seconds: "valid 1s" keeps an
	 * entry up to 2 s. Expiring at the end of this second keeps it < 1 s.
	 */
	req_header(r, "X-Accel-Expires", arena_printf(r->a, "@%lld",
	    (long long)clock_now()));
	/*
	 * For nginx's cache, which keeps this header from browsers: while a
	 * subrequest refreshes the expired entry, answer it for one more
	 * second, so pollers never wait for the app (nginx.conf).
	 */
	r->cache_control = "max-age=1, stale-while-revalidate=1";
	return strcmp(r->if_none_match, etag) == 0;
}

const char *page_url(struct req *r, const char *path)
{
	return arena_printf(r->a, "%s://%s%s", r->https ? "https" : "http",
	    *r->host != '\0' ? r->host : "localhost", path);
}
