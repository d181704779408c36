/*
 * jobs.h: work that runs because the clock says so, not because a client
 * asked. Today: releasing holds, and expiring unpaid checkouts, whose time
 * has come. A ticker thread runs
 * the due jobs every second; moving the test clock runs them at once, so
 * tests see the effect of time without waiting.
 */
#ifndef TL_JOBS_H
#define TL_JOBS_H

#include <stddef.h>
#include "common/clock.h"
#include "common/err.h"
#include "store/store.h"

/* Releases every hold due at the clock's now, in short transactions of at
 * most TL_EXPIRY_SWEEP_MAX; *released says how many. */
int tl_jobs_expire_holds(tl_store *store, tl_clock *clock, size_t *released, tl_error *err);

/* What one run of the due jobs did. */
typedef struct tl_jobs_report {
	size_t holds_expired;
	size_t checkouts_expired;
} tl_jobs_report;

/* Runs every job due at the clock's now: hold expiry, checkout expiry. */
int tl_jobs_run_due(tl_store *store, tl_clock *clock, tl_jobs_report *out, tl_error *err);

typedef struct tl_ticker tl_ticker;

/* Starts the thread that runs due jobs every interval_ms. */
int tl_ticker_start(tl_ticker **out, tl_store *store, tl_clock *clock, unsigned interval_ms);

/* Stops it and waits for a run in progress to finish. */
void tl_ticker_stop(tl_ticker *t);

#endif
