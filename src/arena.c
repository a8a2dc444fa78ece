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

struct arena {
	struct block *head;
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
	return a;
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
	free_rest(a->head);
	free(a->head);
	free(a);
}

void arena_reset(struct arena *a)
{
	struct block *keep = a->head;

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

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		log_fatal("bad format \"%s\"", fmt);
	p = arena_alloc(a, (size_t)n + 1);
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
