/*
 * money.h: exact money. An amount is an int64_t count of the currency's minor
 * units (đồng for VND, cents for USD); nothing here touches floating point.
 * Every operation is checked: on overflow it returns TL_EINVALID and leaves
 * *out alone, so no caller ever sees a wrapped amount.
 *
 * Rounding (the one rule, used everywhere a division happens): round half
 * away from zero to the nearest minor unit. For the non-negative amounts
 * billing deals in this is "half up": 0.5 đồng becomes 1 đồng.
 */
#ifndef TL_MONEY_H
#define TL_MONEY_H

#include <stddef.h>
#include <stdint.h>
#include "domain/currency.h"

/* Basis points: 10,000 bp = 100%. */
#define TL_BP_ONE 10000

int tl_money_add(int64_t a, int64_t b, int64_t *out);
int tl_money_sub(int64_t a, int64_t b, int64_t *out);
int tl_money_mul(int64_t amount, int64_t factor, int64_t *out);

/* amount * numerator / denominator, rounded by the rule above; the product
 * is computed in 128 bits, so only the result must fit. denominator > 0. */
int tl_money_mul_div(int64_t amount, int64_t numerator, int64_t denominator, int64_t *out);

/* amount * bp / 10,000, rounded by the rule above (a discount, a tax). */
int tl_money_percent_bp(int64_t amount, int64_t bp, int64_t *out);

/* Writes a decimal text of amount in the currency's units ("1250000" for
 * VND, "12.50" for USD). out_size >= 32 always suffices. */
void tl_money_format(int64_t amount, const tl_currency *cur, char *out, size_t out_size);

/* Parses the same decimal text (an optional '-', digits, and at most the
 * currency's minor digits after a '.') into minor units. */
int tl_money_parse(const char *text, const tl_currency *cur, int64_t *out);

#endif
