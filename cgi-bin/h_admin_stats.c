/*
 * The figures page: sign-ups over time as a server-drawn SVG, conversion,
 * waitlist; for a competition, its score log (every score, void and
 * correction with who did it), or one entry's with ?entry=ID.
 */
#include "clock.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "score.h"
#include "stats.h"
#include "tz.h"

#define CHART_W 600
#define CHART_H 200
#define SCORE_LOG_MAX 100	/* rows of the competition's log shown */
#define ENTRY_LOG_MAX 1000	/* rows of one entry's: every score it can have, twice over */

/* The score log section of a competition (none for other events). Returns a db_rc. */
static enum db_rc score_log_part(struct req *r, struct app *app, struct tpl_dict *body,
    const struct event *e)
{
	struct score_log_row *list;
	struct competition c;
	struct tpl_dict *d, *row;
	struct entry en;
	int64_t entry = 0;
	enum db_rc rc;
	int i, n;

	if ((rc = score_competition(app->db, r->a, e->id, &c)) != DB_OK)
		return rc == DB_NOTFOUND ? DB_OK : rc;
	/* A bad or foreign entry id shows the whole log. */
	if (field_id(field_get(r, F_ENTRY), &entry) != NULL ||
	    score_entry(app->db, r->a, e->id, entry, &en) != DB_OK)
		entry = 0;
	if ((rc = score_log(app->db, r->a, e->id, entry, entry != 0 ? ENTRY_LOG_MAX :
	    SCORE_LOG_MAX, &list, &n)) != DB_OK)
		return rc;
	d = tpl_section(body, "SCORE_LOG");
	if (entry != 0) {
		struct tpl_dict *who = tpl_section(d, "ENTRY");

		tpl_set_int(who, "BIB", en.bib);
		tpl_set(who, "NAME", en.display_name);
	} else {
		tpl_set_int(tpl_section(d, "ALL"), "MAX", SCORE_LOG_MAX);
	}
	for (i = 0; i < n; i++) {
		row = tpl_section(d, "ROW");
		tpl_set(row, "WHEN", tz_human(r->a, list[i].at));
		tpl_set_int(row, "ENTRY", list[i].entry_id);
		tpl_set_int(row, "BIB", list[i].bib);
		tpl_set(row, "NAME", list[i].display_name);
		tpl_set(row, "ACTION", list[i].action);
		tpl_set_int(row, "ROUND", list[i].round);
		tpl_set(row, "VALUE", score_format(r->a, c.kind, list[i].value));
		tpl_set(row, "WHO", score_log_who(r->a, &list[i]));
		if (*list[i].action == 'v')
			tpl_set(tpl_section(row, "REASON"), "REASON", list[i].void_reason);
	}
	if (n == 0)
		tpl_show(d, "NO_SCORES");
	return DB_OK;
}

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
	tpl_set(p.body, "RETURNING", share(r->a, s.returning, s.people));
	tpl_set(p.body, "MEDIAN_WAIT", s.median_wait < 0 ? "nobody promoted yet" :
	    duration(r->a, s.median_wait));
	if ((rc = score_log_part(r, app, p.body, &e)) != DB_OK)
		return db_status(rc);
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
