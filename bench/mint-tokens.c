/*
 * mint-tokens: print N fresh form tokens for a site's database, one a
 * line, so wrk (bench/rsvp.lua) can POST RSVPs as N different visitors
 * without first loading N forms. The tokens are the ones the site's own
 * forms carry (token_form_new under the site secret read with db_secret),
 * valid for TOKEN_FORM_TTL from now; each one can create one RSVP, a
 * second use only replays the first outcome.
 *
 *   mint-tokens DATABASE N SLUG
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "token.h"

int main(int argc, char **argv)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	char tok[TOKEN_FORM_HEX + 1], err[512] = "", purpose[80], *end;
	struct config c;
	struct db *db;
	long n, i;

	if (argc != 4) {
		fprintf(stderr, "usage: mint-tokens DATABASE N SLUG\n");
		return 2;
	}
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno != 0 || end == argv[2] || *end != '\0' || n < 0) {
		fprintf(stderr, "mint-tokens: N must be a whole number\n");
		return 2;
	}
	config_defaults(&c);
	if ((size_t)snprintf(c.database, sizeof(c.database), "%s", argv[1]) >=
	    sizeof(c.database)) {
		fprintf(stderr, "mint-tokens: database path too long\n");
		return 2;
	}
	/* Only the secret is read: no write gate descriptor needed. */
	c.write_gate = 0;
	db = db_open(&c, 0, err, sizeof(err));
	if (db == NULL || db_prepare(db, err, sizeof(err)) != 0 ||
	    db_secret(db, secret, sizeof(secret)) != 0 || token_init(secret) != 0) {
		fprintf(stderr, "mint-tokens: %s\n",
		    *err != '\0' ? err : "the database has no usable site secret");
		db_close(db);
		return 1;
	}
	db_close(db);
	/* Tokens are bound to their form: the RSVP form of event SLUG. */
	snprintf(purpose, sizeof(purpose), "rsvp:%.64s", argv[3]);
	for (i = 0; i < n; i++) {
		token_form_new(tok, clock_now(), purpose);
		puts(tok);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mint-tokens: writing: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
