/* jobs.c: the hold-expiry sweep and the ticker thread that runs it. */
#include "jobs/jobs.h"
#include "common/log.h"
#include "service/checkout.h"
#include "service/ledger.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

typedef struct expire_run {
	int64_t now;
	size_t released;
} expire_run;

static int expire_tx(tl_tx *tx, void *arg, tl_error *err)
{
	expire_run *run = arg;
	tl_principal job = {.is_admin = true, .actor = "job:hold_expiry"};
	tl_ctx ctx = {.who = &job, .now = run->now};
	return tl_ledger_expire_due(tx, &ctx, &run->released, err);
}

int tl_jobs_expire_holds(tl_store *store, tl_clock *clock, size_t *released, tl_error *err)
{
	*released = 0;
	expire_run run = {.now = tl_clock_now(clock)};
	/* Bounded: each pass releases what is due by `now`, which no pass
	 * moves, so passes end once fewer than a full sweep were due. */
	do {
		int rc = tl_store_write(store, expire_tx, &run, err);
		if (rc < 0)
			return rc;
		*released += run.released;
	} while (run.released == TL_EXPIRY_SWEEP_MAX);
	return 0;
}

typedef struct checkout_run {
	int64_t now;
	size_t expired;
} checkout_run;

static int expire_checkouts_tx(tl_tx *tx, void *arg, tl_error *err)
{
	checkout_run *run = arg;
	tl_principal job = {.is_admin = true, .actor = "job:checkout_expiry"};
	tl_ctx ctx = {.who = &job, .now = run->now};
	return tl_checkouts_expire_due(tx, &ctx, TL_EXPIRY_SWEEP_MAX, &run->expired, err);
}

static int expire_checkouts(tl_store *store, tl_clock *clock, size_t *expired, tl_error *err)
{
	*expired = 0;
	checkout_run run = {.now = tl_clock_now(clock)};
	do { /* bounded as the hold sweep is */
		int rc = tl_store_write(store, expire_checkouts_tx, &run, err);
		if (rc < 0)
			return rc;
		*expired += run.expired;
	} while (run.expired == TL_EXPIRY_SWEEP_MAX);
	return 0;
}

int tl_jobs_run_due(tl_store *store, tl_clock *clock, tl_jobs_report *out, tl_error *err)
{
	*out = (tl_jobs_report){0};
	int rc = tl_jobs_expire_holds(store, clock, &out->holds_expired, err);
	return rc < 0 ? rc : expire_checkouts(store, clock, &out->checkouts_expired, err);
}

struct tl_ticker {
	tl_store *store;
	tl_clock *clock;
	unsigned interval_ms;
	bool stopping;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
};

static void run_due_jobs(tl_ticker *t)
{
	tl_error err = {0};
	tl_jobs_report report;
	if (tl_jobs_run_due(t->store, t->clock, &report, &err) < 0)
		tl_log("error", "a due job failed", json_pack("{s:s}", "reason", err.message));
	else if (report.holds_expired || report.checkouts_expired)
		tl_log("info", "due jobs ran",
		       json_pack("{s:I, s:I}", "holds_expired", (json_int_t)report.holds_expired,
				 "checkouts_expired", (json_int_t)report.checkouts_expired));
	tl_error_clear(&err);
}

static void *ticker_main(void *arg)
{
	tl_ticker *t = arg;
	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += t->interval_ms / 1000;
		until.tv_nsec += (long)(t->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		int rc = pthread_cond_timedwait(&t->wake, &t->lock, &until);
		if (t->stopping || rc != ETIMEDOUT)
			continue;
		pthread_mutex_unlock(&t->lock);
		run_due_jobs(t);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

int tl_ticker_start(tl_ticker **out, tl_store *store, tl_clock *clock, unsigned interval_ms)
{
	tl_ticker *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return TL_EINTERNAL;
	*t = (tl_ticker){.store = store, .clock = clock, .interval_ms = interval_ms};
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
		free(t);
		return TL_EINTERNAL;
	}
	*out = t;
	return 0;
}

void tl_ticker_stop(tl_ticker *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	t->stopping = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
