#ifndef TURNOUT_TOKEN_H
#define TURNOUT_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Tokens, all printed as lower-case hex:
 * - form tokens (one per rendered form, for idempotent POSTs): the issue
 *   time, 128 random bits and a MAC under the site secret over those and
 *   the form's purpose (e.g. "rsvp:fun-run-5k"), so the server tells its
 *   own fresh tokens without storing them at render time, and a token made
 *   for one form is refused by every other;
 * - manage tokens (the secret link of an RSVP): 128 bits derived from the
 *   form token that created the RSVP, so a replayed POST redirects to the
 *   same link, though only the link's hash is stored.
 */
#define TOKEN_SECRET_LEN 32
#define TOKEN_FORM_HEX 80		/* 8 time + 16 random + 16 MAC bytes */
#define TOKEN_MANAGE_HEX 32		/* 16 bytes */
#define TOKEN_HASH_LEN 32
#define TOKEN_FORM_TTL (24 * 3600)
#define TOKEN_FORM_SKEW 300		/* seconds a form token may come from the future */

enum token_check { TOKEN_OK, TOKEN_MALFORMED, TOKEN_EXPIRED };

/* Initialise libsodium and set the site secret. Returns 0 or -1. */
int token_init(const unsigned char secret[TOKEN_SECRET_LEN]);

/* A new token for the form `purpose`, issued at time now. */
void token_form_new(char out[TOKEN_FORM_HEX + 1], int64_t now, const char *purpose);

/*
 * Check a form token's format, MAC (for `purpose`) and age at time now:
 * TOKEN_EXPIRED if issued more than TOKEN_FORM_TTL before now or more than
 * TOKEN_FORM_SKEW after it (the clock went back since).
 */
enum token_check token_form_check(const char *tok, int64_t now, const char *purpose);

/* The manage token belonging to form token tok, into out[TOKEN_MANAGE_HEX + 1]. */
void token_manage_of(const char *form_tok, char out[TOKEN_MANAGE_HEX + 1]);

/* A new random manage token (not derived from a form), into out. */
void token_manage_new(char out[TOKEN_MANAGE_HEX + 1]);

/* 1 if s looks like a manage token (exactly 32 lower-case hex digits). */
int token_manage_valid(const char *s);

/* The stored hash of any token string. */
void token_hash(const char *tok, unsigned char out[TOKEN_HASH_LEN]);

#endif
