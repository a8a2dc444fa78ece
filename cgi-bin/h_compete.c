/* Competitions on the web: leaderboards (HTML and JSON) and the scores API. */
#include <limits.h>
#include <string.h>

#include "clock.h"
#include "fields.h"
#include "handlers.h"
#include "json.h"
#include "page.h"
#include "score.h"
#include "session.h"
#include "token.h"
#include "tz.h"

#define BOARD_REFRESH_SECONDS "5"
#define API_BODY_MAX 1024		/* bytes of a scores API request */

/* How the rule reads above the board, and the ranked figure's column. */
static const char *rule_label(const struct competition *c)
{
	static const char *const labels[SCORE_RULE__MAX] = {
		[SCORE_BEST] = "Ranked by best single score",
		[SCORE_TOTAL] = "Ranked by total of all scores",
		[SCORE_AVERAGE] = "Ranked by average score",
	};

	return labels[c->rule];
}

static const char *figure_label(const struct competition *c)
{
	static const char *const labels[SCORE_RULE__MAX] = {
		[SCORE_BEST] = "Best", [SCORE_TOTAL] = "Total", [SCORE_AVERAGE] = "Average",
	};

	return labels[c->rule];
}

/* A figure with its unit ("12.5 m"), or the time as it is. */
static const char *figure(struct arena *a, const struct competition *c, int64_t v)
{
	const char *s = score_format(a, c->kind, v);

	return *c->unit != '\0' ? arena_printf(a, "%s %s", s, c->unit) : s;
}

int competition_load(struct req *r, struct app *app, int admin, struct event *e,
    struct competition *c)
{
	enum db_rc rc;
	int status;

	if ((status = admin ? admin_event_load(r, app, e) : event_load_public(r, app, e)) != 0)
		return status;
	if ((rc = score_competition(app->db, r->a, e->id, c)) != DB_OK)
		return db_status(rc);
	return 0;
}

#define BOARD_PAGE_ROWS 100	/* rows of a division a leaderboard page shows */

/*
 * Which rows board_fill() shows: the division `only` (-1: every one), from
 * position `from` within each division, at most `count` rows (0: all). With
 * `base` (the page's URL) each division gets its "Rows a–b of n" and the
 * links to the rows before and after; a large field stays a page of
 * BOARD_PAGE_ROWS while the ranks are still those of the whole field.
 */
struct board_window {
	int only, from, count;
	const char *base;
};

/* The pager of one division that has total rows, into div. */
static void board_pager(struct tpl_dict *div, struct arena *a, const struct board_window *w,
    int k, int shown, int total)
{
	struct tpl_dict *s, *t;

	if (w->base == NULL || w->count == 0 || (w->from == 0 && total <= w->count))
		return;
	s = tpl_section(div, "PAGER");
	if (shown > 0) {
		t = tpl_section(s, "RANGE");
		tpl_set_int(t, "FIRST", w->from + 1);
		tpl_set_int(t, "LAST", w->from + shown);
		tpl_set_int(t, "TOTAL", total);
	}
	/* Past the end (an old link to a shrunk field) leads back to the start. */
	if (w->from > 0)
		tpl_set(tpl_section(s, "EARLIER"), "HREF", arena_printf(a, "%s?division=%d&from=%d",
		    w->base, k, shown > 0 && w->from > w->count ? w->from - w->count : 0));
	if (w->from + shown < total)
		tpl_set(tpl_section(s, "LATER"), "HREF", arena_printf(a, "%s?division=%d&from=%d",
		    w->base, k, w->from + w->count));
}

/*
 * Fill one DIVISION section of d per board (one unnamed when there are no
 * divisions) with the rows of each that the window w shows.
 */
static void board_fill(struct tpl_dict *d, struct arena *a, const struct competition *c,
    const struct board_row *rows, int n, const struct board_window *w, int json)
{
	struct tpl_dict *div, *row;
	int k, i, pos, shown, boards = c->ndivisions > 0 ? c->ndivisions : 1;

	for (k = 0; k < boards; k++) {
		if (w->only >= 0 && k != w->only)
			continue;
		div = tpl_section(d, "DIVISION");
		tpl_set_int(div, "INDEX", k);
		tpl_set_int(div, "FROM", w->from);
		tpl_set_int(div, "COUNT", w->count);
		if (c->ndivisions > 0)
			tpl_set(tpl_section(div, "NAMED"), "NAME", c->divisions[k].name);
		else
			tpl_show(div, "UNNAMED");
		tpl_set(div, "FIGURE_LABEL", figure_label(c));
		for (i = pos = shown = 0; i < n; i++) {
			if (c->ndivisions > 0 && rows[i].division != k)
				continue;
			if (pos++ < w->from || (w->count > 0 && shown == w->count))
				continue;
			shown++;
			row = tpl_section(div, "ROW");
			if (json)
				tpl_set(row, "RANK", rows[i].rank > 0 ? arena_printf(a, "%d",
				    rows[i].rank) : "null");
			else
				tpl_set(row, "RANK_LABEL", rows[i].rank > 0 ?
				    arena_printf(a, "%d", rows[i].rank) : "–");
			if (rows[i].rank >= 1 && rows[i].rank <= 3)
				tpl_set_int(tpl_section(row, "TOP"), "RANK", rows[i].rank);
			tpl_set_int(row, "ENTRY", rows[i].entry_id);
			tpl_set_int(row, "BIB", rows[i].bib);
			tpl_set(row, "NAME", rows[i].display_name);
			tpl_set_int(row, "SCORES", rows[i].scores);
			if (rows[i].scores > 0) {
				tpl_show(row, "HAS");
				tpl_set(row, "FIGURE", figure(a, c, rows[i].figure));
				tpl_set(row, "BEST", figure(a, c, rows[i].best));
			} else {
				tpl_show(row, "NONE");
				tpl_set(row, "FIGURE", "–");
				tpl_set(row, "BEST", "–");
			}
		}
		if (shown == 0)
			tpl_show(div, "EMPTY");
		else
			tpl_show(div, "TABLE");
		tpl_set(div, "EMPTY_TEXT", pos > 0 ? "No rows this far down." : "No entries yet.");
		board_pager(div, a, w, k, shown, pos);
	}
}

/*
 * What the public board says about itself: "Frozen at ... (zone): ..."
 * while frozen, "Final results." once published; NULL while live.
 */
static const char *board_notice(struct arena *a, const struct competition *c)
{
	if (c->frozen_at != 0)
		return arena_printf(a, "Frozen at %s: these are the standings as they were then;"
		    " the results come at the end.", tz_human_zone(a, c->frozen_at, clock_now()));
	if (c->published_at != 0)
		return "Final results.";
	return NULL;
}

/* The notice of c's public board into d: NOTICE, or NO_NOTICE shown. */
static void notice_fill(struct tpl_dict *d, struct arena *a, const struct competition *c,
    int json)
{
	const char *notice = board_notice(a, c);

	if (notice == NULL)
		tpl_show(d, "NO_NOTICE");
	else if (json)
		tpl_set(tpl_section(d, "NOTICE"), "TEXT", notice);
	else
		tpl_set(d, "NOTICE", notice);
}

int compete_top(struct req *r, struct app *app, struct tpl_dict *d,
    const struct competition *c)
{
	struct board_row *rows;
	struct tpl_dict *s;
	enum db_rc rc;
	int n;

	if ((rc = score_board_public(app->db, r->a, c, &rows, &n)) != DB_OK)
		return db_status(rc);
	s = tpl_section(d, "LEADERBOARD");
	tpl_set(s, "RULE_LABEL", rule_label(c));
	notice_fill(s, r->a, c, 0);
	board_fill(s, r->a, c, rows, n, &(struct board_window){ -1, 0, 5, NULL }, 0);
	return 0;
}

/*
 * A leaderboard page: the public one, or (admin) the organisers' and
 * scorekeepers' live one, into p's body with the rule and the boards.
 */
static int board_page(struct req *r, struct app *app, struct page *p, struct event *e,
    const struct competition *c, int admin)
{
	const char *division = field_get(r, F_DIVISION), *from = field_get(r, F_FROM);
	struct board_window w = { -1, 0, BOARD_PAGE_ROWS, NULL };
	struct board_row *rows;
	int64_t v;
	enum db_rc rc;
	int n;

	/* A window that is not a division's or a position is the first page. */
	if (division != NULL && field_id(division, &v) == NULL &&
	    v < (c->ndivisions > 0 ? c->ndivisions : 1)) {
		w.only = (int)v;
		if (from != NULL && field_id(from, &v) == NULL && v <= INT_MAX - BOARD_PAGE_ROWS)
			w.from = (int)v;
	}
	w.base = arena_printf(r->a, "%s/events/%s/leaderboard", admin ? "/admin" : "", e->slug);

	rc = admin ? score_board(app->db, r->a, c, &rows, &n) :
	    score_board_public(app->db, r->a, c, &rows, &n);
	if (rc != DB_OK)
		return db_status(rc);
	page_event_summary(p->body, r->a, e, clock_now());
	tpl_set(p->body, "RULE_LABEL", rule_label(c));
	if (c->closed)
		tpl_show(p->body, "CLOSED");
	board_fill(tpl_include(p->body, "BOARD", "board.tpl"), r->a, c, rows, n, &w, 0);
	return 0;
}

int h_leaderboard(struct req *r, struct app *app)
{
	const char *refresh = field_get(r, F_REFRESH);
	struct competition c;
	struct tpl_dict *live;
	struct event e;
	struct page p;
	int status;

	if ((status = competition_load(r, app, 0, &e, &c)) != 0)
		return status;
	page_begin(&p, r, app, arena_printf(r->a, "Leaderboard: %s", e.title),
	    "leaderboard.tpl");
	if ((status = board_page(r, app, &p, &e, &c, 0)) != 0)
		return status;
	notice_fill(p.body, r->a, &c, 0);
	tpl_set(p.body, "UPDATED", tz_human(r->a, clock_now()));
	if (refresh != NULL && strcmp(refresh, "off") == 0) {
		tpl_show(p.body, "PAUSED");
	} else {
		/* With JavaScript board.js updates in place; without, the page reloads. */
		tpl_set(tpl_section(p.root, "RELOAD"), "SECONDS",
		    BOARD_REFRESH_SECONDS);
		tpl_show(p.root, "BOARD_SCRIPT");
		live = tpl_section(p.body, "LIVE");
		tpl_set(live, "SECONDS", BOARD_REFRESH_SECONDS);
	}
	return page_end(&p, r, 200);
}

int h_leaderboard_json(struct req *r, struct app *app)
{
	struct competition c;
	struct board_row *rows;
	struct tpl_dict *d;
	struct event e;
	enum db_rc rc;
	int status, n;

	if ((status = competition_load(r, app, 0, &e, &c)) != 0)
		return status;
	/*
	 * The public version changes with every score, name or entry change,
	 * and with every freeze, unfreeze and publish; while frozen it stays.
	 */
	if (page_etag(r, c.public_version))
		return 304;
	if ((rc = score_board_public(app->db, r->a, &c, &rows, &n)) != DB_OK)
		return db_status(rc);
	d = tpl_dict_new(r->a);
	tpl_set(d, "SLUG", e.slug);
	tpl_set(d, "KIND", score_kind_names[c.kind]);
	tpl_set(d, "RULE", score_rule_names[c.rule]);
	tpl_set(d, "UNIT", c.unit);
	tpl_set(d, "CLOSED", c.closed ? "true" : "false");
	tpl_set_int(d, "VERSION", c.public_version);
	tpl_set(d, "STATE", c.frozen_at != 0 ? "frozen" : c.published_at != 0 ? "final" : "live");
	if (c.frozen_at != 0)
		tpl_set(tpl_section(d, "FROZEN"), "AT", tz_iso(r->a, c.frozen_at));
	else
		tpl_show(d, "NOT_FROZEN");
	notice_fill(d, r->a, &c, 1);
	board_fill(d, r->a, &c, rows, n, &(struct board_window){ -1, 0, 0, NULL }, 1);
	return page_data(r, "leaderboard.json.tpl", d, "application/json");
}

/* What the live board's page says about the public one. */
static const char *board_state(struct arena *a, const struct competition *c)
{
	if (c->frozen_at != 0)
		return arena_printf(a, "the public leaderboard is frozen at %s.",
		    tz_human_zone(a, c->frozen_at, clock_now()));
	if (c->published_at != 0)
		return arena_printf(a, "the final results were published %s.",
		    tz_human_zone(a, c->published_at, clock_now()));
	return "the public leaderboard is live too.";
}

#define BOARD_LOG_MAX 20	/* freezes and publications the page lists */

/* The live board for organisers and scorekeepers; freeze and publish for organisers. */
static int admin_board(struct req *r, struct app *app, int status, const char *done,
    const char *error)
{
	static const char *const what[BOARD_ACTION__MAX] = {
		[BOARD_FREEZE] = "Frozen", [BOARD_UNFREEZE] = "Unfrozen",
		[BOARD_PUBLISH] = "Final results published",
	};
	char form_token[TOKEN_FORM_HEX + 1];
	struct board_change *log;
	struct competition c;
	struct tpl_dict *s, *t;
	struct event e;
	struct page p;
	enum db_rc rc;
	int i, k, n;

	if ((i = competition_load(r, app, 1, &e, &c)) != 0)
		return i;
	if ((rc = score_board_log(app->db, r->a, e.id, BOARD_LOG_MAX, &log, &n)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, arena_printf(r->a, "Live leaderboard: %s", e.title),
	    "admin_leaderboard.tpl");
	if ((i = board_page(r, app, &p, &e, &c, 1)) != 0)
		return i;
	tpl_set(p.body, "STATE", board_state(r->a, &c));
	if (done != NULL)
		tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", done);
	if (error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", error);
	if (r->session->role != ADMIN_ROLE_SCOREKEEPER) {
		s = tpl_section(p.body, "CONTROLS");
		token_form_new(form_token, clock_now(), form_purpose(r->a, "board", e.slug));
		tpl_set(s, "FORM_TOKEN", form_token);
		if (c.frozen_at == 0 && c.published_at == 0)
			tpl_show(s, "CAN_FREEZE");
		if (c.frozen_at != 0)
			tpl_show(s, "CAN_UNFREEZE");
		if (c.published_at == 0)
			tpl_show(s, "CAN_PUBLISH");
	}
	if (n > 0)
		s = tpl_section(p.body, "LOG");
	for (i = 0; i < n; i++) {
		t = tpl_section(s, "CHANGE");
		for (k = 0; k < BOARD_ACTION__MAX; k++)
			if (strcmp(log[i].action, board_action_names[k]) == 0)
				tpl_set(t, "WHAT", what[k]);
		tpl_set(t, "ACTOR", log[i].actor);
		tpl_set(t, "WHEN", tz_human_zone(r->a, log[i].at, clock_now()));
	}
	return page_end(&p, r, status);
}

int h_admin_leaderboard(struct req *r, struct app *app)
{
	static const char *const done[BOARD_ACTION__MAX] = {
		[BOARD_FREEZE] = "The public leaderboard is frozen: it shows the standings of"
		    " this moment until you unfreeze it or publish the final results.",
		[BOARD_UNFREEZE] = "The public leaderboard is live again.",
		[BOARD_PUBLISH] = "The final results are published.",
	};
	const char *what = field_get(r, F_DONE);
	int k;

	for (k = 0; what != NULL && k < BOARD_ACTION__MAX; k++)
		if (strcmp(what, board_action_names[k]) == 0)
			return admin_board(r, app, 200, done[k], NULL);
	return admin_board(r, app, 200, NULL, NULL);
}

int h_admin_leaderboard_change(struct req *r, struct app *app)
{
	const char *action = field_get(r, F_ACTION), *token = field_get(r, F_FORM_TOKEN), *err;
	struct competition c;
	struct event e;
	enum db_rc rc;
	int status, k, replayed;

	if ((status = competition_load(r, app, 1, &e, &c)) != 0)
		return status;
	for (k = 0; action != NULL && k < BOARD_ACTION__MAX; k++)
		if (strcmp(action, board_action_names[k]) == 0)
			break;
	if (action == NULL || k == BOARD_ACTION__MAX)
		return admin_board(r, app, 400, NULL, "Unknown action: use the buttons on this"
		    " page.");
	if ((err = field_form_token(token, form_purpose(r->a, "board", e.slug))) != NULL)
		return admin_board(r, app, 400, NULL, err);
	rc = score_board_set(app->db, e.id, (enum board_action)k, r->session->user, token,
	    &replayed);
	if (rc == DB_CONFLICT)
		return admin_board(r, app, 409, NULL, "The leaderboard changed meanwhile (frozen,"
		    " unfrozen or published by someone else): see its state below.");
	if (rc != DB_OK)
		return db_status(rc);
	return page_redirect(r, arena_printf(r->a, "/admin/events/%s/leaderboard?done=%s",
	    e.slug, board_action_names[k]));
}

/* Answer the API with {"error": message} and status. Returns status. */
static int api_error(struct req *r, int status, const char *message)
{
	struct tpl_dict *d = tpl_dict_new(r->a);

	tpl_set(tpl_section(d, "ERROR"), "MESSAGE", message);
	if (page_data(r, "score.json.tpl", d, "application/json") != 200)
		return 500;
	return status;
}

/* What the API says for each refusal of score_submit(). */
static const char *refusal(enum db_rc rc)
{
	switch (rc) {
	case DB_NOTFOUND:
		return "no such entry in this competition";
	case DB_CONFLICT:
		return "that round already has a score: correct it on the admin page";
	case DB_CLOSED:
		return "no score possible: the competition is closed, the entry is not"
		    " confirmed, or it has all its rounds";
	default:
		return "the value is out of range";
	}
}

/* The competition the API request is for (score_key's answer() context). */
struct api_ctx {
	const struct competition *c;
};

/* Render the answer the key keeps: the score and its entry, or the refusal. */
static int api_answer(void *ctx, struct arena *a, enum db_rc rc,
    const struct score_outcome *out, const char **response)
{
	const struct competition *c = ((const struct api_ctx *)ctx)->c;
	struct tpl_dict *d = tpl_dict_new(a), *ok;
	size_t len;

	if (rc == DB_OK) {
		ok = tpl_section(d, "OK");
		tpl_set_int(ok, "ID", out->score_id);
		tpl_set_int(ok, "ENTRY", out->entry_id);
		tpl_set_int(ok, "ROUND", out->round);
		tpl_set(ok, "VALUE", score_format(a, c->kind, out->value));
		tpl_set_int(ok, "SCORES", out->scores);
		tpl_set(ok, "TOTAL", score_format(a, c->kind, out->total));
		tpl_set(ok, "BEST", score_format(a, c->kind, out->best));
	} else {
		tpl_set(tpl_section(d, "ERROR"), "MESSAGE", refusal(rc));
	}
	*response = tpl_render(a, "score.json.tpl", d, &len);
	if (*response == NULL)
		*response = "{\"error\":\"internal error\"}";
	return rc == DB_OK ? 201 : db_status(rc);
}

/* An Idempotency-Key: 1 to SCORE_KEY_MAX printable ASCII characters. */
static int key_valid(const char *k)
{
	size_t n = k != NULL ? strlen(k) : 0, i;

	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return n >= 1 && n <= SCORE_KEY_MAX;
}

/*
 * The API body's fields into in: "entry" or "bib" (exactly one), "value"
 * (a string or number as score_parse() takes it), optional "round".
 * Returns NULL or what is wrong.
 */
static const char *api_fields(struct req *r, const struct competition *c,
    struct score_input *in)
{
	struct json_pair *p;
	const char *err, *value = NULL;
	int n, i;
	int64_t v;

	if ((err = json_flat_parse(r->a, r->json, r->json_len, &p, &n)) != NULL)
		return err;
	for (i = 0; i < n; i++) {
		if (strcmp(p[i].key, "value") == 0) {
			value = p[i].value;
			continue;
		}
		if (strcmp(p[i].key, "entry") != 0 && strcmp(p[i].key, "bib") != 0 &&
		    strcmp(p[i].key, "round") != 0)
			return arena_printf(r->a, "unknown field \"%.40s\"", p[i].key);
		if (p[i].is_string || field_id(p[i].value, &v) != NULL || v < 1 ||
		    v > (int64_t)1 << 40)
			return arena_printf(r->a, "\"%s\" must be a positive whole number",
			    p[i].key);
		if (p[i].key[0] == 'e')
			in->entry_id = v;
		else if (p[i].key[0] == 'b')
			in->bib = v;
		else if (v > SCORE_ROUNDS_MAX)
			return "\"round\" is out of range";
		else
			in->round = (int)v;
	}
	if ((in->entry_id != 0) == (in->bib != 0))
		return "give either \"entry\" or \"bib\"";
	if (value == NULL)
		return "\"value\" is missing";
	return score_parse(c->kind, value, &in->value);
}

int h_scores_api(struct req *r, struct app *app)
{
	struct score_input in = { .source = SCORE_API };
	struct score_outcome out;
	struct score_key key = { .token_id = 0 };
	struct competition c;
	struct api_ctx ctx = { &c };
	const char *bearer = r->authorization, *label, *err;
	struct event e;
	enum db_rc rc;
	int status;

	if ((status = competition_load(r, app, 0, &e, &c)) != 0)
		return api_error(r, status, status == 404 ? "no such competition" :
		    "the database is busy or unavailable");
	if (strncmp(bearer, "Bearer ", 7) != 0 ||
	    (rc = score_token_check(app->db, r->a, e.id, bearer + 7, &key.token_id,
	    &label)) == DB_NOTFOUND) {
		req_header(r, "WWW-Authenticate", "Bearer realm=\"turnout\"");
		return api_error(r, 401, "a valid bearer token for this competition is"
		    " required (Authorization: Bearer ...)");
	}
	if (rc != DB_OK)
		return api_error(r, db_status(rc), "the database is busy or unavailable");
	if (!key_valid(r->idempotency_key))
		return api_error(r, 400, "an Idempotency-Key header (1 to 200 printable"
		    " characters) is required");
	if (r->json_len > API_BODY_MAX)
		return api_error(r, 413, "the body is larger than 1024 bytes");
	if ((err = api_fields(r, &c, &in)) != NULL)
		return api_error(r, 400, err);
	in.actor = arena_printf(r->a, "api:%s", label);
	key.key = r->idempotency_key;
	key.body = r->json;
	key.body_len = r->json_len;
	key.answer = api_answer;
	key.ctx = &ctx;
	if ((rc = score_submit(app->db, r->a, e.id, &in, NULL, &key, &out)) != DB_OK)
		return api_error(r, db_status(rc), "the database is busy or unavailable");
	if (key.mismatch)
		return api_error(r, 422, "this Idempotency-Key was used with another body");
	if (key.replayed)
		req_header(r, "Idempotent-Replayed", "true");
	r->body = (char *)key.response;
	r->body_len = strlen(key.response);
	r->content_type = "application/json";
	return key.status;
}
