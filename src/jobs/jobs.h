/*
 * jobs.h: work that runs because the clock says so, not because a client
 * asked. Today: releasing holds, and expiring unpaid checkouts, whose time
 * has come. A ticker thread runs
 * the due jobs every second; moving the test clock runs them at once, so
 * tests see the effect of time without waiting.
 *
 * Each job runs each of its subjects in its own savepoint
 * (service/job_failures.h): one that fails is recorded and retried with
 * backoff, and neither the job's other subjects nor the later jobs wait
 * on it.
 */
#ifndef TL_JOBS_H
#define TL_JOBS_H

#include <stddef.h>
#include "common/clock.h"
#include "common/err.h"
#include "store/store.h"
#include "domain/catalog.h"

/* Releases every hold due at the clock's now, in short transactions of at
 * most TL_EXPIRY_SWEEP_MAX; *released says how many. */
int tl_jobs_expire_holds(tl_store *store, tl_clock *clock, size_t *released, tl_error *err);

/* What one run of the due jobs did. */
typedef struct tl_jobs_report {
	size_t holds_expired;
	size_t checkouts_expired;
	size_t poc_resources_charged;
	size_t poc_reminders;
	size_t poc_resources_suspended;
	size_t poc_resources_deleted;
	size_t renewed;
	size_t renewals_failed;
	size_t terms_suspended;
	size_t terms_deleted;
	size_t accounts_reconciled;
	size_t usage_invoices;
	size_t usage_invoices_unpaid;
	size_t debts_collected;
	size_t holds_adjusted;
	size_t holds_short;
	size_t holds_suspended;
	size_t holds_reactivated;
	size_t idempotency_purged;
} tl_jobs_report;

/* The report as JSON, for the API. */
json_t *tl_jobs_report_json(const tl_jobs_report *r);

/* Runs every job due at the clock's now: hold expiry, checkout expiry,
 * POC usage, POC wallet expiry, renewals and the end of terms, and
 * retention (stored Idempotency-Key answers older than
 * idempotency_retention_s are deleted). */
int tl_jobs_run_due(tl_store *store, tl_clock *clock, const tl_catalog *catalog,
		    int64_t idempotency_retention_s, tl_jobs_report *out, tl_error *err);

/* Wall-clock seconds (not the test clock) when the ticker last finished a
 * pass with no job failing as a whole; 0 before the first. /metrics
 * exports it so an alert can tell when jobs fall behind. */
int64_t tl_jobs_last_pass_ok(void);

typedef struct tl_ticker tl_ticker;

/* Starts the thread that runs due jobs every interval_ms. */
int tl_ticker_start(tl_ticker **out, tl_store *store, tl_clock *clock,
		    const tl_catalog *catalog, int64_t idempotency_retention_s,
		    unsigned interval_ms);

/* Stops it and waits for a run in progress to finish. */
void tl_ticker_stop(tl_ticker *t);

#endif
