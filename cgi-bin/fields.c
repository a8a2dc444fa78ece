#include <string.h>

#include "admin_user.h"
#include "clock.h"
#include "fields.h"
#include "mail.h"
#include "potluck.h"
#include "rsvp.h"
#include "token.h"
#include "tz.h"

/*
 * Each field's name and its longest value in bytes: well above what the
 * validators allow (a name of 100 characters may take 400 bytes), so the
 * validators word the refusal of anything a person could type; the bound
 * stops what no form of ours sends. A family's name is its prefix.
 */
static const struct {
	const char *name;
	size_t max;
} specs[F__MAX] = {
	[F_ACTION] = { "action", 32 },
	[F_CAPACITY] = { "capacity", 32 },
	[F_CAPPED] = { "capped", 8 },
	[F_CATEGORY] = { "category", 32 },
	[F_CONFIRM] = { "confirm", 16 },
	[F_CSRF] = { "csrf", 128 },
	[F_DESCRIPTION] = { "description", 100000 },
	[F_DONE] = { "done", 32 },
	[F_EDIT_VERSION] = { "edit_version", 24 },
	[F_EMAIL] = { "email", 1024 },
	[F_ENDS] = { "ends", 32 },
	[F_FORM_TOKEN] = { "form_token", 128 },
	[F_FROM] = { "from", 16 },
	[F_GUESTS] = { "guests", 24 },
	[F_HOLD] = { "hold", 24 },
	[F_HOLD_SECONDS] = { "hold_seconds", 24 },
	[F_ID] = { "id", 24 },
	[F_ITEM] = { "item", 24 },
	[F_LINES] = { "lines", 200000 },
	[F_LOCATION] = { "location", 1000 },
	[F_MAX_GUESTS] = { "max_guests", 24 },
	[F_N] = { "n", 24 },
	[F_NAME] = { "name", 1000 },
	[F_NEW] = { "new", 8 },
	[F_NOTE] = { "note", 5000 },
	[F_OUT] = { "out", 8 },
	[F_PASSWORD] = { "password", ADMIN_PASSWORD_MAX },
	[F_PER_PERSON] = { "per_person", 24 },
	[F_PICKUP] = { "pickup", 10000 },
	[F_PRICE] = { "price", 1000 },
	[F_Q] = { "q", 400 },
	[F_QUANTITY] = { "quantity", 24 },
	[F_RENEWALS] = { "renewals", 24 },
	[F_RSVP] = { "rsvp", 24 },
	[F_RSVP_CLOSES] = { "rsvp_closes", 32 },
	[F_RSVP_OPENS] = { "rsvp_opens", 32 },
	[F_SAVED] = { "saved", 8 },
	[F_SLUG] = { "slug", 256 },
	[F_STARTS] = { "starts", 32 },
	[F_STATUS] = { "status", 32 },
	[F_STOCK] = { "stock", 24 },
	[F_SUGGESTED] = { "suggested", 24 },
	[F_TITLE] = { "title", 1000 },
	[F_UNIT] = { "unit", 200 },
	[F_VARIANT] = { "variant", 24 },
	[F_VERSION] = { "version", 24 },
	[F_DISPLAY] = { "display", 400 },
	[F_DIVISION] = { "division", 24 },
	[F_ENTRY] = { "entry", 24 },
	[F_LABEL] = { "label", 400 },
	[F_MESSAGE] = { "message", 4000 },
	[F_REASON] = { "reason", 1000 },
	[F_ROUND] = { "round", 24 },
	[F_SCORE] = { "score", 24 },
	[F_VALUE] = { "value", 64 },
	[F_KIND] = { "kind", 32 },
	[F_RULE] = { "rule", 32 },
	[F_ROUNDS] = { "rounds", 24 },
	[F_SELF_SCORING] = { "self_scoring", 8 },
	[F_ROLE] = { "role", 32 },
	[F_REFRESH] = { "refresh", 8 },
	[F_CONTACT] = { "contact", 1000 },
	[F_ITEM_N] = { "item_", 24 },
	[F_PICK_N] = { "pick_", 8 },
	[F_VERSION_N] = { "version_", 24 },
};

#define FAMILY(f) ((f) >= F_ITEM_N)

const char *field_member_id(const char *key, enum field f)
{
	size_t n = strlen(specs[f].name), d;

	if (!FAMILY(f) || strncmp(key, specs[f].name, n) != 0)
		return NULL;
	d = strspn(key + n, "0123456789");
	return d >= 1 && d <= 18 && key[n + d] == '\0' ? key + n : NULL;
}

/* The field key names (a member of a family counts as the family), or F__MAX. */
static enum field field_of(const char *key)
{
	int f;

	for (f = 0; f < F__MAX; f++)
		if (FAMILY(f) ? field_member_id(key, (enum field)f) != NULL :
		    strcmp(key, specs[f].name) == 0)
			return (enum field)f;
	return F__MAX;
}

/* Index kv[0..n) by field, checking bounds; form fields must be in fields. */
static int index_pairs(struct req *r, const struct kv *kv, int n, fieldset fields,
    int is_form)
{
	enum field f;
	int i;

	for (i = 0; i < n; i++) {
		f = field_of(kv[i].key);
		if (f == F__MAX || !(fields & FIELD(f))) {
			if (!is_form)
				continue;
			r->error = arena_printf(r->a, "This form has a field it should not"
			    " have (%.64s). Use the forms on this site.", kv[i].key);
			return 400;
		}
		if (strlen(kv[i].val) > specs[f].max) {
			r->error = arena_printf(r->a, "The field %s is too long (at most %zu"
			    " bytes).", specs[f].name, specs[f].max);
			return 400;
		}
		if (!FAMILY(f) && (is_form || r->fields[f] == NULL))
			r->fields[f] = kv[i].val;
	}
	return 0;
}

int field_check(struct req *r, fieldset fields)
{
	int status;

	r->fields = arena_alloc(r->a, F__MAX * sizeof(*r->fields));
	memset(r->fields, 0, F__MAX * sizeof(*r->fields));
	/* Only a POST has a form (a body sent with a GET is no form of ours);
	 * the form's value wins over the query's. */
	if (r->method == M_POST &&
	    (status = index_pairs(r, r->form, r->nform, fields, 1)) != 0)
		return status;
	return index_pairs(r, r->query, r->nquery, fields, 0);
}

const char *field_get(const struct req *r, enum field f)
{
	return r->fields != NULL ? r->fields[f] : NULL;
}

const char *field_member(const struct req *r, enum field f, int64_t id)
{
	const char *key = arena_printf(r->a, "%s%lld", specs[f].name, (long long)id);
	int i;

	for (i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].key, key) == 0)
			return r->form[i].val;
	return NULL;
}

/* Trim spaces and tabs from both ends into a new arena string. */
static char *trim(struct arena *a, const char *v)
{
	size_t n;

	v += strspn(v, " \t");
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return arena_strndup(a, v, n);
}

/* Code points in a valid UTF-8 string. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

const char *field_name(struct arena *a, const char *v, const char **out)
{
	char *s;

	if (v == NULL || *(s = trim(a, v)) == '\0')
		return "Please enter your name.";
	/* A line break in a name is a header-injection attempt, never a name. */
	if (strpbrk(s, "\r\n\t") != NULL)
		return "A name must be a single line.";
	if (chars(s) > RSVP_NAME_MAX)
		return "That name is too long (at most 100 characters).";
	*out = s;
	return NULL;
}

const char *field_email(struct arena *a, const char *v, const char **out)
{
	const char *msg;
	char *s, *p;

	if (v == NULL || *(s = trim(a, v)) == '\0')
		return "Please enter your e-mail address.";
	/* Folded first: Ann@Example.org and ann@example.org are one person. */
	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if ((msg = mail_addr_problem(s)) != NULL)
		return msg;
	*out = s;
	return NULL;
}

const char *field_note(struct arena *a, const char *v, const char **out)
{
	char *s = trim(a, v != NULL ? v : "");

	if (chars(s) > RSVP_NOTE_MAX)
		return "The note is too long (at most 1000 characters).";
	*out = s;
	return NULL;
}

/* Plain digits, at most maxlen of them, into *out; -1 if v is anything else. */
static int digits(const char *v, size_t maxlen, int64_t *out)
{
	size_t n = strlen(v);
	int64_t x = 0;

	if (n == 0 || n > maxlen || strspn(v, "0123456789") != n)
		return -1;
	for (; *v != '\0'; v++)
		x = x * 10 + (*v - '0');
	*out = x;
	return 0;
}

const char *field_guests(const char *v, int max, int *out)
{
	int64_t g = 0;

	if (v != NULL && *v != '\0' && digits(v, 3, &g) != 0)
		return "Guests must be a whole number.";
	if (g > max)
		return max == 0 ? "This event takes no guests." :
		    "That is more guests than this event allows.";
	*out = (int)g;
	return NULL;
}

const char *field_quantity(const char *v, int64_t *out)
{
	int64_t q = 0;

	if (v != NULL && *v != '\0' && (digits(v, 5, &q) != 0 || q > POTLUCK_QUANTITY_MAX))
		return "Quantities must be whole numbers from 0 to 10000.";
	*out = q;
	return NULL;
}

const char *field_id(const char *v, int64_t *out)
{
	if (v == NULL || digits(v, 18, out) != 0)
		return "The form was incomplete. Please reload the page and try again.";
	return NULL;
}

const char *field_text(struct arena *a, const char *v, size_t min_chars, size_t max,
    int single_line, const char *what, const char **out)
{
	char *s = trim(a, v != NULL ? v : "");

	if (chars(s) < min_chars)
		return arena_printf(a, "Please fill in the %s.", what);
	if (single_line && strpbrk(s, "\r\n\t") != NULL)
		return arena_printf(a, "The %s must be a single line.", what);
	if (chars(s) > max)
		return arena_printf(a, "The %s is too long (at most %zu characters).", what, max);
	*out = s;
	return NULL;
}

const char *field_number(struct arena *a, const char *v, int64_t max, int64_t blank,
    const char *what, int64_t *out)
{
	int64_t n = 0;
	size_t len;

	if (v == NULL || *(v += strspn(v, " ")) == '\0') {
		*out = blank;
		return NULL;
	}
	len = strlen(v);
	if (len > 9 || strspn(v, "0123456789") != len)
		return arena_printf(a, "The %s must be a whole number.", what);
	for (; *v != '\0'; v++)
		n = n * 10 + (*v - '0');
	if (n > max)
		return arena_printf(a, "The %s can be at most %lld.", what, (long long)max);
	*out = n;
	return NULL;
}

const char *field_time(struct arena *a, const char *v, int required, const char *what,
    int64_t *out)
{
	if (v == NULL || *v == '\0') {
		*out = 0;
		return required ? arena_printf(a, "Please fill in the %s.", what) : NULL;
	}
	if (tz_parse_local(v, out) != 0)
		return arena_printf(a, "The %s must be a date and time such as"
		    " 2026-12-05T18:30.", what);
	return NULL;
}

const char *form_purpose(struct arena *a, const char *form, const char *subject)
{
	return arena_printf(a, "%s:%s", form, subject);
}

const char *field_form_token(const char *v, const char *purpose)
{
	if (v == NULL || *v == '\0')
		return "The form was incomplete. Please reload the page and try again.";
	switch (token_form_check(v, clock_now(), purpose)) {
	case TOKEN_OK:
		return NULL;
	case TOKEN_EXPIRED:
		return "This form has expired. Please reload the page and try again.";
	default:
		/* Forged, or made for another form or another RSVP. */
		return "This form was not sent by this site for this page."
		    " Please reload the page and try again.";
	}
}

/* Length in bytes of the UTF-8 character starting at s. */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;

	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* The first word of name and where its last word starts (NULL: one word). */
static const char *last_word(const char *first, size_t *first_len)
{
	const char *last = NULL, *p;

	*first_len = strcspn(first, " ");
	for (p = first; *p != '\0'; p++)
		if (p[0] == ' ' && p[1] != ' ' && p[1] != '\0')
			last = p + 1;
	return last;
}

const char *field_short_name(struct arena *a, const char *name)
{
	const char *first = name + strspn(name, " "), *last;
	size_t n;

	last = last_word(first, &n);
	if (last == NULL)
		return arena_strndup(a, first, n);
	return arena_printf(a, "%.*s %.*s.", (int)n, first, (int)char_len(last), last);
}

const char *field_initials(struct arena *a, const char *name)
{
	const char *first = name + strspn(name, " "), *last;
	size_t n;

	if (*first == '\0')
		return "?";
	last = last_word(first, &n);
	if (last == NULL)
		return arena_printf(a, "%.*s.", (int)char_len(first), first);
	return arena_printf(a, "%.*s. %.*s.", (int)char_len(first), first,
	    (int)char_len(last), last);
}
