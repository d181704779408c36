/* poc_expiry.c: reminders, suspension, credit expiry and deletion at the
 * end of a POC; see poc_expiry.h. */
#include "service/poc_expiry.h"
#include "service/audit.h"
#include "service/job_failures.h"
#include "service/ledger.h"
#include "service/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Claims the step for the wallet's current expiry (an extended expiry
 * starts its steps again); 1 when this run should do it. */
static int claim(tl_tx *tx, const tl_ctx *ctx, const char *step, const tl_ledger_account *w,
		 tl_error *err)
{
	char period[32];
	snprintf(period, sizeof(period), "%lld", (long long)w->expires_at);
	return tl_store_job_run_claim(tx, step, w->id, period, ctx->now, err);
}

/* Using up is keyed by the wallet's expiry and by all it was ever given,
 * so a wallet topped up and used up again suspends again. */
static int claim_used_up(tl_tx *tx, const tl_ctx *ctx, const tl_ledger_account *w,
			 tl_error *err)
{
	char period[48];
	snprintf(period, sizeof(period), "%lld:%lld", (long long)w->expires_at,
		 (long long)w->posted_credits);
	return tl_store_job_run_claim(tx, "poc_expiry.used_up", w->id, period, ctx->now, err);
}

static int remind(tl_tx *tx, const tl_ctx *ctx, const tl_ledger_account *w,
		  tl_poc_expiry_report *out, tl_error *err)
{
	static const int days[] = {7, 3, 1};
	int rc = 0;
	for (size_t i = 0; rc >= 0 && i < 3; i++) {
		if (ctx->now < w->expires_at - days[i] * 86400 || ctx->now >= w->expires_at)
			continue;
		char step[32];
		snprintf(step, sizeof(step), "poc_expiry.remind_%dd", days[i]);
		rc = claim(tx, ctx, step, w, err);
		if (rc == 1) {
			out->reminders++;
			rc = tl_audit_record(tx, ctx, "poc_wallet.expiring", w->account_id, w->id,
					     NULL, json_pack("{s:i, s:I}", "days_before", days[i],
							     "balance",
							     (json_int_t)tl_ledger_available(w)),
					     err);
		}
	}
	return rc < 0 ? rc : 0;
}

/* Sets the status of the live POC resources the wallet pays for; with
 * restart_accrual their POC use counts from now (the time they spent
 * suspended is not charged). */
static int set_status_from(tl_tx *tx, const tl_ctx *ctx, const tl_ledger_account *w,
			   const char *status, const char *event, bool restart_accrual,
			   size_t *changed, tl_error *err)
{
	tl_resource *rs = calloc(TL_CASCADE_PAGE, sizeof(*rs));
	char after[TL_ID_MAX] = "";
	size_t n = 0;
	int rc = rs ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	do { /* every page: a wallet may pay for any number of resources */
		rc = rc ? rc : tl_store_resources_of_wallet_after(tx, w->id, after[0] ? after : NULL,
								  rs, TL_CASCADE_PAGE, &n, err);
		if (rc == 0 && n > 0)
			snprintf(after, sizeof(after), "%s", rs[n - 1].id);
		for (size_t i = 0; i < n; i++) {
			tl_resource *r = &rs[i];
			bool poc = strcmp(r->billing_mode, "poc") == 0;
			if (rc == 0 && poc && strcmp(r->status, status) != 0) {
				if (strcmp(status, "deleted") == 0) /* never paid back to life */
					rc = tl_resources_cancel_open_checkout(tx, ctx, r, err);
				if (rc < 0) {
					tl_resource_release(r);
					continue;
				}
				json_t *before = tl_resource_to_json(r);
				snprintf(r->status, sizeof(r->status), "%s", status);
				r->updated_at = ctx->now;
				if (restart_accrual)
					r->accrued_until = ctx->now;
				rc = tl_resources_save(tx, r, err);
				rc = rc ? (json_decref(before), rc)
					: tl_audit_record(tx, ctx, event, r->account_id, r->id, before,
							  tl_resource_to_json(r), err);
				(*changed)++;
			}
			tl_resource_release(r);
		}
	} while (rc == 0 && n == TL_CASCADE_PAGE);
	free(rs);
	return rc;
}

/* Sets the status of the live POC resources the wallet pays for. */
static int set_status(tl_tx *tx, const tl_ctx *ctx, const tl_ledger_account *w,
		      const char *status, const char *event, size_t *changed, tl_error *err)
{
	return set_status_from(tx, ctx, w, status, event, false, changed, err);
}

/* Unused POC credit goes back where it came from. */
static int expire_credit(tl_tx *tx, const tl_ctx *ctx, const tl_ledger_account *w,
			 tl_error *err)
{
	int64_t left = tl_ledger_available(w);
	if (left <= 0)
		return 0;
	tl_transfer t = {.kind = TL_TRANSFER_SINGLE, .amount = left};
	snprintf(t.debit_account, sizeof(t.debit_account), "%s", w->id);
	tl_ledger_system_account_id(t.credit_account, "promotional", w->currency);
	snprintf(t.code, sizeof(t.code), "poc_expired");
	snprintf(t.reference, sizeof(t.reference), "%s", w->id);
	return tl_ledger_move(tx, ctx, &t, 1, err);
}

static int suspend(tl_tx *tx, const tl_ctx *ctx, const tl_ledger_account *w,
		   tl_poc_expiry_report *out, tl_error *err)
{
	if (ctx->now < w->expires_at)
		return 0;
	int rc = claim(tx, ctx, "poc_expiry.suspend", w, err);
	if (rc != 1)
		return rc;
	rc = set_status(tx, ctx, w, "suspended", "resource.suspended", &out->suspended, err);
	rc = rc ? rc : tl_audit_record(tx, ctx, "poc_wallet.expired", w->account_id, w->id, NULL,
				       json_pack("{s:I}", "balance",
						 (json_int_t)tl_ledger_available(w)), err);
	return rc ? rc : expire_credit(tx, ctx, w, err);
}

int tl_poc_wallet_used_up(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, tl_error *err)
{
	tl_ledger_account w;
	int rc = tl_store_ledger_account_get(tx, wallet_id, &w, err);
	rc = rc ? rc : claim_used_up(tx, ctx, &w, err);
	if (rc != 1)
		return rc;
	size_t suspended = 0;
	rc = set_status(tx, ctx, &w, "suspended", "resource.suspended", &suspended, err);
	return rc ? rc : tl_audit_record(tx, ctx, "poc_wallet.used_up", w.account_id, w.id, NULL,
					 json_pack("{s:I}", "resources_suspended",
						   (json_int_t)suspended), err);
}

int tl_poc_wallet_topped_up(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, tl_error *err)
{
	tl_ledger_account w;
	int rc = tl_store_ledger_account_get(tx, wallet_id, &w, err);
	if (rc < 0 || w.expires_at <= ctx->now || tl_ledger_available(&w) <= 0)
		return rc;
	size_t reactivated = 0;
	return set_status_from(tx, ctx, &w, "active", "resource.reactivated", true, &reactivated,
			       err);
}

static int delete_after_retention(tl_tx *tx, const tl_ctx *ctx, const tl_ledger_account *w,
				  tl_poc_expiry_report *out, tl_error *err)
{
	if (ctx->now < w->expires_at + TL_POC_RETENTION_S)
		return 0;
	int rc = claim(tx, ctx, "poc_expiry.done", w, err);
	if (rc != 1)
		return rc;
	return set_status(tx, ctx, w, "deleted", "resource.deleted", &out->deleted, err);
}

/* The first of the wallet's steps (reminders 7, 3 and 1 days ahead, the
 * expiry, the end of the retention) still to come after now; -1 when none
 * is: the wallet is done. */
static int64_t next_step_at(const tl_ledger_account *w, int64_t now)
{
	if (w->expires_at <= 0)
		return -1; /* never expires */
	const int64_t steps[] = {w->expires_at - 7 * 86400, w->expires_at - 3 * 86400,
				 w->expires_at - 86400, w->expires_at,
				 w->expires_at + TL_POC_RETENTION_S};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] > now)
			return steps[i];
	return -1;
}

typedef struct wallet_step {
	const tl_ctx *ctx;
	const tl_ledger_account *wallet;
	tl_poc_expiry_report *out;
} wallet_step;

/* A wallet's due steps, in its own savepoint: counted only when they hold. */
static int wallet_step_tx(tl_tx *tx, void *arg, tl_error *err)
{
	wallet_step *w = arg;
	const tl_ctx *ctx = w->ctx;
	tl_poc_expiry_report part = {0};
	int rc = remind(tx, ctx, w->wallet, &part, err);
	rc = rc ? rc : suspend(tx, ctx, w->wallet, &part, err);
	rc = rc ? rc : delete_after_retention(tx, ctx, w->wallet, &part, err);
	rc = rc ? rc : tl_store_poc_wallet_next_step(tx, w->wallet->id,
						     next_step_at(w->wallet, ctx->now), err);
	if (rc == 0) {
		w->out->reminders += part.reminders;
		w->out->suspended += part.suspended;
		w->out->deleted += part.deleted;
	}
	return rc;
}

int tl_poc_expiry_run(tl_tx *tx, const tl_ctx *ctx, size_t max, tl_poc_expiry_report *out,
		      tl_error *err)
{
	*out = (tl_poc_expiry_report){0};
	tl_ledger_account *wallets = calloc(max, sizeof(*wallets));
	size_t n = 0;
	int rc = wallets ? tl_store_poc_wallets_due(tx, ctx->now, wallets, max, &n, err)
			 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		wallet_step w = {.ctx = ctx, .wallet = &wallets[i], .out = out};
		tl_job_subject s = {.job = "poc_expiry", .subject = wallets[i].id,
				    .account_id = wallets[i].account_id};
		int64_t retry_at = 0;
		rc = tl_job_subject_run(tx, ctx, &s, wallet_step_tx, &w, &retry_at, err);
		/* failed: the wallet is due again at its retry, not at once */
		if (rc == 0 && retry_at)
			rc = tl_store_poc_wallet_next_step(tx, wallets[i].id, retry_at, err);
	}
	out->visited = n;
	free(wallets);
	return rc;
}
