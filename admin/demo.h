#ifndef TURNOUT_DEMO_H
#define TURNOUT_DEMO_H

#include "db.h"

/*
 * Load the demo events (dates relative to now), their sign-ups and the
 * picnic's potluck sheet.
 * Returns DB_OK, or DB_CONFLICT if demo data is already there.
 */
enum db_rc demo_load(struct db *db);

#endif
