/* The request parser: decoding, limits, cookies, bad UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "json.h"
#include "request.h"

struct fixture {
	struct arena *a;
	struct req r;
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->a = arena_new();
	req_init(&f->r, f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	arena_free(f->a);
	test_free(f);
	return 0;
}

/* Parse a POST of body to uri; returns req_parse's result. */
static int post(struct fixture *f, const char *uri, const char *body)
{
	struct req_input in = {
		.method = "POST", .uri = uri,
		.content_type = "application/x-www-form-urlencoded",
		.body = body, .body_len = strlen(body),
	};

	req_init(&f->r, f->a);
	return req_parse(&f->r, &in);
}

static int get(struct fixture *f, const char *uri, const char *cookie)
{
	struct req_input in = { .method = "GET", .uri = uri, .cookie = cookie };

	req_init(&f->r, f->a);
	return req_parse(&f->r, &in);
}

static void test_decode_form(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post(f, "/x", "name=Ann+B%C3%A9&note=a%26b%3Dc&empty=&flag"), 0);
	assert_int_equal(f->r.method, M_POST);
	assert_string_equal(req_form(&f->r, "name"), "Ann B\xc3\xa9");
	assert_string_equal(req_form(&f->r, "note"), "a&b=c");
	assert_string_equal(req_form(&f->r, "empty"), "");
	assert_string_equal(req_form(&f->r, "flag"), "");
	assert_null(req_form(&f->r, "missing"));
	/* Line breaks in a textarea are text, not controls. */
	assert_int_equal(post(f, "/x", "note=line1%0D%0Aline2%09tab"), 0);
	assert_string_equal(req_form(&f->r, "note"), "line1\r\nline2\ttab");
}

static void test_bad_encoding(void **state)
{
	static const char *const bad[] = {
		"name=%G1", "name=%00", "name=%FF", "name=%C0%AF", "name=%ED%A0%80",
		"name=abc%", "name=abc%4", "name=%F4%90%80%80", "name=%E2%82",
		"name=%01", "name=%7F", "%00=x", "name=%80",
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(post(f, "/x", bad[i]), 400);
		assert_non_null(f->r.error);
	}
}

static void test_valid_utf8_edges(void **state)
{
	struct fixture *f = *state;

	/* U+07FF, U+FFFD, U+10FFFF and a 4-byte emoji are all fine. */
	assert_int_equal(post(f, "/x", "a=%DF%BF&b=%EF%BF%BD&c=%F4%8F%BF%BF&d=%F0%9F%8E%89"), 0);
	assert_true(req_utf8_valid("\xf0\x9f\x8e\x89", 4));
	assert_false(req_utf8_valid("\xf0\x9f\x8e", 3));
	assert_false(req_utf8_valid("\xe0\x80\xaf", 3));	/* overlong '/' */
}

static void test_repeated_and_unknown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post(f, "/x", "guests=1&guests=2"), 400);
	assert_non_null(strstr(f->r.error, "guests"));
	/* Unknown fields are kept, never an error: handlers ask for theirs. */
	assert_int_equal(post(f, "/x", "whatever=1&x.y-z_w=2"), 0);
	assert_int_equal(post(f, "/x", "bad%20name=1"), 400);
	assert_int_equal(post(f, "/x", "&&a=1&&"), 0);
	assert_string_equal(req_form(&f->r, "a"), "1");
}

static void test_field_limit(void **state)
{
	struct fixture *f = *state;
	char body[REQ_FIELDS_MAX * 8 + 16], *p = body;
	int i;

	for (i = 0; i <= REQ_FIELDS_MAX; i++)
		p += sprintf(p, "f%d=1&", i);
	assert_int_equal(post(f, "/x", body), 400);
	assert_non_null(strstr(f->r.error, "too many"));
}

/* An admin form may tick every row a page lists: up to REQ_ADMIN_FIELDS_MAX fields. */
static void test_admin_field_limit(void **state)
{
	struct fixture *f = *state;
	char *body = test_malloc(REQ_ADMIN_FIELDS_MAX * 16 + 16), *p = body;
	struct req_input in = {
		.method = "POST", .uri = "/admin/x",
		.content_type = "application/x-www-form-urlencoded",
		.max_fields = REQ_ADMIN_FIELDS_MAX,
	};
	int i;

	for (i = 0; i < REQ_ADMIN_FIELDS_MAX; i++)
		p += sprintf(p, "pick_%d=1&", 100000 + i);
	in.body = body;
	in.body_len = strlen(body);
	req_init(&f->r, f->a);
	assert_int_equal(req_parse(&f->r, &in), 0);
	assert_int_equal(f->r.nform, REQ_ADMIN_FIELDS_MAX);
	assert_string_equal(f->r.form[REQ_ADMIN_FIELDS_MAX - 1].key, "pick_102099");
	/* One more is refused ... */
	sprintf(p, "x=1");
	in.body_len = strlen(body);
	req_init(&f->r, f->a);
	assert_int_equal(req_parse(&f->r, &in), 400);
	assert_non_null(strstr(f->r.error, "too many fields in the form (at most 2100)"));
	/* ... and so is a repeat far apart, by name. */
	sprintf(p, "pick_100007=1");
	in.max_fields = REQ_ADMIN_FIELDS_MAX + 1;
	in.body_len = strlen(body);
	req_init(&f->r, f->a);
	assert_int_equal(req_parse(&f->r, &in), 400);
	assert_string_equal(f->r.error, "The field \"pick_100007\" appears twice in the form.");
	test_free(body);
}

static void test_content_type(void **state)
{
	struct fixture *f = *state;
	struct req_input in = {
		.method = "POST", .uri = "/x", .content_type = "multipart/form-data; boundary=x",
		.body = "a=1", .body_len = 3,
	};

	assert_int_equal(req_parse(&f->r, &in), 415);
	in.content_type = "application/x-www-form-urlencoded; charset=UTF-8";
	req_init(&f->r, f->a);
	assert_int_equal(req_parse(&f->r, &in), 0);
	/* An empty body needs no content type (nginx sends "" on GET). */
	in.content_type = "";
	in.body_len = 0;
	req_init(&f->r, f->a);
	assert_int_equal(req_parse(&f->r, &in), 0);
}

static void test_path_and_query(void **state)
{
	struct fixture *f = *state;
	char *longpath;

	assert_int_equal(get(f, "/events/fun-run?x=%C3%A9&y=a+b", NULL), 0);
	assert_string_equal(f->r.path, "/events/fun-run");
	assert_string_equal(req_query(&f->r, "x"), "\xc3\xa9");
	assert_string_equal(req_query(&f->r, "y"), "a b");
	/* '+' in a path is a plus, %2F a slash the router will not match. */
	assert_int_equal(get(f, "/a+b/..%2Fetc", NULL), 0);
	assert_string_equal(f->r.path, "/a+b/../etc");
	assert_int_equal(get(f, "/%00", NULL), 400);
	assert_int_equal(get(f, "/?q=%G1", NULL), 400);
	assert_int_equal(get(f, "relative", NULL), 400);
	assert_int_equal(get(f, "", NULL), 400);
	longpath = test_malloc(REQ_PATH_MAX + 3);
	longpath[0] = '/';
	memset(longpath + 1, 'a', REQ_PATH_MAX + 1);
	longpath[REQ_PATH_MAX + 2] = '\0';
	assert_int_equal(get(f, longpath, NULL), 414);
	test_free(longpath);
}

static void test_cookies(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, "/", "a=1; session=abc123;junk; =x; b = 2;last="), 0);
	assert_string_equal(req_cookie(&f->r, "a"), "1");
	assert_string_equal(req_cookie(&f->r, "session"), "abc123");
	assert_string_equal(req_cookie(&f->r, "b"), " 2");
	assert_string_equal(req_cookie(&f->r, "last"), "");
	assert_null(req_cookie(&f->r, "junk"));
	assert_null(req_cookie(&f->r, ""));
	/* Malformed cookies from other sites never make a request fail. */
	assert_int_equal(get(f, "/", "\xff\xfe=\x01; ;;; ="), 0);
}

static void test_methods(void **state)
{
	struct fixture *f = *state;
	struct req_input in = { .method = "DELETE", .uri = "/" };

	assert_int_equal(req_parse(&f->r, &in), 0);
	assert_int_equal(f->r.method, M_OTHER);
	in.method = "HEAD";
	req_init(&f->r, f->a);
	assert_int_equal(req_parse(&f->r, &in), 0);
	assert_int_equal(f->r.method, M_HEAD);
}

/* The route's field table: only its fields, each within its bound. */
static void test_field_table(void **state)
{
	struct fixture *f = *state;
	const fieldset rsvp = FIELD(F_NAME) | FIELD(F_EMAIL) | FIELD(F_ITEM_N);
	char big[1100];

	assert_int_equal(post(f, "/x?name=q&utm_source=y", "name=Ann&email=a%40b.c&item_12=3"), 0);
	assert_int_equal(field_check(&f->r, rsvp), 0);
	/* The form wins over the query; a stranger in the query is ignored. */
	assert_string_equal(field_get(&f->r, F_NAME), "Ann");
	assert_string_equal(field_get(&f->r, F_EMAIL), "a@b.c");
	assert_null(field_get(&f->r, F_NOTE));
	assert_string_equal(field_member(&f->r, F_ITEM_N, 12), "3");
	assert_null(field_member(&f->r, F_ITEM_N, 13));

	/* A form field the route does not take: 400 naming it. */
	assert_int_equal(post(f, "/x", "name=Ann&note=hi"), 0);
	assert_int_equal(field_check(&f->r, rsvp), 400);
	assert_non_null(strstr(f->r.error, "(note)"));
	/* Nor a family member with a malformed id. */
	assert_int_equal(post(f, "/x", "item_1x=3"), 0);
	assert_int_equal(field_check(&f->r, rsvp), 400);
	assert_int_equal(post(f, "/x", "item_=3"), 0);
	assert_int_equal(field_check(&f->r, rsvp), 400);

	/* Past the field's bound (a name of 1000 bytes is no one's name). */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(post(f, "/x", arena_printf(f->a, "name=%s", big)), 0);
	assert_int_equal(field_check(&f->r, rsvp), 400);
	assert_non_null(strstr(f->r.error, "name"));
	/* A bound holds in the query too, for the fields the route takes. */
	assert_int_equal(get(f, arena_printf(f->a, "/x?name=%s", big), NULL), 0);
	assert_int_equal(field_check(&f->r, rsvp), 400);

	/* A GET's body is no form: neither checked nor read. */
	{
		struct req_input in = { .method = "GET", .uri = "/x?email=e%40f.g",
		    .content_type = "application/x-www-form-urlencoded",
		    .body = "evil=1&name=Bob", .body_len = 15 };

		req_init(&f->r, f->a);
		assert_int_equal(req_parse(&f->r, &in), 0);
		assert_int_equal(field_check(&f->r, rsvp), 0);
		assert_null(field_get(&f->r, F_NAME));
		assert_string_equal(field_get(&f->r, F_EMAIL), "e@f.g");
	}
	assert_string_equal(field_member_id("pick_42", F_PICK_N), "42");
	assert_null(field_member_id("pick_42", F_ITEM_N));
	assert_null(field_member_id("name", F_NAME));
}

/* A response may carry any number of headers; none is lost or reordered. */
static void test_many_response_headers(void **state)
{
	struct fixture *f = *state;
	char *names[40];
	int i;

	for (i = 0; i < 40; i++) {
		names[i] = arena_printf(f->a, "X-Test-%d", i);
		req_header(&f->r, names[i], "v");
	}
	assert_int_equal(f->r.nheaders, 40);
	for (i = 0; i < 40; i++)
		assert_string_equal(f->r.headers[i].key, names[i]);
}

/* The scores API's JSON: what the strict parser takes and what it refuses. */
static void test_json_flat(void **state)
{
	static const char *const bad[] = {
		"", "[]", "{", "{\"a\":1", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":{}}",
		"{\"a\":[1]}", "{\"a\":true}", "{\"a\":null}", "{\"a\":NaN}", "{\"a\":01}",
		"{\"a\":1.}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":1,\"a\":2}", "{\"a\":1} x",
		"{\"a\":\"x\ny\"}", "{\"a\":\"\\n\"}", "{\"a\":\"\\u0000\"}",
		"{\"a\":\"\\u001f\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\x41\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,"
		"\"g\":7,\"h\":8,\"i\":9}",
		/* The fuzzer's find: \u escapes decode to 3 bytes each, past the bound. */
		"{\"\": \"\\u00e9\\ud000e9UUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU"
		"\\ud60ca\\u9e39\"}",
	};
	static const char good[] = " { \"bib\" : 42 , \"value\": \"4:05.3\","
	    " \"x\": -1.5e3, \"n\": \"\\u00e9\\/\\\"\"} ";
	struct fixture *f = *state;
	char big[200];
	struct json_pair *p;
	size_t i;
	int n;

	assert_null(json_flat_parse(f->a, good, strlen(good), &p, &n));
	assert_int_equal(n, 4);
	assert_string_equal(p[0].key, "bib");
	assert_string_equal(p[0].value, "42");
	assert_false(p[0].is_string);
	assert_string_equal(p[1].value, "4:05.3");
	assert_true(p[1].is_string);
	assert_string_equal(p[2].value, "-1.5e3");
	assert_string_equal(p[3].value, "\xc3\xa9/\"");
	assert_null(json_flat_parse(f->a, "{}", 2, &p, &n));
	assert_int_equal(n, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_flat_parse(f->a, bad[i], strlen(bad[i]), &p, &n) == NULL)
			fail_msg("accepted %s", bad[i]);
	/* Values are bounded in bytes after unescaping: 64 fit, 65 do not. */
	snprintf(big, sizeof(big), "{\"v\":\"%064d\"}", 0);
	assert_null(json_flat_parse(f->a, big, strlen(big), &p, &n));
	snprintf(big, sizeof(big), "{\"v\":\"%065d\"}", 0);
	assert_non_null(json_flat_parse(f->a, big, strlen(big), &p, &n));
	/* A NUL inside the body is refused. */
	assert_non_null(json_flat_parse(f->a, "{\"a\":1}\0", 8, &p, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decode_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_encoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_valid_utf8_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_field_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_and_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_methods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_response_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_flat, setup, teardown),
	};

	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
