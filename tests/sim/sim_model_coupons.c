/* sim_model_coupons.c: the model of coupons (sim_model.h, the coupons
 * feature), from DESIGN.md "Money flows": a coupon applies to the
 * checkout's subtotal (never below zero), is spread over the lines in
 * proportion (largest remainder, so the parts add up exactly), and tax is
 * per line on what remains.
 *
 * Interpretations where DESIGN.md says nothing: a percent coupon is
 * rounded half up like every other amount; the subtotal is after the cycle
 * discounts; in the largest remainder a tie goes to the earlier line; the
 * limits are counted when a checkout is paid, so a coupon is refused (at
 * creation, change or payment) once its redemptions reach a limit, and
 * expired at and after its expires_at; renewals are at full price. */
#include "sim_model.h"

#include <stddef.h>

static int64_t half_up(int64_t x, int64_t num, int64_t den)
{
	__int128 p = (__int128)x * num;
	return (int64_t)((p + den / 2) / den);
}

void sim_checkout_lines(const sim_prices *p, const sim_checkout *c, int64_t totals[],
			int64_t taxes[])
{
	int64_t amount[SIM_LINES_MAX], share[SIM_LINES_MAX] = {0}, rem[SIM_LINES_MAX] = {0};
	int64_t subtotal = 0;
	for (int i = 0; i < c->line_count; i++) {
		int64_t total, tax;
		sim_line_price(p, &c->lines[i], c->cycle_months, &total, &tax);
		amount[i] = total - tax;
		subtotal += amount[i];
	}
	int64_t discount = c->coupon == 0 ? 0
			   : c->coupon_percent ? half_up(subtotal, c->coupon_percent, 100)
					       : c->coupon_amount_off;
	if (discount > subtotal)
		discount = subtotal;
	if (discount > 0) {
		int64_t given = 0;
		for (int i = 0; i < c->line_count; i++) {
			__int128 part = (__int128)discount * amount[i];
			share[i] = (int64_t)(part / subtotal);
			rem[i] = (int64_t)(part % subtotal);
			given += share[i];
		}
		for (; given < discount; given++) { /* a unit each to the largest remainders */
			int best = 0;
			for (int i = 1; i < c->line_count; i++)
				if (rem[i] > rem[best])
					best = i;
			share[best]++;
			rem[best] = -1;
		}
	}
	for (int i = 0; i < c->line_count; i++) {
		int64_t taxable = amount[i] - share[i];
		taxes[i] = half_up(taxable, p->tax_rate_bp, 10000);
		totals[i] = taxable + taxes[i];
	}
}

const char *sim_coupon_refusal(const sim_model *m, const sim_checkout *c)
{
	if (c->coupon == 0)
		return NULL;
	const sim_coupon *k = &m->coupons[c->coupon - 1];
	if (k->expires_at && m->now >= k->expires_at)
		return "coupon_expired";
	if ((k->max_redemptions && k->redemptions >= k->max_redemptions) ||
	    (k->max_per_account && k->account_redemptions[c->account] >= k->max_per_account))
		return "coupon_exhausted";
	return NULL;
}

void sim_coupon_redeem(sim_model *m, const sim_checkout *c)
{
	if (c->coupon == 0)
		return;
	sim_coupon *k = &m->coupons[c->coupon - 1];
	k->redemptions++;
	k->account_redemptions[c->account]++;
}
