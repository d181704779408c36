/* pricing.c: the pricing rules of pricing.h. Each step is its own function
 * so that the tests can pin each rule down. */
#include "domain/pricing.h"
#include "common/err.h"
#include "domain/money.h"

#include <stdlib.h>

static int price_line(tl_price_line *l, const tl_price_terms *t)
{
	if (l->unit_price < 0 || l->quantity < 0)
		return TL_EINVALID;
	if (tl_money_mul(l->unit_price, l->quantity, &l->gross) < 0 ||
	    tl_money_mul(l->gross, t->cycle_months, &l->gross) < 0 ||
	    tl_money_percent_bp(l->gross, t->cycle_discount_bp, &l->cycle_discount) < 0)
		return TL_EINVALID;
	l->amount = l->gross - l->cycle_discount; /* discount_bp < 10,000: no overflow */
	return 0;
}

static bool terms_valid(const tl_price_terms *t)
{
	return t->cycle_months >= 1 && t->cycle_months <= 36 && t->cycle_discount_bp >= 0 &&
	       t->cycle_discount_bp < TL_BP_ONE && t->tax_rate_bp >= 0 &&
	       t->tax_rate_bp <= TL_BP_ONE && t->coupon_percent_bp >= 0 &&
	       t->coupon_percent_bp <= TL_BP_ONE && t->coupon_amount_off >= 0 &&
	       !(t->coupon_percent_bp > 0 && t->coupon_amount_off > 0);
}

/* The coupon's value against a subtotal: never more than the subtotal. */
static int coupon_value(const tl_price_terms *t, int64_t subtotal, int64_t *out)
{
	if (t->coupon_percent_bp > 0)
		return tl_money_percent_bp(subtotal, t->coupon_percent_bp, out);
	*out = t->coupon_amount_off < subtotal ? t->coupon_amount_off : subtotal;
	return 0;
}

int tl_pricing_spread(int64_t total, const int64_t *weights, size_t count, int64_t *parts)
{
	if (total < 0 || count == 0 || count > TL_PRICING_LINES_MAX)
		return TL_EINVALID;
	__int128 sum = 0;
	for (size_t i = 0; i < count; i++) {
		if (weights[i] < 0)
			return TL_EINVALID;
		sum += weights[i];
	}
	if (sum == 0) {
		for (size_t i = 0; i < count; i++)
			parts[i] = 0;
		return total == 0 ? 0 : TL_EINVALID;
	}
	__int128 *remainders = malloc(count * sizeof(*remainders)); /* up to 64 KiB */
	if (remainders == NULL)
		return TL_EINTERNAL;
	int64_t given = 0;
	for (size_t i = 0; i < count; i++) {
		__int128 share = (__int128)total * weights[i];
		parts[i] = (int64_t)(share / sum); /* <= total: fits */
		remainders[i] = share % sum;
		given += parts[i];
	}
	/* fewer than count units are left: one each to the largest remainders */
	for (int64_t left = total - given; left > 0; left--) {
		size_t best = 0;
		for (size_t i = 1; i < count; i++)
			if (remainders[i] > remainders[best])
				best = i;
		parts[best]++;
		remainders[best] = -1;
	}
	free(remainders);
	return 0;
}

static int apply_coupon(tl_price_line *lines, size_t count, int64_t coupon)
{
	int64_t *weights = malloc(2 * count * sizeof(*weights)); /* and the shares */
	if (weights == NULL)
		return TL_EINVALID;
	int64_t *shares = weights + count;
	for (size_t i = 0; i < count; i++)
		weights[i] = lines[i].amount;
	int rc = tl_pricing_spread(coupon, weights, count, shares) < 0 ? TL_EINVALID : 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		lines[i].coupon_discount = shares[i];
		lines[i].taxable = lines[i].amount - shares[i]; /* share <= amount */
	}
	free(weights);
	return rc;
}

static int add_to_totals(tl_price_totals *t, const tl_price_line *l)
{
	if (tl_money_add(t->gross, l->gross, &t->gross) < 0 ||
	    tl_money_add(t->cycle_discount, l->cycle_discount, &t->cycle_discount) < 0 ||
	    tl_money_add(t->discount, l->coupon_discount, &t->discount) < 0 ||
	    tl_money_add(t->tax, l->tax, &t->tax) < 0 ||
	    tl_money_add(t->total, l->total, &t->total) < 0)
		return TL_EINVALID;
	return 0;
}

int tl_pricing_price(tl_price_line *lines, size_t count, const tl_price_terms *terms,
		     tl_price_totals *out)
{
	if (count == 0 || count > TL_PRICING_LINES_MAX || !terms_valid(terms))
		return TL_EINVALID;
	int64_t subtotal = 0, coupon;
	for (size_t i = 0; i < count; i++)
		if (price_line(&lines[i], terms) < 0 ||
		    tl_money_add(subtotal, lines[i].amount, &subtotal) < 0)
			return TL_EINVALID;
	if (coupon_value(terms, subtotal, &coupon) < 0 || apply_coupon(lines, count, coupon) < 0)
		return TL_EINVALID;
	*out = (tl_price_totals){.subtotal = subtotal};
	for (size_t i = 0; i < count; i++) {
		tl_price_line *l = &lines[i];
		if (tl_money_percent_bp(l->taxable, terms->tax_rate_bp, &l->tax) < 0 ||
		    tl_money_add(l->taxable, l->tax, &l->total) < 0 || add_to_totals(out, l) < 0)
			return TL_EINVALID;
	}
	return 0;
}

int tl_pricing_usage_cost(int64_t minutes, int64_t unit_price, int64_t quantity,
			  int64_t discount_bp, int64_t *out)
{
	if (minutes < 0 || unit_price < 0 || quantity < 0 || discount_bp < 0 ||
	    discount_bp >= TL_BP_ONE)
		return TL_EINVALID;
	int64_t factor;
	if (tl_money_mul(minutes, quantity, &factor) < 0 ||
	    tl_money_mul(factor, TL_BP_ONE - discount_bp, &factor) < 0)
		return TL_EINVALID;
	return tl_money_mul_div(unit_price, factor, (int64_t)TL_MINUTES_PER_MONTH * TL_BP_ONE, out);
}

int tl_pricing_hold_amount(const tl_price_line *lines, size_t count, int days,
			   int64_t tax_rate_bp, int64_t *out)
{
	if (days < 1 || tax_rate_bp < 0 || tax_rate_bp > TL_BP_ONE)
		return TL_EINVALID;
	int64_t sum = 0;
	for (size_t i = 0; i < count; i++) {
		int64_t use, tax;
		if (tl_pricing_usage_cost((int64_t)days * 1440, lines[i].unit_price,
					  lines[i].quantity, 0, &use) < 0 ||
		    tl_money_percent_bp(use, tax_rate_bp, &tax) < 0 ||
		    tl_money_add(sum, use, &sum) < 0 || tl_money_add(sum, tax, &sum) < 0)
			return TL_EINVALID;
	}
	*out = sum;
	return 0;
}
