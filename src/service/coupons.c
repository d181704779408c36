/* coupons.c: coupons kept as documents (kind "coupon", key = code); each
 * redemption is a document too (kind "redemption", key = the checkout, so a
 * checkout can never redeem twice), counted per account by its ref. */
#include "service/coupons.h"
#include "service/audit.h"
#include "common/ids.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int save(tl_tx *tx, const tl_coupon *c, bool insert, int64_t now, tl_error *err)
{
	json_t *body = tl_coupon_to_json(c);
	tl_doc d = {.due_at = 0, .created_at = c->created_at, .updated_at = now};
	snprintf(d.kind, sizeof(d.kind), "coupon");
	snprintf(d.id, sizeof(d.id), "%s", c->id);
	snprintf(d.key, sizeof(d.key), "%s", c->code);
	snprintf(d.status, sizeof(d.status), "%s", c->disabled ? "disabled" : "active");
	d.body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	int rc = d.body == NULL ? tl_error_set(err, TL_EINTERNAL, NULL, "out of memory")
		 : insert      ? tl_store_doc_insert(tx, &d, err)
			       : tl_store_doc_update(tx, &d, err);
	tl_doc_free(&d);
	return rc;
}

static int from_doc(tl_doc *d, tl_coupon *out, tl_error *err)
{
	json_t *j = json_loads(d->body, 0, NULL);
	int rc = j ? tl_coupon_from_json(j, out, err)
		   : tl_error_set(err, TL_EINTERNAL, "corrupt_document", "a stored coupon is corrupt");
	json_decref(j);
	tl_doc_free(d);
	return rc;
}

int tl_coupons_create(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
		      const json_t *request, tl_coupon *out, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin creates coupons");
	int rc = tl_coupon_from_request(request, catalog, out, err);
	if (rc < 0)
		return rc;
	tl_id_new(out->id, sizeof(out->id), "cpn");
	out->created_at = ctx->now;
	rc = save(tx, out, true, ctx->now, err);
	if (rc == TL_ECONFLICT) {
		tl_error_clear(err);
		return tl_error_set(err, TL_ECONFLICT, "coupon_code_taken",
				    "a coupon with code %s exists", out->code);
	}
	if (rc < 0)
		return rc;
	return tl_audit_record(tx, ctx, "coupon.created", NULL, out->id, NULL,
			       tl_coupon_to_json(out), err);
}

int tl_coupons_get(tl_tx *tx, const char *id, tl_coupon *out, tl_error *err)
{
	tl_doc d = {0};
	tl_error lookup = {0};
	int rc = tl_store_doc_get(tx, "coupon", id, &d, &lookup);
	tl_error_clear(&lookup);
	if (rc == TL_ENOTFOUND)
		return tl_error_set(err, TL_ENOTFOUND, "coupon_not_found", "no coupon %.40s", id);
	if (rc < 0)
		return tl_error_set(err, rc, "store_error", "cannot read coupons");
	return from_doc(&d, out, err);
}

int tl_coupons_find_code(tl_tx *tx, const char *code, tl_coupon *out, tl_error *err)
{
	char normal[TL_COUPON_CODE_MAX];
	tl_doc d = {0};
	tl_error lookup = {0};
	int rc = tl_coupon_normalize_code(code, normal) < 0
			 ? TL_ENOTFOUND
			 : tl_store_doc_get_by_key(tx, "coupon", normal, &d, &lookup);
	tl_error_clear(&lookup);
	if (rc == TL_ENOTFOUND)
		return tl_error_set(err, TL_ERULE, "coupon_not_found", "there is no coupon %.40s",
				    code);
	if (rc < 0)
		return tl_error_set(err, rc, "store_error", "cannot read coupons");
	return from_doc(&d, out, err);
}

int tl_coupons_list(tl_tx *tx, const tl_ctx *ctx, const tl_page *page, tl_coupon *out,
		    size_t *count, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin lists coupons");
	tl_doc *docs = calloc((size_t)page->limit, sizeof(*docs));
	if (docs == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_query q = {.kind = "coupon"};
	size_t n = 0;
	int rc = tl_store_doc_list(tx, &q, page, docs, &n, err);
	*count = 0;
	for (size_t i = 0; i < n; i++)
		if (rc == 0 && (rc = from_doc(&docs[i], &out[i], err)) == 0)
			*count = i + 1;
		else
			tl_doc_free(&docs[i]);
	free(docs);
	return rc;
}

int tl_coupons_disable(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_coupon *out,
		       tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin disables coupons");
	int rc = tl_coupons_get(tx, id, out, err);
	if (rc < 0 || out->disabled)
		return rc; /* disabling twice changes nothing */
	json_t *before = tl_coupon_to_json(out);
	out->disabled = true;
	rc = save(tx, out, false, ctx->now, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "coupon.disabled", NULL, out->id, before,
			       tl_coupon_to_json(out), err);
}

int tl_coupons_account_redemptions(tl_tx *tx, const char *coupon_id, const char *account_id,
				   int64_t *out, tl_error *err)
{
	tl_doc_query q = {.kind = "redemption", .account_id = account_id, .ref = coupon_id};
	return tl_store_doc_count(tx, &q, out, err);
}

int tl_coupons_redeem(tl_tx *tx, const tl_ctx *ctx, tl_coupon *c, const char *account_id,
		      const char *checkout_id, tl_error *err)
{
	tl_doc d = {.created_at = ctx->now, .updated_at = ctx->now};
	snprintf(d.kind, sizeof(d.kind), "redemption");
	tl_id_new(d.id, sizeof(d.id), "rdm");
	snprintf(d.account_id, sizeof(d.account_id), "%s", account_id);
	snprintf(d.key, sizeof(d.key), "%s", checkout_id);
	snprintf(d.ref, sizeof(d.ref), "%s", c->id);
	snprintf(d.status, sizeof(d.status), "redeemed");
	d.body = (char *)(uintptr_t)"{}";
	int rc = tl_store_doc_insert(tx, &d, err);
	if (rc < 0)
		return rc;
	json_t *before = tl_coupon_to_json(c);
	c->redemptions++;
	rc = save(tx, c, false, ctx->now, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "coupon.redeemed", account_id, c->id, before,
			       tl_coupon_to_json(c), err);
}
