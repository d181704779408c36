/*
 * gateway_payments.h: paying a checkout through a redirect gateway.
 *
 *   start   the customer asks to pay by gateway: tally names a gateway
 *           transaction ("gtx_...") and records it (checkout, account,
 *           amount, currency, time) as started, and answers the gateway's
 *           signed payment page URL. No money moves.
 *   apply   the gateway's notification arrives: in the caller's one write
 *           transaction, for a transaction tally started, the money arrives
 *           as a top-up from gateway clearing and then pays the checkout
 *           from credit, so the books show both. If the checkout can no
 *           longer be paid (expired, paid another way, re-priced, ...) the
 *           money stays as the customer's credit: money received is never
 *           refused. A cancelled or failed payment is recorded and changes
 *           nothing else (the checkout stays open until it expires).
 *
 * Each gateway transaction is applied at most once: its record is a row of
 * gateway_transactions (domain/gateway_txn.h), unique by the gateway's
 * transaction id.
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

/* A top-up of the account's credit through the gateway: ctx must be an
 * account (admin: 403 account_required), amount 1 to TL_GATEWAY_TOP_UP_MAX
 * in the currency (VND for VNPay; the adapter refuses others), at most
 * TL_GATEWAY_TOP_UPS_PENDING_MAX still started (429
 * too_many_gateway_payments). Recorded like a checkout's payment with no
 * checkout (purpose top_up); its paid notification moves the money to the
 * credit wallet and nothing else ("topped_up"). */
int tl_gateway_payments_start_top_up(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
				     const tl_gateway_config *cfg, int64_t amount,
				     const char *currency, tl_gateway_started *out,
				     tl_error *err);

typedef struct tl_gateway_applied {
	const char *status; /* "paid", "kept_as_credit", "topped_up", "cancelled",
			     * "failed" or "already_applied" */
	tl_gateway_notice notice;
	char recorded_result[12];   /* already_applied: what was recorded first */
	char recorded_status[16];   /* already_applied: applied, kept_as_credit, ... */
	char reason[48];            /* kept_as_credit: why the checkout did not take it */
	char payment_id[TL_ID_MAX]; /* paid (or already applied and paid) */
	json_t *invoice_ids;        /* paid: owned by the caller */
} tl_gateway_applied;

/* Applies a notification, checking in this order: the signature (401
 * invalid_signature), its form (400), that tallyd started its transaction
 * (404 gateway_txn_not_found), whether it was applied already (success,
 * "already_applied", no change, however late the retry), that it names the
 * checkout, currency and amount tallyd started it with (422
 * checkout_mismatch, currency_mismatch, amount_mismatch). Any failure
 * changes nothing. A paid notification that passes is never refused: it
 * pays the checkout ("paid") or stays as credit ("kept_as_credit", reason:
 * checkout_expired, checkout_paid, checkout_cancelled, checkout_changed or
 * the code of the rule that refused the payment). Its time is not checked:
 * a first delivery is applied however late. */
int tl_gateway_payments_apply(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			      const tl_gateway_config *cfg, const tl_gateway_params *params,
			      tl_gateway_applied *out, tl_error *err);

/* The checkout gateway transaction txn_id was started for, into out
 * (TL_ID_MAX bytes): 404 gateway_txn_not_found when tallyd did not start
 * it. Changes nothing (a gateway's return URL reads it). */
int tl_gateway_payments_checkout_of(tl_tx *tx, const char *txn_id, char *out, tl_error *err);

/* The secret gateway messages are signed with, into out (size bytes):
 * env_secret (TALLY_GATEWAY_SECRET) when set and not empty; otherwise the
 * one the database keeps, generated (256 random bits, as hex) and kept on
 * its first start. Kept, not hashed: HMAC needs the secret itself. It is
 * the same for every tallyd on the database and across restarts, so a
 * payment started before a restart or on another node still checks. */
int tl_gateway_secret_setup(tl_store *store, const char *env_secret, int64_t now, char *out,
			    size_t size, tl_error *err);

#endif
