#ifndef TURNOUT_JSON_H
#define TURNOUT_JSON_H

#include <stddef.h>

#include "arena.h"

#define JSON_PAIRS_MAX 8
#define JSON_KEY_MAX 32		/* bytes of a key */
#define JSON_VALUE_MAX 64	/* bytes of a value */

/* One member of a flat JSON object: a string, or a number's literal text. */
struct json_pair {
	const char *key, *value;
	int is_string;
};

/*
 * Parse s[0..n), which must be exactly one flat JSON object (RFC 8259)
 * whose values are strings or numbers: no nesting, arrays, true, false or
 * null; at most JSON_PAIRS_MAX members, none twice, keys and values
 * within their bounds (in bytes, after unescaping), valid UTF-8, no
 * control characters (escaped or not). Strings are unescaped (\u escapes
 * of surrogates are refused); numbers are kept as written. The
 * pairs are allocated in a. Returns NULL, or what is wrong (lower case).
 */
const char *json_flat_parse(struct arena *a, const char *s, size_t n,
    struct json_pair **pairs, int *npairs);

#endif
