/* job_failures.c: per-subject isolation of the jobs; see job_failures.h. */
#include "service/job_failures.h"
#include "service/audit.h"
#include "common/log.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <string.h>

int64_t tl_job_retry_delay(int64_t attempts)
{
	int64_t delay = TL_JOB_RETRY_MIN_S;
	for (int64_t i = 1; i < attempts && delay < TL_JOB_RETRY_MAX_S; i++)
		delay *= 2;
	return delay < TL_JOB_RETRY_MAX_S ? delay : TL_JOB_RETRY_MAX_S;
}

int tl_job_subject_succeeded(tl_tx *tx, const tl_ctx *ctx, const tl_job_subject *s,
			     tl_error *err)
{
	int rc = tl_store_job_failure_clear(tx, s->job, s->subject, err);
	if (rc != 1)
		return rc;
	return tl_audit_record(tx, ctx, "job.recovered", s->account_id, s->subject, NULL,
			       json_pack("{s:s}", "job", s->job), err);
}

/* Records why fn failed: the attempts in a row and when to try again. */
static int record(tl_tx *tx, const tl_ctx *ctx, const tl_job_subject *s, const tl_error *why,
		  int why_rc, int64_t *retry_at, tl_error *err)
{
	tl_job_failure f = {0};
	tl_error lookup = {0};
	int rc = tl_store_job_failure_get(tx, s->job, s->subject, &f, &lookup);
	if (rc == TL_ENOTFOUND) /* the first failure in a row */
		f = (tl_job_failure){.first_failed_at = ctx->now};
	else if (rc < 0)
		tl_error_set(err, rc, lookup.code, "%s", lookup.message);
	tl_error_clear(&lookup);
	if (rc < 0 && rc != TL_ENOTFOUND)
		return rc;
	snprintf(f.job, sizeof(f.job), "%s", s->job);
	snprintf(f.subject, sizeof(f.subject), "%s", s->subject);
	snprintf(f.account_id, sizeof(f.account_id), "%s", s->account_id ? s->account_id : "");
	snprintf(f.code, sizeof(f.code), "%s",
		 why->code[0] ? why->code : tl_err_default_code(why_rc));
	snprintf(f.message, sizeof(f.message), "%s", why->message);
	f.attempts++;
	f.last_failed_at = ctx->now;
	f.next_retry_at = ctx->now + tl_job_retry_delay(f.attempts);
	*retry_at = f.next_retry_at;
	char next[TL_TIME_STR_MAX];
	tl_time_format(f.next_retry_at, next);
	json_t *what = json_pack("{s:s, s:s, s:s, s:I, s:s}", "job", f.job, "code", f.code,
				 "message", f.message, "attempts", (json_int_t)f.attempts,
				 "next_retry_at", next);
	tl_log("warn", "a job failed for one subject; it is retried later",
	       json_pack("{s:s, s:s, s:s, s:s, s:I}", "job", f.job, "subject", f.subject, "code",
			 f.code, "reason", f.message, "attempts", (json_int_t)f.attempts));
	rc = tl_store_job_failure_put(tx, &f, err);
	return rc ? (json_decref(what), rc)
		  : tl_audit_record(tx, ctx, "job.failed", s->account_id, s->subject, NULL, what,
				    err);
}

int tl_job_subject_run(tl_tx *tx, const tl_ctx *ctx, const tl_job_subject *s, tl_tx_fn fn,
		       void *arg, int64_t *retry_at, tl_error *err)
{
	int64_t ignored;
	if (retry_at == NULL)
		retry_at = &ignored;
	*retry_at = 0;
	tl_error why = {0};
	int rc = tl_store_nested(tx, fn, arg, &why);
	if (rc == 0) {
		tl_error_clear(&why);
		return tl_job_subject_succeeded(tx, ctx, s, err);
	}
	if (rc == TL_EUNAVAILABLE) { /* the transaction is gone: nothing can be recorded */
		tl_error_set(err, rc, why.code, "%s", why.message);
		tl_error_clear(&why);
		return rc;
	}
	rc = record(tx, ctx, s, &why, rc, retry_at, err);
	tl_error_clear(&why);
	return rc;
}

int tl_job_failures_list(tl_tx *tx, const char *job, const tl_page *page, tl_job_failure *out,
			 size_t *count, tl_error *err)
{
	return tl_store_job_failure_list(tx, job, page, out, count, err);
}

json_t *tl_job_failure_to_json(const tl_job_failure *f)
{
	char first[TL_TIME_STR_MAX], last[TL_TIME_STR_MAX], next[TL_TIME_STR_MAX];
	tl_time_format(f->first_failed_at, first);
	tl_time_format(f->last_failed_at, last);
	tl_time_format(f->next_retry_at, next);
	return json_pack("{s:s, s:s, s:s?, s:{s:s, s:s}, s:I, s:s, s:s, s:s}", "job", f->job,
			 "subject_id", f->subject, "account_id",
			 f->account_id[0] ? f->account_id : NULL, "error", "code", f->code,
			 "message", f->message, "attempts", (json_int_t)f->attempts,
			 "first_failed_at", first, "last_failed_at", last, "next_retry_at", next);
}
