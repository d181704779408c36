/*
 * coupons.h: use cases for coupons: the admin creates, lists and disables
 * them; checkouts look them up by code and redeem them when paid.
 */
#ifndef TL_COUPONS_H
#define TL_COUPONS_H

#include "domain/catalog.h"
#include "domain/coupon.h"
#include "service/context.h"
#include "store/store.h"

int tl_coupons_create(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
		      const json_t *request, tl_coupon *out, tl_error *err);
int tl_coupons_list(tl_tx *tx, const tl_ctx *ctx, const tl_page *page, tl_coupon *out,
		    size_t *count, tl_error *err);
int tl_coupons_disable(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_coupon *out,
		       tl_error *err);

/* The coupon with this code: 422 coupon_not_found when there is none. */
int tl_coupons_find_code(tl_tx *tx, const char *code, tl_coupon *out, tl_error *err);
int tl_coupons_get(tl_tx *tx, const char *id, tl_coupon *out, tl_error *err);

/* How often an account has redeemed a coupon. */
int tl_coupons_account_redemptions(tl_tx *tx, const char *coupon_id, const char *account_id,
				   int64_t *out, tl_error *err);

/* Counts one redemption of coupon c by a paid checkout. The caller has
 * checked the limits in the same transaction. */
int tl_coupons_redeem(tl_tx *tx, const tl_ctx *ctx, tl_coupon *c, const char *account_id,
		      const char *checkout_id, tl_error *err);

#endif
