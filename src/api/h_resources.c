/* h_resources.c: HTTP handlers for resources and Stop POC. */
#include "api/api.h"
#include "service/holds.h"
#include "service/resources.h"
#include "service/stop_poc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct resource_call {
	tl_request *req;
	tl_response *res;
	json_t *in;
	tl_resource_request create;
	tl_resource_query query;
	tl_page page;
	json_t *result;
	char last[TL_ID_MAX];
	tl_checkout_request confirm;
	bool stopped;
	tl_checkout checkout; /* large: calls live on the heap */
} resource_call;

static resource_call *new_call(tl_request *req, tl_response *res, tl_error *err)
{
	resource_call *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
		return NULL;
	}
	c->req = req;
	c->res = res;
	return c;
}

static void free_call(resource_call *c)
{
	if (c == NULL)
		return;
	json_decref(c->in);
	tl_checkout_release(&c->checkout);
	free(c);
}

/* ---- POST /v1/resources ------------------------------------------------------- */

static int create_tx(tl_tx *tx, void *arg, tl_error *err)
{
	resource_call *c = arg;
	json_t *out = NULL;
	int rc = tl_resources_create(tx, &c->req->ctx, c->req->app->catalog, &c->create, &out, err);
	if (rc == 0)
		tl_respond_json(c->res, 201, out);
	else
		json_decref(out);
	return rc;
}

int tl_h_resources_create(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"type", TL_JSON_STRING, true},        {"name", TL_JSON_STRING, true},
		{"spec", TL_JSON_OBJECT, true},        {"poc", TL_JSON_BOOLEAN, true},
		{"cluster_id", TL_JSON_STRING, false}, {"role", TL_JSON_STRING, false},
		{"account_id", TL_JSON_STRING, false},
	};
	resource_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_json_input(req, fields, sizeof(fields) / sizeof(fields[0]), &c->in, err);
	rc = rc ? rc : tl_spec_check(json_object_get(c->in, "spec"), tl_json_str(c->in, "type"),
				     "spec", err);
	const char *account = NULL;
	if (rc == 0) {
		account = req->who.is_admin ? tl_json_str(c->in, "account_id") : req->who.account_id;
		if (account == NULL) {
			rc = tl_error_set(err, TL_EINVALID, "missing_field",
					  "the admin must name the account_id");
			tl_error_details(err, json_pack("{s:s}", "field", "account_id"));
		}
	}
	if (rc == 0) {
		c->create = (tl_resource_request){
			.account_id = account, .type = tl_json_str(c->in, "type"),
			.name = tl_json_str(c->in, "name"), .spec = json_object_get(c->in, "spec"),
			.poc = json_is_true(json_object_get(c->in, "poc")),
			.cluster_id = tl_json_str(c->in, "cluster_id"),
			.role = tl_json_str(c->in, "role")};
		rc = tl_api_write(req, res, create_tx, c, err);
	}
	free_call(c);
	return rc;
}

/* ---- GET /v1/resources, GET /v1/resources/{id} ----------------------------- */

static int list_tx(tl_tx *tx, void *arg, tl_error *err)
{
	resource_call *c = arg;
	return tl_resources_list(tx, &c->req->ctx, &c->query, &c->page, &c->result, c->last, err);
}

int tl_h_resources_list(tl_request *req, tl_response *res, tl_error *err)
{
	resource_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	const char *account = req->who.is_admin ? tl_query(req, "account_id") : req->who.account_id;
	int rc = tl_query_page(req, &c->page, err);
	if (rc == 0 && (account == NULL || account[0] == '\0')) {
		rc = tl_error_set(err, TL_EINVALID, "missing_parameter",
				  "the admin must name the account: ?account_id=acc_...");
		tl_error_details(err, json_pack("{s:s}", "parameter", "account_id"));
	}
	if (rc == 0) {
		c->query = (tl_resource_query){.account_id = account, .q = tl_query(req, "q"),
					       .type = tl_query(req, "type"),
					       .billing = tl_query(req, "billing"),
					       .cluster_id = tl_query(req, "cluster_id")};
		rc = tl_api_read(req, list_tx, c, err);
	}
	if (rc == 0)
		tl_respond_json(res, 200, tl_page_json(c->result, &c->page, c->last[0] ? c->last : NULL));
	else
		json_decref(c->result);
	free_call(c);
	return rc;
}

static int get_tx(tl_tx *tx, void *arg, tl_error *err)
{
	resource_call *c = arg;
	return tl_resources_get(tx, &c->req->ctx, c->req->params[0], &c->result, err);
}

int tl_h_resources_get(tl_request *req, tl_response *res, tl_error *err)
{
	resource_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_api_read(req, get_tx, c, err);
	if (rc == 0)
		tl_respond_json(res, 200, c->result);
	free_call(c);
	return rc;
}

/* ---- DELETE /v1/resources/{id} ------------------------------------------------- */

static int delete_tx(tl_tx *tx, void *arg, tl_error *err)
{
	resource_call *c = arg;
	int rc = tl_resources_delete(tx, &c->req->ctx, c->req->params[0], err);
	rc = rc ? rc : tl_holds_settle_deletion(tx, &c->req->ctx, c->req->app->catalog,
						c->req->params[0], err);
	json_t *out = NULL;
	if (rc == 0)
		rc = tl_resources_get(tx, &c->req->ctx, c->req->params[0], &out, err);
	if (rc == 0)
		tl_respond_json(c->res, 200, out);
	return rc;
}

int tl_h_resources_delete(tl_request *req, tl_response *res, tl_error *err)
{
	resource_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	/* no fields: a body, if any, must be an empty object like any call's */
	int rc = tl_json_input(req, NULL, 0, &c->in, err);
	if (rc == 0)
		rc = tl_api_write(req, res, delete_tx, c, err);
	free_call(c);
	return rc;
}

/* ---- Stop POC -------------------------------------------------------------------- */

static int preview_tx(tl_tx *tx, void *arg, tl_error *err)
{
	resource_call *c = arg;
	return tl_stop_poc_preview(tx, &c->req->ctx, c->req->app->catalog, c->req->params[0],
				   &c->result, err);
}

int tl_h_stop_poc_preview(tl_request *req, tl_response *res, tl_error *err)
{
	resource_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_json_input(req, NULL, 0, &c->in, err);
	if (rc == 0)
		rc = tl_api_read(req, preview_tx, c, err);
	if (rc == 0)
		tl_respond_json(res, 200, c->result);
	free_call(c);
	return rc;
}

static int confirm_tx(tl_tx *tx, void *arg, tl_error *err)
{
	resource_call *c = arg;
	int rc = tl_stop_poc_confirm(tx, &c->req->ctx, c->req->app->catalog, c->req->params[0],
				     &c->confirm, &c->checkout, &c->stopped, err);
	json_t *resource = NULL;
	if (rc == 0 && c->stopped)
		rc = tl_resources_get(tx, &c->req->ctx, c->req->params[0], &resource, err);
	if (rc == 0 && c->stopped) /* the cluster's flag cleared, or a postpaid account's */
		tl_respond_json(c->res, 200, json_pack("{s:b, s:s, s:o}", "stopped", true,
						       "resource_id", c->req->params[0], "resource",
						       resource));
	else if (rc == 0)
		tl_respond_json(c->res, 201, tl_checkout_to_json(&c->checkout));
	tl_checkout_release(&c->checkout);
	return rc;
}

int tl_h_stop_poc_confirm(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"cycle_months", TL_JSON_INTEGER, false},
		{"auto_renew", TL_JSON_BOOLEAN, false},
		{"coupon", TL_JSON_STRING, false},
	};
	resource_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int64_t cycle_months = 1;
	int rc = tl_json_input(req, fields, 3, &c->in, err);
	rc = rc ? rc : tl_json_int_range(c->in, "cycle_months", 1, TL_CYCLE_MONTHS_MAX,
					 &cycle_months, err);
	if (rc == 0) {
		c->confirm = (tl_checkout_request){
			.cycle_months = (int)cycle_months,
			.auto_renew = json_is_true(json_object_get(c->in, "auto_renew")),
			.coupon = tl_json_str(c->in, "coupon"), .ttl_s = req->app->checkout_ttl_s};
		rc = tl_api_write(req, res, confirm_tx, c, err);
	}
	free_call(c);
	return rc;
}
