/*
 * clock.h: the one clock every rule reads. In production it is the system's
 * UTC time; with --test-clock it stands still until a test sets or advances
 * it, so rules with a date in them are tested in seconds.
 */
#ifndef TL_CLOCK_H
#define TL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

typedef struct tl_clock {
	bool is_test;
	int64_t test_now_s; /* the frozen time of a test clock, unix seconds */
	pthread_mutex_t lock;
} tl_clock;

/* A real clock, or (is_test) a frozen one starting at the real now. */
void tl_clock_init(tl_clock *c, bool is_test);
void tl_clock_destroy(tl_clock *c);

/* Unix seconds, UTC. */
int64_t tl_clock_now(tl_clock *c);

/* Test clock only; both return TL_EINVALID on a real clock, and refuse to
 * move time backwards past 1970 or beyond year 9999. */
int tl_clock_set(tl_clock *c, int64_t now_s);
int tl_clock_advance(tl_clock *c, int64_t seconds);

#endif
