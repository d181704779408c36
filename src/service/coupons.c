/* coupons.c: the coupon use cases. Coupons are kept in the coupons table
 * (code UNIQUE); each redemption is a row of coupon_redemptions, unique per
 * checkout so a checkout can never redeem twice, counted per account. */
#include "service/coupons.h"
#include "service/audit.h"
#include "common/ids.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	rc = tl_store_coupon_insert(tx, out, ctx->now, err);
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
	tl_error lookup = {0};
	int rc = tl_store_coupon_get(tx, id, out, &lookup);
	tl_error_clear(&lookup);
	if (rc == TL_ENOTFOUND)
		return tl_error_set(err, TL_ENOTFOUND, "coupon_not_found", "no coupon %.40s", id);
	if (rc < 0)
		return tl_error_set(err, rc, "store_error", "cannot read coupons");
	return 0;
}

int tl_coupons_find_code(tl_tx *tx, const char *code, tl_coupon *out, tl_error *err)
{
	char normal[TL_COUPON_CODE_MAX];
	tl_error lookup = {0};
	int rc = tl_coupon_normalize_code(code, normal) < 0
			 ? TL_ENOTFOUND
			 : tl_store_coupon_get_by_code(tx, normal, out, &lookup);
	tl_error_clear(&lookup);
	if (rc == TL_ENOTFOUND)
		return tl_error_set(err, TL_ERULE, "coupon_not_found", "there is no coupon %.40s",
				    code);
	if (rc < 0)
		return tl_error_set(err, rc, "store_error", "cannot read coupons");
	return 0;
}

int tl_coupons_list(tl_tx *tx, const tl_ctx *ctx, const tl_page *page, tl_coupon *out,
		    size_t *count, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin lists coupons");
	return tl_store_coupon_list(tx, page, out, count, err);
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
	rc = tl_store_coupon_update(tx, out, ctx->now, err);
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
	return tl_store_coupon_redemptions_count(tx, coupon_id, account_id, out, err);
}

int tl_coupons_redeem(tl_tx *tx, const tl_ctx *ctx, tl_coupon *c, const char *account_id,
		      const char *checkout_id, tl_error *err)
{
	char id[TL_ID_MAX];
	tl_id_new(id, sizeof(id), "rdm");
	int rc = tl_store_coupon_redemption_insert(tx, id, c->id, account_id, checkout_id, ctx->now,
						   err);
	if (rc < 0)
		return rc;
	json_t *before = tl_coupon_to_json(c);
	c->redemptions++;
	rc = tl_store_coupon_update(tx, c, ctx->now, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "coupon.redeemed", account_id, c->id, before,
			       tl_coupon_to_json(c), err);
}
