/*
 * invoices.h: the one home of invoices and payments. Every invoice is
 * issued here (its number taken from the gap-free counter 'invoice:<year>'
 * in the caller's transaction, checked by tl_invoice_assert_valid, stored,
 * audited), every change to one saved here, and every payment recorded
 * here; checkouts (checkout_pay.c), the monthly reconciliation and the
 * hold (reconcile.c), refunds (refunds.c) and debt collection (debts.c)
 * call in. Also the billing history the API reads: GET /v1/invoices and
 * /v1/payments.
 */
#ifndef TL_INVOICES_H
#define TL_INVOICES_H

#include <jansson.h>
#include "domain/catalog.h"
#include "domain/invoice.h"
#include "domain/resource.h"
#include "service/context.h"
#include "store/store.h"

/* Numbers inv (this year's next number), gives it a new id, issues it now
 * (issued_at, and due now when not paid: debt collection looks at it),
 * checks and stores it; with `event`, records it (after: the invoice). */
int tl_invoices_issue(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv, const char *event,
		      tl_error *err);

/* A usage invoice (unpaid) for `cost` of r's use in [from, to), priced at
 * unit_price of item, taxed at the catalog's rate; not issued yet (see
 * tl_invoices_issue). TL_EINVALID "price_overflow" when the tax overflows. */
int tl_invoices_usage(const tl_catalog *cat, const tl_resource *r, const tl_catalog_item *item,
		      const char *currency, int64_t unit_price, int64_t cost, int64_t from,
		      int64_t to, tl_invoice *out, tl_error *err);

/* Stores what changed of an issued invoice (its payments): due again now
 * while still open. Checked first. The caller records the event. */
int tl_invoices_save(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv, tl_error *err);

/* Records a payment: a new id when p->id is empty, created now, status
 * succeeded, checked, stored and audited (payment.succeeded). */
int tl_payments_record(tl_tx *tx, const tl_ctx *ctx, tl_payment *p, tl_error *err);

/* Pays what the account's available credit allows of inv's open amount
 * (ledger transfers to revenue and tax payable, their ids added to inv, a
 * payment of method credit): inv becomes paid or partial_paid; the caller
 * saves it. *paid_now: the amount paid (0: none). */
int tl_invoices_pay_from_credit(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv,
				int64_t *paid_now, tl_error *err);

/* `pay` of inv came from hold hold_id, posted (whole, to revenue) by
 * transfer post_id: inv's tax share of it moves on to tax payable, and a
 * payment of method hold records it; the caller saves inv. */
int tl_invoices_pay_from_hold(tl_tx *tx, const tl_ctx *ctx, tl_invoice *inv,
			      const char *hold_id, const char *post_id, int64_t pay,
			      tl_error *err);

/* The invoice (or payment) the principal may see, as the API's JSON:
 * TL_ENOTFOUND "invoice_not_found" ("payment_not_found") otherwise. */
int tl_invoices_get_json(tl_tx *tx, const tl_ctx *ctx, const char *id, json_t **out,
			 tl_error *err);
int tl_payments_get_json(tl_tx *tx, const tl_ctx *ctx, const char *id, json_t **out,
			 tl_error *err);

/* A page of the account's invoices (resource_id: only that resource's) or
 * payments, newest first, as a JSON array; *last_id names the last. */
int tl_invoices_list_json(tl_tx *tx, const tl_ctx *ctx, const char *account_id,
			  const char *resource_id, const tl_page *page, json_t **out,
			  char *last_id, tl_error *err);
int tl_payments_list_json(tl_tx *tx, const tl_ctx *ctx, const char *account_id,
			  const tl_page *page, json_t **out, char *last_id, tl_error *err);

/* How many payments the account has made (a first purchase has none). */
int tl_payments_count(tl_tx *tx, const char *account_id, int64_t *out, tl_error *err);

#endif
