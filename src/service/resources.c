/*
 * resources.c: creating, finding and deleting resources, and the billing
 * changes checkouts make to them. Every change writes its audit event in
 * the same transaction.
 */
#include "service/resources.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/checkout.h"
#include "service/debts.h"
#include "service/refunds.h"
#include "common/ids.h"
#include "domain/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad_spec(tl_error *err, const char *field, const char *why)
{
	tl_error_set(err, TL_EINVALID, "invalid_spec", "spec.%s %s", field, why);
	tl_error_details(err, json_pack("{s:s}", "field", field));
	return TL_EINVALID;
}

/* The catalog item spec.<field> names, of the given type; with no field
 * given, the first item of that type (and service, when named). */
static const tl_catalog_item *pick_item(const tl_catalog *cat, const json_t *spec,
					const char *field, const char *type, const char *service,
					tl_error *err)
{
	json_t *given = json_object_get(spec, field);
	const char *id = json_string_value(given);
	if (given && id == NULL) {
		bad_spec(err, field, "must be a string naming a catalog item");
		return NULL;
	}
	for (size_t i = 0; i < cat->item_count; i++) {
		const tl_catalog_item *it = &cat->items[i];
		if (strcmp(it->type, type) != 0 || (service && strcmp(it->service, service) != 0))
			continue;
		if (id == NULL || strcmp(it->id, id) == 0)
			return it;
	}
	bad_spec(err, field, "names no item of the catalog of this kind");
	return NULL;
}

static int64_t spec_int(const json_t *spec, const char *field, int64_t fallback)
{
	json_t *v = json_object_get(spec, field);
	return v ? (json_is_integer(v) ? json_integer_value(v) : -1) : fallback;
}

/* A fresh resource of the account from a catalog item. */
static void init_resource(tl_resource *r, const tl_ctx *ctx, const char *account_id,
			  const char *type, const char *name, const tl_catalog_item *item,
			  int64_t quantity)
{
	memset(r, 0, sizeof(*r));
	tl_id_new(r->id, sizeof(r->id), "res");
	snprintf(r->account_id, sizeof(r->account_id), "%s", account_id);
	snprintf(r->type, sizeof(r->type), "%s", type);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->item_id, sizeof(r->item_id), "%s", item->id);
	snprintf(r->service, sizeof(r->service), "%s", item->service);
	snprintf(r->status, sizeof(r->status), "active");
	r->quantity = quantity;
	r->created_at = r->updated_at = r->accrued_until = ctx->now;
}

int tl_resources_save(tl_tx *tx, const tl_resource *r, tl_error *err)
{
	int rc = tl_resource_assert_valid(r, err);
	return rc ? rc : tl_store_resource_update(tx, r, err);
}

static int insert(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, tl_error *err)
{
	int rc = tl_resource_assert_valid(r, err);
	rc = rc ? rc : tl_store_resource_insert(tx, r, err);
	return rc ? rc : tl_audit_record(tx, ctx, "resource.created", r->account_id, r->id, NULL,
					 tl_resource_to_json(r), err);
}

/* ---- POC wallets ------------------------------------------------------------ */

/* The POC wallet that pays a POC resource: the one tied to its cluster, or
 * else an account-wide one; unexpired and with credit left. */
static int find_poc_wallet(tl_tx *tx, const tl_ctx *ctx, const char *account_id,
			   const char *cluster_id, char *out, tl_error *err)
{
	tl_ledger_account *w = calloc(TL_CASCADE_PAGE, sizeof(*w));
	char after[TL_ID_MAX] = "", best[TL_ID_MAX] = "";
	size_t n = 0;
	bool found_tied = false;
	int rc = w ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	do { /* every page: an admin may grant an account any number of wallets */
		rc = rc ? rc : tl_store_ledger_account_list_after(tx, account_id,
								  after[0] ? after : NULL, w,
								  TL_CASCADE_PAGE, &n, err);
		if (rc == 0 && n > 0)
			snprintf(after, sizeof(after), "%s", w[n - 1].id);
		for (size_t i = 0; rc == 0 && !found_tied && i < n; i++) {
			bool usable = strcmp(w[i].kind, "poc") == 0 && w[i].expires_at > ctx->now &&
				      tl_ledger_available(&w[i]) > 0;
			found_tied = usable && cluster_id && strcmp(w[i].cluster_id, cluster_id) == 0;
			if (usable && (found_tied || (w[i].cluster_id[0] == '\0' && best[0] == '\0')))
				snprintf(best, sizeof(best), "%s", w[i].id);
		}
	} while (rc == 0 && !found_tied && n == TL_CASCADE_PAGE);
	if (rc == 0 && best[0] == '\0')
		rc = tl_error_set(err, TL_ERULE, "poc_wallet_required",
				  "a POC resource needs an unexpired POC wallet with credit left");
	if (rc == 0)
		snprintf(out, TL_ID_MAX, "%s", best);
	free(w);
	return rc;
}

/* ---- creating ------------------------------------------------------------------ */

static int check_kind(const tl_resource_request *req, tl_error *err)
{
	static const char *const types[] = {"server", "volume", "cluster", "load_balancer",
					    "snapshot"};
	bool known = false;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		known = known || strcmp(req->type, types[i]) == 0;
	if (!known)
		return tl_error_set(err, TL_EINVALID, "invalid_type",
				    "type must be server, volume, cluster, load_balancer or snapshot");
	bool eligible = tl_resource_type_poc_eligible(req->type);
	if (req->poc && !eligible)
		return tl_error_set(err, TL_ERULE, "not_poc_eligible",
				    "a %.24s is never a POC: create it with poc false (postpaid)",
				    req->type);
	if (!req->poc && eligible)
		return tl_error_set(err, TL_ERULE, "purchase_required",
				    "a paid %.24s is bought through a purchase checkout", req->type);
	return 0;
}

/* The item and quantity of a single (non-cluster) resource. */
static int single_item(const tl_catalog *cat, const tl_resource_request *req,
		       const tl_catalog_item **item, int64_t *quantity, tl_error *err)
{
	const json_t *spec = req->spec;
	*quantity = 1;
	if (strcmp(req->type, "server") == 0)
		*item = pick_item(cat, spec, "flavor", "server", NULL, err);
	else if (strcmp(req->type, "volume") == 0)
		*item = pick_item(cat, spec, "volume_type", "volume", NULL, err);
	else if (strcmp(req->type, "load_balancer") == 0)
		*item = pick_item(cat, spec, "item", "load_balancer", NULL, err);
	else if (strcmp(req->type, "snapshot") == 0)
		*item = pick_item(cat, spec, "item", "snapshot", NULL, err);
	else
		return tl_error_set(err, TL_EINVALID, "invalid_type",
				    "type must be server, volume, cluster, load_balancer or snapshot");
	if (*item == NULL)
		return TL_EINVALID;
	if ((*item)->unit == TL_UNIT_GB_MONTH) {
		*quantity = spec_int(spec, "size_gb", -1);
		if (*quantity < 1 || *quantity > 65536)
			return bad_spec(err, "size_gb", "must be 1 to 65,536");
	}
	return 0;
}

static const char *const member_roles[][2] = {
	{"node", "server"}, {"boot_volume", "volume"}, {"pvc", "volume"},
	{"load_balancer", "load_balancer"}, {"snapshot", "snapshot"},
};

static int check_member(tl_tx *tx, const tl_ctx *ctx, const tl_resource_request *req,
			tl_resource *cluster, tl_error *err)
{
	int rc = tl_resources_load(tx, ctx, req->cluster_id, cluster, err);
	if (rc < 0)
		return rc;
	tl_resource_release(cluster);
	if (strcmp(cluster->type, "cluster") != 0 || strcmp(cluster->status, "deleted") == 0 ||
	    strcmp(cluster->account_id, req->account_id) != 0)
		return tl_error_set(err, TL_ERULE, "invalid_cluster",
				    "%.40s is not a live cluster of this account", req->cluster_id);
	for (size_t i = 0; i < sizeof(member_roles) / sizeof(member_roles[0]); i++)
		if (req->role && strcmp(req->role, member_roles[i][0]) == 0 &&
		    strcmp(req->type, member_roles[i][1]) == 0)
			return 0;
	return tl_error_set(err, TL_EINVALID, "invalid_role",
			    "a %.24s in a cluster has role node (server), boot_volume or pvc "
			    "(volume), load_balancer or snapshot", req->type);
}

static int create_single(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			 const char *currency, const tl_resource_request *req, tl_resource *r,
			 tl_error *err)
{
	const tl_catalog_item *item = NULL;
	int64_t quantity = 1, price = 0;
	tl_resource cluster = {0};
	int rc = single_item(cat, req, &item, &quantity, err);
	/* POC accrual and postpaid use are priced in the account's currency */
	rc = rc ? rc : tl_catalog_price(cat, item, currency, &price, err);
	if (rc == 0 && req->cluster_id)
		rc = check_member(tx, ctx, req, &cluster, err);
	else if (rc == 0 && req->role)
		rc = tl_error_set(err, TL_EINVALID, "invalid_role", "a role needs a cluster_id");
	if (rc < 0)
		return rc;
	init_resource(r, ctx, req->account_id, req->type, req->name, item, quantity);
	snprintf(r->cluster_id, sizeof(r->cluster_id), "%s", req->cluster_id ? req->cluster_id : "");
	snprintf(r->role, sizeof(r->role), "%s", req->role ? req->role : "");
	if (req->cluster_id) /* a member is billed under its cluster's service */
		snprintf(r->service, sizeof(r->service), "%s", cluster.service);
	snprintf(r->billing_mode, sizeof(r->billing_mode), "%s", req->poc ? "poc" : "postpaid");
	r->spec = json_deep_copy(req->spec);
	if (req->poc)
		rc = find_poc_wallet(tx, ctx, req->account_id, req->cluster_id, r->poc_wallet_id, err);
	return rc ? rc : insert(tx, ctx, r, err);
}

/* One member of a new cluster (a node or a boot volume). */
static int add_member(tl_tx *tx, const tl_ctx *ctx, const tl_resource *cluster,
		      const tl_catalog_item *item, const char *role, int number,
		      int64_t quantity, tl_error *err)
{
	tl_resource m;
	char name[TL_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%.150s-%s-%d", cluster->name,
		 strcmp(role, "node") == 0 ? "node" : "boot", number);
	init_resource(&m, ctx, cluster->account_id, strcmp(role, "node") == 0 ? "server" : "volume",
		      name, item, quantity);
	snprintf(m.cluster_id, sizeof(m.cluster_id), "%s", cluster->id);
	snprintf(m.role, sizeof(m.role), "%s", role);
	snprintf(m.service, sizeof(m.service), "%s", cluster->service);
	snprintf(m.billing_mode, sizeof(m.billing_mode), "poc");
	snprintf(m.poc_wallet_id, sizeof(m.poc_wallet_id), "%s", cluster->poc_wallet_id);
	m.spec = strcmp(role, "node") == 0 ? json_pack("{s:s}", "flavor", item->id)
					   : json_pack("{s:s, s:I}", "volume_type", item->id,
						       "size_gb", (json_int_t)quantity);
	int rc = insert(tx, ctx, &m, err);
	tl_resource_release(&m);
	return rc;
}

static int create_cluster(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			  const char *currency, const tl_resource_request *req, tl_resource *r,
			  tl_error *err)
{
	const json_t *spec = req->spec;
	const char *service = json_string_value(json_object_get(spec, "service"));
	service = service ? service : "vks";
	if (strcmp(service, "vks") != 0 && strcmp(service, "vcontainer") != 0)
		return bad_spec(err, "service", "must be vks or vcontainer");
	int64_t nodes = spec_int(spec, "node_count", 3), boot_gb = spec_int(spec, "boot_volume_gb", 20);
	if (nodes < 1 || nodes > TL_CLUSTER_NODES_MAX)
		return bad_spec(err, "node_count", "must be 1 to 50");
	if (boot_gb < 1 || boot_gb > 2048)
		return bad_spec(err, "boot_volume_gb", "must be 1 to 2,048");
	const tl_catalog_item *item = pick_item(cat, spec, "cluster_item", "cluster", service, err);
	const tl_catalog_item *node = item ? pick_item(cat, spec, "node_flavor", "server", NULL, err)
					   : NULL;
	const tl_catalog_item *boot = node ? pick_item(cat, spec, "boot_volume_type", "volume",
						       NULL, err) : NULL;
	if (boot == NULL)
		return TL_EINVALID;
	if (req->cluster_id || req->role)
		return tl_error_set(err, TL_EINVALID, "invalid_role", "a cluster is not a member");
	/* the cluster itself has no fee: its nodes and boot volumes are what is paid */
	int64_t price = 0;
	if (tl_catalog_price(cat, node, currency, &price, err) < 0 ||
	    tl_catalog_price(cat, boot, currency, &price, err) < 0)
		return TL_ERULE;
	init_resource(r, ctx, req->account_id, "cluster", req->name, item, 1);
	snprintf(r->billing_mode, sizeof(r->billing_mode), "poc");
	r->cluster_poc = true;
	r->spec = json_deep_copy(spec);
	int rc = find_poc_wallet(tx, ctx, req->account_id, NULL, r->poc_wallet_id, err);
	rc = rc ? rc : insert(tx, ctx, r, err);
	for (int i = 1; rc == 0 && i <= nodes; i++) {
		rc = add_member(tx, ctx, r, node, "node", i, 1, err);
		rc = rc ? rc : add_member(tx, ctx, r, boot, "boot_volume", i, boot_gb, err);
	}
	return rc;
}

int tl_resources_create(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			const tl_resource_request *req, json_t **out, tl_error *err)
{
	tl_account account;
	int rc = tl_accounts_get(tx, ctx, req->account_id, &account, err);
	rc = rc ? rc : tl_name_check(req->name, err);
	rc = rc ? rc : check_kind(req, err);
	/* debt blocks every new paid resource, the postpaid ones made here too */
	if (rc == 0 && !req->poc)
		rc = tl_debts_check_none(tx, account.id, err);
	if (rc < 0)
		return rc;
	tl_resource r = {0};
	rc = strcmp(req->type, "cluster") == 0
		     ? create_cluster(tx, ctx, catalog, account.currency, req, &r, err)
		     : create_single(tx, ctx, catalog, account.currency, req, &r, err);
	tl_resource_release(&r);
	return rc ? rc : tl_resources_get(tx, ctx, r.id, out, err);
}

/* ---- reading ------------------------------------------------------------------- */

int tl_resources_load(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_resource *out,
		      tl_error *err)
{
	tl_error lookup = {0};
	int rc = tl_store_resource_get(tx, id, out, &lookup);
	tl_error_clear(&lookup);
	if (rc == 0 && !tl_ctx_may_see(ctx, out->account_id)) {
		tl_resource_release(out);
		rc = TL_ENOTFOUND;
	}
	if (rc == TL_ENOTFOUND)
		return tl_error_set(err, TL_ENOTFOUND, "resource_not_found", "no resource %.40s", id);
	return rc < 0 ? tl_error_set(err, rc, "store_error", "cannot read resources") : 0;
}

static int add_cluster_view(tl_tx *tx, const tl_resource *cluster, json_t *j, tl_error *err)
{
	tl_resource *members = calloc(TL_CASCADE_PAGE, sizeof(*members));
	char after[TL_ID_MAX] = "";
	size_t n = 0;
	bool available = cluster->cluster_poc;
	int rc = members ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	json_t *list = json_array();
	do { /* every page: a cluster may have any number of members */
		rc = rc ? rc : tl_store_resource_members_after(tx, cluster->id,
							       after[0] ? after : NULL, members,
							       TL_CASCADE_PAGE, &n, err);
		if (rc == 0 && n > 0)
			snprintf(after, sizeof(after), "%s", members[n - 1].id);
		available = available || (rc == 0 && tl_cluster_stop_poc_available(cluster, members, n));
		for (size_t i = 0; i < n; i++) {
			if (strcmp(members[i].status, "deleted") != 0)
				json_array_append_new(list, tl_resource_to_json(&members[i]));
			tl_resource_release(&members[i]);
		}
	} while (rc == 0 && n == TL_CASCADE_PAGE);
	json_object_set_new(j, "members", list);
	json_object_set_new(j, "stop_poc_available", json_boolean(available));
	free(members);
	return rc;
}

int tl_resources_get(tl_tx *tx, const tl_ctx *ctx, const char *id, json_t **out,
		     tl_error *err)
{
	tl_resource r;
	int rc = tl_resources_load(tx, ctx, id, &r, err);
	if (rc < 0)
		return rc;
	*out = tl_resource_to_json(&r);
	if (strcmp(r.type, "cluster") == 0)
		rc = add_cluster_view(tx, &r, *out, err);
	else
		json_object_set_new(*out, "stop_poc_available", json_boolean(tl_resource_in_poc(&r)));
	tl_resource_release(&r);
	return rc;
}

int tl_resources_list(tl_tx *tx, const tl_ctx *ctx, const tl_resource_query *q,
		      const tl_page *page, json_t **out, char *last, tl_error *err)
{
	if (!tl_ctx_may_see(ctx, q->account_id))
		return tl_error_set(err, TL_ENOTFOUND, "account_not_found", "no account %.40s",
				    q->account_id);
	tl_resource *rows = calloc((size_t)page->limit, sizeof(*rows));
	size_t n = 0;
	int rc = rows ? tl_store_resource_list(tx, q, page, rows, &n, err)
		      : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	*out = json_array();
	last[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		json_t *j = tl_resource_to_json(&rows[i]);
		if (strcmp(rows[i].type, "cluster") != 0)
			json_object_set_new(j, "stop_poc_available",
					    json_boolean(tl_resource_in_poc(&rows[i])));
		json_array_append_new(*out, j);
		snprintf(last, TL_ID_MAX, "%s", rows[i].id);
		tl_resource_release(&rows[i]);
	}
	free(rows);
	return rc;
}

/* ---- changing ------------------------------------------------------------------- */

/* Saves r after a change, with the event `type` and r before the change. */
static int save(tl_tx *tx, const tl_ctx *ctx, tl_resource *r, const char *type, json_t *before,
		tl_error *err)
{
	r->updated_at = ctx->now;
	int rc = tl_resources_save(tx, r, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, type, r->account_id, r->id, before, tl_resource_to_json(r),
			       err);
}

int tl_resources_cancel_open_checkout(tl_tx *tx, const tl_ctx *ctx, tl_resource *r,
				      tl_error *err)
{
	if (r->open_checkout_id[0] == '\0')
		return 0;
	/* a deletion wins over an unpaid checkout: cancelled, paying it can
	 * never bring the resource back (a cluster's other members, read
	 * before, still name it: for them this finds it closed already) */
	int rc = tl_checkouts_cancel_for_deletion(tx, ctx, r->open_checkout_id, r->id, err);
	if (rc == 0)
		r->open_checkout_id[0] = '\0';
	return rc;
}

static int delete_one(tl_tx *tx, const tl_ctx *ctx, tl_resource *r, tl_error *err)
{
	if (strcmp(r->status, "deleted") == 0)
		return 0;
	int rc = tl_resources_cancel_open_checkout(tx, ctx, r, err);
	if (rc < 0)
		return rc;
	/* the unused part of a prepaid term comes back as credit */
	rc = tl_refund_unused_term(tx, ctx, r, err);
	if (rc < 0)
		return rc;
	json_t *before = tl_resource_to_json(r);
	snprintf(r->status, sizeof(r->status), "deleted");
	return save(tx, ctx, r, "resource.deleted", before, err);
}

int tl_resources_delete(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_error *err)
{
	tl_resource r;
	int rc = tl_resources_load(tx, ctx, id, &r, err);
	if (rc < 0)
		return rc;
	if (strcmp(r.status, "deleted") == 0) {
		rc = tl_error_set(err, TL_ECONFLICT, "resource_deleted", "%.40s is already deleted", id);
		tl_error_details(err, json_pack("{s:s, s:s}", "resource_id", r.id, "status", r.status));
	}
	if (rc == 0 && strcmp(r.type, "cluster") == 0) {
		tl_resource *members = calloc(TL_CASCADE_PAGE, sizeof(*members));
		char after[TL_ID_MAX] = "";
		size_t n = 0;
		rc = members ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
		do { /* every page: the members go with the cluster, all of them */
			rc = rc ? rc : tl_store_resource_members_after(tx, r.id, after[0] ? after : NULL,
								       members, TL_CASCADE_PAGE, &n, err);
			if (rc == 0 && n > 0)
				snprintf(after, sizeof(after), "%s", members[n - 1].id);
			for (size_t i = 0; i < n; i++) {
				if (rc == 0)
					rc = delete_one(tx, ctx, &members[i], err);
				tl_resource_release(&members[i]);
			}
		} while (rc == 0 && n == TL_CASCADE_PAGE);
		free(members);
	}
	if (rc == 0)
		rc = delete_one(tx, ctx, &r, err);
	tl_resource_release(&r);
	return rc;
}

int tl_resources_create_prepaid(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
				const tl_checkout_line *line, int64_t term_start,
				int64_t term_end, tl_error *err)
{
	tl_resource r = {0};
	snprintf(r.id, sizeof(r.id), "%s", line->resource_id);
	snprintf(r.account_id, sizeof(r.account_id), "%s", c->account_id);
	snprintf(r.type, sizeof(r.type), "%s", line->resource_type);
	snprintf(r.name, sizeof(r.name), "%s", line->resource_name);
	snprintf(r.item_id, sizeof(r.item_id), "%s", line->item_id);
	snprintf(r.service, sizeof(r.service), "%s", line->service);
	snprintf(r.status, sizeof(r.status), "active");
	snprintf(r.billing_mode, sizeof(r.billing_mode), "prepaid");
	r.quantity = line->price.quantity;
	r.spec = line->spec;  /* borrowed: not released here */
	r.cycle_months = c->cycle_months;
	r.term_start = term_start;
	r.term_end = term_end;
	r.auto_renew = c->auto_renew;
	r.created_at = r.updated_at = r.accrued_until = ctx->now;
	return insert(tx, ctx, &r, err);
}

int tl_resources_convert(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			 const char *resource_id, const char *mode, int64_t term_start,
			 int64_t term_end, tl_error *err)
{
	tl_resource r;
	int rc = tl_resources_load(tx, ctx, resource_id, &r, err);
	if (rc < 0)
		return rc;
	if (strcmp(r.status, "deleted") == 0) { /* asserted: payers check it first */
		tl_resource_release(&r);
		tl_error_set(err, TL_ECONFLICT, "resource_deleted", "%.40s is deleted", resource_id);
		tl_error_details(err, json_pack("{s:s, s:s}", "resource_id", resource_id, "status",
						"deleted"));
		return TL_ECONFLICT;
	}
	json_t *before = tl_resource_to_json(&r);
	bool prepaid = strcmp(mode, "prepaid") == 0;
	snprintf(r.billing_mode, sizeof(r.billing_mode), "%s", mode);
	snprintf(r.status, sizeof(r.status), "active"); /* converted in its retention period */
	r.cluster_poc = false;
	r.poc_wallet_id[0] = '\0';
	r.open_checkout_id[0] = '\0';
	if (!prepaid)
		r.accrued_until = ctx->now; /* postpaid: its use is rated from now */
	r.cycle_months = prepaid ? c->cycle_months : 0;
	r.term_start = prepaid ? term_start : 0;
	r.term_end = prepaid ? term_end : 0;
	r.auto_renew = prepaid && c->auto_renew;
	const char *event = strcmp(c->kind, "renewal") == 0    ? "resource.renewed"
			    : strcmp(c->kind, "recovery") == 0 ? "resource.recovered"
							       : "resource.converted";
	rc = save(tx, ctx, &r, event, before, err);
	tl_resource_release(&r);
	return rc;
}

static int mark_one(tl_tx *tx, const tl_ctx *ctx, const char *id, const char *checkout_id,
		    tl_error *err)
{
	tl_resource r;
	int rc = tl_resources_load(tx, ctx, id, &r, err);
	if (rc < 0)
		return rc;
	snprintf(r.open_checkout_id, sizeof(r.open_checkout_id), "%s", checkout_id ? checkout_id : "");
	r.updated_at = ctx->now;
	rc = tl_resources_save(tx, &r, err);
	tl_resource_release(&r);
	return rc;
}

int tl_resources_mark_checkout(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			       const char *checkout_id, tl_error *err)
{
	if (strcmp(c->kind, "purchase") == 0)
		return 0; /* a purchase's resources do not exist until it is paid */
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->line_count; i++)
		rc = mark_one(tx, ctx, c->lines[i].resource_id, checkout_id, err);
	if (rc == 0 && c->origin_id[0])
		rc = mark_one(tx, ctx, c->origin_id, checkout_id, err);
	return rc;
}
