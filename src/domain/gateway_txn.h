/*
 * gateway_txn.h: a payment tallyd sent a customer to make on a redirect
 * gateway (a checkout's payment or a top-up of credit), from the moment it
 * was started until the gateway's notification was applied. Pure: the
 * record and its JSON form (the body of its audit events). Its life is
 * service/gateway_payments.c's:
 *
 *   started --paid, the checkout takes it-----> applied
 *   started --paid, the checkout cannot-------> kept_as_credit (reason)
 *   started --cancelled / failed--------------> cancelled / failed
 *
 * Invariants of a saved record:
 *   1. txn_id is unique: one record per gateway transaction.
 *   2. amount > 0, in currency.
 *   3. purpose "top_up" has no checkout_id; purpose "checkout" has one.
 *   4. status "started" has no result and notified_at 0; any other status
 *      has a result and notified_at.
 */
#ifndef TL_GATEWAY_TXN_H
#define TL_GATEWAY_TXN_H

#include <jansson.h>
#include <stdint.h>
#include "common/err.h"
#include "common/limits.h"

/* A gateway's transaction id or its own reference, with the NUL (as
 * TL_GATEWAY_TXN_MAX in gateway/gateway.h). */
#define TL_GATEWAY_TXN_REF_MAX 64u

typedef struct tl_gateway_txn {
	char id[TL_ID_MAX];                          /* "gwt_..." */
	char gateway[16];                            /* "sandbox", "vnpay" */
	char txn_id[TL_GATEWAY_TXN_REF_MAX];         /* "gtx_...", unique */
	char purpose[16];                            /* "checkout" or "top_up" */
	char checkout_id[TL_ID_MAX];                 /* "" for a top-up */
	char account_id[TL_ID_MAX];
	int64_t amount;                              /* minor units, > 0 */
	char currency[4];
	char status[16]; /* started, applied, kept_as_credit, cancelled, failed */
	char result[12]; /* "" while started; paid, cancelled, failed */
	char top_up_transfer_id[65];  /* paid: the money's arrival (TL_TRANSFER_ID_MAX) */
	char payment_id[TL_ID_MAX];                  /* applied to a checkout */
	char gateway_ref[TL_GATEWAY_TXN_REF_MAX];    /* the gateway's reference, or "" */
	char bank_code[24];                          /* the customer's bank, or "" */
	char reason[48];                             /* kept_as_credit: why */
	char reason_message[TL_ERROR_MESSAGE_MAX];   /* kept_as_credit: in words */
	int64_t notified_at;                         /* 0 while started */
	int64_t created_at, updated_at;
} tl_gateway_txn;

/* Whether t may be saved (the invariants above): TL_EINTERNAL
 * "invalid_gateway_txn" naming the broken one. */
int tl_gateway_txn_assert_valid(const tl_gateway_txn *t, tl_error *err);

/* The record as JSON: id, gateway, txn_id, purpose (top-ups only),
 * checkout_id, account_id, amount, currency, status, created_at (text),
 * then what the notification added, each only when set: result,
 * top_up_transfer_id, notified_at, gateway_ref, bank_code, payment_id,
 * reason and reason_message. NULL when out of memory. */
json_t *tl_gateway_txn_to_json(const tl_gateway_txn *t);

#endif
