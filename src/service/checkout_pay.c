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
 *      numbered and issued (service/invoices.h);
 *   5. the payment is recorded, and the checkout points at it.
 */
#include "service/checkout.h"
#include "service/audit.h"
#include "service/checkout_internal.h"
#include "service/holds.h"
#include "service/coupons.h"
#include "service/invoices.h"
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

/* 422 insufficient_credit, with the shortfall, when the account's credit
 * wallet cannot pay `need` now. */
static int check_funds(tl_tx *tx, const tl_checkout *c, int64_t need, tl_error *err)
{
	char wallet_id[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet_id, c->account_id);
	tl_ledger_account wallet;
	int rc = tl_store_ledger_account_get(tx, wallet_id, &wallet, err);
	if (rc < 0)
		return rc;
	int64_t available = tl_ledger_available(&wallet);
	if (available >= need)
		return 0;
	tl_error_set(err, TL_EFUNDS, "insufficient_credit",
		     "the credit wallet has %lld %s available; %lld are needed, %lld short",
		     (long long)available, c->currency, (long long)need,
		     (long long)(need - available));
	tl_error_details(err, json_pack("{s:I, s:I, s:I, s:s}", "total", (json_int_t)need,
					"available", (json_int_t)available, "shortfall",
					(json_int_t)(need - available), "currency", c->currency));
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
		snprintf(t[n].code, sizeof(t[n].code), "%.12s%s", c->kind, i == 0 ? "" : "_tax");
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
			 int64_t term_start, int64_t term_end, char *invoice_id, tl_error *err)
{
	tl_invoice inv;
	tl_invoice_source src = {.checkout = c, .line = l, .kind = c->kind,
				 .payment_id = payment_id, .period_start = term_start,
				 .period_end = term_end, .issued_at = ctx->now};
	tl_invoice_from_line(&src, &inv);
	size_t i;
	json_t *id;
	int rc = 0;
	json_array_foreach(transfer_ids, i, id) {
		if (rc == 0 && tl_id_list_add(&inv.transfer_ids, json_string_value(id)) < 0)
			rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	}
	rc = rc ? rc : tl_invoices_issue(tx, ctx, &inv, "invoice.issued", err);
	if (rc == 0)
		snprintf(invoice_id, TL_ID_MAX, "%s", inv.id);
	tl_invoice_release(&inv);
	return rc;
}

/* The term a line pays for: from now, except that a renewal continues the
 * current term where it ends. */
static int line_term(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
		     const tl_checkout_line *l, int64_t *start, int64_t *end, tl_error *err)
{
	*start = ctx->now;
	if (strcmp(c->kind, "renewal") == 0) {
		tl_resource r;
		int rc = tl_resources_load(tx, ctx, l->resource_id, &r, err);
		if (rc < 0)
			return rc;
		*start = r.term_end > ctx->now ? r.term_end : ctx->now;
		tl_resource_release(&r);
	}
	*end = tl_time_add_months(*start, c->cycle_months);
	return 0;
}

/* What the line's resource becomes once paid. */
static int apply_line(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
		      const tl_checkout_line *l, int64_t start, int64_t end, tl_error *err)
{
	if (strcmp(c->kind, "purchase") == 0)
		return tl_resources_create_prepaid(tx, ctx, c, l, start, end, err);
	/* conversion (in place, same id), renewal, recovery */
	return tl_resources_convert(tx, ctx, c, l->resource_id, "prepaid", start, end, err);
}

static int settle_line(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
		       const tl_checkout_line *l, const char *payment_id, json_t *invoice_ids,
		       tl_error *err)
{
	json_t *transfer_ids = json_array();
	int64_t term_start, term_end;
	char invoice_id[TL_ID_MAX];
	int rc = line_term(tx, ctx, c, l, &term_start, &term_end, err);
	rc = rc ? rc : charge_line(tx, ctx, c, l, payment_id, transfer_ids, err);
	rc = rc ? rc : apply_line(tx, ctx, c, l, term_start, term_end, err);
	rc = rc ? rc : issue_invoice(tx, ctx, c, l, payment_id, transfer_ids, term_start, term_end,
				     invoice_id, err);
	if (rc == 0)
		json_array_append_new(invoice_ids, json_string(invoice_id));
	json_decref(transfer_ids);
	return rc;
}

/* The resource Stop POC was asked on, when it is not itself a line (a
 * cluster): its POC flag is cleared and its billing follows its members. */
static int convert_origin(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c, const char *mode,
			  tl_error *err)
{
	if (c->origin_id[0] == '\0')
		return 0;
	for (size_t i = 0; i < c->line_count; i++)
		if (strcmp(c->lines[i].resource_id, c->origin_id) == 0)
			return 0;
	return tl_resources_convert(tx, ctx, c, c->origin_id, mode, ctx->now,
				    tl_time_add_months(ctx->now, c->cycle_months), err);
}

static int record_payment(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			  const char *payment_id, const char *method, int64_t amount,
			  json_t *invoice_ids, const char *hold_id, tl_error *err)
{
	tl_payment p = {.amount = amount};
	snprintf(p.id, sizeof(p.id), "%s", payment_id);
	snprintf(p.account_id, sizeof(p.account_id), "%s", c->account_id);
	snprintf(p.method, sizeof(p.method), "%s", method);
	snprintf(p.currency, sizeof(p.currency), "%s", c->currency);
	snprintf(p.checkout_id, sizeof(p.checkout_id), "%s", c->id);
	snprintf(p.hold_id, sizeof(p.hold_id), "%s", hold_id ? hold_id : "");
	size_t i;
	json_t *id;
	int rc = 0;
	json_array_foreach(invoice_ids, i, id) {
		if (rc == 0 && tl_id_list_add(&p.invoice_ids, json_string_value(id)) < 0)
			rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	}
	rc = rc ? rc : tl_payments_record(tx, ctx, &p, err);
	tl_payment_release(&p);
	return rc;
}

static int finish(tl_tx *tx, const tl_ctx *ctx, tl_checkout *c, const char *payment_id,
		  tl_error *err);

static int pay(tl_tx *tx, const tl_ctx *ctx, tl_checkout *c, const char *method,
	       tl_payment_result *out, tl_error *err)
{
	if (c->settlement != TL_SETTLE_PREPAID)
		return tl_error_set(err, TL_ERULE, "method_not_allowed",
				    "this checkout settles by hold: pay it with method hold");
	/* before anything moves: a resource deleted or changed since the
	 * checkout was made must not come back to life by being paid for */
	int rc = tl_checkouts_check_payable(tx, ctx, c, err);
	rc = rc ? rc : tl_checkout_transition(c, "paid", ctx->now, err);
	rc = rc ? rc : redeem_coupon(tx, ctx, c, err);
	rc = rc ? rc : check_funds(tx, c, c->totals.total, err);
	if (rc < 0)
		return rc;
	tl_id_new(out->payment_id, sizeof(out->payment_id), "pay");
	out->invoice_ids = json_array();
	for (size_t i = 0; rc == 0 && i < c->line_count; i++)
		rc = settle_line(tx, ctx, c, &c->lines[i], out->payment_id, out->invoice_ids, err);
	rc = rc ? rc : convert_origin(tx, ctx, c, "prepaid", err);
	rc = rc ? rc : record_payment(tx, ctx, c, out->payment_id, method, c->totals.total,
				      out->invoice_ids, NULL, err);
	rc = rc ? rc : finish(tx, ctx, c, out->payment_id, err);
	return rc;
}

/* The last step of every payment: the checkout is paid and points at it. */
static int finish(tl_tx *tx, const tl_ctx *ctx, tl_checkout *c, const char *payment_id,
		  tl_error *err)
{
	snprintf(c->payment_id, sizeof(c->payment_id), "%s", payment_id);
	int rc = tl_checkouts_save(tx, c, false, ctx->now, err);
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

/* ---- paying by hold ------------------------------------------------------------ */

/* Reserves the hold: a pending transfer wallet -> revenue that the monthly
 * reconciliation posts (the month's actual use) or that expires. */
static int place_hold(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c, char *hold_id,
		      tl_error *err)
{
	tl_transfer t = {.kind = TL_TRANSFER_PENDING, .amount = c->hold_amount,
			 .expires_at = ctx->now + TL_HOLD_LIFETIME_S};
	tl_id_new(t.id, sizeof(t.id), "hold");
	tl_ledger_credit_wallet_id(t.debit_account, c->account_id);
	tl_ledger_system_account_id(t.credit_account, "revenue", c->currency);
	snprintf(t.code, sizeof(t.code), "hold");
	snprintf(t.reference, sizeof(t.reference), "%s", c->id);
	int rc = check_funds(tx, c, c->hold_amount, err);
	rc = rc ? rc : tl_ledger_move(tx, ctx, &t, 1, err);
	if (rc == 0)
		snprintf(hold_id, TL_TRANSFER_ID_MAX, "%s", t.id);
	/* the hold as GET /v1/holds shows it (a webhook: hold.placed) */
	return rc ? rc : tl_audit_record(tx, ctx, "hold.placed", c->account_id, t.id, NULL,
					 json_pack("{s:s, s:I, s:s, s:I, s:o, s:s, s:s, s:o}", "id",
						   t.id, "amount", (json_int_t)t.amount, "status",
						   "pending", "posted_amount", (json_int_t)0,
						   "expires_at", tl_time_to_json(t.expires_at),
						   "code", t.code, "reference", t.reference,
						   "created_at", tl_time_to_json(ctx->now)),
					 err);
}

static int pay_by_hold(tl_tx *tx, const tl_ctx *ctx, tl_checkout *c, tl_payment_result *out,
		       char *hold_id, tl_error *err)
{
	if (c->settlement != TL_SETTLE_HOLD)
		return tl_error_set(err, TL_ERULE, "method_not_allowed",
				    "only services billed on use are paid by hold; pay by credit");
	int rc = tl_checkouts_check_payable(tx, ctx, c, err);
	rc = rc ? rc : tl_checkout_transition(c, "paid", ctx->now, err);
	rc = rc ? rc : place_hold(tx, ctx, c, hold_id, err);
	rc = rc ? rc : tl_holds_daily_placed(tx, ctx, c->account_id, err);
	if (rc < 0)
		return rc;
	/* no invoice now: the resources are invoiced monthly on actual use */
	for (size_t i = 0; rc == 0 && i < c->line_count; i++)
		rc = tl_resources_convert(tx, ctx, c, c->lines[i].resource_id, "postpaid", 0, 0, err);
	rc = rc ? rc : convert_origin(tx, ctx, c, "postpaid", err);
	tl_id_new(out->payment_id, sizeof(out->payment_id), "pay");
	out->invoice_ids = json_array();
	rc = rc ? rc : record_payment(tx, ctx, c, out->payment_id, "hold", c->hold_amount,
				      out->invoice_ids, hold_id, err);
	return rc ? rc : finish(tx, ctx, c, out->payment_id, err);
}

/* Loads checkout id and pays it by credit (method as recorded) or, with a
 * hold_id to fill, by hold; on failure out holds no invoice ids. */
static int load_and_pay(tl_tx *tx, const tl_ctx *ctx, const char *id, const char *method,
			char *hold_id, tl_payment_result *out, tl_error *err)
{
	tl_checkout *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	out->invoice_ids = NULL;
	int rc = tl_checkouts_get(tx, ctx, id, c, err);
	if (rc == 0) {
		rc = hold_id ? pay_by_hold(tx, ctx, c, out, hold_id, err)
			     : pay(tx, ctx, c, method, out, err);
		tl_checkout_release(c);
	}
	if (rc < 0) {
		json_decref(out->invoice_ids);
		out->invoice_ids = NULL;
	}
	free(c);
	return rc;
}

int tl_checkouts_pay_credit(tl_tx *tx, const tl_ctx *ctx, const char *id, const char *method,
			    tl_payment_result *out, tl_error *err)
{
	return load_and_pay(tx, ctx, id, method, NULL, out, err);
}

int tl_checkouts_pay_hold(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_payment_result *out,
			  char *hold_id, tl_error *err)
{
	return load_and_pay(tx, ctx, id, "hold", hold_id, out, err);
}
