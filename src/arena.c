#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

#define BLOCK_SIZE (16 * 1024)

struct block {
	struct block *next;
	size_t size, used;
	max_align_t data[];
};

struct cleanup {
	void (*fn)(void *);
	void *arg;
	struct cleanup *next;
};

struct arena {
	struct block *head;
	struct cleanup *cleanups;	/* newest first; the nodes live in the blocks */
};

static struct block *block_new(size_t size)
{
	struct block *b = malloc(sizeof(*b) + size);

	if (b == NULL)
		log_fatal("out of memory (%zu bytes)", size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *arena_new(void)
{
	struct arena *a = malloc(sizeof(*a));

	if (a == NULL)
		log_fatal("out of memory");
	a->head = block_new(BLOCK_SIZE);
	a->cleanups = NULL;
	return a;
}

void arena_cleanup(struct arena *a, void (*fn)(void *), void *arg)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
}

/* Run and forget the cleanups, before the blocks holding them go. */
static void run_cleanups(struct arena *a)
{
	struct cleanup *c;

	while ((c = a->cleanups) != NULL) {
		a->cleanups = c->next;
		c->fn(c->arg);
	}
}

/* Frees every block after the first one in the list. */
static void free_rest(struct block *b)
{
	struct block *next;

	for (b = b->next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

void arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	run_cleanups(a);
	free_rest(a->head);
	free(a->head);
	free(a);
}

void arena_reset(struct arena *a)
{
	struct block *keep;

	run_cleanups(a);
	keep = a->head;
	/* Keep the most recent block: usually the only one. */
	free_rest(keep);
	keep->next = NULL;
	keep->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct block *b = a->head;
	void *p;

	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	if (b->size - b->used < n) {
		b = block_new(n > BLOCK_SIZE ? n : BLOCK_SIZE);
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

void *arena_slot(struct arena *a, void **items, size_t *cap, size_t n, size_t size)
{
	void *more;

	if (n >= *cap) {
		more = arena_alloc(a, (*cap > 0 ? 2 * *cap : 16) * size);
		if (*cap > 0)
			memcpy(more, *items, *cap * size);
		*items = more;
		*cap = *cap > 0 ? 2 * *cap : 16;
	}
	return (char *)*items + n * size;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/*
 * Formats straight into the free end of the newest block and keeps it if
 * it fitted, which it nearly always does: measuring first with
 * vsnprintf(NULL, 0) formatted everything twice, the first time through
 * glibc's slow path for a missing buffer (a tenth of the e-mail worker's
 * time, whose bodies are kilobytes).
 */
char *arena_printf(struct arena *a, const char *fmt, ...)
{
	struct block *b = a->head;
	size_t room = b->size - b->used;
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf((char *)b->data + b->used, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		log_fatal("bad format \"%s\"", fmt);
	/* room is a multiple of the alignment, so this takes what was written. */
	p = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < room)
		return p;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_buf_put(struct arena_buf *b, const char *s, size_t n)
{
	char *bigger;

	if (b->len + n + 1 > b->cap) {
		b->cap = 2 * (b->len + n + 1);
		bigger = arena_alloc(b->a, b->cap);
		if (b->len > 0)
			memcpy(bigger, b->buf, b->len);
		b->buf = bigger;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}
