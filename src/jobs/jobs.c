/* jobs.c: the due jobs, as one table (name, pass, batch, schedule) and
 * one loop that runs each, and the ticker thread that runs them. */
#include "jobs/jobs.h"
#include "common/log.h"
#include "service/checkout.h"
#include "service/idempotency.h"
#include "service/job_failures.h"
#include "service/ledger.h"
#include "service/poc_accrual.h"
#include "service/poc_expiry.h"
#include "service/debts.h"
#include "service/holds.h"
#include "service/reconcile.h"
#include "service/renewals.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- the jobs ------------------------------------------------------------- */

/* One pass of a job: its inputs, and what it did, kept apart from the
 * run's report until the pass's transaction commits. */
typedef struct job_pass {
	int64_t now;                /* the job's now, the same for all its passes */
	const tl_catalog *catalog;
	int64_t idempotency_before; /* retention: answers stored before this go */
	size_t batch;               /* the job's batch, for the pass to take */
	size_t visited;             /* subjects the pass took: a full batch means more */
	tl_jobs_report did;
} job_pass;

typedef enum job_schedule {
	/* passes of a batch each, each its own transaction, until one takes
	 * less than a full batch; every job that way moves each subject it
	 * visits past `now` (released, charged up to now, to its next step,
	 * deleted), which no pass moves, so passes end */
	UNTIL_DRAINED,
	/* one bounded pass per run: the next run takes the next subjects */
	ONCE_PER_RUN,
} job_schedule;

typedef struct job {
	const char *name; /* its actor in the audit trail is "job:<name>" */
	int (*pass)(tl_tx *tx, const tl_ctx *ctx, job_pass *p, tl_error *err);
	size_t batch;
	job_schedule schedule;
} job;

static int hold_expiry_pass(tl_tx *tx, const tl_ctx *ctx, job_pass *p, tl_error *err)
{
	int rc = tl_ledger_expire_due(tx, ctx, &p->visited, err); /* its batch: TL_EXPIRY_SWEEP_MAX */
	p->did.holds_expired = p->visited;
	return rc;
}

static int checkout_expiry_pass(tl_tx *tx, const tl_ctx *ctx, job_pass *p, tl_error *err)
{
	int rc = tl_checkouts_expire_due(tx, ctx, p->batch, &p->visited, err);
	p->did.checkouts_expired = p->visited;
	return rc;
}

static int poc_accrual_pass(tl_tx *tx, const tl_ctx *ctx, job_pass *p, tl_error *err)
{
	int rc = tl_poc_accrue_due(tx, ctx, p->catalog, p->batch, &p->visited, err);
	p->did.poc_resources_charged = p->visited;
	return rc;
}

static int poc_expiry_pass(tl_tx *tx, const tl_ctx *ctx, job_pass *p, tl_error *err)
{
	tl_poc_expiry_report r = {0};
	int rc = tl_poc_expiry_run(tx, ctx, p->batch, &r, err);
	p->visited = r.visited;
	p->did.poc_reminders = r.reminders;
	p->did.poc_resources_suspended = r.suspended;
	p->did.poc_resources_deleted = r.deleted;
	return rc;
}

static int renewals_pass(tl_tx *tx, const tl_ctx *ctx, job_pass *p, tl_error *err)
{
	tl_renewals_report r = {0};
	int rc = tl_renewals_run(tx, ctx, p->catalog, p->batch, &r, err);
	p->visited = r.visited;
	p->did.renewed = r.renewed;
	p->did.renewals_failed = r.failed;
	p->did.terms_suspended = r.suspended;
	p->did.terms_deleted = r.deleted;
	return rc;
}

/* Retention: stored Idempotency-Key answers older than the window go, and
 * so do webhook outbox events older than it with no delivery pending, a
 * bounded batch per transaction. The whole table is the job's one subject
 * ("idempotency"): a batch that fails is recorded in job_failures (and so
 * in tally_job_failing_subjects) and waits for its retry, and meanwhile a
 * pass takes nothing. Audit events and money records have no retention:
 * they are never purged. */
static int purge_batch(tl_tx *tx, void *arg, tl_error *err)
{
	job_pass *p = arg;
	size_t events = 0;
	int rc = tl_idempotency_purge(tx, p->idempotency_before, p->batch, &p->visited, err);
	p->did.idempotency_purged = p->visited;
	rc = rc ? rc : tl_store_webhook_purge(tx, p->idempotency_before, p->batch, &events, err);
	/* a full batch of either table means more to purge */
	if (events > p->visited)
		p->visited = events;
	return rc;
}

static int retention_pass(tl_tx *tx, const tl_ctx *ctx, job_pass *p, tl_error *err)
{
	tl_job_subject s = {.job = "retention", .subject = "idempotency"};
	tl_job_failure f;
	tl_error lookup = {0};
	int rc = tl_store_job_failure_get(tx, s.job, s.subject, &f, &lookup);
	bool waiting = rc == 0 && f.next_retry_at > p->now;
	if (rc < 0 && rc != TL_ENOTFOUND) {
		tl_error_set(err, rc, lookup.code, "%s", lookup.message);
		tl_error_clear(&lookup);
		return rc;
	}
	tl_error_clear(&lookup);
	return waiting ? 0 : tl_job_subject_run(tx, ctx, &s, purge_batch, p, NULL, err);
}

/* The monthly reconciliation, the daily holds and debt collection: a
 * bounded pass, as an account's month is claimed with its invoices. */
static int reconcile_pass(tl_tx *tx, const tl_ctx *ctx, job_pass *p, tl_error *err)
{
	tl_reconcile_report r = {0};
	tl_holds_report h = {0};
	int rc = tl_reconcile_run(tx, ctx, p->catalog, p->batch, &r, err);
	rc = rc ? rc : tl_holds_daily_run(tx, ctx, p->catalog, p->batch, &h, err);
	rc = rc ? rc : tl_debts_collect(tx, ctx, TL_EXPIRY_SWEEP_MAX, &r.debts_collected, err);
	p->did.accounts_reconciled = r.accounts;
	p->did.usage_invoices = r.invoices;
	p->did.usage_invoices_unpaid = r.unpaid;
	p->did.debts_collected = r.debts_collected;
	p->did.holds_adjusted = h.adjusted;
	p->did.holds_short = h.warned;
	p->did.holds_suspended = h.suspended;
	p->did.holds_reactivated = h.reactivated;
	return rc;
}

/* Every job, in the order a run takes them. */
static const job jobs[] = {
	{"hold_expiry", hold_expiry_pass, TL_EXPIRY_SWEEP_MAX, UNTIL_DRAINED},
	{"checkout_expiry", checkout_expiry_pass, TL_EXPIRY_SWEEP_MAX, UNTIL_DRAINED},
	{"poc_accrual", poc_accrual_pass, TL_EXPIRY_SWEEP_MAX, UNTIL_DRAINED},
	{"poc_expiry", poc_expiry_pass, TL_EXPIRY_SWEEP_MAX, UNTIL_DRAINED},
	{"renewals", renewals_pass, TL_EXPIRY_SWEEP_MAX, UNTIL_DRAINED},
	{"retention", retention_pass, TL_RETENTION_SWEEP_MAX, UNTIL_DRAINED},
	{"reconcile", reconcile_pass, TL_RECONCILE_ACCOUNTS_MAX, ONCE_PER_RUN},
};
#define JOB_COUNT (sizeof(jobs) / sizeof(jobs[0]))

/* ---- running them ---------------------------------------------------------- */

static void report_add(tl_jobs_report *out, const tl_jobs_report *d)
{
	out->holds_expired += d->holds_expired;
	out->checkouts_expired += d->checkouts_expired;
	out->poc_resources_charged += d->poc_resources_charged;
	out->poc_reminders += d->poc_reminders;
	out->poc_resources_suspended += d->poc_resources_suspended;
	out->poc_resources_deleted += d->poc_resources_deleted;
	out->renewed += d->renewed;
	out->renewals_failed += d->renewals_failed;
	out->terms_suspended += d->terms_suspended;
	out->terms_deleted += d->terms_deleted;
	out->accounts_reconciled += d->accounts_reconciled;
	out->usage_invoices += d->usage_invoices;
	out->usage_invoices_unpaid += d->usage_invoices_unpaid;
	out->debts_collected += d->debts_collected;
	out->holds_adjusted += d->holds_adjusted;
	out->holds_short += d->holds_short;
	out->holds_suspended += d->holds_suspended;
	out->holds_reactivated += d->holds_reactivated;
	out->idempotency_purged += d->idempotency_purged;
}

typedef struct job_run {
	const job *job;
	job_pass pass;
} job_run;

static int pass_tx(tl_tx *tx, void *arg, tl_error *err)
{
	job_run *run = arg;
	tl_principal who = {.is_admin = true};
	snprintf(who.actor, sizeof(who.actor), "job:%s", run->job->name);
	tl_ctx ctx = {.who = &who, .now = run->pass.now};
	run->pass.visited = 0;
	run->pass.did = (tl_jobs_report){0};
	return run->job->pass(tx, &ctx, &run->pass, err);
}

/* Runs job j as its schedule says; what its committed passes did is added
 * to out. */
static int run_job(tl_store *store, tl_clock *clock, const job *j, const tl_catalog *catalog,
		   int64_t idempotency_retention_s, tl_jobs_report *out, tl_error *err)
{
	job_run run = {.job = j, .pass = {.now = tl_clock_now(clock), .catalog = catalog,
					  .batch = j->batch}};
	if (idempotency_retention_s <= 0) /* an app set up without one (tests, fuzzers) */
		idempotency_retention_s = (int64_t)TL_IDEMPOTENCY_RETENTION_DAYS_DEFAULT * 86400;
	run.pass.idempotency_before = run.pass.now - idempotency_retention_s;
	do {
		int rc = tl_store_write(store, pass_tx, &run, err);
		if (rc < 0)
			return rc;
		report_add(out, &run.pass.did);
	} while (j->schedule == UNTIL_DRAINED && run.pass.visited == j->batch);
	return 0;
}

int tl_jobs_expire_holds(tl_store *store, tl_clock *clock, size_t *released, tl_error *err)
{
	tl_jobs_report r = {0};
	int rc = run_job(store, clock, &jobs[0], NULL, 0, &r, err);
	*released = r.holds_expired;
	return rc;
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
	int rc = 0;
	for (size_t i = 0; i < JOB_COUNT; i++)
		rc = first_failure(rc,
				   run_job(store, clock, &jobs[i], catalog,
					   idempotency_retention_s, out, &e),
				   err, &e);
	return rc;
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
