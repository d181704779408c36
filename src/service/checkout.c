/*
 * checkout.c: the checkout use cases. Checkouts are kept in the checkouts
 * and checkout_lines tables (the store reads and writes tl_checkout; the
 * API's JSON is only ever made by tl_checkout_to_json). A purchase's lines
 * come from its items: a server from its flavor, a volume from its type and
 * size; each line is the resource it will become.
 */
#include "service/checkout.h"
#include "service/checkout_internal.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/coupons.h"
#include "service/job_failures.h"
#include "service/debts.h"
#include "service/invoices.h"
#include "service/resources.h"
#include "common/ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- storage --------------------------------------------------------------- */

int tl_checkouts_save(tl_tx *tx, const tl_checkout *c, bool insert, int64_t now, tl_error *err)
{
	/* every save, on every path: a checkout breaking its invariants is a
	 * defect, and it must not be stored (the transaction is undone) */
	if (tl_checkout_assert_valid(c) != 0)
		return tl_error_set(err, TL_EINTERNAL, "checkout_invalid",
				    "checkout %s broke an invariant (checkout.h); nothing was saved",
				    c->id);
	return insert ? tl_store_checkout_insert(tx, c, now, err)
		      : tl_store_checkout_update(tx, c, now, err);
}

static int load(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_checkout *out, tl_error *err)
{
	int rc = tl_store_checkout_get(tx, id, out, err);
	if (rc == TL_ENOTFOUND)
		tl_error_clear(err); /* answered as checkout_not_found below */
	if (rc == TL_ENOTFOUND || (rc == 0 && !tl_ctx_may_see(ctx, out->account_id))) {
		if (rc == 0)
			tl_checkout_release(out);
		return tl_error_set(err, TL_ENOTFOUND, "checkout_not_found", "no checkout %.40s", id);
	}
	return rc;
}

/* ---- lines of a purchase -------------------------------------------------- */

static int item_error(tl_error *err, size_t index, const char *field, const char *message)
{
	tl_error_set(err, TL_EINVALID, "invalid_item", "items[%zu].%s: %s", index, field, message);
	tl_error_details(err, json_pack("{s:I, s:s}", "index", (json_int_t)index, "field", field));
	return TL_EINVALID;
}

/* Finds the catalog item a spec names, of the type the resource needs. */
static const tl_catalog_item *spec_item(const tl_catalog *cat, const json_t *spec,
					const char *field, const char *type, size_t index,
					tl_error *err)
{
	const char *id = json_string_value(json_object_get(spec, field));
	const tl_catalog_item *item = id ? tl_catalog_item_find(cat, id) : NULL;
	if (item == NULL || strcmp(item->type, type) != 0) {
		char path[40];
		snprintf(path, sizeof(path), "spec.%s", field);
		item_error(err, index, path, "is not an item of the catalog of this type");
		return NULL;
	}
	return item;
}

static int purchase_line(const tl_catalog *cat, const char *currency, const json_t *in,
			 size_t index, tl_checkout_line *l, tl_error *err)
{
	const char *type = json_string_value(json_object_get(in, "type"));
	const char *name = json_string_value(json_object_get(in, "name"));
	json_t *spec = json_object_get(in, "spec");
	if (!json_is_object(in) || !type || !name || !json_is_object(spec))
		return item_error(err, index, "type", "each item needs type, name and spec");
	const tl_catalog_item *item = NULL;
	int64_t quantity = 1;
	if (strcmp(type, "server") == 0) {
		item = spec_item(cat, spec, "flavor", "server", index, err);
	} else if (strcmp(type, "volume") == 0) {
		item = spec_item(cat, spec, "volume_type", "volume", index, err);
		quantity = json_integer_value(json_object_get(spec, "size_gb"));
		if (item && (quantity < 1 || quantity > 65536))
			return item_error(err, index, "spec.size_gb", "must be 1 to 65,536");
	} else {
		tl_error_set(err, TL_ERULE, "not_purchasable",
			     "items[%zu]: a %.24s is not bought through a purchase checkout "
			     "(servers and volumes are)", index, type);
		return TL_ERULE;
	}
	if (item == NULL)
		return TL_EINVALID;
	int64_t unit_price = 0;
	int rc = tl_catalog_price(cat, item, currency, &unit_price, err);
	if (rc < 0)
		return rc;
	tl_error name_err = {0};
	if (tl_name_check(name, &name_err) < 0) {
		tl_error_clear(&name_err);
		return item_error(err, index, "name", "must be 1 to 200 bytes, no control characters");
	}
	*l = (tl_checkout_line){.unit = item->unit, .spec = json_deep_copy(spec),
				.price = {.unit_price = unit_price, .quantity = quantity}};
	tl_id_new(l->resource_id, sizeof(l->resource_id), "res");
	snprintf(l->resource_type, sizeof(l->resource_type), "%s", type);
	snprintf(l->resource_name, sizeof(l->resource_name), "%s", name);
	snprintf(l->item_id, sizeof(l->item_id), "%s", item->id);
	snprintf(l->item_name, sizeof(l->item_name), "%s", item->name);
	snprintf(l->service, sizeof(l->service), "%s", item->service);
	return 0;
}

static int purchase_lines(const tl_catalog *cat, const json_t *items, tl_checkout *c,
			  tl_error *err)
{
	size_t n = json_array_size(items);
	if (n == 0 || n > TL_PRICING_LINES_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_items",
				    "items must hold 1 to %d resources", TL_PRICING_LINES_MAX);
	for (size_t i = 0; i < n; i++) {
		int rc = purchase_line(cat, c->currency, json_array_get(items, i), i, &c->lines[i],
				       err);
		if (rc < 0)
			return rc;
		c->line_count = i + 1;
	}
	/* purchases are of prepaid services only (servers and volumes: vserver) */
	c->settlement = TL_SETTLE_PREPAID;
	return 0;
}

/* ---- coupons ----------------------------------------------------------------- */

static int account_has_purchased(tl_tx *tx, const char *account_id, bool *out, tl_error *err)
{
	int64_t payments = 0;
	int rc = tl_payments_count(tx, account_id, &payments, err);
	*out = payments > 0;
	return rc;
}

/* Checks that coupon c applies to checkout k now. */
int tl_checkouts_check_coupon(tl_tx *tx, const tl_checkout *k, const tl_coupon *c, int64_t now,
			      tl_error *err)
{
	const char *services[TL_PRICING_LINES_MAX];
	for (size_t i = 0; i < k->line_count; i++)
		services[i] = k->lines[i].service;
	tl_coupon_use use = {.now = now, .cycle_months = k->cycle_months,
			     .currency = k->currency, .services = services,
			     .service_count = k->line_count};
	int rc = tl_coupons_account_redemptions(tx, c->id, k->account_id,
						&use.account_redemptions, err);
	if (rc == 0)
		rc = account_has_purchased(tx, k->account_id, &use.account_has_purchased, err);
	return rc < 0 ? rc : tl_coupon_check(c, &use, err);
}

static int apply_coupon(tl_tx *tx, tl_checkout *k, const char *code, int64_t now, tl_error *err)
{
	if (code == NULL || code[0] == '\0') {
		tl_checkout_set_coupon(k, NULL);
		return 0;
	}
	tl_coupon c;
	int rc = tl_coupons_find_code(tx, code, &c, err);
	if (rc == 0)
		rc = tl_checkouts_check_coupon(tx, k, &c, now, err);
	if (rc == 0)
		tl_checkout_set_coupon(k, &c);
	return rc;
}

/* ---- use cases ------------------------------------------------------------ */

int tl_checkouts_create_purchase(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
				 const tl_checkout_request *req, tl_checkout *out, tl_error *err)
{
	tl_account account;
	memset(out, 0, sizeof(*out));
	int rc = tl_accounts_get(tx, ctx, req->account_id, &account, err);
	if (rc < 0)
		return rc;
	rc = tl_debts_check_none(tx, account.id, err);
	if (rc < 0)
		return rc;
	tl_id_new(out->id, sizeof(out->id), "chk");
	snprintf(out->account_id, sizeof(out->account_id), "%s", account.id);
	snprintf(out->kind, sizeof(out->kind), "purchase");
	snprintf(out->status, sizeof(out->status), "open");
	tl_checkout_take_terms(out, catalog);
	/* priced in the account's currency only: an item the catalog does not
	 * price in it is currency_not_offered, never another currency's price */
	snprintf(out->currency, sizeof(out->currency), "%s", account.currency);
	out->cycle_months = req->cycle_months;
	out->auto_renew = req->auto_renew;
	out->created_at = ctx->now;
	out->expires_at = ctx->now + (req->ttl_s > 0 ? req->ttl_s : TL_CHECKOUT_TTL_S);
	rc = purchase_lines(catalog, req->items, out, err);
	rc = rc ? rc : tl_checkout_price(out, err); /* the cycle must exist before a coupon */
	rc = rc ? rc : apply_coupon(tx, out, req->coupon, ctx->now, err);
	rc = rc ? rc : tl_checkout_price(out, err);
	rc = rc ? rc : tl_checkouts_save(tx, out, true, ctx->now, err);
	if (rc == 0)
		rc = tl_audit_record(tx, ctx, "checkout.created", out->account_id, out->id, NULL,
				     tl_checkout_to_json(out), err);
	return rc;
}

/* The checkout's currency: its account's, the only one it is priced in. */
static int take_account_currency(tl_tx *tx, tl_checkout *c, tl_error *err)
{
	tl_account account;
	int rc = tl_store_account_get(tx, c->account_id, &account, err);
	if (rc == 0)
		snprintf(c->currency, sizeof(c->currency), "%s", account.currency);
	return rc;
}

/* A line for a resource Stop POC converts (or a renewal renews), at the
 * catalog's price now in the checkout's currency. */
static int conversion_line(const tl_catalog *cat, const char *currency, const tl_resource *r,
			   tl_checkout_line *l, tl_error *err)
{
	const tl_catalog_item *item = tl_catalog_item_find(cat, r->item_id);
	if (item == NULL)
		return tl_error_set(err, TL_ERULE, "item_not_in_catalog",
				    "%.40s uses %.40s, which the catalog no longer sells", r->id,
				    r->item_id);
	int64_t unit_price = 0;
	int rc = tl_catalog_price(cat, item, currency, &unit_price, err);
	if (rc < 0)
		return rc;
	*l = (tl_checkout_line){.unit = item->unit, .spec = json_incref(r->spec),
				.price = {.unit_price = unit_price, .quantity = r->quantity}};
	snprintf(l->resource_id, sizeof(l->resource_id), "%s", r->id);
	snprintf(l->resource_type, sizeof(l->resource_type), "%s", r->type);
	snprintf(l->resource_name, sizeof(l->resource_name), "%s", r->name);
	snprintf(l->item_id, sizeof(l->item_id), "%s", item->id);
	snprintf(l->item_name, sizeof(l->item_name), "%s", item->name);
	snprintf(l->service, sizeof(l->service), "%s", r->service);
	return 0;
}

static tl_settlement plan_settlement(const tl_catalog *cat, const tl_checkout *c)
{
	for (size_t i = 0; i < c->line_count; i++) {
		const tl_catalog_service *s = tl_catalog_service_find(cat, c->lines[i].service);
		if (s && s->settlement == TL_SETTLE_HOLD)
			return TL_SETTLE_HOLD;
	}
	return TL_SETTLE_PREPAID;
}

int tl_checkouts_create_conversion(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
				   const tl_checkout_request *req, const tl_stop_poc_plan *plan,
				   const char *origin_id, tl_checkout *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = tl_debts_check_none(tx, req->account_id, err);
	if (rc < 0)
		return rc;
	tl_id_new(out->id, sizeof(out->id), "chk");
	snprintf(out->account_id, sizeof(out->account_id), "%s", req->account_id);
	snprintf(out->kind, sizeof(out->kind), "conversion");
	snprintf(out->status, sizeof(out->status), "open");
	snprintf(out->origin_id, sizeof(out->origin_id), "%s", origin_id);
	tl_checkout_take_terms(out, catalog);
	rc = take_account_currency(tx, out, err);
	out->auto_renew = req->auto_renew;
	out->created_at = ctx->now;
	out->expires_at = ctx->now + (req->ttl_s > 0 ? req->ttl_s : TL_CHECKOUT_TTL_S);
	for (size_t i = 0; rc == 0 && i < plan->count; i++) {
		rc = conversion_line(catalog, out->currency, plan->convert[i], &out->lines[i], err);
		out->line_count = rc == 0 ? i + 1 : i;
	}
	if (rc < 0)
		return rc;
	out->settlement = plan_settlement(catalog, out);
	bool hold = out->settlement == TL_SETTLE_HOLD;
	/* a hold-settled service is billed monthly on use: no term, no coupon */
	out->cycle_months = hold ? 1 : req->cycle_months;
	if (hold && req->coupon && req->coupon[0])
		return tl_error_set(err, TL_ERULE, "coupon_not_applicable",
				    "coupons apply to prepaid terms; this service is billed on use");
	rc = tl_checkout_price(out, err);
	rc = rc ? rc : apply_coupon(tx, out, req->coupon, ctx->now, err);
	rc = rc ? rc : tl_checkout_price(out, err);
	rc = rc ? rc : tl_checkouts_save(tx, out, true, ctx->now, err);
	rc = rc ? rc : tl_resources_mark_checkout(tx, ctx, out, out->id, err);
	if (rc == 0)
		rc = tl_audit_record(tx, ctx, "checkout.created", out->account_id, out->id, NULL,
				     tl_checkout_to_json(out), err);
	return rc;
}

static int renewable(const tl_resource *r, tl_error *err)
{
	if (strcmp(r->type, "cluster") == 0)
		return tl_error_set(err, TL_ECONFLICT, "not_renewable",
				    "a cluster costs what its members cost: renew its members");
	bool prepaid = strcmp(r->billing_mode, "prepaid") == 0;
	if (strcmp(r->status, "deleted") == 0 || !prepaid)
		return tl_error_set(err, TL_ECONFLICT, "not_renewable",
				    "only a prepaid resource that is not deleted is renewed (%.40s is "
				    "%s, %s)", r->id, r->billing_mode, r->status);
	if (r->open_checkout_id[0]) {
		tl_error_set(err, TL_ECONFLICT, "checkout_open", "%.40s is in open checkout %.40s",
			     r->id, r->open_checkout_id);
		tl_error_details(err, json_pack("{s:s}", "checkout_id", r->open_checkout_id));
		return TL_ECONFLICT;
	}
	return 0;
}

int tl_checkouts_create_renewal(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
				const char *resource_id, int cycle_months, int64_t ttl_s,
				tl_checkout *out, tl_error *err)
{
	tl_resource r;
	memset(out, 0, sizeof(*out));
	int rc = tl_resources_load(tx, ctx, resource_id, &r, err);
	if (rc < 0)
		return rc;
	rc = renewable(&r, err);
	rc = rc ? rc : tl_debts_check_none(tx, r.account_id, err);
	tl_id_new(out->id, sizeof(out->id), "chk");
	snprintf(out->account_id, sizeof(out->account_id), "%s", r.account_id);
	snprintf(out->kind, sizeof(out->kind), "%s",
		 strcmp(r.status, "suspended") == 0 ? "recovery" : "renewal");
	snprintf(out->status, sizeof(out->status), "open");
	snprintf(out->origin_id, sizeof(out->origin_id), "%s", r.id);
	tl_checkout_take_terms(out, catalog);
	rc = rc ? rc : take_account_currency(tx, out, err);
	out->cycle_months = cycle_months;
	out->auto_renew = r.auto_renew;
	out->settlement = TL_SETTLE_PREPAID;
	out->created_at = ctx->now;
	out->expires_at = ctx->now + (ttl_s > 0 ? ttl_s : TL_CHECKOUT_TTL_S);
	rc = rc ? rc : conversion_line(catalog, out->currency, &r, &out->lines[0], err);
	out->line_count = rc == 0 ? 1 : 0;
	tl_resource_release(&r);
	rc = rc ? rc : tl_checkout_price(out, err);
	rc = rc ? rc : tl_checkouts_save(tx, out, true, ctx->now, err);
	rc = rc ? rc : tl_resources_mark_checkout(tx, ctx, out, out->id, err);
	if (rc == 0)
		rc = tl_audit_record(tx, ctx, "checkout.created", out->account_id, out->id, NULL,
				     tl_checkout_to_json(out), err);
	return rc;
}

int tl_checkouts_get(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_checkout *out,
		     tl_error *err)
{
	return load(tx, ctx, id, out, err);
}

/* Loads an open checkout for a change; expired by time counts as closed. */
static int load_open(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_checkout *out,
		     tl_error *err)
{
	int rc = load(tx, ctx, id, out, err);
	if (rc < 0)
		return rc;
	rc = tl_checkout_check_open(out, ctx->now, err);
	if (rc < 0)
		tl_checkout_release(out);
	return rc;
}

int tl_checkouts_change(tl_tx *tx, const tl_ctx *ctx, const char *id,
			const tl_checkout_change *change, tl_checkout *out, tl_error *err)
{
	int rc = load_open(tx, ctx, id, out, err);
	if (rc < 0)
		return rc;
	if (out->settlement == TL_SETTLE_HOLD &&
	    ((change->cycle_months && change->cycle_months != 1) ||
	     (change->coupon_given && change->coupon && change->coupon[0]))) {
		tl_checkout_release(out);
		return tl_error_set(err, TL_ERULE, "billed_on_use",
				    "this checkout's services are billed monthly on use: it has no "
				    "term to choose and takes no coupon");
	}
	json_t *before = tl_checkout_to_json(out);
	if (change->cycle_months)
		out->cycle_months = change->cycle_months; /* -1: a term no catalog has */
	if (change->auto_renew >= 0)
		out->auto_renew = change->auto_renew;
	rc = tl_checkout_price(out, err);
	const char *code = change->coupon_given ? change->coupon : out->coupon_code;
	char kept[TL_COUPON_CODE_MAX];
	snprintf(kept, sizeof(kept), "%s", code ? code : "");
	rc = rc ? rc : apply_coupon(tx, out, kept, ctx->now, err);
	rc = rc ? rc : tl_checkout_price(out, err);
	rc = rc ? rc : tl_checkouts_save(tx, out, false, ctx->now, err);
	if (rc == 0)
		return tl_audit_record(tx, ctx, "checkout.changed", out->account_id, out->id, before,
				       tl_checkout_to_json(out), err);
	json_decref(before);
	return rc;
}

int tl_checkouts_cancel(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_checkout *out,
			tl_error *err)
{
	int rc = load(tx, ctx, id, out, err);
	if (rc < 0)
		return rc;
	rc = tl_checkout_transition(out, "cancelled", ctx->now, err);
	rc = rc ? rc : tl_checkouts_save(tx, out, false, ctx->now, err);
	rc = rc ? rc : tl_resources_mark_checkout(tx, ctx, out, NULL, err);
	if (rc == 0)
		rc = tl_audit_record(tx, ctx, "checkout.cancelled", out->account_id, out->id,
				     json_pack("{s:s}", "status", "open"),
				     json_pack("{s:s}", "status", "cancelled"), err);
	return rc;
}

int tl_checkouts_cancel_for_deletion(tl_tx *tx, const tl_ctx *ctx, const char *checkout_id,
				     const char *resource_id, tl_error *err)
{
	tl_checkout *c = calloc(1, sizeof(*c)); /* large: lines */
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = load(tx, ctx, checkout_id, c, err);
	if (rc < 0) {
		free(c);
		return rc;
	}
	if (strcmp(c->status, "open") == 0) {
		/* past its time it expires as the sweep would have; else cancelled */
		const char *to = ctx->now >= c->expires_at ? "expired" : "cancelled";
		rc = tl_checkout_transition(c, to, ctx->now, err);
		rc = rc ? rc : tl_checkouts_save(tx, c, false, ctx->now, err);
		rc = rc ? rc : tl_resources_mark_checkout(tx, ctx, c, NULL, err);
		if (rc == 0)
			rc = tl_audit_record(tx, ctx, strcmp(to, "expired") == 0 ? "checkout.expired"
										: "checkout.cancelled",
					     c->account_id, c->id, json_pack("{s:s}", "status", "open"),
					     json_pack("{s:s, s:s, s:s}", "status", to, "reason",
						       "resource_deleted", "resource_id", resource_id),
					     err);
	}
	tl_checkout_release(c);
	free(c);
	return rc;
}

static int not_payable(tl_error *err, const tl_checkout *c, const tl_resource *r,
		       const char *why)
{
	tl_error_set(err, TL_ECONFLICT, "checkout_not_payable",
		     "checkout %s cannot be paid: %.40s %s", c->id, r->id, why);
	tl_error_details(err, json_pack("{s:s, s:s, s:s, s:s}", "checkout_id", c->id,
					"resource_id", r->id, "status", r->status, "billing",
					r->billing_mode));
	return TL_ECONFLICT;
}

/* Is r still what checkout c assumed it to be? as_line: r is one of its
 * lines (not only the resource Stop POC was asked on). */
static int check_resource_payable(const tl_checkout *c, const tl_resource *r, bool as_line,
				  tl_error *err)
{
	if (strcmp(r->status, "deleted") == 0) {
		tl_error_set(err, TL_ECONFLICT, "resource_deleted",
			     "checkout %s cannot be paid: %.40s was deleted", c->id, r->id);
		tl_error_details(err, json_pack("{s:s, s:s}", "checkout_id", c->id, "resource_id",
						r->id));
		return TL_ECONFLICT;
	}
	if (strcmp(c->status, "open") != 0)
		return 0; /* the checkout's own state answers */
	if (strcmp(r->open_checkout_id, c->id) != 0)
		return not_payable(err, c, r, "is no longer in this checkout");
	bool prepaid = strcmp(r->billing_mode, "prepaid") == 0;
	if (strcmp(c->kind, "conversion") == 0 && as_line && strcmp(r->billing_mode, "poc") != 0)
		return not_payable(err, c, r, "is no longer a POC resource");
	if (strcmp(c->kind, "renewal") == 0 && (!prepaid || strcmp(r->status, "active") != 0))
		return not_payable(err, c, r, "is no longer an active prepaid resource");
	if (strcmp(c->kind, "recovery") == 0 && (!prepaid || strcmp(r->status, "suspended") != 0))
		return not_payable(err, c, r, "is no longer a suspended prepaid resource");
	return 0;
}

int tl_checkouts_check_payable(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			       tl_error *err)
{
	if (strcmp(c->kind, "purchase") == 0 || strcmp(c->status, "paid") == 0)
		return 0; /* a purchase's resources do not exist until it is paid */
	int rc = 0;
	bool origin_is_line = false;
	for (size_t i = 0; rc == 0 && i <= c->line_count; i++) {
		const char *id = i < c->line_count ? c->lines[i].resource_id : c->origin_id;
		if (i < c->line_count && strcmp(id, c->origin_id) == 0)
			origin_is_line = true;
		if (id[0] == '\0' || (i == c->line_count && origin_is_line))
			continue;
		tl_resource r;
		rc = tl_resources_load(tx, ctx, id, &r, err);
		if (rc < 0)
			return rc;
		rc = check_resource_payable(c, &r, i < c->line_count, err);
		tl_resource_release(&r);
	}
	return rc;
}

static int expire_one(tl_tx *tx, const tl_ctx *ctx, const tl_checkout_due *due, tl_error *err)
{
	tl_checkout *c = calloc(1, sizeof(*c));
	int rc = c ? tl_store_checkout_get(tx, due->id, c, err)
		   : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	if (rc < 0) {
		free(c);
		return rc;
	}
	rc = rc ? rc : tl_checkout_transition(c, "expired", ctx->now, err);
	rc = rc ? rc : tl_checkouts_save(tx, c, false, ctx->now, err);
	rc = rc ? rc : tl_resources_mark_checkout(tx, ctx, c, NULL, err);
	if (rc == 0)
		rc = tl_audit_record(tx, ctx, "checkout.expired", c->account_id, c->id,
				     json_pack("{s:s}", "status", "open"),
				     json_pack("{s:s}", "status", "expired"), err);
	tl_checkout_release(c);
	free(c);
	return rc;
}

typedef struct expiry {
	const tl_ctx *ctx;
	const tl_checkout_due *due;
} expiry;

static int expire_tx(tl_tx *tx, void *arg, tl_error *err)
{
	expiry *e = arg;
	return expire_one(tx, e->ctx, e->due, err);
}

int tl_checkouts_expire_due(tl_tx *tx, const tl_ctx *ctx, size_t max, size_t *expired,
			    tl_error *err)
{
	tl_checkout_due *due = calloc(max ? max : 1, sizeof(*due));
	if (due == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	size_t n = 0;
	int rc = tl_store_checkouts_due(tx, ctx->now, due, max, &n, err);
	for (size_t i = 0; i < n; i++) {
		expiry e = {.ctx = ctx, .due = &due[i]};
		tl_job_subject s = {.job = "checkout_expiry", .subject = due[i].id,
				    .account_id = due[i].account_id};
		if (rc == 0) /* a failing one waits for its retry (the sweep leaves it out) */
			rc = tl_job_subject_run(tx, ctx, &s, expire_tx, &e, NULL, err);
	}
	free(due);
	*expired = rc == 0 ? n : 0;
	return rc;
}
