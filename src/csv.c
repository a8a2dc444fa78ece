#include <stdio.h>
#include <string.h>

#include "csv.h"

static void put(struct csv *c, const char *s, size_t n)
{
	arena_buf_put(&c->out, s, n);
}

void csv_init(struct csv *c, struct arena *a)
{
	memset(c, 0, sizeof(*c));
	c->out.a = a;
	put(c, "\xef\xbb\xbf", 3);
}

void csv_cell(struct csv *c, const char *s)
{
	const char *q;

	if (c->cells++ > 0)
		put(c, ",", 1);
	put(c, "\"", 1);
	if (strchr("=+-@\t\r", *s) != NULL && *s != '\0')
		put(c, "'", 1);
	/* Inside quotes only the quote itself needs doubling. */
	while ((q = strchr(s, '"')) != NULL) {
		put(c, s, (size_t)(q - s) + 1);
		put(c, "\"", 1);
		s = q + 1;
	}
	put(c, s, strlen(s));
	put(c, "\"", 1);
}

void csv_cell_int(struct csv *c, long long n)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", n);
	csv_cell(c, buf);
}

void csv_end_row(struct csv *c)
{
	put(c, "\r\n", 2);
	c->cells = 0;
}

void csv_row(struct csv *c, const char *const *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		csv_cell(c, cells[i]);
	csv_end_row(c);
}

void csv_drain(struct csv *c, void (*out)(void *sink, const char *s, size_t n), void *sink)
{
	if (c->out.len > 0)
		out(sink, c->out.buf, c->out.len);
	c->out.len = 0;
}
