#ifndef TURNOUT_ARENA_H
#define TURNOUT_ARENA_H

#include <stddef.h>

/*
 * A request-lifetime memory pool: many small allocations, one reset
 * (which also runs the cleanups registered since the last).
 * Allocation failure aborts the process (a worker that cannot allocate
 * a few kilobytes cannot answer anyway; the master starts a new one).
 */
struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Release everything allocated since arena_new(), keeping one block for reuse. */
void arena_reset(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);
/*
 * Room for element n of an array growing in a: *items holds *cap elements
 * of size bytes (none at first: NULL and 0); when n reaches *cap, a copy
 * twice as large replaces it (the old one stays until the arena goes).
 * Returns element n's address, not initialised.
 */
void *arena_slot(struct arena *a, void **items, size_t *cap, size_t n, size_t size);
/*
 * Call fn(arg) when a is next reset or freed, newest first: how a foreign
 * resource (a template dictionary) lives exactly as long as the request.
 */
void arena_cleanup(struct arena *a, void (*fn)(void *), void *arg);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Formatted string, allocated in the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Text that grows in an arena (for files built piece by piece): buf is
 * NUL-terminated after every put; outgrown copies stay until the arena
 * is reset. Start from { .a = arena }.
 */
struct arena_buf {
	struct arena *a;
	char *buf;
	size_t len, cap;
};

void arena_buf_put(struct arena_buf *b, const char *s, size_t n);

#endif
