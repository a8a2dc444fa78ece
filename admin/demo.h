#ifndef TURNOUT_DEMO_H
#define TURNOUT_DEMO_H

#include "db.h"

/*
 * Load the demo events (dates relative to now) in one transaction.
 * Returns DB_OK, or DB_CONFLICT if demo data is already there.
 */
enum db_rc demo_load(struct db *db);

#endif
