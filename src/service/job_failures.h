/*
 * job_failures.h: each subject of a job (an account, a wallet, a
 * resource, a checkout, a hold, an invoice) runs in its own savepoint. One
 * that fails is undone alone, recorded (job_failures, an audit event
 * job.failed) and retried with exponential backoff; it never stops the
 * other subjects of the pass or the jobs after it. When it succeeds again
 * its record is removed (job.recovered).
 */
#ifndef TL_JOB_FAILURES_H
#define TL_JOB_FAILURES_H

#include <stdint.h>
#include "service/context.h"
#include "store/store.h"

typedef struct tl_job_subject {
	const char *job;        /* "reconcile", "renew", ... (the job_runs name) */
	const char *subject;    /* the id of what the job works on */
	const char *account_id; /* whose trail records the failure; NULL: none */
} tl_job_subject;

/* Seconds to wait after the attempts-th failure in a row (attempts >= 1):
 * TL_JOB_RETRY_MIN_S doubling, at most TL_JOB_RETRY_MAX_S. */
int64_t tl_job_retry_delay(int64_t attempts);

/* Runs fn(tx, arg) in a savepoint for subject s. Success clears a failure
 * recorded before; failure undoes fn's changes only and records it. Either
 * way 0 is returned with *retry_at 0 (success) or when the subject is due
 * again (failure): the caller goes on with the next subject. Only a failure
 * of the transaction itself (the store lost it, or could not record the
 * failure) is returned, with err set. retry_at may be NULL. */
int tl_job_subject_run(tl_tx *tx, const tl_ctx *ctx, const tl_job_subject *s, tl_tx_fn fn,
		       void *arg, int64_t *retry_at, tl_error *err);

/* What tl_job_subject_run does when fn succeeds, for a job that ran the
 * subject in a batch of its own: a failure recorded before is cleared. */
int tl_job_subject_succeeded(tl_tx *tx, const tl_ctx *ctx, const tl_job_subject *s,
			     tl_error *err);

/* One page of failing subjects, newest first; job NULL: every job's. */
int tl_job_failures_list(tl_tx *tx, const char *job, const tl_page *page, tl_job_failure *out,
			 size_t *count, tl_error *err);

/* The JSON form for GET /v1/admin/jobs. */
json_t *tl_job_failure_to_json(const tl_job_failure *f);

#endif
