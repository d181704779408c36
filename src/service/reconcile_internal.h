/*
 * reconcile_internal.h: what the monthly reconciliation (reconcile.c) and
 * the hold (holds.c) share. Private to those two files.
 */
#ifndef TL_RECONCILE_INTERNAL_H
#define TL_RECONCILE_INTERNAL_H

#include "domain/catalog.h"
#include "domain/invoice.h"
#include "domain/resource.h"
#include "service/context.h"
#include "store/store.h"

/* ---- reconcile.c ---- */

/* The usage invoices of one account's pass, issued unpaid as they are
 * rated, then paid (from the hold, then credit) and saved. */
typedef struct invoice_set {
	tl_invoice *v;
	size_t n, cap;
} invoice_set;

/* Issues inv (unpaid: its payments follow) and keeps it in set; inv's
 * transfers move into set. */
int tl_reconcile_issue_into(tl_tx *tx, const tl_ctx *ctx, invoice_set *set, tl_invoice *inv,
			    tl_error *err);
void tl_reconcile_invoices_release(invoice_set *set);
/* The pass's invoices are paid as far as the hold went: what is left is
 * paid from credit where it suffices, each saved, and recorded issued
 * (after: as it stands paid). *unpaid (may be NULL) counts those still
 * open. */
int tl_reconcile_settle_issued(tl_tx *tx, const tl_ctx *ctx, invoice_set *set, size_t *unpaid,
			       tl_error *err);

/* The account's currency: the only one its use is priced in. */
int tl_reconcile_account_currency(tl_tx *tx, const char *account_id, char out[4],
				  tl_error *err);
/* The item of r and its monthly unit price in currency: NULL when the
 * catalog has no such item or no price for it in that currency (then
 * *why, when given, says so). */
const tl_catalog_item *tl_reconcile_priced_item(const tl_catalog *cat, const tl_resource *r,
						const char *currency, int64_t *price,
						tl_error *why);
/* The cost of r's use in [from, to), from its metered records or its
 * running time (the catalog says which). */
int tl_reconcile_use_cost(tl_tx *tx, const tl_resource *r, bool metered_item, int64_t unit_price,
			  int64_t from, int64_t to, int64_t *out, tl_error *err);
/* This month's use so far of the account's hold-settled resources rs,
 * with tax. */
int tl_reconcile_month_so_far(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			      const tl_resource *rs, size_t n, int64_t *out, tl_error *err);
/* Every postpaid resource of the account, deleted ones included, into
 * *out (a new array of *count). */
int tl_reconcile_load_postpaid(tl_tx *tx, const char *account, tl_resource **out,
			       size_t *count, tl_error *err);

/* ---- holds.c ---- */

/* Is r's service settled by hold? */
bool tl_holds_settled(const tl_catalog *cat, const tl_resource *r);
/* Releases the account's holds (they are replaced by a new one). */
int tl_holds_release(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, tl_error *err);
/* Pays the hold-settled invoices among `invoices` from the account's live
 * holds (each posted for what it pays, the rest released). */
int tl_holds_pay_invoices(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			  const char *account, invoice_set *invoices, tl_error *err);
/* A new hold: `already` (this month's use so far, with tax) plus 3 days of
 * use of the account's live hold-settled resources; *short_of when credit
 * could not cover it. */
int tl_holds_place(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, const char *account,
		   const tl_resource *rs, size_t n, int64_t already, bool *short_of,
		   tl_error *err);

#endif
