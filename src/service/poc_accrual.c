/* poc_accrual.c: hourly POC usage against POC wallets; see poc_accrual.h. */
#include "service/poc_accrual.h"
#include "service/resources.h"
#include "service/job_failures.h"
#include "service/ledger.h"
#include "service/poc_expiry.h"
#include "domain/pricing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Usage cost of r from its creation to `until`. */
static int cost_until(const tl_resource *r, int64_t unit_price, int64_t until, int64_t *out)
{
	return tl_pricing_usage_cost((until - r->created_at) / 60, unit_price, r->quantity, 0, out);
}

static int charge_transfer(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r,
			   const tl_ledger_account *wallet, int64_t amount, int64_t hour_end,
			   tl_error *err)
{
	tl_transfer t = {.kind = TL_TRANSFER_SINGLE, .amount = amount};
	/* names the resource and the hour: a second run cannot charge it again */
	snprintf(t.id, sizeof(t.id), "poc:%s:%lld", r->id, (long long)hour_end);
	snprintf(t.debit_account, sizeof(t.debit_account), "%s", r->poc_wallet_id);
	tl_ledger_system_account_id(t.credit_account, "revenue", wallet->currency);
	snprintf(t.code, sizeof(t.code), "poc_usage");
	snprintf(t.reference, sizeof(t.reference), "%s", r->id);
	return tl_ledger_move(tx, ctx, &t, 1, err);
}

static int charge(tl_tx *tx, const tl_ctx *ctx, tl_resource *r, int64_t amount, int64_t hour_end,
		  tl_error *err)
{
	tl_ledger_account wallet;
	int rc = tl_store_ledger_account_get(tx, r->poc_wallet_id, &wallet, err);
	if (rc < 0)
		return rc;
	int64_t available = tl_ledger_available(&wallet);
	bool used_up = amount >= available;
	if (amount > available)
		amount = available; /* what is left; the rest of the hour is free */
	if (amount > 0)
		rc = charge_transfer(tx, ctx, r, &wallet, amount, hour_end, err);
	/* rule 9: a wallet used up suspends the POC resources it pays for */
	return rc ? rc : used_up ? tl_poc_wallet_used_up(tx, ctx, r->poc_wallet_id, err) : 0;
}


static int accrue_one(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, tl_resource *r,
		      tl_error *err)
{
	const tl_catalog_item *item = tl_catalog_item_find(cat, r->item_id);
	if (item == NULL || r->poc_wallet_id[0] == '\0')
		return 0;
	tl_ledger_account wallet;
	int rc = tl_store_ledger_account_get(tx, r->poc_wallet_id, &wallet, err);
	if (rc < 0)
		return rc;
	/* rule 9: at expiry the resource is suspended, so the use after it is
	 * never the wallet's, even when the jobs run late (the expiry job runs
	 * after this one, and a pass may come hours after the expiry) */
	int64_t end = wallet.expires_at > 0 && wallet.expires_at < ctx->now ? wallet.expires_at
									  : ctx->now;
	int64_t hours = end > r->accrued_until ? (end - r->accrued_until) / 3600 : 0;
	bool expired = end < ctx->now;
	if (hours <= 0 && !expired)
		return 0;
	/* priced in the POC wallet's (the account's) currency, never another */
	int64_t price = 0;
	tl_error why = {0};
	if (rc == 0 && tl_catalog_price(cat, item, wallet.currency, &price, &why) < 0) {
		/* creation checked it, so the catalog changed since: like an item
		 * it no longer has, not charged rather than charged at another
		 * currency's price (the hours stay unaccrued for a later catalog) */
		tl_error_clear(&why);
		return 0;
	}
	int64_t until = r->accrued_until + hours * 3600, before, after;
	rc = rc ? rc : cost_until(r, price, r->accrued_until, &before);
	rc = rc ? rc : cost_until(r, price, until, &after);
	if (rc < 0)
		return tl_error_set(err, TL_EINTERNAL, "price_overflow", "POC usage of %.40s overflows",
				    r->id);
	/* saved before the charge: a wallet used up suspends r (and saves it);
	 * past its wallet's expiry nothing is left to charge, so it leaves the
	 * sweep until the expiry job suspends it */
	r->accrued_until = expired ? ctx->now : until;
	r->updated_at = ctx->now;
	rc = tl_resources_save(tx, r, err);
	return rc || hours <= 0 ? rc : charge(tx, ctx, r, after - before, until, err);
}

typedef struct accrual {
	const tl_ctx *ctx;
	const tl_catalog *catalog;
	tl_resource *r;
} accrual;

static int accrue_tx(tl_tx *tx, void *arg, tl_error *err)
{
	accrual *a = arg;
	/* read again: the pass's list was read before the others were charged,
	 * and one of them using the wallet up suspended this one since; saving
	 * the copy read before would make it active again */
	tl_resource r;
	int rc = tl_store_resource_get(tx, a->r->id, &r, err);
	if (rc < 0)
		return rc;
	if (strcmp(r.status, "active") == 0 && strcmp(r.billing_mode, "poc") == 0)
		rc = accrue_one(tx, a->ctx, a->catalog, &r, err);
	tl_resource_release(&r);
	return rc;
}

int tl_poc_accrue_due(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog, size_t max,
		      size_t *charged, tl_error *err)
{
	tl_resource *due = calloc(max, sizeof(*due));
	size_t n = 0;
	int rc = due ? tl_store_resource_list_poc(tx, ctx->now - 3599, ctx->now, due, max, &n, err)
		     : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		accrual a = {.ctx = ctx, .catalog = catalog, .r = &due[i]};
		tl_job_subject s = {.job = "poc_accrual", .subject = due[i].id,
				    .account_id = due[i].account_id};
		if (rc == 0) /* a failing one waits for its retry (the sweep leaves it out) */
			rc = tl_job_subject_run(tx, ctx, &s, accrue_tx, &a, NULL, err);
		tl_resource_release(&due[i]);
	}
	free(due);
	*charged = rc == 0 ? n : 0;
	return rc;
}
