/*
 * Accounts (admins only: RF_ADMIN_ROLE): every account with its role and
 * last login; add one, change a role, assign a scorekeeper to
 * competitions, disable or remove an account (its sessions end at once).
 * The same domain functions as turnout-admin user; the database keeps the
 * last admin who can log in, and no admin locks themself out here.
 */
#include <string.h>

#include "admin_user.h"
#include "clock.h"
#include "event.h"
#include "fields.h"
#include "handlers.h"
#include "page.h"
#include "score.h"
#include "session.h"
#include "tz.h"

#define ACCOUNT_PURPOSE "account"

/* What the page says after a change (?done=NAME): fixed texts only. */
static const struct {
	const char *name, *message;
} results[] = {
	{ "add", "Account added: give its name and password to its owner." },
	{ "role", "Role changed: it applies from the account's next page." },
	{ "assign", "Assigned: the account keeps the scores of that competition." },
	{ "unassign", "Unassigned." },
	{ "disable", "Account disabled: it is logged out everywhere and cannot log in." },
	{ "enable", "Account enabled: it can log in again." },
	{ "remove", "Account removed: it is logged out everywhere." },
};

/* The form's values to show again after a refused add. */
struct account_view {
	const char *error, *name;
	int role;
};

/* One <option> per role, role marked. */
static void role_options(struct tpl_dict *d, int role)
{
	struct tpl_dict *o;
	int i;

	for (i = 0; i < ADMIN_ROLE__MAX; i++) {
		o = tpl_section(d, "ROLE_OPTION");
		tpl_set(o, "VALUE", admin_role_names[i]);
		if (i == role)
			tpl_show(o, "SELECTED");
	}
}

static int accounts_page(struct req *r, struct app *app, int status,
    const struct account_view *v)
{
	char form_token[TOKEN_FORM_HEX + 1];
	const char *done = field_get(r, F_DONE);
	struct admin_assignment *as;
	struct admin_user *list;
	struct event *comps;
	struct tpl_dict *d, *k;
	struct page p;
	enum db_rc rc;
	int i, j, n, nas, ncomps;
	size_t m;

	if ((rc = admin_user_list(app->db, r->a, &list, &n)) != DB_OK ||
	    (rc = admin_user_assignments(app->db, r->a, &as, &nas)) != DB_OK ||
	    (rc = score_competitions(app->db, r->a, 0, &comps, &ncomps)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, "Accounts", "admin_accounts.tpl");
	for (m = 0; done != NULL && m < sizeof(results) / sizeof(results[0]); m++)
		if (strcmp(done, results[m].name) == 0)
			tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", results[m].message);
	if (v->error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", v->error);
	for (i = 0; i < n; i++) {
		d = tpl_section(p.body, "ACCOUNT");
		tpl_set(d, "NAME", list[i].name);
		tpl_set(d, "ROLE", admin_role_names[list[i].role]);
		tpl_set(d, "CREATED", tz_human(r->a, list[i].created_at));
		tpl_set(d, "LAST_LOGIN", list[i].last_login_at != 0 ?
		    tz_human(r->a, list[i].last_login_at) : "never");
		tpl_set_int(d, "SESSIONS", list[i].sessions);
		role_options(d, list[i].role);
		/* No admin disables or removes themself here. */
		if (strcmp(list[i].name, r->session->user) == 0)
			tpl_show(d, "YOU");
		else
			tpl_show(d, "OTHER");
		if (list[i].disabled_at != 0)
			tpl_set(tpl_section(d, "DISABLED"), "WHEN",
			    tz_human(r->a, list[i].disabled_at));
		else if (strcmp(list[i].name, r->session->user) != 0)
			tpl_show(d, "ENABLED");
		if (list[i].role != ADMIN_ROLE_SCOREKEEPER)
			continue;
		k = tpl_section(d, "KEEPER");
		for (j = 0; j < nas; j++)
			if (strcmp(as[j].user, list[i].name) == 0) {
				struct tpl_dict *c = tpl_section(k, "ASSIGNED");

				tpl_set(c, "SLUG", as[j].slug);
				tpl_set(c, "TITLE", as[j].title);
			}
		for (j = 0; j < ncomps; j++) {
			struct tpl_dict *c = tpl_section(k, "COMPETITION");

			tpl_set(c, "SLUG", comps[j].slug);
			tpl_set(c, "TITLE", comps[j].title);
		}
		if (ncomps == 0)
			tpl_show(k, "NO_COMPETITIONS");
	}
	/* The add form: one token, so a double click adds once. */
	token_form_new(form_token, clock_now(), ACCOUNT_PURPOSE);
	tpl_set(p.body, "FORM_TOKEN", form_token);
	tpl_set(p.body, "NEW_NAME", v->name != NULL ? v->name : "");
	role_options(tpl_section(p.body, "NEW"), v->role);
	tpl_set_int(p.body, "PASSWORD_MIN", ADMIN_PASSWORD_MIN);
	return page_end(&p, r, status);
}

int h_admin_accounts(struct req *r, struct app *app)
{
	struct account_view v = { .role = ADMIN_ROLE_ORGANISER };

	return accounts_page(r, app, 200, &v);
}

/* The role named by the form into *role; NULL or a message. */
static const char *role_of_form(struct req *r, int *role)
{
	const char *v = field_get(r, F_ROLE);
	int i;

	for (i = 0; v != NULL && i < ADMIN_ROLE__MAX; i++)
		if (strcmp(v, admin_role_names[i]) == 0) {
			*role = i;
			return NULL;
		}
	return "Please choose a role: admin, organiser or scorekeeper.";
}

/* Add an account from the form; *rc, or what was wrong with it. */
static const char *add(struct req *r, struct app *app, struct account_view *v, enum db_rc *rc)
{
	const char *password = field_get(r, F_PASSWORD), *token = field_get(r, F_FORM_TOKEN);
	const char *err;
	int replayed;

	v->name = field_get(r, F_NAME);
	if ((err = field_form_token(token, ACCOUNT_PURPOSE)) != NULL ||
	    (err = role_of_form(r, &v->role)) != NULL)
		return err;
	if (v->name == NULL || !admin_user_name_valid(v->name))
		return "A name is 1 to 64 of a-z, 0-9, '.', '_' and '-' (it is typed to log in).";
	if (password == NULL || (err = admin_user_password_problem(password)) != NULL)
		return arena_printf(r->a, "The password is refused: %s.",
		    password == NULL ? "please give one" : err);
	*rc = admin_user_add(app->db, v->name, password, (enum admin_role)v->role, token,
	    &replayed);
	return NULL;
}

/*
 * A change to the account named in the form; *rc, or what was wrong. No
 * admin demotes, disables or removes themself here: another admin can.
 */
static const char *change(struct req *r, struct app *app, const char *action, enum db_rc *rc)
{
	const char *name = field_get(r, F_NAME), *slug = field_get(r, F_SLUG), *err;
	int self, role = ADMIN_ROLE_ADMIN;
	struct competition c;
	struct event e;

	if (name == NULL || !admin_user_name_valid(name))
		return "That is no account name (reload the page).";
	self = strcmp(name, r->session->user) == 0;
	if (strcmp(action, "role") == 0) {
		if ((err = role_of_form(r, &role)) != NULL)
			return err;
		if (self && role != ADMIN_ROLE_ADMIN)
			return "You cannot take away your own admin role: another admin can.";
		*rc = admin_user_set_role(app->db, name, (enum admin_role)role);
	} else if (strcmp(action, "assign") == 0 || strcmp(action, "unassign") == 0) {
		if (slug == NULL || !event_slug_valid(slug) ||
		    event_get(app->db, r->a, slug, &e) != DB_OK ||
		    score_competition(app->db, r->a, e.id, &c) != DB_OK)
			return "Please choose a competition from the list.";
		/* DB_NOTFOUND: assigned (or unassigned) already, a double click. */
		*rc = admin_user_assign(app->db, name, slug, strcmp(action, "assign") == 0);
		if (*rc == DB_NOTFOUND)
			*rc = DB_OK;
	} else if (strcmp(action, "enable") == 0) {
		*rc = admin_user_disable(app->db, name, 0);
	} else if (strcmp(action, "disable") == 0 || strcmp(action, "remove") == 0) {
		if (self)
			return "You cannot disable or remove your own account: another admin can.";
		if (strcmp(action, "disable") == 0)
			*rc = admin_user_disable(app->db, name, 1);
		else if (field_get(r, F_CONFIRM) == NULL || strcmp(field_get(r, F_CONFIRM), "1") != 0)
			return "Tick the box to confirm the removal (disabling keeps the account).";
		else
			*rc = admin_user_del(app->db, name);
	} else {
		return "Unknown action: use the buttons on this page.";
	}
	return NULL;
}

int h_admin_accounts_change(struct req *r, struct app *app)
{
	struct account_view v = { .role = ADMIN_ROLE_ORGANISER };
	const char *action = field_get(r, F_ACTION);
	enum db_rc rc = DB_OK;

	if (action == NULL)
		action = "";
	v.error = strcmp(action, "add") == 0 ? add(r, app, &v, &rc) : change(r, app, action, &rc);
	if (v.error != NULL)
		return accounts_page(r, app, 400, &v);
	switch (rc) {
	case DB_OK:
		return page_redirect(r, arena_printf(r->a, "/admin/accounts?done=%s", action));
	case DB_CONFLICT:
		v.error = strcmp(action, "add") == 0 ?
		    "There is already an account with that name: choose another." :
		    "That would leave no admin who can log in: make another account an admin"
		    " first.";
		return accounts_page(r, app, 409, &v);
	case DB_NOTFOUND:
		if (strcmp(action, "remove") == 0)	/* removed already: a double click */
			return page_redirect(r, "/admin/accounts?done=remove");
		v.error = "There is no such account (reload the page).";
		return accounts_page(r, app, 404, &v);
	default:
		return db_status(rc);
	}
}
