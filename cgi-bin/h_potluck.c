/* The potluck sheet on the event, live and manage pages, its RSVP form fields and items.json. */
#include <string.h>

#include "clock.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "token.h"

static const char *const category_labels[ITEM_CATEGORY__MAX] = {
	[ITEM_FOOD] = "Food",
	[ITEM_DRINK] = "Drinks",
	[ITEM_UTENSIL] = "Utensils",
	[ITEM_DECORATION] = "Decoration",
	[ITEM_OTHER] = "Other",
};

const char *sheet_category_label(enum item_category c)
{
	return category_labels[c];
}

/* "3 of 4 bowls pledged". */
static const char *count_label(struct arena *a, const struct item *it)
{
	return arena_printf(a, "%lld of %s pledged", (long long)it->pledged,
	    potluck_amount(a, it->suggested, it->unit));
}

/* What an item still needs, in words. */
static const char *need_label(struct arena *a, const struct item *it)
{
	int64_t needed = potluck_needed(it);

	if (needed > 0)
		return arena_printf(a, "%s more needed", potluck_amount(a, needed, it->unit));
	return it->capped ? "No more needed, thank you" : "Enough pledged; more is welcome";
}

/* The largest quantity the visitor may pledge for it (the input's max). */
static int64_t pledge_max(const struct item *it)
{
	return it->capped ? it->mine + potluck_needed(it) : POTLUCK_QUANTITY_MAX;
}

void sheet_item_values(struct tpl_dict *d, struct arena *a, const struct item *it)
{
	tpl_set_int(d, "ID", it->id);
	tpl_set(d, "NAME", it->name);
	if (*it->unit != '\0')
		tpl_set(tpl_section(d, "UNIT"), "UNIT", it->unit);
	tpl_set_int(d, "PLEDGED", it->pledged);
	tpl_set_int(d, "SUGGESTED", it->suggested);
	tpl_set(d, "NEED_LABEL", need_label(a, it));
	tpl_set_int(d, "VERSION", it->version);
	tpl_set_int(d, "MAX", pledge_max(it));
	tpl_set(d, "COUNT_LABEL", count_label(a, it));
}

/* The pledge form of one item on the manage page. */
static void pledge_form(struct tpl_dict *d, struct arena *a, const struct item *it,
    const struct sheet_forms *forms)
{
	char form_token[TOKEN_FORM_HEX + 1];
	struct tpl_dict *f;

	/* A full capped item the visitor has no part in: nothing to change. */
	if (it->capped && it->mine == 0 && potluck_needed(it) == 0)
		return;
	f = tpl_section(d, "PLEDGE_FORM");
	token_form_new(form_token, clock_now(), form_purpose(a, "pledge", forms->token));
	tpl_set(f, "FORM_TOKEN", form_token);
	tpl_set(f, "TOKEN", forms->token);
	if (it->id == forms->item_id && forms->quantity != NULL)
		tpl_set(f, "QUANTITY", forms->quantity);
	else if (it->mine > 0)
		tpl_set_int(f, "QUANTITY", it->mine);
	if (it->id == forms->item_id && forms->notice_warn)
		tpl_show(f, "INVALID");
}

/* The RSVP form's quantity field on one item's card, refilled from forms->r. */
static void bring_field(struct tpl_dict *d, const struct item *it,
    const struct sheet_forms *forms)
{
	struct tpl_dict *f;
	const char *typed;

	if (pledge_max(it) == 0)
		return;
	f = tpl_section(d, "BRING_FIELD");
	typed = forms->r != NULL ? field_member(forms->r, F_ITEM_N, it->id) : NULL;
	if (typed != NULL)
		tpl_set(f, "QUANTITY", typed);
	if (forms->item_id == it->id && forms->notice_warn)
		tpl_show(f, "INVALID");
}

/* The notice beside one item: what became of the visitor's pledge for it. */
static void item_notice(struct tpl_dict *d, const struct item *it,
    const struct sheet_forms *forms)
{
	struct tpl_dict *n;

	if (forms->item_id != it->id || forms->notice == NULL)
		return;
	n = tpl_section(d, "ITEM_NOTICE");
	tpl_set(n, "MESSAGE", forms->notice);
	tpl_set(n, "ROLE", forms->notice_warn ? "alert" : "status");
	if (forms->notice_warn)
		tpl_show(n, "WARN");
}

void sheet_fill(struct tpl_dict *d, struct arena *a, const char *slug, const struct item *items,
    int n, const struct sheet_forms *forms)
{
	struct tpl_dict *s, *cat = NULL, *it, *who, *need;
	int i, k, needed = 0;

	if (n == 0)
		return;
	s = tpl_include(d, "SHEET", "sheet.tpl");
	tpl_set(s, "SLUG", slug);
	for (i = 0; i < n; i++) {
		if (potluck_needed(&items[i]) == 0)
			continue;
		if (needed++ == 0)
			need = tpl_section(s, "NEEDED");
		it = tpl_section(need, "NEED");
		tpl_set(it, "NEED_NAME", items[i].name);
		tpl_set(it, "NEED_AMOUNT", potluck_amount(a, potluck_needed(&items[i]), items[i].unit));
	}
	if (needed == 0)
		tpl_show(s, "ALL_PLEDGED");
	for (i = 0; i < n; i++) {
		if (i == 0 || items[i].category != items[i - 1].category) {
			cat = tpl_section(s, "CATEGORY");
			tpl_set(cat, "LABEL", category_labels[items[i].category]);
		}
		it = tpl_section(cat, "ITEM");
		sheet_item_values(it, a, &items[i]);
		tpl_set_int(it, "FILLED", items[i].pledged < items[i].suggested ?
		    items[i].pledged : items[i].suggested);
		if (potluck_needed(&items[i]) == 0)
			tpl_show(it, "FULL");
		if (items[i].npledgers > 0) {
			who = tpl_section(it, "PLEDGERS");
			for (k = 0; k < items[i].npledgers; k++) {
				struct tpl_dict *w = tpl_section(who, "WHO");

				tpl_set(w, "WHO_NAME", field_short_name(a, items[i].pledgers[k].name));
				tpl_set_int(w, "WHO_QUANTITY", items[i].pledgers[k].quantity);
				if (items[i].pledgers[k].tentative)
					tpl_show(w, "TENTATIVE");
			}
			if (items[i].more > 0)
				tpl_set_int(tpl_section(who, "MORE"), "MORE", items[i].more);
		}
		if (forms == NULL)
			continue;
		item_notice(it, &items[i], forms);
		if (forms->token != NULL)
			pledge_form(it, a, &items[i], forms);
		else
			bring_field(it, &items[i], forms);
	}
	if (forms != NULL && forms->token != NULL)
		tpl_show(s, "FORMS_HINT");
}

int sheet_bringing(struct tpl_dict *d, struct arena *a, const struct item *items, int n)
{
	struct tpl_dict *list = NULL, *m;
	int i;

	for (i = 0; i < n; i++) {
		if (items[i].mine == 0)
			continue;
		if (list == NULL)
			list = tpl_section(d, "BRINGING");
		m = tpl_section(list, "MINE");
		tpl_set(m, "NAME", items[i].name);
		tpl_set(m, "AMOUNT", potluck_amount(a, items[i].mine, items[i].unit));
	}
	return list != NULL;
}

const char *sheet_parse_fields(struct req *r, struct pledge_input **out, int *n,
    int64_t *bad)
{
	const char *err;
	int i;

	*n = 0;
	*bad = 0;
	*out = arena_alloc(r->a, POTLUCK_ITEMS_MAX * sizeof(**out));
	for (i = 0; i < r->nform; i++) {
		struct pledge_input p = { 0, 0, 0 };
		const char *version;

		const char *id = field_member_id(r->form[i].key, F_ITEM_N);

		if (id == NULL)
			continue;
		if ((err = field_id(id, &p.item_id)) != NULL)
			return err;
		if ((err = field_quantity(r->form[i].val, &p.quantity)) != NULL) {
			*bad = p.item_id;
			return err;
		}
		if (p.quantity == 0)
			continue;
		/* A new RSVP has nothing to lower: the version only documents the form. */
		version = field_member(r, F_VERSION_N, p.item_id);
		if (version != NULL && (err = field_id(version, &p.version)) != NULL)
			return err;
		if (*n == POTLUCK_ITEMS_MAX)
			return "That is more items than this event has.";
		(*out)[(*n)++] = p;
	}
	return NULL;
}

const char *sheet_refusal(struct arena *a, const struct item *items, int n,
    enum db_rc rc, const struct rsvp_outcome *out)
{
	const char *name = "An item";
	const char *unit = "";
	int i;

	for (i = 0; i < n; i++)
		if (items[i].id == out->item_id) {
			name = items[i].name;
			unit = items[i].unit;
		}
	if (rc == DB_CONFLICT)
		return arena_printf(a, "%s changed while you were looking: now %s more"
		    " needed. Your form is filled in again: check the numbers and send"
		    " it once more.", name, potluck_amount(a, out->item_left, unit));
	if (out->item_left == 0)
		return arena_printf(a, "%s: no more needed, the list is full. Nothing was"
		    " changed.", name);
	return arena_printf(a, "%s: only %s more needed. Nothing was changed: please"
	    " pledge at most that.", name, potluck_amount(a, out->item_left, unit));
}

int h_event_items(struct req *r, struct app *app)
{
	struct tpl_dict *d, *it;
	struct item *items;
	struct event e;
	enum db_rc rc;
	int status, i, n;

	if ((status = event_load_public(r, app, &e)) != 0)
		return status;
	/* Every pledge and item change bumps the event's version too. */
	if (page_etag(r, e.version))
		return 304;
	if ((rc = potluck_sheet(app->db, r->a, e.id, 0, &items, &n)) != DB_OK)
		return db_status(rc);
	d = tpl_dict_new(r->a);
	tpl_set(d, "SLUG", e.slug);
	tpl_set_int(d, "VERSION", e.version);
	for (i = 0; i < n; i++) {
		it = tpl_section(d, "ITEM");
		tpl_set_int(it, "ID", items[i].id);
		tpl_set(it, "NAME", items[i].name);
		tpl_set(it, "CATEGORY", potluck_category_name(items[i].category));
		tpl_set(it, "UNIT", items[i].unit);
		tpl_set_int(it, "SUGGESTED", items[i].suggested);
		tpl_set_int(it, "PLEDGED", items[i].pledged);
		tpl_set_int(it, "NEEDED", potluck_needed(&items[i]));
		tpl_set(it, "NEED_LABEL", need_label(r->a, &items[i]));
		tpl_set(it, "COUNT_LABEL", count_label(r->a, &items[i]));
		tpl_set(it, "CAPPED", items[i].capped ? "true" : "false");
		tpl_set_int(it, "ITEM_VERSION", items[i].version);
	}
	return page_data(r, "items.json.tpl", d, "application/json");
}

int h_event_item(struct req *r, struct app *app)
{
	const char *from = field_get(r, F_FROM);
	struct tpl_dict *d;
	struct event e;
	struct item it;
	struct page p;
	int64_t item_id, after = 0, start;
	enum db_rc rc;
	int status, i, more;

	if ((status = event_load_public(r, app, &e)) != 0)
		return status;
	/* The router checked the capture: plain digits. */
	if (field_id(r->params[1], &item_id) != NULL)
		return 404;
	/* A page's start is a pledge id; anything else is the list's start. */
	if (from != NULL && field_id(from, &after) != NULL)
		after = 0;
	start = after;
	switch ((rc = potluck_pledgers(app->db, r->a, e.id, item_id, &after,
	    POTLUCK_PLEDGERS_PAGE, &it, &more))) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return 404;
	default:
		return db_status(rc);
	}
	page_begin(&p, r, app, arena_printf(r->a, "%s: %s", it.name, e.title), "item.tpl");
	page_event_summary(p.body, r->a, &e, clock_now());
	sheet_item_values(p.body, r->a, &it);
	for (i = 0; i < it.npledgers; i++) {
		d = tpl_section(p.body, "WHO");
		tpl_set(d, "WHO_NAME", field_short_name(r->a, it.pledgers[i].name));
		tpl_set_int(d, "WHO_QUANTITY", it.pledgers[i].quantity);
		if (it.pledgers[i].tentative)
			tpl_show(d, "TENTATIVE");
	}
	if (it.npledgers == 0)
		tpl_show(p.body, start == 0 ? "NOBODY" : "NO_MORE");
	if (start != 0)
		tpl_show(p.body, "FIRST_PAGE");
	if (more)
		tpl_set_int(tpl_section(p.body, "NEXT_PAGE"), "FROM", after);
	return page_end(&p, r, 200);
}
