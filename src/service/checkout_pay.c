/*
 * checkout_pay.c: paying a checkout from credit. Everything happens in the
 * caller's one transaction, in this order, and any failure undoes it all:
 *   1. the checkout must be open and unexpired (it becomes paid);
 *   2. its coupon must still apply, and is redeemed (limits are counted in
 *      this transaction, which the store runs alone: never over a limit);
 *   3. the credit wallet must hold the total (else 422 insufficient_credit
 *      with the shortfall, before anything moves);
 *   4. per line: the money moves (wallet -> revenue, wallet -> tax payable),
 *      the resource is created prepaid with its term, the invoice is
 *      numbered and issued;
 *   5. the payment is recorded, and the checkout points at it.
 */
#include "service/checkout.h"
#include "service/audit.h"
#include "service/billing_docs.h"
#include "service/checkout_internal.h"
#include "service/coupons.h"
#include "service/ledger.h"
#include "service/resources.h"
#include "common/ids.h"
#include "common/timefmt.h"
#include "domain/invoice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int redeem_coupon(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c, tl_error *err)
{
	if (c->coupon_id[0] == '\0')
		return 0;
	tl_coupon coupon;
	int rc = tl_coupons_get(tx, c->coupon_id, &coupon, err);
	rc = rc ? rc : tl_checkouts_check_coupon(tx, c, &coupon, ctx->now, err);
	return rc ? rc : tl_coupons_redeem(tx, ctx, &coupon, c->account_id, c->id, err);
}

static int check_funds(tl_tx *tx, const tl_checkout *c, tl_error *err)
{
	char wallet_id[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet_id, c->account_id);
	tl_ledger_account wallet;
	int rc = tl_store_ledger_account_get(tx, wallet_id, &wallet, err);
	if (rc < 0)
		return rc;
	int64_t available = tl_ledger_available(&wallet);
	if (available >= c->totals.total)
		return 0;
	tl_error_set(err, TL_EFUNDS, "insufficient_credit",
		     "the credit wallet has %lld %s available; the checkout costs %lld, %lld short",
		     (long long)available, c->currency, (long long)c->totals.total,
		     (long long)(c->totals.total - available));
	tl_error_details(err, json_pack("{s:I, s:I, s:I, s:s}", "total", (json_int_t)c->totals.total,
					"available", (json_int_t)available, "shortfall",
					(json_int_t)(c->totals.total - available), "currency",
					c->currency));
	return TL_EFUNDS;
}

/* Moves one line's money; fills transfer_ids. */
static int charge_line(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
		       const tl_checkout_line *l, const char *payment_id, json_t *transfer_ids,
		       tl_error *err)
{
	tl_transfer t[2];
	size_t n = 0;
	const int64_t amounts[2] = {l->price.taxable, l->price.tax};
	const char *const kinds[2] = {"revenue", "tax_payable"};
	for (int i = 0; i < 2; i++) {
		if (amounts[i] == 0)
			continue; /* a 100% coupon or a 0% tax moves nothing */
		t[n] = (tl_transfer){.kind = TL_TRANSFER_SINGLE, .amount = amounts[i]};
		tl_ledger_credit_wallet_id(t[n].debit_account, c->account_id);
		tl_ledger_system_account_id(t[n].credit_account, kinds[i], c->currency);
		snprintf(t[n].code, sizeof(t[n].code), "%s", i == 0 ? "purchase" : "purchase_tax");
		snprintf(t[n].reference, sizeof(t[n].reference), "%s %s", payment_id,
			 l->resource_id);
		n++;
	}
	if (n == 0)
		return 0;
	int rc = tl_ledger_move(tx, ctx, t, n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		json_array_append_new(transfer_ids, json_string(t[i].id));
	return rc;
}

static int issue_invoice(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			 const tl_checkout_line *l, const char *payment_id, json_t *transfer_ids,
			 int64_t term_end, char *invoice_id, tl_error *err)
{
	char counter[32], number[TL_INVOICE_NUMBER_MAX];
	int year = tl_invoice_year(ctx->now);
	snprintf(counter, sizeof(counter), "invoice:%d", year);
	int64_t sequence;
	int rc = tl_store_counter_next(tx, counter, &sequence, err);
	if (rc < 0)
		return rc;
	tl_invoice_number(number, year, sequence);
	tl_id_new(invoice_id, TL_ID_MAX, "inv");
	tl_invoice_source src = {.checkout = c, .line = l, .id = invoice_id, .number = number,
				 .kind = c->kind, .payment_id = payment_id,
				 .transfer_ids = transfer_ids, .period_start = ctx->now,
				 .period_end = term_end, .issued_at = ctx->now};
	json_t *invoice = tl_invoice_build(&src);
	rc = tl_billing_insert(tx, "invoice", invoice_id, c->account_id, number, l->resource_id,
			       invoice, ctx->now, err);
	if (rc == 0)
		return tl_audit_record(tx, ctx, "invoice.issued", c->account_id, invoice_id, NULL,
				       invoice, err);
	json_decref(invoice);
	return rc;
}

static int settle_line(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
		       const tl_checkout_line *l, const char *payment_id, json_t *invoice_ids,
		       tl_error *err)
{
	json_t *transfer_ids = json_array();
	int64_t term_end = tl_time_add_months(ctx->now, c->cycle_months);
	char invoice_id[TL_ID_MAX];
	int rc = charge_line(tx, ctx, c, l, payment_id, transfer_ids, err);
	rc = rc ? rc : tl_resources_create_prepaid(tx, ctx, c, l, ctx->now, term_end, err);
	rc = rc ? rc : issue_invoice(tx, ctx, c, l, payment_id, transfer_ids, term_end,
				     invoice_id, err);
	if (rc == 0)
		json_array_append_new(invoice_ids, json_string(invoice_id));
	json_decref(transfer_ids);
	return rc;
}

static int record_payment(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			  const char *payment_id, json_t *invoice_ids, tl_error *err)
{
	char created[TL_TIME_STR_MAX];
	tl_time_format(ctx->now, created);
	json_t *payment = json_pack("{s:s, s:s, s:s, s:I, s:s, s:O, s:s, s:s, s:s}", "id",
				    payment_id, "account_id", c->account_id, "method", "credit",
				    "amount", (json_int_t)c->totals.total, "currency", c->currency,
				    "invoice_ids", invoice_ids, "checkout_id", c->id, "status",
				    "succeeded", "created_at", created);
	int rc = tl_billing_insert(tx, "payment", payment_id, c->account_id, NULL, c->id, payment,
				   ctx->now, err);
	if (rc == 0)
		return tl_audit_record(tx, ctx, "payment.succeeded", c->account_id, payment_id, NULL,
				       payment, err);
	json_decref(payment);
	return rc;
}

static int pay(tl_tx *tx, const tl_ctx *ctx, tl_checkout *c, tl_payment_result *out,
	       tl_error *err)
{
	if (c->settlement != TL_SETTLE_PREPAID)
		return tl_error_set(err, TL_ERULE, "payment_method_not_allowed",
				    "this checkout settles by hold: pay it with method hold");
	int rc = tl_checkout_transition(c, "paid", ctx->now, err);
	rc = rc ? rc : redeem_coupon(tx, ctx, c, err);
	rc = rc ? rc : check_funds(tx, c, err);
	if (rc < 0)
		return rc;
	tl_id_new(out->payment_id, sizeof(out->payment_id), "pay");
	out->invoice_ids = json_array();
	for (size_t i = 0; rc == 0 && i < c->line_count; i++)
		rc = settle_line(tx, ctx, c, &c->lines[i], out->payment_id, out->invoice_ids, err);
	rc = rc ? rc : record_payment(tx, ctx, c, out->payment_id, out->invoice_ids, err);
	snprintf(c->payment_id, sizeof(c->payment_id), "%s", out->payment_id);
	rc = rc ? rc : tl_checkouts_save(tx, c, false, ctx->now, err);
	if (rc == 0 && tl_checkout_assert_valid(c) != 0)
		rc = tl_error_set(err, TL_EINTERNAL, "checkout_invalid",
				  "checkout %s broke an invariant; nothing was paid", c->id);
	if (rc == 0)
		rc = tl_audit_record(tx, ctx, "checkout.paid", c->account_id, c->id,
				     json_pack("{s:s}", "status", "open"),
				     json_pack("{s:s, s:s}", "status", "paid", "payment_id",
					       c->payment_id), err);
	return rc;
}

int tl_checkouts_pay_credit(tl_tx *tx, const tl_ctx *ctx, const char *id,
			    tl_payment_result *out, tl_error *err)
{
	tl_checkout *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	out->invoice_ids = NULL;
	int rc = tl_checkouts_get(tx, ctx, id, c, err);
	if (rc == 0) {
		rc = pay(tx, ctx, c, out, err);
		tl_checkout_release(c);
	}
	if (rc < 0) {
		json_decref(out->invoice_ids);
		out->invoice_ids = NULL;
	}
	free(c);
	return rc;
}
