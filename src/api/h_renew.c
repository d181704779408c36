/* h_renew.c: POST /v1/resources/{id}/renew: a manual renewal of a prepaid
 * resource's term, or the recovery of a suspended one, through a checkout. */
#include "api/api.h"
#include "service/checkout.h"

#include <stdlib.h>

typedef struct renew_call {
	tl_request *req;
	tl_response *res;
	int cycle_months;
	tl_checkout checkout; /* large: the call lives on the heap */
} renew_call;

static int renew_tx(tl_tx *tx, void *arg, tl_error *err)
{
	renew_call *c = arg;
	int rc = tl_checkouts_create_renewal(tx, &c->req->ctx, c->req->app->catalog,
					     c->req->params[0], c->cycle_months,
					     c->req->app->checkout_ttl_s, &c->checkout, err);
	if (rc == 0)
		tl_respond_json(c->res, 201, tl_checkout_to_json(&c->checkout));
	tl_checkout_release(&c->checkout);
	return rc;
}

int tl_h_resources_renew(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {{"cycle_months", TL_JSON_INTEGER, true}};
	json_t *in = NULL;
	int64_t cycle_months = 0;
	int rc = tl_json_input(req, fields, 1, &in, err);
	rc = rc ? rc : tl_json_int_range(in, "cycle_months", 1, TL_CYCLE_MONTHS_MAX, &cycle_months,
					 err);
	if (rc < 0) {
		json_decref(in);
		return rc;
	}
	renew_call *c = calloc(1, sizeof(*c));
	if (c == NULL)
		rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	if (rc == 0) {
		/* field by field: a compound literal would build the ~2 MiB
		 * checkout on the connection thread's 512 KiB stack first */
		c->req = req;
		c->res = res;
		c->cycle_months = (int)cycle_months;
		rc = tl_api_write(req, res, renew_tx, c, err);
	}
	free(c);
	json_decref(in);
	return rc;
}
