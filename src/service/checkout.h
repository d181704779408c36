/*
 * checkout.h: use cases of checkouts: create a purchase, read, change the
 * term, auto-renew or coupon (re-priced), cancel, pay, and expire by the
 * clock. Paying moves the money, creates (or, for a conversion, converts)
 * the resources, issues one invoice per resource and records the payment,
 * all in the caller's one transaction.
 *
 * The lifecycle these functions drive (diagram, invariants: domain/checkout.h):
 *
 *   create_purchase / create_conversion / create_renewal  ->  open
 *   open --change------------------------------------------>  open
 *   open --pay_credit (prepaid) | pay_hold (hold)---------->  paid
 *   open --cancel | cancel_for_deletion (before expiry)---->  cancelled
 *   open --expire_due | cancel_for_deletion (after)-------->  expired
 *
 * Every save checks tl_checkout_assert_valid first and refuses (500
 * checkout_invalid, the transaction undone) a checkout that breaks one.
 * Checkouts are stored in the checkouts and checkout_lines tables.
 */
#ifndef TL_SERVICE_CHECKOUT_H
#define TL_SERVICE_CHECKOUT_H

#include "domain/catalog.h"
#include "domain/checkout.h"
#include "domain/resource.h"
#include "service/context.h"
#include "store/store.h"

/* How long an unpaid checkout stays open (DESIGN.md: 30 minutes). */
#define TL_CHECKOUT_TTL_S (30 * 60)

typedef struct tl_checkout_request {
	const char *account_id;   /* the account buying */
	const json_t *items;      /* [{type, name, spec}] (purchase) */
	int cycle_months;
	bool auto_renew;
	const char *coupon;       /* NULL: none */
	int64_t ttl_s;
} tl_checkout_request;

/* Creates an open purchase checkout. out must be released with
 * tl_checkout_release. */
int tl_checkouts_create_purchase(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
				 const tl_checkout_request *req, tl_checkout *out, tl_error *err);

/* Creates the conversion checkout of a Stop POC plan (origin: the resource
 * Stop POC was asked on) and marks its resources as in it. Hold-settled
 * plans are priced by the month, pay a hold and take no coupon. */
int tl_checkouts_create_conversion(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
				   const tl_checkout_request *req, const tl_stop_poc_plan *plan,
				   const char *origin_id, tl_checkout *out, tl_error *err);

/* A renewal of a prepaid resource's term (kind "renewal"), or, when it is
 * suspended after its term, its recovery with a new term from now (kind
 * "recovery"); at the catalog's price now, with no coupon. */
int tl_checkouts_create_renewal(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
				const char *resource_id, int cycle_months, int64_t ttl_s,
				tl_checkout *out, tl_error *err);

int tl_checkouts_get(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_checkout *out,
		     tl_error *err);

typedef struct tl_checkout_change {
	int cycle_months;    /* 0: unchanged */
	int auto_renew;      /* -1: unchanged */
	bool coupon_given;   /* change the coupon: */
	const char *coupon;  /* NULL or "" removes it */
} tl_checkout_change;

int tl_checkouts_change(tl_tx *tx, const tl_ctx *ctx, const char *id,
			const tl_checkout_change *change, tl_checkout *out, tl_error *err);

int tl_checkouts_cancel(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_checkout *out,
			tl_error *err);

/* A resource of open checkout checkout_id is being deleted: the checkout is
 * cancelled (expired, when its time has come) and every resource it marked
 * is freed, with a checkout.cancelled event naming the resource. A checkout
 * no longer open is left alone. */
int tl_checkouts_cancel_for_deletion(tl_tx *tx, const tl_ctx *ctx, const char *checkout_id,
				     const char *resource_id, tl_error *err);

/* 409 resource_deleted when a resource the checkout converts, renews or
 * recovers is deleted, 409 checkout_not_payable when one is no longer in
 * the state the checkout assumed (not marked with it, no longer POC for a
 * conversion, ...). A purchase, or a checkout already paid, passes. */
int tl_checkouts_check_payable(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			       tl_error *err);

typedef struct tl_payment_result {
	char payment_id[TL_ID_MAX];
	json_t *invoice_ids; /* owned by the caller after the call */
} tl_payment_result;

/* Pays an open checkout from the account's credit. method names how the
 * money came for the payment history: "credit", or "gateway" when a gateway
 * payment has just topped the wallet up. */
int tl_checkouts_pay_credit(tl_tx *tx, const tl_ctx *ctx, const char *id, const char *method,
			    tl_payment_result *out, tl_error *err);

/* Pays a hold-settled checkout with a hold of its hold_amount on the
 * credit wallet; hold_id receives the hold's id (TL_TRANSFER_ID_MAX). */
int tl_checkouts_pay_hold(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_payment_result *out,
			  char *hold_id, tl_error *err);

/* How long a conversion's hold lives: until past the month's
 * reconciliation, which replaces it. */
#define TL_HOLD_LIFETIME_S (35 * 86400)

/* Expires up to `max` open checkouts whose time has come. */
int tl_checkouts_expire_due(tl_tx *tx, const tl_ctx *ctx, size_t max, size_t *expired,
			    tl_error *err);

#endif
