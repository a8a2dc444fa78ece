/*
 * The request arena: cleanups run once, newest first, at reset and at free;
 * arrays grow in it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tpl.h"

struct calls {
	char order[8];
	int n;
};

struct mark {
	struct calls *calls;
	char name;
};

static void record(void *arg)
{
	struct mark *m = arg;

	m->calls->order[m->calls->n++] = m->name;
}

static void test_cleanups_at_reset_and_free(void **state)
{
	struct calls calls = { { 0 }, 0 };
	struct mark a = { &calls, 'a' }, b = { &calls, 'b' }, c = { &calls, 'c' };
	struct arena *ar = arena_new();
	int i;

	(void)state;
	arena_cleanup(ar, record, &a);
	/* Enough allocations to need more blocks: the nodes must survive them. */
	for (i = 0; i < 100; i++)
		arena_alloc(ar, 1000);
	arena_cleanup(ar, record, &b);
	arena_reset(ar);
	assert_int_equal(calls.n, 2);
	assert_memory_equal(calls.order, "ba", 2);
	/* A reset forgets them: the next reset runs none of them again. */
	arena_reset(ar);
	assert_int_equal(calls.n, 2);
	arena_cleanup(ar, record, &c);
	arena_free(ar);
	assert_int_equal(calls.n, 3);
	assert_int_equal(calls.order[2], 'c');
}

/* A growing array keeps every element as it doubles. */
static void test_slots(void **state)
{
	struct arena *a = arena_new();
	void *items = NULL;
	size_t cap = 0, i;
	int *p;

	(void)state;
	for (i = 0; i < 100; i++) {
		p = arena_slot(a, &items, &cap, i, sizeof(*p));
		*p = (int)i * 3;
	}
	assert_true(cap >= 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(((int *)items)[i], (int)i * 3);
	arena_free(a);
}

/*
 * A formatted string is whole whether it fits in the block's free end
 * (exactly, or with a byte short, where the first attempt was cut) or is
 * bigger than a block, and never writes over what was allocated before.
 */
static void test_printf_sizes(void **state)
{
	static const size_t lens[] = { 0, 61, 62, 63, 5000, 40000 };
	char *big = malloc(40001), *before, *s;
	size_t i;

	(void)state;
	memset(big, 'x', 40000);
	big[40000] = '\0';
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct arena *a = arena_new();

		/* 16 KB blocks: leave 64 bytes, room for "<", 61 x, ">" and NUL. */
		before = arena_alloc(a, 16 * 1024 - 64);
		memset(before, 'b', 16 * 1024 - 64);
		s = arena_printf(a, "<%.*s>", (int)lens[i], big);
		assert_int_equal(strlen(s), lens[i] + 2);
		assert_int_equal(s[0], '<');
		assert_int_equal(s[lens[i] + 1], '>');
		assert_int_equal(strspn(s + 1, "x"), lens[i]);
		assert_int_equal(before[16 * 1024 - 65], 'b');
		assert_string_equal(arena_printf(a, "%d", 7), "7");
		assert_int_equal(s[lens[i] + 1], '>');
		arena_free(a);
	}
	free(big);
}

/* A dictionary lives as long as its arena: Valgrind reports a leak otherwise. */
static void test_dictionary_freed_with_arena(void **state)
{
	struct arena *ar = arena_new();
	struct tpl_dict *d = tpl_dict_new(ar);

	(void)state;
	tpl_set(tpl_section(d, "ROW"), "NAME", "x");
	arena_reset(ar);
	d = tpl_dict_new(ar);
	tpl_set(d, "NAME", "y");
	arena_free(ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cleanups_at_reset_and_free),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_printf_sizes),
		cmocka_unit_test(test_dictionary_freed_with_arena),
	};

	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
