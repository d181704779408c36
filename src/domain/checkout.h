/*
 * checkout.h: an order and its lifecycle. A checkout lists one line per
 * resource (to be bought, or converted by Stop POC: the two kinds share
 * everything but their origin), the term, auto-renew, a coupon, and the
 * price of it all. The prices, cycle discounts and tax rate in force when it
 * is created are copied into it, so it keeps its price while it is open.
 *
 * States and transitions:
 *
 *            +-- pay ------------------> paid
 *   open ----+-- cancel ---------------> cancelled
 *            +-- clock passes expires_at -> expired
 *
 *   | from | event  | to        | done by                          |
 *   |------|--------|-----------|----------------------------------|
 *   | open | pay    | paid      | service/checkout.c tl_checkout_pay |
 *   | open | cancel | cancelled | tl_checkout_cancel                |
 *   | open | expire | expired   | tl_checkout_expire_due (jobs)     |
 *
 * Invariants (tl_checkout_assert_valid):
 *   1. Only an open checkout changes; paid, cancelled and expired are final.
 *   2. Its totals are the sums of its lines, and total = subtotal -
 *      discount + tax (pricing.h).
 *   3. A paid checkout has a payment id; nothing else does.
 *   4. It is never paid after expires_at.
 */
#ifndef TL_CHECKOUT_H
#define TL_CHECKOUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/err.h"
#include "common/limits.h"
#include "domain/catalog.h"
#include "domain/coupon.h"
#include "domain/pricing.h"

typedef struct tl_checkout_line {
	char resource_id[TL_ID_MAX];
	char resource_type[24];
	char resource_name[TL_NAME_MAX + 1];
	char item_id[TL_CATALOG_ID_MAX];
	char item_name[TL_CATALOG_NAME_MAX];
	char service[TL_CATALOG_ID_MAX];
	tl_price_unit unit;
	json_t *spec;   /* the resource's spec (owned) */
	tl_price_line price;
} tl_checkout_line;

typedef struct tl_checkout {
	char id[TL_ID_MAX];
	char account_id[TL_ID_MAX];
	char kind[12];     /* purchase, conversion, renewal, recovery */
	char status[12];   /* open, paid, cancelled, expired */
	char currency[4];
	int cycle_months;
	bool auto_renew;
	/* the coupon as applied: code and value, copied when it was applied */
	char coupon_code[TL_COUPON_CODE_MAX];
	char coupon_id[TL_ID_MAX];
	int64_t coupon_percent_off;
	int64_t coupon_amount_off;
	/* terms in force at creation */
	int64_t tax_rate_bp;
	tl_catalog_cycle cycles[TL_CATALOG_CYCLES_MAX];
	size_t cycle_count;
	tl_settlement settlement;
	int hold_days;
	int64_t hold_amount; /* hold settlement: what payment reserves */
	tl_price_totals totals;
	int64_t created_at, expires_at, paid_at;
	char payment_id[TL_ID_MAX];
	char origin_id[TL_ID_MAX]; /* conversion: the resource Stop POC was asked on */
	size_t line_count;
	tl_checkout_line lines[TL_PRICING_LINES_MAX];
} tl_checkout;

/* Frees the lines' specs (not the checkout itself). */
void tl_checkout_release(tl_checkout *c);

/* Copies the catalog's terms into a new checkout. */
void tl_checkout_take_terms(tl_checkout *c, const tl_catalog *catalog);

/* Sets the coupon (NULL clears it). */
void tl_checkout_set_coupon(tl_checkout *c, const tl_coupon *coupon);

/* Prices every line with the checkout's own terms: TL_ERULE
 * "invalid_cycle" when the catalog had no such term, TL_EINVALID
 * "price_overflow" when a figure would not fit. */
int tl_checkout_price(tl_checkout *c, tl_error *err);

/* 0 when c is open and unexpired at now; else as tl_checkout_transition. */
int tl_checkout_check_open(const tl_checkout *c, int64_t now, tl_error *err);

/* open -> to ("paid", "cancelled", "expired"); 409 checkout_not_open
 * otherwise; paying after expires_at is 409 checkout_expired. */
int tl_checkout_transition(tl_checkout *c, const char *to, int64_t now, tl_error *err);

/* The invariants above; 0 when they hold. */
int tl_checkout_assert_valid(const tl_checkout *c);

/* The API's form (checkout_json.c), the only place it is made. The store
 * keeps the checkout's columns and lines, not this. */
json_t *tl_checkout_to_json(const tl_checkout *c);

#endif
