/* The figures page: sign-ups over time as a server-drawn SVG, conversion, waitlist. */
#include "clock.h"
#include "handlers.h"
#include "page.h"
#include "stats.h"
#include "tz.h"

#define CHART_W 600
#define CHART_H 200

/* A share as "12 of 40 (30 %)", or "none" when there is nothing to divide. */
static const char *share(struct arena *a, int64_t part, int64_t whole)
{
	if (whole == 0)
		return "none yet";
	return arena_printf(a, "%lld of %lld (%lld %%)", (long long)part, (long long)whole,
	    (long long)((part * 100 + whole / 2) / whole));
}

/* A duration for people: "3 days 4 h", "2 h 5 min", "40 min", "20 s". */
static const char *duration(struct arena *a, int64_t s)
{
	if (s >= 86400)
		return arena_printf(a, "%lld days %lld h", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	if (s >= 3600)
		return arena_printf(a, "%lld h %lld min", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	if (s >= 60)
		return arena_printf(a, "%lld min", (long long)(s / 60));
	return arena_printf(a, "%lld s", (long long)s);
}

int h_admin_stats(struct req *r, struct app *app)
{
	struct tpl_dict *c;
	struct event e;
	struct stats s;
	struct page p;
	enum db_rc rc;
	int64_t t0, t1;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	if ((rc = stats_get(app->db, r->a, e.id, &s)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, arena_printf(r->a, "Figures: %s", e.title),
	    "admin_stats.tpl");
	page_event_summary(p.body, r->a, &e, clock_now());
	tpl_set_int(p.body, "SIGNUPS", s.signups);
	tpl_set_int(p.body, "DIRECT", s.direct);
	tpl_set_int(p.body, "WAITLISTED", s.waitlisted);
	tpl_set(p.body, "DIRECT_SHARE", share(r->a, s.direct, s.signups));
	tpl_set(p.body, "PROMOTED_SHARE", share(r->a, s.promoted, s.waitlisted));
	tpl_set_int(p.body, "PROMOTED", s.promoted);
	tpl_set_int(p.body, "CANCELS", s.cancels);
	tpl_set(p.body, "CANCEL_SHARE", share(r->a, s.cancels, s.signups));
	tpl_set(p.body, "CHECKED_IN", share(r->a, s.checked_in, s.confirmed_now));
	/* No-shows mean something only once the door check-in is in use. */
	if (s.checked_in > 0)
		tpl_set_int(tpl_section(p.body, "NO_SHOWS"), "COUNT",
		    s.confirmed_now - s.checked_in);
	tpl_set(p.body, "MEDIAN_WAIT", s.median_wait < 0 ? "nobody promoted yet" :
	    duration(r->a, s.median_wait));
	if (s.npoints == 0) {
		tpl_show(p.body, "NO_CHART");
		return page_end(&p, r, 200);
	}
	t0 = s.points[0].at;
	t1 = s.points[s.npoints - 1].at > t0 ? s.points[s.npoints - 1].at : t0 + 1;
	c = tpl_section(p.body, "CHART");
	tpl_set_int(c, "W", CHART_W);
	tpl_set_int(c, "H", CHART_H);
	tpl_set(c, "SIGNUP_POINTS", stats_polyline(r->a, &s, STATS_SIGNUPS, CHART_W, CHART_H, t0,
	    t1, s.signups));
	tpl_set(c, "CANCEL_POINTS", stats_polyline(r->a, &s, STATS_CANCELS, CHART_W, CHART_H, t0,
	    t1, s.signups));
	tpl_set(c, "WAITING_POINTS", stats_polyline(r->a, &s, STATS_WAITING, CHART_W, CHART_H, t0,
	    t1, s.signups));
	tpl_set(c, "FROM", tz_human(r->a, t0));
	tpl_set(c, "TO", tz_human(r->a, t1));
	tpl_set_int(c, "MAX", s.signups);
	return page_end(&p, r, 200);
}
