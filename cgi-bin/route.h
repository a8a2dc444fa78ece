#ifndef TURNOUT_ROUTE_H
#define TURNOUT_ROUTE_H

#include <stdint.h>

#include "fields.h"
#include "handlers.h"
#include "request.h"

/* Checks the router does before a handler runs. */
enum route_flag {
	RF_DB = 1,		/* needs the database: 503 without it */
	RF_ADMIN = 2,		/* needs an admin session: else 303 to /admin/login */
	RF_CSRF = 4,		/* a POST needs the session's CSRF token: else 403 */
	RF_JSON = 8,		/* takes an application/json body and no form: else 415 */
	/*
	 * Roles (RF_ADMIN routes): admins and organisers may use every admin
	 * page; a scorekeeper only those with RF_SCOREKEEPER, for a
	 * competition ({slug}) assigned to them, and those with RF_ANY_ROLE;
	 * else 403. Pages with RF_ADMIN_ROLE (accounts) are for admins only.
	 */
	RF_SCOREKEEPER = 16,
	RF_ANY_ROLE = 32,
	RF_ADMIN_ROLE = 64,	/* role admin only (accounts): else 403 */
	/*
	 * A write a rush brings (an RSVP, a pledge, a hold, a claim, a
	 * score): with synchronous = group the batch writer answers it
	 * (writer.h). Cheap handlers only: the writer runs one at a time.
	 */
	RF_BATCH = 128,
};

struct route {
	unsigned methods;	/* enum method bits */
	const char *pattern;	/* "/events/{slug}": {slug} captures one segment */
	handler_fn fn;
	unsigned flags;
	fieldset fields;	/* FIELD() bits of enum field (fields.h) it takes */
};

/*
 * The route for r's method and path, with captures in r->params. NULL if
 * none: then *allowed holds the methods the path does accept (0 means the
 * path is unknown: 404; otherwise 405).
 */
const struct route *route_find(struct req *r, unsigned *allowed);

/*
 * The checks of flags for r (RF_ADMIN, RF_CSRF), before its handler runs:
 * 0 to go on (r->session set for RF_ADMIN), else the status to answer.
 */
int route_guard(struct req *r, struct app *app, unsigned flags);

/*
 * The Set-Cookie value for the admin session token value (remove: one
 * that deletes it). Over HTTPS the cookie is Secure with the __Host-
 * prefix, so no plain-HTTP page and no other site on the domain can set
 * or read it.
 */
const char *route_session_cookie(struct req *r, const char *value, int remove);

/* 1 if path is /admin or under it: admin pages are never cached. */
int route_is_admin(const char *path);

/* The Allow header value for method bits m, e.g. "GET, HEAD", in arena a. */
const char *route_allow_header(struct arena *a, unsigned m);

#endif
