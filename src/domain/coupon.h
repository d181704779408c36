/*
 * coupon.h: discount codes and the rules for when one applies. A coupon is
 * `percent_off` (1-100) or `amount_off` (minor units of the catalog's
 * currency), optionally limited to a window, a number of redemptions in all
 * and per account, some services, a minimum term, or an account's first
 * purchase. Redemptions are counted when a checkout is paid, inside the
 * payment's transaction, so no limit is exceeded under concurrency.
 */
#ifndef TL_COUPON_H
#define TL_COUPON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/err.h"
#include "common/limits.h"
#include "domain/catalog.h"

#define TL_COUPON_CODE_MAX 33 /* 1-32 of A-Z 0-9 _ - (codes are case-insensitive) */
#define TL_COUPON_SERVICES_MAX 8

typedef struct tl_coupon {
	char id[TL_ID_MAX];
	char code[TL_COUPON_CODE_MAX];
	int64_t percent_off;       /* 1..100, or 0 */
	int64_t amount_off;        /* > 0, or 0 */
	char currency[4];
	int64_t starts_at, expires_at;             /* 0: no bound */
	int64_t max_redemptions, max_per_account;  /* 0: no limit */
	char services[TL_COUPON_SERVICES_MAX][TL_CATALOG_ID_MAX];
	size_t service_count;      /* 0: every service */
	int min_cycle_months;      /* 0: any term */
	bool first_purchase_only;
	bool disabled;
	int64_t redemptions;
	int64_t created_at;
} tl_coupon;

/* Upper-cases a code into out; TL_EINVALID when it is not a valid code. */
int tl_coupon_normalize_code(const char *code, char out[TL_COUPON_CODE_MAX]);

/* Builds a coupon from POST /v1/coupons' body (already type-checked):
 * checks every rule of the fields against the catalog. id and created_at
 * are the caller's. */
int tl_coupon_from_request(const json_t *in, const tl_catalog *catalog, tl_coupon *out,
			   tl_error *err);

/* The API's form, the only place it is made (the store keeps the coupon's
 * columns, not this). */
json_t *tl_coupon_to_json(const tl_coupon *c);

/* What a checkout asks of a coupon. */
typedef struct tl_coupon_use {
	int64_t now;
	int cycle_months;
	const char *currency;
	const char *const *services; /* the services of the checkout's lines */
	size_t service_count;
	int64_t account_redemptions; /* by this account so far */
	bool account_has_purchased;  /* the account has a paid checkout */
} tl_coupon_use;

/* 0 when the coupon applies; otherwise TL_ERULE with the code
 * coupon_expired, coupon_exhausted or coupon_not_applicable and a message
 * saying why. */
int tl_coupon_check(const tl_coupon *c, const tl_coupon_use *use, tl_error *err);

#endif
