/* RSVP forms: sign up, and the visitor's manage page behind a secret link. */
#include <string.h>

#include "clock.h"
#include "fields.h"
#include "handlers.h"
#include "outbox.h"
#include "page.h"
#include "rsvp.h"
#include "score.h"
#include "token.h"

/*
 * A competition's entry fields (display, division) into in, for the event
 * e, their errors into form's; nothing for other events. Returns 0, or 503
 * when the competition could not be read.
 */
static int entry_fields(struct req *r, struct app *app, const struct event *e,
    struct rsvp_form *form, struct rsvp_input *in)
{
	struct competition c;
	const char *display;
	enum db_rc rc;
	int i, found = 0;

	if ((rc = score_competition(app->db, r->a, e->id, &c)) == DB_NOTFOUND)
		return 0;
	if (rc != DB_OK)
		return 503;
	form->display = field_get(r, F_DISPLAY) != NULL ? field_get(r, F_DISPLAY) : "";
	display = form->display;
	page_errors_add(form->errors, "display", field_text(r->a, form->display, 0,
	    SCORE_DISPLAY_MAX, 1, "name on the leaderboard", &display));
	/* Empty: the first name and the last name's initial ("Ann B."). */
	in->display_name = *display != '\0' || in->name == NULL ? display :
	    field_short_name(r->a, in->name);
	if (c.ndivisions == 0)
		return 0;
	if (field_id(field_get(r, F_DIVISION), &in->division_id) == NULL)
		for (i = 0; i < c.ndivisions; i++)
			found |= c.divisions[i].id == in->division_id;
	form->division_id = in->division_id;
	if (!found)
		page_errors_add(form->errors, "division", "Please choose a division.");
	return 0;
}

/*
 * Check every field of the RSVP form into in, each error into form's
 * (all of them, not only the first). Returns 0, or 503 (see entry_fields).
 */
static int rsvp_fields(struct req *r, struct app *app, const struct event *e,
    struct rsvp_form *form, struct rsvp_input *in)
{
	struct page_errors *pe = form->errors;
	struct pledge_input *pledges;
	const char *err;
	int64_t bad;

	/* Show back what was typed; validators fill the cleaned values. */
	form->name = field_get(r, F_NAME) != NULL ? field_get(r, F_NAME) : "";
	form->email = field_get(r, F_EMAIL) != NULL ? field_get(r, F_EMAIL) : "";
	form->note = field_get(r, F_NOTE) != NULL ? field_get(r, F_NOTE) : "";
	page_errors_add(pe, "rsvp-form", field_form_token(field_get(r, F_FORM_TOKEN),
	    form_purpose(r->a, "rsvp", e->slug)));
	page_errors_add(pe, "name", field_name(r->a, field_get(r, F_NAME), &in->name));
	page_errors_add(pe, "email", field_email(r->a, field_get(r, F_EMAIL), &in->email));
	if ((err = field_guests(field_get(r, F_GUESTS), e->max_guests, &in->guests)) == NULL)
		form->guests = in->guests;
	page_errors_add(pe, "guests", err);
	page_errors_add(pe, "note", field_note(r->a, field_get(r, F_NOTE), &in->note));
	if ((err = sheet_parse_fields(r, &pledges, &in->npledges, &bad)) != NULL)
		page_errors_add(pe, bad != 0 ? arena_printf(r->a, "bring-%lld", (long long)bad) :
		    "rsvp-form", err);
	in->pledges = pledges;
	return entry_fields(r, app, e, form, in);
}

int h_rsvp_create(struct req *r, struct app *app)
{
	struct page_errors errors = { 0 };
	struct rsvp_form form = { .name = "", .email = "", .note = "", .errors = &errors };
	char manage[TOKEN_MANAGE_HEX + 1];
	const char *token = field_get(r, F_FORM_TOKEN);
	struct rsvp_outcome out;
	struct rsvp_input in = { .actor = NULL };	/* the visitor */
	struct event e;
	enum db_rc rc;
	int status;

	if ((rc = event_get(app->db, r->a, r->params[0], &e)) == DB_NOTFOUND ||
	    (rc == DB_OK && e.status == EVENT_DRAFT))
		return 404;
	if (rc != DB_OK)
		return db_status(rc);
	if ((status = rsvp_fields(r, app, &e, &form, &in)) != 0)
		return status;
	if (errors.n > 0)
		return event_page(r, app, &e, 400, &form);

	token_manage_of(token, manage);
	rc = rsvp_create(app->db, r->a, e.slug, &in, token, manage, &out);
	switch (rc) {
	case DB_OK:
		return page_redirect(r, arena_printf(r->a, "/rsvp/%s%s", manage,
		    out.replayed ? "" : "?new=1"));
	case DB_CLOSED:
		/* The page says why (not open yet, closed, started); the error
		 * shows only if it closed between our read and the write. */
		page_errors_add(&errors, "rsvp-form", "Sign-ups for this event have just closed.");
		return event_page(r, app, &e, db_status(rc), &form);
	case DB_INVALID:
		page_errors_add(&errors, "guests", "That is more guests than this event allows.");
		return event_page(r, app, &e, db_status(rc), &form);
	case DB_CONFLICT:
		page_errors_add(&errors, "email", "There is already an RSVP for this e-mail"
		    " address. Use the link you got when you signed up to change or cancel"
		    " it, or have it sent to that address again.");
		form.offer_resend = 1;
		return event_page(r, app, &e, db_status(rc), &form);
	case DB_FULL:
		if (out.item_id != 0) {
			/* A capped item has less left than the visitor offered:
			 * a conflict with pledges made since the page was
			 * loaded (409), shown with the current numbers. */
			form.pledge_rc = rc;
			form.pledge_out = &out;
			return event_page(r, app, &e, 409, &form);
		}
		page_errors_add(&errors, e.max_guests > 0 ? "guests" : "name", arena_printf(r->a,
		    "A party of %d is larger than this event's %lld places.", 1 + in.guests,
		    (long long)e.capacity));
		return event_page(r, app, &e, db_status(rc), &form);
	default:
		return db_status(rc);
	}
}

/* Things the manage page may show besides the RSVP itself. */
struct manage_view {
	const char *error, *done;
	int confirm_cancel, is_new;
	/* A pledge form to show again: its item, what was typed, why refused;
	 * or (pledged set) the item whose pledge was just saved. */
	int64_t pledge_item;
	int pledged;
	const char *pledge_quantity;
	enum db_rc pledge_rc;
	const struct rsvp_outcome *pledge_out;
	const char *score_value;	/* a refused score, as typed */
};

/*
 * A competition entry's part of the manage page into d: bib, name on the
 * leaderboard (with a form to change it), division, scores and, with
 * self-scoring, a form for the next one (value refilled from v).
 */
static int entry_part(struct req *r, struct app *app, struct tpl_dict *d,
    const struct event *e, const struct rsvp *rv, const char *token,
    const struct manage_view *v)
{
	char form_token[TOKEN_FORM_HEX + 1];
	struct competition c;
	struct score_row *scores;
	struct tpl_dict *s, *f;
	struct entry en;
	enum db_rc rc;
	int i, n;

	if ((rc = score_competition(app->db, r->a, e->id, &c)) == DB_NOTFOUND)
		return 0;
	if (rc != DB_OK || (rc = score_entry(app->db, r->a, e->id, rv->id, &en)) != DB_OK ||
	    (rc = score_list(app->db, r->a, e->id, en.id, SCORE_ROUNDS_MAX * 2, &scores,
	    &n)) != DB_OK)
		return db_status(rc);
	s = tpl_section(d, "ENTRY");
	tpl_set_int(s, "BIB", en.bib);
	tpl_set(s, "DISPLAY", en.display_name);
	tpl_set_int(s, "DISPLAY_MAX", SCORE_DISPLAY_MAX);
	if (*en.division != '\0')
		tpl_set(tpl_section(s, "DIVISION"), "DIVISION", en.division);
	for (i = 0; i < n; i++) {
		f = tpl_section(s, "SCORE");
		tpl_set_int(f, "ROUND", scores[i].round);
		tpl_set(f, "VALUE", score_format(r->a, c.kind, scores[i].value));
		if (*c.unit != '\0')
			tpl_set(tpl_section(f, "UNIT"), "UNIT", c.unit);
		if (scores[i].voided_at != 0)
			tpl_set(tpl_section(f, "VOIDED"), "REASON", scores[i].void_reason);
	}
	if (n == 0)
		tpl_show(s, "NO_SCORES");
	if (rv->status == RSVP_CANCELLED)
		return 0;
	f = tpl_section(s, "RENAME");
	token_form_new(form_token, clock_now(), form_purpose(r->a, "rename", token));
	tpl_set(f, "FORM_TOKEN", form_token);
	tpl_set(f, "TOKEN", token);
	if (c.self_scoring && !c.closed && rv->status == RSVP_CONFIRMED &&
	    en.scores < c.rounds) {
		f = tpl_section(s, "SELF_SCORE");
		token_form_new(form_token, clock_now(), form_purpose(r->a, "score", token));
		tpl_set(f, "FORM_TOKEN", form_token);
		tpl_set(f, "TOKEN", token);
		tpl_set(f, "VALUE", v->score_value != NULL ? v->score_value : "");
		tpl_set(f, "HINT", c.kind == SCORE_TIME ? "a time such as 4:05.3 or 1:02:03" :
		    *c.unit != '\0' ? arena_printf(r->a, "in %s, e.g. 12.5", c.unit) :
		    "points, e.g. 12 or 12.5");
	}
	return 0;
}

/*
 * The waitlisted party's place, in parties (people differ in size), and
 * what tells them they got in: the page polls the event's status.json
 * (a script; without it, a hint to reload).
 */
static void waiting(struct page *p, struct req *r, const struct event *e,
    const struct rsvp *rv)
{
	struct tpl_dict *d = tpl_section(p->body, "POSITION");

	tpl_set_int(d, "POSITION", rv->position);
	tpl_set(d, "AHEAD", rsvp_ahead_text(r->a, rv->position));
	tpl_show(p->root, "WAIT_SCRIPT");
	d = tpl_section(p->body, "WATCH");
	tpl_set(d, "STATUS_URL", arena_printf(r->a, "/events/%s/status.json", e->slug));
	tpl_set_int(d, "VERSION", e->version);
	tpl_set_int(d, "CONFIRMED_SPOTS", e->confirmed);
	tpl_set_int(d, "WAITLISTED_SPOTS", e->waitlisted);
}

/*
 * The notice beside the pledge of v->pledge_item: saved (v->pledged), or
 * why it was refused (*warn set).
 */
static const char *pledge_notice(struct arena *a, const struct manage_view *v,
    const struct item *items, int n, int *warn)
{
	int i;

	*warn = !v->pledged;
	if (v->pledge_out != NULL)
		return sheet_refusal(a, items, n, v->pledge_rc, v->pledge_out);
	if (!v->pledged)
		return v->error;
	for (i = 0; i < n; i++)
		if (items[i].id == v->pledge_item)
			return items[i].mine > 0 ? arena_printf(a, "Saved: you bring %s.",
			    potluck_amount(a, items[i].mine, items[i].unit)) :
			    "Saved: your pledge is taken back.";
	return NULL;
}

static int manage_page(struct req *r, struct app *app, const char *token, int status,
    const struct manage_view *v)
{
	char form_token[TOKEN_FORM_HEX + 1];
	struct sheet_forms forms = { .token = token, .item_id = v->pledge_item,
	    .quantity = v->pledge_quantity };
	struct tpl_dict *f, *opt, *d;
	struct item *items;
	struct event e;
	struct rsvp rv;
	struct page p;
	enum db_rc rc;
	int g, n, can_change, st;

	if ((rc = rsvp_get(app->db, r->a, token, &rv, &e)) == DB_NOTFOUND)
		return 404;
	if (rc != DB_OK)
		return db_status(rc);
	if ((rc = potluck_sheet(app->db, r->a, e.id, rv.id, &items, &n)) != DB_OK)
		return db_status(rc);
	can_change = rv.status != RSVP_CANCELLED && clock_now() < e.starts_at;
	/* The address is a secret: never leak it to another site. */
	r->referrer_policy = "no-referrer";
	page_begin(&p, r, app, arena_printf(r->a, "Your RSVP: %s", e.title), "rsvp.tpl");
	page_event_summary(p.body, r->a, &e, clock_now());
	tpl_set(p.body, "TOKEN", token);
	tpl_set(p.body, "LINK", page_url(r, arena_printf(r->a, "/rsvp/%s", token)));
	tpl_set(p.body, "NAME", rv.name);
	tpl_set(p.body, "EMAIL", rv.email);
	tpl_set_int(p.body, "PARTY", 1 + rv.guests);
	tpl_set_int(p.body, "GUESTS", rv.guests);
	tpl_set(p.body, "GUESTS_WORD", rv.guests == 1 ? "guest" : "guests");
	tpl_set(p.body, "NOTE", rv.note);
	tpl_show(p.body, rv.status == RSVP_CONFIRMED ? "CONFIRMED" :
	    rv.status == RSVP_WAITLISTED ? "WAITLISTED" : "CANCELLED");
	if (rv.status == RSVP_WAITLISTED)
		waiting(&p, r, &e, &rv);
	if (rv.status != RSVP_CANCELLED && can_change)
		tpl_show(p.body, "CALENDAR");
	if (v->is_new)
		tpl_show(p.body, rv.status == RSVP_WAITLISTED ? "NEW_WAITLISTED" : "NEW");
	if (v->pledge_item != 0)
		forms.notice = pledge_notice(r->a, v, items, n, &forms.notice_warn);
	if (v->done != NULL && !v->pledged)
		tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", v->done);
	if (v->error != NULL && v->pledge_item == 0)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", v->error);
	if (forms.notice != NULL && forms.notice_warn)
		tpl_set(p.root, "PAGE_TITLE", arena_printf(r->a, "Error: Your RSVP: %s", e.title));
	if (rv.status != RSVP_CANCELLED && !v->confirm_cancel) {
		tpl_show(p.body, "KEEP_LINK");
		token_form_new(form_token, clock_now(), form_purpose(r->a, "replace_link", token));
		tpl_set(tpl_section(p.body, "REPLACE"), "FORM_TOKEN", form_token);
	}
	if (can_change) {
		token_form_new(form_token, clock_now(), form_purpose(r->a,
		    v->confirm_cancel ? "cancel" : "update", token));
		f = tpl_section(p.body, v->confirm_cancel ? "CONFIRM_CANCEL" : "CHANGE");
		tpl_set(f, "FORM_TOKEN", form_token);
		tpl_set(f, "TOKEN", token);
		tpl_set(f, "NOTE", rv.note);
		if (!v->confirm_cancel && e.max_guests > 0) {
			d = tpl_section(f, "GUESTS_FIELD");
			for (g = 0; g <= e.max_guests; g++) {
				opt = tpl_section(d, "GUEST_OPTION");
				tpl_set_int(opt, "VALUE", g);
				if (g == rv.guests)
					tpl_show(opt, "SELECTED");
			}
		}
	}
	if ((st = entry_part(r, app, p.body, &e, &rv, token, v)) != 0)
		return st;
	if (!sheet_bringing(p.body, r->a, items, n) && n > 0 && can_change)
		tpl_show(p.body, "NOTHING_YET");
	/* The cancel confirmation keeps one form only: the one it asks about. */
	sheet_fill(p.body, r->a, e.slug, items, n, can_change && !v->confirm_cancel ? &forms :
	    NULL);
	return page_end(&p, r, status);
}

int h_rsvp_show(struct req *r, struct app *app)
{
	static const struct { const char *key, *message; } done[] = {
		{ "updated", "Your changes are saved." },
		{ "cancelled", "Thank you for letting us know." },
		{ "pledged", "Your pledge is saved: the list below shows the current numbers." },
		{ "renamed", "Your name on the leaderboard is changed." },
		{ "scored", "Your score is in: the leaderboard shows it now." },
		{ "replaced", "Your link is replaced: the old one no longer works. This page's"
		  " address is your new link, and we have e-mailed it to you." },
	};
	struct manage_view v = { 0 };
	const char *what = field_get(r, F_DONE);
	size_t i;

	for (i = 0; what != NULL && i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(what, done[i].key) == 0)
			v.done = done[i].message;
	v.is_new = field_get(r, F_NEW) != NULL;
	/* Saved pledges say so beside their item (a link from elsewhere may
	 * name no item, or a bad one: then at the top). */
	if (what != NULL && strcmp(what, "pledged") == 0 &&
	    field_id(field_get(r, F_ITEM), &v.pledge_item) == NULL)
		v.pledged = 1;
	else
		v.pledge_item = 0;
	v.confirm_cancel = field_get(r, F_CONFIRM) != NULL &&
	    strcmp(field_get(r, F_CONFIRM), "cancel") == 0;
	return manage_page(r, app, r->params[0], 200, &v);
}

/* Map a refused change to a status and a message on the manage page. */
static int refused(struct req *r, struct app *app, enum db_rc rc,
    const struct rsvp_outcome *out)
{
	struct manage_view v = { 0 };

	switch (rc) {
	case DB_FULL:
		v.error = out->spots_left == 0 ? "There are no spots left, so your party"
		    " cannot grow. Nothing was changed." : arena_printf(r->a, "Only %lld"
		    " more %s left, so your party cannot grow that much. Nothing was"
		    " changed.", (long long)out->spots_left,
		    out->spots_left == 1 ? "spot is" : "spots are");
		break;
	case DB_CLOSED:
		v.error = "This RSVP can no longer be changed (it is cancelled, sign-ups"
		    " are closed or the event has started).";
		break;
	case DB_INVALID:
		v.error = "That is more guests than this event allows.";
		break;
	default:
		return db_status(rc);
	}
	return manage_page(r, app, r->params[0], db_status(rc), &v);
}

/* action=pledge: set, change or (quantity 0) remove one pledge. */
static int pledge_change(struct req *r, struct app *app, const char *token,
    const char *form_token)
{
	struct manage_view v = { 0 };
	struct rsvp_outcome out;
	struct pledge_input in;
	enum db_rc rc;

	v.pledge_quantity = field_get(r, F_QUANTITY) != NULL ? field_get(r, F_QUANTITY) : "";
	if ((v.error = field_id(field_get(r, F_ITEM), &in.item_id)) != NULL ||
	    (v.error = field_id(field_get(r, F_VERSION), &in.version)) != NULL)
		return manage_page(r, app, token, 400, &v);
	v.pledge_item = in.item_id;
	if ((v.error = field_quantity(field_get(r, F_QUANTITY), &in.quantity)) != NULL)
		return manage_page(r, app, token, 400, &v);
	rc = potluck_pledge(app->db, r->a, token, &in, form_token, &out);
	switch (rc) {
	case DB_OK:
		return page_redirect(r, arena_printf(r->a, "/rsvp/%s?done=pledged&item=%lld"
		    "#item-%lld", token, (long long)in.item_id, (long long)in.item_id));
	case DB_FULL:
	case DB_CONFLICT:
		/* Others pledged since the page was loaded: 409 either way. */
		v.pledge_rc = rc;
		v.pledge_out = &out;
		return manage_page(r, app, token, 409, &v);
	default:
		return refused(r, app, rc, &out);
	}
}

/*
 * action=rename (display) or score (value, optional round): an entrant's
 * changes to their competition entry.
 */
static int entry_change(struct req *r, struct app *app, const struct event *e,
    const struct rsvp *rv, const char *action, const char *form_token)
{
	struct score_input in = { .entry_id = rv->id, .source = SCORE_ENTRANT };
	const char *token = r->params[0], *display;
	struct manage_view v = { 0 };
	struct score_outcome out;
	struct competition c;
	enum db_rc rc;
	int64_t round = 0;

	if ((rc = score_competition(app->db, r->a, e->id, &c)) != DB_OK)
		return db_status(rc);
	if (strcmp(action, "rename") == 0) {
		if ((v.error = field_text(r->a, field_get(r, F_DISPLAY), 1, SCORE_DISPLAY_MAX, 1,
		    "name on the leaderboard", &display)) != NULL)
			return manage_page(r, app, token, 400, &v);
		if ((rc = score_rename(app->db, rv->id, display)) != DB_OK)
			return db_status(rc);
		return page_redirect(r, arena_printf(r->a, "/rsvp/%s?done=renamed", token));
	}
	v.score_value = field_get(r, F_VALUE);
	if ((v.error = score_parse(c.kind, v.score_value != NULL ? v.score_value : "",
	    &in.value)) != NULL ||
	    (field_get(r, F_ROUND) != NULL && *field_get(r, F_ROUND) != '\0' &&
	    (v.error = field_number(r->a, field_get(r, F_ROUND), SCORE_ROUNDS_MAX, 0,
	    "round", &round)) != NULL))
		return manage_page(r, app, token, 400, &v);
	in.round = (int)round;
	switch (rc = score_submit(app->db, r->a, e->id, &in, form_token, NULL, &out)) {
	case DB_OK:
		return page_redirect(r, arena_printf(r->a, "/rsvp/%s?done=scored", token));
	case DB_CONFLICT:
		v.error = "That round already has a score. Ask a scorekeeper to correct it.";
		break;
	case DB_CLOSED:
		v.error = "You cannot add a score now: scoring is closed, your entry is not"
		    " confirmed, or you have a score for every round.";
		break;
	case DB_INVALID:
		v.error = "That score is out of range.";
		break;
	default:
		return db_status(rc);
	}
	return manage_page(r, app, token, db_status(rc), &v);
}

/*
 * action=replace_link: every link of the RSVP stops working and the one
 * derived from the form becomes its only one; checked before the RSVP is
 * looked up, so a replayed form (whose link is gone) lands on the new link.
 */
static int replace_link(struct req *r, struct app *app, const char *token,
    const char *form_token)
{
	char manage[TOKEN_MANAGE_HEX + 1];
	struct manage_view v = { 0 };
	struct rsvp_outcome out;
	enum db_rc rc;

	if ((v.error = field_form_token(form_token, form_purpose(r->a, "replace_link", token))) !=
	    NULL)
		return manage_page(r, app, token, 400, &v);
	token_manage_of(form_token, manage);
	if ((rc = rsvp_replace_link(app->db, r->a, token, form_token, manage, &out)) != DB_OK)
		return rc == DB_NOTFOUND ? 404 : db_status(rc);
	return page_redirect(r, arena_printf(r->a, "/rsvp/%s?done=replaced", manage));
}

int h_rsvp_change(struct req *r, struct app *app)
{
	const char *token = r->params[0], *action = field_get(r, F_ACTION), *err, *note;
	const char *form_token = field_get(r, F_FORM_TOKEN);
	struct manage_view v = { 0 };
	struct rsvp_outcome out;
	struct event e;
	struct rsvp rv;
	enum db_rc rc;
	int guests;

	if (action != NULL && strcmp(action, "replace_link") == 0)
		return replace_link(r, app, token, form_token);
	/* Its place in the queue is not needed here: not counted (see rsvp_find). */
	if ((rc = rsvp_find(app->db, r->a, token, &rv, &e)) != DB_OK)
		return rc == DB_NOTFOUND ? 404 : db_status(rc);
	if (action == NULL || (strcmp(action, "update") != 0 && strcmp(action, "cancel") != 0 &&
	    strcmp(action, "pledge") != 0 && strcmp(action, "rename") != 0 &&
	    strcmp(action, "score") != 0)) {
		v.error = "Unknown action: use the buttons on this page.";
		return manage_page(r, app, token, 400, &v);
	}
	/* A token made for the other form, or another RSVP, is refused. */
	if ((err = field_form_token(form_token, form_purpose(r->a, action, token))) != NULL) {
		v.error = err;
		return manage_page(r, app, token, 400, &v);
	}
	if (strcmp(action, "pledge") == 0)
		return pledge_change(r, app, token, form_token);
	if (strcmp(action, "rename") == 0 || strcmp(action, "score") == 0)
		return entry_change(r, app, &e, &rv, action, form_token);
	if (strcmp(action, "cancel") == 0) {
		rc = rsvp_cancel(app->db, r->a, token, form_token, &out);
		if (rc != DB_OK)
			return refused(r, app, rc, &out);
		return page_redirect(r, arena_printf(r->a, "/rsvp/%s?done=cancelled", token));
	}
	guests = rv.guests;	/* an event without guests has no guests field */
	if ((field_get(r, F_GUESTS) != NULL &&
	    (v.error = field_guests(field_get(r, F_GUESTS), e.max_guests, &guests)) != NULL) ||
	    (v.error = field_note(r->a, field_get(r, F_NOTE), &note)) != NULL)
		return manage_page(r, app, token, 400, &v);
	rc = rsvp_update(app->db, r->a, token, guests, note, form_token, &out);
	if (rc != DB_OK)
		return refused(r, app, rc, &out);
	return page_redirect(r, arena_printf(r->a, "/rsvp/%s?done=updated", token));
}

/*
 * "E-mail me my link": always the same page, whether or not the address
 * has an RSVP here, so the form cannot be used to learn who signed up.
 */
int h_rsvp_resend(struct req *r, struct app *app)
{
	const char *token = field_get(r, F_FORM_TOKEN), *email;
	char manage[TOKEN_MANAGE_HEX + 1];
	struct rsvp_outcome out;
	struct event e;
	struct page p;
	enum db_rc rc;
	int queued;

	if ((rc = event_get(app->db, r->a, r->params[0], &e)) == DB_NOTFOUND ||
	    (rc == DB_OK && e.status == EVENT_DRAFT))
		return 404;
	if (rc != DB_OK)
		return db_status(rc);
	if ((r->error = field_form_token(token, form_purpose(r->a, "resend", e.slug))) != NULL ||
	    (r->error = field_email(r->a, field_get(r, F_EMAIL), &email)) != NULL)
		return 400;
	/* Like a sign-up's, the new link comes from the form token: a replay
	 * finds the same one. */
	token_manage_of(token, manage);
	if ((rc = rsvp_resend(app->db, e.slug, email, token, manage, &out, &queued)) != DB_OK)
		return db_status(rc);
	page_begin(&p, r, app, arena_printf(r->a, "Your link: %s", e.title), "resend.tpl");
	page_event_summary(p.body, r->a, &e, clock_now());
	tpl_set(p.body, "EMAIL", email);
	tpl_set_int(p.body, "PER_HOUR", OUTBOX_RESEND_PER_HOUR);
	return page_end(&p, r, 200);
}
