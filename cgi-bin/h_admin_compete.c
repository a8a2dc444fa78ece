/*
 * A competition's settings on the admin page (admins and organisers): make
 * an event a competition, its rules (score kind, ranking rule, unit,
 * rounds, self-scoring), the registration deadline, its divisions, and
 * scoring closed or open. Each form is one change through the domain
 * function turnout-admin uses too; what would make stored scores wrong is
 * refused with the reason, and nothing changes.
 */
#include <string.h>

#include "clock.h"
#include "event.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "score.h"
#include "session.h"
#include "tz.h"

/* What the page says after a change (?done=NAME): fixed texts only. */
static const struct {
	const char *name, *message;
} results[] = {
	{ "rules", "Rules saved: this event is a competition." },
	{ "close", "Scoring is closed: no more scores are taken." },
	{ "reopen", "Scoring is open again." },
	{ "deadline", "Registration deadline saved." },
	{ "division_add", "Division added." },
	{ "division_rename", "Division renamed." },
	{ "division_remove", "Division removed." },
};

/* One <option> per name of names[0..n), the one at selected marked. */
static void options(struct tpl_dict *d, const char *section, const char *const *names, int n,
    int selected)
{
	struct tpl_dict *o;
	int i;

	for (i = 0; i < n; i++) {
		o = tpl_section(d, section);
		tpl_set(o, "VALUE", names[i]);
		if (i == selected)
			tpl_show(o, "SELECTED");
	}
}

static int competition_page(struct req *r, struct app *app, const struct event *e,
    int status, const char *error)
{
	struct competition c = { .rounds = 1, .unit = "" };
	const char *done = field_get(r, F_DONE);
	int scored = 0, max_round = 0, is_comp;
	char when[TZ_LOCAL_LEN + 1] = "";
	struct tpl_dict *d;
	struct page p;
	enum db_rc rc;
	size_t k;
	int i;

	rc = score_competition(app->db, r->a, e->id, &c);
	if (rc != DB_OK && rc != DB_NOTFOUND)
		return db_status(rc);
	is_comp = rc == DB_OK;
	if (is_comp && (rc = score_usage(app->db, e->id, &scored, &max_round)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, arena_printf(r->a, "Competition: %s", e->title),
	    "admin_competition.tpl");
	tpl_set(p.body, "SLUG", e->slug);
	tpl_set(p.body, "TITLE", e->title);
	for (k = 0; done != NULL && k < sizeof(results) / sizeof(results[0]); k++)
		if (strcmp(done, results[k].name) == 0)
			tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", results[k].message);
	if (error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", error);
	if (e->kind != EVENT_RSVP) {
		tpl_show(p.body, "A_DROP");
		return page_end(&p, r, status);
	}
	d = tpl_section(p.body, "RULES");
	tpl_show(d, is_comp ? "SAVE" : "MAKE");
	if (!is_comp)
		tpl_show(p.body, "NOT_YET");
	if (scored) {
		/* Fixed by the scores: shown, not sent (the handler keeps them). */
		tpl_set(tpl_section(d, "FIXED"), "KIND", score_kind_names[c.kind]);
		tpl_set(tpl_section(d, "FIXED_RULE"), "RULE", score_rule_names[c.rule]);
		tpl_set(tpl_section(d, "FIXED_UNIT"), "UNIT", *c.unit != '\0' ? c.unit : "none");
	} else {
		options(tpl_section(d, "CHOOSE"), "KIND", score_kind_names, SCORE_KIND__MAX,
		    c.kind);
		options(tpl_section(d, "CHOOSE_RULE"), "RULE", score_rule_names, SCORE_RULE__MAX,
		    c.rule);
		tpl_set(tpl_section(d, "CHOOSE_UNIT"), "UNIT", c.unit);
	}
	tpl_set_int(d, "ROUNDS", c.rounds);
	tpl_set_int(d, "MIN_ROUNDS", max_round > 1 ? max_round : 1);
	if (max_round > 0)
		tpl_set_int(tpl_section(d, "ROUNDS_USED"), "ROUND", max_round);
	if (c.self_scoring)
		tpl_show(d, "SELF_SCORING");
	if (!is_comp)
		return page_end(&p, r, status);
	tpl_show(p.body, c.closed ? "CLOSED" : "OPEN");
	d = tpl_section(p.body, "COMPETITION");
	if (e->rsvp_closes_at != 0)
		tz_format_local(e->rsvp_closes_at, when);
	tpl_set(d, "CLOSES", when);
	tpl_set(d, "CLOSES_HUMAN", e->rsvp_closes_at != 0 ?
	    tz_human_zone(r->a, e->rsvp_closes_at, clock_now()) :
	    "not set: registration stays open");
	tpl_set_int(d, "EDIT_VERSION", e->edit_version);
	for (i = 0; i < c.ndivisions; i++) {
		struct tpl_dict *v = tpl_section(d, "DIVISION");

		tpl_set_int(v, "ID", c.divisions[i].id);
		tpl_set(v, "NAME", c.divisions[i].name);
	}
	if (c.ndivisions == 0)
		tpl_show(d, "NO_DIVISIONS");
	if (c.ndivisions < SCORE_DIVISIONS_MAX)
		tpl_show(d, "ADD_DIVISION");
	return page_end(&p, r, status);
}

/*
 * The index of field f's value in names[0..n) into *out; a missing field
 * keeps *out (a rule the scores fix is shown, not sent). NULL or a message.
 */
static const char *choice(struct req *r, enum field f, const char *const *names, int n,
    const char *what, int *out)
{
	const char *v = field_get(r, f);
	int i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return NULL;
		}
	return arena_printf(r->a, "Please choose a %s from the list.", what);
}

/* The rules form into c (the current rules, or defaults for a new competition). */
static const char *rules_of_form(struct req *r, struct competition *c)
{
	int kind = (int)c->kind, rule = (int)c->rule;
	const char *err, *unit = field_get(r, F_UNIT), *self = field_get(r, F_SELF_SCORING);
	int64_t rounds;

	if ((err = choice(r, F_KIND, score_kind_names, SCORE_KIND__MAX, "score kind",
	    &kind)) != NULL ||
	    (err = choice(r, F_RULE, score_rule_names, SCORE_RULE__MAX, "ranking rule",
	    &rule)) != NULL ||
	    (err = field_number(r->a, field_get(r, F_ROUNDS), SCORE_ROUNDS_MAX, -1, "rounds",
	    &rounds)) != NULL ||
	    (unit != NULL && (err = field_text(r->a, unit, 0, SCORE_UNIT_MAX, 1, "unit",
	    &c->unit)) != NULL))
		return err;
	if (rounds < 1)
		return arena_printf(r->a, "Rounds is a number from 1 to %d.", SCORE_ROUNDS_MAX);
	if (self != NULL && strcmp(self, "1") != 0)
		return "Self-scoring is a box to tick or not.";
	c->kind = (enum score_kind)kind;
	c->rule = (enum score_rule)rule;
	c->rounds = (int)rounds;
	c->self_scoring = self != NULL;
	return NULL;
}

/* Why rc refused action, in words; NULL for statuses without a page. */
static const char *refusal(struct req *r, struct app *app, const struct event *e,
    enum db_rc rc, const char *action)
{
	int scored = 0, max_round = 0;

	switch (rc) {
	case DB_CONFLICT:
		if (strcmp(action, "division_remove") == 0)
			return "That division has entries (perhaps cancelled ones), so it stays:"
			    " rename it instead.";
		if (strcmp(action, "division_rename") == 0)
			return "Another division already has that name.";
		if (strcmp(action, "deadline") == 0)
			return "Another admin changed this event meanwhile: reload the page and"
			    " set the deadline again.";
		if (score_usage(app->db, e->id, &scored, &max_round) != DB_OK)
			return NULL;
		return arena_printf(r->a, "Nothing is saved: this competition has scores, so"
		    " its score kind, ranking rule and unit can no longer change, and it"
		    " needs at least %d round(s) (the highest round scored).",
		    max_round > 1 ? max_round : 1);
	case DB_INVALID:
		return arena_printf(r->a, "A division name has 1 to %d characters, and a"
		    " competition at most %d divisions.", SCORE_DIVISION_MAX, SCORE_DIVISIONS_MAX);
	case DB_NOTFOUND:
		return "That division is not part of this competition (reload the page).";
	default:
		return NULL;
	}
}

/* The deadline form: the event as saved with the new closing time (event_save). */
static const char *set_deadline(struct req *r, struct app *app, const struct event *e,
    enum db_rc *rc)
{
	struct event in = *e, cur;
	const char *err;
	int64_t ver;

	if ((err = field_time(r->a, field_get(r, F_RSVP_CLOSES), 0, "registration deadline",
	    &in.rsvp_closes_at)) != NULL ||
	    (err = field_number(r->a, field_get(r, F_EDIT_VERSION), 999999999, -1, "version",
	    &ver)) != NULL)
		return err;
	if (ver < 0)
		return "The form was incomplete. Please reload the page and try again.";
	if (in.rsvp_opens_at != 0 && in.rsvp_closes_at != 0 &&
	    in.rsvp_closes_at <= in.rsvp_opens_at)
		return "Registration must close after it opens (see the event's settings).";
	in.edit_version = ver;
	*rc = event_save(app->db, r->a, e->slug, &in, NULL, r->session->user, &cur);
	return NULL;
}

/* Parse and apply one of the page's forms. NULL and *rc, or what was wrong. */
static const char *apply(struct req *r, struct app *app, const struct event *e,
    const char *action, enum db_rc *rc)
{
	struct competition c = { .rounds = 1, .unit = "" };
	const char *err, *name;
	int64_t id = 0;
	int is_comp;

	if ((*rc = score_competition(app->db, r->a, e->id, &c)) != DB_OK && *rc != DB_NOTFOUND)
		return NULL;
	is_comp = *rc == DB_OK;
	*rc = DB_OK;
	if (e->kind != EVENT_RSVP)
		return "A drop cannot be a competition: its sign-ups are holds.";
	if (strcmp(action, "rules") == 0) {
		if ((err = rules_of_form(r, &c)) != NULL)
			return err;
		*rc = score_setup(app->db, r->a, e->slug, &c, NULL, 0);
		return NULL;
	}
	if (!is_comp)
		return "Save the rules first: this event is no competition yet.";
	if (strcmp(action, "close") == 0 || strcmp(action, "reopen") == 0) {
		c.closed = strcmp(action, "close") == 0;
		*rc = score_setup(app->db, r->a, e->slug, &c, NULL, 0);
	} else if (strcmp(action, "deadline") == 0) {
		return set_deadline(r, app, e, rc);
	} else if (strcmp(action, "division_add") == 0 ||
	    strcmp(action, "division_rename") == 0) {
		if ((strcmp(action, "division_rename") == 0 &&
		    (err = field_id(field_get(r, F_ID), &id)) != NULL) ||
		    (err = field_text(r->a, field_get(r, F_NAME), 1, SCORE_DIVISION_MAX, 1,
		    "division name", &name)) != NULL)
			return err;
		*rc = id == 0 ? score_division_add(app->db, r->a, e->id, name) :
		    score_division_rename(app->db, e->id, id, name);
	} else if (strcmp(action, "division_remove") == 0) {
		if ((err = field_id(field_get(r, F_ID), &id)) != NULL)
			return err;
		/* Removed already: a double click. */
		if ((*rc = score_division_remove(app->db, e->id, id)) == DB_NOTFOUND)
			*rc = DB_OK;
	} else {
		return "Unknown action: use the buttons on this page.";
	}
	return NULL;
}

static const struct admin_event_form form = {
	"competition", apply, refusal, competition_page,
};

int h_admin_competition(struct req *r, struct app *app)
{
	return admin_event_form_get(r, app, &form);
}

int h_admin_competition_change(struct req *r, struct app *app)
{
	return admin_event_form_post(r, app, &form);
}
