/* resources.c: resources kept as documents (kind "resource", ref = the
 * cluster). */
#include "service/resources.h"
#include "service/audit.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <string.h>


int tl_resources_create_prepaid(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
				const tl_checkout_line *line, int64_t term_start,
				int64_t term_end, tl_error *err)
{
	json_t *body = json_pack(
		"{s:s, s:s, s:s, s:s, s:n, s:n, s:O, s:s, s:s, s:s,"
		" s:{s:s, s:i, s:o, s:o, s:b}, s:o}",
		"id", line->resource_id, "type", line->resource_type, "name", line->resource_name,
		"account_id", c->account_id, "cluster_id", "role", "spec",
		line->spec ? line->spec : json_object(), "item_id", line->item_id, "service",
		line->service, "status", "active", "billing", "mode", "prepaid", "cycle_months",
		c->cycle_months, "term_start", tl_time_to_json(term_start), "term_end",
		tl_time_to_json(term_end), "auto_renew", c->auto_renew, "created_at",
		tl_time_to_json(ctx->now));
	tl_doc d = {.created_at = ctx->now, .updated_at = ctx->now};
	snprintf(d.kind, sizeof(d.kind), "resource");
	snprintf(d.id, sizeof(d.id), "%s", line->resource_id);
	snprintf(d.account_id, sizeof(d.account_id), "%s", c->account_id);
	snprintf(d.status, sizeof(d.status), "active");
	d.body = json_dumps(body, JSON_COMPACT);
	int rc = d.body ? tl_store_doc_insert(tx, &d, err)
			: tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_free(&d);
	if (rc == 0)
		return tl_audit_record(tx, ctx, "resource.created", c->account_id, line->resource_id,
				       NULL, body, err);
	json_decref(body);
	return rc;
}

int tl_resources_get(tl_tx *tx, const tl_ctx *ctx, const char *id, json_t **out,
		     tl_error *err)
{
	tl_doc d = {0};
	tl_error lookup = {0};
	int rc = tl_store_doc_get(tx, "resource", id, &d, &lookup);
	tl_error_clear(&lookup);
	if (rc == 0 && !tl_ctx_may_see(ctx, d.account_id))
		rc = TL_ENOTFOUND;
	if (rc == 0) {
		*out = json_loads(d.body, 0, NULL);
		rc = *out ? 0 : tl_error_set(err, TL_EINTERNAL, "corrupt_document", "bad resource");
	}
	tl_doc_free(&d);
	if (rc == TL_ENOTFOUND)
		return tl_error_set(err, TL_ENOTFOUND, "resource_not_found", "no resource %.40s", id);
	return rc;
}
