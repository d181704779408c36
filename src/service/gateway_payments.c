/*
 * gateway_payments.c: starting a gateway payment and applying the
 * gateway's notification (rules in gateway_payments.h).
 *
 * A gateway transaction's life, as its "gateway_txn" document records it:
 *
 *   (none) --notification result=paid-------> applied    (money moved, checkout paid)
 *   (none) --notification result=cancelled--> cancelled  (nothing else changes)
 *   (none) --notification result=failed-----> failed     (nothing else changes)
 *   any recorded --any notification---------> unchanged  (answered already_applied)
 *
 * Invariants:
 *   1. One document per gateway transaction id (the documents table's
 *      unique (kind, key)); it is written in the same transaction as the
 *      money it moved, so it exists exactly when the money moved.
 *   2. A paid notification moves exactly the checkout's total, once:
 *      sys_gateway_clearing_<cur> -> the credit wallet (gateway_top_up),
 *      then wallet -> revenue and tax payable by the credit payment. If
 *      the payment fails the top-up is undone with it (the caller's
 *      savepoint), so no money stays behind.
 */
#include "service/gateway_payments.h"
#include "service/audit.h"
#include "service/billing_docs.h"
#include "service/checkout.h"
#include "service/ledger.h"
#include "common/ids.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- start --------------------------------------------------------------- */

static int check_payable(const tl_checkout *c, int64_t now, tl_error *err)
{
	int rc = tl_checkout_check_open(c, now, err);
	if (rc < 0)
		return rc;
	if (c->settlement != TL_SETTLE_PREPAID)
		return tl_error_set(err, TL_ERULE, "method_not_allowed",
				    "this checkout settles by hold: pay it with method hold");
	if (c->totals.total <= 0)
		return tl_error_set(err, TL_ERULE, "nothing_to_pay",
				    "checkout %s costs nothing: pay it by credit", c->id);
	return 0;
}

static int start_on_gateway(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			    const tl_gateway_config *cfg, const tl_checkout *c,
			    tl_gateway_started *out, tl_error *err)
{
	char return_url[TL_GATEWAY_VALUE_MAX];
	int n = snprintf(return_url, sizeof(return_url), "%s/?checkout_id=%s", cfg->public_url,
			 c->id);
	if (n < 0 || (size_t)n >= sizeof(return_url))
		return tl_error_set(err, TL_EINTERNAL, NULL, "the public URL is too long");
	tl_id_new(out->txn_id, sizeof(out->txn_id), "gtx");
	tl_gateway_payment p = {.txn_id = out->txn_id, .checkout_id = c->id,
				.amount = c->totals.total, .currency = c->currency,
				.return_url = return_url, .now = ctx->now};
	int rc = gw->start(cfg, &p, out->redirect_url, sizeof(out->redirect_url), err);
	if (rc < 0)
		return rc;
	return tl_audit_record(tx, ctx, "checkout.gateway_payment_started", c->account_id, c->id,
			       NULL,
			       json_pack("{s:s, s:s, s:I, s:s}", "gateway", gw->name, "txn_id",
					 out->txn_id, "amount", (json_int_t)c->totals.total,
					 "currency", c->currency),
			       err);
}

int tl_gateway_payments_start(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			      const tl_gateway_config *cfg, const char *checkout_id,
			      tl_gateway_started *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	tl_checkout *c = calloc(1, sizeof(*c)); /* large: lines */
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_checkouts_get(tx, ctx, checkout_id, c, err);
	if (rc == 0) {
		rc = tl_checkouts_check_payable(tx, ctx, c, err);
		rc = rc ? rc : check_payable(c, ctx->now, err);
		rc = rc ? rc : start_on_gateway(tx, ctx, gw, cfg, c, out, err);
		tl_checkout_release(c);
	}
	free(c);
	return rc;
}

/* ---- apply ------------------------------------------------------------------ */

/* 1 (and out filled) when the transaction was recorded already, else 0. */
static int find_recorded(tl_tx *tx, tl_gateway_applied *out, tl_error *err)
{
	tl_doc d = {0};
	tl_error lookup = {0};
	int rc = tl_store_doc_get_by_key(tx, "gateway_txn", out->notice.txn_id, &d, &lookup);
	if (rc == TL_ENOTFOUND) {
		tl_error_clear(&lookup);
		return 0;
	}
	if (rc < 0) {
		tl_error_set(err, lookup.err, lookup.code, "%s", lookup.message);
		tl_error_clear(&lookup);
		return rc;
	}
	json_t *body = json_loads(d.body, 0, NULL);
	const char *result = json_string_value(json_object_get(body, "result"));
	const char *payment = json_string_value(json_object_get(body, "payment_id"));
	snprintf(out->recorded_result, sizeof(out->recorded_result), "%s", result ? result : "");
	snprintf(out->payment_id, sizeof(out->payment_id), "%s", payment ? payment : "");
	json_decref(body);
	tl_doc_free(&d);
	out->status = "already_applied";
	return 1;
}

static int check_amount(const tl_checkout *c, const tl_gateway_notice *n, tl_error *err)
{
	if (strcmp(c->currency, n->currency) != 0) {
		tl_error_set(err, TL_ERULE, "currency_mismatch",
			     "checkout %s is in %s, the notification in %s", c->id, c->currency,
			     n->currency);
		tl_error_details(err, json_pack("{s:s, s:s}", "expected", c->currency, "got",
						n->currency));
		return TL_ERULE;
	}
	if (c->totals.total == n->amount)
		return 0;
	tl_error_set(err, TL_ERULE, "amount_mismatch",
		     "checkout %s costs %lld %s; the notification says %lld", c->id,
		     (long long)c->totals.total, c->currency, (long long)n->amount);
	tl_error_details(err, json_pack("{s:I, s:I, s:s}", "expected", (json_int_t)c->totals.total,
					"got", (json_int_t)n->amount, "currency", c->currency));
	return TL_ERULE;
}

/* The money arrives: gateway clearing -> the account's credit wallet. */
static int top_up(tl_tx *tx, const tl_ctx *ctx, const char *gateway, const tl_checkout *c,
		  const tl_gateway_notice *n, tl_transfer *t, tl_error *err)
{
	memset(t, 0, sizeof(*t));
	t->kind = TL_TRANSFER_SINGLE;
	t->amount = n->amount;
	tl_ledger_system_account_id(t->debit_account, "gateway_clearing", c->currency);
	tl_ledger_credit_wallet_id(t->credit_account, c->account_id);
	snprintf(t->code, sizeof(t->code), "gateway_top_up");
	snprintf(t->reference, sizeof(t->reference), "%s %s %s", gateway, n->txn_id, c->id);
	return tl_ledger_move(tx, ctx, t, 1, err);
}

/* Records the transaction (once: the key is unique) and its audit event. */
static int record_txn(tl_tx *tx, const tl_ctx *ctx, const char *gateway,
		      const tl_checkout *c, const tl_gateway_applied *a,
		      const char *top_up_id, tl_error *err)
{
	char id[TL_ID_MAX], at[TL_TIME_STR_MAX];
	tl_id_new(id, sizeof(id), "gwt");
	tl_time_format(ctx->now, at);
	const tl_gateway_notice *n = &a->notice;
	const char *result = tl_gateway_result_name(n->result);
	json_t *body = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s?, s:s}", "id", id,
		"gateway", gateway, "txn_id", n->txn_id, "checkout_id", c->id, "account_id",
		c->account_id, "amount", (json_int_t)n->amount, "currency", n->currency, "result",
		result, "status", n->result == TL_GATEWAY_PAID ? "applied" : result, "payment_id",
		a->payment_id[0] ? a->payment_id : NULL, "top_up_transfer_id", top_up_id,
		"created_at", at);
	if (body == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_billing_insert(tx, "gateway_txn", id, c->account_id, n->txn_id, c->id, body,
				   ctx->now, err);
	if (rc == 0)
		return tl_audit_record(tx, ctx, "gateway.notification_applied", c->account_id, id,
				       NULL, body, err);
	json_decref(body);
	return rc;
}

static int apply_paid(tl_tx *tx, const tl_ctx *ctx, const char *gateway, const tl_checkout *c,
		      tl_gateway_applied *out, tl_error *err)
{
	int rc = tl_checkout_check_open(c, ctx->now, err);
	if (rc < 0)
		return rc;
	/* the payment is the customer's: it acts for the checkout's account */
	tl_principal customer = {.is_admin = false};
	snprintf(customer.account_id, sizeof(customer.account_id), "%s", c->account_id);
	snprintf(customer.actor, sizeof(customer.actor), "%s", ctx->who->actor);
	tl_ctx as_customer = {.who = &customer, .now = ctx->now};
	tl_transfer t;
	tl_payment_result paid = {0};
	rc = top_up(tx, &as_customer, gateway, c, &out->notice, &t, err);
	rc = rc ? rc : tl_checkouts_pay_credit(tx, &as_customer, c->id, "gateway", &paid, err);
	if (rc < 0)
		return rc;
	out->invoice_ids = paid.invoice_ids;
	snprintf(out->payment_id, sizeof(out->payment_id), "%s", paid.payment_id);
	out->status = "paid";
	return record_txn(tx, &as_customer, gateway, c, out, t.id, err);
}

static int apply_to_checkout(tl_tx *tx, const tl_ctx *ctx, const char *gateway,
			     tl_gateway_applied *out, tl_error *err)
{
	tl_checkout *c = calloc(1, sizeof(*c)); /* large: lines */
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_checkouts_get(tx, ctx, out->notice.checkout_id, c, err);
	if (rc == 0) {
		rc = check_amount(c, &out->notice, err);
		if (rc == 0 && out->notice.result == TL_GATEWAY_PAID) {
			rc = apply_paid(tx, ctx, gateway, c, out, err);
		} else if (rc == 0) { /* cancelled or failed: the checkout stays open */
			out->status = tl_gateway_result_name(out->notice.result);
			rc = record_txn(tx, ctx, gateway, c, out, NULL, err);
		}
		tl_checkout_release(c);
	}
	free(c);
	return rc;
}

int tl_gateway_payments_apply(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			      const tl_gateway_config *cfg, const tl_gateway_params *params,
			      tl_gateway_applied *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = gw->verify(cfg, params, &out->notice, err);
	if (rc < 0)
		return rc;
	/* the gateway sees every checkout; the signature is its credential */
	tl_principal gateway = {.is_admin = true};
	snprintf(gateway.actor, sizeof(gateway.actor), "gateway:%s", gw->name);
	tl_ctx as_gateway = {.who = &gateway, .now = ctx->now};
	/* A gateway retries until it is answered: a retry of what was applied
	 * gets its answer however late. Only what is new must be fresh. */
	rc = find_recorded(tx, out, err);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = tl_gateway_check_fresh(out->notice.ts, ctx->now, err);
	if (rc < 0)
		return rc;
	rc = apply_to_checkout(tx, &as_gateway, gw->name, out, err);
	if (rc < 0) {
		json_decref(out->invoice_ids);
		out->invoice_ids = NULL;
		out->status = NULL;
	}
	return rc;
}
