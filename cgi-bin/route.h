#ifndef TURNOUT_ROUTE_H
#define TURNOUT_ROUTE_H

#include "handlers.h"
#include "request.h"

/* Checks the router does before a handler runs. */
enum route_flag {
	RF_DB = 1,		/* needs the database: 503 without it */
};

struct route {
	unsigned methods;	/* enum method bits */
	const char *pattern;	/* "/events/{slug}": {slug} captures one segment */
	handler_fn fn;
	unsigned flags;
};

/*
 * The route for r's method and path, with captures in r->params. NULL if
 * none: then *allowed holds the methods the path does accept (0 means the
 * path is unknown: 404; otherwise 405).
 */
const struct route *route_find(struct req *r, unsigned *allowed);

/* The Allow header value for method bits m, e.g. "GET, HEAD", in arena a. */
const char *route_allow_header(struct arena *a, unsigned m);

#endif
