/*
 * The admin web page's gate (sessions, CSRF), login and logout, and the
 * dashboard. The other admin pages are in h_admin_*.c.
 */
#include <string.h>

#include "admin_user.h"
#include "clock.h"
#include "csv.h"
#include "fields.h"
#include "handlers.h"
#include "outbox.h"
#include "page.h"
#include "route.h"
#include "session.h"
#include "stats.h"
#include "tz.h"

#define LOGIN_PURPOSE "admin-login"
#define LOGIN_FAILED "Wrong name or password, or too many attempts: wait a minute" \
	" and try again."

/*
 * The session cookie. Over HTTPS it is Secure with the __Host- prefix, so
 * no other site on the domain and no plain-HTTP page can set or read it.
 */
static const char *cookie_name(const struct req *r)
{
	return r->https ? "__Host-turnout_admin" : "turnout_admin";
}

const char *route_session_cookie(struct req *r, const char *value, int remove)
{
	return arena_printf(r->a, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", cookie_name(r),
	    value, r->https ? "; Secure" : "", remove ? "; Max-Age=0" : "");
}

static void set_cookie(struct req *r, const char *value, int remove)
{
	req_header(r, "Set-Cookie", route_session_cookie(r, value, remove));
}

int route_is_admin(const char *path)
{
	return strncmp(path, "/admin", 6) == 0 && (path[6] == '\0' || path[6] == '/');
}

int route_guard(struct req *r, struct app *app, unsigned flags)
{
	const char *cookie = req_cookie(r, cookie_name(r));
	enum db_rc rc;

	/* A JSON body only where a route takes one, and a form never there. */
	if ((r->json != NULL && !(flags & RF_JSON)) ||
	    ((flags & RF_JSON) && r->method == M_POST && r->json == NULL)) {
		r->error = flags & RF_JSON ? "This address takes application/json." :
		    "Only application/x-www-form-urlencoded forms are accepted.";
		return 415;
	}
	if (!(flags & RF_ADMIN))
		return 0;
	r->session = arena_alloc(r->a, sizeof(*r->session));
	/* Corrupt, truncated or oversized cookies are simply no session. */
	rc = session_get(app->db, r->a, cookie, clock_now(), r->session);
	if (rc == DB_NOTFOUND) {
		r->session = NULL;
		return page_redirect(r, "/admin/login");
	}
	if (rc != DB_OK)
		return db_status(rc);
	if ((flags & RF_ADMIN_ROLE) && r->session->role != ADMIN_ROLE_ADMIN) {
		r->error = "Only an admin manages accounts: ask one of your site's admins.";
		return 403;
	}
	if (r->session->role == ADMIN_ROLE_SCOREKEEPER && !(flags & RF_ANY_ROLE)) {
		int keeps = flags & RF_SCOREKEEPER ? admin_user_keeps_scores(app->db,
		    r->session->user_id, r->params[0]) : 0;

		if (keeps < 0)
			return 500;
		if (keeps == 0) {
			r->error = "Your account keeps the scores of the competitions assigned"
			    " to it, nothing else: see Competitions (/admin/competitions).";
			return 403;
		}
	}
	if ((flags & RF_CSRF) && r->method == M_POST) {
		switch (session_csrf_check(r->a, r->session, req_form(r, "csrf"), clock_now())) {
		case TOKEN_OK:
			return 0;
		case TOKEN_EXPIRED:
			r->error = "This form has expired. Go back, reload the page and try again.";
			return 403;
		default:
			r->error = "This form was not made for your session. Go back, reload"
			    " the page and try again.";
			return 403;
		}
	}
	return 0;
}

void admin_page_begin(struct page *p, struct req *r, struct app *app, const char *title,
    const char *file)
{
	char csrf[TOKEN_FORM_HEX + 1];
	struct tpl_dict *bar;

	page_begin(p, r, app, title, file);
	session_csrf(r->a, r->session, clock_now(), csrf);
	bar = tpl_section(p->root, "ADMIN");
	tpl_set(bar, "USER", r->session->user);
	tpl_set(bar, "CSRF", csrf);
	tpl_set(p->body, "CSRF", csrf);
}

int admin_event_load(struct req *r, struct app *app, struct event *e)
{
	enum db_rc rc = event_get(app->db, r->a, r->params[0], e);

	if (rc == DB_NOTFOUND)
		return 404;
	return rc == DB_OK ? 0 : db_status(rc);
}

int admin_event_form_get(struct req *r, struct app *app, const struct admin_event_form *f)
{
	struct event e;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	return f->show(r, app, &e, 200, NULL);
}

int admin_event_form_post(struct req *r, struct app *app, const struct admin_event_form *f)
{
	const char *action = field_get(r, F_ACTION), *err;
	enum db_rc rc = DB_OK;
	struct event e;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	if (action == NULL)
		action = "";
	if ((err = f->apply(r, app, &e, action, &rc)) != NULL)
		return f->show(r, app, &e, 400, err);
	if (rc != DB_OK) {
		if ((err = f->refusal(r, app, &e, rc, action)) == NULL)
			return db_status(rc);
		/* The change may have made it a drop or competition, or not: read it again. */
		if ((status = admin_event_load(r, app, &e)) != 0)
			return status;
		return f->show(r, app, &e, db_status(rc), err);
	}
	return page_redirect(r, arena_printf(r->a, "/admin/events/%s/%s?done=%s", e.slug,
	    f->page, action));
}

/* A CSV download named filename: its headers. */
static int csv_download(struct req *r, const char *filename)
{
	r->content_type = "text/csv; charset=utf-8";
	req_header(r, "Content-Disposition", arena_printf(r->a,
	    "attachment; filename=\"%s\"", filename));
	return 200;
}

int admin_csv_send(struct req *r, const struct csv *c, const char *filename)
{
	r->body = c->out.buf;
	r->body_len = c->out.len;
	return csv_download(r, filename);
}

int admin_csv_stream(struct req *r, const char *filename,
    int (*stream)(struct req *r, void (*put)(void *sink, const char *s, size_t n), void *sink),
    void *arg)
{
	r->stream = stream;
	r->stream_arg = arg;
	return csv_download(r, filename);
}

/* The login form, with an error message if error is not NULL. */
static int login_page(struct req *r, struct app *app, int status, const char *name,
    const char *error)
{
	char token[TOKEN_FORM_HEX + 1];
	struct page p;

	page_begin(&p, r, app, "Admin login", "admin_login.tpl");
	token_form_new(token, clock_now(), LOGIN_PURPOSE);
	tpl_set(p.body, "FORM_TOKEN", token);
	tpl_set(p.body, "NAME", name);
	if (error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", error);
	if (field_get(r, F_OUT) != NULL)
		tpl_show(p.body, "LOGGED_OUT");
	return page_end(&p, r, status);
}

int h_admin_login_form(struct req *r, struct app *app)
{
	return login_page(r, app, 200, "", NULL);
}

int h_admin_login(struct req *r, struct app *app)
{
	const char *name = field_get(r, F_NAME), *password = field_get(r, F_PASSWORD), *err;
	char token[SESSION_TOKEN_HEX + 1];
	int64_t user_id;
	enum db_rc rc;

	/* The form token stops other sites from logging a browser in (login CSRF). */
	if ((err = field_form_token(field_get(r, F_FORM_TOKEN), LOGIN_PURPOSE)) != NULL)
		return login_page(r, app, 400, "", err);
	if (name == NULL || password == NULL || strlen(name) > ADMIN_NAME_MAX ||
	    strlen(password) > ADMIN_PASSWORD_MAX)
		return login_page(r, app, 403, "", LOGIN_FAILED);
	/* The back-off counts per account and client address (nginx's, not a header's). */
	rc = admin_user_login(app->db, name, password, r->remote_addr, clock_now(), &user_id);
	if (rc == DB_INVALID)
		return login_page(r, app, 403, admin_user_name_valid(name) ? name : "",
		    LOGIN_FAILED);
	if (rc != DB_OK)
		return db_status(rc);
	/* A new session at every login: a planted session id is never promoted. */
	rc = session_create(app->db, user_id, req_cookie(r, cookie_name(r)), clock_now(),
	    token);
	if (rc != DB_OK)
		return db_status(rc);
	set_cookie(r, token, 0);
	return page_redirect(r, "/admin");
}

int h_admin_logout(struct req *r, struct app *app)
{
	enum db_rc rc = session_delete(app->db, req_cookie(r, cookie_name(r)));

	if (rc != DB_OK)
		return db_status(rc);
	set_cookie(r, "", 1);
	return page_redirect(r, "/admin/login?out=1");
}

/* One row of the dashboard's event tables. */
static void dashboard_row(struct tpl_dict *d, struct arena *a, const struct event *e,
    int past)
{
	tpl_set(d, "SLUG", e->slug);
	tpl_set(d, "TITLE", e->title);
	tpl_set(d, "STATUS", event_status_name(e->status));
	tpl_set(d, "WHEN", tz_human(a, e->starts_at));
	tpl_set_int(d, "CONFIRMED", e->confirmed);
	tpl_set(d, "CAPACITY", e->capacity < 0 ? "unlimited" :
	    arena_printf(a, "%lld", (long long)e->capacity));
	tpl_set_int(d, "WAITLISTED", e->waitlisted);
	tpl_set(d, "ITEMS_NEEDED", e->items == 0 ? "no sheet" :
	    arena_printf(a, "%d of %d", e->items_needed, e->items));
	/* At the door: the check-in rate, and once it is over, who did not come. */
	tpl_set(d, "DOOR", e->parties == 0 ? "nobody confirmed" : arena_printf(a,
	    "%lld of %lld (%lld %%)%s", (long long)e->checked_in, (long long)e->parties,
	    (long long)(100 * e->checked_in / e->parties), !past || e->checked_in == 0 ? "" :
	    arena_printf(a, ", %lld no-show%s", (long long)(e->parties - e->checked_in),
	    e->parties - e->checked_in == 1 ? "" : "s")));
}

int h_admin_home(struct req *r, struct app *app)
{
	const char *past = field_get(r, F_FROM);
	int64_t counts[OUTBOX__MAX], before = 0, people, returning;
	struct event *list;
	struct page p;
	enum db_rc rc;
	int i, n, more;

	/* Scorekeepers land on their competitions (the login sends everyone here). */
	if (r->session->role == ADMIN_ROLE_SCOREKEEPER)
		return page_redirect(r, "/admin/competitions");
	if ((rc = outbox_counts(app->db, counts)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, "Dashboard", "admin_home.tpl");
	if (r->session->role == ADMIN_ROLE_ADMIN)
		tpl_show(p.body, "ACCOUNTS");
	if (counts[OUTBOX_DEAD] > 0)
		tpl_set(tpl_section(p.body, "UNDELIVERED"), "MESSAGE", arena_printf(r->a,
		    "%lld e-mail%s could not be delivered", (long long)counts[OUTBOX_DEAD],
		    counts[OUTBOX_DEAD] == 1 ? "" : "s"));
	if ((rc = stats_site(app->db, &people, &returning)) != DB_OK)
		return db_status(rc);
	/* Who comes back: sign-ups by people seen at another event before. */
	if (people > 0) {
		struct tpl_dict *d = tpl_section(p.body, "RETURNING");

		tpl_set_int(d, "PEOPLE", people);
		tpl_set_int(d, "RETURNING", returning);
		tpl_set_int(d, "SHARE", (returning * 100 + (people + returning) / 2) /
		    (people + returning));
	}
	if ((rc = event_list_admin(app->db, r->a, clock_now(), &list, &n)) != DB_OK)
		return db_status(rc);
	for (i = 0; i < n; i++)
		dashboard_row(tpl_section(p.body, "UPCOMING"), r->a, &list[i], 0);
	/* An empty list says so, with no table headers above nothing. */
	tpl_show(p.body, n == 0 ? "NO_UPCOMING" : "UPCOMING_TABLE");
	/* ?from=ID: the past events over before event ID; else the latest. */
	if (past != NULL && field_id(past, &before) != NULL)
		before = 0;
	if ((rc = event_list_past(app->db, r->a, clock_now(), before, &list, &n, &more)) != DB_OK)
		return db_status(rc);
	for (i = 0; i < n; i++)
		dashboard_row(tpl_section(p.body, "PAST"), r->a, &list[i], 1);
	tpl_show(p.body, n > 0 ? "PAST_TABLE" : before != 0 ? "NO_OLDER" : "NO_PAST");
	if (before != 0)
		tpl_show(p.body, "LATEST_PAST");
	if (more)
		tpl_set_int(tpl_section(p.body, "OLDER"), "BEFORE", list[n - 1].id);
	return page_end(&p, r, 200);
}
