/* resource.c: the billing state of resources and the Stop POC rules; see
 * resource.h. */
#include "domain/resource.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <string.h>

void tl_resource_release(tl_resource *r)
{
	json_decref(r->spec);
	r->spec = NULL;
}

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

json_t *tl_resource_to_json(const tl_resource *r)
{
	json_t *billing = json_pack("{s:s, s:o, s:o, s:o, s:b}", "mode", r->billing_mode,
				    "cycle_months", r->cycle_months ? json_integer(r->cycle_months)
								    : json_null(),
				    "term_start", tl_time_to_json(r->term_start), "term_end",
				    tl_time_to_json(r->term_end), "auto_renew", r->auto_renew);
	if (r->poc_wallet_id[0])
		json_object_set_new(billing, "poc_wallet_id", json_string(r->poc_wallet_id));
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:O, s:s, s:s, s:I, s:s, s:o, s:o,"
			      " s:o}",
			      "id", r->id, "type", r->type, "name", r->name, "account_id",
			      r->account_id, "cluster_id", str_or_null(r->cluster_id), "role",
			      str_or_null(r->role), "spec", r->spec ? r->spec : json_null(),
			      "item_id", r->item_id, "service", r->service, "quantity",
			      (json_int_t)r->quantity, "status", r->status, "billing", billing,
			      "open_checkout_id", str_or_null(r->open_checkout_id), "created_at",
			      tl_time_to_json(r->created_at));
	if (strcmp(r->type, "cluster") == 0)
		json_object_set_new(j, "poc", json_boolean(r->cluster_poc));
	return j;
}

bool tl_resource_type_poc_eligible(const char *type)
{
	return strcmp(type, "server") == 0 || strcmp(type, "volume") == 0 ||
	       strcmp(type, "cluster") == 0;
}

bool tl_resource_in_poc(const tl_resource *r)
{
	return strcmp(r->status, "deleted") != 0 && strcmp(r->billing_mode, "poc") == 0 &&
	       (strcmp(r->type, "server") == 0 || strcmp(r->type, "volume") == 0);
}

bool tl_cluster_stop_poc_available(const tl_resource *cluster, const tl_resource *members,
				   size_t member_count)
{
	if (strcmp(cluster->status, "deleted") == 0)
		return false;
	if (cluster->cluster_poc)
		return true;
	for (size_t i = 0; i < member_count; i++)
		if (tl_resource_in_poc(&members[i]))
			return true;
	return false;
}

static int refuse(tl_error *err, const char *code, const tl_resource *r, const char *why)
{
	tl_error_set(err, TL_ECONFLICT, code, "%s %s %s", r->type, r->id, why);
	tl_error_details(err, json_pack("{s:s, s:s}", "resource_id", r->id, "status", r->status));
	return TL_ECONFLICT;
}

int tl_stop_poc_plan_make(const tl_resource *target, const tl_resource *cluster,
			  const tl_resource *members, size_t member_count,
			  tl_stop_poc_plan *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(target->status, "deleted") == 0)
		return refuse(err, "resource_deleted", target, "is deleted");
	/* suspended at its POC wallet's expiry it may still be converted (rule
	 * 9: "deleted unless converted"); suspended otherwise (debt) not */
	if (strcmp(target->status, "suspended") == 0 && strcmp(target->billing_mode, "poc") != 0)
		return refuse(err, "resource_suspended", target,
			      "is suspended; its debt must be paid first");
	if (strcmp(target->type, "cluster") == 0) {
		size_t in_poc = 0;
		for (size_t i = 0; i < member_count; i++)
			in_poc += tl_resource_in_poc(&members[i]);
		if (in_poc > TL_STOP_POC_MAX) { /* refused whole: never a part of it */
			tl_error_set(err, TL_ERULE, "too_many_resources",
				     "cluster %.40s has %zu members in POC; one Stop POC converts "
				     "at most %d", target->id, in_poc, TL_STOP_POC_MAX);
			tl_error_details(err, json_pack("{s:s, s:I, s:i}", "resource_id", target->id,
							"count", (json_int_t)in_poc, "max",
							TL_STOP_POC_MAX));
			return TL_ERULE;
		}
		for (size_t i = 0; i < member_count; i++)
			if (tl_resource_in_poc(&members[i]))
				out->convert[out->count++] = &members[i];
		out->stop_only = out->count == 0;
		if (out->stop_only && !target->cluster_poc)
			return refuse(err, "not_poc", target, "is not a POC any more");
		return 0;
	}
	if (!tl_resource_in_poc(target))
		return refuse(err, "not_poc", target,
			      strcmp(target->billing_mode, "poc") == 0 ? "cannot be converted"
								       : "is not billed as a POC");
	out->convert[out->count++] = target;
	if (cluster && cluster->cluster_poc)
		snprintf(out->warning, sizeof(out->warning),
			 "%.24s %.40s is converted on its own; its cluster %.40s stays POC until a "
			 "Stop POC is done on the cluster", target->type, target->id, cluster->id);
	return 0;
}

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static int invalid_resource(const tl_resource *r, tl_error *err, const char *why)
{
	tl_error_set(err, TL_EINTERNAL, "invalid_resource", "resource %.40s: %s", r->id, why);
	return TL_EINTERNAL;
}

int tl_resource_assert_valid(const tl_resource *r, tl_error *err)
{
	static const char *const types[] = {"server", "volume", "cluster", "load_balancer",
					    "snapshot", NULL};
	static const char *const statuses[] = {"active", "suspended", "deleted", NULL};
	static const char *const modes[] = {"poc", "prepaid", "postpaid", NULL};
	bool cluster = strcmp(r->type, "cluster") == 0;
	bool poc = strcmp(r->billing_mode, "poc") == 0;
	bool prepaid = strcmp(r->billing_mode, "prepaid") == 0;
	if (r->id[0] == '\0' || r->account_id[0] == '\0')
		return invalid_resource(r, err, "no id or no account");
	if (!one_of(r->type, types))
		return invalid_resource(r, err, "unknown type");
	if (!one_of(r->status, statuses))
		return invalid_resource(r, err, "unknown status");
	if (!one_of(r->billing_mode, modes))
		return invalid_resource(r, err, "unknown billing mode");
	if (r->quantity < 1)
		return invalid_resource(r, err, "quantity below 1");
	if (poc && !tl_resource_type_poc_eligible(r->type))
		return invalid_resource(r, err, "this type is never POC");
	if (r->cluster_poc && !cluster)
		return invalid_resource(r, err, "only a cluster has cluster_poc");
	if (poc && r->poc_wallet_id[0] == '\0')
		return invalid_resource(r, err, "POC with no POC wallet");
	if (!poc && !cluster && r->poc_wallet_id[0] != '\0')
		return invalid_resource(r, err, "a POC wallet but not POC");
	bool term = r->cycle_months != 0 || r->term_start != 0 || r->term_end != 0;
	if (prepaid && !cluster &&
	    (r->cycle_months < 1 || r->term_start <= 0 || r->term_end <= r->term_start))
		return invalid_resource(r, err, "prepaid with no valid term");
	if (!prepaid && !cluster && term)
		return invalid_resource(r, err, "a term but not prepaid");
	if (strcmp(r->status, "deleted") == 0 && r->open_checkout_id[0] != '\0')
		return invalid_resource(r, err, "deleted but still in an open checkout");
	return 0;
}
