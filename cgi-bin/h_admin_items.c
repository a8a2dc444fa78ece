/*
 * The potluck items editor: add, edit, reorder and remove an event's items,
 * and the sheet as CSV. Every form about an item carries the item's
 * version, so a change made meanwhile (another admin, a pledge) is never
 * silently overwritten.
 */
#include <string.h>

#include "clock.h"
#include "csv.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "token.h"

#define ADD_PURPOSE "admin-item-add"
#define REMOVE_PURPOSE "admin-item-remove"

/* What the page says after a change (?done=NAME): fixed texts only. */
static const struct {
	const char *name, *message;
} results[] = {
	{ "added", "Item added." },
	{ "saved", "Saved." },
	{ "moved", "Moved." },
	{ "unmoved", "Nothing was moved: the list changed since your page was loaded"
	  " (another admin, a pledge, or the button pressed twice). This is the order"
	  " now." },
	{ "removed", "Item removed." },
};

/* An item form's fields as typed, or as stored, in form text. */
struct item_form {
	const char *name, *category, *suggested, *unit;
	int capped;
};

/* What the page shows besides the list. */
struct items_view {
	const char *done, *error;
	int64_t item_id;		/* the item the message is about; 0: the add form */
	const struct item_form *typed;	/* its form as typed; NULL: as stored */
	int64_t version;		/* the typed form's version; 0: the item's own */
	int conflict;			/* show the item's stored values beside typed */
	int warn_remove;		/* ask before dropping the item's pledges */
};

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static void form_of_req(struct req *r, struct item_form *f)
{
	f->name = or_empty(field_get(r, F_NAME));
	f->category = or_empty(field_get(r, F_CATEGORY));
	f->suggested = or_empty(field_get(r, F_SUGGESTED));
	f->unit = or_empty(field_get(r, F_UNIT));
	f->capped = field_get(r, F_CAPPED) != NULL;
}

static void form_of_item(struct arena *a, const struct item *it, struct item_form *f)
{
	f->name = it->name;
	f->category = potluck_category_name(it->category);
	f->suggested = arena_printf(a, "%lld", (long long)it->suggested);
	f->unit = it->unit;
	f->capped = it->capped;
}

/* Validate f into in; NULL, or what is wrong. */
static const char *parse(struct arena *a, const struct item_form *f, struct item_input *in)
{
	const char *err;
	int c;

	memset(in, 0, sizeof(*in));
	if ((err = field_text(a, f->name, 1, POTLUCK_NAME_MAX, 1, "name", &in->name)) != NULL ||
	    (err = field_text(a, f->unit, 0, POTLUCK_UNIT_MAX, 1, "unit", &in->unit)) != NULL)
		return err;
	if (field_number(a, f->suggested, POTLUCK_QUANTITY_MAX, 0, "quantity",
	    &in->suggested) != NULL || in->suggested < 1)
		return arena_printf(a, "The suggested quantity must be a whole number from 1"
		    " to %d.", POTLUCK_QUANTITY_MAX);
	for (c = 0; c < ITEM_CATEGORY__MAX; c++)
		if (strcmp(f->category, potluck_category_name((enum item_category)c)) == 0)
			break;
	if (c == ITEM_CATEGORY__MAX)
		return "Pick a category: food, drink, utensil, decoration or other.";
	in->category = (enum item_category)c;
	in->capped = f->capped;
	return NULL;
}

/* Fill the item fields partial at {{>FIELDS}} of d; key tells its ids apart. */
static void fields(struct tpl_dict *d, const char *key, const struct item_form *f)
{
	struct tpl_dict *in = tpl_include(d, "FIELDS", "admin_item_fields.tpl"), *o;
	int c;

	tpl_set(in, "KEY", key);
	tpl_set(in, "NAME", f->name);
	tpl_set(in, "SUGGESTED", f->suggested);
	tpl_set(in, "UNIT", f->unit);
	tpl_set_int(in, "NAME_MAX", POTLUCK_NAME_MAX);
	tpl_set_int(in, "UNIT_MAX", POTLUCK_UNIT_MAX);
	tpl_set_int(in, "QUANTITY_MAX", POTLUCK_QUANTITY_MAX);
	for (c = 0; c < ITEM_CATEGORY__MAX; c++) {
		o = tpl_section(in, "CATEGORY_OPTION");
		tpl_set(o, "VALUE", potluck_category_name((enum item_category)c));
		tpl_set(o, "LABEL", sheet_category_label((enum item_category)c));
		if (strcmp(f->category, potluck_category_name((enum item_category)c)) == 0)
			tpl_show(o, "SELECTED");
	}
	if (f->capped)
		tpl_show(in, "CAPPED");
}

/* "1 person" or "3 people": who pledged it. */
static const char *people(struct arena *a, const struct item *it)
{
	int n = it->npledgers + it->more;

	return n == 1 ? "1 person" : arena_printf(a, "%d people", n);
}

/* The stored values that differ from what the admin typed. */
static void conflict(struct tpl_dict *d, const struct item_form *now,
    const struct item_form *typed)
{
	static const char *const labels[] = { "Name", "Category", "Suggested", "Unit", "Capped" };
	const char *theirs[] = { now->name, now->category, now->suggested, now->unit,
	    now->capped ? "yes" : "no" };
	const char *yours[] = { typed->name, typed->category, typed->suggested, typed->unit,
	    typed->capped ? "yes" : "no" };
	struct tpl_dict *c = tpl_section(d, "CONFLICT"), *row;
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(theirs[i], yours[i]) != 0) {
			row = tpl_section(c, "DIFF");
			tpl_set(row, "LABEL", labels[i]);
			tpl_set(row, "THEIRS", theirs[i]);
			tpl_set(row, "YOURS", yours[i]);
		}
}

/* One item of the list with its forms; first and last: in its category. */
static void item_row(struct tpl_dict *d, struct req *r, const struct event *e,
    const struct item *it, int first, int last, const struct items_view *v)
{
	char token[TOKEN_FORM_HEX + 1];
	int about = v->item_id == it->id;
	struct item_form stored;

	sheet_item_values(d, r->a, it);
	if (it->capped)
		tpl_show(d, "CAPPED");
	tpl_set(d, "PEOPLE", it->pledged > 0 ? arena_printf(r->a, "%s pledged",
	    people(r->a, it)) : "nobody pledged yet");
	/* Refilled after bad input: still against the version the admin saw. */
	tpl_set_int(d, "FORM_VERSION", about && v->version != 0 ? v->version : it->version);
	token_form_new(token, clock_now(), form_purpose(r->a, REMOVE_PURPOSE, e->slug));
	tpl_set(d, "FORM_TOKEN", token);
	form_of_item(r->a, it, &stored);
	fields(d, arena_printf(r->a, "%lld", (long long)it->id),
	    about && v->typed != NULL ? v->typed : &stored);
	if (about && v->typed != NULL)
		tpl_show(d, "OPEN");
	if (about && v->conflict)
		conflict(d, &stored, v->typed);
	if (about && v->warn_remove && it->pledged > 0)
		tpl_set(tpl_section(d, "WARN_REMOVE"), "PLEDGES", arena_printf(r->a,
		    "%s pledged %lld%s%s of %s", people(r->a, it), (long long)it->pledged,
		    *it->unit != '\0' ? " " : "", it->unit, it->name));
	if (!first)
		tpl_show(d, "UP");
	if (!last)
		tpl_show(d, "DOWN");
}

static int items_page(struct req *r, struct app *app, const struct event *e, int status,
    const struct items_view *v)
{
	static const struct item_form blank = { "", "food", "1", "", 0 };
	char token[TOKEN_FORM_HEX + 1];
	struct tpl_dict *cat = NULL, *add;
	struct item *items;
	struct page p;
	enum db_rc rc;
	int i, n, needed = 0;

	if ((rc = potluck_items(app->db, r->a, e->id, &items, &n)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, arena_printf(r->a, "Potluck items: %s", e->title),
	    "admin_items.tpl");
	page_event_summary(p.body, r->a, e, clock_now());
	for (i = 0; i < n; i++) {
		int first = i == 0 || items[i].category != items[i - 1].category;
		int last = i == n - 1 || items[i].category != items[i + 1].category;

		if (first) {
			cat = tpl_section(p.body, "CATEGORY");
			tpl_set(cat, "LABEL", sheet_category_label(items[i].category));
		}
		item_row(tpl_section(cat, "ITEM"), r, e, &items[i], first, last, v);
		needed += potluck_needed(&items[i]) > 0;
	}
	tpl_set_int(p.body, "COUNT", n);
	tpl_set_int(p.body, "ITEMS_MAX", POTLUCK_ITEMS_MAX);
	tpl_set_int(p.body, "NEEDED", needed);
	if (n == 0)
		tpl_show(p.body, "NO_ITEMS");
	if (v->done != NULL)
		tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", v->done);
	if (v->error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", v->error);
	if (n < POTLUCK_ITEMS_MAX || (v->item_id == 0 && v->typed != NULL)) {
		add = tpl_section(p.body, "ADD");
		token_form_new(token, clock_now(), form_purpose(r->a, ADD_PURPOSE, e->slug));
		tpl_set(add, "FORM_TOKEN", token);
		fields(add, "new", v->item_id == 0 && v->typed != NULL ? v->typed : &blank);
	} else {
		tpl_show(p.body, "LIST_FULL");
	}
	return page_end(&p, r, status);
}

/* The message for ?done=name, or NULL. */
static const char *result_of(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(results) / sizeof(results[0]); i++)
		if (strcmp(name, results[i].name) == 0)
			return results[i].message;
	return NULL;
}

int h_admin_items(struct req *r, struct app *app)
{
	struct items_view v = { .done = result_of(field_get(r, F_DONE)) };
	struct event e;
	int status = admin_event_load(r, app, &e);

	return status != 0 ? status : items_page(r, app, &e, 200, &v);
}

/* Back to the list after a change, at anchor (NULL: the top). */
static int back(struct req *r, const struct event *e, const char *done, const char *anchor)
{
	return page_redirect(r, arena_printf(r->a, "/admin/events/%s/items?done=%s%s%s",
	    e->slug, done, anchor != NULL ? "#" : "", or_empty(anchor)));
}

static const char *item_anchor(struct arena *a, int64_t id)
{
	return arena_printf(a, "item-%lld", (long long)id);
}

/* The item a form is about and the version it showed; NULL, or what is wrong. */
static const char *item_ref(struct req *r, int64_t *id, int64_t *version)
{
	const char *err = field_id(field_get(r, F_ITEM), id);

	return err != NULL ? err : field_id(field_get(r, F_VERSION), version);
}

/* The page again saying what was wrong (message), answering status. */
static int refuse(struct req *r, struct app *app, const struct event *e,
    struct items_view *v, int status, const char *message)
{
	v->error = message;
	return items_page(r, app, e, status, v);
}

#define NO_SUCH_ITEM "There is no such item at this event. Reload the page and try again."
/* Fields that passed parse() but not the schema's CHECKs (they should agree). */
#define FIELDS_REFUSED "One of the fields is not allowed. Check them and try again."

static int add(struct req *r, struct app *app, const struct event *e)
{
	const char *token = field_get(r, F_FORM_TOKEN);
	struct items_view v = { 0 };
	struct item_input in;
	struct item_form f;
	enum db_rc rc;
	int64_t id;

	form_of_req(r, &f);
	v.typed = &f;
	if ((v.error = field_form_token(token, form_purpose(r->a, ADD_PURPOSE, e->slug))) != NULL ||
	    (v.error = parse(r->a, &f, &in)) != NULL)
		return items_page(r, app, e, 400, &v);
	/* A replayed form answers like the first: the same redirect, no id in it. */
	switch ((rc = potluck_item_add(app->db, e->id, &in, token, &id))) {
	case DB_OK:
		return back(r, e, "added", "add");
	case DB_FULL:
		return refuse(r, app, e, &v, db_status(rc), arena_printf(r->a, "This sheet already has"
		    " %d items, the most it can hold. Remove one before adding another.",
		    POTLUCK_ITEMS_MAX));
	case DB_INVALID:
		return refuse(r, app, e, &v, db_status(rc), FIELDS_REFUSED);
	default:
		return db_status(rc);
	}
}

static int edit(struct req *r, struct app *app, const struct event *e)
{
	struct items_view v = { 0 };
	struct item_input in;
	struct item_form f;
	enum db_rc rc;

	form_of_req(r, &f);
	v.typed = &f;
	if ((v.error = item_ref(r, &v.item_id, &v.version)) != NULL ||
	    (v.error = parse(r->a, &f, &in)) != NULL)
		return items_page(r, app, e, 400, &v);
	switch ((rc = potluck_item_edit(app->db, r->a, e->id, v.item_id, v.version, &in))) {
	case DB_OK:
		return back(r, e, "saved", item_anchor(r->a, v.item_id));
	case DB_CONFLICT:
		/* The form now carries the current version: saving again is a choice. */
		v.version = 0;
		v.conflict = 1;
		return refuse(r, app, e, &v, db_status(rc), "This item changed while you were editing it"
		    " (another admin, or a pledge). What it is now is shown beside your values;"
		    " your changes are not saved yet. Check them and save again to keep yours.");
	case DB_FULL:
		return refuse(r, app, e, &v, db_status(rc), "A capped item cannot suggest fewer than people"
		    " already pledged. Nothing was changed: raise the quantity to at least what"
		    " is pledged, or untick \"Capped\".");
	case DB_INVALID:
		return refuse(r, app, e, &v, db_status(rc), FIELDS_REFUSED);
	case DB_NOTFOUND:
		v.typed = NULL;
		return refuse(r, app, e, &v, db_status(rc), NO_SUCH_ITEM);
	default:
		return db_status(rc);
	}
}

/*
 * Up or down. The version makes a repeat harmless: a second press (or a
 * list changed meanwhile) moves nothing and says so, not an error page,
 * because the admin can see the order and press again.
 */
static int move(struct req *r, struct app *app, const struct event *e, int down)
{
	struct items_view v = { 0 };
	int64_t id, version;
	enum db_rc rc;

	if ((v.error = item_ref(r, &id, &version)) != NULL)
		return items_page(r, app, e, 400, &v);
	switch ((rc = potluck_item_move(app->db, r->a, e->id, id, version, down))) {
	case DB_OK:
		return back(r, e, "moved", item_anchor(r->a, id));
	case DB_CONFLICT:
		return back(r, e, "unmoved", item_anchor(r->a, id));
	case DB_NOTFOUND:
		return refuse(r, app, e, &v, 404, NO_SUCH_ITEM);
	default:
		return db_status(rc);
	}
}

static int up(struct req *r, struct app *app, const struct event *e)
{
	return move(r, app, e, 0);
}

static int down(struct req *r, struct app *app, const struct event *e)
{
	return move(r, app, e, 1);
}

/*
 * Remove at once if nobody pledged; else first say what goes with it and
 * ask (200: nothing is wrong yet), and remove on the confirming POST. The
 * form token makes a repeated POST answer like the first.
 */
static int remove_item(struct req *r, struct app *app, const struct event *e)
{
	const char *token = field_get(r, F_FORM_TOKEN), *confirm = field_get(r, F_CONFIRM);
	struct items_view v = { 0 };
	int64_t version;
	enum db_rc rc;

	if ((v.error = item_ref(r, &v.item_id, &version)) != NULL ||
	    (v.error = field_form_token(token, form_purpose(r->a, REMOVE_PURPOSE,
	    e->slug))) != NULL)
		return items_page(r, app, e, 400, &v);
	switch ((rc = potluck_item_remove(app->db, r->a, e->id, v.item_id, version,
	    confirm != NULL && strcmp(confirm, "1") == 0, token))) {
	case DB_OK:
		return back(r, e, "removed", NULL);
	case DB_CLOSED:
		v.warn_remove = 1;
		return items_page(r, app, e, 200, &v);
	case DB_CONFLICT:
		v.warn_remove = 1;
		return refuse(r, app, e, &v, db_status(rc), "This item changed since your page was loaded"
		    " (another admin, or a pledge): nothing was removed. Check it below and"
		    " remove it again if you still want to.");
	case DB_NOTFOUND:
		return refuse(r, app, e, &v, db_status(rc), NO_SUCH_ITEM);
	default:
		return db_status(rc);
	}
}

int h_admin_items_change(struct req *r, struct app *app)
{
	static const struct {
		const char *name;
		int (*fn)(struct req *, struct app *, const struct event *);
	} actions[] = {
		{ "add", add }, { "edit", edit }, { "up", up }, { "down", down },
		{ "remove", remove_item },
	};
	const char *action = or_empty(field_get(r, F_ACTION));
	struct items_view v = { .error = "Unknown action: use the buttons on this page." };
	struct event e;
	int status = admin_event_load(r, app, &e);
	size_t i;

	for (i = 0; status == 0 && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(action, actions[i].name) == 0)
			return actions[i].fn(r, app, &e);
	return status != 0 ? status : items_page(r, app, &e, 400, &v);
}

/* One CSV row per pledge_line (potluck_export()'s callback). */
static void csv_line(void *arg, const struct pledge_line *l)
{
	struct csv *c = arg;

	csv_cell(c, potluck_category_name(l->item->category));
	csv_cell(c, l->item->name);
	csv_cell(c, l->item->unit);
	csv_cell_int(c, l->item->suggested);
	csv_cell_int(c, l->item->pledged);
	csv_cell(c, l->item->capped ? "yes" : "no");
	csv_cell(c, l->name);
	csv_cell(c, l->email);
	if (l->quantity > 0) {
		csv_cell_int(c, l->quantity);
		csv_cell(c, l->tentative ? "tentative (waitlisted)" : "confirmed");
	} else {
		csv_cell(c, "");
		csv_cell(c, "");
	}
	csv_end_row(c);
}

int h_admin_items_csv(struct req *r, struct app *app)
{
	static const char *const head[] = {
		"category", "item", "unit", "suggested", "pledged in total", "capped",
		"name", "email", "quantity", "status",
	};
	struct event e;
	struct csv c;
	enum db_rc rc;
	int status;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	csv_init(&c, r->a);
	csv_row(&c, head, sizeof(head) / sizeof(head[0]));
	if ((rc = potluck_export(app->db, r->a, e.id, csv_line, &c)) != DB_OK)
		return db_status(rc);
	return admin_csv_send(r, &c, arena_printf(r->a, "%s-potluck.csv", e.slug));
}
