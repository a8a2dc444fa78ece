/*
 * libFuzzer entry point for what a visitor controls first: the request
 * parser (method, address, query, cookies, form body), the strict
 * percent-decoder and the field validators of every form, run on each
 * field the parser accepted, and the scores API's JSON parser on a JSON
 * body. Built and run by `make fuzz` (fuzz/run).
 *
 * An input is the request as FastCGI hands it over, one parameter a line
 * and the body after them:
 *
 *   METHOD \n URI \n COOKIE \n CONTENT_TYPE \n HOST \n PORT \n HTTPS \n BODY
 *
 * A missing line is an absent parameter; the body is everything after the
 * seventh line break, NUL bytes included (FastCGI parameters are C strings,
 * the body is not). Besides crashes, sanitizer reports and leaks, the
 * target aborts when an accepted value breaks a promise the parser or a
 * validator makes to the handlers (see check()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "fields.h"
#include "json.h"
#include "request.h"
#include "token.h"
#include "tz.h"

#define PARAMS 7

/* A fixed secret and clock: a crash found once reproduces every time. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const unsigned char secret[TOKEN_SECRET_LEN] = "fuzzing, not a real site secret";

	(void)argc;
	(void)argv;
	if (token_init(secret) != 0)
		abort();
	/* A zone with daylight saving, so field_time meets gaps and overlaps. */
	tz_set("Europe/Berlin");
	clock_set(1796000000);
	return 0;
}

/* Stop with a message naming the broken promise and the value. */
static void check(int ok, const char *what, const char *value)
{
	if (!ok) {
		fprintf(stderr, "fuzz_request: %s: \"%s\"\n", what, value);
		abort();
	}
}

/* 1 if s holds a line break or tab (what a single-line value must not). */
static int multi_line(const char *s)
{
	return strpbrk(s, "\r\n\t") != NULL;
}

/* Every validator on one accepted value, with the checks of its contract. */
static void validate(struct arena *a, const char *path, const char *v)
{
	const char *out, *name, *purpose = form_purpose(a, "rsvp", path);
	int64_t n;
	int g;

	check(req_utf8_valid(v, strlen(v)), "parser passed invalid UTF-8", v);
	if (field_name(a, v, &name) == NULL) {
		check(*name != '\0' && !multi_line(name), "field_name accepted", name);
		out = field_short_name(a, name);
		check(req_utf8_valid(out, strlen(out)), "field_short_name broke UTF-8", out);
		out = field_initials(a, name);
		check(req_utf8_valid(out, strlen(out)), "field_initials broke UTF-8", out);
	}
	if (field_email(a, v, &out) == NULL)
		check(strchr(out, '@') != NULL && strpbrk(out, " \r\n\t<>") == NULL,
		    "field_email accepted", out);
	(void)field_note(a, v, &out);
	if (field_guests(v, 5, &g) == NULL)
		check(g >= 0 && g <= 5, "field_guests out of range for", v);
	if (field_quantity(v, &n) == NULL)
		check(n >= 0 && n <= 10000, "field_quantity out of range for", v);
	if (field_id(v, &n) == NULL)
		check(n >= 0, "field_id negative for", v);
	if (field_text(a, v, 1, 200, 1, "title", &out) == NULL)
		check(*out != '\0' && !multi_line(out), "field_text accepted", out);
	(void)field_text(a, v, 0, 2000, 0, "description", &out);
	if (field_number(a, v, 100000, -1, "capacity", &n) == NULL)
		check(n >= -1 && n <= 100000, "field_number out of range for", v);
	(void)field_time(a, v, 1, "start", &n);
	check(field_form_token(v, purpose) != NULL, "field_form_token accepted a forgery", v);
}

/* The JSON parser on an accepted JSON body, with the checks of its contract. */
static void json_check(struct arena *a, const char *s, size_t n)
{
	struct json_pair *p;
	int k, i;

	if (json_flat_parse(a, s, n, &p, &k) != NULL)
		return;
	check(k >= 0 && k <= JSON_PAIRS_MAX, "json_flat_parse: member count", "");
	for (i = 0; i < k; i++) {
		check(strlen(p[i].key) <= JSON_KEY_MAX && req_utf8_valid(p[i].key,
		    strlen(p[i].key)), "json_flat_parse accepted key", p[i].key);
		check(strlen(p[i].value) <= JSON_VALUE_MAX && req_utf8_valid(p[i].value,
		    strlen(p[i].value)), "json_flat_parse accepted value", p[i].value);
		check(p[i].is_string || strspn(p[i].value, "-0123456789.eE+") ==
		    strlen(p[i].value), "json_flat_parse accepted number", p[i].value);
	}
}

/* The next line of [*p, end) as a new C string; NULL when none is left. */
static const char *param(struct arena *a, const char **p, const char *end)
{
	const char *nl, *s = *p;

	if (s == NULL)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL) {
		*p = NULL;
		return arena_strndup(a, s, (size_t)(end - s));
	}
	*p = nl + 1;
	return arena_strndup(a, s, (size_t)(nl - s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *p = (const char *)data, *end = p + size;
	const char *v[PARAMS];
	struct req_input in;
	struct req r;
	int i;

	for (i = 0; i < PARAMS; i++)
		v[i] = param(a, &p, end);
	memset(&in, 0, sizeof(in));
	in.method = v[0];
	in.uri = v[1];
	in.cookie = v[2];
	in.content_type = v[3];
	in.host = v[4];
	in.port = v[5];
	in.https = v[6];
	if (p != NULL) {
		/* A copy of exactly the body's bytes, so ASan sees any overread. */
		char *body = malloc(end - p > 0 ? (size_t)(end - p) : 1);

		if (body == NULL)
			abort();
		memcpy(body, p, (size_t)(end - p));
		in.body = body;
		in.body_len = (size_t)(end - p);
	}
	req_init(&r, a);
	if (req_parse(&r, &in) == 0) {
		check(r.path[0] == '/' && req_utf8_valid(r.path, strlen(r.path)),
		    "accepted path", r.path);
		for (i = 0; i < r.nquery; i++)
			validate(a, r.path, r.query[i].val);
		for (i = 0; i < r.nform; i++)
			validate(a, r.path, r.form[i].val);
		for (i = 0; i < r.ncookies; i++)
			check(req_cookie(&r, r.cookies[i].key) != NULL, "cookie lost", r.cookies[i].key);
		if (r.json != NULL)
			json_check(a, r.json, r.json_len);
	} else {
		check(r.error != NULL, "refused without a reason", in.uri != NULL ? in.uri : "");
	}
	free((void *)in.body);
	arena_free(a);
	return 0;
}
