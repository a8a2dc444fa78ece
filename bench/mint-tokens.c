/*
 * mint-tokens: print N fresh form tokens for a site's database, one a
 * line, so wrk (bench/rsvp.lua) can POST RSVPs as N different visitors
 * without first loading N forms. The tokens are the ones the site's own
 * forms carry (token_form_new under the site secret read with db_secret),
 * valid for TOKEN_FORM_TTL from now; each one can create one RSVP, a
 * second use only replays the first outcome.
 *
 *   mint-tokens DATABASE N SLUG
 *   mint-tokens DATABASE N SLUG pledge RSVPS ITEM
 *   mint-tokens DATABASE N SLUG hold VARIANT
 *   mint-tokens DATABASE N SLUG claim VARIANT
 *   mint-tokens DATABASE N SLUG score ENTRIES
 *   mint-tokens DATABASE N SLUG api ENTRIES
 *
 * With "pledge" it first signs RSVPS new participants up to SLUG (through
 * rsvp_create, as the RSVP form does), then prints N lines
 * "MANAGE_TOKEN FORM_TOKEN ITEM QUANTITY" for their manage pages' pledge
 * form, taking the participants in turn: line i is participant i % RSVPS
 * with quantity 1 + i / RSVPS, so every POST changes a pledge (a real
 * write) and never lowers one (a lower quantity on a stale form would be
 * refused), as long as fewer than RSVPS requests are in flight.
 *
 * At a competition SLUG (without divisions): "score ENTRIES" prints N
 * lines "score FORM_TOKEN ENTRY" for the scorekeeper page's score form
 * (bench/run adds the session's cookie and CSRF token), "api ENTRIES"
 * N lines "api ENTRY" for the scores API (bench/run adds the bearer
 * token; bench/rsvp.lua a new Idempotency-Key per request), taking the
 * competition's first ENTRIES entries in turn (signed up first where
 * there are fewer), so that each POST adds a score in the entry's next
 * round while N / ENTRIES stays within its rounds.
 *
 * At a drop: "hold" prints N lines "hold FORM_TOKEN VARIANT" for the hold
 * form of drop SLUG (each POST a new visitor's hold of one unit);
 * "claim" first makes N holds of VARIANT (through drop_hold, as the form
 * does) and prints N lines "claim HOLD_TOKEN FORM_TOKEN" for their claim
 * forms.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "drop.h"
#include "event.h"
#include "rsvp.h"
#include "score.h"
#include "token.h"

/* A whole number >= 0 from a command line argument, or -1. */
static long number(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	return errno != 0 || end == s || *end != '\0' || n < 0 ? -1 : n;
}

/*
 * Sign up n participants to slug; their manage tokens go to manage[n].
 * Returns 0 or -1 (said on stderr).
 */
static int sign_up(struct db *db, const char *slug, long n,
    char (*manage)[TOKEN_MANAGE_HEX + 1], const char *name)
{
	char form[TOKEN_FORM_HEX + 1], purpose[80], email[64];
	struct rsvp_input in = { .name = name, .note = "" };
	struct arena *a = arena_new();
	struct rsvp_outcome out;
	enum db_rc rc;
	long k;

	snprintf(purpose, sizeof(purpose), "rsvp:%.64s", slug);
	for (k = 0; k < n; k++) {
		token_form_new(form, clock_now(), purpose);
		token_manage_of(form, manage[k]);
		/* The manage token is random: a new address on every run. */
		snprintf(email, sizeof(email), "pledge-%s@example.org", manage[k]);
		in.email = email;
		rc = rsvp_create(db, a, slug, &in, form, manage[k], &out);
		arena_reset(a);
		if (rc != DB_OK) {
			fprintf(stderr, "mint-tokens: signing up to %s failed (db_rc %d)\n",
			    slug, (int)rc);
			break;
		}
	}
	arena_free(a);
	return k < n ? -1 : 0;
}

/*
 * The ids of the first n entries (by bib) of competition slug into ids[n],
 * signing up new entrants first where it has fewer. Returns 0 or -1.
 */
static int entries(struct db *db, const char *slug, long n, int64_t *ids)
{
	char (*manage)[TOKEN_MANAGE_HEX + 1] = NULL;
	struct arena *a = arena_new();
	struct entry *list;
	struct event e;
	int k = 0, rc = -1;

	if (event_get(db, a, slug, &e) != DB_OK ||
	    score_entries(db, a, e.id, NULL, (int)n, &list, &k) != DB_OK)
		goto out;
	if (k < n && ((manage = calloc((size_t)(n - k), sizeof(*manage))) == NULL ||
	    sign_up(db, slug, n - k, manage, "Bench entrant") != 0 ||
	    score_entries(db, a, e.id, NULL, (int)n, &list, &k) != DB_OK))
		goto out;
	for (rc = k == n ? 0 : -1; k > 0; k--)
		ids[k - 1] = list[k - 1].id;
out:
	if (rc != 0)
		fprintf(stderr, "mint-tokens: no %ld entries at %s\n", n, slug);
	free(manage);
	arena_free(a);
	return rc;
}

/*
 * Hold one unit of variant at drop slug for n new visitors; their hold
 * links go to links[n]. Returns 0 or -1 (said on stderr).
 */
static int hold_many(struct db *db, const char *slug, int64_t variant, long n,
    char (*links)[TOKEN_MANAGE_HEX + 1])
{
	struct hold_input in = { .variant_id = variant, .quantity = 1, .name = "Bench claimer" };
	struct arena *a = arena_new();
	struct drop_outcome out;
	char email[64];
	enum db_rc rc = DB_OK;
	long k;

	for (k = 0; k < n && rc == DB_OK; k++) {
		/* A new address on every run: the clock in ms and the count. */
		snprintf(email, sizeof(email), "claim-%lld-%ld@example.org",
		    (long long)clock_now_ms(), k);
		in.email = email;
		if ((rc = drop_hold(db, a, slug, &in, NULL, &out)) == DB_OK)
			memcpy(links[k], out.token, sizeof(links[k]));
		arena_reset(a);
	}
	arena_free(a);
	if (rc != DB_OK)
		fprintf(stderr, "mint-tokens: holding at %s failed (db_rc %d)\n", slug, (int)rc);
	return rc == DB_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	char tok[TOKEN_FORM_HEX + 1], err[512] = "", purpose[80];
	char (*manage)[TOKEN_MANAGE_HEX + 1] = NULL;
	int pledge = argc == 7 && strcmp(argv[4], "pledge") == 0;
	int hold = argc == 6 && strcmp(argv[4], "hold") == 0;
	int claim = argc == 6 && strcmp(argv[4], "claim") == 0;
	int score = argc == 6 && strcmp(argv[4], "score") == 0;
	int api = argc == 6 && strcmp(argv[4], "api") == 0;
	long n, i, rsvps = 0, item = 0, variant = 0;
	int64_t *ids = NULL;
	struct config c;
	struct db *db;

	if (argc != 4 && !pledge && !hold && !claim && !score && !api) {
		fprintf(stderr, "usage: mint-tokens DATABASE N SLUG [pledge RSVPS ITEM |"
		    " hold VARIANT | claim VARIANT | score ENTRIES | api ENTRIES]\n");
		return 2;
	}
	if ((n = number(argv[2])) < 0 || (pledge && ((rsvps = number(argv[5])) < 1 ||
	    (item = number(argv[6])) < 1)) || ((hold || claim) &&
	    (variant = number(argv[5])) < 1) || ((score || api) &&
	    ((rsvps = number(argv[5])) < 1 || rsvps > 1000000))) {
		fprintf(stderr, "mint-tokens: N, RSVPS and ITEM must be whole numbers\n");
		return 2;
	}
	config_defaults(&c);
	if ((size_t)snprintf(c.database, sizeof(c.database), "%s", argv[1]) >=
	    sizeof(c.database)) {
		fprintf(stderr, "mint-tokens: database path too long\n");
		return 2;
	}
	/* Without pledges or claims only the secret is read: no write gate needed. */
	c.write_gate = pledge || claim || score || api;
	/* The holds to claim are setup, not what is measured: no fsync each. */
	c.synchronous = SYNC_NORMAL;
	db = db_open(&c, 0, err, sizeof(err));
	if (db == NULL || db_prepare(db, err, sizeof(err)) != 0 ||
	    db_secret(db, secret, sizeof(secret)) != 0 || token_init(secret) != 0) {
		fprintf(stderr, "mint-tokens: %s\n",
		    *err != '\0' ? err : "the database has no usable site secret");
		db_close(db);
		return 1;
	}
	if (claim && ((manage = calloc((size_t)n + 1, sizeof(*manage))) == NULL ||
	    hold_many(db, argv[3], variant, n, manage) != 0)) {
		free(manage);
		db_close(db);
		return 1;
	}
	if (pledge && ((manage = calloc((size_t)rsvps, sizeof(*manage))) == NULL ||
	    sign_up(db, argv[3], rsvps, manage, "Bench pledger") != 0)) {
		free(manage);
		db_close(db);
		return 1;
	}
	if ((score || api) && ((ids = calloc((size_t)rsvps, sizeof(*ids))) == NULL ||
	    entries(db, argv[3], rsvps, ids) != 0)) {
		free(ids);
		free(manage);
		db_close(db);
		return 1;
	}
	db_close(db);
	/* Tokens are bound to their form: the RSVP form of event SLUG. */
	snprintf(purpose, sizeof(purpose), "rsvp:%.64s", argv[3]);
	if (hold || score)
		snprintf(purpose, sizeof(purpose), "%s:%.64s", hold ? "hold" : "score", argv[3]);
	for (i = 0; i < n; i++) {
		if (score || api) {
			if (api) {
				printf("api %lld\n", (long long)ids[i % rsvps]);
				continue;
			}
			token_form_new(tok, clock_now(), purpose);
			printf("score %s %lld\n", tok, (long long)ids[i % rsvps]);
			continue;
		}
		if (hold || claim) {
			if (claim)
				snprintf(purpose, sizeof(purpose), "claim:%s", manage[i]);
			token_form_new(tok, clock_now(), purpose);
			if (hold)
				printf("hold %s %ld\n", tok, variant);
			else
				printf("claim %s %s\n", manage[i], tok);
			continue;
		}
		if (!pledge) {
			token_form_new(tok, clock_now(), purpose);
			puts(tok);
			continue;
		}
		/* ... or a participant's pledge form (cgi-bin: form_purpose). */
		snprintf(purpose, sizeof(purpose), "pledge:%s", manage[i % rsvps]);
		token_form_new(tok, clock_now(), purpose);
		printf("%s %s %ld %ld\n", manage[i % rsvps], tok, item, 1 + i / rsvps);
	}
	free(manage);
	free(ids);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mint-tokens: writing: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
