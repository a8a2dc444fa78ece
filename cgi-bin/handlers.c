#include <string.h>

#include "clock.h"
#include "event.h"
#include "page.h"

/* A db_rc that is not DB_OK or DB_NOTFOUND, as an HTTP status. */
static int db_status(enum db_rc rc)
{
	return rc == DB_BUSY ? 503 : 500;
}

int h_home(struct req *r, struct app *app)
{
	struct event *list;
	struct page p;
	enum db_rc rc;
	int i, n;

	if ((rc = event_list_upcoming(app->db, r->a, clock_now(), &list, &n)) != DB_OK)
		return db_status(rc);
	page_begin(&p, app, "Upcoming events", "home.tpl");
	for (i = 0; i < n; i++)
		page_event_summary(tpl_section(p.body, "EVENT"), r->a, &list[i]);
	if (n == 0)
		tpl_show(p.body, "NO_EVENTS");
	return page_end(&p, r, 200);
}

int h_event(struct req *r, struct app *app)
{
	int64_t now = clock_now();
	struct event e;
	struct page p;
	enum db_rc rc;

	rc = event_get(app->db, r->a, r->params[0], &e);
	/* A draft does not exist for visitors. */
	if (rc == DB_NOTFOUND || (rc == DB_OK && e.status == EVENT_DRAFT))
		return 404;
	if (rc != DB_OK)
		return db_status(rc);
	page_begin(&p, app, e.title, "event.tpl");
	page_event_summary(p.body, r->a, &e);
	tpl_set(p.body, "DESCRIPTION", e.description);
	if (e.ends_at != 0) {
		tpl_set(tpl_section(p.body, "ENDS"), "ENDS", page_time(r->a, e.ends_at));
	}
	if (e.capacity >= 0)
		tpl_set_int(tpl_section(p.body, "CAPACITY"), "CAPACITY", e.capacity);
	if (e.max_guests > 0)
		tpl_set_int(tpl_section(p.body, "GUESTS"), "MAX_GUESTS", e.max_guests);
	if (e.status == EVENT_CANCELLED)
		tpl_show(p.body, "CANCELLED");
	else if (event_is_past(&e, now))
		tpl_show(p.body, "ENDED");
	return page_end(&p, r, 200);
}

int h_healthz(struct req *r, struct app *app)
{
	enum db_rc rc = db_ping(app->db);

	if (rc != DB_OK)
		return db_status(rc);
	r->content_type = "text/plain; charset=utf-8";
	r->body = arena_strdup(r->a, "ok\n");
	r->body_len = strlen(r->body);
	return 200;
}
