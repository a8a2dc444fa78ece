#include <string.h>

#include "event.h"
#include "route.h"

static const struct route routes[] = {
	{ M_GET | M_HEAD, "/", h_home, RF_DB },
	{ M_GET | M_HEAD, "/events/{slug}", h_event, RF_DB },
	{ M_GET | M_HEAD, "/healthz", h_healthz, RF_DB },
};

/*
 * Match path against pattern segment by segment, capturing {slug}
 * segments (only well-formed slugs match, so handlers never see a bad
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
		if (plen == 6 && memcmp(pattern, "{slug}", 6) == 0) {
			char *seg;

			if (slen > EVENT_SLUG_MAX || r->nparams == REQ_PARAMS_MAX)
				return 0;
			seg = arena_strndup(r->a, path, slen);
			if (!event_slug_valid(seg))
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
