#include <string.h>

#include "event.h"
#include "route.h"
#include "token.h"

/* The fields of the RSVP form, the event editor and the items editor. */
#define RSVP_FORM (FIELD(F_NAME) | FIELD(F_EMAIL) | FIELD(F_GUESTS) | FIELD(F_NOTE))
#define EDITOR_FORM (FIELD(F_TITLE) | FIELD(F_SLUG) | FIELD(F_DESCRIPTION) | \
	FIELD(F_LOCATION) | FIELD(F_STARTS) | FIELD(F_ENDS) | FIELD(F_CAPACITY) | \
	FIELD(F_MAX_GUESTS) | FIELD(F_RSVP_OPENS) | FIELD(F_RSVP_CLOSES) | FIELD(F_STATUS) | \
	FIELD(F_CONTACT) | FIELD(F_FORM_TOKEN) | FIELD(F_EDIT_VERSION))
#define ITEM_FORM (FIELD(F_NAME) | FIELD(F_CATEGORY) | FIELD(F_SUGGESTED) | \
	FIELD(F_UNIT) | FIELD(F_CAPPED) | FIELD(F_ITEM) | FIELD(F_VERSION))

static const struct route routes[] = {
	{ M_GET | M_HEAD, "/", h_home, RF_DB, 0 },
	{ M_GET | M_HEAD, "/healthz", h_healthz, 0, 0 },
	{ M_GET | M_HEAD, "/metrics", h_metrics, 0, 0 },
	{ M_GET | M_HEAD, "/events/{slug}", h_event, RF_DB, 0 },
	{ M_GET | M_HEAD, "/events/{ics}", h_event_ics, RF_DB, 0 },
	{ M_POST, "/events/{slug}/rsvp", h_rsvp_create, RF_DB | RF_BATCH,
	  RSVP_FORM | FIELD(F_FORM_TOKEN) | FIELD(F_ITEM_N) | FIELD(F_VERSION_N) |
	  FIELD(F_DISPLAY) | FIELD(F_DIVISION) },
	{ M_POST, "/events/{slug}/resend", h_rsvp_resend, RF_DB,
	  FIELD(F_EMAIL) | FIELD(F_FORM_TOKEN) },
	{ M_GET | M_HEAD, "/me", h_me, RF_DB, FIELD(F_DONE) },
	{ M_POST, "/me", h_me_request, RF_DB, FIELD(F_EMAIL) | FIELD(F_FORM_TOKEN) },
	{ M_GET | M_HEAD, "/me/{token}", h_mine_show, RF_DB, 0 },
	{ M_POST, "/me/{token}", h_mine_change, RF_DB,
	  FIELD(F_ACTION) | FIELD(F_FORM_TOKEN) | FIELD(F_RSVP) | FIELD(F_HOLD) },
	{ M_GET | M_HEAD, "/events/{slug}/live", h_event_live, RF_DB, FIELD(F_REFRESH) },
	{ M_GET | M_HEAD, "/events/{slug}/status.json", h_event_status, RF_DB, 0 },
	{ M_GET | M_HEAD, "/events/{slug}/waitlist", h_event_waitlist, RF_DB, 0 },
	{ M_GET | M_HEAD, "/events/{slug}/items.json", h_event_items, RF_DB, 0 },
	{ M_GET | M_HEAD, "/events/{slug}/items/{item}", h_event_item, RF_DB, FIELD(F_FROM) },
	{ M_POST, "/events/{slug}/hold", h_drop_hold, RF_DB | RF_BATCH,
	  FIELD(F_FORM_TOKEN) | FIELD(F_VARIANT) | FIELD(F_QUANTITY) | FIELD(F_NAME) |
	  FIELD(F_EMAIL) },
	{ M_GET | M_HEAD, "/events/{slug}/stock.json", h_drop_stock, RF_DB, 0 },
	{ M_GET | M_HEAD, "/holds/{hold}", h_hold_show, RF_DB, 0 },
	{ M_POST, "/holds/{hold}", h_hold_change, RF_DB | RF_BATCH, FIELD(F_ACTION) | FIELD(F_FORM_TOKEN) },
	{ M_GET | M_HEAD, "/events/{slug}/leaderboard", h_leaderboard, RF_DB,
	  FIELD(F_REFRESH) | FIELD(F_DIVISION) | FIELD(F_FROM) },
	{ M_GET | M_HEAD, "/events/{slug}/leaderboard.json", h_leaderboard_json, RF_DB, 0 },
	{ M_POST, "/api/events/{slug}/scores", h_scores_api, RF_DB | RF_JSON | RF_BATCH, 0 },
	{ M_GET | M_HEAD, "/rsvp/{token}", h_rsvp_show, RF_DB,
	  FIELD(F_DONE) | FIELD(F_NEW) | FIELD(F_CONFIRM) | FIELD(F_ITEM) },
	{ M_POST, "/rsvp/{token}", h_rsvp_change, RF_DB | RF_BATCH,
	  FIELD(F_ACTION) | FIELD(F_FORM_TOKEN) | FIELD(F_GUESTS) | FIELD(F_NOTE) |
	  FIELD(F_ITEM) | FIELD(F_VERSION) | FIELD(F_QUANTITY) | FIELD(F_DISPLAY) |
	  FIELD(F_VALUE) | FIELD(F_ROUND) },
	{ M_GET | M_HEAD, "/admin/login", h_admin_login_form, RF_DB, FIELD(F_OUT) },
	{ M_POST, "/admin/login", h_admin_login, RF_DB,
	  FIELD(F_NAME) | FIELD(F_PASSWORD) | FIELD(F_FORM_TOKEN) },
	{ M_POST, "/admin/logout", h_admin_logout, RF_DB | RF_ADMIN | RF_CSRF | RF_ANY_ROLE, 0 },
	{ M_GET | M_HEAD, "/admin", h_admin_home, RF_DB | RF_ADMIN | RF_ANY_ROLE, FIELD(F_FROM) },
	{ M_GET | M_HEAD, "/admin/competitions", h_admin_competitions,
	  RF_DB | RF_ADMIN | RF_ANY_ROLE, 0 },
	{ M_GET | M_HEAD, "/admin/events/{slug}/scores", h_admin_scores,
	  RF_DB | RF_ADMIN | RF_SCOREKEEPER, FIELD(F_Q) | FIELD(F_DONE) },
	{ M_POST, "/admin/events/{slug}/scores", h_admin_scores_change,
	  RF_DB | RF_ADMIN | RF_CSRF | RF_SCOREKEEPER | RF_BATCH, FIELD(F_ACTION) |
	  FIELD(F_FORM_TOKEN) | FIELD(F_ENTRY) | FIELD(F_VALUE) | FIELD(F_ROUND) | FIELD(F_SCORE) | FIELD(F_REASON) |
	  FIELD(F_Q) },
	{ M_GET | M_HEAD, "/admin/events/{slug}/leaderboard", h_admin_leaderboard,
	  RF_DB | RF_ADMIN | RF_SCOREKEEPER, FIELD(F_DONE) | FIELD(F_DIVISION) | FIELD(F_FROM) },
	{ M_POST, "/admin/events/{slug}/leaderboard", h_admin_leaderboard_change,
	  RF_DB | RF_ADMIN | RF_CSRF, FIELD(F_ACTION) | FIELD(F_FORM_TOKEN) },
	{ M_GET | M_HEAD, "/admin/events/{slug}/scores.csv", h_admin_scores_csv,
	  RF_DB | RF_ADMIN | RF_SCOREKEEPER, 0 },
	{ M_POST, "/admin/events/{slug}/api-tokens", h_admin_api_tokens,
	  RF_DB | RF_ADMIN | RF_CSRF, FIELD(F_ACTION) | FIELD(F_FORM_TOKEN) | FIELD(F_LABEL) |
	  FIELD(F_ID) | FIELD(F_Q) },
	{ M_GET | M_HEAD, "/admin/events/{slug}/competition", h_admin_competition,
	  RF_DB | RF_ADMIN, FIELD(F_DONE) },
	{ M_POST, "/admin/events/{slug}/competition", h_admin_competition_change,
	  RF_DB | RF_ADMIN | RF_CSRF, FIELD(F_ACTION) | FIELD(F_KIND) | FIELD(F_RULE) |
	  FIELD(F_UNIT) | FIELD(F_ROUNDS) | FIELD(F_SELF_SCORING) | FIELD(F_ID) | FIELD(F_NAME) |
	  FIELD(F_RSVP_CLOSES) | FIELD(F_EDIT_VERSION) },
	{ M_GET | M_HEAD, "/admin/accounts", h_admin_accounts, RF_DB | RF_ADMIN | RF_ADMIN_ROLE,
	  FIELD(F_DONE) },
	{ M_POST, "/admin/accounts", h_admin_accounts_change,
	  RF_DB | RF_ADMIN | RF_CSRF | RF_ADMIN_ROLE, FIELD(F_ACTION) | FIELD(F_FORM_TOKEN) |
	  FIELD(F_NAME) | FIELD(F_ROLE) | FIELD(F_PASSWORD) | FIELD(F_SLUG) | FIELD(F_CONFIRM) },
	{ M_GET | M_HEAD, "/admin/events/new", h_admin_event_new_form, RF_DB | RF_ADMIN, 0 },
	{ M_POST, "/admin/events/new", h_admin_event_create, RF_DB | RF_ADMIN | RF_CSRF,
	  EDITOR_FORM },
	{ M_GET | M_HEAD, "/admin/events/{slug}/edit", h_admin_event_edit_form,
	  RF_DB | RF_ADMIN, FIELD(F_SAVED) },
	{ M_POST, "/admin/events/{slug}/edit", h_admin_event_update,
	  RF_DB | RF_ADMIN | RF_CSRF, EDITOR_FORM },
	{ M_GET | M_HEAD, "/admin/events/{slug}/rsvps", h_admin_rsvps, RF_DB | RF_ADMIN,
	  FIELD(F_DONE) | FIELD(F_Q) | FIELD(F_CONFIRM) | FIELD(F_RSVP) | FIELD(F_FROM) },
	{ M_POST, "/admin/events/{slug}/rsvps", h_admin_rsvps_change,
	  RF_DB | RF_ADMIN | RF_CSRF, RSVP_FORM | FIELD(F_ACTION) | FIELD(F_FORM_TOKEN) |
	  FIELD(F_LINES) | FIELD(F_RSVP) | FIELD(F_Q) | FIELD(F_FROM) | FIELD(F_PICK_N) |
	  FIELD(F_CONFIRM) | FIELD(F_MESSAGE) },
	{ M_GET | M_HEAD, "/admin/events/{slug}/door", h_admin_door, RF_DB | RF_ADMIN,
	  FIELD(F_DONE) | FIELD(F_Q) },
	{ M_POST, "/admin/events/{slug}/door", h_admin_door_change, RF_DB | RF_ADMIN | RF_CSRF,
	  FIELD(F_ACTION) | FIELD(F_RSVP) | FIELD(F_Q) },
	{ M_GET | M_HEAD, "/admin/events/{slug}/rsvps.csv", h_admin_rsvps_csv,
	  RF_DB | RF_ADMIN, 0 },
	{ M_GET | M_HEAD, "/admin/events/{slug}/stats", h_admin_stats, RF_DB | RF_ADMIN,
	  FIELD(F_ENTRY) },
	{ M_GET | M_HEAD, "/admin/events/{slug}/items", h_admin_items, RF_DB | RF_ADMIN,
	  FIELD(F_DONE) },
	{ M_POST, "/admin/events/{slug}/items", h_admin_items_change,
	  RF_DB | RF_ADMIN | RF_CSRF, ITEM_FORM | FIELD(F_ACTION) | FIELD(F_FORM_TOKEN) |
	  FIELD(F_CONFIRM) },
	{ M_GET | M_HEAD, "/admin/events/{slug}/items.csv", h_admin_items_csv,
	  RF_DB | RF_ADMIN, 0 },
	{ M_GET | M_HEAD, "/admin/events/{slug}/drop", h_admin_drop, RF_DB | RF_ADMIN,
	  FIELD(F_DONE) },
	{ M_POST, "/admin/events/{slug}/drop", h_admin_drop_change, RF_DB | RF_ADMIN | RF_CSRF,
	  FIELD(F_ACTION) | FIELD(F_PER_PERSON) | FIELD(F_HOLD_SECONDS) | FIELD(F_RENEWALS) |
	  FIELD(F_PICKUP) | FIELD(F_NAME) | FIELD(F_PRICE) | FIELD(F_DESCRIPTION) | FIELD(F_ID) |
	  FIELD(F_STOCK) | FIELD(F_HOLD) },
	{ M_GET | M_HEAD, "/admin/events/{slug}/claims.csv", h_admin_claims_csv,
	  RF_DB | RF_ADMIN, 0 },
	{ M_GET | M_HEAD, "/admin/outbox", h_admin_outbox, RF_DB | RF_ADMIN,
	  FIELD(F_DONE) | FIELD(F_N) },
	{ M_POST, "/admin/outbox", h_admin_outbox_change, RF_DB | RF_ADMIN | RF_CSRF,
	  FIELD(F_ACTION) | FIELD(F_ID) | FIELD(F_CONFIRM) },
};

/* "SLUG.ics": an event's calendar file. */
static int ics_name_valid(const char *s)
{
	size_t n = strlen(s);
	char slug[EVENT_SLUG_MAX + 1];

	if (n < 5 || n - 4 > EVENT_SLUG_MAX || strcmp(s + n - 4, ".ics") != 0)
		return 0;
	memcpy(slug, s, n - 4);
	slug[n - 4] = '\0';
	return event_slug_valid(slug);
}

/* An id: 1 to 18 plain digits, not starting with 0. */
static int id_valid(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n >= 1 && n <= 18 && s[n] == '\0' && *s != '0';
}

/* Captures: each kind of {name} with the check a segment must pass. */
static const struct {
	const char *name;
	int (*valid)(const char *);
} captures[] = {
	{ "{slug}", event_slug_valid },
	{ "{token}", token_manage_valid },
	{ "{ics}", ics_name_valid },
	/* A hold's link has the manage links' shape (token.h). */
	{ "{hold}", token_manage_valid },
	{ "{item}", id_valid },
};

/*
 * Match path against pattern segment by segment, capturing {name}
 * segments (only well-formed values match, so handlers never see a bad
 * one). Returns 1 on a match.
 */
static int match(struct req *r, const char *pattern, const char *path)
{
	const char *pe, *se;
	size_t plen, slen;

	r->nparams = 0;
	while (*pattern == '/' && *path == '/') {
		pattern++;
		path++;
		pe = pattern + strcspn(pattern, "/");
		se = path + strcspn(path, "/");
		plen = (size_t)(pe - pattern);
		slen = (size_t)(se - path);
		if (*pattern == '{') {
			char *seg;
			size_t k;

			for (k = 0; k < sizeof(captures) / sizeof(captures[0]); k++)
				if (strlen(captures[k].name) == plen &&
				    memcmp(captures[k].name, pattern, plen) == 0)
					break;
			if (k == sizeof(captures) / sizeof(captures[0]) || slen > 128 ||
			    r->nparams == REQ_PARAMS_MAX)
				return 0;
			seg = arena_strndup(r->a, path, slen);
			if (!captures[k].valid(seg))
				return 0;
			r->params[r->nparams++] = seg;
		} else if (plen != slen || memcmp(pattern, path, plen) != 0) {
			return 0;
		}
		pattern = pe;
		path = se;
	}
	return *pattern == '\0' && *path == '\0';
}

const struct route *route_find(struct req *r, unsigned *allowed)
{
	size_t i;

	*allowed = 0;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(r, routes[i].pattern, r->path))
			continue;
		if (routes[i].methods & r->method)
			return &routes[i];
		*allowed |= routes[i].methods;
	}
	return NULL;
}

const char *route_allow_header(struct arena *a, unsigned m)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ M_GET, "GET" }, { M_HEAD, "HEAD" }, { M_POST, "POST" },
	};
	const char *out = "";
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (m & names[i].bit)
			out = arena_printf(a, "%s%s%s", out, *out ? ", " : "",
			    names[i].name);
	return out;
}
