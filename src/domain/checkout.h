/*
 * checkout.h: an order and its lifecycle. A checkout lists one line per
 * resource (to be bought, or converted by Stop POC: the two kinds share
 * everything but their origin), the term, auto-renew, a coupon, and the
 * price of it all. The prices, cycle discounts and tax rate in force when it
 * is created are copied into it, so it keeps its price while it is open.
 *
 * Kinds: purchase (new resources), conversion (Stop POC converts POC
 * resources), renewal (a prepaid term continued), recovery (a suspended
 * prepaid resource given a new term from now).
 *
 * States and transitions. Every change of status goes through
 * tl_checkout_transition (below); the use cases that call it are in
 * service/checkout.c and service/checkout_pay.c (service/checkout.h):
 *
 *                      change (term, auto-renew, coupon; re-priced)
 *                         +--+
 *                         |  v
 *   create ----------->  open --- pay (credit or hold) ---------> paid
 *                         |  |
 *                         |  +--- cancel, or a resource of it ---> cancelled
 *                         |       is deleted before expires_at
 *                         |
 *                         +------ clock reaches expires_at, or ---> expired
 *                                 a resource of it is deleted after
 *
 *   paid, cancelled and expired are final: every event on them is 409
 *   checkout_not_open. Paying or changing at or after expires_at is 409
 *   checkout_expired even while the sweep has not yet expired it.
 *
 *   | from  | event                        | to        | done by (service/checkout.h)     |
 *   |-------|------------------------------|-----------|----------------------------------|
 *   | -     | POST /v1/checkouts           | open      | tl_checkouts_create_purchase     |
 *   | -     | Stop POC (stop_poc.c)        | open      | tl_checkouts_create_conversion   |
 *   | -     | renew (h_renew.c, renewals.c)| open      | tl_checkouts_create_renewal      |
 *   | open  | change term/auto-renew/coupon| open      | tl_checkouts_change              |
 *   | open  | pay from credit (or gateway) | paid      | tl_checkouts_pay_credit          |
 *   | open  | pay by hold                  | paid      | tl_checkouts_pay_hold            |
 *   | open  | cancel                       | cancelled | tl_checkouts_cancel              |
 *   | open  | resource deleted, in time    | cancelled | tl_checkouts_cancel_for_deletion |
 *   | open  | resource deleted, past time  | expired   | tl_checkouts_cancel_for_deletion |
 *   | open  | clock reaches expires_at     | expired   | tl_checkouts_expire_due (jobs.c) |
 *
 * Invariants (tl_checkout_assert_valid, checked on every save: a checkout
 * that breaks one is never stored):
 *   1. Its status is one of open, paid, cancelled, expired and its kind one
 *      of purchase, conversion, renewal, recovery.
 *   2. Its totals are the sums of its lines, and total = subtotal -
 *      discount + tax (pricing.h).
 *   3. No amount is negative: no line figure, no total, no hold amount;
 *      and only a hold-settled checkout has a hold amount.
 *   4. A paid checkout has a payment id; nothing else does. Only a paid
 *      one has a paid_at, and it is before expires_at.
 *   5. A coupon is a code and an id together, or neither.
 *   6. It has at most TL_PRICING_LINES_MAX lines and a term (cycle_months
 *      of at least 1).
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

/* The one change of status: open -> to ("paid", "cancelled", "expired");
 * 409 checkout_not_open from any other state; to anything but expired at
 * or after expires_at is 409 checkout_expired. Paid sets paid_at. */
int tl_checkout_transition(tl_checkout *c, const char *to, int64_t now, tl_error *err);

/* The invariants above; 0 when they all hold, else the number (1-6) of
 * the first one broken. */
int tl_checkout_assert_valid(const tl_checkout *c);

/* The API's form (checkout_json.c), the only place it is made. The store
 * keeps the checkout's columns and lines, not this. */
json_t *tl_checkout_to_json(const tl_checkout *c);

#endif
