/*
 * The participants page: who is coming and who waits, search, and the
 * admin's actions (check in, cancel, promote out of turn, add on someone's
 * behalf), and door mode: the confirmed parties by name, one tap each to
 * check in. Every action is logged with the admin's name.
 */
#include <string.h>

#include "clock.h"
#include "csv.h"
#include "fields.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "rsvp.h"
#include "session.h"
#include "tz.h"

#define SEARCH_MAX 100
#define MESSAGE_MAX 1000	/* characters of an organiser's message */
#define BULK_LINES_MAX 200
#define CSV_CHUNK 32768		/* bytes of the export sent at a time */

/* Every row the page shows can be ticked for "Confirm / Remove the ticked". */
_Static_assert(REQ_ADMIN_FIELDS_MAX >= RSVP_ADMIN_PAGE + 10,
    "the participants page's bulk form has a field per listed row");

/* The actions of the page's forms, with what the page says after each. */
static const struct {
	const char *name, *done;
	enum rsvp_admin_action action;
} actions[] = {
	{ "checkin", "Checked in.", RSVP_CHECK_IN },
	{ "uncheckin", "Check-in undone.", RSVP_UNDO_CHECK_IN },
	{ "cancel", "RSVP cancelled; the waitlist moved up into any room it made.",
	  RSVP_ADMIN_CANCEL },
	{ "promote", "Moved from the waitlist to confirmed.", RSVP_PROMOTE },
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))
#define DONE_ADDED "Added."

/* What the page says after the action named name (a done=); NULL if none. */
static const char *action_done(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NACTIONS; i++)
		if (strcmp(name, actions[i].name) == 0)
			return actions[i].done;
	return name != NULL && strcmp(name, "add") == 0 ? DONE_ADDED : NULL;
}

/* What the visitor typed into the add form, to show again. */
struct add_form {
	const char *name, *email, *note, *guests;
};

/* One line of a bulk operation's report. */
struct result {
	const char *what, *outcome;
	int ok;
};

struct rsvps_view {
	const char *error, *done;
	const struct rsvp *cancel;	/* the RSVP a cancel asks about first */
	const struct rsvp *removing;	/* the ticked a bulk removal asks about first */
	int nremoving;
	const char *message;		/* the message typed for it, to show again */
	const struct add_form *add;
	const char *bulk_text;		/* the bulk add form's text, to show again */
	const struct result *results;	/* a bulk operation's report */
	int nresults;
};

/* The search as given (bounded); "" if none. */
static const char *search_of(struct req *r)
{
	const char *q = field_get(r, F_Q);

	if (q == NULL)
		return "";
	return strlen(q) > SEARCH_MAX ? arena_strndup(r->a, q, SEARCH_MAX) : q;
}

/*
 * Where the page starts: from=c<id> (confirmed after RSVP id) or w<id>
 * (waitlisted after it), in the link's query or the action form's hidden
 * field; the list's start if absent or malformed.
 */
static struct rsvp_cursor cursor_of(struct req *r)
{
	struct rsvp_cursor c = { RSVP_CONFIRMED, 0, 0 };
	const char *from = field_get(r, F_FROM);
	int64_t id;

	if (from == NULL || (*from != 'c' && *from != 'w') ||
	    field_number(r->a, from + 1, 999999999999, -1, "page", &id) != NULL || id < 0)
		return c;
	c.status = *from == 'w' ? RSVP_WAITLISTED : RSVP_CONFIRMED;
	c.after = id;
	c.position = c.status == RSVP_WAITLISTED ? -1 : 0;	/* counted when read */
	return c;
}

/* s percent-encoded for a query string, in r's arena. */
static const char *query_escape(struct req *r, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(r->a, 3 * strlen(s) + 1), *p = out;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c) != NULL) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

/* Cursor c as its from= value; "" for the list's start. */
static const char *cursor_text(struct arena *a, const struct rsvp_cursor *c)
{
	if (c->status == RSVP_CONFIRMED && c->after == 0)
		return "";
	return arena_printf(a, "%c%lld", c->status == RSVP_WAITLISTED ? 'w' : 'c',
	    (long long)c->after);
}

static void row(struct tpl_dict *d, struct arena *a, const struct rsvp *rv)
{
	tpl_set_int(d, "ID", rv->id);
	tpl_set(d, "NAME", rv->name);
	tpl_set(d, "EMAIL", rv->email);
	tpl_set_int(d, "PARTY", 1 + rv->guests);
	tpl_set_int(d, "GUESTS", rv->guests);
	tpl_set(d, "NOTE", rv->note);
	tpl_set(d, "CREATED", tz_human(a, rv->created_at));
	if (rv->status == RSVP_WAITLISTED)
		tpl_set_int(d, "POSITION", rv->position);
	if (rv->checked_in_at != 0)
		tpl_set(tpl_section(d, "CHECKED_IN"), "AT", tz_human(a, rv->checked_in_at));
	else if (rv->status == RSVP_CONFIRMED)
		tpl_show(d, "NOT_CHECKED_IN");
}

static int rsvps_page(struct req *r, struct app *app, const struct event *e, int status,
    const struct rsvps_view *v)
{
	char token[TOKEN_FORM_HEX + 1];
	const char *q = search_of(r), *from;
	struct rsvp_cursor cursor = cursor_of(r), start = cursor;
	struct rsvp *list;
	struct tpl_dict *f, *res;
	struct page p;
	enum db_rc rc;
	int i, n, more, shown[2] = { 0, 0 };

	if ((rc = rsvp_admin_page(app->db, r->a, e->id, q, &cursor, RSVP_ADMIN_PAGE, &list, &n,
	    &more)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, arena_printf(r->a, "Participants: %s", e->title),
	    "admin_rsvps.tpl");
	page_event_summary(p.body, r->a, e, clock_now());
	tpl_set(p.body, "Q", q);
	tpl_set(p.body, "Q_ARG", *q != '\0' ? arena_printf(r->a, "?q=%s",
	    query_escape(r, q)) : "");
	tpl_set(p.body, "Q_AMP", *q != '\0' ? arena_printf(r->a, "&q=%s",
	    query_escape(r, q)) : "");
	tpl_set_int(p.body, "CONFIRMED", e->confirmed);
	tpl_set_int(p.body, "WAITLISTED", e->waitlisted);
	tpl_set(p.body, "CAPACITY", e->capacity < 0 ? "unlimited" :
	    arena_printf(r->a, "%lld", (long long)e->capacity));
	for (i = 0; i < n; i++) {
		int w = list[i].status == RSVP_WAITLISTED;

		row(tpl_section(p.body, w ? "WAITLIST_ROW" : "CONFIRMED_ROW"), r->a, &list[i]);
		shown[w]++;
	}
	/* A later page may hold no row of a section: "nobody" only if so. */
	if (shown[0] > 0)
		tpl_show(p.body, "CONFIRMED_TABLE");
	else if (start.status == RSVP_CONFIRMED && start.after == 0)
		tpl_show(p.body, "NO_CONFIRMED");
	if (shown[1] > 0) {
		tpl_show(p.body, "WAITLIST_TABLE");
		tpl_show(p.body, "BULK_WAITLIST");
	} else if (!more) {
		tpl_show(p.body, "NO_WAITLIST");
	}
	if (start.after > 0 || start.status == RSVP_WAITLISTED)
		tpl_show(p.body, "FIRST_PAGE");
	if (more)
		tpl_set(tpl_section(p.body, "NEXT_PAGE"), "FROM", cursor_text(r->a, &cursor));
	/* The rows' action forms come back to this page of the list. */
	from = cursor_text(r->a, &start);
	tpl_set(p.body, "PAGE_FROM", from);
	tpl_set(p.body, "FROM_AMP", *from != '\0' ? arena_printf(r->a, "&from=%s", from) : "");
	/* This page's own query: its start and the search ("" for page 1, all). */
	tpl_set(p.body, "PAGE_ARG", *from != '\0' ? arena_printf(r->a, "?from=%s%s", from,
	    *q != '\0' ? arena_printf(r->a, "&q=%s", query_escape(r, q)) : "") :
	    *q != '\0' ? arena_printf(r->a, "?q=%s", query_escape(r, q)) : "");
	if (v->cancel != NULL) {
		f = tpl_section(p.body, "CONFIRM_CANCEL");
		tpl_set_int(f, "ID", v->cancel->id);
		tpl_set(f, "NAME", v->cancel->name);
		tpl_set(f, "EMAIL", v->cancel->email);
		tpl_set_int(f, "PARTY", 1 + v->cancel->guests);
		tpl_set(f, "STATUS", rsvp_status_name(v->cancel->status));
		tpl_set(f, "MESSAGE", v->message != NULL ? v->message : "");
	}
	f = v->nremoving > 0 ? tpl_section(p.body, "CONFIRM_REMOVE") : NULL;
	if (f != NULL)
		tpl_set_int(f, "N", v->nremoving);
	for (i = 0; i < v->nremoving; i++) {
		res = tpl_section(f, "PICK");
		tpl_set_int(res, "ID", v->removing[i].id);
		tpl_set(res, "NAME", v->removing[i].name);
		tpl_set_int(res, "PARTY", 1 + v->removing[i].guests);
	}
	if (v->done != NULL)
		tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", v->done);
	if (v->error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", v->error);
	res = v->nresults > 0 ? tpl_section(p.body, "RESULTS") : NULL;
	for (i = 0; i < v->nresults; i++) {
		struct tpl_dict *d = tpl_section(res, "RESULT");

		tpl_set(d, "WHAT", v->results[i].what);
		tpl_set(d, "OUTCOME", v->results[i].outcome);
		tpl_show(d, v->results[i].ok ? "OK" : "REFUSED");
	}
	f = tpl_section(p.body, "BULK");
	token_form_new(token, clock_now(), form_purpose(r->a, "admin-bulk", e->slug));
	tpl_set(f, "FORM_TOKEN", token);
	tpl_set(f, "LINES", v->bulk_text != NULL ? v->bulk_text : "");
	f = tpl_section(p.body, "ADD");
	token_form_new(token, clock_now(), form_purpose(r->a, "admin-add", e->slug));
	tpl_set(f, "FORM_TOKEN", token);
	tpl_set_int(f, "MAX_GUESTS", e->max_guests);
	if (v->add != NULL) {
		tpl_set(f, "NAME", v->add->name);
		tpl_set(f, "EMAIL", v->add->email);
		tpl_set(f, "NOTE", v->add->note);
		tpl_set(f, "GUESTS", v->add->guests);
	} else {
		tpl_set(f, "GUESTS", "0");
	}
	return page_end(&p, r, status);
}

/*
 * The RSVP a cancel is about (field rsvp) into *rv, for the question asked
 * before it; 0, or the status of the page that says why not with v->error.
 */
static int cancel_target(struct req *r, struct app *app, const struct event *e,
    struct rsvp *rv, struct rsvps_view *v)
{
	enum db_rc rc;
	int64_t id;

	if (field_number(r->a, field_get(r, F_RSVP), 999999999, -1, "RSVP", &id) != NULL ||
	    id < 0) {
		v->error = "Which RSVP? Use the buttons on this page.";
		return 400;
	}
	if ((rc = rsvp_admin_get(app->db, r->a, e->id, id, rv)) == DB_NOTFOUND) {
		v->error = "There is no such RSVP at this event.";
		return 404;
	}
	if (rc != DB_OK)
		return db_status(rc);
	if (rv->status == RSVP_CANCELLED) {
		v->error = arena_printf(r->a, "%s's RSVP is cancelled already.", rv->name);
		return 422;
	}
	v->cancel = rv;
	return 0;
}

int h_admin_rsvps(struct req *r, struct app *app)
{
	const char *done = field_get(r, F_DONE), *confirm = field_get(r, F_CONFIRM);
	struct rsvps_view v = { .done = action_done(done) };
	struct event e;
	struct rsvp rv;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	/* ?confirm=cancel&rsvp=ID: ask before cancelling someone. */
	if (confirm != NULL && strcmp(confirm, "cancel") == 0 &&
	    (status = cancel_target(r, app, &e, &rv, &v)) != 0 && v.error == NULL)
		return status;
	return rsvps_page(r, app, &e, status != 0 ? status : 200, &v);
}

/* Back to the page after a change, keeping the search and the page, at the row. */
static int back(struct req *r, const struct event *e, const char *done, int64_t id)
{
	const char *q = search_of(r);
	struct rsvp_cursor c = cursor_of(r);
	const char *from = cursor_text(r->a, &c);

	return page_redirect(r, arena_printf(r->a, "/admin/events/%s/rsvps?done=%s%s%s%s%s#r%lld",
	    e->slug, done, *q != '\0' ? "&q=" : "", *q != '\0' ? query_escape(r, q) : "",
	    *from != '\0' ? "&from=" : "", from, (long long)id));
}

/*
 * Cancel someone's RSVP once the organiser said yes to the question
 * (confirm=yes), with their optional message to the person; without the
 * yes, the question (a form from before it, or a script's).
 */
static int cancel(struct req *r, struct app *app, const struct event *e)
{
	const char *confirm = field_get(r, F_CONFIRM), *q = search_of(r), *from;
	struct rsvps_view v = { 0 };
	struct rsvp_cursor c;
	struct rsvp_outcome out;
	struct rsvp rv;
	enum db_rc rc;
	int status;

	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		if ((status = cancel_target(r, app, e, &rv, &v)) != 0)
			return v.error != NULL ? rsvps_page(r, app, e, status, &v) : status;
		c = cursor_of(r);
		from = cursor_text(r->a, &c);
		return page_redirect(r, arena_printf(r->a, "/admin/events/%s/rsvps?confirm=cancel"
		    "&rsvp=%lld%s%s%s%s#confirm", e->slug, (long long)rv.id, *q != '\0' ? "&q=" : "",
		    *q != '\0' ? query_escape(r, q) : "", *from != '\0' ? "&from=" : "", from));
	}
	if ((status = cancel_target(r, app, e, &rv, &v)) != 0) {
		/* Cancelled already (a double submit): done, as the first answer said. */
		if (status == 422)
			return back(r, e, "cancel", rv.id);
		return v.error != NULL ? rsvps_page(r, app, e, status, &v) : status;
	}
	v.message = field_get(r, F_MESSAGE) != NULL ? field_get(r, F_MESSAGE) : "";
	if ((v.error = field_text(r->a, field_get(r, F_MESSAGE), 0, MESSAGE_MAX, 0, "message",
	    &v.message)) != NULL)
		return rsvps_page(r, app, e, 400, &v);
	rc = rsvp_admin_cancel(app->db, r->a, e->id, rv.id, r->session->user,
	    *v.message != '\0' ? v.message : NULL, &out);
	if (rc == DB_OK)
		return back(r, e, "cancel", rv.id);
	return db_status(rc);
}

/* Add an RSVP on someone's behalf, as the admin. */
static int add(struct req *r, struct app *app, const struct event *e)
{
	const char *token = field_get(r, F_FORM_TOKEN);
	char manage[TOKEN_MANAGE_HEX + 1];
	struct rsvps_view v = { 0 };
	struct add_form form;
	struct rsvp_outcome out;
	struct rsvp_input in = { .actor = r->session->user };
	enum db_rc rc;

	form.name = field_get(r, F_NAME) != NULL ? field_get(r, F_NAME) : "";
	form.email = field_get(r, F_EMAIL) != NULL ? field_get(r, F_EMAIL) : "";
	form.note = field_get(r, F_NOTE) != NULL ? field_get(r, F_NOTE) : "";
	form.guests = field_get(r, F_GUESTS) != NULL ? field_get(r, F_GUESTS) : "";
	v.add = &form;
	if ((v.error = field_form_token(token, form_purpose(r->a, "admin-add", e->slug))) != NULL ||
	    (v.error = field_name(r->a, field_get(r, F_NAME), &in.name)) != NULL ||
	    (v.error = field_email(r->a, field_get(r, F_EMAIL), &in.email)) != NULL ||
	    (v.error = field_guests(field_get(r, F_GUESTS), e->max_guests, &in.guests)) != NULL ||
	    (v.error = field_note(r->a, field_get(r, F_NOTE), &in.note)) != NULL)
		return rsvps_page(r, app, e, 400, &v);
	/* The person gets a manage link like everyone (derived from the token). */
	token_manage_of(token, manage);
	switch ((rc = rsvp_create(app->db, r->a, e->slug, &in, token, manage, &out))) {
	case DB_OK:
		return back(r, e, "add", 0);
	case DB_CONFLICT:
		v.error = "There is already an RSVP for this e-mail address at this event.";
		return rsvps_page(r, app, e, db_status(rc), &v);
	case DB_FULL:
		v.error = arena_printf(r->a, "A party of %d is larger than this event's %lld"
		    " places.", 1 + in.guests, (long long)e->capacity);
		return rsvps_page(r, app, e, db_status(rc), &v);
	case DB_CLOSED:
		v.error = "This event is cancelled: nobody can be added.";
		return rsvps_page(r, app, e, db_status(rc), &v);
	default:
		return db_status(rc);
	}
}

/* Why a bulk line or pick was refused. */
static const char *refusal(enum db_rc rc)
{
	switch (rc) {
	case DB_CONFLICT: return "refused: there is already an RSVP for this e-mail address";
	case DB_FULL: return "refused: does not fit (the party is larger than the spots left"
	    " or than the capacity)";
	case DB_INVALID: return "refused: more guests than this event allows";
	case DB_CLOSED: return "refused: not possible in its status";
	case DB_NOTFOUND: return "refused: no such RSVP at this event";
	/* Busy, a full disk or an error end the whole change before any report. */
	default: return "not saved";
	}
}

/*
 * Parse one bulk line "name, email[, guests]" into line; NULL, or what is
 * wrong with it.
 */
static const char *bulk_line(struct arena *a, const char *text, const struct event *e,
    struct rsvp_bulk_line *line)
{
	char *part[4], *comma;
	const char *err, *guests = "0";
	int n = 0;

	memset(line, 0, sizeof(*line));
	/* Cut at the commas: n commas, n + 1 parts (3 means too many). */
	for (part[0] = arena_strdup(a, text); n < 3 && (comma = strchr(part[n], ',')) != NULL;
	    n++) {
		*comma = '\0';
		part[n + 1] = comma + 1;
	}
	if (n < 1 || n > 2)
		return "expected: name, e-mail, guests (guests may be left out)";
	/* Trimmed; too long for a number is left as it is for field_guests to refuse. */
	if (n == 2 && field_text(a, part[2], 0, 10, 1, "guests", &guests) != NULL)
		guests = part[2];
	if ((err = field_name(a, part[0], &line->in.name)) != NULL ||
	    (err = field_email(a, part[1], &line->in.email)) != NULL ||
	    (err = field_guests(guests, e->max_guests, &line->in.guests)) != NULL)
		return err;
	line->in.note = "";
	return NULL;
}

/* Add a pasted list of people, each line on its own merits, in one transaction. */
static int bulk_add(struct req *r, struct app *app, const struct event *e)
{
	const char *token = field_get(r, F_FORM_TOKEN), *text = field_get(r, F_LINES);
	struct rsvp_bulk_line *lines;
	struct rsvps_view v = { 0 };
	struct result *res;
	const char **raw, *p, **err;
	enum db_rc rc;
	int i, n = 0, k = 0, replayed, added = 0;

	v.bulk_text = text != NULL ? text : "";
	if ((v.error = field_form_token(token, form_purpose(r->a, "admin-bulk", e->slug))) != NULL)
		return rsvps_page(r, app, e, 400, &v);
	raw = arena_alloc(r->a, (BULK_LINES_MAX + 1) * sizeof(*raw));
	for (p = v.bulk_text; *p != '\0' && n <= BULK_LINES_MAX; p += *p != '\0') {
		size_t len = strcspn(p, "\n");
		const char *l = arena_strndup(r->a, p, len - (len > 0 && p[len - 1] == '\r'));

		p += len;
		if (l[strspn(l, " \t")] != '\0')
			raw[n++] = l;
	}
	if (n == 0 || n > BULK_LINES_MAX) {
		v.error = n == 0 ? "Paste one person per line: name, e-mail, guests." :
		    "At most 200 lines at a time.";
		return rsvps_page(r, app, e, 400, &v);
	}
	lines = arena_alloc(r->a, (size_t)n * sizeof(*lines));
	err = arena_alloc(r->a, (size_t)n * sizeof(*err));
	/* Bad lines are reported, the good ones go to the database together. */
	for (i = 0; i < n; i++)
		if ((err[i] = bulk_line(r->a, raw[i], e, &lines[k])) == NULL)
			k++;
	rc = rsvp_bulk_add(app->db, r->a, e->slug, lines, k, r->session->user, token, &replayed);
	if (rc != DB_OK)
		return db_status(rc);
	if (replayed) {
		v.done = "This list was added already; nothing was changed.";
		v.bulk_text = NULL;
		return rsvps_page(r, app, e, 200, &v);
	}
	res = arena_alloc(r->a, (size_t)n * sizeof(*res));
	for (i = 0, k = 0; i < n; i++) {
		res[i].what = arena_printf(r->a, "Line %d: %s", i + 1, raw[i]);
		res[i].ok = 0;
		if (err[i] != NULL) {
			res[i].outcome = arena_printf(r->a, "refused: %s", err[i]);
		} else if (lines[k].rc != DB_OK) {
			res[i].outcome = refusal(lines[k++].rc);
		} else {
			res[i].outcome = rsvp_status_name(lines[k++].status);
			res[i].ok = 1;
			added++;
		}
	}
	v.results = res;
	v.nresults = n;
	v.done = arena_printf(r->a, "Added %d of %d.", added, n);
	v.bulk_text = NULL;
	return rsvps_page(r, app, e, added > 0 ? 200 : 400, &v);
}

/* Promote or remove the waitlist entries picked with the checkboxes (pick_ID). */
static int bulk_waitlist(struct req *r, struct app *app, const struct event *e,
    enum rsvp_admin_action action)
{
	struct rsvp_bulk_pick *picks = arena_alloc(r->a, (size_t)r->nform * sizeof(*picks));
	struct rsvps_view v = { 0 };
	struct result *res;
	enum db_rc rc;
	const char *key_id;
	int i, n = 0, done = 0;
	int64_t id;

	for (i = 0; i < r->nform; i++)
		if ((key_id = field_member_id(r->form[i].key, F_PICK_N)) != NULL &&
		    field_number(r->a, key_id, 999999999, -1, "RSVP", &id) == NULL && id >= 0)
			picks[n++].id = id;
	if (n == 0) {
		v.error = "Tick the waitlist entries first.";
		return rsvps_page(r, app, e, 400, &v);
	}
	/* Removing people asks first (confirm=yes), naming each of them. */
	if (action == RSVP_ADMIN_CANCEL && (field_get(r, F_CONFIRM) == NULL ||
	    strcmp(field_get(r, F_CONFIRM), "yes") != 0)) {
		struct rsvp *them = arena_alloc(r->a, (size_t)n * sizeof(*them));

		for (i = 0; i < n; i++)
			if ((rc = rsvp_admin_get(app->db, r->a, e->id, picks[i].id,
			    &them[v.nremoving])) == DB_OK && them[v.nremoving].status != RSVP_CANCELLED)
				v.nremoving++;
			else if (rc != DB_OK && rc != DB_NOTFOUND)
				return db_status(rc);
		if (v.nremoving == 0) {
			v.error = "None of the ticked is on this event's waitlist any more.";
			return rsvps_page(r, app, e, 422, &v);
		}
		v.removing = them;
		return rsvps_page(r, app, e, 200, &v);
	}
	if ((rc = rsvp_admin_bulk(app->db, r->a, e->id, picks, n, action, r->session->user)) != DB_OK)
		return db_status(rc);
	res = arena_alloc(r->a, (size_t)n * sizeof(*res));
	for (i = 0; i < n; i++) {
		res[i].what = arena_printf(r->a, "RSVP %lld", (long long)picks[i].id);
		res[i].ok = picks[i].rc == DB_OK;
		res[i].outcome = res[i].ok ? (action == RSVP_PROMOTE ? "confirmed" : "removed") :
		    refusal(picks[i].rc);
		done += res[i].ok;
	}
	v.results = res;
	v.nresults = n;
	v.done = arena_printf(r->a, "%s %d of %d.", action == RSVP_PROMOTE ? "Confirmed" :
	    "Removed", done, n);
	return rsvps_page(r, app, e, done > 0 ? 200 : 422, &v);
}

int h_admin_rsvps_change(struct req *r, struct app *app)
{
	const char *action = field_get(r, F_ACTION);
	struct rsvps_view v = { 0 };
	struct rsvp_outcome out;
	struct event e;
	int64_t id;
	enum db_rc rc;
	size_t i;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	if (action != NULL && strcmp(action, "add") == 0)
		return add(r, app, &e);
	if (action != NULL && strcmp(action, "cancel") == 0)
		return cancel(r, app, &e);
	if (action != NULL && strcmp(action, "bulk_add") == 0)
		return bulk_add(r, app, &e);
	if (action != NULL && strcmp(action, "bulk_promote") == 0)
		return bulk_waitlist(r, app, &e, RSVP_PROMOTE);
	if (action != NULL && strcmp(action, "bulk_remove") == 0)
		return bulk_waitlist(r, app, &e, RSVP_ADMIN_CANCEL);
	for (i = 0; action != NULL && i < NACTIONS; i++)
		if (strcmp(action, actions[i].name) == 0)
			break;
	if (action == NULL || i == NACTIONS) {
		v.error = "Unknown action: use the buttons on this page.";
		return rsvps_page(r, app, &e, 400, &v);
	}
	if (field_number(r->a, field_get(r, F_RSVP), 999999999, -1, "RSVP", &id) != NULL ||
	    id < 0) {
		v.error = "Which RSVP? Use the buttons on this page.";
		return rsvps_page(r, app, &e, 400, &v);
	}
	switch ((rc = rsvp_admin_act(app->db, r->a, e.id, id, actions[i].action, r->session->user,
	    &out))) {
	case DB_OK:
		return back(r, &e, actions[i].name, id);
	case DB_NOTFOUND:
		v.error = "There is no such RSVP at this event.";
		return rsvps_page(r, app, &e, db_status(rc), &v);
	case DB_CLOSED:
		v.error = actions[i].action == RSVP_CHECK_IN ? "Only confirmed parties can be"
		    " checked in." : "That RSVP is cancelled: nothing was changed.";
		return rsvps_page(r, app, &e, db_status(rc), &v);
	case DB_FULL:
		v.error = arena_printf(r->a, "That party does not fit in the %lld spot%s left."
		    " Nothing was changed.", (long long)out.spots_left,
		    out.spots_left == 1 ? "" : "s");
		return rsvps_page(r, app, &e, db_status(rc), &v);
	default:
		return db_status(rc);
	}
}

/* The participants export while it streams. */
struct rsvps_export {
	struct db *db;
	int64_t event_id;
	struct csv c;
	struct arena *scratch;	/* the rows' strings, emptied at each drain */
	void (*put)(void *sink, const char *s, size_t n);
	void *sink;
};

static int export_row(void *arg, const struct rsvp *rv)
{
	struct rsvps_export *x = arg;
	struct csv *c = &x->c;

	csv_cell(c, rsvp_status_name(rv->status));
	csv_cell(c, rv->position > 0 ? arena_printf(x->scratch, "%d", rv->position) : "");
	csv_cell(c, rv->name);
	csv_cell(c, rv->email);
	csv_cell_int(c, rv->guests);
	csv_cell_int(c, 1 + rv->guests);
	csv_cell(c, rv->note);
	csv_cell(c, tz_human(x->scratch, rv->created_at));
	csv_cell(c, rv->checked_in_at != 0 ? tz_human(x->scratch, rv->checked_in_at) : "");
	csv_end_row(c);
	if (c->out.len >= CSV_CHUNK) {
		csv_drain(c, x->put, x->sink);
		arena_reset(x->scratch);
	}
	return 0;
}

/* Every active RSVP, a page of rows at a time: memory stays bounded. */
static int export_stream(struct req *r, void (*put)(void *sink, const char *s, size_t n),
    void *sink)
{
	struct rsvps_export *x = r->stream_arg;
	enum db_rc rc;

	x->put = put;
	x->sink = sink;
	x->scratch = arena_new();
	rc = rsvp_admin_export(x->db, x->event_id, export_row, x);
	csv_drain(&x->c, put, sink);
	arena_free(x->scratch);
	if (rc != DB_OK) {
		log_error("participants export of event %lld broke off (db_rc %d): the download"
		    " is cut short", (long long)x->event_id, (int)rc);
		return -1;
	}
	return 0;
}

int h_admin_rsvps_csv(struct req *r, struct app *app)
{
	static const char *const head[] = {
		"status", "waitlist position", "name", "email", "guests", "party", "note",
		"signed up", "checked in",
	};
	struct rsvps_export *x = arena_alloc(r->a, sizeof(*x));
	struct event e;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	memset(x, 0, sizeof(*x));
	x->db = app->db;
	x->event_id = e.id;
	csv_init(&x->c, r->a);
	csv_row(&x->c, head, sizeof(head) / sizeof(head[0]));
	return admin_csv_stream(r, arena_printf(r->a, "%s-participants.csv", e.slug),
	    export_stream, x);
}

/*
 * Door mode: the confirmed parties by name with one check-in button each
 * and the running count; done and error say what the last tap did.
 */
static int door_page(struct req *r, struct app *app, const struct event *e, int status,
    const char *done, const char *error)
{
	const char *q = search_of(r);
	struct rsvp_door d;
	struct tpl_dict *row;
	struct page p;
	enum db_rc rc;
	int i;

	if ((rc = rsvp_door(app->db, r->a, e->id, q, &d)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, arena_printf(r->a, "Door: %s", e->title), "admin_door.tpl");
	page_event_summary(p.body, r->a, e, clock_now());
	tpl_set(p.body, "Q", q);
	tpl_set_int(p.body, "CHECKED_IN", d.checked_in);
	tpl_set_int(p.body, "CONFIRMED", d.confirmed);
	for (i = 0; i < d.n; i++) {
		row = tpl_section(p.body, "ROW");
		tpl_set_int(row, "ID", d.list[i].id);
		tpl_set(row, "NAME", d.list[i].name);
		tpl_set(row, "EMAIL", d.list[i].email);
		tpl_set_int(row, "PARTY", 1 + d.list[i].guests);
		if (d.list[i].checked_in_at != 0)
			tpl_set(tpl_section(row, "IN"), "AT", tz_human(r->a, d.list[i].checked_in_at));
		else
			tpl_show(row, "OUT");
	}
	if (d.n == 0)
		tpl_show(p.body, *q != '\0' ? "NO_MATCH" : "NOBODY");
	if (d.more)
		tpl_set_int(tpl_section(p.body, "MORE"), "MAX", RSVP_DOOR_MAX);
	if (done != NULL)
		tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", done);
	if (error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", error);
	return page_end(&p, r, status);
}

int h_admin_door(struct req *r, struct app *app)
{
	const char *done = field_get(r, F_DONE);
	struct event e;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	/* Only what a tap at the door did. */
	if (done != NULL && strcmp(done, "checkin") != 0 && strcmp(done, "uncheckin") != 0)
		done = NULL;
	return door_page(r, app, &e, 200, action_done(done), NULL);
}

int h_admin_door_change(struct req *r, struct app *app)
{
	const char *action = field_get(r, F_ACTION), *q = search_of(r);
	struct rsvp_outcome out;
	struct event e;
	int64_t id;
	enum db_rc rc;
	int status, in;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	if (action == NULL || (strcmp(action, "checkin") != 0 && strcmp(action, "uncheckin") != 0))
		return door_page(r, app, &e, 400, NULL, "Unknown action: use the buttons on this page.");
	in = strcmp(action, "checkin") == 0;
	if (field_number(r->a, field_get(r, F_RSVP), 999999999, -1, "RSVP", &id) != NULL || id < 0)
		return door_page(r, app, &e, 400, NULL, "Which party? Use the buttons on this page.");
	switch ((rc = rsvp_admin_act(app->db, r->a, e.id, id, in ? RSVP_CHECK_IN :
	    RSVP_UNDO_CHECK_IN, r->session->user, &out))) {
	case DB_OK:
		return page_redirect(r, arena_printf(r->a, "/admin/events/%s/door?done=%s%s%s#r%lld",
		    e.slug, action, *q != '\0' ? "&q=" : "", *q != '\0' ? query_escape(r, q) : "",
		    (long long)id));
	case DB_NOTFOUND:
		return door_page(r, app, &e, 404, NULL, "There is no such party at this event.");
	case DB_CLOSED:
		return door_page(r, app, &e, 422, NULL, "Only confirmed parties can be checked in.");
	default:
		return db_status(rc);
	}
}
