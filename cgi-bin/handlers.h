#ifndef TURNOUT_HANDLERS_H
#define TURNOUT_HANDLERS_H

#include "app.h"
#include "event.h"
#include "potluck.h"
#include "tpl.h"

/*
 * Handlers: the request layer has validated encoding, the router the path
 * captures; a handler validates its fields, calls one domain function and
 * renders one page. Each returns the HTTP status.
 */
typedef int (*handler_fn)(struct req *r, struct app *app);

/*
 * Contracts: URL (route.c), fields, statuses. Every handler may also
 * answer 503 + Retry-After (database busy past busy_timeout_ms, or not
 * usable) and 500; route.c answers 404/405 before any handler, 303 to
 * /admin/login for admin pages without a session, and 403 for an admin
 * POST without the session's csrf field. A POST that worked answers 303
 * (Post/Redirect/Get); replaying its form_token answers the same 303 and
 * changes nothing. Refusals show the form again with what was wrong.
 */

/* GET /: upcoming published events. 200. */
int h_home(struct req *r, struct app *app);
/* GET /healthz: 200 "ok" when a page could be served, else 503 saying why. */
int h_healthz(struct req *r, struct app *app);
int h_metrics(struct req *r, struct app *app);
/* GET /events/{slug}: the event page and its RSVP form. 200; 404 (drafts too). */
int h_event(struct req *r, struct app *app);
/* GET /events/{slug}/live: auto-refreshing counts and sheet. 200; 404. */
int h_event_live(struct req *r, struct app *app);
/* GET /events/{slug}/status.json: counts, with ETag. 200; 304; 404. */
int h_event_status(struct req *r, struct app *app);
/* GET /events/{slug}/waitlist: the queue, initials only. 200; 404. */
int h_event_waitlist(struct req *r, struct app *app);
/* GET /events/{slug}/items.json: the potluck sheet's numbers, with ETag. 200; 304; 404. */
int h_event_items(struct req *r, struct app *app);
/*
 * GET /events/{slug}/items/{item}: everyone who pledged the item, a page
 * of POTLUCK_PLEDGERS_PAGE at a time (?from=<pledge id>, the list's start
 * if malformed). 200; 404 (no such item at this event).
 */
int h_event_item(struct req *r, struct app *app);
/*
 * POST /events/{slug}/rsvp: name, email, guests, note, form_token, and
 * item_<id> / version_<id> pledges. 303 to /rsvp/{token}; 400 bad field;
 * 404; 409 e-mail already signed up, or a pledge that no longer fits;
 * 422 closed, or a party larger than the capacity.
 */
int h_rsvp_create(struct req *r, struct app *app);
/* GET /rsvp/{token}: status, position, edit and cancel forms, pledges. 200; 404. */
int h_rsvp_show(struct req *r, struct app *app);
/*
 * POST /rsvp/{token}: form_token and action=update (guests, note),
 * cancel, or pledge (item, version, quantity). 303 back to the page;
 * 400 bad field or action; 404; 409 stale or over-capped pledge; 422
 * no room for more guests, or the RSVP can no longer change.
 */
int h_rsvp_change(struct req *r, struct app *app);
/*
 * POST /events/{slug}/resend: email, form_token. 200 with the same
 * answer whether or not the address has an RSVP; 400; 404.
 */
int h_rsvp_resend(struct req *r, struct app *app);
/*
 * GET /me: the "my sign-ups" form (email); ?done=sent: "if that address
 * has sign-ups, a link is on its way"; ?done=revoked: the form, saying so. 200.
 */
int h_me(struct req *r, struct app *app);
/*
 * POST /me: email, form_token. 303 to /me?done=sent whether or not the
 * address has sign-ups (the link is only e-mailed); 400 bad address or
 * form token, the form shown again with the value typed.
 */
int h_me_request(struct req *r, struct app *app);
/*
 * GET /me/{token}: everything under the link's address across events,
 * each RSVP and hold with a button to its own page. 200; 404 unknown link;
 * 410 expired or revoked.
 */
int h_mine_show(struct req *r, struct app *app);
/*
 * POST /me/{token}: form_token and action=open (rsvp or hold: 303 to a
 * link of that RSVP or hold) or action=revoke (303 to /me?done=revoked,
 * also when already revoked). 400 bad action, field or form token; 404
 * unknown link or not its address's RSVP or hold; 410 expired or revoked.
 */
int h_mine_change(struct req *r, struct app *app);
/* GET /events/{slug}.ics: the event as iCalendar. 200; 404. */
int h_event_ics(struct req *r, struct app *app);
/*
 * POST /events/{slug}/hold (a drop): variant, quantity (1 ... the
 * per-person limit; absent: 1), name, email, form_token. 303 to
 * /holds/{hold} (also for an address that has a live hold: that one);
 * 400 bad field or a variant of no item of this drop; 404 (no drop);
 * 409 sold out or all held, or the per-person limit reached; 422 not
 * open yet or closed.
 */
int h_drop_hold(struct req *r, struct app *app);
/* GET /events/{slug}/stock.json: per variant stock, available, held, claimed; ETag. 200; 304; 404. */
int h_drop_stock(struct req *r, struct app *app);
/* GET /holds/{hold}: the hold, its expiry instant, claim and let-go forms. 200; 404. */
int h_hold_show(struct req *r, struct app *app);
/*
 * POST /holds/{hold}: form_token and action=claim or release. 303 back
 * to the page (also for a claim of a claimed hold); 400 bad action or
 * form token; 404; 409 letting a claim go, or a claim after the stock was
 * lowered below it; 422 a claim after the hold ran out or was let go.
 */
int h_hold_change(struct req *r, struct app *app);
/* GET /admin/events/{slug}/drop: settings, items, stock, holds and claims. 200; 404. */
int h_admin_drop(struct req *r, struct app *app);
/*
 * POST /admin/events/{slug}/drop: action=settings (per_person,
 * hold_seconds, renewals, pickup; makes the event a drop), item (name,
 * price, description), variant (id of the item, name, stock), stock (id
 * of the variant, stock), picked_up, paid or cancel (hold). 303 back;
 * 400 bad field; 404; 409 a stock below what is claimed; 422 marking or
 * cancelling what is not a claim.
 */
int h_admin_drop_change(struct req *r, struct app *app);
/* GET /admin/events/{slug}/claims.csv: the claims by number. 200; 404 (no drop). */
int h_admin_claims_csv(struct req *r, struct app *app);
/* GET /admin/login: the login form. 200. */
int h_admin_login_form(struct req *r, struct app *app);
/*
 * POST /admin/login: name, password, form_token. 303 to /admin with the
 * session cookie; 400 bad form; 403 wrong name or password, or throttled.
 */
int h_admin_login(struct req *r, struct app *app);
/* POST /admin/logout: ends the session. 303 to /admin/login. */
int h_admin_logout(struct req *r, struct app *app);
/* GET /admin: the dashboard. 200. */
int h_admin_home(struct req *r, struct app *app);
/* GET /admin/events/new, /admin/events/{slug}/edit: the event editor. 200; 404. */
int h_admin_event_new_form(struct req *r, struct app *app);
int h_admin_event_edit_form(struct req *r, struct app *app);
/*
 * POST /admin/events/new, /admin/events/{slug}/edit: the editor's fields,
 * form_token, and edit_version (edit). 303 to the editor; 400 bad field
 * or slug taken; 404; 409 another admin saved meanwhile (both shown).
 */
int h_admin_event_create(struct req *r, struct app *app);
int h_admin_event_update(struct req *r, struct app *app);
/* GET /admin/events/{slug}/rsvps: participants, q to search. 200; 404. */
int h_admin_rsvps(struct req *r, struct app *app);
/*
 * POST /admin/events/{slug}/rsvps: action=add (name, email, guests, note,
 * form_token), bulk (lines, form_token), check-in / confirm / cancel ...
 * (rsvp), or the ticked rows. 303 back; 200 a bulk add's report; 400; 404;
 * 409 e-mail taken; 422 does not fit, or not possible in its status.
 */
int h_admin_rsvps_change(struct req *r, struct app *app);
/* GET /admin/events/{slug}/rsvps.csv: every participant. 200; 404. */
int h_admin_rsvps_csv(struct req *r, struct app *app);
/*
 * GET /admin/events/{slug}/door: door mode, the confirmed parties by name
 * (q: a search), each with a check-in button, and "checked in N of M". 200; 404.
 */
int h_admin_door(struct req *r, struct app *app);
/*
 * POST /admin/events/{slug}/door: action=checkin or uncheckin, rsvp (id),
 * q kept. 303 back at the row; a repeat is 303 too (changes nothing);
 * 400 bad action or id; 404 no such RSVP here; 422 not confirmed.
 */
int h_admin_door_change(struct req *r, struct app *app);
/*
 * GET /admin/events/{slug}/stats: conversion and waitlist figures; for a
 * competition its score log (entry: one entrant's history). 200; 404.
 */
int h_admin_stats(struct req *r, struct app *app);
/* GET /admin/events/{slug}/items: the potluck items editor. 200; 404. */
int h_admin_items(struct req *r, struct app *app);
/*
 * POST /admin/events/{slug}/items: action=add (name, category, suggested,
 * unit, capped, form_token), edit, up, down, remove (item, version,
 * confirm). 303 back; 200 remove's confirmation; 400; 404; 409 the item
 * changed meanwhile; 422 sheet full, or capped below what is pledged.
 */
int h_admin_items_change(struct req *r, struct app *app);
/* GET /admin/events/{slug}/items.csv: one row per pledge. 200; 404. */
int h_admin_items_csv(struct req *r, struct app *app);
/* GET /admin/outbox: counts and dead letters. 200. */
int h_admin_outbox(struct req *r, struct app *app);
/*
 * POST /admin/outbox: action=retry / discard (id, or all with confirm).
 * 303 back; 200 the confirmation step; 400.
 */
int h_admin_outbox_change(struct req *r, struct app *app);

/* GET /events/{slug}/leaderboard: every division's board, refreshing. 200; 404. */
int h_leaderboard(struct req *r, struct app *app);
/* GET /events/{slug}/leaderboard.json: the boards, with ETag. 200; 304; 404. */
int h_leaderboard_json(struct req *r, struct app *app);
/*
 * POST /api/events/{slug}/scores: a JSON object {"entry": id | "bib": n,
 * "value": "4:05.3" | 12.5, "round": n (optional)} of at most 1024 bytes,
 * with "Authorization: Bearer <token>" (made on the admin page for this
 * competition) and an Idempotency-Key header. Answers JSON: 201 the score
 * and its entry's count, total and best; 400 bad JSON, field or value, or
 * no Idempotency-Key; 401 no valid token (a revoked one too); 404 no such
 * competition or entry; 409 that round has a score; 413 body too large;
 * 415 not application/json; 422 closed, entry not confirmed, past its
 * rounds, or the Idempotency-Key was used with another body. The same key
 * with the same body within 24 h answers the first answer again (status
 * and body, header Idempotent-Replayed: true) and changes nothing; that
 * holds for 201, 404, 409 and 422 answers, not for 400/401/413/415 (the
 * request never reached the rules) nor 503.
 */
int h_scores_api(struct req *r, struct app *app);
/*
 * The top five of each division of c's leaderboard into the LEADERBOARD
 * section of d. Returns 0 or an error status.
 */
struct competition;
/*
 * Load the event named by the first capture (as admin_event_load() or,
 * admin 0, event_load_public()) and its competition. Returns 0, or the
 * status (404 for an event that is no competition).
 */
int competition_load(struct req *r, struct app *app, int admin, struct event *e,
    struct competition *c);
int compete_top(struct req *r, struct app *app, struct tpl_dict *d,
    const struct competition *c);

/* GET /admin/events/{slug}/competition: the competition's settings (or none yet). 200; 404. */
int h_admin_competition(struct req *r, struct app *app);
/*
 * POST /admin/events/{slug}/competition (admins and organisers):
 * action=rules (kind, rule, unit, rounds, self_scoring: makes the event a
 * competition), close, reopen, deadline (rsvp_closes, edit_version),
 * division_add (name), division_rename (id, name), division_remove (id).
 * 303 back; 400 bad field; 404; 409 the scores fix that rule, the
 * division has entries or the name is taken, or the event changed.
 */
int h_admin_competition_change(struct req *r, struct app *app);
/* GET /admin/accounts (admins only): every account, its role, last login, assignments. 200. */
int h_admin_accounts(struct req *r, struct app *app);
/*
 * POST /admin/accounts (admins only): action=add (name, role, password,
 * form_token), role (name, role), assign and unassign (name, slug),
 * disable, enable, remove (name, confirm=1). 303 back; 400 bad field or
 * a change to the admin's own account that would lock them out; 404 no
 * such account; 409 name taken, or no admin who can log in would be left.
 */
int h_admin_accounts_change(struct req *r, struct app *app);
/*
 * GET /admin/events/{slug}/leaderboard (organisers and its scorekeepers):
 * the live board, the public board's state, freeze and publish buttons
 * (not for scorekeepers) and who froze and published it. 200; 404.
 */
int h_admin_leaderboard(struct req *r, struct app *app);
/*
 * POST /admin/events/{slug}/leaderboard (admins and organisers):
 * action=freeze, unfreeze or publish with form_token. 303 back; 400;
 * 404; 409 the board is not in a state the action starts from.
 */
int h_admin_leaderboard_change(struct req *r, struct app *app);
/* GET /admin/competitions: the competitions (a scorekeeper's: theirs). 200. */
int h_admin_competitions(struct req *r, struct app *app);
/* GET /admin/events/{slug}/scores: search (q), score forms, latest scores. 200; 404. */
int h_admin_scores(struct req *r, struct app *app);
/*
 * POST /admin/events/{slug}/scores: action=score (entry, value, round,
 * form_token) or void (score, reason, value: a correction, form_token).
 * 303 back; 400 bad field; 404 no such entry or score; 409 that round
 * has a score; 422 closed, entry not confirmed, rounds used, voided.
 */
int h_admin_scores_change(struct req *r, struct app *app);
/* GET /admin/events/{slug}/scores.csv: every score, voided ones too. 200; 404. */
int h_admin_scores_csv(struct req *r, struct app *app);
/*
 * POST /admin/events/{slug}/api-tokens (admins and organisers): action=new
 * (label, form_token): 200 with the token shown once; revoke (id): 303.
 * 400; 404.
 */
int h_admin_api_tokens(struct req *r, struct app *app);

/* What the visitor typed into the RSVP form, to show it again. */
struct rsvp_form {
	const char *name, *email, *note;
	struct page_errors *errors;	/* what is wrong, field by field */
	int guests;
	const char *display;		/* a competition's: the name on the leaderboard */
	int64_t division_id;
	/* A refused pledge (DB_FULL or DB_CONFLICT with its outcome), or 0. */
	enum db_rc pledge_rc;
	const struct rsvp_outcome *pledge_out;
	int offer_resend;	/* the address has an RSVP: offer "e-mail me my link" */
};

/* What the visitor typed into a drop's hold form, to show it again. */
struct drop_form {
	const char *name, *email, *error;
	int64_t variant_id;
};

/*
 * The page of the drop at e (event_page() sends drops here): items with
 * their numbers and the hold form (filled from form if not NULL), a
 * countdown before the opening. Returns status, 404 if e is no drop.
 */
int drop_page(struct req *r, struct app *app, const struct event *e, int status,
    const struct drop_form *form);

/* The live page of the drop at e: numbers, activity feed, top claimers. */
int drop_live(struct req *r, struct app *app, const struct event *e);

/* The event page with its RSVP form (filled from form if not NULL). */
int event_page(struct req *r, struct app *app, const struct event *e, int status,
    const struct rsvp_form *form);

struct page;
/*
 * Start an admin page (r->session set): the layout's admin bar with the
 * admin's name and logout button, and CSRF in the body for its forms.
 */
void admin_page_begin(struct page *p, struct req *r, struct app *app, const char *title,
    const char *file);

/*
 * Load the event named by the first path capture for an admin page,
 * whatever its status. Returns 0, or the status to answer.
 */
int admin_event_load(struct req *r, struct app *app, struct event *e);

/*
 * An event's admin page with several forms told apart by `action` (drop,
 * competition): apply() parses the form and makes its one change (NULL
 * and *rc, or what was wrong with the form: 400); refusal() words a
 * refused change (NULL: no page, just the status); show() renders the
 * page with a status and a message. A change done redirects to
 * /admin/events/SLUG/PAGE?done=ACTION.
 */
struct admin_event_form {
	const char *page;
	const char *(*apply)(struct req *r, struct app *app, const struct event *e,
	    const char *action, enum db_rc *rc);
	const char *(*refusal)(struct req *r, struct app *app, const struct event *e,
	    enum db_rc rc, const char *action);
	int (*show)(struct req *r, struct app *app, const struct event *e, int status,
	    const char *error);
};
/* GET of such a page (200), and its POST: the action applied, the answer. */
int admin_event_form_get(struct req *r, struct app *app, const struct admin_event_form *f);
int admin_event_form_post(struct req *r, struct app *app, const struct admin_event_form *f);

struct csv;
/*
 * Answer with the file c as an attachment named filename (no quotes or
 * line breaks in it). Returns 200.
 */
int admin_csv_send(struct req *r, const struct csv *c, const char *filename);
/*
 * The same for a file too long to hold: stream (see struct req) writes it
 * after the headers, with arg in r->stream_arg. Returns 200.
 */
int admin_csv_stream(struct req *r, const char *filename,
    int (*stream)(struct req *r, void (*put)(void *sink, const char *s, size_t n), void *sink),
    void *arg);

/*
 * Load the event named by the first path capture for a public page.
 * Returns 0, or the status to answer (drafts do not exist for visitors).
 */
int event_load_public(struct req *r, struct app *app, struct event *e);

struct page_errors;
/*
 * The sheet's fields: the manage page's pledge forms, one per item, or
 * (token NULL) the RSVP form's quantity field on each item's card.
 */
struct sheet_forms {
	const char *token;		/* the manage token; NULL: the RSVP form's fields */
	int64_t item_id;		/* the item that gets notice, and quantity as typed */
	const char *quantity;		/* NULL: the stored one */
	const char *notice;		/* what became of its pledge; NULL: nothing */
	int notice_warn;		/* notice is a refusal: the field is marked too */
	const struct req *r;		/* the RSVP form's values to show again, or NULL */
};

/*
 * Include the potluck sheet (sheet.tpl) of event slug at {{>SHEET}} of d:
 * still needed, items by category with bars and their first pledgers (a
 * link to each item's full list), and with forms != NULL their fields
 * (struct sheet_forms). Nothing when the event has no items.
 */
void sheet_fill(struct tpl_dict *d, struct arena *a, const char *slug, const struct item *items,
    int n, const struct sheet_forms *forms);

/*
 * The values an item shows everywhere, into d: ID, NAME, the UNIT section,
 * PLEDGED, SUGGESTED, NEED_LABEL, VERSION and MAX (the most a visitor may
 * pledge).
 */
void sheet_item_values(struct tpl_dict *d, struct arena *a, const struct item *it);


/* A category as the sheet heads it: "Food", "Drinks"... */
const char *sheet_category_label(enum item_category c);

/* "What I'm bringing": the BRINGING section of d; 0 if nothing is pledged. */
int sheet_bringing(struct tpl_dict *d, struct arena *a, const struct item *items, int n);

/*
 * The RSVP form's item_<id> / version_<id> fields as pledges (quantity 0
 * left out), allocated in r's arena. NULL, or what was wrong with the
 * item *bad (0: not one item).
 */
const char *sheet_parse_fields(struct req *r, struct pledge_input **out, int *n,
    int64_t *bad);

/* Why a pledge was refused (rc DB_FULL or DB_CONFLICT), naming the item. */
const char *sheet_refusal(struct arena *a, const struct item *items, int n,
    enum db_rc rc, const struct rsvp_outcome *out);

#endif
