/* Limited drops: the drop page, holds behind a secret link, live stock. */
#include <string.h>

#include "clock.h"
#include "drop.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "token.h"
#include "tz.h"

#define DROP_LIVE_REFRESH_SECONDS 2

/* "T-shirt M", or "T-shirt" for an item's only, unnamed variant. */
static const char *variant_label(struct arena *a, const char *item, const char *variant)
{
	return *variant != '\0' ? arena_printf(a, "%s %s", item, variant) : item;
}

/*
 * The drop's items and variants with their numbers, into d: VARIANT
 * sections inside ITEM sections, or with flat all at d's level.
 */
static void stock_fill(struct tpl_dict *d, struct arena *a, const struct drop *dr, int flat)
{
	struct tpl_dict *it, *v;
	int i, k;

	for (i = 0; i < dr->nitems; i++) {
		it = flat ? d : tpl_section(d, "ITEM");
		if (!flat) {
			tpl_set(it, "NAME", dr->items[i].name);
			tpl_set(it, "PRICE", dr->items[i].price);
			tpl_set(it, "DESCRIPTION", dr->items[i].description);
		}
		for (k = 0; k < dr->items[i].nvariants; k++) {
			const struct drop_variant *dv = &dr->items[i].variants[k];

			v = tpl_section(it, "VARIANT");
			tpl_set_int(v, "ID", dv->id);
			tpl_set(v, "ITEM_NAME", dr->items[i].name);
			tpl_set(v, "NAME", *dv->name != '\0' ? dv->name : dr->items[i].name);
			tpl_set(v, "LABEL", variant_label(a, dr->items[i].name, dv->name));
			tpl_set_int(v, "STOCK", dv->stock);
			tpl_set_int(v, "AVAILABLE", dv->available);
			tpl_set_int(v, "HELD", dv->held);
			tpl_set_int(v, "CLAIMED", dv->claimed);
			if (dv->available == 0)
				tpl_show(v, dv->stock - dv->claimed > 0 ? "ALL_HELD" : "SOLD_OUT");
		}
	}
}

/* The only variant of the drop, or NULL when there is a choice. */
static const struct drop_variant *only_variant(const struct drop *dr)
{
	return dr->nitems == 1 && dr->items[0].nvariants == 1 ? &dr->items[0].variants[0] :
	    NULL;
}

/* The hold form of the drop page, refilled from form. */
static void hold_form(struct tpl_dict *d, struct req *r, const struct event *e,
    const struct drop *dr, const struct drop_form *form)
{
	char token[TOKEN_FORM_HEX + 1];
	const struct drop_variant *one = only_variant(dr);
	struct tpl_dict *f = tpl_section(d, "HOLD_FORM"), *v;
	int i, k;

	token_form_new(token, clock_now(), form_purpose(r->a, "hold", e->slug));
	tpl_set(f, "FORM_TOKEN", token);
	tpl_set(f, "NAME", form != NULL ? form->name : "");
	tpl_set(f, "EMAIL", form != NULL ? form->email : "");
	if (dr->available == 0) {
		/* Units held by others may come back when their holds run out. */
		tpl_show(f, dr->held > 0 ? "ALL_HELD" : "SOLD_OUT");
		return;
	}
	tpl_show(f, "OPEN");
	if (one != NULL) {
		tpl_set_int(tpl_section(f, "ONE_VARIANT"), "ID", one->id);
	} else {
		struct tpl_dict *choice = tpl_section(f, "CHOICE");

		for (i = 0; i < dr->nitems; i++)
			for (k = 0; k < dr->items[i].nvariants; k++) {
				const struct drop_variant *dv = &dr->items[i].variants[k];

				v = tpl_section(choice, "OPTION");
				tpl_set_int(v, "ID", dv->id);
				tpl_set(v, "LABEL", variant_label(r->a, dr->items[i].name,
				    dv->name));
				tpl_set_int(v, "AVAILABLE", dv->available);
				if (dv->available == 0)
					tpl_show(v, "DISABLED");
				else if (form != NULL && form->variant_id == dv->id)
					tpl_show(v, "CHECKED");
			}
	}
	if (dr->s.per_person > 1)
		tpl_set_int(tpl_section(f, "QUANTITY"), "MAX", dr->s.per_person);
}

int drop_page(struct req *r, struct app *app, const struct event *e, int status,
    const struct drop_form *form)
{
	int64_t now = clock_now();
	struct page p;
	struct drop dr;
	enum db_rc rc;

	if ((rc = drop_get(app->db, r->a, e, clock_now_ms(), &dr)) != DB_OK)
		return db_status(rc);
	page_begin(&p, r, app, e->title, "drop.tpl");
	tpl_show(p.root, "DROP_SCRIPT");
	page_event_summary(p.body, r->a, e, now);
	tpl_set(p.body, "DESCRIPTION", e->description);
	tpl_set_int(p.body, "PER_PERSON", dr.s.per_person);
	tpl_set_int(p.body, "HOLD_SECONDS", dr.s.hold_seconds);
	stock_fill(p.body, r->a, &dr, 0);
	if (form != NULL && form->error != NULL)
		tpl_set(tpl_section(p.body, "FORM_ERROR"), "ERROR", form->error);
	if (event_rsvp_open(e, now)) {
		hold_form(p.body, r, e, &dr, form);
	} else if (e->status == EVENT_PUBLISHED && now < e->rsvp_opens_at) {
		struct tpl_dict *c = tpl_section(p.body, "COUNTDOWN");

		tpl_set(c, "OPENS", tz_human(r->a, e->rsvp_opens_at));
		tpl_set(c, "OPENS_ISO", tz_iso(r->a, e->rsvp_opens_at));
		tpl_set_int(c, "SECONDS", e->rsvp_opens_at - now);
		/* The page reloads itself when the drop opens (within the hour). */
		if (e->rsvp_opens_at - now <= 3600)
			tpl_set_int(tpl_section(p.root, "RELOAD"), "SECONDS",
			    e->rsvp_opens_at - now);
	} else {
		tpl_show(p.body, "CLOSED");
	}
	return page_end(&p, r, status);
}

/* A quantity from 1 to max in plain digits. */
static const char *field_hold_quantity(struct arena *a, const char *v, int max, int *out)
{
	int g;

	if (v == NULL || *v == '\0') {
		*out = 1;
		return NULL;
	}
	if (field_guests(v, max, &g) != NULL || g < 1)
		return arena_printf(a, "The quantity must be a whole number from 1 to %d.", max);
	*out = g;
	return NULL;
}

/* The cookie in which a browser keeps the link of the hold it made at a drop. */
#define HOLD_COOKIE "turnout_hold"

/* This browser's hold link for the drop it posts to, if well-formed; else NULL. */
static const char *hold_cookie(const struct req *r)
{
	const char *v = req_cookie(r, HOLD_COOKIE);

	return v != NULL && token_manage_valid(v) ? v : NULL;
}

int h_drop_hold(struct req *r, struct app *app)
{
	struct drop_form form = { .name = "", .email = "" };
	const char *token = field_get(r, F_FORM_TOKEN);
	struct hold_input in = { 0 };
	struct drop_outcome out;
	struct drop_settings s;
	struct event e;
	enum db_rc rc;
	int status;

	if ((status = event_load_public(r, app, &e)) != 0)
		return status;
	if (e.kind != EVENT_DROP)
		return 404;
	if ((rc = drop_settings_get(app->db, r->a, e.id, &s)) != DB_OK)
		return db_status(rc);
	form.name = field_get(r, F_NAME) != NULL ? field_get(r, F_NAME) : "";
	form.email = field_get(r, F_EMAIL) != NULL ? field_get(r, F_EMAIL) : "";
	if ((form.error = field_form_token(token, form_purpose(r->a, "hold", e.slug))) != NULL ||
	    (form.error = field_id(field_get(r, F_VARIANT), &in.variant_id)) != NULL ||
	    (form.error = field_hold_quantity(r->a, field_get(r, F_QUANTITY), s.per_person,
	    &in.quantity)) != NULL ||
	    (form.error = field_name(r->a, field_get(r, F_NAME), &in.name)) != NULL ||
	    (form.error = field_email(r->a, field_get(r, F_EMAIL), &in.email)) != NULL)
		return drop_page(r, app, &e, 400, &form);
	form.variant_id = in.variant_id;
	in.owner = hold_cookie(r);
	rc = drop_hold(app->db, r->a, e.slug, &in, token, &out);
	switch (rc) {
	case DB_OK:
		/* This browser keeps the link: the proof that a repeat is its own. */
		req_header(r, "Set-Cookie", arena_printf(r->a, HOLD_COOKIE "=%s; Path=/events/%s/hold;"
		    " Max-Age=3600; HttpOnly; SameSite=Strict%s", out.token, e.slug,
		    r->https ? "; Secure" : ""));
		return page_redirect(r, arena_printf(r->a, "/holds/%s", out.token));
	case DB_NOTFOUND:
		return 404;
	case DB_CLOSED:
		form.error = clock_now() < e.rsvp_opens_at ? "This drop has not opened yet:"
		    " the button works from the opening time shown below." :
		    "This drop is closed.";
		return drop_page(r, app, &e, 422, &form);
	case DB_INVALID:
		form.error = "Please pick one of the items on this page.";
		return drop_page(r, app, &e, 400, &form);
	case DB_CONFLICT:
		form.error = out.elsewhere ? "This e-mail address already holds one: its page"
		    " is open in the browser that made the hold. When that hold is claimed or"
		    " runs out, you can hold again." : arena_printf(r->a, "You already hold or"
		    " have claimed as many as one person may (%d).", s.per_person);
		return drop_page(r, app, &e, 409, &form);
	case DB_FULL:
		form.error = out.could_return ? "All held: check back in a minute, holds"
		    " that are not claimed come back." : out.available > 0 ?
		    arena_printf(r->a, "Only %lld left of that one.",
		    (long long)out.available) : "Sold out, sorry.";
		return drop_page(r, app, &e, 409, &form);
	default:
		return db_status(rc);
	}
}

/* The hold page; error says why the last action was refused. */
static int hold_page(struct req *r, struct app *app, const char *token, int status,
    const char *error)
{
	char form_token[TOKEN_FORM_HEX + 1];
	int64_t now_ms = clock_now_ms();
	struct tpl_dict *d;
	struct drop_settings s;
	struct event e;
	struct hold h;
	struct page p;
	enum db_rc rc;

	if ((rc = drop_hold_get(app->db, r->a, token, now_ms, &h, &e)) != DB_OK ||
	    (rc = drop_settings_get(app->db, r->a, e.id, &s)) != DB_OK)
		return db_status(rc);
	r->referrer_policy = "no-referrer";
	page_begin(&p, r, app, arena_printf(r->a, "Your hold: %s", e.title), "hold.tpl");
	tpl_show(p.root, "DROP_SCRIPT");
	page_event_summary(p.body, r->a, &e, now_ms / 1000);
	tpl_set(p.body, "TOKEN", token);
	tpl_set(p.body, "WHAT", variant_label(r->a, h.item, h.variant));
	tpl_set_int(p.body, "QUANTITY", h.quantity);
	tpl_set(p.body, "PRICE", h.price);
	tpl_set(p.body, "NAME", h.name);
	tpl_set(p.body, "STATUS", hold_status_name(h.status));
	if (error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", error);
	switch (h.status) {
	case HOLD_LIVE:
		d = tpl_section(p.body, "LIVE");
		tpl_set(d, "EXPIRES", tz_human(r->a, h.expires_at / 1000));
		tpl_set(d, "EXPIRES_ISO", tz_iso(r->a, h.expires_at / 1000));
		tpl_set_int(d, "EXPIRES_MS", h.expires_at);
		tpl_set_int(d, "SECONDS_LEFT", (h.expires_at - now_ms + 999) / 1000);
		tpl_set(d, "TOKEN", token);
		token_form_new(form_token, clock_now(), form_purpose(r->a, "claim", token));
		tpl_set(d, "CLAIM_TOKEN", form_token);
		token_form_new(form_token, clock_now(), form_purpose(r->a, "release", token));
		tpl_set(d, "RELEASE_TOKEN", form_token);
		/* Reload at the expiry instant: the page then says it ran out. */
		tpl_set_int(tpl_section(p.root, "RELOAD"), "SECONDS",
		    (h.expires_at - now_ms + 999) / 1000);
		break;
	case HOLD_CLAIMED:
		d = tpl_section(p.body, "CLAIMED");
		tpl_set_int(d, "NUMBER", h.claim_number);
		tpl_set(d, "PICKUP", s.pickup);
		break;
	case HOLD_EXPIRED:
		tpl_show(p.body, "EXPIRED");
		break;
	case HOLD_RELEASED:
		tpl_show(p.body, "RELEASED");
		break;
	default:
		tpl_show(p.body, "CANCELLED");
		break;
	}
	return page_end(&p, r, status);
}

int h_hold_show(struct req *r, struct app *app)
{
	return hold_page(r, app, r->params[0], 200, NULL);
}

int h_hold_change(struct req *r, struct app *app)
{
	const char *token = r->params[0], *action = field_get(r, F_ACTION), *err;
	const char *form_token = field_get(r, F_FORM_TOKEN);
	struct drop_outcome out;
	struct event e;
	struct hold h;
	enum db_rc rc;
	int claim;

	if ((rc = drop_hold_get(app->db, r->a, token, clock_now_ms(), &h, &e)) != DB_OK)
		return db_status(rc);
	if (action == NULL || (strcmp(action, "claim") != 0 && strcmp(action, "release") != 0))
		return hold_page(r, app, token, 400, "Unknown action: use the buttons on this"
		    " page.");
	if ((err = field_form_token(form_token, form_purpose(r->a, action, token))) != NULL)
		return hold_page(r, app, token, 400, err);
	claim = strcmp(action, "claim") == 0;
	rc = claim ? drop_claim(app->db, r->a, token, form_token, &out) :
	    drop_release(app->db, r->a, token, form_token, &out);
	switch (rc) {
	case DB_OK:
		return page_redirect(r, arena_printf(r->a, "/holds/%s", token));
	case DB_NOTFOUND:
		return 404;
	case DB_CLOSED:
		if (!claim)
			return hold_page(r, app, token, 409, "This hold is already claimed:"
			    " ask the organiser if you no longer want it.");
		return hold_page(r, app, token, 422, out.available > 0 ?
		    "Your hold ran out before the claim, so it was not claimed. Some are"
		    " still available: you can try again from the drop's page." :
		    "Your hold ran out before the claim, so it was not claimed.");
	case DB_FULL:
		return hold_page(r, app, token, 409, "The organiser lowered the stock: this"
		    " hold can no longer be claimed and will run out.");
	default:
		return db_status(rc);
	}
}

int h_drop_stock(struct req *r, struct app *app)
{
	struct tpl_dict *d;
	struct event e;
	struct drop dr;
	enum db_rc rc;
	int status;

	if ((status = event_load_public(r, app, &e)) != 0)
		return status;
	if ((rc = drop_get(app->db, r->a, &e, clock_now_ms(), &dr)) != DB_OK)
		return db_status(rc);
	/*
	 * Holds run out without a write, so the version alone is not exact:
	 * with it fixed, the held total only falls, so the pair names one state.
	 */
	if (page_etag(r, e.version * (DROP_STOCK_MAX * DROP_ITEMS_MAX * DROP_VARIANTS_MAX + 1) +
	    dr.held))
		return 304;
	d = tpl_dict_new(r->a);
	tpl_set(d, "SLUG", e.slug);
	tpl_set_int(d, "VERSION", e.version);
	tpl_set(d, "OPEN", event_rsvp_open(&e, clock_now()) ? "true" : "false");
	tpl_set_int(d, "AVAILABLE", dr.available);
	stock_fill(d, r->a, &dr, 1);
	return page_data(r, "stock.json.tpl", d, "application/json");
}

/* The activity feed's wording per action (drop_live.tpl). */
static const char *const action_sections[DROP_ACTION__MAX] = {
	[DROP_HOLD] = "HELD", [DROP_RENEW] = "RENEWED", [DROP_CLAIM] = "CLAIMED",
	[DROP_RELEASE] = "RELEASED", [DROP_EXPIRE] = "EXPIRED", [DROP_CANCEL] = "CANCELLED",
};

int drop_live(struct req *r, struct app *app, const struct event *e)
{
	struct drop_activity *feed;
	struct drop_claimer *top;
	struct tpl_dict *d, *top_list;
	struct page p;
	struct drop dr;
	enum db_rc rc;
	int i, n, ntop;

	if ((rc = drop_get(app->db, r->a, e, clock_now_ms(), &dr)) != DB_OK ||
	    (rc = drop_feed(app->db, r->a, e->id, &feed, &n)) != DB_OK ||
	    (rc = drop_top(app->db, r->a, e->id, &top, &ntop)) != DB_OK)
		return db_status(rc);
	page_begin(&p, r, app, e->title, "drop_live.tpl");
	page_refresh(&p, r, DROP_LIVE_REFRESH_SECONDS);
	page_event_summary(p.body, r->a, e, clock_now());
	stock_fill(p.body, r->a, &dr, 0);
	tpl_set(p.body, "UPDATED", tz_human(r->a, clock_now()));
	for (i = 0; i < n; i++) {
		d = tpl_section(p.body, "ACTIVITY");
		tpl_set(d, "INITIALS", field_initials(r->a, feed[i].name));
		tpl_set_int(d, "QUANTITY", feed[i].quantity);
		tpl_set(d, "WHAT", variant_label(r->a, feed[i].item, feed[i].variant));
		tpl_show(d, action_sections[feed[i].action]);
	}
	if (n == 0)
		tpl_show(p.body, "NO_ACTIVITY");
	top_list = dr.s.per_person > 1 && ntop > 0 ? tpl_section(p.body, "TOP") : NULL;
	for (i = 0; top_list != NULL && i < ntop; i++) {
		d = tpl_section(top_list, "CLAIMER");
		tpl_set(d, "INITIALS", field_initials(r->a, top[i].name));
		tpl_set_int(d, "UNITS", top[i].units);
	}
	return page_end(&p, r, 200);
}
