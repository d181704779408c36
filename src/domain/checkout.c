/* checkout.c: the checkout's terms, pricing, state machine and JSON form.
 * See checkout.h for the diagram and the invariants. */
#include "domain/checkout.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tl_checkout_release(tl_checkout *c)
{
	for (size_t i = 0; i < c->line_count; i++) {
		json_decref(c->lines[i].spec);
		c->lines[i].spec = NULL;
	}
}

void tl_checkout_take_terms(tl_checkout *c, const tl_catalog *catalog)
{
	snprintf(c->currency, sizeof(c->currency), "%s", catalog->currency);
	c->tax_rate_bp = catalog->tax_rate_bp;
	c->hold_days = catalog->hold_days;
	c->cycle_count = catalog->cycle_count;
	memcpy(c->cycles, catalog->cycles, sizeof(c->cycles[0]) * catalog->cycle_count);
}

void tl_checkout_set_coupon(tl_checkout *c, const tl_coupon *coupon)
{
	c->coupon_code[0] = c->coupon_id[0] = '\0';
	c->coupon_percent_off = c->coupon_amount_off = 0;
	if (coupon == NULL)
		return;
	snprintf(c->coupon_code, sizeof(c->coupon_code), "%s", coupon->code);
	snprintf(c->coupon_id, sizeof(c->coupon_id), "%s", coupon->id);
	c->coupon_percent_off = coupon->percent_off;
	c->coupon_amount_off = coupon->amount_off;
}

static const tl_catalog_cycle *find_cycle(const tl_checkout *c)
{
	for (size_t i = 0; i < c->cycle_count; i++)
		if (c->cycles[i].months == c->cycle_months)
			return &c->cycles[i];
	return NULL;
}

int tl_checkout_price(tl_checkout *c, tl_error *err)
{
	const tl_catalog_cycle *cycle = find_cycle(c);
	if (cycle == NULL)
		return tl_error_set(err, TL_ERULE, "invalid_cycle",
				    "%d months is not a term the catalog offers", c->cycle_months);
	tl_price_terms terms = {.cycle_months = c->cycle_months,
				.cycle_discount_bp = cycle->discount_bp,
				.tax_rate_bp = c->tax_rate_bp,
				.coupon_percent_bp = c->coupon_percent_off * 100,
				.coupon_amount_off = c->coupon_amount_off};
	/* on the heap: a full checkout's prices are ~300 KiB */
	tl_price_line *prices = malloc((c->line_count ? c->line_count : 1) * sizeof(*prices));
	if (prices == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < c->line_count; i++)
		prices[i] = c->lines[i].price;
	if (tl_pricing_price(prices, c->line_count, &terms, &c->totals) < 0 ||
	    (c->settlement == TL_SETTLE_HOLD &&
	     tl_pricing_hold_amount(prices, c->line_count, c->hold_days, c->tax_rate_bp,
				    &c->hold_amount) < 0)) {
		free(prices);
		return tl_error_set(err, TL_EINVALID, "price_overflow",
				    "the checkout's figures do not fit in 64 bits");
	}
	for (size_t i = 0; i < c->line_count; i++)
		c->lines[i].price = prices[i];
	free(prices);
	if (c->settlement != TL_SETTLE_HOLD)
		c->hold_amount = 0;
	return 0;
}

int tl_checkout_check_open(const tl_checkout *c, int64_t now, tl_error *err)
{
	if (strcmp(c->status, "open") != 0) {
		tl_error_set(err, TL_ECONFLICT, "checkout_not_open", "checkout %s is %s", c->id,
			     c->status);
		tl_error_details(err, json_pack("{s:s}", "status", c->status));
		return TL_ECONFLICT;
	}
	if (now >= c->expires_at)
		return tl_error_set(err, TL_ECONFLICT, "checkout_expired",
				    "checkout %s expired; start a new one", c->id);
	return 0;
}

int tl_checkout_transition(tl_checkout *c, const char *to, int64_t now, tl_error *err)
{
	if (strcmp(c->status, "open") != 0) {
		tl_error_set(err, TL_ECONFLICT, "checkout_not_open", "checkout %s is %s", c->id,
			     c->status);
		tl_error_details(err, json_pack("{s:s}", "status", c->status));
		return TL_ECONFLICT;
	}
	if (strcmp(to, "expired") != 0 && now >= c->expires_at)
		return tl_error_set(err, TL_ECONFLICT, "checkout_expired",
				    "checkout %s expired; start a new one", c->id);
	snprintf(c->status, sizeof(c->status), "%s", to);
	if (strcmp(to, "paid") == 0)
		c->paid_at = now;
	return 0;
}

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static bool line_negative(const tl_price_line *l)
{
	return l->unit_price < 0 || l->quantity < 0 || l->gross < 0 || l->cycle_discount < 0 ||
	       l->amount < 0 || l->coupon_discount < 0 || l->taxable < 0 || l->tax < 0 ||
	       l->total < 0;
}

static bool totals_negative(const tl_price_totals *t)
{
	return t->gross < 0 || t->cycle_discount < 0 || t->subtotal < 0 || t->discount < 0 ||
	       t->tax < 0 || t->total < 0;
}

int tl_checkout_assert_valid(const tl_checkout *c)
{
	static const char *const statuses[] = {"open", "paid", "cancelled", "expired", NULL};
	static const char *const kinds[] = {"purchase", "conversion", "renewal", "recovery",
					    NULL};
	if (!one_of(c->status, statuses) || !one_of(c->kind, kinds))
		return 1;
	if (c->line_count > TL_PRICING_LINES_MAX || c->cycle_months < 1)
		return 6;
	tl_price_totals sum = {.subtotal = 0};
	bool negative = totals_negative(&c->totals) || c->hold_amount < 0;
	for (size_t i = 0; i < c->line_count; i++) {
		const tl_price_line *l = &c->lines[i].price;
		negative = negative || line_negative(l);
		sum.subtotal += l->amount;
		sum.discount += l->coupon_discount;
		sum.tax += l->tax;
		sum.total += l->total;
	}
	if (negative || (c->settlement != TL_SETTLE_HOLD && c->hold_amount != 0))
		return 3;
	if (sum.subtotal != c->totals.subtotal || sum.discount != c->totals.discount ||
	    sum.tax != c->totals.tax || sum.total != c->totals.total ||
	    c->totals.total != c->totals.subtotal - c->totals.discount + c->totals.tax)
		return 2;
	bool paid = strcmp(c->status, "paid") == 0;
	if (paid != (c->payment_id[0] != '\0') || (!paid && c->paid_at != 0) ||
	    (paid && c->paid_at >= c->expires_at))
		return 4;
	if ((c->coupon_code[0] == '\0') != (c->coupon_id[0] == '\0'))
		return 5;
	return 0;
}
