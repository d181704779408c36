/*
 * ledger.h: use cases that move money. Every movement goes through
 * tl_ledger_submit, which applies domain/ledger.h's rules to accounts loaded
 * once per call and writes transfers and running sums in the caller's
 * transaction.
 */
#ifndef TL_SERVICE_LEDGER_H
#define TL_SERVICE_LEDGER_H

#include "domain/account.h"
#include "domain/ledger.h"
#include "service/context.h"
#include "store/store.h"

/* Creates the system accounts of every currency if missing (at start). */
int tl_ledger_bootstrap(tl_tx *tx, int64_t now, tl_error *err);

/* Opens the credit wallet of a new customer account. */
int tl_ledger_open_credit_wallet(tl_tx *tx, const tl_account *account, tl_error *err);

/* Applies transfers in order, filling results[i] for each. Unlinked: each
 * stands alone, failures skip only themselves. Linked: all or nothing; on
 * the first failure every result is set (the failure's own code, the rest
 * linked_event_failed) and TL_ERULE "linked_batch_failed" is returned with
 * details {index, id, result}; the caller's savepoint undoes the writes.
 * Admin only. */
int tl_ledger_submit(tl_tx *tx, const tl_ctx *ctx, tl_transfer *transfers, size_t count,
		     bool linked, tl_transfer_result *results, tl_error *err);

/* Moves money for a use case (as the system, whoever asked): transfers
 * without an id get a fresh "xfr_" id; all or nothing. A refusal becomes the
 * API error of its kind (insufficient_credit, invalid_amount, ...). */
int tl_ledger_move(tl_tx *tx, const tl_ctx *ctx, tl_transfer *transfers, size_t count,
		   tl_error *err);

/* Admin: tops up an account's credit wallet from gateway clearing. */
int tl_ledger_top_up(tl_tx *tx, const tl_ctx *ctx, const char *account_id, int64_t amount,
		     const char *reference, tl_transfer *out_transfer,
		     tl_ledger_account *out_wallet, tl_error *err);

/* Admin: grants a POC wallet funded from promotional credit. */
int tl_ledger_grant_poc(tl_tx *tx, const tl_ctx *ctx, const char *account_id, int64_t amount,
			int64_t expires_at, const char *cluster_id, tl_ledger_account *out,
			tl_error *err);

/* Admin: extends a POC wallet's expiry (expires_at 0: unchanged) and/or
 * adds credit from promotional (add_amount 0: none). Reminders and
 * suspension follow the new expiry. */
int tl_ledger_change_poc(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, int64_t expires_at,
			 int64_t add_amount, tl_ledger_account *out, tl_error *err);

/* The account's ledger accounts (credit wallet first, then POC wallets),
 * at most TL_WALLETS_MAX after the ledger account `after` (NULL: from the
 * first); the principal must be allowed to see the account. A short page
 * is the last: callers page on, since an admin may grant any number of POC
 * wallets (GET /v1/wallets once showed the first 256 only). */
#define TL_WALLETS_MAX 256
int tl_ledger_wallets(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const char *after,
		      tl_account *out_account, tl_ledger_account *out, size_t *count,
		      tl_error *err);

/* Holds (pending transfers) on the account's credit wallet. */
int tl_ledger_holds(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const tl_page *page,
		    tl_transfer *out, size_t *count, tl_error *err);

/* Admin: the transfers of a ledger account (cw_..., sys_...), a page
 * newest first (GET /v1/ledger/transfers). */
int tl_ledger_transfers(tl_tx *tx, const tl_ctx *ctx, const char *ledger_account,
			const tl_page *page, tl_transfer *out, size_t *count, tl_error *err);

/* Admin: the ledger accounts of a customer account (NULL: the system
 * accounts), at most TL_WALLETS_MAX after the ledger account `after` (NULL:
 * from the first); a short page is the last (GET /v1/ledger/accounts). */
int tl_ledger_accounts(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const char *after,
		       tl_ledger_account *out, size_t *count, tl_error *err);

/* Releases up to TL_EXPIRY_SWEEP_MAX holds whose expiry has come;
 * *released says how many. */
int tl_ledger_expire_due(tl_tx *tx, const tl_ctx *ctx, size_t *released, tl_error *err);

/* Sums the ledger and checks the invariants; problem is empty when all
 * hold. */
int tl_ledger_check(tl_tx *tx, tl_ledger_totals *totals, char *problem, size_t problem_size,
		    tl_error *err);

#endif
