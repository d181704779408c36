/* h_billing.c: the billing history: invoices and payments. */
#include "api/api.h"
#include "api/invoice_pdf.h"
#include "service/invoices.h"

#include <microhttpd.h>
#include <strings.h>
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
	return strcmp(c->kind, "invoice") == 0
		       ? tl_invoices_get_json(tx, &c->req->ctx, c->req->params[0], &c->result, err)
		       : tl_payments_get_json(tx, &c->req->ctx, c->req->params[0], &c->result, err);
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
	return strcmp(c->kind, "invoice") == 0
		       ? tl_invoices_list_json(tx, &c->req->ctx, c->account_id, c->ref, &c->page,
					       &c->result, c->last_id, err)
		       : tl_payments_list_json(tx, &c->req->ctx, c->account_id, &c->page,
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

/* GET /v1/invoices/{id}.pdf, or with Accept: application/pdf. */
static bool wants_pdf(tl_request *req)
{
	size_t n = strlen(req->params[0]);
	if (n > 4 && strcmp(req->params[0] + n - 4, ".pdf") == 0) {
		req->params[0][n - 4] = '\0';
		return true;
	}
	const char *accept = req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
								     "Accept")
				       : NULL;
	return accept && strstr(accept, "application/pdf") != NULL;
}

/* ?lang=vi|en, else the first of Accept-Language that is one, else vi. */
static int invoice_lang(tl_request *req, bool *vi, tl_error *err)
{
	const char *lang = tl_query(req, "lang");
	if (lang) {
		if (strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0) {
			tl_error_set(err, TL_EINVALID, "invalid_parameter",
				     "lang must be vi or en");
			tl_error_details(err, json_pack("{s:s}", "parameter", "lang"));
			return TL_EINVALID;
		}
		*vi = strcmp(lang, "vi") == 0;
		return 0;
	}
	const char *al = req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
								 "Accept-Language")
				   : NULL;
	*vi = true;
	for (const char *p = al; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, "vi", 2) == 0 && (p[2] == '\0' || strchr(",;- ", p[2])))
			return 0;
		if (strncasecmp(p, "en", 2) == 0 && (p[2] == '\0' || strchr(",;- ", p[2]))) {
			*vi = false;
			return 0;
		}
		p = strchr(p, ',');
	}
	return 0;
}

static int respond_pdf(tl_request *req, tl_response *res, tl_error *err)
{
	bool vi = true;
	int rc = invoice_lang(req, &vi, err);
	if (rc < 0)
		return rc;
	doc_call c = {.req = req, .kind = "invoice"};
	rc = tl_api_read(req, get_doc_tx, &c, err);
	if (rc < 0)
		return rc;
	const tl_app *app = req->app;
	tl_seller seller = {app->seller_name, app->seller_address, app->seller_tax_code};
	unsigned char *pdf = NULL;
	size_t len = 0;
	rc = tl_invoice_pdf(c.result, &seller, vi, &pdf, &len, err);
	json_decref(c.result);
	if (rc < 0)
		return rc;
	tl_response_reset(res);
	res->status = 200;
	res->text = (char *)pdf;
	res->text_len = len;
	res->content_type = "application/pdf";
	return 0;
}

int tl_h_invoices_get(tl_request *req, tl_response *res, tl_error *err)
{
	if (wants_pdf(req))
		return respond_pdf(req, res, err);
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

