/*
 * The admin's event editor: new events and edits, with an optimistic lock
 * (edit_version) so two admins never silently overwrite each other.
 */
#include <string.h>

#include "clock.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "session.h"
#include "tz.h"

#define NEW_PURPOSE "admin-event-new"

enum ef {
	EF_TITLE, EF_SLUG, EF_DESCRIPTION, EF_LOCATION, EF_STARTS, EF_ENDS,
	EF_CAPACITY, EF_MAX_GUESTS, EF_OPENS, EF_CLOSES, EF_STATUS, EF_CONTACT, EF__MAX
};

/* The editor's fields: the request field, its template key and label. */
static const struct {
	enum field field;
	const char *key, *label;
} efields[EF__MAX] = {
	[EF_TITLE] = { F_TITLE, "TITLE", "Title" },
	[EF_SLUG] = { F_SLUG, "SLUG", "Address (slug)" },
	[EF_DESCRIPTION] = { F_DESCRIPTION, "DESCRIPTION", "Description" },
	[EF_LOCATION] = { F_LOCATION, "LOCATION", "Location" },
	[EF_STARTS] = { F_STARTS, "STARTS", "Starts" },
	[EF_ENDS] = { F_ENDS, "ENDS", "Ends" },
	[EF_CAPACITY] = { F_CAPACITY, "CAPACITY", "Capacity" },
	[EF_MAX_GUESTS] = { F_MAX_GUESTS, "MAX_GUESTS", "Guests per RSVP" },
	[EF_OPENS] = { F_RSVP_OPENS, "RSVP_OPENS", "RSVPs open" },
	[EF_CLOSES] = { F_RSVP_CLOSES, "RSVP_CLOSES", "RSVPs close" },
	[EF_STATUS] = { F_STATUS, "STATUS", "Status" },
	[EF_CONTACT] = { F_CONTACT, "CONTACT", "Organiser's e-mail" },
};

/* The editor's values as form text. */
struct editor {
	const char *v[EF__MAX];
};

/* t as a form value in the site's zone; "" when not given (0). */
static const char *local_time(struct arena *a, int64_t t)
{
	char buf[TZ_LOCAL_LEN + 1];

	if (t == 0)
		return "";
	tz_format_local(t, buf);
	return arena_strdup(a, buf);
}

static void editor_of_event(struct arena *a, const struct event *e, struct editor *ed)
{
	ed->v[EF_TITLE] = e->title;
	ed->v[EF_SLUG] = e->slug;
	ed->v[EF_DESCRIPTION] = e->description;
	ed->v[EF_LOCATION] = e->location;
	ed->v[EF_STARTS] = local_time(a, e->starts_at);
	ed->v[EF_ENDS] = local_time(a, e->ends_at);
	ed->v[EF_CAPACITY] = e->capacity < 0 ? "" :
	    arena_printf(a, "%lld", (long long)e->capacity);
	ed->v[EF_MAX_GUESTS] = arena_printf(a, "%d", e->max_guests);
	ed->v[EF_OPENS] = local_time(a, e->rsvp_opens_at);
	ed->v[EF_CLOSES] = local_time(a, e->rsvp_closes_at);
	ed->v[EF_STATUS] = event_status_name(e->status);
	ed->v[EF_CONTACT] = e->contact;
}

static void editor_of_form(const struct req *r, struct editor *ed)
{
	int i;

	for (i = 0; i < EF__MAX; i++)
		ed->v[i] = field_get(r, efields[i].field) != NULL ?
		    field_get(r, efields[i].field) : "";
}

/* Validate ed into e; NULL, or what is wrong. */
static const char *editor_parse(struct arena *a, const struct editor *ed, struct event *e)
{
	const char *err;
	int64_t n;
	int s;

	memset(e, 0, sizeof(*e));
	if ((err = field_text(a, ed->v[EF_TITLE], 1, 200, 1, "title", &e->title)) != NULL ||
	    (err = field_text(a, ed->v[EF_SLUG], 1, EVENT_SLUG_MAX, 1, "address (slug)",
	    &e->slug)) != NULL ||
	    (err = field_text(a, ed->v[EF_DESCRIPTION], 0, 20000, 0, "description",
	    &e->description)) != NULL ||
	    (err = field_text(a, ed->v[EF_LOCATION], 0, 200, 1, "location",
	    &e->location)) != NULL ||
	    (err = field_time(a, ed->v[EF_STARTS], 1, "start", &e->starts_at)) != NULL ||
	    (err = field_time(a, ed->v[EF_ENDS], 0, "end", &e->ends_at)) != NULL ||
	    (err = field_number(a, ed->v[EF_CAPACITY], 1000000, -1, "capacity",
	    &e->capacity)) != NULL ||
	    (err = field_number(a, ed->v[EF_MAX_GUESTS], 100, 0, "number of guests per RSVP",
	    &n)) != NULL ||
	    (err = field_time(a, ed->v[EF_OPENS], 0, "time RSVPs open",
	    &e->rsvp_opens_at)) != NULL ||
	    (err = field_time(a, ed->v[EF_CLOSES], 0, "time RSVPs close",
	    &e->rsvp_closes_at)) != NULL)
		return err;
	e->max_guests = (int)n;
	/* Optional; where replies to the event's e-mails go (Reply-To). */
	e->contact = "";
	if (*ed->v[EF_CONTACT] != '\0' && strspn(ed->v[EF_CONTACT], " \t") <
	    strlen(ed->v[EF_CONTACT]) &&
	    (err = field_email(a, ed->v[EF_CONTACT], &e->contact)) != NULL)
		return arena_printf(a, "Organiser's e-mail: %s", err);
	if (!event_slug_valid(e->slug))
		return "The address (slug) may only have a-z, 0-9 and '-', and must not start"
		    " with '-'.";
	if (e->ends_at != 0 && e->ends_at < e->starts_at)
		return "The event cannot end before it starts.";
	if (e->rsvp_opens_at != 0 && e->rsvp_closes_at != 0 &&
	    e->rsvp_closes_at <= e->rsvp_opens_at)
		return "RSVPs must close after they open.";
	for (s = EVENT_DRAFT; s <= EVENT_CANCELLED; s++)
		if (strcmp(ed->v[EF_STATUS], event_status_name((enum event_status)s)) == 0)
			break;
	if (s > EVENT_CANCELLED)
		return "The status must be draft, published or cancelled.";
	e->status = (enum event_status)s;
	return NULL;
}

/* What the editor shows besides the fields. */
struct editor_view {
	const char *slug;		/* the event edited; NULL: a new one */
	int64_t edit_version;
	const char *error, *notice;
	const struct event *saved;	/* the event as stored, if any */
	const struct editor *theirs;	/* on a conflict: the other admin's values */
};

static int editor_page(struct req *r, struct app *app, int status, const struct editor *ed,
    const struct editor_view *v)
{
	char token[TOKEN_FORM_HEX + 1];
	struct tpl_dict *d;
	struct page p;
	int i, s;

	admin_page_begin(&p, r, app, v->slug != NULL ? "Edit event" : "New event",
	    "admin_event.tpl");
	if (v->slug != NULL) {
		d = tpl_section(p.body, "EDIT");
		tpl_set(d, "OLD_SLUG", v->slug);
		tpl_set(p.body, "ACTION", arena_printf(r->a, "/admin/events/%s/edit", v->slug));
	} else {
		tpl_show(p.body, "NEW");
		tpl_set(p.body, "ACTION", "/admin/events/new");
		token_form_new(token, clock_now(), NEW_PURPOSE);
		tpl_set(tpl_section(p.body, "FORM_TOKEN"), "FORM_TOKEN", token);
	}
	tpl_set_int(p.body, "EDIT_VERSION", v->edit_version);
	for (i = 0; i < EF__MAX; i++)
		tpl_set(p.body, efields[i].key, ed->v[i]);
	for (s = EVENT_DRAFT; s <= EVENT_CANCELLED; s++) {
		d = tpl_section(p.body, "STATUS_OPTION");
		tpl_set(d, "VALUE", event_status_name((enum event_status)s));
		if (strcmp(ed->v[EF_STATUS], event_status_name((enum event_status)s)) == 0)
			tpl_show(d, "SELECTED");
	}
	tpl_set(p.body, "TIMEZONE", app->cfg->timezone);
	if (v->error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", v->error);
	if (v->notice != NULL)
		tpl_set(tpl_section(p.body, "NOTICE"), "MESSAGE", v->notice);
	if (v->theirs != NULL) {
		struct tpl_dict *c = tpl_section(p.body, "CONFLICT");

		for (i = 0; i < EF__MAX; i++)
			if (strcmp(v->theirs->v[i], ed->v[i]) != 0) {
				d = tpl_section(c, "DIFF");
				tpl_set(d, "LABEL", efields[i].label);
				tpl_set(d, "THEIRS", v->theirs->v[i]);
				tpl_set(d, "YOURS", ed->v[i]);
			}
	}
	if (v->saved != NULL && v->saved->capacity >= 0 &&
	    v->saved->confirmed > v->saved->capacity) {
		d = tpl_section(p.body, "OVER_CAPACITY");
		tpl_set_int(d, "CONFIRMED", v->saved->confirmed);
		tpl_set_int(d, "CAPACITY", v->saved->capacity);
	}
	if (v->saved != NULL) {
		d = tpl_section(p.body, "COUNTS");
		tpl_set_int(d, "CONFIRMED", v->saved->confirmed);
		tpl_set_int(d, "WAITLISTED", v->saved->waitlisted);
	}
	return page_end(&p, r, status);
}

int h_admin_event_new_form(struct req *r, struct app *app)
{
	struct editor_view v = { .edit_version = 1 };
	struct editor ed;
	struct event e = { .slug = "", .title = "", .description = "", .location = "",
	    .contact = "", .capacity = -1 };

	editor_of_event(r->a, &e, &ed);
	return editor_page(r, app, 200, &ed, &v);
}

int h_admin_event_edit_form(struct req *r, struct app *app)
{
	struct editor_view v = { 0 };
	struct editor ed;
	struct event e;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	editor_of_event(r->a, &e, &ed);
	v.slug = e.slug;
	v.edit_version = e.edit_version;
	v.saved = &e;
	if (field_get(r, F_SAVED) != NULL)
		v.notice = "Saved.";
	return editor_page(r, app, 200, &ed, &v);
}

/* Save the editor's form: the event r->params[0], or a new one if slug is NULL. */
static int save(struct req *r, struct app *app, const char *slug)
{
	struct editor_view v = { .slug = slug };
	struct editor ed, theirs;
	struct event in, cur;
	const char *token = NULL;
	enum db_rc rc;
	int64_t ver;
	int status;

	editor_of_form(r, &ed);
	if (field_number(r->a, field_get(r, F_EDIT_VERSION), 999999999, 0, "version", &ver) != NULL)
		ver = 0;	/* no such version: the conflict page shows the current one */
	v.edit_version = ver;
	if (slug == NULL) {
		token = field_get(r, F_FORM_TOKEN);
		if ((v.error = field_form_token(token, NEW_PURPOSE)) != NULL)
			return editor_page(r, app, 400, &ed, &v);
	} else if ((status = admin_event_load(r, app, &cur)) != 0) {
		return status;
	} else {
		v.saved = &cur;
	}
	if ((v.error = editor_parse(r->a, &ed, &in)) != NULL)
		return editor_page(r, app, 400, &ed, &v);
	in.edit_version = ver;
	switch ((rc = event_save(app->db, r->a, slug, &in, token, r->session->user, &cur))) {
	case DB_OK:
		return page_redirect(r, arena_printf(r->a, "/admin/events/%s/edit?saved=1",
		    in.slug));
	case DB_CONFLICT:
		/* Show both: the admin decides and saves again against the new version. */
		editor_of_event(r->a, &cur, &theirs);
		v.theirs = &theirs;
		v.saved = &cur;
		v.edit_version = cur.edit_version;
		v.error = "Another admin saved this event while you were editing it. The"
		    " differences are below; your changes are not saved yet. Check them and"
		    " save again to keep yours.";
		return editor_page(r, app, db_status(rc), &ed, &v);
	case DB_INVALID:
		v.error = "Another event already uses that address (slug).";
		return editor_page(r, app, db_status(rc), &ed, &v);
	default:
		return db_status(rc);
	}
}

int h_admin_event_create(struct req *r, struct app *app)
{
	return save(r, app, NULL);
}

int h_admin_event_update(struct req *r, struct app *app)
{
	return save(r, app, r->params[0]);
}
