#ifndef TURNOUT_CLOCK_H
#define TURNOUT_CLOCK_H

#include <stdint.h>

/*
 * The one source of "now" (unix seconds, UTC). Tests pin it with
 * clock_set() so deadlines and expiry are tested without sleeping.
 */
int64_t clock_now(void);
/* Pin the clock to t; clock_set(0) returns to the real time. */
void clock_set(int64_t t);

#endif
