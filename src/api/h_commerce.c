/* h_commerce.c: HTTP handlers for the catalog, coupons and checkouts. */
#include "api/api.h"
#include "service/accounts.h"
#include "service/checkout.h"
#include "service/coupons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- GET /v1/catalog --------------------------------------------------------- */

typedef struct catalog_call {
	tl_request *req;
	char currency[4];
} catalog_call;

static int account_currency_tx(tl_tx *tx, void *arg, tl_error *err)
{
	catalog_call *c = arg;
	tl_account account;
	int rc = tl_accounts_get(tx, &c->req->ctx, c->req->who.account_id, &account, err);
	if (rc == 0)
		snprintf(c->currency, sizeof(c->currency), "%s", account.currency);
	return rc;
}

/* An account sees the prices in its own currency (the only one it is ever
 * charged in); the admin sees the default currency and every price. */
int tl_h_catalog_get(tl_request *req, tl_response *res, tl_error *err)
{
	catalog_call c = {.req = req};
	if (!req->who.is_admin) {
		int rc = tl_store_read(req->app->store, account_currency_tx, &c, err);
		if (rc < 0)
			return rc;
	}
	tl_respond_json(res, 200,
			tl_catalog_to_json(req->app->catalog, req->who.is_admin ? NULL : c.currency));
	return 0;
}

/* ---- coupons ------------------------------------------------------------------- */

typedef struct coupon_call {
	tl_request *req;
	tl_response *res;
	json_t *in;
	tl_page page;
	tl_coupon rows[TL_PAGE_MAX];
	size_t count;
} coupon_call;

static int create_coupon_tx(tl_tx *tx, void *arg, tl_error *err)
{
	coupon_call *c = arg;
	tl_coupon coupon;
	int rc = tl_coupons_create(tx, &c->req->ctx, c->req->app->catalog, c->in, &coupon, err);
	if (rc == 0)
		tl_respond_json(c->res, 201, tl_coupon_to_json(&coupon));
	return rc;
}

int tl_h_coupons_create(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"code", TL_JSON_STRING, true},          {"percent_off", TL_JSON_INTEGER, false},
		{"amount_off", TL_JSON_INTEGER, false},  {"starts_at", TL_JSON_STRING, false},
		{"expires_at", TL_JSON_STRING, false},   {"max_redemptions", TL_JSON_INTEGER, false},
		{"max_per_account", TL_JSON_INTEGER, false}, {"services", TL_JSON_ARRAY, false},
		{"min_cycle_months", TL_JSON_INTEGER, false},
		{"first_purchase_only", TL_JSON_BOOLEAN, false},
	};
	coupon_call *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	*c = (coupon_call){.req = req, .res = res};
	int rc = tl_json_input(req, fields, sizeof(fields) / sizeof(fields[0]), &c->in, err);
	if (rc == 0)
		rc = tl_api_write(req, res, create_coupon_tx, c, err);
	json_decref(c->in);
	free(c);
	return rc;
}

static int list_coupons_tx(tl_tx *tx, void *arg, tl_error *err)
{
	coupon_call *c = arg;
	return tl_coupons_list(tx, &c->req->ctx, &c->page, c->rows, &c->count, err);
}

int tl_h_coupons_list(tl_request *req, tl_response *res, tl_error *err)
{
	coupon_call *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	c->req = req;
	int rc = tl_query_page(req, &c->page, err);
	if (rc == 0)
		rc = tl_api_read(req, list_coupons_tx, c, err);
	if (rc == 0) {
		json_t *items = json_array();
		for (size_t i = 0; i < c->count; i++)
			json_array_append_new(items, tl_coupon_to_json(&c->rows[i]));
		tl_respond_json(res, 200, tl_page_json(items, &c->page,
						       c->count ? c->rows[c->count - 1].id : NULL));
	}
	free(c);
	return rc;
}

static int disable_coupon_tx(tl_tx *tx, void *arg, tl_error *err)
{
	coupon_call *c = arg;
	tl_coupon coupon;
	int rc = tl_coupons_disable(tx, &c->req->ctx, c->req->params[0], &coupon, err);
	if (rc == 0)
		tl_respond_json(c->res, 200, tl_coupon_to_json(&coupon));
	return rc;
}

int tl_h_coupons_disable(tl_request *req, tl_response *res, tl_error *err)
{
	json_t *in = NULL;
	int rc = tl_json_input(req, NULL, 0, &in, err);
	json_decref(in);
	coupon_call c = {.req = req, .res = res};
	return rc < 0 ? rc : tl_api_write(req, res, disable_coupon_tx, &c, err);
}

/* ---- checkouts ------------------------------------------------------------------ */

typedef struct checkout_call {
	tl_request *req;
	tl_response *res;
	tl_checkout_request create;
	tl_checkout_change change;
	tl_checkout checkout; /* large: the call lives on the heap */
} checkout_call;

static checkout_call *new_call(tl_request *req, tl_response *res)
{
	checkout_call *c = calloc(1, sizeof(*c));
	if (c) {
		c->req = req;
		c->res = res;
	}
	return c;
}

static void respond_checkout(checkout_call *c, unsigned status)
{
	tl_respond_json(c->res, status, tl_checkout_to_json(&c->checkout));
	tl_checkout_release(&c->checkout);
}

/* The account a call acts for: the token's own, or the admin's account_id. */
static int acting_account(const tl_request *req, const json_t *in, const char **out,
			  tl_error *err)
{
	*out = req->who.is_admin ? tl_json_str(in, "account_id") : req->who.account_id;
	if (*out)
		return 0;
	tl_error_set(err, TL_EINVALID, "missing_field", "the admin must name the account_id");
	tl_error_details(err, json_pack("{s:s}", "field", "account_id"));
	return TL_EINVALID;
}

static int create_checkout_tx(tl_tx *tx, void *arg, tl_error *err)
{
	checkout_call *c = arg;
	int rc = tl_checkouts_create_purchase(tx, &c->req->ctx, c->req->app->catalog, &c->create,
					      &c->checkout, err);
	if (rc == 0)
		respond_checkout(c, 201);
	tl_checkout_release(&c->checkout);
	return rc;
}

/* Each of items[] is {type, name, spec} with the spec of its type, checked
 * at every depth before the use case reads it. */
static int check_items(const json_t *items, tl_error *err)
{
	static const tl_field fields[] = {
		{"type", TL_JSON_STRING, true},
		{"name", TL_JSON_STRING, true},
		{"spec", TL_JSON_OBJECT, true},
	};
	char path[TL_FIELD_PATH_MAX], spec_path[TL_FIELD_PATH_MAX];
	for (size_t i = 0; i < json_array_size(items); i++) {
		const json_t *item = json_array_get(items, i);
		snprintf(path, sizeof(path), "items[%zu]", i);
		snprintf(spec_path, sizeof(spec_path), "items[%zu].spec", i);
		int rc = tl_json_check_at(item, path, fields, 3, err);
		rc = rc ? rc : tl_spec_check(json_object_get(item, "spec"),
					     tl_json_str(item, "type"), spec_path, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int tl_h_checkouts_create(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"kind", TL_JSON_STRING, true},          {"items", TL_JSON_ARRAY, true},
		{"cycle_months", TL_JSON_INTEGER, true}, {"auto_renew", TL_JSON_BOOLEAN, false},
		{"coupon", TL_JSON_STRING, false},       {"account_id", TL_JSON_STRING, false},
	};
	json_t *in = NULL;
	int64_t cycle_months = 0;
	int rc = tl_json_input(req, fields, sizeof(fields) / sizeof(fields[0]), &in, err);
	rc = rc ? rc : tl_json_int_range(in, "cycle_months", 1, TL_CYCLE_MONTHS_MAX, &cycle_months,
					 err);
	rc = rc ? rc : check_items(json_object_get(in, "items"), err);
	if (rc < 0) {
		json_decref(in);
		return rc;
	}
	checkout_call *c = new_call(req, res);
	if (c == NULL)
		rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	else if (strcmp(tl_json_str(in, "kind"), "purchase") != 0)
		rc = tl_error_set(err, TL_EINVALID, "invalid_kind",
				  "kind must be \"purchase\"; conversions are made by Stop POC");
	else
		rc = acting_account(req, in, &c->create.account_id, err);
	if (rc == 0) {
		c->create.items = json_object_get(in, "items");
		c->create.cycle_months = (int)cycle_months;
		c->create.auto_renew = json_is_true(json_object_get(in, "auto_renew"));
		c->create.coupon = tl_json_str(in, "coupon");
		c->create.ttl_s = req->app->checkout_ttl_s;
		rc = tl_api_write(req, res, create_checkout_tx, c, err);
	}
	free(c);
	json_decref(in);
	return rc;
}

static int get_checkout_tx(tl_tx *tx, void *arg, tl_error *err)
{
	checkout_call *c = arg;
	return tl_checkouts_get(tx, &c->req->ctx, c->req->params[0], &c->checkout, err);
}

int tl_h_checkouts_get(tl_request *req, tl_response *res, tl_error *err)
{
	checkout_call *c = new_call(req, res);
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_api_read(req, get_checkout_tx, c, err);
	if (rc == 0)
		respond_checkout(c, 200);
	tl_checkout_release(&c->checkout);
	free(c);
	return rc;
}

static int change_checkout_tx(tl_tx *tx, void *arg, tl_error *err)
{
	checkout_call *c = arg;
	int rc = tl_checkouts_change(tx, &c->req->ctx, c->req->params[0], &c->change,
				     &c->checkout, err);
	if (rc == 0)
		respond_checkout(c, 200);
	tl_checkout_release(&c->checkout); /* also after a failure (releasing is idempotent) */
	return rc;
}

int tl_h_checkouts_change(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"cycle_months", TL_JSON_INTEGER, false},
		{"auto_renew", TL_JSON_BOOLEAN, false},
		{"coupon", TL_JSON_STRING, false},
	};
	json_t *in = NULL;
	int64_t cycle_months = 0;
	int rc = tl_json_body(req, &in, err);
	if (rc < 0)
		return rc;
	bool remove_coupon = json_is_null(json_object_get(in, "coupon")); /* null removes */
	if (remove_coupon)
		json_object_del(in, "coupon");
	rc = tl_json_check(in, fields, 3, err);
	rc = rc ? rc : tl_json_int_range(in, "cycle_months", 1, TL_CYCLE_MONTHS_MAX, &cycle_months,
					 err);
	checkout_call *c = rc == 0 ? new_call(req, res) : NULL;
	if (rc == 0 && c == NULL)
		rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	if (rc == 0) {
		json_t *auto_renew = json_object_get(in, "auto_renew");
		c->change = (tl_checkout_change){
			.cycle_months = (int)cycle_months, /* 0: unchanged */
			.auto_renew = auto_renew ? json_is_true(auto_renew) : -1,
			.coupon_given = remove_coupon || json_object_get(in, "coupon"),
			.coupon = tl_json_str(in, "coupon")};
		rc = tl_api_write(req, res, change_checkout_tx, c, err);
	}
	free(c);
	json_decref(in);
	return rc;
}

static int cancel_checkout_tx(tl_tx *tx, void *arg, tl_error *err)
{
	checkout_call *c = arg;
	int rc = tl_checkouts_cancel(tx, &c->req->ctx, c->req->params[0], &c->checkout, err);
	if (rc == 0)
		respond_checkout(c, 200);
	tl_checkout_release(&c->checkout);
	return rc;
}

int tl_h_checkouts_cancel(tl_request *req, tl_response *res, tl_error *err)
{
	json_t *in = NULL;
	int rc = tl_json_input(req, NULL, 0, &in, err);
	json_decref(in);
	checkout_call *c = rc == 0 ? new_call(req, res) : NULL;
	if (rc == 0 && c == NULL)
		rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	if (rc == 0)
		rc = tl_api_write(req, res, cancel_checkout_tx, c, err);
	free(c);
	return rc;
}

typedef struct pay_call {
	tl_request *req;
	tl_response *res;
} pay_call;

static int pay_checkout_tx(tl_tx *tx, void *arg, tl_error *err)
{
	pay_call *p = arg;
	tl_payment_result result;
	int rc = tl_checkouts_pay_credit(tx, &p->req->ctx, p->req->params[0], "credit", &result,
					 err);
	if (rc == 0)
		tl_respond_json(p->res, 200, json_pack("{s:s, s:s, s:o}", "status", "paid",
						       "payment_id", result.payment_id,
						       "invoice_ids", result.invoice_ids));
	return rc;
}

static int pay_hold_tx(tl_tx *tx, void *arg, tl_error *err)
{
	pay_call *p = arg;
	tl_payment_result result;
	char hold_id[TL_TRANSFER_ID_MAX];
	int rc = tl_checkouts_pay_hold(tx, &p->req->ctx, p->req->params[0], &result, hold_id, err);
	if (rc == 0)
		tl_respond_json(p->res, 200, json_pack("{s:s, s:s, s:s, s:o}", "status", "paid",
						       "payment_id", result.payment_id, "hold_id",
						       hold_id, "invoice_ids", result.invoice_ids));
	return rc;
}

int tl_h_checkouts_pay(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {{"method", TL_JSON_STRING, true}};
	json_t *in = NULL;
	int rc = tl_json_input(req, fields, 1, &in, err);
	if (rc < 0)
		return rc;
	const char *method = tl_json_str(in, "method");
	if (strcmp(method, "gateway") == 0) {
		json_decref(in);
		return tl_h_pay_gateway(req, res, err);
	}
	bool hold = strcmp(method, "hold") == 0;
	if (!hold && strcmp(method, "credit") != 0)
		rc = tl_error_set(err, TL_EINVALID, "invalid_method",
				  "method must be credit, gateway or hold");
	json_decref(in);
	pay_call p = {req, res};
	return rc < 0 ? rc : tl_api_write(req, res, hold ? pay_hold_tx : pay_checkout_tx, &p, err);
}
