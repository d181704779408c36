/* invoices.c: issuing, saving and paying invoices, recording payments,
 * and reading both back; see invoices.h. */
#include "service/invoices.h"
#include "service/audit.h"
#include "service/ledger.h"
#include "common/ids.h"
#include "domain/money.h"
#include "domain/pricing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool open_invoice(const tl_invoice *inv)
{
	return strcmp(inv->status, "paid") != 0;
}

int tl_invoices_issue(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv, const char *event,
		      tl_error *err)
{
	char counter[32];
	int year = tl_invoice_year(ctx->now);
	snprintf(counter, sizeof(counter), "invoice:%d", year);
	int64_t sequence = 0;
	int rc = tl_store_counter_next(tx, counter, &sequence, err);
	if (rc < 0)
		return rc;
	tl_invoice_number(inv->number, year, sequence);
	tl_id_new(inv->id, sizeof(inv->id), "inv");
	inv->issued_at = inv->updated_at = ctx->now;
	inv->due_at = open_invoice(inv) ? ctx->now : 0; /* debt collection looks for it */
	rc = tl_invoice_assert_valid(inv, err);
	rc = rc ? rc : tl_store_invoice_insert(tx, inv, err);
	if (rc == 0 && event)
		rc = tl_audit_record(tx, ctx, event, inv->account_id, inv->id, NULL,
				     tl_invoice_to_json(inv), err);
	return rc;
}

int tl_invoices_usage(const tl_catalog *cat, const tl_resource *r, const tl_catalog_item *item,
		      const char *currency, int64_t unit_price, int64_t cost, int64_t from,
		      int64_t to, tl_invoice *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	int64_t tax = 0, total = 0;
	if (tl_money_percent_bp(cost, cat->tax_rate_bp, &tax) < 0 ||
	    tl_money_add(cost, tax, &total) < 0)
		return tl_error_set(err, TL_EINVALID, "price_overflow", "usage of %.40s overflows",
				    r->id);
	snprintf(out->account_id, sizeof(out->account_id), "%s", r->account_id);
	snprintf(out->resource_id, sizeof(out->resource_id), "%s", r->id);
	snprintf(out->resource_name, sizeof(out->resource_name), "%s", r->name);
	snprintf(out->service, sizeof(out->service), "%s", r->service);
	snprintf(out->kind, sizeof(out->kind), "usage");
	snprintf(out->currency, sizeof(out->currency), "%s", currency);
	out->period_start = from;
	out->period_end = to;
	tl_invoice_line *l = &out->lines[0];
	out->line_count = 1;
	snprintf(l->item_id, sizeof(l->item_id), "%s", item->id);
	snprintf(l->description, sizeof(l->description), "%s", item->name);
	snprintf(l->unit, sizeof(l->unit), "%s", tl_price_unit_name(item->unit));
	l->unit_price = unit_price;
	l->quantity = r->quantity;
	l->gross = cost;
	l->tax_rate_bp = cat->tax_rate_bp;
	l->tax = tax;
	l->total = total;
	out->subtotal = cost;
	out->tax = tax;
	out->total = total;
	snprintf(out->status, sizeof(out->status), "%s", total > 0 ? "unpaid" : "paid");
	return 0;
}

int tl_invoices_save(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv, tl_error *err)
{
	inv->updated_at = ctx->now;
	/* still debt: the collection keeps looking at it */
	inv->due_at = open_invoice(inv) ? ctx->now : 0;
	int rc = tl_invoice_assert_valid(inv, err);
	return rc ? rc : tl_store_invoice_update(tx, inv, err);
}

int tl_payments_record(tl_tx *tx, const tl_ctx *ctx, tl_payment *p, tl_error *err)
{
	if (p->id[0] == '\0')
		tl_id_new(p->id, sizeof(p->id), "pay");
	p->created_at = ctx->now;
	snprintf(p->status, sizeof(p->status), "succeeded");
	int rc = tl_payment_assert_valid(p, err);
	rc = rc ? rc : tl_store_payment_insert(tx, p, err);
	return rc ? rc : tl_audit_record(tx, ctx, "payment.succeeded", p->account_id, p->id, NULL,
					 tl_payment_to_json(p), err);
}

/* The share of the invoice's tax in its first `paid` minor units: rounded
 * the same way each time, so the shares of all payments add up to the tax
 * exactly once the invoice is paid in full. */
static int tax_shares(const tl_invoice *inv, int64_t pay, int64_t *share, tl_error *err)
{
	int64_t before = 0, after = 0;
	if (tl_money_mul_div(inv->tax, inv->amount_paid, inv->total, &before) < 0 ||
	    tl_money_mul_div(inv->tax, inv->amount_paid + pay, inv->total, &after) < 0)
		return tl_error_set(err, TL_EINVALID, "price_overflow", "the invoice overflows");
	*share = after - before;
	return 0;
}

static int add_transfer(tl_invoice *inv, const char *id, tl_error *err)
{
	return tl_id_list_add(&inv->transfer_ids, id) < 0
		       ? tl_error_set(err, TL_EINTERNAL, NULL, "out of memory")
		       : 0;
}

/* Ledger transfers for `pay` of an invoice: revenue and tax payable get
 * their shares. Their ids are added to the invoice's transfers. */
static int pay_transfers(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv, const char *wallet_id,
			 const char *currency, int64_t pay, tl_error *err)
{
	int64_t tax = 0;
	int rc = tax_shares(inv, pay, &tax, err);
	if (rc < 0)
		return rc;
	const int64_t amounts[2] = {pay - tax, tax};
	tl_transfer t[2];
	size_t n = 0;
	for (int i = 0; i < 2; i++) {
		if (amounts[i] <= 0)
			continue;
		t[n] = (tl_transfer){.kind = TL_TRANSFER_SINGLE, .amount = amounts[i]};
		snprintf(t[n].debit_account, sizeof(t[n].debit_account), "%s", wallet_id);
		tl_ledger_system_account_id(t[n].credit_account, i ? "tax_payable" : "revenue",
					    currency);
		snprintf(t[n].code, sizeof(t[n].code), i ? "usage_tax" : "usage");
		snprintf(t[n].reference, sizeof(t[n].reference), "%s", inv->id);
		n++;
	}
	rc = tl_ledger_move(tx, ctx, t, n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_transfer(inv, t[i].id, err);
	return rc;
}

/* A payment of `pay` for inv alone. */
static int record_for(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv, const char *method,
		      const char *currency, const char *hold_id, int64_t pay, tl_error *err)
{
	tl_payment p = {.amount = pay};
	snprintf(p.account_id, sizeof(p.account_id), "%s", inv->account_id);
	snprintf(p.method, sizeof(p.method), "%s", method);
	snprintf(p.currency, sizeof(p.currency), "%s", currency);
	snprintf(p.hold_id, sizeof(p.hold_id), "%s", hold_id ? hold_id : "");
	int rc = tl_id_list_add(&p.invoice_ids, inv->id) < 0
			 ? tl_error_set(err, TL_EINTERNAL, NULL, "out of memory")
			 : tl_payments_record(tx, ctx, &p, err);
	rc = rc ? rc : tl_invoice_apply_payment(inv, pay, p.id, err);
	tl_payment_release(&p);
	return rc;
}

int tl_invoices_pay_from_credit(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv,
				int64_t *paid_now, tl_error *err)
{
	tl_ledger_account wallet;
	char wallet_id[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet_id, inv->account_id);
	*paid_now = 0;
	int rc = tl_store_ledger_account_get(tx, wallet_id, &wallet, err);
	int64_t open = inv->total - inv->amount_paid;
	int64_t available = rc == 0 ? tl_ledger_available(&wallet) : 0;
	int64_t pay = available < open ? available : open;
	if (rc < 0 || pay <= 0)
		return rc;
	rc = pay_transfers(tx, ctx, inv, wallet_id, wallet.currency, pay, err);
	rc = rc ? rc : record_for(tx, ctx, inv, "credit", wallet.currency, NULL, pay, err);
	if (rc == 0)
		*paid_now = pay;
	return rc;
}

int tl_invoices_pay_from_hold(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv,
			      const char *hold_id, const char *post_id, int64_t pay,
			      tl_error *err)
{
	int64_t tax = 0;
	int rc = tax_shares(inv, pay, &tax, err);
	rc = rc ? rc : add_transfer(inv, post_id, err);
	if (rc == 0 && tax > 0) {
		tl_transfer t = {.kind = TL_TRANSFER_SINGLE, .amount = tax};
		tl_ledger_system_account_id(t.debit_account, "revenue", inv->currency);
		tl_ledger_system_account_id(t.credit_account, "tax_payable", inv->currency);
		snprintf(t.code, sizeof(t.code), "usage_tax");
		snprintf(t.reference, sizeof(t.reference), "%s", inv->id);
		rc = tl_ledger_move(tx, ctx, &t, 1, err);
		rc = rc ? rc : add_transfer(inv, t.id, err);
	}
	return rc ? rc : record_for(tx, ctx, inv, "hold", inv->currency, hold_id, pay, err);
}

/* ---- the billing history ------------------------------------------------------ */

int tl_invoices_get_json(tl_tx *tx, const tl_ctx *ctx, const char *id, json_t **out,
			 tl_error *err)
{
	tl_invoice inv;
	tl_error lookup = {0};
	int rc = tl_store_invoice_get(tx, id, &inv, &lookup);
	if (rc == TL_ENOTFOUND || (rc == 0 && !tl_ctx_may_see(ctx, inv.account_id))) {
		if (rc == 0)
			tl_invoice_release(&inv);
		tl_error_clear(&lookup);
		return tl_error_set(err, TL_ENOTFOUND, "invoice_not_found", "no invoice %.40s", id);
	}
	if (rc < 0) {
		tl_error_set(err, rc, lookup.code, "%s", lookup.message);
		tl_error_clear(&lookup);
		return rc;
	}
	*out = tl_invoice_to_json(&inv);
	tl_invoice_release(&inv);
	return 0;
}

int tl_payments_get_json(tl_tx *tx, const tl_ctx *ctx, const char *id, json_t **out,
			 tl_error *err)
{
	tl_payment p;
	tl_error lookup = {0};
	int rc = tl_store_payment_get(tx, id, &p, &lookup);
	if (rc == TL_ENOTFOUND || (rc == 0 && !tl_ctx_may_see(ctx, p.account_id))) {
		if (rc == 0)
			tl_payment_release(&p);
		tl_error_clear(&lookup);
		return tl_error_set(err, TL_ENOTFOUND, "payment_not_found", "no payment %.40s", id);
	}
	if (rc < 0) {
		tl_error_set(err, rc, lookup.code, "%s", lookup.message);
		tl_error_clear(&lookup);
		return rc;
	}
	*out = tl_payment_to_json(&p);
	tl_payment_release(&p);
	return 0;
}

static int account_visible(const tl_ctx *ctx, const char *account_id, tl_error *err)
{
	return tl_ctx_may_see(ctx, account_id)
		       ? 0
		       : tl_error_set(err, TL_ENOTFOUND, "account_not_found", "no account %.40s",
				      account_id);
}

int tl_invoices_list_json(tl_tx *tx, const tl_ctx *ctx, const char *account_id,
			  const char *resource_id, const tl_page *page, json_t **out,
			  char *last_id, tl_error *err)
{
	int rc = account_visible(ctx, account_id, err);
	if (rc < 0)
		return rc;
	tl_invoice *invs = calloc((size_t)page->limit, sizeof(*invs));
	if (invs == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_invoice_query q = {.account_id = account_id, .resource_id = resource_id};
	size_t n = 0;
	rc = tl_store_invoice_list(tx, &q, page, invs, &n, err);
	*out = json_array();
	last_id[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(*out, tl_invoice_to_json(&invs[i]));
		snprintf(last_id, TL_ID_MAX, "%s", invs[i].id);
		tl_invoice_release(&invs[i]);
	}
	free(invs);
	return rc;
}

int tl_payments_list_json(tl_tx *tx, const tl_ctx *ctx, const char *account_id,
			  const tl_page *page, json_t **out, char *last_id, tl_error *err)
{
	int rc = account_visible(ctx, account_id, err);
	if (rc < 0)
		return rc;
	tl_payment *ps = calloc((size_t)page->limit, sizeof(*ps));
	if (ps == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	size_t n = 0;
	rc = tl_store_payment_list(tx, account_id, page, ps, &n, err);
	*out = json_array();
	last_id[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(*out, tl_payment_to_json(&ps[i]));
		snprintf(last_id, TL_ID_MAX, "%s", ps[i].id);
		tl_payment_release(&ps[i]);
	}
	free(ps);
	return rc;
}

int tl_payments_count(tl_tx *tx, const char *account_id, int64_t *out, tl_error *err)
{
	return tl_store_payment_count(tx, account_id, out, err);
}
