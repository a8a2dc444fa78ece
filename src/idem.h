#ifndef TURNOUT_IDEM_H
#define TURNOUT_IDEM_H

#include "db.h"

/*
 * Claim a one-time form token inside the caller's write transaction: the
 * first claim records it (*replayed = 0); a later one finds it
 * (*replayed = 1) and the caller must change nothing and answer as the
 * first time did. Rendering a page never writes: tokens are recorded only
 * here. Also drops a few records past the tokens' lifetime.
 */
enum db_rc idem_claim(struct db *db, const char *form_token, int *replayed);

#endif
