#ifndef TURNOUT_FIELDS_H
#define TURNOUT_FIELDS_H

#include <stdint.h>

#include "arena.h"
#include "request.h"

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
