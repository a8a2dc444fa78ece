/*
 * The outbox page: e-mails by state, the dead letters with their errors,
 * and the admin's buttons to send them again or give up on them, one or
 * all. Discarding all asks first: nothing brings a discarded e-mail back.
 */
#include <string.h>

#include "fields.h"
#include "handlers.h"
#include "outbox.h"
#include "page.h"
#include "tz.h"

/* The states in the page's order, each explained for an organiser. */
static const struct {
	enum outbox_state state;
	const char *meaning;
} states[OUTBOX__MAX] = {
	{ OUTBOX_PENDING, "waiting to be sent, or to be tried again after a failure" },
	{ OUTBOX_SENDING, "being handed to the mail server right now" },
	{ OUTBOX_SENT, "accepted by the mail server" },
	{ OUTBOX_DEAD, "could not be delivered: see below" },
	{ OUTBOX_DISCARDED, "given up on by an admin; never sent" },
};

/* The page's actions; `asks` when id=all needs confirm=yes first. */
static const struct {
	const char *name, *done;
	enum db_rc (*fn)(struct db *db, int64_t id, int *n);
	int asks;
} actions[] = {
	{ "retry", "queued again for sending", outbox_retry, 0 },
	{ "discard", "discarded", outbox_discard, 1 },
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

struct outbox_view {
	const char *done, *error;
	int confirm_all;	/* ask before discarding every dead letter */
};

/*
 * The message after an action (?done=ACTION&n=COUNT, or done=none), in
 * r's arena; NULL for anything else. Made from fixed text and the parsed
 * count only, never from the query itself.
 */
static const char *done_message(struct req *r)
{
	const char *done = field_get(r, F_DONE);
	int64_t n;
	size_t i;

	if (done != NULL && strcmp(done, "none") == 0)
		return "Nothing to do: already retried or discarded.";
	for (i = 0; done != NULL && i < NACTIONS; i++)
		if (strcmp(done, actions[i].name) == 0)
			break;
	if (done == NULL || i == NACTIONS ||
	    field_number(r->a, field_get(r, F_N), 999999999, 0, "count", &n) != NULL || n < 1)
		return NULL;
	return arena_printf(r->a, "%lld e-mail%s %s.", (long long)n, n == 1 ? "" : "s",
	    actions[i].done);
}

static void dead_row(struct tpl_dict *d, struct arena *a, const struct outbox_dead *m)
{
	tpl_set_int(d, "ID", m->id);
	tpl_set(d, "CREATED", tz_human(a, m->created_at));
	tpl_set(d, "CREATED_ISO", tz_iso(a, m->created_at));
	tpl_set(d, "KIND", m->kind);
	tpl_set(d, "RECIPIENT", m->recipient);
	if (*m->event_slug != '\0')	/* "my sign-ups" links and alerts are about no event */
		tpl_set(tpl_section(d, "EVENT"), "SLUG", m->event_slug);
	else if (strcmp(m->kind, "alert") == 0)
		tpl_show(d, "ADMINS");	/* about the site, to its admins */
	tpl_set_int(d, "ATTEMPTS", m->attempts);
	tpl_set(d, "ERROR", m->error);
}

static int outbox_page(struct req *r, struct app *app, int status,
    const struct outbox_view *v)
{
	int64_t counts[OUTBOX__MAX];
	struct outbox_dead *dead;
	struct tpl_dict *d;
	struct page p;
	enum db_rc rc;
	int i, n;

	if ((rc = outbox_counts(app->db, counts)) != DB_OK ||
	    (rc = outbox_dead_list(app->db, r->a, &dead, &n)) != DB_OK)
		return db_status(rc);
	admin_page_begin(&p, r, app, "Outbox", "admin_outbox.tpl");
	for (i = 0; i < OUTBOX__MAX; i++) {
		d = tpl_section(p.body, "STATE");
		tpl_set(d, "NAME", outbox_state_name(states[i].state));
		tpl_set_int(d, "COUNT", counts[states[i].state]);
		tpl_set(d, "MEANING", states[i].meaning);
	}
	if (n == 0) {
		tpl_show(p.body, "NO_DEAD");
	} else {
		d = tpl_section(p.body, "DEAD_LIST");
		for (i = 0; i < n; i++)
			dead_row(tpl_section(d, "DEAD"), r->a, &dead[i]);
		if (v->confirm_all)
			tpl_set_int(tpl_section(p.body, "CONFIRM_ALL"), "COUNT",
			    counts[OUTBOX_DEAD]);
	}
	/* Retry all and discard all reach the ones past the list's end too. */
	if (counts[OUTBOX_DEAD] > n) {
		d = tpl_section(p.body, "MORE");
		tpl_set_int(d, "SHOWN", n);
		tpl_set_int(d, "TOTAL", counts[OUTBOX_DEAD]);
	}
	if (v->done != NULL)
		tpl_set(tpl_section(p.body, "DONE"), "MESSAGE", v->done);
	if (v->error != NULL)
		tpl_set(tpl_section(p.body, "ERROR"), "MESSAGE", v->error);
	return page_end(&p, r, status);
}

int h_admin_outbox(struct req *r, struct app *app)
{
	struct outbox_view v = { .done = done_message(r) };

	return outbox_page(r, app, 200, &v);
}

int h_admin_outbox_change(struct req *r, struct app *app)
{
	const char *action = field_get(r, F_ACTION), *id_text = field_get(r, F_ID);
	const char *confirm = field_get(r, F_CONFIRM);
	struct outbox_view v = { 0 };
	int64_t id = 0;
	enum db_rc rc;
	size_t i;
	int n;

	for (i = 0; action != NULL && i < NACTIONS; i++)
		if (strcmp(action, actions[i].name) == 0)
			break;
	if (action == NULL || i == NACTIONS) {
		v.error = "Unknown action: use the buttons on this page. Nothing was changed.";
		return outbox_page(r, app, 400, &v);
	}
	/* id 0 means "all" to the domain: only the word "all" may ask for it. */
	if (id_text == NULL || (strcmp(id_text, "all") != 0 &&
	    (field_id(id_text, &id) != NULL || id == 0))) {
		v.error = "Which e-mail? The id must be a whole number from 1 up, or \"all\"."
		    " Nothing was changed.";
		return outbox_page(r, app, 400, &v);
	}
	if (id == 0 && actions[i].asks && (confirm == NULL || strcmp(confirm, "yes") != 0)) {
		v.confirm_all = 1;
		return outbox_page(r, app, 200, &v);
	}
	/* A second click on the same button finds nothing left to change. */
	if ((rc = actions[i].fn(app->db, id, &n)) == DB_NOTFOUND)
		return page_redirect(r, "/admin/outbox?done=none");
	if (rc != DB_OK)
		return db_status(rc);
	return page_redirect(r, arena_printf(r->a, "/admin/outbox?done=%s&n=%d", actions[i].name,
	    n));
}
