/* refunds.c: the unused part of a prepaid term back as credit; see
 * refunds.h. */
#include "service/refunds.h"
#include "service/audit.h"
#include "service/invoices.h"
#include "service/ledger.h"
#include "common/ids.h"
#include "common/timefmt.h"
#include "domain/invoice.h"
#include "domain/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERM_INVOICES_PAGE 16 /* invoices read at a time */

/* The paid term invoices of r (purchase, conversion, renewal, recovery),
 * newest first, into *out (a new array of *count). Every page of r's
 * invoices: it used to read the newest 8 only, and a resource renewed
 * further ahead than that kept its older unused terms' money. */
static int term_invoices(tl_tx *tx, const tl_resource *r, tl_invoice **out, size_t *count,
			 tl_error *err)
{
	tl_invoice page_of[TERM_INVOICES_PAGE];
	tl_invoice_query q = {.resource_id = r->id};
	tl_page page = {.limit = TERM_INVOICES_PAGE};
	size_t n = 0, cap = 0;
	int rc;
	*out = NULL;
	*count = 0;
	do {
		rc = tl_store_invoice_list(tx, &q, &page, page_of, &n, err);
		for (size_t i = 0; i < n; i++) {
			tl_invoice *inv = &page_of[i];
			if (i == n - 1)
				snprintf(page.after, sizeof(page.after), "%.*s", (int)sizeof(inv->id), inv->id);
			bool term = strcmp(inv->kind, "usage") != 0 &&
				    strcmp(inv->kind, "credit_note") != 0 &&
				    strcmp(inv->status, "paid") == 0;
			if (rc == 0 && term && *count == cap) {
				cap = cap ? cap * 2 : TERM_INVOICES_PAGE;
				tl_invoice *grown = realloc(*out, cap * sizeof(**out));
				if (grown == NULL)
					rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
				else
					*out = grown;
			}
			if (rc == 0 && term) {
				(*out)[(*count)++] = *inv; /* moved: its transfers go with it */
				continue;
			}
			tl_invoice_release(inv);
		}
	} while (rc == 0 && n == TERM_INVOICES_PAGE);
	return rc;
}

static int refund_transfers(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r,
			    const char *currency, int64_t net, int64_t tax, tl_id_list *ids,
			    tl_error *err)
{
	tl_transfer t[2];
	size_t n = 0;
	const int64_t amounts[2] = {net, tax};
	for (int i = 0; i < 2; i++) {
		if (amounts[i] <= 0)
			continue;
		t[n] = (tl_transfer){.kind = TL_TRANSFER_SINGLE, .amount = amounts[i]};
		tl_ledger_system_account_id(t[n].debit_account, i ? "tax_payable" : "revenue",
					    currency);
		tl_ledger_credit_wallet_id(t[n].credit_account, r->account_id);
		snprintf(t[n].code, sizeof(t[n].code), i ? "refund_tax" : "refund");
		snprintf(t[n].reference, sizeof(t[n].reference), "%s", r->id);
		n++;
	}
	int rc = n ? tl_ledger_move(tx, ctx, t, n, err) : 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (tl_id_list_add(ids, t[i].id) < 0)
			rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	return rc;
}

static int credit_note(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r,
		       const tl_invoice *paid, int64_t net, int64_t tax, const tl_id_list *ids,
		       tl_error *err)
{
	tl_invoice note = {.period_start = ctx->now, .period_end = paid->period_end,
			   .subtotal = net, .tax = tax, .total = net + tax,
			   .amount_paid = net + tax};
	snprintf(note.account_id, sizeof(note.account_id), "%s", r->account_id);
	snprintf(note.resource_id, sizeof(note.resource_id), "%s", r->id);
	snprintf(note.resource_name, sizeof(note.resource_name), "%s", r->name);
	snprintf(note.service, sizeof(note.service), "%s", r->service);
	snprintf(note.kind, sizeof(note.kind), "credit_note");
	snprintf(note.currency, sizeof(note.currency), "%s", paid->currency);
	snprintf(note.status, sizeof(note.status), "paid");
	snprintf(note.credits, sizeof(note.credits), "%s", paid->id);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < ids->count; i++)
		if (tl_id_list_add(&note.transfer_ids, ids->ids[i]) < 0)
			rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	rc = rc ? rc : tl_invoices_issue(tx, ctx, &note, "invoice.credit_note_issued", err);
	tl_invoice_release(&note);
	return rc;
}

/* Refunds the unused whole minutes of the term `paid` paid for, if any. */
static int refund_invoice(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r,
			  const tl_invoice *paid, tl_error *err)
{
	int64_t start = paid->period_start, end = paid->period_end;
	if (end <= ctx->now || end <= start)
		return 0;
	int64_t total = paid->total, tax = paid->tax;
	int64_t left = end - (ctx->now > start ? ctx->now : start), net_back = 0, tax_back = 0;
	left -= left % 60; /* whole minutes left, as the product is billed */
	if (tl_money_mul_div(total - tax, left, end - start, &net_back) < 0 ||
	    tl_money_mul_div(tax, left, end - start, &tax_back) < 0)
		return tl_error_set(err, TL_EINVALID, "price_overflow", "the refund overflows");
	tl_id_list ids = {0};
	int rc = refund_transfers(tx, ctx, r, paid->currency, net_back, tax_back, &ids, err);
	if (rc == 0 && net_back + tax_back > 0)
		rc = credit_note(tx, ctx, r, paid, net_back, tax_back, &ids, err);
	tl_id_list_release(&ids);
	return rc;
}

/* Every paid term not yet over: after an auto-renewal (7 days ahead) the
 * rest of the current term and the whole next one are both unused. */
int tl_refund_unused_term(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, tl_error *err)
{
	if (strcmp(r->billing_mode, "prepaid") != 0 || r->term_end <= ctx->now)
		return 0;
	tl_invoice *terms = NULL;
	size_t n = 0;
	int rc = term_invoices(tx, r, &terms, &n, err);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = refund_invoice(tx, ctx, r, &terms[i], err);
		tl_invoice_release(&terms[i]);
	}
	free(terms);
	return rc;
}
