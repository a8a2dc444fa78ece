/*
 * A drop on the admin page: its settings, items, variants and stock, the
 * holds and claims (picked up, paid, cancel), and the claims as CSV.
 */
#include <string.h>

#include "clock.h"
#include "csv.h"
#include "drop.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "session.h"
#include "tz.h"

/* What the page says after a change (?done=NAME): fixed texts only. */
static const struct {
	const char *name, *message;
} results[] = {
	{ "settings", "Settings saved: this event is a drop." },
	{ "item", "Item added." },
	{ "variant", "Variant added." },
	{ "stock", "Stock saved." },
	{ "picked_up", "Marked as picked up." },
	{ "paid", "Marked as paid." },
	{ "cancel", "Claim cancelled: the stock is back and the person is e-mailed." },
};

static int drop_admin_page(struct req *r, struct app *app, const struct event *e,
    int status, const char *error)
{
	const char *done = field_get(r, F_DONE);
	int64_t now_ms = clock_now_ms();
	struct drop_settings s = { 1, DROP_HOLD_SECONDS_DEFAULT, 2, "" };
	struct tpl_dict *d, *it, *v, *act;
	struct hold *list;
	struct page p;
	struct drop dr;
	enum db_rc rc;
	size_t k;
	int i, j, n = 0;

	memset(&dr, 0, sizeof(dr));
	if (e->kind == EVENT_DROP &&
	    ((rc = drop_get(app->db, r->a, e, now_ms, &dr)) != DB_OK ||
	    (rc = drop_admin_list(app->db, r->a, e->id, now_ms, &list, &n)) != DB_OK))
		return db_status(rc);
	if (e->kind == EVENT_DROP)
		s = dr.s;
	admin_page_begin(&p, r, app, arena_printf(r->a, "Drop: %s", e->title),
	    "admin_drop.tpl");
	tpl_set(p.body, "SLUG", e->slug);
	tpl_set(p.body, "TITLE", e->title);
	for (k = 0; done != NULL && k < sizeof(results) / sizeof(results[0]); k++)
		if (strcmp(done, results[k].name) == 0)
			tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", results[k].message);
	if (error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", error);
	tpl_set_int(p.body, "PER_PERSON", s.per_person);
	tpl_set_int(p.body, "HOLD_SECONDS", s.hold_seconds);
	tpl_set_int(p.body, "RENEWALS", s.renewals);
	tpl_set(p.body, "PICKUP", s.pickup);
	if (e->kind != EVENT_DROP) {
		tpl_show(p.body, "NOT_A_DROP");
		return page_end(&p, r, status);
	}
	d = tpl_section(p.body, "DROP");
	for (i = 0; i < dr.nitems; i++) {
		it = tpl_section(d, "ITEM");
		tpl_set_int(it, "ID", dr.items[i].id);
		tpl_set(it, "NAME", dr.items[i].name);
		tpl_set(it, "PRICE", dr.items[i].price);
		for (j = 0; j < dr.items[i].nvariants; j++) {
			const struct drop_variant *dv = &dr.items[i].variants[j];

			v = tpl_section(it, "VARIANT");
			tpl_set_int(v, "ID", dv->id);
			tpl_set(v, "NAME", *dv->name != '\0' ? dv->name : "(one size)");
			tpl_set_int(v, "STOCK", dv->stock);
			tpl_set_int(v, "HELD", dv->held);
			tpl_set_int(v, "CLAIMED", dv->claimed);
			tpl_set_int(v, "AVAILABLE", dv->available);
		}
	}
	for (i = 0; i < n; i++) {
		v = tpl_section(d, "HOLD");
		tpl_set_int(v, "ID", list[i].id);
		tpl_set(v, "NAME", list[i].name);
		tpl_set(v, "EMAIL", list[i].email);
		tpl_set_int(v, "QUANTITY", list[i].quantity);
		tpl_set(v, "WHAT", *list[i].variant != '\0' ? arena_printf(r->a, "%s %s",
		    list[i].item, list[i].variant) : list[i].item);
		tpl_set(v, "STATUS", hold_status_name(list[i].status));
		if (list[i].claim_number != 0)
			tpl_set_int(tpl_section(v, "NUMBER"), "NUMBER", list[i].claim_number);
		if (list[i].status == HOLD_LIVE)
			tpl_set(tpl_section(v, "UNTIL"), "UNTIL", tz_human(r->a,
			    list[i].expires_at / 1000));
		if (list[i].picked_up_at != 0)
			tpl_show(v, "PICKED_UP");
		if (list[i].paid_at != 0)
			tpl_show(v, "PAID");
		if (list[i].status == HOLD_CLAIMED) {
			act = tpl_section(v, "ACTIONS");
			tpl_set_int(act, "ID", list[i].id);
			if (list[i].picked_up_at == 0)
				tpl_show(act, "CAN_PICK_UP");
			if (list[i].paid_at == 0)
				tpl_show(act, "CAN_PAY");
		}
	}
	if (n == 0)
		tpl_show(d, "NO_HOLDS");
	return page_end(&p, r, status);
}

/* Why rc refused an admin change, in words; NULL for statuses without a page. */
static const char *refusal(struct req *r, struct app *app, const struct event *e,
    enum db_rc rc, const char *action)
{
	(void)r, (void)app, (void)e;
	switch (rc) {
	case DB_CONFLICT:
		if (strcmp(action, "settings") == 0)
			return "This event is a competition: its entrants have RSVPs and scores,"
			    " so it cannot become a drop.";
		return strcmp(action, "stock") == 0 ? "The stock cannot go below what is"
		    " already claimed: cancel claims first if you must." :
		    "That was refused by a rule of the drop.";
	case DB_INVALID:
		return "A value is out of range, or the drop has as many items or variants as"
		    " it can take.";
	case DB_CLOSED:
		return "Only a claim can be marked or cancelled.";
	case DB_NOTFOUND:
		return "That is not part of this drop (reload the page).";
	default:
		return NULL;
	}
}

/* Parse and apply one of the page's forms. NULL and *rc, or what was wrong. */
static const char *apply(struct req *r, struct app *app, const struct event *e,
    const char *action, enum db_rc *rc)
{
	struct drop_settings s;
	const char *err, *name, *price, *description;
	int64_t id, n, per, secs, ren;
	const char *who = r->session->user;

	if (strcmp(action, "settings") == 0) {
		if ((err = field_number(r->a, field_get(r, F_PER_PERSON), DROP_PER_PERSON_MAX, 1,
		    "limit per person", &per)) != NULL ||
		    (err = field_number(r->a, field_get(r, F_HOLD_SECONDS), DROP_HOLD_SECONDS_MAX,
		    DROP_HOLD_SECONDS_DEFAULT, "hold time", &secs)) != NULL ||
		    (err = field_number(r->a, field_get(r, F_RENEWALS), DROP_RENEWALS_MAX, 2,
		    "renewals", &ren)) != NULL ||
		    (err = field_text(r->a, field_get(r, F_PICKUP), 0, DROP_PICKUP_MAX, 0,
		    "pick-up text", &s.pickup)) != NULL)
			return err;
		if (per < 1 || secs < DROP_HOLD_SECONDS_MIN)
			return arena_printf(r->a, "The limit per person is at least 1 and the hold"
			    " time at least %d seconds.", DROP_HOLD_SECONDS_MIN);
		s.per_person = (int)per;
		s.hold_seconds = (int)secs;
		s.renewals = (int)ren;
		*rc = drop_configure(app->db, e->slug, &s);
	} else if (strcmp(action, "item") == 0) {
		if ((err = field_text(r->a, field_get(r, F_NAME), 1, 100, 1, "name", &name)) ||
		    (err = field_text(r->a, field_get(r, F_PRICE), 0, DROP_PRICE_MAX, 1, "price",
		    &price)) ||
		    (err = field_text(r->a, field_get(r, F_DESCRIPTION), 0, 2000, 0,
		    "description", &description)))
			return err;
		*rc = drop_item_add(app->db, e->id, name, price, description, &id);
	} else if (strcmp(action, "variant") == 0 || strcmp(action, "stock") == 0) {
		if ((err = field_id(field_get(r, F_ID), &id)) != NULL ||
		    (err = field_number(r->a, field_get(r, F_STOCK), DROP_STOCK_MAX, -1, "stock",
		    &n)) != NULL)
			return err;
		if (n < 0)
			return "Please fill in the stock.";
		if (strcmp(action, "stock") == 0)
			*rc = drop_variant_set_stock(app->db, e->id, id, n);
		else if ((err = field_text(r->a, field_get(r, F_NAME), 0, 50, 1, "variant name",
		    &name)) != NULL)
			return err;
		else
			*rc = drop_variant_add(app->db, e->id, id, name, n, &id);
	} else {
		static const struct { const char *name; enum drop_admin_action act; } acts[] = {
			{ "picked_up", DROP_PICKED_UP }, { "paid", DROP_PAID },
			{ "cancel", DROP_CANCEL_CLAIM },
		};
		size_t k;

		for (k = 0; k < sizeof(acts) / sizeof(acts[0]); k++)
			if (strcmp(action, acts[k].name) == 0)
				break;
		if (k == sizeof(acts) / sizeof(acts[0]))
			return "Unknown action: use the buttons on this page.";
		if ((err = field_id(field_get(r, F_HOLD), &id)) != NULL)
			return err;
		*rc = drop_admin_act(app->db, r->a, e->id, id, acts[k].act, who);
	}
	return NULL;
}

static const struct admin_event_form form = {
	"drop", apply, refusal, drop_admin_page,
};

int h_admin_drop(struct req *r, struct app *app)
{
	return admin_event_form_get(r, app, &form);
}

int h_admin_drop_change(struct req *r, struct app *app)
{
	return admin_event_form_post(r, app, &form);
}

int h_admin_claims_csv(struct req *r, struct app *app)
{
	static const char *const head[] = {
		"number", "name", "email", "item", "quantity", "price", "status",
		"claimed at", "picked up", "paid",
	};
	struct hold *list;
	struct event e;
	struct csv c;
	enum db_rc rc;
	int status, i, n;

	if ((status = admin_event_load(r, app, &e)) != 0)
		return status;
	if (e.kind != EVENT_DROP)
		return 404;
	if ((rc = drop_admin_list(app->db, r->a, e.id, clock_now_ms(), &list, &n)) != DB_OK)
		return db_status(rc);
	csv_init(&c, r->a);
	csv_row(&c, head, sizeof(head) / sizeof(head[0]));
	for (i = 0; i < n && list[i].claim_number != 0; i++) {
		csv_cell_int(&c, list[i].claim_number);
		csv_cell(&c, list[i].name);
		csv_cell(&c, list[i].email);
		csv_cell(&c, *list[i].variant != '\0' ? arena_printf(r->a, "%s %s",
		    list[i].item, list[i].variant) : list[i].item);
		csv_cell_int(&c, list[i].quantity);
		csv_cell(&c, list[i].price);
		csv_cell(&c, hold_status_name(list[i].status));
		csv_cell(&c, tz_human(r->a, list[i].claimed_at));
		csv_cell(&c, list[i].picked_up_at != 0 ? tz_human(r->a, list[i].picked_up_at) : "");
		csv_cell(&c, list[i].paid_at != 0 ? tz_human(r->a, list[i].paid_at) : "");
		csv_end_row(&c);
	}
	return admin_csv_send(r, &c, arena_printf(r->a, "%s-claims.csv", e.slug));
}
