/*
 * Score entry for scorekeepers, built for a phone at the finish line:
 * search an entrant by name or bib, type the score, next. Also voids and
 * corrections, the CSV of all scores, and the API tokens (organisers).
 */
#include <string.h>

#include "clock.h"
#include "csv.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "score.h"
#include "session.h"
#include "tz.h"

#define SCORES_FOUND_MAX 20	/* entries a search shows */
#define SCORES_RECENT_MAX 30	/* latest scores on the page */
#define SCORES_CSV_MAX 100000

/* What the page shows besides the lists. */
struct scores_view {
	const char *done, *error;
	const char *token, *token_label;	/* a new API token, shown once */
	int64_t entry;				/* a refused score's entry, */
	const char *value;			/* and what was typed */
};

/* The API tokens section (admins and organisers only). */
static enum db_rc tokens_part(struct req *r, struct app *app, struct tpl_dict *d,
    const struct event *e, const struct scores_view *v)
{
	char form_token[TOKEN_FORM_HEX + 1];
	struct score_token *list;
	struct tpl_dict *s = tpl_section(d, "TOKENS"), *t;
	enum db_rc rc;
	int i, n;

	if ((rc = score_token_list(app->db, r->a, e->id, &list, &n)) != DB_OK)
		return rc;
	token_form_new(form_token, clock_now(), form_purpose(r->a, "api-token", e->slug));
	tpl_set(s, "FORM_TOKEN", form_token);
	if (v->token != NULL) {
		t = tpl_section(s, "NEW_TOKEN");
		tpl_set(t, "TOKEN", v->token);
		tpl_set(t, "LABEL", v->token_label);
	}
	for (i = 0; i < n; i++) {
		t = tpl_section(s, "TOKEN_ROW");
		tpl_set_int(t, "ID", list[i].id);
		tpl_set(t, "LABEL", list[i].label);
		tpl_set(t, "BY", *list[i].created_by != '\0' ? list[i].created_by : "turnout-admin");
		tpl_set(t, "CREATED", tz_human(r->a, list[i].created_at));
		if (list[i].revoked_at != 0)
			tpl_set(tpl_section(t, "REVOKED"), "WHEN", tz_human(r->a, list[i].revoked_at));
		else
			tpl_show(t, "LIVE");
	}
	return DB_OK;
}

static int scores_page(struct req *r, struct app *app, int status, const struct scores_view *v)
{
	const char *q = field_get(r, F_Q) != NULL ? field_get(r, F_Q) : "";
	char form_token[TOKEN_FORM_HEX + 1];
	struct competition c;
	struct score_row *recent;
	struct entry *found;
	struct tpl_dict *d;
	struct event e;
	struct page p;
	enum db_rc rc;
	int i, n, nrecent;

	if ((i = competition_load(r, app, 1, &e, &c)) != 0)
		return i;
	if ((rc = score_entries(app->db, r->a, e.id, q, SCORES_FOUND_MAX, &found, &n)) != DB_OK ||
	    (rc = score_list(app->db, r->a, e.id, 0, SCORES_RECENT_MAX, &recent,
	    &nrecent)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, arena_printf(r->a, "Scores: %s", e.title),
	    "admin_scores.tpl");
	page_event_summary(p.body, r->a, &e, clock_now());
	tpl_set(p.body, "Q", q);
	tpl_set(p.body, "HINT", c.kind == SCORE_TIME ? "h:mm:ss or m:ss.t" :
	    *c.unit != '\0' ? c.unit : "points");
	if (c.closed)
		tpl_show(p.body, "CLOSED");
	if (v->done != NULL)
		tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", v->done);
	if (v->error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", v->error);
	/* One form token for the page's score forms: each is used once. */
	for (i = 0; i < n; i++) {
		d = tpl_section(p.body, "FOUND");
		token_form_new(form_token, clock_now(), form_purpose(r->a, "score", e.slug));
		tpl_set(d, "FORM_TOKEN", form_token);
		tpl_set_int(d, "ENTRY", found[i].id);
		tpl_set_int(d, "BIB", found[i].bib);
		tpl_set(d, "NAME", found[i].display_name);
		tpl_set(d, "FULL_NAME", found[i].name);
		tpl_set(d, "DIVISION", found[i].division);
		tpl_set_int(d, "SCORES", found[i].scores);
		tpl_set(d, "VALUE", v->entry == found[i].id && v->value != NULL ? v->value : "");
		if (found[i].scores > 0)
			tpl_set(tpl_section(d, "BEST"), "BEST", score_format(r->a, c.kind,
			    found[i].best));
		if (!found[i].confirmed)
			tpl_show(d, "WAITLISTED");
		if (i == 0)
			tpl_show(d, "FIRST");
	}
	if (n == 0)
		tpl_show(p.body, *q != '\0' ? "NOT_FOUND" : "NO_ENTRIES");
	for (i = 0; i < nrecent; i++) {
		d = tpl_section(p.body, "RECENT");
		tpl_set_int(d, "ID", recent[i].id);
		tpl_set_int(d, "BIB", recent[i].bib);
		tpl_set(d, "NAME", recent[i].display_name);
		tpl_set_int(d, "ROUND", recent[i].round);
		tpl_set(d, "VALUE", score_format(r->a, c.kind, recent[i].value));
		tpl_set(d, "BY", *recent[i].created_by != '\0' ? recent[i].created_by :
		    "the entrant");
		if (recent[i].voided_at != 0) {
			tpl_set(tpl_section(d, "VOIDED"), "REASON", recent[i].void_reason);
		} else {
			struct tpl_dict *f = tpl_section(d, "VOID_FORM");

			token_form_new(form_token, clock_now(), form_purpose(r->a, "void", e.slug));
			tpl_set(f, "FORM_TOKEN", form_token);
		}
	}
	if (r->session->role != ADMIN_ROLE_SCOREKEEPER &&
	    (rc = tokens_part(r, app, p.body, &e, v)) != DB_OK)
		return db_status(rc);
	return page_end(&p, r, status);
}

int h_admin_scores(struct req *r, struct app *app)
{
	static const struct { const char *key, *message; } done[] = {
		{ "scored", "Saved. Next: search the next entrant." },
		{ "voided", "The score is voided; the leaderboard no longer counts it." },
		{ "corrected", "The score is corrected." },
		{ "revoked", "The token is revoked: requests with it are refused from now on." },
	};
	struct scores_view v = { 0 };
	const char *what = field_get(r, F_DONE);
	size_t i;

	for (i = 0; what != NULL && i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(what, done[i].key) == 0)
			v.done = done[i].message;
	return scores_page(r, app, 200, &v);
}

/* Why a score or correction was refused, for the page. */
static const char *refusal(enum db_rc rc)
{
	switch (rc) {
	case DB_NOTFOUND:
		return "There is no such entry or score in this competition.";
	case DB_CONFLICT:
		return "That round already has a score: void or correct it in the list below.";
	case DB_CLOSED:
		return "No score is possible: scoring is closed, the entry is waitlisted or"
		    " cancelled, it has a score for every round, or the score is already voided.";
	default:
		return "That score is out of range.";
	}
}

int h_admin_scores_change(struct req *r, struct app *app)
{
	const char *action = field_get(r, F_ACTION), *token = field_get(r, F_FORM_TOKEN);
	const char *value = field_get(r, F_VALUE), *reason, *back;
	struct score_input in = { .source = SCORE_SCOREKEEPER, .actor = r->session->user };
	struct scores_view v = { 0 };
	struct score_outcome out;
	struct competition c;
	int64_t score_id = 0, round = 0;
	struct event e;
	enum db_rc rc;
	int status, is_void;

	if ((status = competition_load(r, app, 1, &e, &c)) != 0)
		return status;
	is_void = action != NULL && strcmp(action, "void") == 0;
	if (action == NULL || (!is_void && strcmp(action, "score") != 0)) {
		v.error = "Unknown action: use the buttons on this page.";
		return scores_page(r, app, 400, &v);
	}
	if ((v.error = field_form_token(token, form_purpose(r->a, action, e.slug))) != NULL)
		return scores_page(r, app, 400, &v);
	if (is_void) {
		if ((v.error = field_id(field_get(r, F_SCORE), &score_id)) != NULL ||
		    (v.error = field_text(r->a, field_get(r, F_REASON), 1, SCORE_REASON_MAX, 1,
		    "reason", &reason)) != NULL ||
		    (value != NULL && *value != '\0' &&
		    (v.error = score_parse(c.kind, value, &in.value)) != NULL))
			return scores_page(r, app, 400, &v);
		rc = score_void(app->db, r->a, e.id, score_id, reason, r->session->user,
		    value != NULL && *value != '\0' ? &in : NULL, token, &out);
		back = value != NULL && *value != '\0' ? "corrected" : "voided";
	} else {
		v.value = value;
		if ((v.error = field_id(field_get(r, F_ENTRY), &in.entry_id)) != NULL)
			return scores_page(r, app, 400, &v);
		v.entry = in.entry_id;
		if ((v.error = score_parse(c.kind, value != NULL ? value : "", &in.value)) != NULL ||
		    (v.error = field_number(r->a, field_get(r, F_ROUND), SCORE_ROUNDS_MAX, 0,
		    "round", &round)) != NULL)
			return scores_page(r, app, 400, &v);
		in.round = (int)round;
		rc = score_submit(app->db, r->a, e.id, &in, token, NULL, &out);
		back = "scored";
	}
	if (rc == DB_BUSY || rc == DB_ERROR)
		return db_status(rc);
	if (rc != DB_OK) {
		v.error = refusal(rc);
		return scores_page(r, app, db_status(rc), &v);
	}
	/* Back to an empty search, ready for the next entrant. */
	return page_redirect(r, arena_printf(r->a, "/admin/events/%s/scores?done=%s", e.slug,
	    back));
}

/* One row of the scores CSV. */
static void score_csv_row(struct csv *c, const struct competition *comp, struct arena *a,
    const struct score_row *s)
{
	csv_cell_int(c, s->id);
	csv_cell_int(c, s->bib);
	csv_cell(c, s->display_name);
	csv_cell_int(c, s->round);
	csv_cell(c, score_format(a, comp->kind, s->value));
	csv_cell_int(c, s->value);
	csv_cell(c, s->source);
	csv_cell(c, s->created_by);
	csv_cell(c, tz_iso(a, s->created_at));
	csv_cell(c, s->voided_at != 0 ? tz_iso(a, s->voided_at) : "");
	csv_cell(c, s->void_reason);
	csv_end_row(c);
}

int h_admin_scores_csv(struct req *r, struct app *app)
{
	static const char *const head[] = {
		"score", "bib", "name", "round", "value", "thousandths", "source", "by",
		"at", "voided at", "void reason",
	};
	struct competition c;
	struct score_row *list;
	struct event e;
	struct csv out;
	enum db_rc rc;
	int status, i, n;

	if ((status = competition_load(r, app, 1, &e, &c)) != 0)
		return status;
	if ((rc = score_list(app->db, r->a, e.id, 0, SCORES_CSV_MAX, &list, &n)) != DB_OK)
		return db_status(rc);
	csv_init(&out, r->a);
	csv_row(&out, head, sizeof(head) / sizeof(head[0]));
	for (i = n - 1; i >= 0; i--)	/* oldest first */
		score_csv_row(&out, &c, r->a, &list[i]);
	return admin_csv_send(r, &out, arena_printf(r->a, "%s-scores.csv", e.slug));
}

int h_admin_api_tokens(struct req *r, struct app *app)
{
	const char *action = field_get(r, F_ACTION), *label;
	char tok[SCORE_API_TOKEN_HEX + 1];
	struct scores_view v = { 0 };
	struct competition c;
	struct event e;
	enum db_rc rc;
	int64_t id;
	int status, replayed;

	if ((status = competition_load(r, app, 1, &e, &c)) != 0)
		return status;
	if ((v.error = field_form_token(field_get(r, F_FORM_TOKEN), form_purpose(r->a,
	    "api-token", e.slug))) != NULL)
		return scores_page(r, app, 400, &v);
	if (action != NULL && strcmp(action, "revoke") == 0) {
		if ((v.error = field_id(field_get(r, F_ID), &id)) != NULL)
			return scores_page(r, app, 400, &v);
		if ((rc = score_token_revoke(app->db, e.id, id)) != DB_OK &&
		    rc != DB_NOTFOUND)	/* revoked already: a double click */
			return db_status(rc);
		return page_redirect(r, arena_printf(r->a, "/admin/events/%s/scores?done=revoked",
		    e.slug));
	}
	if (action == NULL || strcmp(action, "new") != 0) {
		v.error = "Unknown action: use the buttons on this page.";
		return scores_page(r, app, 400, &v);
	}
	if ((v.error = field_text(r->a, field_get(r, F_LABEL), 1, 60, 1, "token's name",
	    &label)) != NULL)
		return scores_page(r, app, 400, &v);
	if ((rc = score_token_new(app->db, e.id, label, r->session->user,
	    field_get(r, F_FORM_TOKEN), tok, &replayed)) != DB_OK)
		return db_status(rc);
	if (replayed) {
		v.done = "This form made its token already (it was shown then): make another"
		    " if it was not copied.";
		return scores_page(r, app, 200, &v);
	}
	/* Shown once, on this answer only (no redirect: it is stored hashed). */
	v.token = tok;
	v.token_label = label;
	v.done = "The token is made. Copy it now: it is not shown again.";
	return scores_page(r, app, 200, &v);
}

int h_admin_competitions(struct req *r, struct app *app)
{
	struct event *list;
	struct page p;
	struct tpl_dict *d;
	enum db_rc rc;
	int i, n;

	if ((rc = score_competitions(app->db, r->a, r->session->role == ADMIN_ROLE_SCOREKEEPER ?
	    r->session->user_id : 0, &list, &n)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, "Competitions", "admin_competitions.tpl");
	for (i = 0; i < n; i++) {
		d = tpl_section(p.body, "COMPETITION");
		page_event_summary(d, r->a, &list[i], clock_now());
	}
	if (n == 0)
		tpl_show(p.body, "NONE");
	if (r->session->role != ADMIN_ROLE_SCOREKEEPER)
		tpl_show(p.body, "DASHBOARD");
	return page_end(&p, r, 200);
}
