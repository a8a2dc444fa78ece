#ifndef TURNOUT_CSV_H
#define TURNOUT_CSV_H

#include <stddef.h>

#include "arena.h"

/*
 * A CSV file built in an arena: UTF-8 with a byte-order mark (so
 * spreadsheets do not guess another encoding), CRLF rows (RFC 4180),
 * every cell quoted. A cell a spreadsheet would run as a formula (one
 * starting with =, +, -, @, tab or CR) gets a ' in front.
 */
struct csv {
	struct arena_buf out;	/* the file so far: out.buf, out.len */
	int cells;		/* in the current row */
};

void csv_init(struct csv *c, struct arena *a);
void csv_cell(struct csv *c, const char *s);
void csv_cell_int(struct csv *c, long long n);
void csv_end_row(struct csv *c);
/* A whole row of n cells, e.g. the header. */
void csv_row(struct csv *c, const char *const *cells, size_t n);
/*
 * Stream: hand what is built so far to out(sink, bytes, n) and start
 * again with an empty buffer (its memory is reused).
 */
void csv_drain(struct csv *c, void (*out)(void *sink, const char *s, size_t n), void *sink);

#endif
