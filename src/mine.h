#ifndef TURNOUT_MINE_H
#define TURNOUT_MINE_H

#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "rsvp.h"
#include "token.h"

/*
 * "My sign-ups" (issue 15, item 10): one link per e-mail address to a page
 * listing everything under that address across events. The link is only
 * ever e-mailed (outbox kind 'mine'); the database keeps its hash. It
 * lasts MINE_TTL and can be revoked. The tokens have the manage links'
 * shape (token.h) and live at /me/{token}.
 */
#define MINE_TTL (30 * 24 * 3600)
#define MINE_PER_HOUR 3		/* link e-mails per address per hour */
#define MINE_ROWS_MAX 200	/* RSVPs, and holds, one page lists */

struct mine_pledge {
	const char *item, *unit;
	int64_t quantity;
};

/* One RSVP (or competition entry) of the address, with its event. */
struct mine_rsvp {
	int64_t id, event_id, starts_at;
	const char *slug, *title;
	enum rsvp_status status;
	int guests;
	int position;			/* waitlisted: 1 = next in line */
	int64_t bib;			/* a competition entry's number, else 0 */
	const char *display, *division;	/* the entry's; "" if none */
	struct mine_pledge *pledges;
	int npledges;
};

/* One hold of the address at a drop, with its claim's number if claimed. */
struct mine_hold {
	int64_t id, starts_at, claim_number;
	const char *slug, *title, *item, *variant;
	const char *status;		/* live, claimed, released, expired, cancelled */
	int quantity;
};

/* What a link shows; strings and arrays in the caller's arena. */
struct mine_view {
	int64_t id, expires_at;
	const char *email;
	struct mine_rsvp *rsvps;
	struct mine_hold *holds;
	int nrsvps, nholds;
	int more;			/* more than MINE_ROWS_MAX of either: the newest shown */
};

/*
 * "E-mail me a link to my sign-ups" for email, in one transaction: when
 * the address has an RSVP or a hold and had fewer than MINE_PER_HOUR
 * links in the last hour, a new link (a random token, its hash stored,
 * valid MINE_TTL) is made and an e-mail carrying it enqueued. Nothing
 * otherwise, so an address with nothing under it gets no mail; the caller
 * answers the same either way, so nobody learns what an address has.
 * *queued (for tests and the log) says if an e-mail was enqueued.
 * form_token makes it idempotent. DB_OK, DB_BUSY or DB_ERROR.
 */
enum db_rc mine_request(struct db *db, struct arena *a, const char *email,
    const char *form_token, int *queued);

/*
 * The page behind token, read in one snapshot: DB_OK with *v, DB_NOTFOUND
 * (no such link), DB_CLOSED (expired or revoked; v->expires_at still
 * set), or the error.
 */
enum db_rc mine_get(struct db *db, struct arena *a, const char *token,
    struct mine_view *v);

/* What a page opens: an RSVP (/rsvp/{token}) or a hold (/holds/{token}). */
enum mine_kind { MINE_RSVP, MINE_HOLD };

/*
 * A link to the address's RSVP or hold id (kind), opened from the page
 * behind token, into manage. Their own links are stored hashed, so the
 * one the person got at sign-up cannot be shown again; this one is
 * derived from the page's token, the kind and the id (the same every
 * time, so opening it again adds nothing) and recorded under the page's
 * link (rsvp_link, hold_link), so revoking that link ends it too. DB_OK,
 * DB_NOTFOUND (no such link, or not an RSVP or hold of its address),
 * DB_CLOSED (expired or revoked), DB_BUSY, DB_ERROR. Idempotent by
 * itself, like mine_revoke: no form token.
 */
enum db_rc mine_open(struct db *db, struct arena *a, const char *token, enum mine_kind kind,
    int64_t id, char manage[TOKEN_MANAGE_HEX + 1]);

/*
 * Revoke the link token and every RSVP and hold link opened from it, in one
 * transaction. A link already revoked (a double submit) or expired is
 * DB_OK too; DB_NOTFOUND for no such link; DB_BUSY, DB_ERROR.
 */
enum db_rc mine_revoke(struct db *db, struct arena *a, const char *token);

#endif
