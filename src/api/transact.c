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

static const char *idem_scope(const tl_request *req)
{
	return req->who.is_admin ? "admin" : req->who.account_id;
}

/* Answers from a stored response; 1 when one was found, 0 when not. */
static int replay_stored(tl_tx *tx, write_job *job, tl_error *err)
{
	tl_idem_record stored = {0};
	tl_error lookup_err = {0};
	int rc = tl_store_idem_get(tx, idem_scope(job->req), job->req->idempotency_key, &stored,
				   &lookup_err);
	if (rc == TL_ENOTFOUND) {
		tl_error_clear(&lookup_err);
		return 0;
	}
	if (rc < 0) {
		tl_error_set(err, lookup_err.err, lookup_err.code, "%s", lookup_err.message);
		tl_error_clear(&lookup_err);
		return rc;
	}
	if (sodium_memcmp(stored.fingerprint, job->fingerprint, TL_FINGERPRINT_BYTES) != 0) {
		free(stored.body);
		tl_error reused = {0};
		tl_error_set(&reused, TL_ERULE, "idempotency_key_reused",
			     "Idempotency-Key \"%.64s\" was used for a different request",
			     job->req->idempotency_key);
		tl_respond_error(job->res, &reused);
		tl_error_clear(&reused);
		return 1;
	}
	tl_response_reset(job->res);
	job->res->status = stored.status;
	job->res->text = stored.body;
	job->res->replayed = true;
	return 1;
}

static int store_answer(tl_tx *tx, write_job *job, tl_error *err)
{
	tl_idem_record rec = {.status = job->res->status, .created_at = job->req->ctx.now};
	snprintf(rec.scope, sizeof(rec.scope), "%s", idem_scope(job->req));
	snprintf(rec.key, sizeof(rec.key), "%s", job->req->idempotency_key);
	memcpy(rec.fingerprint, job->fingerprint, TL_FINGERPRINT_BYTES);
	if (job->res->retry_status) {
		rec.status = job->res->retry_status;
		rec.body = json_dumps(job->res->retry_json, JSON_COMPACT);
	} else {
		rec.body = tl_response_body_text(job->res);
	}
	if (rec.body == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_store_idem_put(tx, &rec, err);
	free(rec.body);
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
