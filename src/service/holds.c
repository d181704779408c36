/* holds.c: the hold of 3 days of postpaid use, placed daily, paid from
 * at month end and on deletion; see holds.h. */
#include "service/holds.h"
#include "service/audit.h"
#include "service/checkout.h"
#include "service/invoices.h"
#include "service/job_failures.h"
#include "service/ledger.h"
#include "service/reconcile_internal.h"
#include "service/resources.h"
#include "service/suspensions.h"
#include "common/ids.h"
#include "common/timefmt.h"
#include "domain/money.h"
#include "domain/pricing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Releases the account's holds (they are replaced by a new one). */
int tl_holds_release(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, tl_error *err)
{
	tl_transfer *holds = calloc(TL_PAGE_MAX, sizeof(*holds));
	if (holds == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_page page = {.limit = TL_PAGE_MAX};
	size_t n = 0;
	int rc = 0;
	do { /* every page: a wallet's hold history grows every day */
		rc = tl_store_transfer_list(tx, wallet_id, true, &page, holds, &n, err);
		if (rc == 0 && n > 0)
			snprintf(page.after, sizeof(page.after), "%s", holds[n - 1].id);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (strcmp(holds[i].state, "pending") != 0 ||
			    strcmp(holds[i].code, "hold") != 0)
				continue;
			tl_transfer v = {.kind = TL_TRANSFER_VOID};
			snprintf(v.pending_id, sizeof(v.pending_id), "%s", holds[i].id);
			snprintf(v.code, sizeof(v.code), "hold_release");
			rc = tl_ledger_move(tx, ctx, &v, 1, err);
		}
	} while (rc == 0 && n == TL_PAGE_MAX);
	free(holds);
	return rc;
}

bool tl_holds_settled(const tl_catalog *cat, const tl_resource *r)
{
	const tl_catalog_service *s = tl_catalog_service_find(cat, r->service);
	return s && s->settlement == TL_SETTLE_HOLD;
}

/* ---- paying from the hold ------------------------------------------------------ */

static bool invoice_hold_settled(const tl_catalog *cat, const tl_invoice *inv)
{
	const tl_catalog_service *s = tl_catalog_service_find(cat, inv->service);
	return s && s->settlement == TL_SETTLE_HOLD;
}

/* Pays the hold-settled invoices among `invoices` from the account's live
 * holds (DESIGN.md: the month's use "paid from the held credit"): each hold
 * is posted for what it pays, which releases the rest of it, and one that
 * pays nothing is released. What the holds cannot pay stays open, for
 * credit. A hold whose time has come is left to the expiry sweep. */
int tl_holds_pay_invoices(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			  const char *account, invoice_set *invoices, tl_error *err)
{
	size_t count = invoices->n, n = 0;
	char wallet_id[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet_id, account);
	tl_ledger_account wallet;
	tl_transfer *holds = calloc(TL_PAGE_MAX, sizeof(*holds));
	int64_t *take = calloc(count ? count : 1, sizeof(*take));
	int rc = holds && take ? tl_store_ledger_account_get(tx, wallet_id, &wallet, err)
			       : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_page page = {.limit = TL_PAGE_MAX};
	rc = rc ? rc : tl_store_transfer_list(tx, wallet_id, true, &page, holds, &n, err);
	for (size_t h = 0; rc == 0 && h < n; h++) {
		const tl_transfer *p = &holds[h];
		if (strcmp(p->state, "pending") != 0 || strcmp(p->code, "hold") != 0 ||
		    (p->expires_at > 0 && p->expires_at <= ctx->now))
			continue;
		int64_t left = p->amount, used = 0;
		for (size_t i = 0; i < count; i++) {
			const tl_invoice *inv = &invoices->v[i];
			int64_t open = inv->total - inv->amount_paid;
			take[i] = invoice_hold_settled(cat, inv) && open > 0 ? (open < left ? open : left)
									     : 0;
			left -= take[i];
			used += take[i];
		}
		tl_transfer t = {.kind = used > 0 ? TL_TRANSFER_POST : TL_TRANSFER_VOID,
				 .amount = used};
		snprintf(t.pending_id, sizeof(t.pending_id), "%s", p->id);
		snprintf(t.code, sizeof(t.code), used > 0 ? "hold_post" : "hold_release");
		rc = tl_ledger_move(tx, ctx, &t, 1, err);
		for (size_t i = 0; rc == 0 && i < count; i++)
			if (take[i] > 0)
				rc = tl_invoices_pay_from_hold(tx, ctx, &invoices->v[i], p->id, t.id,
							       take[i], err);
	}
	free(take);
	free(holds);
	return rc;
}

static int hold_estimate(const tl_catalog *cat, const char *currency, const tl_resource *rs,
			 size_t n, int64_t *out);

/* A new hold: `already` (this month's use so far, with tax) plus 3 days of
 * use of the account's live hold-settled resources. *short_of is set when
 * credit could not cover it (a warning is recorded). */
int tl_holds_place(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			 const char *account, const tl_resource *rs, size_t n, int64_t already,
			 bool *short_of, tl_error *err)
{
	int64_t amount = 0;
	*short_of = false;
	char currency[4];
	int rc = tl_reconcile_account_currency(tx, account, currency, err);
	if (rc < 0)
		return rc;
	rc = hold_estimate(cat, currency, rs, n, &amount);
	if (rc == 0 && tl_money_add(amount, already, &amount) < 0)
		rc = TL_EINVALID;
	if (rc < 0 || amount <= 0)
		return rc < 0 ? tl_error_set(err, TL_EINVALID, "price_overflow", "hold overflows") : 0;
	tl_transfer t = {.kind = TL_TRANSFER_PENDING, .amount = amount,
			 .expires_at = ctx->now + TL_HOLD_LIFETIME_S};
	tl_id_new(t.id, sizeof(t.id), "hold");
	tl_ledger_credit_wallet_id(t.debit_account, account);
	tl_ledger_system_account_id(t.credit_account, "revenue", currency);
	snprintf(t.code, sizeof(t.code), "hold");
	snprintf(t.reference, sizeof(t.reference), "use and 3 days");
	tl_error why = {0};
	rc = tl_ledger_move(tx, ctx, &t, 1, &why);
	if (rc == TL_EFUNDS) { /* warned, and what credit there is stays held */
		*short_of = true;
		tl_error_clear(&why);
		tl_ledger_account wallet;
		rc = tl_store_ledger_account_get(tx, t.debit_account, &wallet, err);
		t.amount = rc == 0 ? tl_ledger_available(&wallet) : 0;
		if (rc == 0 && t.amount > 0) {
			tl_id_new(t.id, sizeof(t.id), "hold");
			rc = tl_ledger_move(tx, ctx, &t, 1, err);
		}
		rc = rc ? rc : tl_audit_record(tx, ctx, "hold.insufficient_credit", account, t.id,
					       NULL, json_pack("{s:I, s:I}", "needed",
							       (json_int_t)amount, "held",
							       (json_int_t)t.amount), err);
	} else if (rc < 0) {
		tl_error_set(err, rc, why.code, "%s", why.message);
	}
	tl_error_clear(&why);
	return rc;
}

static int hold_estimate(const tl_catalog *cat, const char *currency, const tl_resource *rs,
			 size_t n, int64_t *out)
{
	tl_price_line *lines = malloc((n ? n : 1) * sizeof(*lines)); /* an account has any number */
	if (lines == NULL)
		return TL_EINTERNAL;
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t price = 0;
		const tl_catalog_item *item = tl_reconcile_priced_item(cat, &rs[i], currency, &price, NULL);
		if (item && tl_holds_settled(cat, &rs[i]) && strcmp(rs[i].status, "active") == 0)
			lines[count++] = (tl_price_line){.unit_price = price,
							  .quantity = rs[i].quantity};
	}
	*out = 0;
	int rc = count ? tl_pricing_hold_amount(lines, count, cat->hold_days, cat->tax_rate_bp, out)
		       : 0;
	free(lines);
	return rc;
}

static void day_name(int64_t t, char out[16])
{
	char text[TL_TIME_STR_MAX];
	tl_time_format(t, text);
	snprintf(out, 16, "%.10s", text);
}

/* Warned today and each of the TL_HOLD_GRACE_DAYS days before: the
 * account's hold-settled resources are suspended. */
static int maybe_suspend(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, const char *account,
			 tl_resource *rs, size_t n, const char *today, tl_holds_report *out,
			 tl_error *err)
{
	for (int back = 1; back <= TL_HOLD_GRACE_DAYS; back++) {
		char day[16];
		day_name(ctx->now - (int64_t)back * 86400, day);
		int rc = tl_store_job_run_exists(tx, "hold.warned", account, day, err);
		if (rc != 1)
			return rc < 0 ? rc : 0;
	}
	int rc = tl_store_job_run_claim(tx, "hold.suspend", account, today, ctx->now, err);
	for (size_t i = 0; rc == 1 && i < n; i++) {
		tl_resource *r = &rs[i];
		if (!tl_holds_settled(cat, r) || strcmp(r->status, "active") != 0)
			continue;
		json_t *before = tl_resource_to_json(r);
		snprintf(r->status, sizeof(r->status), "suspended");
		r->updated_at = ctx->now;
		int wrc = tl_resources_save(tx, r, err);
		wrc = wrc ? (json_decref(before), wrc)
			  : tl_audit_record(tx, ctx, "resource.suspended", account, r->id, before,
					    tl_resource_to_json(r), err);
		wrc = wrc ? wrc : tl_suspension_open(tx, ctx, r, err);
		if (wrc < 0)
			return wrc;
		out->suspended++;
	}
	return rc < 0 ? rc : 0;
}

/* Counts the account's suspended hold-settled resources as running, for
 * the hold estimate: the hold decides whether they may run again. Marks
 * them in woken. */
static void wake_for_estimate(const tl_catalog *cat, tl_resource *rs, size_t n, bool *woken)
{
	for (size_t i = 0; i < n; i++) {
		woken[i] = tl_holds_settled(cat, &rs[i]) && strcmp(rs[i].status, "suspended") == 0;
		if (woken[i])
			snprintf(rs[i].status, sizeof(rs[i].status), "active");
	}
}

/* Credit covers the hold again: the resources it had suspended run again
 * (resource.reactivated); their suspension ends now, so from now on their
 * time is rated. Short: they stay suspended. */
static int settle_woken(tl_tx *tx, const tl_ctx *ctx, tl_resource *rs, size_t n,
			const bool *woken, bool short_of, tl_holds_report *out, tl_error *err)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!woken[i])
			continue;
		tl_resource *r = &rs[i];
		snprintf(r->status, sizeof(r->status), "suspended");
		if (short_of)
			continue;
		json_t *before = tl_resource_to_json(r);
		snprintf(r->status, sizeof(r->status), "active");
		r->updated_at = ctx->now;
		rc = tl_suspension_close(tx, ctx, r->id, err);
		rc = rc ? rc : tl_resources_save(tx, r, err);
		rc = rc ? (json_decref(before), rc)
			: tl_audit_record(tx, ctx, "resource.reactivated", r->account_id, r->id,
					  before, tl_resource_to_json(r), err);
		out->reactivated += rc == 0;
	}
	return rc;
}

static int adjust_hold(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, const char *account,
		       const char *today, tl_holds_report *out, tl_error *err)
{
	int rc = tl_store_job_run_claim(tx, "hold.daily", account, today, ctx->now, err);
	if (rc != 1)
		return rc;
	tl_resource *rs = NULL;
	size_t n = 0;
	int64_t used = 0;
	bool short_of = false;
	char wallet[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet, account);
	rc = tl_reconcile_load_postpaid(tx, account, &rs, &n, err);
	bool *woken = rc == 0 ? calloc(n ? n : 1, sizeof(*woken)) : NULL;
	if (rc == 0 && woken == NULL)
		rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	rc = rc ? rc : tl_reconcile_month_so_far(tx, ctx, cat, rs, n, &used, err);
	rc = rc ? rc : tl_holds_release(tx, ctx, wallet, err);
	if (rc == 0)
		wake_for_estimate(cat, rs, n, woken);
	rc = rc ? rc : tl_holds_place(tx, ctx, cat, account, rs, n, used, &short_of, err);
	rc = rc ? rc : settle_woken(tx, ctx, rs, n, woken, short_of, out, err);
	free(woken);
	out->adjusted += rc == 0 && !short_of;
	if (rc == 0 && short_of) {
		out->warned++;
		rc = tl_store_job_run_claim(tx, "hold.warned", account, today, ctx->now, err);
		rc = rc < 0 ? rc : maybe_suspend(tx, ctx, cat, account, rs, n, today, out, err);
	}
	for (size_t i = 0; i < n; i++)
		tl_resource_release(&rs[i]);
	free(rs);
	return rc < 0 ? rc : 0;
}

/* The use of the account's hold-settled resources deleted and not yet
 * rated, up to their deletion: invoiced into invoices, and rated (their
 * accrued_until moves to their deletion, so the month's reconciliation
 * does not charge it again). *live: some hold-settled resource still runs. */
static int rate_deleted(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, tl_resource *rs,
			size_t n, invoice_set *invoices, bool *live, size_t *rated, tl_error *err)
{
	int rc = 0;
	*live = false;
	*rated = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		tl_resource *r = &rs[i];
		bool deleted = strcmp(r->status, "deleted") == 0;
		if (!tl_holds_settled(cat, r) || !deleted) {
			*live = *live || (tl_holds_settled(cat, r) && !deleted);
			continue;
		}
		if (r->accrued_until >= r->updated_at)
			continue;
		char currency[4];
		int64_t price = 0, cost = 0;
		tl_error why = {0};
		rc = tl_reconcile_account_currency(tx, r->account_id, currency, err);
		const tl_catalog_item *item = rc == 0 ? tl_reconcile_priced_item(cat, r, currency, &price, &why)
						      : NULL;
		tl_error_clear(&why); /* not priced in its currency: nothing to charge */
		bool metered = item && item->billing == TL_BILLING_METERED;
		rc = rc == 0 && item ? tl_reconcile_use_cost(tx, r, metered, price, r->accrued_until,
						r->updated_at, &cost, err)
				     : rc;
		tl_invoice fresh;
		if (rc == 0 && cost > 0) {
			rc = tl_invoices_usage(cat, r, item, currency, price, cost, r->accrued_until,
					       r->updated_at, &fresh, err);
			rc = rc ? rc : tl_reconcile_issue_into(tx, ctx, invoices, &fresh, err);
		}
		r->accrued_until = r->updated_at;
		rc = rc ? rc : tl_resources_save(tx, r, err);
		(*rated)++;
	}
	return rc;
}

int tl_holds_settle_deletion(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			     const char *resource_id, tl_error *err)
{
	tl_resource gone;
	int rc = tl_store_resource_get(tx, resource_id, &gone, err);
	if (rc < 0)
		return rc;
	char account[TL_ID_MAX], wallet[TL_ID_MAX];
	snprintf(account, sizeof(account), "%s", gone.account_id);
	tl_resource_release(&gone);
	tl_ledger_credit_wallet_id(wallet, account);
	tl_resource *rs = NULL;
	invoice_set invoices = {0};
	size_t n = 0, rated = 0;
	bool live = false, short_of = false;
	int64_t used = 0;
	/* every hold-settled resource the deletion took (a cluster's members
	 * too) is settled, whatever resource_id itself is; all of the
	 * account's pages: it used to read the oldest 512 only, so a deletion
	 * past them was neither invoiced nor its hold released */
	rc = tl_reconcile_load_postpaid(tx, account, &rs, &n, err);
	rc = rc ? rc : rate_deleted(tx, ctx, catalog, rs, n, &invoices, &live, &rated, err);
	/* one deleted by this call with no use to rate (deleted the moment it
	 * was converted) is settled too: nothing to invoice, the rest of the
	 * hold released. Seed 14 of the simulation: its conversion's hold
	 * stood until it expired 35 days later, as no daily run visits an
	 * account with nothing hold-settled left. */
	for (size_t k = 0; rc == 0 && rated == 0 && k < n; k++)
		rated += tl_holds_settled(catalog, &rs[k]) && strcmp(rs[k].status, "deleted") == 0 &&
			 rs[k].updated_at == ctx->now &&
			 (strcmp(rs[k].id, resource_id) == 0 ||
			  strcmp(rs[k].cluster_id, resource_id) == 0);
	if (rc == 0 && rated == 0)
		goto done; /* nothing hold-settled was deleted: the hold stands */
	/* the final use is paid from the hold at once; the rest of it released */
	rc = rc ? rc : tl_holds_pay_invoices(tx, ctx, catalog, account, &invoices, err);
	rc = rc ? rc : tl_holds_release(tx, ctx, wallet, err);
	/* what the hold lacked, from credit */
	rc = rc ? rc : tl_reconcile_settle_issued(tx, ctx, &invoices, NULL, err);
	/* the others still running are held for again: their month so far
	 * and 3 days ahead, as the daily run would */
	if (rc == 0 && live)
		rc = tl_reconcile_month_so_far(tx, ctx, catalog, rs, n, &used, err);
	if (rc == 0 && live)
		rc = tl_holds_place(tx, ctx, catalog, account, rs, n, used, &short_of, err);
done:
	for (size_t k = 0; k < n; k++)
		tl_resource_release(&rs[k]);
	free(rs);
	tl_reconcile_invoices_release(&invoices);
	return rc;
}

int tl_holds_daily_placed(tl_tx *tx, const tl_ctx *ctx, const char *account, tl_error *err)
{
	/* Only live ones have a daily hold (the daily run skips an account whose
	 * hold-settled resources are all deleted): with none, this payment's
	 * hold is today's. */
	tl_resource page[4];
	char after[TL_ID_MAX] = "";
	bool live = false;
	size_t n = 0;
	int rc = 0;
	do {
		rc = after[0] ? tl_store_postpaid_resources_after(tx, account, after, page, 4, &n,
								  err)
			      : tl_store_postpaid_resources(tx, account, page, 4, &n, err);
		for (size_t k = 0; k < n; k++) {
			live = live || strcmp(page[k].status, "deleted") != 0;
			memcpy(after, page[k].id, sizeof(after));
			tl_resource_release(&page[k]);
		}
	} while (rc == 0 && !live && n == 4);
	if (rc < 0 || live)
		return rc;
	char today[16];
	day_name(ctx->now, today);
	rc = tl_store_job_run_claim(tx, "hold.daily", account, today, ctx->now, err);
	return rc < 0 ? rc : 0;
}

typedef struct hold_day {
	const tl_ctx *ctx;
	const tl_catalog *cat;
	const char *account;
	const char *today;
	tl_holds_report *out;
} hold_day;

/* One account's daily hold, in its own savepoint: counted only when it
 * holds. */
static int adjust_hold_tx(tl_tx *tx, void *arg, tl_error *err)
{
	hold_day *h = arg;
	tl_holds_report part = {0};
	int rc = adjust_hold(tx, h->ctx, h->cat, h->account, h->today, &part, err);
	if (rc == 0) {
		h->out->adjusted += part.adjusted;
		h->out->warned += part.warned;
		h->out->suspended += part.suspended;
		h->out->reactivated += part.reactivated;
	}
	return rc;
}

int tl_holds_daily_run(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog, size_t max,
		       tl_holds_report *out, tl_error *err)
{
	*out = (tl_holds_report){0};
	char today[16];
	day_name(ctx->now, today);
	char (*accounts)[TL_ID_MAX] = calloc(max, sizeof(*accounts));
	size_t n = 0;
	int rc = accounts ? tl_store_postpaid_accounts(tx, ctx->now + 1, "hold.daily", today,
						      ctx->now, accounts, max, &n, err)
			  : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		hold_day h = {.ctx = ctx, .cat = catalog, .account = accounts[i], .today = today,
			      .out = out};
		tl_job_subject s = {.job = "hold.daily", .subject = accounts[i],
				    .account_id = accounts[i]};
		rc = tl_job_subject_run(tx, ctx, &s, adjust_hold_tx, &h, NULL, err);
	}
	free(accounts);
	return rc;
}

int tl_holds_short_today(tl_tx *tx, int64_t now, int64_t *out, tl_error *err)
{
	char today[16];
	day_name(now, today);
	return tl_store_job_run_count(tx, "hold.warned", today, out, err);
}
