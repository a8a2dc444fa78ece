#ifndef TURNOUT_FIELDS_H
#define TURNOUT_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "request.h"

/*
 * Every field a route may take. route.c lists each route's fields,
 * fields.c bounds each one (its longest value), and the router refuses a
 * form field its route does not take, or a value past its bound, before
 * any handler runs (400). Handlers read fields with field_get() and check
 * what the values mean with the validators below. The last ones are
 * families: the name is a prefix followed by an item's or RSVP's id.
 */
enum field {
	F_ACTION, F_CAPACITY, F_CAPPED, F_CATEGORY, F_CONFIRM, F_CSRF, F_DESCRIPTION,
	F_DONE, F_EDIT_VERSION, F_EMAIL, F_ENDS, F_FORM_TOKEN, F_FROM, F_GUESTS, F_HOLD,
	F_HOLD_SECONDS, F_ID, F_ITEM, F_LINES, F_LOCATION, F_MAX_GUESTS, F_N, F_NAME, F_NEW,
	F_NOTE, F_OUT, F_PASSWORD, F_PER_PERSON, F_PICKUP, F_PRICE, F_Q, F_QUANTITY,
	F_RENEWALS, F_RSVP, F_RSVP_CLOSES, F_RSVP_OPENS, F_SAVED, F_SLUG, F_STARTS, F_STATUS,
	F_STOCK, F_SUGGESTED, F_TITLE, F_UNIT, F_VARIANT, F_VERSION,
	F_DISPLAY, F_DIVISION, F_ENTRY, F_LABEL, F_MESSAGE, F_REASON, F_ROUND, F_SCORE, F_VALUE,
	F_KIND, F_RULE, F_ROUNDS, F_SELF_SCORING, F_ROLE, F_REFRESH, F_CONTACT,
	F_ITEM_N, F_PICK_N, F_VERSION_N,
	F__MAX
};

/*
 * A route's set of fields: FIELD(F_NAME) | FIELD(F_EMAIL) ... One bit per
 * field; 64 were not enough, and a 128-bit integer (GCC and Clang) keeps
 * the sets plain values that | and & combine.
 */
typedef unsigned __int128 fieldset;
#define FIELD(f) ((fieldset)1 << (f))
_Static_assert(F__MAX <= 128, "a route's fields are the bits of a fieldset");

/*
 * Check r's form and query against `fields`: every field of a POST's form
 * must be one of them, within its bound; query fields that are not are ignored (links
 * from elsewhere carry their own). Indexes the values for field_get().
 * Returns 0, or 400 with r->error naming the field.
 */
int field_check(struct req *r, fieldset fields);

/* The value of field f (not a family) in r's form, else its query; NULL if absent. */
const char *field_get(const struct req *r, enum field f);

/* If key is a member of family f ("item_12" of F_ITEM_N), its id text ("12"); else NULL. */
const char *field_member_id(const char *key, enum field f);

/* The value of family f's member for id in r's form, or NULL. */
const char *field_member(const struct req *r, enum field f, int64_t id);

/*
 * Validators for the fields of our forms. Each takes the raw (decoded,
 * UTF-8-valid) value or NULL when absent and returns NULL when it is
 * fine, with the cleaned value in *out, or a message for the visitor.
 */
const char *field_name(struct arena *a, const char *v, const char **out);
const char *field_email(struct arena *a, const char *v, const char **out);
const char *field_note(struct arena *a, const char *v, const char **out);
/* A whole number from 0 to max written in plain digits. */
const char *field_guests(const char *v, int max, int *out);
/*
 * A quantity for the potluck: plain digits from 0 to POTLUCK_QUANTITY_MAX;
 * absent or empty is 0.
 */
const char *field_quantity(const char *v, int64_t *out);
/* An id or version from a hidden field: 1 to 18 plain digits. */
const char *field_id(const char *v, int64_t *out);
/*
 * Admin form fields, `what` names the field in messages. Text: trimmed,
 * at most max characters, one line if single_line; empty only if
 * min_chars is 0. Number: plain digits from 0 to max; "" gives blank.
 * Time: "YYYY-MM-DDTHH:MM" in the site's zone; "" gives 0 unless required.
 */
const char *field_text(struct arena *a, const char *v, size_t min_chars, size_t max,
    int single_line, const char *what, const char **out);
const char *field_number(struct arena *a, const char *v, int64_t max, int64_t blank,
    const char *what, int64_t *out);
const char *field_time(struct arena *a, const char *v, int required, const char *what,
    int64_t *out);

/* The one-time form token: present, ours, made for `purpose`, not expired. */
const char *field_form_token(const char *v, const char *purpose);

/*
 * The purpose a form's token is bound to: the form and what it acts on,
 * e.g. form_purpose(a, "rsvp", slug) or form_purpose(a, "cancel", token).
 */
const char *form_purpose(struct arena *a, const char *form, const char *subject);

/* "Ann B." from "Ann Bell" (the first word and the last word's initial). */
const char *field_short_name(struct arena *a, const char *name);

/* "A. B." from "Ann Bell" (first letters of the first and last words). */
const char *field_initials(struct arena *a, const char *name);

#endif
