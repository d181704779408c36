/* stop_poc.c: Stop POC's preview and confirmation. The rules of what is
 * converted are domain/resource.c's; this file loads the resources, asks
 * them, and acts. */
#include "service/stop_poc.h"
#include "service/audit.h"
#include "service/resources.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything a plan needs, loaded once. */
typedef struct stop_poc_input {
	tl_resource target;
	tl_resource cluster; /* the target's cluster, when it is a member */
	bool has_cluster;
	tl_resource *members; /* the target's members still in POC, when it is a cluster */
	size_t member_count;
	size_t in_poc;        /* members in POC, kept or not */
	tl_stop_poc_plan plan;
} stop_poc_input;

static void input_free(stop_poc_input *in)
{
	tl_resource_release(&in->target);
	tl_resource_release(&in->cluster);
	for (size_t i = 0; i < in->member_count; i++)
		tl_resource_release(&in->members[i]);
	free(in->members);
	free(in);
}

/* Keeps the members of page[0..n) still in POC in in->members (growing
 * it), releases the others. Past one more than a plan may hold, only
 * counts: the plan refuses such a cluster whole. */
static int keep_in_poc(stop_poc_input *in, tl_resource *page, size_t n, size_t *cap,
		       tl_error *err)
{
	for (size_t i = 0; i < n; i++) {
		in->in_poc += tl_resource_in_poc(&page[i]);
		if (!tl_resource_in_poc(&page[i]) || in->member_count > TL_STOP_POC_MAX) {
			tl_resource_release(&page[i]);
			continue;
		}
		if (in->member_count == *cap) {
			size_t more = *cap ? *cap * 2 : TL_CASCADE_PAGE;
			tl_resource *grown = realloc(in->members, more * sizeof(*grown));
			if (grown == NULL) {
				for (size_t k = i; k < n; k++)
					tl_resource_release(&page[k]);
				return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
			}
			in->members = grown;
			*cap = more;
		}
		in->members[in->member_count++] = page[i]; /* takes its spec */
	}
	return 0;
}

static int too_many(const tl_resource *cluster, size_t in_poc, tl_error *err)
{
	tl_error_set(err, TL_ERULE, "too_many_resources",
		     "cluster %.40s has %zu members in POC; one Stop POC converts at most %d",
		     cluster->id, in_poc, TL_STOP_POC_MAX);
	tl_error_details(err, json_pack("{s:s, s:I, s:i}", "resource_id", cluster->id, "count",
					(json_int_t)in_poc, "max", TL_STOP_POC_MAX));
	return TL_ERULE;
}

/* Every member of the cluster, page by page, of which those in POC are
 * kept: a cluster may have any number of members. */
static int load_members(tl_tx *tx, stop_poc_input *in, tl_error *err)
{
	tl_resource *page = calloc(TL_CASCADE_PAGE, sizeof(*page));
	char after[TL_ID_MAX] = "";
	size_t n = 0, cap = 0;
	int rc = page ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	do {
		rc = rc ? rc : tl_store_resource_members_after(tx, in->target.id,
							       after[0] ? after : NULL, page,
							       TL_CASCADE_PAGE, &n, err);
		if (rc == 0 && n > 0)
			snprintf(after, sizeof(after), "%s", page[n - 1].id);
		if (rc == 0)
			rc = keep_in_poc(in, page, n, &cap, err);
		else
			for (size_t i = 0; i < n; i++)
				tl_resource_release(&page[i]);
	} while (rc == 0 && n == TL_CASCADE_PAGE);
	free(page);
	return rc;
}

static int load_input(tl_tx *tx, const tl_ctx *ctx, const char *id, stop_poc_input **out,
		      tl_error *err)
{
	stop_poc_input *in = calloc(1, sizeof(*in));
	if (in == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	*out = in;
	int rc = tl_resources_load(tx, ctx, id, &in->target, err);
	if (rc == 0 && strcmp(in->target.type, "cluster") == 0) {
		rc = load_members(tx, in, err);
		if (rc == 0 && in->in_poc > TL_STOP_POC_MAX) /* refused whole, never cut short */
			rc = too_many(&in->target, in->in_poc, err);
	} else if (rc == 0 && in->target.cluster_id[0]) {
		rc = tl_resources_load(tx, ctx, in->target.cluster_id, &in->cluster, err);
		in->has_cluster = rc == 0;
	}
	if (rc == 0)
		rc = tl_stop_poc_plan_make(&in->target, in->has_cluster ? &in->cluster : NULL,
					   in->members, in->member_count, &in->plan, err);
	return rc;
}

/* r's monthly price in the account's currency; currency_not_offered when
 * the catalog has none in it (an account is never priced in another). */
static int monthly_price(const tl_catalog *cat, const char *currency, const tl_resource *r,
			 int64_t *out, tl_error *err)
{
	const tl_catalog_item *item = tl_catalog_item_find(cat, r->item_id);
	int64_t unit = 0;
	*out = 0;
	int rc = item ? tl_catalog_price(cat, item, currency, &unit, err) : 0;
	if (rc == 0 && __builtin_mul_overflow(unit, r->quantity, out))
		*out = INT64_MAX;
	return rc;
}

static int account_currency(tl_tx *tx, const char *account_id, char out[4], tl_error *err)
{
	tl_account a;
	int rc = tl_store_account_get(tx, account_id, &a, err);
	snprintf(out, 4, "%s", rc == 0 ? a.currency : "");
	return rc;
}

/* Every resource the plan converts is priced in the account's currency. */
static int check_offered(tl_tx *tx, const tl_catalog *cat, const stop_poc_input *in,
			 tl_error *err)
{
	char currency[4];
	int64_t price;
	int rc = account_currency(tx, in->target.account_id, currency, err);
	for (size_t i = 0; rc == 0 && i < in->plan.count; i++)
		rc = monthly_price(cat, currency, in->plan.convert[i], &price, err);
	return rc;
}

int tl_stop_poc_preview(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			const char *resource_id, json_t **out, tl_error *err)
{
	stop_poc_input *in = NULL;
	char currency[4] = "";
	int rc = load_input(tx, ctx, resource_id, &in, err);
	rc = rc ? rc : account_currency(tx, in->target.account_id, currency, err);
	rc = rc ? rc : check_offered(tx, catalog, in, err);
	if (rc == 0) {
		json_t *list = json_array(), *warnings = json_array();
		for (size_t i = 0; i < in->plan.count; i++) {
			const tl_resource *r = in->plan.convert[i];
			int64_t price = 0;
			monthly_price(catalog, currency, r, &price, err); /* offered: checked */
			json_array_append_new(list, json_pack("{s:s, s:s, s:s?, s:s, s:I}", "id", r->id,
							      "type", r->type, "role",
							      r->role[0] ? r->role : NULL, "name",
							      r->name, "monthly_price",
							      (json_int_t)price));
		}
		if (in->plan.warning[0])
			json_array_append_new(warnings, json_string(in->plan.warning));
		*out = json_pack("{s:s, s:s, s:o, s:o}", "resource_id", in->target.id, "action",
				 in->plan.stop_only ? "stop" : "checkout", "resources", list,
				 "warnings", warnings);
	}
	if (in)
		input_free(in);
	return rc;
}

/* 409 checkout_open when the target or a resource to convert is already in
 * an open checkout (a resource is in at most one). */
static int check_not_in_checkout(const stop_poc_input *in, tl_error *err)
{
	const char *open = in->target.open_checkout_id[0] ? in->target.open_checkout_id : NULL;
	for (size_t i = 0; open == NULL && i < in->plan.count; i++)
		if (in->plan.convert[i]->open_checkout_id[0])
			open = in->plan.convert[i]->open_checkout_id;
	if (open == NULL)
		return 0;
	tl_error_set(err, TL_ECONFLICT, "checkout_open",
		     "a Stop POC of these resources is already in checkout %.40s", open);
	tl_error_details(err, json_pack("{s:s}", "checkout_id", open));
	return TL_ECONFLICT;
}

/* Rule 11: nothing left in POC, so the cluster's flag is cleared, free. */
static int stop_cluster(tl_tx *tx, const tl_ctx *ctx, tl_resource *cluster, tl_error *err)
{
	json_t *before = tl_resource_to_json(cluster);
	cluster->cluster_poc = false;
	if (strcmp(cluster->billing_mode, "poc") == 0)
		snprintf(cluster->billing_mode, sizeof(cluster->billing_mode), "%s",
			 strcmp(cluster->service, "vcontainer") == 0 ? "postpaid" : "prepaid");
	cluster->poc_wallet_id[0] = '\0';
	cluster->updated_at = ctx->now;
	int rc = tl_resources_save(tx, cluster, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "resource.poc_stopped", cluster->account_id, cluster->id,
			       before, tl_resource_to_json(cluster), err);
}

/* A postpaid account's Stop POC: everything converts to postpaid now. */
static int convert_postpaid(tl_tx *tx, const tl_ctx *ctx, const stop_poc_input *in,
			    tl_error *err)
{
	tl_checkout *c = calloc(1, sizeof(*c)); /* only its kind and origin are read */
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	snprintf(c->kind, sizeof(c->kind), "conversion");
	snprintf(c->account_id, sizeof(c->account_id), "%s", in->target.account_id);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < in->plan.count; i++)
		rc = tl_resources_convert(tx, ctx, c, in->plan.convert[i]->id, "postpaid", 0, 0, err);
	if (rc == 0 && strcmp(in->target.type, "cluster") == 0)
		rc = tl_resources_convert(tx, ctx, c, in->target.id, "postpaid", 0, 0, err);
	free(c);
	return rc;
}

static int account_is_postpaid(tl_tx *tx, const char *account_id, bool *out, tl_error *err)
{
	tl_account a;
	int rc = tl_store_account_get(tx, account_id, &a, err);
	*out = rc == 0 && strcmp(a.type, "postpaid") == 0;
	return rc;
}

int tl_stop_poc_confirm(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			const char *resource_id, const tl_checkout_request *req,
			tl_checkout *out, bool *stopped, tl_error *err)
{
	stop_poc_input *in = NULL;
	*stopped = false;
	memset(out, 0, sizeof(*out));
	bool postpaid = false;
	int rc = load_input(tx, ctx, resource_id, &in, err);
	rc = rc ? rc : check_not_in_checkout(in, err);
	rc = rc ? rc : check_offered(tx, catalog, in, err);
	rc = rc ? rc : account_is_postpaid(tx, in->target.account_id, &postpaid, err);
	if (rc == 0 && postpaid && !in->plan.stop_only) {
		*stopped = true;
		rc = convert_postpaid(tx, ctx, in, err);
	} else if (rc == 0 && in->plan.stop_only) {
		*stopped = true;
		rc = stop_cluster(tx, ctx, &in->target, err);
	} else if (rc == 0) {
		tl_checkout_request conversion = *req;
		conversion.account_id = in->target.account_id;
		rc = tl_checkouts_create_conversion(tx, ctx, catalog, &conversion, &in->plan,
						    in->target.id, out, err);
	}
	if (in)
		input_free(in);
	return rc;
}
