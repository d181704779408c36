/*
 * poc_expiry.h: the end of a POC (DESIGN.md rule 9). Before a POC wallet
 * expires its account is reminded 7, 3 and 1 days ahead; at expiry, or when
 * the wallet is used up, the POC resources it pays for are suspended and
 * its unused credit goes back to the promotional account; after the
 * retention period (7 days) the resources still in POC are deleted. Each
 * step is a job run keyed by (step, wallet, its expiry), so it happens once
 * whatever restarts or reruns.
 */
#ifndef TL_POC_EXPIRY_H
#define TL_POC_EXPIRY_H

#include "service/context.h"
#include "store/store.h"

#define TL_POC_RETENTION_S (7 * 86400)

typedef struct tl_poc_expiry_report {
	size_t visited; /* wallets with a step due: max means there may be more */
	size_t reminders;
	size_t suspended;
	size_t deleted;
} tl_poc_expiry_report;

/* The wallet has no credit left: its POC resources are suspended (once
 * for the wallet's current expiry). */
int tl_poc_wallet_used_up(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, tl_error *err);

/* After a wallet is changed: if it is unexpired and has credit again, the
 * POC resources its running out suspended are active again
 * (resource.reactivated), their use counted from now. */
int tl_poc_wallet_topped_up(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, tl_error *err);

/* Does every step due at ctx->now for up to `max` wallets. */
int tl_poc_expiry_run(tl_tx *tx, const tl_ctx *ctx, size_t max, tl_poc_expiry_report *out,
		      tl_error *err);

#endif
