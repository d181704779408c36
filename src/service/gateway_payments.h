/*
 * gateway_payments.h: paying a checkout through a redirect gateway.
 *
 *   start   the customer asks to pay by gateway: tally names a gateway
 *           transaction ("gtx_...") and answers the gateway's signed payment
 *           page URL. Nothing that moves money is recorded.
 *   apply   the gateway's notification arrives: in the caller's one write
 *           transaction, the money arrives as a top-up from gateway clearing
 *           and then pays the checkout from credit, so the books show both;
 *           a cancelled or failed payment is recorded and changes nothing
 *           else (the checkout stays open until it expires).
 *
 * Each gateway transaction is applied at most once: its record is a
 * "gateway_txn" document keyed by the gateway's transaction id.
 */
#ifndef TL_GATEWAY_PAYMENTS_H
#define TL_GATEWAY_PAYMENTS_H

#include <jansson.h>
#include "gateway/gateway.h"
#include "service/context.h"
#include "store/store.h"

typedef struct tl_gateway_started {
	char txn_id[TL_ID_MAX];
	char redirect_url[TL_GATEWAY_URL_MAX];
} tl_gateway_started;

/* The checkout must be visible to ctx, open, settled prepaid and not free. */
int tl_gateway_payments_start(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			      const tl_gateway_config *cfg, const char *checkout_id,
			      tl_gateway_started *out, tl_error *err);

typedef struct tl_gateway_applied {
	const char *status;   /* "paid", "cancelled", "failed" or "already_applied" */
	tl_gateway_notice notice;
	char recorded_result[12];   /* already_applied: what was recorded first */
	char payment_id[TL_ID_MAX]; /* paid (or already applied and paid) */
	json_t *invoice_ids;        /* paid: owned by the caller */
} tl_gateway_applied;

/* Applies a notification, checking in this order: the signature (401
 * invalid_signature), its form (400), whether its transaction was applied
 * already (success, "already_applied", no change, however late the retry),
 * its time (422 stale_notification), the checkout (404 checkout_not_found), the amount and currency
 * (422 amount_mismatch, currency_mismatch), the checkout is open (409
 * checkout_not_open, checkout_expired). Any failure changes nothing. */
int tl_gateway_payments_apply(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			      const tl_gateway_config *cfg, const tl_gateway_params *params,
			      tl_gateway_applied *out, tl_error *err);

#endif
