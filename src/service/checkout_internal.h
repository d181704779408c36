/*
 * checkout_internal.h: what checkout.c shares with checkout_pay.c. Private
 * to src/service/.
 */
#ifndef TL_CHECKOUT_INTERNAL_H
#define TL_CHECKOUT_INTERNAL_H

#include "domain/checkout.h"
#include "store/store.h"

/* Inserts (insert) or rewrites c with its lines, after
 * tl_checkout_assert_valid: TL_EINTERNAL "checkout_invalid" when c breaks
 * an invariant, and nothing is written. */
int tl_checkouts_save(tl_tx *tx, const tl_checkout *c, bool insert, int64_t now, tl_error *err);

/* Does coupon c apply to checkout k now (limits counted in this tx)? */
int tl_checkouts_check_coupon(tl_tx *tx, const tl_checkout *k, const tl_coupon *c, int64_t now,
			      tl_error *err);

#endif
