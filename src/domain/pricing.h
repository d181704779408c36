/*
 * pricing.h: what a checkout costs, to the last minor unit. Pure: no I/O, no
 * floating point, every product and sum overflow-checked.
 *
 * The rules, in order (DESIGN.md "Money flows"):
 *   1. gross      = unit price x quantity x cycle months          (per line)
 *   2. cycle discount = gross x cycle discount_bp / 10,000, rounded (per line)
 *      amount     = gross - cycle discount
 *   3. subtotal   = sum of amounts. The coupon takes percent_off of the
 *      subtotal (rounded), or amount_off, never more than the subtotal; it is
 *      spread over the lines in proportion to their amounts by the largest
 *      remainder method, so the parts add up to the coupon exactly.
 *   4. taxable    = amount - coupon share; tax = taxable x tax_rate_bp /
 *      10,000, rounded, per line (each line becomes one invoice, and tax is
 *      rounded once per invoice).
 *   5. line total = taxable + tax; checkout total = sum of line totals, so
 *      the checkout and its invoices agree exactly.
 * Rounding everywhere: half away from zero (money.h), i.e. half up.
 *
 * Usage (postpaid use, holds, POC accrual): minutes x monthly unit price x
 * quantity x (1 - discount) / 43,200 (a 30-day month), rounded once.
 */
#ifndef TL_PRICING_H
#define TL_PRICING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/limits.h"

#define TL_MINUTES_PER_MONTH 43200 /* a 30-day month, the usage rule's unit */
#define TL_PRICING_LINES_MAX TL_CHECKOUT_LINES_MAX

typedef struct tl_price_line {
	/* in: */
	int64_t unit_price; /* monthly price of one unit (a month, or a GB-month) */
	int64_t quantity;   /* units: 1, or GB */
	/* out: */
	int64_t gross;
	int64_t cycle_discount;
	int64_t amount;          /* gross - cycle_discount */
	int64_t coupon_discount; /* this line's share of the coupon */
	int64_t taxable;         /* amount - coupon_discount */
	int64_t tax;
	int64_t total;           /* taxable + tax */
} tl_price_line;

typedef struct tl_price_terms {
	int cycle_months;           /* 1 .. 36 */
	int64_t cycle_discount_bp;  /* 0 .. 9999 */
	int64_t tax_rate_bp;        /* 0 .. 10000 */
	/* the coupon, if any: exactly one of these is non-zero */
	int64_t coupon_percent_bp;  /* 1 .. 10000 */
	int64_t coupon_amount_off;  /* minor units, > 0 */
} tl_price_terms;

typedef struct tl_price_totals {
	int64_t gross;
	int64_t cycle_discount;
	int64_t subtotal;   /* sum of amounts: after the cycle discount */
	int64_t discount;   /* the coupon, as applied */
	int64_t tax;
	int64_t total;
} tl_price_totals;

/* Prices lines[0..count) under terms. TL_EINVALID on bad terms or inputs
 * (negative price or quantity, count 0 or over TL_PRICING_LINES_MAX), and
 * on any overflow; nothing is half-filled then but the lines' outputs,
 * which the caller must not use. */
int tl_pricing_price(tl_price_line *lines, size_t count, const tl_price_terms *terms,
		     tl_price_totals *out);

/* Splits total over weights in proportion, by the largest remainder method:
 * parts[i] = floor(total x w_i / W), then the leftover units go one each to
 * the largest remainders (ties: the earlier line). sum(parts) == total.
 * Weights are >= 0; all zero weights give all zero parts (total must be 0). */
int tl_pricing_spread(int64_t total, const int64_t *weights, size_t count, int64_t *parts);

/* The usage rule above. discount_bp 0 .. 9999. */
int tl_pricing_usage_cost(int64_t minutes, int64_t unit_price, int64_t quantity,
			  int64_t discount_bp, int64_t *out);

/* What a hold reserves for lines billed on use: `days` days of use of each
 * line, plus its tax (per line, as the monthly invoices will charge it). */
int tl_pricing_hold_amount(const tl_price_line *lines, size_t count, int days,
			   int64_t tax_rate_bp, int64_t *out);

#endif
