/* "My sign-ups": ask for a link by e-mail, and the page behind that link. */
#include <string.h>

#include "clock.h"
#include "fields.h"
#include "handlers.h"
#include "mine.h"
#include "page.h"
#include "potluck.h"
#include "tz.h"

#define TITLE "My sign-ups"

/* The form asking for an address: typed back with its errors, if any. */
static int me_form(struct req *r, struct app *app, int status, const char *email,
    const struct page_errors *pe, const char *notice)
{
	char form_token[TOKEN_FORM_HEX + 1];
	struct tpl_dict *f;
	struct page p;

	page_begin(&p, r, app, TITLE, "me.tpl");
	if (notice != NULL)
		tpl_set(tpl_section(p.body, "NOTICE"), "MESSAGE", notice);
	f = tpl_section(p.body, "FORM");
	token_form_new(form_token, clock_now(), form_purpose(r->a, "me", ""));
	tpl_set(f, "FORM_TOKEN", form_token);
	tpl_set(f, "EMAIL", email);
	tpl_set_int(f, "DAYS", MINE_TTL / (24 * 3600));
	if (pe != NULL)
		page_errors_show(&p, r->a, f, TITLE, pe);
	return page_end(&p, r, status);
}

int h_me(struct req *r, struct app *app)
{
	const char *done = field_get(r, F_DONE);
	struct page p;

	if (done != NULL && strcmp(done, "revoked") == 0)
		return me_form(r, app, 200, "", NULL, "That link is revoked: it no longer"
		    " works, nor do the RSVP and hold links opened from it. You can ask for a new one.");
	if (done == NULL || strcmp(done, "sent") != 0)
		return me_form(r, app, 200, "", NULL, NULL);
	page_begin(&p, r, app, "Check your e-mail", "me.tpl");
	tpl_set_int(tpl_section(p.body, "SENT"), "PER_HOUR", MINE_PER_HOUR);
	return page_end(&p, r, 200);
}

/*
 * The answer is the same whether or not the address has sign-ups (a 303
 * to the same page), so the form cannot tell anyone who signed up where.
 */
int h_me_request(struct req *r, struct app *app)
{
	const char *typed = field_get(r, F_EMAIL) != NULL ? field_get(r, F_EMAIL) : "";
	const char *form_token = field_get(r, F_FORM_TOKEN), *email;
	struct page_errors pe = { 0 };
	enum db_rc rc;
	int queued;

	page_errors_add(&pe, "me-form", field_form_token(form_token,
	    form_purpose(r->a, "me", "")));
	page_errors_add(&pe, "email", field_email(r->a, typed, &email));
	if (pe.n > 0)
		return me_form(r, app, 400, typed, &pe, NULL);
	if ((rc = mine_request(app->db, r->a, email, form_token, &queued)) != DB_OK)
		return db_status(rc);
	return page_redirect(r, "/me?done=sent");
}

/* 410 saying why (the link ran out or was revoked); a new one is a form away. */
static int gone(struct req *r, struct app *app, const char *why)
{
	struct page p;

	page_begin(&p, r, app, "This link no longer works", "mine.tpl");
	tpl_set(tpl_section(p.body, "GONE"), "WHY", why);
	return page_end(&p, r, 410);
}

/* One RSVP's card: its event, status, party, entry, pledges, and a form to open it. */
static void rsvp_card(struct req *r, struct tpl_dict *d, const char *token,
    const struct mine_rsvp *rv, const char *form_token)
{
	struct tpl_dict *s = tpl_section(d, "RSVP"), *e;
	int i;

	tpl_set(s, "SLUG", rv->slug);
	tpl_set(s, "TITLE", rv->title);
	tpl_set(s, "WHEN", tz_human_zone(r->a, rv->starts_at, clock_now()));
	tpl_set(s, "WHEN_ISO", tz_iso(r->a, rv->starts_at));
	tpl_set(s, "STATE", rsvp_status_name(rv->status));
	tpl_set(s, "STATUS", rv->status == RSVP_CONFIRMED ? "Confirmed" :
	    rv->status == RSVP_CANCELLED ? "Cancelled" : arena_printf(r->a,
	    "On the waitlist: %s", rsvp_ahead_text(r->a, rv->position)));
	tpl_set(s, "PARTY", rsvp_party_text(r->a, rv->guests));
	if (rv->bib != 0) {
		e = tpl_section(s, "ENTRY");
		tpl_set_int(e, "BIB", rv->bib);
		tpl_set(e, "DISPLAY", rv->display);
		if (*rv->division != '\0')
			tpl_set(tpl_section(e, "DIVISION"), "DIVISION", rv->division);
	}
	/* One section for the list, opened only when there is something to list. */
	for (i = 0, e = NULL; i < rv->npledges; i++) {
		if (e == NULL)
			e = tpl_section(s, "PLEDGES");
		tpl_set(tpl_section(e, "PLEDGE"), "TEXT", arena_printf(r->a, "%s: %s",
		    rv->pledges[i].item, potluck_amount(r->a, rv->pledges[i].quantity,
		    rv->pledges[i].unit)));
	}
	tpl_set(s, "TOKEN", token);
	tpl_set(s, "FORM_TOKEN", form_token);
	tpl_set_int(s, "ID", rv->id);
}

/* One hold's card: its drop, what, how many, where it stands, and a form to open it. */
static void hold_card(struct req *r, struct tpl_dict *d, const char *token,
    const struct mine_hold *h, const char *form_token)
{
	struct tpl_dict *s = tpl_section(d, "HOLD");

	tpl_set(s, "SLUG", h->slug);
	tpl_set(s, "TITLE", h->title);
	tpl_set(s, "WHEN", tz_human_zone(r->a, h->starts_at, clock_now()));
	tpl_set(s, "WHEN_ISO", tz_iso(r->a, h->starts_at));
	tpl_set(s, "ITEM", *h->variant != '\0' ? arena_printf(r->a, "%s (%s)", h->item,
	    h->variant) : h->item);
	tpl_set_int(s, "QUANTITY", h->quantity);
	tpl_set(s, "STATUS", h->claim_number != 0 && strcmp(h->status, "claimed") == 0 ?
	    arena_printf(r->a, "Claimed: order number %lld", (long long)h->claim_number) :
	    strcmp(h->status, "live") == 0 ? "Held for you: claim it on its page" :
	    strcmp(h->status, "released") == 0 ? "Released" :
	    strcmp(h->status, "cancelled") == 0 ? "Cancelled by the organisers" : "Expired");
	tpl_set(s, "TOKEN", token);
	tpl_set(s, "FORM_TOKEN", form_token);
	tpl_set_int(s, "ID", h->id);
}

int h_mine_show(struct req *r, struct app *app)
{
	char open_token[TOKEN_FORM_HEX + 1], revoke_token[TOKEN_FORM_HEX + 1];
	const char *token = r->params[0];
	struct mine_view v;
	struct page p;
	enum db_rc rc;
	int i;

	/* The address is a secret: never leak it to another site. */
	r->referrer_policy = "no-referrer";
	if ((rc = mine_get(app->db, r->a, token, &v)) == DB_CLOSED)
		return gone(r, app, v.expires_at <= clock_now() ? arena_printf(r->a,
		    "It was valid for %d days and has expired.", MINE_TTL / (24 * 3600)) :
		    "It was revoked.");
	if (rc != DB_OK)
		return db_status(rc);
	page_begin(&p, r, app, TITLE, "mine.tpl");
	tpl_section(p.body, "LIST");
	tpl_set(p.body, "EMAIL", v.email);
	tpl_set(p.body, "EXPIRES", tz_human_zone(r->a, v.expires_at, clock_now()));
	/* One token serves every "open" button: opening is idempotent. */
	token_form_new(open_token, clock_now(), form_purpose(r->a, "open", token));
	for (i = 0; i < v.nrsvps; i++)
		rsvp_card(r, p.body, token, &v.rsvps[i], open_token);
	for (i = 0; i < v.nholds; i++)
		hold_card(r, p.body, token, &v.holds[i], open_token);
	if (v.nrsvps == 0 && v.nholds == 0)
		tpl_show(p.body, "NOTHING");
	if (v.more)
		tpl_set_int(tpl_section(p.body, "MORE"), "MAX", MINE_ROWS_MAX);
	token_form_new(revoke_token, clock_now(), form_purpose(r->a, "revoke", token));
	tpl_set(p.body, "TOKEN", token);
	tpl_set(p.body, "REVOKE_TOKEN", revoke_token);
	return page_end(&p, r, 200);
}

/*
 * action=open (rsvp or hold): a link to that RSVP's or hold's own page,
 * then 303 to it; action=revoke: the link and the links opened from it
 * stop working.
 */
int h_mine_change(struct req *r, struct app *app)
{
	const char *token = r->params[0], *action = field_get(r, F_ACTION);
	char manage[TOKEN_MANAGE_HEX + 1];
	enum mine_kind kind;
	int64_t id;
	enum db_rc rc;

	r->referrer_policy = "no-referrer";
	if (action == NULL || (strcmp(action, "open") != 0 && strcmp(action, "revoke") != 0)) {
		r->error = "Unknown action: use the buttons on the page.";
		return 400;
	}
	if ((r->error = field_form_token(field_get(r, F_FORM_TOKEN),
	    form_purpose(r->a, action, token))) != NULL)
		return 400;
	if (strcmp(action, "revoke") == 0) {
		if ((rc = mine_revoke(app->db, r->a, token)) != DB_OK)
			return db_status(rc);
		return page_redirect(r, "/me?done=revoked");
	}
	kind = field_get(r, F_HOLD) != NULL ? MINE_HOLD : MINE_RSVP;
	if ((r->error = field_id(field_get(r, kind == MINE_HOLD ? F_HOLD : F_RSVP), &id)) != NULL)
		return 400;
	switch (rc = mine_open(app->db, r->a, token, kind, id, manage)) {
	case DB_OK:
		return page_redirect(r, arena_printf(r->a, "/%s/%s",
		    kind == MINE_HOLD ? "holds" : "rsvp", manage));
	case DB_CLOSED:
		/* The page it came from ran out or was revoked meanwhile. */
		return gone(r, app, "It has expired or was revoked.");
	default:
		return db_status(rc);
	}
}
