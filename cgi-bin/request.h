#ifndef TURNOUT_REQUEST_H
#define TURNOUT_REQUEST_H

#include <stddef.h>

#include "arena.h"

/* Methods as bits so a route can accept several. */
enum method { M_GET = 1, M_HEAD = 2, M_POST = 4, M_OTHER = 8 };

#define REQ_FIELDS_MAX 100		/* fields of a query or a public form */
/* Of an admin form: the participants page ticks up to 2000 rows at once. */
#define REQ_ADMIN_FIELDS_MAX 2100
#define REQ_FIELD_NAME_MAX 64
#define REQ_PATH_MAX 4096
#define REQ_PARAMS_MAX 4

struct session;

struct kv {
	const char *key, *val;
};

/* What the server gave us, raw (from FastCGI params or a test). */
struct req_input {
	const char *request_id;			/* nginx's $request_id, for the log */
	const char *method, *uri, *cookie, *content_type, *https;
	const char *host, *port, *if_none_match;
	const char *remote_addr;		/* the client's address (nginx's $remote_addr) */
	const char *authorization, *idempotency_key;	/* headers of API requests */
	const char *body;
	size_t body_len;
	int max_fields;				/* of the form; 0: REQ_FIELDS_MAX */
};

/*
 * One request and its response. Everything hangs off the arena, freed
 * at once when the request ends.
 */
struct req {
	struct arena *a;
	enum method method;
	const char *path;			/* percent-decoded, valid UTF-8 */
	struct kv *query, *form, *cookies;
	int nquery, nform, ncookies;
	const char **fields;			/* by enum field (fields.h): field_check() */
	int https;
	const char *host;			/* "name" or "name:port", "" if unknown */
	const char *if_none_match;		/* "" if none */
	const char *remote_addr;		/* as nginx gave it; "" if none */
	const char *params[REQ_PARAMS_MAX];	/* route captures, in order */
	int nparams;
	const char *json;			/* an application/json body, raw; NULL if none */
	size_t json_len;
	const char *authorization;		/* the Authorization header; "" if none */
	const char *idempotency_key;		/* the Idempotency-Key header; NULL if none */
	const char *error;			/* why the request was refused */
	struct session *session;		/* the admin logged in (RF_ADMIN routes) */

	/* The response. */
	int status;
	const char *content_type;
	const char *referrer_policy;		/* NULL: same-origin */
	const char *cache_control;		/* NULL: no-cache */
	struct kv *headers;			/* extra headers, grown in the arena */
	int nheaders, headers_cap;
	char *body;
	size_t body_len;
	/*
	 * Or a body too long to hold (a complete export): written after the
	 * headers, with no Content-Length, by stream(r, put, sink), which
	 * hands it out piece by piece to put(sink, bytes, n). Not called for
	 * HEAD. Returns 0, or -1 if it broke off (logged; the answer is cut).
	 */
	int (*stream)(struct req *r, void (*put)(void *sink, const char *s, size_t n),
	    void *sink);
	void *stream_arg;
};

/* Start a request on arena a: zeroes r. */
void req_init(struct req *r, struct arena *a);

/*
 * Parse and validate everything in `in`: method, path, query string,
 * cookies and an application/x-www-form-urlencoded body; an
 * application/json body is kept raw in r->json for the routes that take
 * one (RF_JSON; the router refuses it elsewhere). Percent-encoding
 * must be strict, text valid UTF-8 without NUL or control characters, no
 * field may repeat, at most in->max_fields form fields. Returns 0, or an
 * HTTP status (400, 414, 415) with r->error saying what was wrong.
 * Malformed cookies are skipped, not refused: other sites on the same host
 * may set them.
 */
int req_parse(struct req *r, const struct req_input *in);

/* The value of a form field, query field or cookie; NULL if absent. */
const char *req_form(const struct req *r, const char *name);
const char *req_query(const struct req *r, const char *name);
const char *req_cookie(const struct req *r, const char *name);

/*
 * Add a response header (name and value must outlive the request). Any
 * number fits: the list grows in the request's arena.
 */
void req_header(struct req *r, const char *name, const char *value);

/* Exposed for unit tests. */
/*
 * Strictly percent-decode s[0..n) ('+' is a space when plus is set) into
 * a new arena string. Returns NULL on success, or what was wrong.
 */
const char *req_decode(struct arena *a, const char *s, size_t n, int plus,
    char **out);
/* 1 if s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int req_utf8_valid(const char *s, size_t n);

#endif
