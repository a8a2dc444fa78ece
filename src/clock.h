#ifndef TURNOUT_CLOCK_H
#define TURNOUT_CLOCK_H

#include <stdint.h>

/*
 * The one source of "now" (unix seconds, UTC; in milliseconds for the
 * short timers of drop holds). Tests pin it with clock_set() or
 * clock_set_ms() so deadlines and expiry are tested without sleeping.
 */
int64_t clock_now(void);
int64_t clock_now_ms(void);
/* Pin the clock to t seconds; clock_set(0) returns to the real time. */
void clock_set(int64_t t);
/* Pin the clock to t milliseconds; clock_set_ms(0) returns to the real time. */
void clock_set_ms(int64_t t);

#endif
