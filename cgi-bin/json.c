#include <string.h>

#include "json.h"
#include "request.h"

struct cursor {
	const char *p, *end;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' ||
	    *c->p == '\r'))
		c->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char h = p[i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A string at c->p (on its quote) into an arena string of at most max bytes. */
static const char *string(struct arena *a, struct cursor *c, size_t max, const char **out)
{
	char *buf = arena_alloc(a, max + 4), *o = buf;
	unsigned u;

	if (c->p >= c->end || *c->p != '"')
		return "a string was expected";
	for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
		/* Raw characters are counted here, escapes once decoded (up to 3 bytes). */
		if ((size_t)(o - buf) >= max)
			return "a string is too long";
		if ((unsigned char)*c->p < 0x20)
			return "a string holds a control character";
		if (*c->p != '\\') {
			*o++ = *c->p;
			continue;
		}
		if (++c->p >= c->end)
			return "a string is not closed";
		switch (*c->p) {
		case '"': case '\\': case '/':
			*o++ = *c->p;
			break;
		case 'b': case 'f': case 'n': case 'r': case 't':
			return "a string holds a control character";
		case 'u':
			if (c->end - c->p < 5 || hex4(c->p + 1, &u) != 0)
				return "a \\u escape needs four hex digits";
			if (u < 0x20 || (u >= 0xd800 && u <= 0xdfff))
				return "a \\u escape of a control character or a surrogate is not"
				    " accepted";
			c->p += 4;
			if (u < 0x80) {
				*o++ = (char)u;
			} else if (u < 0x800) {
				*o++ = (char)(0xc0 | u >> 6);
				*o++ = (char)(0x80 | (u & 0x3f));
			} else {
				*o++ = (char)(0xe0 | u >> 12);
				*o++ = (char)(0x80 | (u >> 6 & 0x3f));
				*o++ = (char)(0x80 | (u & 0x3f));
			}
			break;
		default:
			return "a string has an unknown escape";
		}
		if ((size_t)(o - buf) > max)
			return "a string is too long";
	}
	if (c->p >= c->end)
		return "a string is not closed";
	c->p++;
	*o = '\0';
	*out = buf;
	return NULL;
}

/* Skip the digits at c->p; how many there were. */
static size_t digits(struct cursor *c)
{
	const char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return (size_t)(c->p - start);
}

/* RFC 8259's number grammar; the literal text into *out. */
static const char *number(struct arena *a, struct cursor *c, const char **out)
{
	const char *start = c->p;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (digits(c) == 0)
		return "a value must be a string or a number";
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (digits(c) == 0)
			return "a number has no digits after its point";
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (digits(c) == 0)
			return "a number has no digits in its exponent";
	}
	if ((size_t)(c->p - start) > JSON_VALUE_MAX)
		return "a number is too long";
	*out = arena_strndup(a, start, (size_t)(c->p - start));
	return NULL;
}

const char *json_flat_parse(struct arena *a, const char *s, size_t n,
    struct json_pair **pairs, int *npairs)
{
	struct cursor c = { s, s + n };
	struct json_pair *p = arena_alloc(a, JSON_PAIRS_MAX * sizeof(*p));
	const char *err;
	int i, k = 0;

	*npairs = 0;
	if (!req_utf8_valid(s, n) || memchr(s, '\0', n) != NULL)
		return "the body is not valid UTF-8 text";
	skip_ws(&c);
	if (c.p >= c.end || *c.p++ != '{')
		return "the body must be a JSON object";
	skip_ws(&c);
	while (c.p < c.end && *c.p != '}') {
		if (k > 0) {
			if (*c.p++ != ',')
				return "members must be separated by commas";
			skip_ws(&c);
		}
		if (k == JSON_PAIRS_MAX)
			return "the object has too many members";
		if ((err = string(a, &c, JSON_KEY_MAX, &p[k].key)) != NULL)
			return err;
		for (i = 0; i < k; i++)
			if (strcmp(p[i].key, p[k].key) == 0)
				return "a member appears twice";
		skip_ws(&c);
		if (c.p >= c.end || *c.p++ != ':')
			return "a member needs a colon after its name";
		skip_ws(&c);
		p[k].is_string = c.p < c.end && *c.p == '"';
		err = p[k].is_string ? string(a, &c, JSON_VALUE_MAX, &p[k].value) :
		    number(a, &c, &p[k].value);
		if (err != NULL)
			return err;
		k++;
		skip_ws(&c);
	}
	if (c.p >= c.end)
		return "the object is not closed";
	c.p++;
	skip_ws(&c);
	if (c.p != c.end)
		return "there is something after the object";
	*pairs = p;
	*npairs = k;
	return NULL;
}
