/*
 * holds.h: the hold of postpaid use (DESIGN.md "Hold settlement"): a
 * pending ledger transfer wallet -> revenue of the account's month so far
 * plus 3 days ahead, replaced daily, paid from when the month is
 * reconciled (reconcile.h) or a hold-settled resource is deleted.
 */
#ifndef TL_HOLDS_H
#define TL_HOLDS_H

#include "domain/catalog.h"
#include "service/context.h"
#include "store/store.h"

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
 * far plus 3 days is placed. One this call deleted with no use to rate
 * (deleted the moment it was converted) releases the hold the same way,
 * with nothing invoiced. Otherwise nothing happens. */
int tl_holds_settle_deletion(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			     const char *resource_id, tl_error *err);

#endif
