/* The router: matching, captures, 404 versus 405. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "route.h"

static struct arena *a;

/* Route method m on path; returns the route and fills *allowed. */
static const struct route *find(struct req *r, enum method m, const char *path,
    unsigned *allowed)
{
	req_init(r, a);
	r->method = m;
	r->path = path;
	return route_find(r, allowed);
}

static void test_match(void **state)
{
	const struct route *rt;
	unsigned allowed;
	struct req r;

	(void)state;
	rt = find(&r, M_GET, "/", &allowed);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_home);
	rt = find(&r, M_HEAD, "/events/fun-run-5k", &allowed);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_event);
	assert_int_equal(r.nparams, 1);
	assert_string_equal(r.params[0], "fun-run-5k");
	assert_true(rt->flags & RF_DB);
	rt = find(&r, M_POST, "/events/fun-run-5k/rsvp", &allowed);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_rsvp_create);
	rt = find(&r, M_GET, "/rsvp/0123456789abcdef0123456789abcdef", &allowed);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_rsvp_show);
	assert_string_equal(r.params[0], "0123456789abcdef0123456789abcdef");
	rt = find(&r, M_POST, "/rsvp/0123456789abcdef0123456789abcdef", &allowed);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_rsvp_change);
	rt = find(&r, M_GET, "/events/x/status.json", &allowed);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_event_status);
}

/* Manage tokens are exactly 32 lower-case hex digits, or no route at all. */
static void test_token_capture(void **state)
{
	static const char *const bad[] = {
		"/rsvp/0123456789abcdef0123456789abcde",
		"/rsvp/0123456789abcdef0123456789abcdef0",
		"/rsvp/0123456789ABCDEF0123456789abcdef",
		"/rsvp/0123456789abcdef0123456789abcdeg",
		"/rsvp/", "/rsvp",
	};
	unsigned allowed;
	struct req r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(find(&r, M_GET, bad[i], &allowed));
		assert_int_equal(allowed, 0);
	}
}

static void test_not_found(void **state)
{
	static const char *const paths[] = {
		"/events", "/events/", "/events/Fun", "/events/-x", "/events/a/b",
		"/events/..", "/events/../etc", "//", "/healthz/", "/nope",
		"/events/a_b", "/events/\xc3\xa9",
	};
	unsigned allowed;
	struct req r;
	char longslug[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_null(find(&r, M_GET, paths[i], &allowed));
		assert_int_equal(allowed, 0);
	}
	strcpy(longslug, "/events/");
	memset(longslug + 8, 'a', 65);
	longslug[8 + 65] = '\0';
	assert_null(find(&r, M_GET, longslug, &allowed));
	longslug[8 + 64] = '\0';
	assert_non_null(find(&r, M_GET, longslug, &allowed));
}

static void test_method_not_allowed(void **state)
{
	unsigned allowed;
	struct req r;

	(void)state;
	assert_null(find(&r, M_POST, "/", &allowed));
	assert_int_equal(allowed, M_GET | M_HEAD);
	assert_string_equal(route_allow_header(a, allowed), "GET, HEAD");
	assert_null(find(&r, M_GET, "/events/x/rsvp", &allowed));
	assert_int_equal(allowed, M_POST);
	assert_string_equal(route_allow_header(a, allowed), "POST");
	assert_null(find(&r, M_OTHER, "/events/x", &allowed));
	assert_int_equal(allowed, M_GET | M_HEAD);
	assert_string_equal(route_allow_header(a, M_GET | M_HEAD | M_POST), "GET, HEAD, POST");
}

/* Admin routes carry the shared checks; the session cookie fits the scheme. */
static void test_admin_routes_and_cookie(void **state)
{
	static const struct { enum method m; const char *path; unsigned flags; } admin[] = {
		{ M_GET, "/admin", RF_ADMIN },
		{ M_POST, "/admin/logout", RF_ADMIN | RF_CSRF },
		{ M_GET, "/admin/events/new", RF_ADMIN },
		{ M_POST, "/admin/events/new", RF_ADMIN | RF_CSRF },
		{ M_POST, "/admin/events/x/edit", RF_ADMIN | RF_CSRF },
		{ M_POST, "/admin/events/x/rsvps", RF_ADMIN | RF_CSRF },
		{ M_GET, "/admin/events/x/rsvps.csv", RF_ADMIN },
		{ M_GET, "/admin/events/x/stats", RF_ADMIN },
		{ M_GET, "/admin/events/x/items", RF_ADMIN },
		{ M_POST, "/admin/events/x/items", RF_ADMIN | RF_CSRF },
		{ M_GET, "/admin/events/x/items.csv", RF_ADMIN },
		{ M_GET, "/admin/outbox", RF_ADMIN },
		{ M_POST, "/admin/outbox", RF_ADMIN | RF_CSRF },
		{ M_GET, "/admin/login", 0 },
		{ M_POST, "/admin/login", 0 },
	};
	const struct route *rt;
	unsigned allowed;
	struct req r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(admin) / sizeof(admin[0]); i++) {
		rt = find(&r, admin[i].m, admin[i].path, &allowed);
		assert_non_null(rt);
		assert_int_equal(rt->flags & (RF_ADMIN | RF_CSRF), admin[i].flags);
		assert_true(route_is_admin(admin[i].path));
	}
	assert_false(route_is_admin("/administrator"));
	assert_false(route_is_admin("/events/admin"));
	rt = find(&r, M_GET, "/events/fun-run-5k.ics", &allowed);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_event_ics);
	assert_null(find(&r, M_GET, "/events/-x.ics", &allowed));
	assert_null(find(&r, M_GET, "/events/x.ICS", &allowed));
	req_init(&r, a);
	assert_string_equal(route_session_cookie(&r, "ab", 0),
	    "turnout_admin=ab; Path=/; HttpOnly; SameSite=Lax");
	r.https = 1;
	assert_string_equal(route_session_cookie(&r, "ab", 0),
	    "__Host-turnout_admin=ab; Path=/; HttpOnly; SameSite=Lax; Secure");
	assert_string_equal(route_session_cookie(&r, "", 1),
	    "__Host-turnout_admin=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_token_capture),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_admin_routes_and_cookie),
	};
	int rc;

	a = arena_new();
	rc = cmocka_run_group_tests_name("route", tests, NULL, NULL);
	arena_free(a);
	return rc;
}
