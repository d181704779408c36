/*
 * reconcile.h: the monthly reconciliation of postpaid use (DESIGN.md
 * "Hold settlement" and "Postpaid"). At the start of a month, for each
 * account with postpaid resources: each resource's use of the past month is
 * rated by the minute (metered usage records when it has any, else its
 * running time) and invoiced, one invoice per resource (kind "usage"); the
 * hold-settled ones are paid from the account's hold (posted for what it
 * pays, the rest released; payment method "hold"), the rest from credit;
 * what credit cannot pay stays unpaid: debt, which blocks new purchases
 * (422 account_in_debt) until it is collected (service/debts.h); and a new
 * hold of 3 days of use is placed (service/holds.h). Invoices are issued
 * and paid through service/invoices.h. Each account's month is a job run: done once.
 */
#ifndef TL_RECONCILE_H
#define TL_RECONCILE_H

#include "domain/catalog.h"
#include "service/context.h"
#include "store/store.h"

typedef struct tl_reconcile_report {
	size_t accounts;
	size_t invoices;
	size_t unpaid;
	size_t debts_collected;
} tl_reconcile_report;

int tl_reconcile_run(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog, size_t max,
		     tl_reconcile_report *out, tl_error *err);

#endif
