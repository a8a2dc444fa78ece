#include <time.h>

#include "clock.h"

static int64_t pinned_ms;

int64_t clock_now_ms(void)
{
	struct timespec ts;

	if (pinned_ms != 0)
		return pinned_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now(void)
{
	/* Whole seconds, rounded down like time(2), also for a pinned clock. */
	return clock_now_ms() / 1000;
}

void clock_set_ms(int64_t t)
{
	pinned_ms = t;
}

void clock_set(int64_t t)
{
	pinned_ms = t * 1000;
}
