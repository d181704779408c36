/* jobs.c: the hold-expiry sweep and the ticker thread that runs it. */
#include "jobs/jobs.h"
#include "common/log.h"
#include "service/checkout.h"
#include "service/job_failures.h"
#include "service/ledger.h"
#include "service/poc_accrual.h"
#include "service/poc_expiry.h"
#include "service/reconcile.h"
#include "service/renewals.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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

typedef struct accrual_run {
	int64_t now;
	const tl_catalog *catalog;
	size_t charged;
} accrual_run;

static int accrue_tx(tl_tx *tx, void *arg, tl_error *err)
{
	accrual_run *run = arg;
	tl_principal job = {.is_admin = true, .actor = "job:poc_accrual"};
	tl_ctx ctx = {.who = &job, .now = run->now};
	return tl_poc_accrue_due(tx, &ctx, run->catalog, TL_EXPIRY_SWEEP_MAX, &run->charged, err);
}

static int accrue_poc(tl_store *store, tl_clock *clock, const tl_catalog *catalog,
		      size_t *charged, tl_error *err)
{
	*charged = 0;
	accrual_run run = {.now = tl_clock_now(clock), .catalog = catalog};
	do { /* each pass charges resources up to now, so passes end */
		int rc = tl_store_write(store, accrue_tx, &run, err);
		if (rc < 0)
			return rc;
		*charged += run.charged;
	} while (run.charged == TL_EXPIRY_SWEEP_MAX);
	return 0;
}

typedef struct expiry_run {
	int64_t now;
	tl_poc_expiry_report report;
} expiry_run;

static int poc_expiry_tx(tl_tx *tx, void *arg, tl_error *err)
{
	expiry_run *run = arg;
	tl_principal job = {.is_admin = true, .actor = "job:poc_expiry"};
	tl_ctx ctx = {.who = &job, .now = run->now};
	return tl_poc_expiry_run(tx, &ctx, TL_EXPIRY_SWEEP_MAX, &run->report, err);
}

/* Passes of up to TL_EXPIRY_SWEEP_MAX wallets, each its own transaction,
 * until no wallet has a step due: a pass moves each wallet it visits to
 * its next step, so passes end. */
static int expire_poc(tl_store *store, tl_clock *clock, tl_jobs_report *out, tl_error *err)
{
	expiry_run run = {.now = tl_clock_now(clock)};
	do {
		int rc = tl_store_write(store, poc_expiry_tx, &run, err);
		if (rc < 0)
			return rc;
		out->poc_reminders += run.report.reminders;
		out->poc_resources_suspended += run.report.suspended;
		out->poc_resources_deleted += run.report.deleted;
	} while (run.report.visited == TL_EXPIRY_SWEEP_MAX);
	return 0;
}

typedef struct renewals_run {
	int64_t now;
	const tl_catalog *catalog;
	tl_renewals_report report;
} renewals_run;

static int renewals_tx(tl_tx *tx, void *arg, tl_error *err)
{
	renewals_run *run = arg;
	tl_principal job = {.is_admin = true, .actor = "job:renewals"};
	tl_ctx ctx = {.who = &job, .now = run->now};
	return tl_renewals_run(tx, &ctx, run->catalog, TL_EXPIRY_SWEEP_MAX, &run->report, err);
}

/* Passes of up to TL_EXPIRY_SWEEP_MAX resources, each its own
 * transaction, until none has a term step due: a pass moves each resource
 * it visits to its next step, so passes end. */
static int renew(tl_store *store, tl_clock *clock, const tl_catalog *catalog,
		 tl_jobs_report *out, tl_error *err)
{
	renewals_run run = {.now = tl_clock_now(clock), .catalog = catalog};
	do {
		int rc = tl_store_write(store, renewals_tx, &run, err);
		if (rc < 0)
			return rc;
		out->renewed += run.report.renewed;
		out->renewals_failed += run.report.failed;
		out->terms_suspended += run.report.suspended;
		out->terms_deleted += run.report.deleted;
	} while (run.report.visited == TL_EXPIRY_SWEEP_MAX);
	return 0;
}

typedef struct reconcile_run {
	int64_t now;
	const tl_catalog *catalog;
	tl_reconcile_report report;
	tl_holds_report holds;
} reconcile_run;

static int reconcile_tx(tl_tx *tx, void *arg, tl_error *err)
{
	reconcile_run *run = arg;
	tl_principal job = {.is_admin = true, .actor = "job:reconcile"};
	tl_ctx ctx = {.who = &job, .now = run->now};
	int rc = tl_reconcile_run(tx, &ctx, run->catalog, TL_RECONCILE_ACCOUNTS_MAX, &run->report,
				  err);
	rc = rc ? rc : tl_holds_daily_run(tx, &ctx, run->catalog, TL_RECONCILE_ACCOUNTS_MAX,
					  &run->holds, err);
	return rc ? rc : tl_reconcile_collect_debt(tx, &ctx, TL_EXPIRY_SWEEP_MAX,
						   &run->report.debts_collected, err);
}

/* A bounded pass: an account's month is claimed with its invoices, so the
 * next pass takes the next accounts. */
static int reconcile(tl_store *store, tl_clock *clock, const tl_catalog *catalog,
		     tl_jobs_report *out, tl_error *err)
{
	reconcile_run run = {.now = tl_clock_now(clock), .catalog = catalog};
	int rc = tl_store_write(store, reconcile_tx, &run, err);
	out->accounts_reconciled = run.report.accounts;
	out->usage_invoices = run.report.invoices;
	out->usage_invoices_unpaid = run.report.unpaid;
	out->debts_collected = run.report.debts_collected;
	out->holds_adjusted = run.holds.adjusted;
	out->holds_short = run.holds.warned;
	out->holds_suspended = run.holds.suspended;
	out->holds_reactivated = run.holds.reactivated;
	return rc;
}

/* Retention: stored Idempotency-Key answers older than the window go, and
 * so do webhook outbox events older than it with no delivery pending, a
 * bounded batch per transaction. The whole table is the job's one subject
 * ("idempotency"): a batch that fails is recorded in job_failures (and so
 * in tally_job_failing_subjects) and waits for its retry. Audit events and
 * money records have no retention: they are never purged. */
typedef struct retention_run {
	int64_t now;
	int64_t before;
	size_t purged;
	size_t webhook_events_purged;
	bool waiting; /* failed before; its retry has not come */
} retention_run;

static int purge_batch(tl_tx *tx, void *arg, tl_error *err)
{
	retention_run *run = arg;
	int rc = tl_store_idem_purge(tx, run->before, TL_RETENTION_SWEEP_MAX, &run->purged, err);
	return rc ? rc : tl_store_webhook_purge(tx, run->before, TL_RETENTION_SWEEP_MAX,
						&run->webhook_events_purged, err);
}

static int retention_tx(tl_tx *tx, void *arg, tl_error *err)
{
	retention_run *run = arg;
	tl_principal job = {.is_admin = true, .actor = "job:retention"};
	tl_ctx ctx = {.who = &job, .now = run->now};
	tl_job_subject s = {.job = "retention", .subject = "idempotency"};
	run->purged = 0;
	run->webhook_events_purged = 0;
	tl_job_failure f;
	tl_error lookup = {0};
	int rc = tl_store_job_failure_get(tx, s.job, s.subject, &f, &lookup);
	run->waiting = rc == 0 && f.next_retry_at > run->now;
	if (rc < 0 && rc != TL_ENOTFOUND) {
		tl_error_set(err, rc, lookup.code, "%s", lookup.message);
		tl_error_clear(&lookup);
		return rc;
	}
	tl_error_clear(&lookup);
	return run->waiting ? 0 : tl_job_subject_run(tx, &ctx, &s, purge_batch, run, NULL, err);
}

static int purge_idempotency(tl_store *store, tl_clock *clock, int64_t retention_s,
			     size_t *purged, tl_error *err)
{
	*purged = 0;
	if (retention_s <= 0) /* an app set up without one (tests, fuzzers) */
		retention_s = (int64_t)TL_IDEMPOTENCY_RETENTION_DAYS_DEFAULT * 86400;
	retention_run run = {.now = tl_clock_now(clock)};
	run.before = run.now - retention_s;
	do { /* each pass deletes what is older than a fixed time, so passes end */
		int rc = tl_store_write(store, retention_tx, &run, err);
		if (rc < 0)
			return rc;
		*purged += run.purged;
	} while ((run.purged == TL_RETENTION_SWEEP_MAX ||
		  run.webhook_events_purged == TL_RETENTION_SWEEP_MAX) && !run.waiting);
	return 0;
}

/* Keeps the first failure (its message in err) and lets the next job run. */
static int first_failure(int rc, int job_rc, tl_error *err, tl_error *job_err)
{
	if (job_rc < 0 && rc == 0) {
		tl_error_set(err, job_rc, job_err->code, "%s", job_err->message);
		rc = job_rc;
	} else if (job_rc < 0) {
		tl_log("error", "a due job failed", json_pack("{s:s}", "reason", job_err->message));
	}
	tl_error_clear(job_err);
	return rc;
}

/* Every job runs, whatever the one before did: a subject that fails is
 * recorded and retried inside its job (service/job_failures.h), and a job
 * that fails as a whole (the store unreachable) does not keep the others
 * from their turn; the first such failure is returned. */
int tl_jobs_run_due(tl_store *store, tl_clock *clock, const tl_catalog *catalog,
		    int64_t idempotency_retention_s, tl_jobs_report *out, tl_error *err)
{
	*out = (tl_jobs_report){0};
	tl_error e = {0};
	int rc = first_failure(0, tl_jobs_expire_holds(store, clock, &out->holds_expired, &e), err,
			       &e);
	rc = first_failure(rc, expire_checkouts(store, clock, &out->checkouts_expired, &e), err, &e);
	rc = first_failure(rc, accrue_poc(store, clock, catalog, &out->poc_resources_charged, &e),
			   err, &e);
	rc = first_failure(rc, expire_poc(store, clock, out, &e), err, &e);
	rc = first_failure(rc, renew(store, clock, catalog, out, &e), err, &e);
	rc = first_failure(rc, purge_idempotency(store, clock, idempotency_retention_s,
						 &out->idempotency_purged, &e),
			   err, &e);
	return first_failure(rc, reconcile(store, clock, catalog, out, &e), err, &e);
}

static json_t *with_reconciliation(json_t *j, const tl_jobs_report *r);
static json_t *base_report(const tl_jobs_report *r);

json_t *tl_jobs_report_json(const tl_jobs_report *r)
{
	return with_reconciliation(base_report(r), r);
}

static json_t *base_report(const tl_jobs_report *r)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "holds_expired",
			 (json_int_t)r->holds_expired, "checkouts_expired",
			 (json_int_t)r->checkouts_expired, "poc_resources_charged",
			 (json_int_t)r->poc_resources_charged, "poc_reminders",
			 (json_int_t)r->poc_reminders, "poc_resources_suspended",
			 (json_int_t)r->poc_resources_suspended, "poc_resources_deleted",
			 (json_int_t)r->poc_resources_deleted, "renewed", (json_int_t)r->renewed,
			 "renewals_failed", (json_int_t)r->renewals_failed, "terms_suspended",
			 (json_int_t)r->terms_suspended, "terms_deleted",
			 (json_int_t)r->terms_deleted);
}

static json_t *with_reconciliation(json_t *j, const tl_jobs_report *r)
{
	json_object_set_new(j, "accounts_reconciled", json_integer((json_int_t)r->accounts_reconciled));
	json_object_set_new(j, "usage_invoices", json_integer((json_int_t)r->usage_invoices));
	json_object_set_new(j, "usage_invoices_unpaid",
			    json_integer((json_int_t)r->usage_invoices_unpaid));
	json_object_set_new(j, "debts_collected", json_integer((json_int_t)r->debts_collected));
	json_object_set_new(j, "holds_adjusted", json_integer((json_int_t)r->holds_adjusted));
	json_object_set_new(j, "holds_short", json_integer((json_int_t)r->holds_short));
	json_object_set_new(j, "holds_suspended", json_integer((json_int_t)r->holds_suspended));
	json_object_set_new(j, "holds_reactivated",
			    json_integer((json_int_t)r->holds_reactivated));
	json_object_set_new(j, "idempotency_purged",
			    json_integer((json_int_t)r->idempotency_purged));
	return j;
}

struct tl_ticker {
	tl_store *store;
	tl_clock *clock;
	const tl_catalog *catalog;
	int64_t idempotency_retention_s;
	unsigned interval_ms;
	bool stopping;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
};

/* Wall-clock seconds of the ticker's last pass with no job failing as a
 * whole, for /metrics; 0 before the first. */
static _Atomic int64_t last_pass_ok_s;

int64_t tl_jobs_last_pass_ok(void)
{
	return atomic_load(&last_pass_ok_s);
}

static void run_due_jobs(tl_ticker *t)
{
	tl_error err = {0};
	tl_jobs_report report;
	int rc = tl_jobs_run_due(t->store, t->clock, t->catalog, t->idempotency_retention_s,
				 &report, &err);
	if (rc == 0)
		atomic_store(&last_pass_ok_s, (int64_t)time(NULL));
	if (rc < 0)
		tl_log("error", "a due job failed", json_pack("{s:s}", "reason", err.message));
	else if (report.holds_expired || report.checkouts_expired || report.poc_reminders ||
		 report.poc_resources_suspended || report.poc_resources_deleted || report.renewed ||
		 report.renewals_failed || report.terms_suspended || report.terms_deleted ||
		 report.usage_invoices || report.debts_collected || report.holds_adjusted ||
		 report.holds_short || report.holds_suspended || report.holds_reactivated ||
		 report.idempotency_purged)
		tl_log("info", "due jobs ran", tl_jobs_report_json(&report));
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

int tl_ticker_start(tl_ticker **out, tl_store *store, tl_clock *clock,
		    const tl_catalog *catalog, int64_t idempotency_retention_s,
		    unsigned interval_ms)
{
	tl_ticker *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return TL_EINTERNAL;
	*t = (tl_ticker){.store = store, .clock = clock, .catalog = catalog,
			 .idempotency_retention_s = idempotency_retention_s,
			 .interval_ms = interval_ms};
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
