/*
 * transact.c: running a request's use case in a transaction, with
 * idempotency for writes.
 *
 * A write with an Idempotency-Key stores its answer (status and body) in the
 * same transaction as its changes, scoped to the caller (the admin or the
 * account), so a retry after a crash or a lost answer either finds both or
 * neither. Answers with a 5xx status are not stored: they report a failure
 * to run, not a result, and a retry should run again.
 */
#include "api/api.h"
#include "common/log.h"
#include "service/idempotency.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_api_read(tl_request *req, tl_tx_fn fn, void *arg, tl_error *err)
{
	return tl_store_read(req->app->store, fn, arg, err);
}

typedef struct write_job {
	tl_request *req;
	tl_response *res;
	tl_tx_fn fn;
	void *arg;
	unsigned char fingerprint[TL_FINGERPRINT_BYTES];
} write_job;

static void fingerprint_request(const tl_request *req, unsigned char out[TL_FINGERPRINT_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, TL_FINGERPRINT_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)req->method, strlen(req->method) + 1);
	crypto_generichash_update(&st, (const unsigned char *)req->path, strlen(req->path) + 1);
	crypto_generichash_update(&st, (const unsigned char *)req->body, req->body_len);
	crypto_generichash_final(&st, out, TL_FINGERPRINT_BYTES);
}

/* Answers from a stored response; 1 when one was found (or the key was
 * reused: answered with the error), 0 when not. */
static int replay_stored(tl_tx *tx, write_job *job, tl_error *err)
{
	unsigned status = 0;
	char *body = NULL;
	tl_error lookup_err = {0};
	int rc = tl_idempotency_find(tx, &job->req->ctx, job->req->idempotency_key,
				     job->fingerprint, &status, &body, &lookup_err);
	if (rc == TL_ERULE) {
		tl_respond_error(job->res, &lookup_err);
		tl_error_clear(&lookup_err);
		return 1;
	}
	if (rc < 0) {
		tl_error_set(err, lookup_err.err, lookup_err.code, "%s", lookup_err.message);
		tl_error_clear(&lookup_err);
		return rc;
	}
	if (rc == 0)
		return 0;
	tl_response_reset(job->res);
	job->res->status = status;
	job->res->text = body;
	job->res->replayed = true;
	return 1;
}

static int store_answer(tl_tx *tx, write_job *job, tl_error *err)
{
	unsigned status = job->res->status;
	char *body;
	if (job->res->retry_status) {
		status = job->res->retry_status;
		body = json_dumps(job->res->retry_json, JSON_COMPACT);
	} else {
		body = tl_response_body_text(job->res);
	}
	if (body == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_idempotency_store(tx, &job->req->ctx, job->req->idempotency_key,
				      job->fingerprint, status, body, err);
	free(body);
	return rc;
}

/* The whole write, run by the store's writer thread (possibly twice: see
 * store.h, so it starts by forgetting any earlier answer). */
static int write_in_tx(tl_tx *tx, void *arg, tl_error *err)
{
	write_job *job = arg;
	tl_response_reset(job->res);
	if (job->req->idempotency_key) {
		int found = replay_stored(tx, job, err);
		if (found != 0)
			return found < 0 ? found : 0;
	}
	tl_error use_case_err = {0};
	int rc = tl_store_nested(tx, job->fn, job->arg, &use_case_err);
	if (rc < 0) {
		tl_respond_error(job->res, &use_case_err);
		tl_error_clear(&use_case_err);
	}
	if (job->req->idempotency_key && job->res->status < 500)
		return store_answer(tx, job, err);
	return 0;
}

int tl_api_write(tl_request *req, tl_response *res, tl_tx_fn fn, void *arg, tl_error *err)
{
	write_job job = {.req = req, .res = res, .fn = fn, .arg = arg};
	if (req->idempotency_key)
		fingerprint_request(req, job.fingerprint);
	return tl_store_write(req->app->store, write_in_tx, &job, err);
}
