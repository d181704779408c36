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
 * hold of 3 days of use is placed. Invoices are issued and paid through
 * service/invoices.h. Each account's month is a job run: done once.
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

/* The daily hold (DESIGN.md "Hold settlement"): once a day (from 00:00
 * UTC), each account's hold becomes exactly this month's use so far plus
 * the estimate of the next 3 days, with tax. When available credit cannot
 * cover it the account is warned (hold.insufficient_credit); after
 * TL_HOLD_GRACE_DAYS days of that, its hold-settled resources are
 * suspended. */
#define TL_HOLD_GRACE_DAYS 3
typedef struct tl_holds_report {
	size_t adjusted;
	size_t warned;
	size_t suspended;
	size_t reactivated; /* suspended by a short hold, covered again */
} tl_holds_report;

int tl_holds_daily_run(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog, size_t max,
		       tl_holds_report *out, tl_error *err);

/* Accounts whose daily hold was short of credit (warned) on the UTC day of
 * `now`: for /metrics (tally_holds_short_accounts). */
int tl_holds_short_today(tl_tx *tx, int64_t now, int64_t *out, tl_error *err);

/* Called when a checkout is paid by hold, before its resources turn
 * postpaid. When the account has no postpaid resources yet, the hold just
 * placed is its hold for today: today's daily run is marked done, so it
 * does not release that hold only to place the same amount again. An
 * account that already has some keeps its daily run (their hold and any
 * credit warning must be recomputed today); that run then replaces both
 * holds with one. */
int tl_holds_daily_placed(tl_tx *tx, const tl_ctx *ctx, const char *account, tl_error *err);

/* Called in the transaction that deleted resource_id (and, for a cluster,
 * its members). When hold-settled postpaid resources of its account were
 * deleted with their use not yet rated, that use is invoiced
 * now (one usage invoice each, up to the deletion) and paid from the
 * account's hold (payment method "hold"; the hold posted for it, the rest
 * released), what the hold lacks from credit, else debt; while other
 * hold-settled resources of the account run, a new hold of their month so
 * far plus 3 days is placed. Otherwise nothing happens. */
int tl_holds_settle_deletion(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			     const char *resource_id, tl_error *err);

#endif
