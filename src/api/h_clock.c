/* h_clock.c: reading and moving the test clock (routed only under
 * --test-clock; without it these paths do not exist: 404), running the
 * due jobs on demand, and listing the subjects the jobs fail on. */
#include "api/api.h"
#include "common/timefmt.h"
#include "jobs/jobs.h"
#include "service/audit.h"
#include "service/job_failures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *clock_json(tl_clock *clock)
{
	char now[TL_TIME_STR_MAX];
	tl_time_format(tl_clock_now(clock), now);
	return json_pack("{s:s}", "now", now);
}

int tl_h_clock_get(tl_request *req, tl_response *res, tl_error *err)
{
	(void)err;
	tl_respond_json(res, 200, clock_json(req->app->clock));
	return 0;
}

typedef struct clock_move {
	tl_request *req;
	tl_response *res;
	int64_t target;
} clock_move;

/* Runs as a store write so that the Idempotency-Key of a retried move is
 * honoured like any POST's: the move is made absolute first, and setting
 * an absolute time is safe to repeat. */
static int clock_move_tx(tl_tx *tx, void *arg, tl_error *err)
{
	clock_move *m = arg;
	char before[TL_TIME_STR_MAX], after[TL_TIME_STR_MAX];
	tl_time_format(tl_clock_now(m->req->app->clock), before);
	tl_time_format(m->target, after);
	int rc = tl_audit_record(tx, &m->req->ctx, "clock.moved", NULL, "clock",
				 json_pack("{s:s}", "now", before), json_pack("{s:s}", "now", after),
				 err);
	if (rc == 0 && tl_clock_set(m->req->app->clock, m->target) < 0)
		rc = tl_error_set(err, TL_EINVALID, "invalid_time",
				  "\"now\" must be an RFC 3339 time from 1970 to 9999");
	if (rc == 0)
		tl_respond_json(m->res, 200, clock_json(m->req->app->clock));
	return rc;
}

/* The clock's whole range, 1970 to 9999 (tl_clock_set's): no move can be
 * longer. */
#define CLOCK_SPAN_S INT64_C(253402300799)

/* The absolute time a request asks for: {now} or {advance_seconds}. */
static int clock_target(tl_request *req, const json_t *in, int64_t *out, tl_error *err)
{
	const char *now = tl_json_str(in, "now");
	json_t *advance = json_object_get(in, "advance_seconds");
	if ((now == NULL) == (advance == NULL))
		return tl_error_set(err, TL_EINVALID, "invalid_request",
				    "give exactly one of \"now\" and \"advance_seconds\"");
	if (now) {
		if (tl_time_parse(now, out) < 0)
			return tl_error_set(err, TL_EINVALID, "invalid_time",
					    "\"now\" must be an RFC 3339 time from 1970 to 9999");
		return 0;
	}
	int64_t current = tl_clock_now(req->app->clock), seconds = 0;
	int rc = tl_json_int_range(in, "advance_seconds", -CLOCK_SPAN_S, CLOCK_SPAN_S,
				   &seconds, err);
	if (rc < 0)
		return rc;
	if (__builtin_add_overflow(current, seconds, out) || *out < 0 ||
	    *out > CLOCK_SPAN_S)
		return tl_error_set(err, TL_EINVALID, "invalid_time",
				    "advancing by %lld seconds leaves 1970-9999", (long long)seconds);
	return 0;
}

int tl_h_clock_set(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"now", TL_JSON_STRING, false},
		{"advance_seconds", TL_JSON_INTEGER, false},
	};
	json_t *in = NULL;
	int rc = tl_json_input(req, fields, 2, &in, err);
	clock_move m = {req, res, 0};
	if (rc == 0)
		rc = clock_target(req, in, &m.target, err);
	json_decref(in);
	if (rc == 0)
		rc = tl_api_write(req, res, clock_move_tx, &m, err);
	if (rc < 0 || res->replayed || res->status != 200)
		return rc;
	/* Time moved: what became due happens now, before the answer, so a test
	 * that moves the clock sees its effects on the next call. */
	tl_jobs_report report;
	rc = tl_jobs_run_due(req->app->store, req->app->clock, req->app->catalog,
				     req->app->idempotency_retention_s, &report, err);
	if (rc == 0)
		json_object_set_new(res->json, "jobs", tl_jobs_report_json(&report));
	return rc;
}

/* POST /v1/admin/jobs/run: everything due at the clock's now, at once.
 * Each job is keyed by (job, subject, period), so running it again, here
 * or in the ticker, does nothing twice. */
int tl_h_jobs_run(tl_request *req, tl_response *res, tl_error *err)
{
	json_t *in = NULL;
	int rc = tl_json_input(req, NULL, 0, &in, err);
	json_decref(in);
	tl_jobs_report report;
	if (rc == 0)
		rc = tl_jobs_run_due(req->app->store, req->app->clock, req->app->catalog,
				     req->app->idempotency_retention_s, &report, err);
	if (rc == 0) {
		json_t *body = clock_json(req->app->clock);
		json_object_set_new(body, "jobs", tl_jobs_report_json(&report));
		tl_respond_json(res, 200, body);
	}
	return rc;
}

typedef struct list_failures {
	const char *job;
	tl_page page;
	tl_job_failure rows[TL_PAGE_MAX];
	size_t count;
} list_failures;

static int list_failures_tx(tl_tx *tx, void *arg, tl_error *err)
{
	list_failures *l = arg;
	return tl_job_failures_list(tx, l->job, &l->page, l->rows, &l->count, err);
}

/* GET /v1/admin/jobs[?job=]: the subjects the jobs are failing on, newest
 * first: job, subject, error, attempts and the next retry. Empty when
 * every job succeeds for every subject. */
int tl_h_jobs_failures(tl_request *req, tl_response *res, tl_error *err)
{
	list_failures *l = calloc(1, sizeof(*l)); /* ~200 KiB: not on the stack */
	if (l == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	l->job = tl_query(req, "job");
	int rc = tl_query_page(req, &l->page, err);
	if (rc == 0 && l->page.after[0] &&
	    strspn(l->page.after, "0123456789") != strlen(l->page.after)) {
		rc = tl_error_set(err, TL_EINVALID, "invalid_parameter",
				  "after must be a previous page's next");
		tl_error_details(err, json_pack("{s:s}", "parameter", "after"));
	}
	if (rc == 0)
		rc = tl_api_read(req, list_failures_tx, l, err);
	if (rc == 0) {
		json_t *items = json_array();
		for (size_t i = 0; i < l->count; i++)
			json_array_append_new(items, tl_job_failure_to_json(&l->rows[i]));
		char last[32] = "";
		if (l->count)
			snprintf(last, sizeof(last), "%lld", (long long)l->rows[l->count - 1].seq);
		tl_respond_json(res, 200, tl_page_json(items, &l->page, l->count ? last : NULL));
	}
	free(l);
	return rc;
}
