/*
 * debts.h: debt, the usage invoices credit could not pay (status unpaid
 * or partial_paid) when the monthly reconciliation or a deletion issued
 * them (DESIGN.md "Postpaid"). Debt blocks new purchases, conversions and
 * renewals (422 account_in_debt) until it is collected: the job
 * "debt_collection" pays what credit now allows of each due invoice, from
 * credit, one invoice per savepoint.
 */
#ifndef TL_DEBTS_H
#define TL_DEBTS_H

#include "service/context.h"
#include "store/store.h"

/* Pays unpaid usage invoices from credit where it now suffices (at most
 * max of each status); *collected: how many were paid off. */
int tl_debts_collect(tl_tx *tx, const tl_ctx *ctx, size_t max, size_t *collected,
		     tl_error *err);

/* 422 account_in_debt (details: unpaid_invoices) when the account has an
 * unpaid or partial_paid invoice. */
int tl_debts_check_none(tl_tx *tx, const char *account_id, tl_error *err);

#endif
