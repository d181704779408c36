/* refunds.c: the unused part of a prepaid term back as credit; see
 * refunds.h. */
#include "service/refunds.h"
#include "service/audit.h"
#include "service/billing_docs.h"
#include "service/ledger.h"
#include "common/ids.h"
#include "common/timefmt.h"
#include "domain/invoice.h"
#include "domain/money.h"

#include <stdio.h>
#include <string.h>

#define TERM_INVOICES_PAGE 16 /* invoices read at a time */

/* The paid term invoices of r (purchase, conversion, renewal, recovery),
 * newest first, into out (a new array). Every page of r's invoices: it
 * used to read the newest 8 only, and a resource renewed further ahead
 * than that kept its older unused terms' money. */
static int term_invoices(tl_tx *tx, const tl_resource *r, json_t *out, tl_error *err)
{
	tl_doc docs[TERM_INVOICES_PAGE] = {0};
	tl_doc_query q = {.kind = "invoice", .ref = r->id};
	tl_page page = {.limit = TERM_INVOICES_PAGE};
	size_t n = 0;
	int rc;
	do {
		rc = tl_store_doc_list(tx, &q, &page, docs, &n, err);
		for (size_t i = 0; i < n; i++) {
			json_t *inv = rc == 0 ? json_loads(docs[i].body, 0, NULL) : NULL;
			const char *kind = json_string_value(json_object_get(inv, "kind"));
			const char *status = json_string_value(json_object_get(inv, "status"));
			if (kind && status && strcmp(kind, "usage") != 0 &&
			    strcmp(kind, "credit_note") != 0 && strcmp(status, "paid") == 0)
				json_array_append(out, inv);
			json_decref(inv);
			if (i == n - 1)
				snprintf(page.after, sizeof(page.after), "%s", docs[i].id);
			tl_doc_free(&docs[i]);
		}
	} while (rc == 0 && n == TERM_INVOICES_PAGE);
	return rc;
}

static int refund_transfers(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r,
			    const char *currency, int64_t net, int64_t tax, json_t *ids,
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
		json_array_append_new(ids, json_string(t[i].id));
	return rc;
}

static int credit_note(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, const json_t *paid,
		       int64_t net, int64_t tax, json_t *transfer_ids, tl_error *err)
{
	char counter[32], number[TL_INVOICE_NUMBER_MAX], id[TL_ID_MAX];
	int year = tl_invoice_year(ctx->now);
	int64_t seq;
	snprintf(counter, sizeof(counter), "invoice:%d", year);
	int rc = tl_store_counter_next(tx, counter, &seq, err);
	if (rc < 0)
		return rc;
	tl_invoice_number(number, year, seq);
	tl_id_new(id, sizeof(id), "inv");
	json_t *note = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:{s:o, s:O}, s:[], s:I, s:I, s:n, s:I,"
		" s:I, s:I, s:s, s:n, s:n, s:O, s:O, s:o}",
		"id", id, "number", number, "account_id", r->account_id, "resource_id", r->id,
		"resource_name", r->name, "service", r->service, "kind", "credit_note", "currency",
		json_object_get(paid, "currency"), "period", "start", tl_time_to_json(ctx->now),
		"end", json_object_get(json_object_get(paid, "period"), "end"), "lines", "subtotal",
		(json_int_t)net, "discount", (json_int_t)0, "coupon_code", "tax", (json_int_t)tax,
		"total", (json_int_t)(net + tax), "amount_paid", (json_int_t)(net + tax), "status",
		"paid", "payment_id", "checkout_id", "credits", json_object_get(paid, "id"), "transfer_ids", transfer_ids, "issued_at",
		tl_time_to_json(ctx->now));
	rc = tl_billing_insert(tx, "invoice", id, r->account_id, number, r->id, note, ctx->now, err);
	if (rc == 0)
		return tl_audit_record(tx, ctx, "invoice.credit_note_issued", r->account_id, id, NULL,
				       note, err);
	json_decref(note);
	return rc;
}

/* Refunds the unused whole minutes of the term `paid` paid for, if any. */
static int refund_invoice(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, json_t *paid,
			  tl_error *err)
{
	const json_t *period = json_object_get(paid, "period");
	int64_t start = tl_time_member(period, "start"), end = tl_time_member(period, "end");
	if (end <= ctx->now || end <= start)
		return 0;
	int64_t total = json_integer_value(json_object_get(paid, "total"));
	int64_t tax = json_integer_value(json_object_get(paid, "tax"));
	int64_t left = end - (ctx->now > start ? ctx->now : start), net_back = 0, tax_back = 0;
	left -= left % 60; /* whole minutes left, as the product is billed */
	if (tl_money_mul_div(total - tax, left, end - start, &net_back) < 0 ||
	    tl_money_mul_div(tax, left, end - start, &tax_back) < 0)
		return tl_error_set(err, TL_EINVALID, "price_overflow", "the refund overflows");
	json_t *ids = json_array();
	int rc = refund_transfers(tx, ctx, r, json_string_value(json_object_get(paid, "currency")),
				  net_back, tax_back, ids, err);
	if (rc == 0 && net_back + tax_back > 0)
		rc = credit_note(tx, ctx, r, paid, net_back, tax_back, ids, err);
	json_decref(ids);
	return rc;
}

/* Every paid term not yet over: after an auto-renewal (7 days ahead) the
 * rest of the current term and the whole next one are both unused. */
int tl_refund_unused_term(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, tl_error *err)
{
	if (strcmp(r->billing_mode, "prepaid") != 0 || r->term_end <= ctx->now)
		return 0;
	json_t *terms = json_array();
	int rc = terms ? term_invoices(tx, r, terms, err)
		       : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	size_t i;
	json_t *paid;
	json_array_foreach(terms, i, paid) {
		if (rc == 0)
			rc = refund_invoice(tx, ctx, r, paid, err);
	}
	json_decref(terms);
	return rc;
}
