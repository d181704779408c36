/* Unit tests: the checkout's state machine, invariants and JSON form. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "domain/checkout.h"

static tl_checkout *make(void)
{
	tl_checkout *c = calloc(1, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "chk_x");
	snprintf(c->status, sizeof(c->status), "open");
	snprintf(c->kind, sizeof(c->kind), "purchase");
	c->cycle_months = 3;
	c->tax_rate_bp = 1000;
	c->cycle_count = 2;
	c->cycles[0] = (tl_catalog_cycle){1, 0};
	c->cycles[1] = (tl_catalog_cycle){3, 300};
	c->expires_at = 1000;
	c->line_count = 2;
	c->lines[0].price = (tl_price_line){.unit_price = 480000, .quantity = 1};
	c->lines[1].price = (tl_price_line){.unit_price = 3000, .quantity = 100};
	c->lines[1].spec = json_pack("{s:s, s:i}", "volume_type", "v.ssd", "size_gb", 100);
	c->coupon_amount_off = 100001;
	tl_error e = {0};
	cr_assert_eq(tl_checkout_price(c, &e), 0, "%s", e.message);
	return c;
}

static void destroy(tl_checkout *c)
{
	tl_checkout_release(c);
	free(c);
}

Test(checkout_domain, open_goes_to_one_final_state_only)
{
	tl_checkout *c = make();
	tl_error e = {0};
	cr_assert_eq(tl_checkout_transition(c, "cancelled", 10, &e), 0);
	cr_assert_eq(tl_checkout_transition(c, "paid", 10, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "checkout_not_open");
	tl_error_clear(&e);
	destroy(c);
}

Test(checkout_domain, it_cannot_be_paid_at_or_after_its_expiry)
{
	tl_checkout *c = make();
	tl_error e = {0};
	cr_assert_eq(tl_checkout_transition(c, "paid", 1000, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "checkout_expired");
	tl_error_clear(&e);
	cr_assert_str_eq(c->status, "open", "a refused transition changed the state");
	cr_assert_eq(tl_checkout_transition(c, "expired", 1000, &e), 0);
	destroy(c);
}

Test(checkout_domain, totals_are_the_sums_of_the_lines)
{
	tl_checkout *c = make();
	cr_assert_eq(tl_checkout_assert_valid(c), 0);
	cr_assert_eq(c->totals.discount, 100001);
	c->totals.total += 1;
	cr_assert_neq(tl_checkout_assert_valid(c), 0, "a wrong total passed the check");
	c->totals.total -= 1;
	snprintf(c->status, sizeof(c->status), "paid");
	cr_assert_neq(tl_checkout_assert_valid(c), 0, "paid without a payment passed");
	destroy(c);
}

Test(checkout_domain, an_unknown_term_is_refused)
{
	tl_checkout *c = make();
	c->cycle_months = 12;
	tl_error e = {0};
	cr_assert_eq(tl_checkout_price(c, &e), TL_ERULE);
	cr_assert_str_eq(e.code, "invalid_cycle");
	tl_error_clear(&e);
	destroy(c);
}

/* ---- tl_checkout_assert_valid: each invalid state it refuses ---------------- */

Test(checkout_valid, a_priced_open_checkout_is_valid)
{
	tl_checkout *c = make();
	cr_assert_eq(tl_checkout_assert_valid(c), 0);
	destroy(c);
}

Test(checkout_valid, a_status_or_kind_outside_the_lifecycle_is_refused)
{
	tl_checkout *c = make();
	snprintf(c->status, sizeof(c->status), "refunded");
	cr_assert_eq(tl_checkout_assert_valid(c), 1);
	snprintf(c->status, sizeof(c->status), "open");
	snprintf(c->kind, sizeof(c->kind), "gift");
	cr_assert_eq(tl_checkout_assert_valid(c), 1);
	destroy(c);
}

Test(checkout_valid, totals_that_are_not_the_sums_of_the_lines_are_refused)
{
	tl_checkout *c = make();
	c->totals.tax += 1; /* the sum of the lines' tax no longer */
	cr_assert_eq(tl_checkout_assert_valid(c), 2);
	c->totals.tax -= 1;
	c->lines[0].price.total += 1;
	c->totals.total += 1; /* sums hold, total != subtotal - discount + tax */
	cr_assert_eq(tl_checkout_assert_valid(c), 2);
	destroy(c);
}

Test(checkout_valid, a_negative_amount_is_refused)
{
	tl_checkout *c = make();
	c->lines[1].price.unit_price = -3000;
	cr_assert_eq(tl_checkout_assert_valid(c), 3);
	c->lines[1].price.unit_price = 3000;
	c->settlement = TL_SETTLE_HOLD;
	c->hold_amount = -1;
	cr_assert_eq(tl_checkout_assert_valid(c), 3);
	destroy(c);
}

Test(checkout_valid, a_hold_amount_on_a_prepaid_checkout_is_refused)
{
	tl_checkout *c = make();
	c->hold_amount = 100;
	cr_assert_eq(tl_checkout_assert_valid(c), 3);
	destroy(c);
}

Test(checkout_valid, paid_without_a_payment_or_a_payment_unpaid_is_refused)
{
	tl_checkout *c = make();
	tl_error e = {0};
	cr_assert_eq(tl_checkout_transition(c, "paid", 10, &e), 0);
	cr_assert_eq(tl_checkout_assert_valid(c), 4, "paid without a payment id");
	snprintf(c->payment_id, sizeof(c->payment_id), "pay_x");
	cr_assert_eq(tl_checkout_assert_valid(c), 0);
	snprintf(c->status, sizeof(c->status), "cancelled");
	cr_assert_eq(tl_checkout_assert_valid(c), 4, "a cancelled checkout with a payment");
	destroy(c);
}

Test(checkout_valid, a_paid_at_on_an_unpaid_checkout_is_refused)
{
	tl_checkout *c = make();
	c->paid_at = 10;
	cr_assert_eq(tl_checkout_assert_valid(c), 4);
	destroy(c);
}

Test(checkout_valid, paid_at_or_after_expiry_is_refused)
{
	tl_checkout *c = make();
	snprintf(c->status, sizeof(c->status), "paid");
	snprintf(c->payment_id, sizeof(c->payment_id), "pay_x");
	c->paid_at = c->expires_at;
	cr_assert_eq(tl_checkout_assert_valid(c), 4);
	destroy(c);
}

Test(checkout_valid, a_coupon_code_without_its_id_is_refused)
{
	tl_checkout *c = make();
	snprintf(c->coupon_code, sizeof(c->coupon_code), "WELCOME10");
	cr_assert_eq(tl_checkout_assert_valid(c), 5);
	snprintf(c->coupon_id, sizeof(c->coupon_id), "cpn_x");
	cr_assert_eq(tl_checkout_assert_valid(c), 0);
	c->coupon_code[0] = '\0';
	cr_assert_eq(tl_checkout_assert_valid(c), 5);
	destroy(c);
}

Test(checkout_valid, a_checkout_without_a_term_or_with_too_many_lines_is_refused)
{
	tl_checkout *c = make();
	c->cycle_months = 0;
	cr_assert_eq(tl_checkout_assert_valid(c), 6);
	c->cycle_months = 3;
	c->line_count = TL_PRICING_LINES_MAX + 1;
	cr_assert_eq(tl_checkout_assert_valid(c), 6);
	c->line_count = 2;
	destroy(c);
}
