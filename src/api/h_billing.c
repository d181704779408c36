/* h_billing.c: the billing history: invoices and payments. */
#include "api/api.h"
#include "service/billing_docs.h"

#include <string.h>

typedef struct doc_call {
	tl_request *req;
	const char *kind;
	const char *account_id;
	const char *ref;
	tl_page page;
	json_t *result;
	char last_id[TL_ID_MAX];
} doc_call;

static int get_doc_tx(tl_tx *tx, void *arg, tl_error *err)
{
	doc_call *c = arg;
	return tl_billing_get(tx, &c->req->ctx, c->kind, c->req->params[0], &c->result, err);
}

static int respond_doc(tl_request *req, tl_response *res, const char *kind, tl_error *err)
{
	doc_call c = {.req = req, .kind = kind};
	int rc = tl_api_read(req, get_doc_tx, &c, err);
	if (rc == 0)
		tl_respond_json(res, 200, c.result);
	return rc;
}

static int list_docs_tx(tl_tx *tx, void *arg, tl_error *err)
{
	doc_call *c = arg;
	return tl_billing_list(tx, &c->req->ctx, c->kind, c->account_id, c->ref, &c->page,
			       &c->result, c->last_id, err);
}

static int respond_list(tl_request *req, tl_response *res, const char *kind, const char *ref,
			tl_error *err)
{
	doc_call c = {.req = req, .kind = kind, .ref = ref};
	c.account_id = req->who.is_admin ? tl_query(req, "account_id") : req->who.account_id;
	if (c.account_id == NULL || c.account_id[0] == '\0') {
		tl_error_set(err, TL_EINVALID, "missing_parameter",
			     "the admin must name the account: ?account_id=acc_...");
		tl_error_details(err, json_pack("{s:s}", "parameter", "account_id"));
		return TL_EINVALID;
	}
	int rc = tl_query_page(req, &c.page, err);
	if (rc == 0)
		rc = tl_api_read(req, list_docs_tx, &c, err);
	if (rc == 0)
		tl_respond_json(res, 200, tl_page_json(c.result, &c.page,
						       c.last_id[0] ? c.last_id : NULL));
	else
		json_decref(c.result);
	return rc;
}

int tl_h_invoices_list(tl_request *req, tl_response *res, tl_error *err)
{
	return respond_list(req, res, "invoice", tl_query(req, "resource_id"), err);
}

int tl_h_invoices_get(tl_request *req, tl_response *res, tl_error *err)
{
	return respond_doc(req, res, "invoice", err);
}

int tl_h_payments_list(tl_request *req, tl_response *res, tl_error *err)
{
	return respond_list(req, res, "payment", NULL, err);
}

int tl_h_payments_get(tl_request *req, tl_response *res, tl_error *err)
{
	return respond_doc(req, res, "payment", err);
}

