#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "request.h"

void req_init(struct req *r, struct arena *a)
{
	memset(r, 0, sizeof(*r));
	r->a = a;
	r->status = 200;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int req_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len, k;
	unsigned long cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			len = 4;
			cp = s[i] & 0x07;
		} else {
			return 0;	/* continuation byte, 0xc0/0xc1, or > 0xf4 */
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* 1 if s[0..n) holds a C0 control other than tab, CR, LF, or DEL. */
static int has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return 1;
	}
	return 0;
}

const char *req_decode(struct arena *a, const char *s, size_t n, int plus,
    char **out)
{
	char *d = arena_alloc(a, n + 1);
	size_t i, j = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return "malformed percent-encoding (a % must be followed by two hex digits)";
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus) {
			d[j++] = ' ';
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	if (memchr(d, '\0', j) != NULL)
		return "NUL byte in the input";
	if (!req_utf8_valid(d, j))
		return "text that is not valid UTF-8";
	if (has_control(d, j))
		return "control characters in the input";
	*out = d;
	return NULL;
}

/* 1 if a field name is 1-64 of [A-Za-z0-9_.-]. */
static int name_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= REQ_FIELD_NAME_MAX && strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int by_key(const void *x, const void *y)
{
	return strcmp((*(const struct kv *const *)x)->key, (*(const struct kv *const *)y)->key);
}

/*
 * The first key that kv[0..n) holds twice, or NULL. Sorting keeps it
 * O(n log n): admin forms may carry thousands of fields.
 */
static const char *repeated_key(struct arena *a, const struct kv *kv, int n)
{
	const struct kv **sorted = arena_alloc(a, (size_t)n * sizeof(*sorted) + 1);
	int i;

	for (i = 0; i < n; i++)
		sorted[i] = &kv[i];
	qsort(sorted, (size_t)n, sizeof(*sorted), by_key);
	for (i = 1; i < n; i++)
		if (strcmp(sorted[i - 1]->key, sorted[i]->key) == 0)
			return sorted[i]->key;
	return NULL;
}

/*
 * Parse "a=1&b=2" (at most max pairs) into a new array. Returns 0 or 400
 * with r->error set. Empty pairs ("a=1&&b=2") are skipped; "a" alone
 * means a = "".
 */
static int parse_pairs(struct req *r, const char *s, size_t n, const char *what, int max,
    struct kv **out, int *count)
{
	const char *p = s, *end = s + n, *amp, *eq, *err, *twice;
	struct kv *kv;
	char *key, *val;
	int k = 0, pairs = 1;

	for (amp = s; (amp = memchr(amp, '&', (size_t)(end - amp))) != NULL; amp++)
		pairs++;
	kv = arena_alloc(r->a, (size_t)(pairs < max ? pairs : max) * sizeof(*kv));
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (k == max) {
			r->error = arena_printf(r->a, "too many fields in the %s (at most %d)",
			    what, max);
			return 400;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if ((err = req_decode(r->a, p, (size_t)((eq ? eq : amp) - p), 1, &key)) != NULL ||
		    (err = req_decode(r->a, eq ? eq + 1 : amp, eq ? (size_t)(amp - eq - 1) : 0,
		    1, &val)) != NULL) {
			r->error = arena_printf(r->a, "The %s contains %s.", what, err);
			return 400;
		}
		if (!name_valid(key)) {
			r->error = arena_printf(r->a, "The %s has a field with an invalid name.", what);
			return 400;
		}
		kv[k].key = key;
		kv[k++].val = val;
		p = amp + 1;
	}
	/* No form of ours repeats a field: a repeat is a forged request. */
	if ((twice = repeated_key(r->a, kv, k)) != NULL) {
		r->error = arena_printf(r->a, "The field \"%s\" appears twice in the %s.", twice,
		    what);
		return 400;
	}
	*out = kv;
	*count = k;
	return 0;
}

/* Cookies: "a=1; b=2". Malformed pairs are skipped, never an error. */
static void parse_cookies(struct req *r, const char *s)
{
	const char *p = s, *semi, *eq, *name, *name_end;
	size_t len;

	r->cookies = arena_alloc(r->a, REQ_FIELDS_MAX * sizeof(*r->cookies));
	while (*p != '\0' && r->ncookies < REQ_FIELDS_MAX) {
		while (*p == ' ')
			p++;
		len = strcspn(p, ";");
		semi = p + len;
		eq = memchr(p, '=', len);
		if (eq != NULL) {
			name = p;
			name_end = eq;
			while (name_end > name && name_end[-1] == ' ')
				name_end--;
			r->cookies[r->ncookies].key = arena_strndup(r->a, name,
			    (size_t)(name_end - name));
			r->cookies[r->ncookies].val = arena_strndup(r->a, eq + 1,
			    (size_t)(semi - eq - 1));
			if (name_valid(r->cookies[r->ncookies].key))
				r->ncookies++;
		}
		p = *semi != '\0' ? semi + 1 : semi;
	}
}

static enum method method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(m, "POST") == 0)
		return M_POST;
	return M_OTHER;
}

/* 1 if the content type is a urlencoded form (parameters allowed). */
static int is_form_type(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(form) - 1;

	return strncasecmp(ct, form, n) == 0 && (ct[n] == '\0' || ct[n] == ';' ||
	    ct[n] == ' ');
}

/* 1 if the content type is JSON (parameters allowed). */
static int is_json_type(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	return strncasecmp(ct, json, n) == 0 && (ct[n] == '\0' || ct[n] == ';' ||
	    ct[n] == ' ');
}

/*
 * The site's host for absolute links: nginx's validated $host plus the
 * port unless it is the scheme's default. "" if anything looks off.
 */
static const char *host_of(struct req *r, const struct req_input *in)
{
	const char *h = in->host, *port = in->port != NULL ? in->port : "";

	if (h == NULL || *h == '\0' || strlen(h) > 255 || strspn(h,
	    "abcdefghijklmnopqrstuvwxyz0123456789.-[]:") != strlen(h) ||
	    strlen(port) > 5 || strspn(port, "0123456789") != strlen(port))
		return "";
	if (*port == '\0' || strcmp(port, r->https ? "443" : "80") == 0)
		return h;
	return arena_printf(r->a, "%s:%s", h, port);
}

int req_parse(struct req *r, const struct req_input *in)
{
	const char *uri = in->uri != NULL ? in->uri : "";
	const char *q = strchr(uri, '?');
	size_t plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
	const char *err;
	char *path;
	int rc;

	r->method = method_of(in->method != NULL ? in->method : "");
	r->https = in->https != NULL && strcasecmp(in->https, "on") == 0;
	r->if_none_match = in->if_none_match != NULL ? in->if_none_match : "";
	r->remote_addr = in->remote_addr != NULL ? in->remote_addr : "";
	r->host = host_of(r, in);
	r->authorization = in->authorization != NULL ? in->authorization : "";
	r->idempotency_key = in->idempotency_key;
	if (plen > REQ_PATH_MAX) {
		r->error = "The address is too long.";
		return 414;
	}
	if (uri[0] != '/') {
		r->error = "The address must start with a slash.";
		return 400;
	}
	if ((err = req_decode(r->a, uri, plen, 0, &path)) != NULL) {
		r->error = arena_printf(r->a, "The address contains %s.", err);
		return 400;
	}
	r->path = path;
	if (q != NULL &&
	    (rc = parse_pairs(r, q + 1, strlen(q + 1), "address", REQ_FIELDS_MAX, &r->query,
	    &r->nquery)) != 0)
		return rc;
	if (in->cookie != NULL)
		parse_cookies(r, in->cookie);
	if (in->body_len == 0)
		return 0;
	if (in->content_type != NULL && is_json_type(in->content_type)) {
		r->json = in->body;
		r->json_len = in->body_len;
		return 0;
	}
	if (in->content_type == NULL || !is_form_type(in->content_type)) {
		r->error = "Only application/x-www-form-urlencoded forms are accepted.";
		return 415;
	}
	return parse_pairs(r, in->body, in->body_len, "form",
	    in->max_fields > 0 ? in->max_fields : REQ_FIELDS_MAX, &r->form, &r->nform);
}

static const char *lookup(const struct kv *kv, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, name) == 0)
			return kv[i].val;
	return NULL;
}

const char *req_form(const struct req *r, const char *name)
{
	return lookup(r->form, r->nform, name);
}

const char *req_query(const struct req *r, const char *name)
{
	return lookup(r->query, r->nquery, name);
}

const char *req_cookie(const struct req *r, const char *name)
{
	return lookup(r->cookies, r->ncookies, name);
}

void req_header(struct req *r, const char *name, const char *value)
{
	if (r->nheaders == r->headers_cap) {
		struct kv *grown;

		r->headers_cap = r->headers_cap == 0 ? 8 : 2 * r->headers_cap;
		grown = arena_alloc(r->a, (size_t)r->headers_cap * sizeof(*grown));
		if (r->nheaders > 0)
			memcpy(grown, r->headers, (size_t)r->nheaders * sizeof(*grown));
		r->headers = grown;
	}
	r->headers[r->nheaders].key = name;
	r->headers[r->nheaders++].val = value;
}
