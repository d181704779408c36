/* h_usage.c: HTTP handler for POST /v1/usage, metered usage of postpaid
 * resources. The batch's shape is checked before any transaction (a
 * malformed batch is 400 and records nothing); each record's resource is
 * judged inside it, record by record. The route takes the admin token or a
 * metering token only (routes.c: TL_AUTH_METERING). */
#include "api/api.h"
#include "domain/usage.h"
#include "service/usage.h"

#include <stdlib.h>

typedef struct usage_call {
	tl_request *req;
	tl_response *res;
	const tl_usage_record *records;
	size_t count;
	tl_usage_outcome outcome;
} usage_call;

static int submit_tx(tl_tx *tx, void *arg, tl_error *err)
{
	usage_call *c = arg;
	int rc = tl_usage_submit(tx, &c->req->ctx, c->req->app->catalog, c->records, c->count,
				 &c->outcome, err);
	if (rc < 0)
		return rc;
	tl_respond_json(c->res, 200,
			json_pack("{s:I, s:I, s:I, s:O}", "accepted",
				  (json_int_t)c->outcome.accepted, "duplicates",
				  (json_int_t)c->outcome.duplicates, "rejected",
				  (json_int_t)c->outcome.rejected, "results", c->outcome.results));
	return 0;
}

int tl_h_usage_submit(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"records", TL_JSON_ARRAY, true},
	};
	tl_usage_record *records = NULL;
	size_t count = 0;
	char *text = NULL; /* the fast path's strings */
	json_t *in = NULL;
	int rc = tl_usage_batch_parse_fast(req->body, req->body_len, &records, &count, &text);
	if (rc == TL_EINTERNAL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	if (rc == 1) { /* not the common shape: the general path judges it */
		rc = tl_json_input(req, fields, sizeof(fields) / sizeof(fields[0]), &in, err);
		if (rc == 0)
			rc = tl_usage_batch_parse(json_object_get(in, "records"), &records, &count,
						  err);
	}
	if (rc == 0) {
		usage_call c = {.req = req, .res = res, .records = records, .count = count};
		rc = tl_api_write(req, res, submit_tx, &c, err);
		json_decref(c.outcome.results);
	}
	free(records);
	free(text);
	json_decref(in);
	return rc;
}
