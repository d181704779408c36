/* reconcile.c: the monthly reconciliation of postpaid use; see
 * reconcile.h. The hold is in holds.c. */
#include "service/reconcile.h"
#include "service/reconcile_internal.h"
#include "service/resources.h"
#include "service/suspensions.h"
#include "service/audit.h"
#include "service/invoices.h"
#include "service/checkout.h"
#include "service/job_failures.h"
#include "service/ledger.h"
#include "service/usage.h"
#include "common/ids.h"
#include "common/timefmt.h"
#include "domain/invoice.h"
#include "domain/money.h"
#include "domain/pricing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 00:00 UTC on the first day of t's month, and of the month before
 * (back 1) or after (back -1). */
static int64_t month_start(int64_t t, int back)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int month = tm.tm_year * 12 + tm.tm_mon - back;
	struct tm first = {.tm_year = month / 12, .tm_mon = month % 12, .tm_mday = 1};
	return (int64_t)timegm(&first);
}

/* The cost of r's use in [from, to): for an item billed on metered
 * records, those records there (read from their monthly totals for whole
 * months); for one billed on running time, its running time.
 * Never a mix: the catalog says which source an item's use comes from. */
static int use_cost(tl_tx *tx, const tl_resource *r, bool metered_item, int64_t unit_price,
		    int64_t from, int64_t to, int64_t *out, tl_error *err)
{
	*out = 0;
	if (to <= from) /* no record can count: the daily hold on the 1st, say */
		return 0;
	if (!metered_item) {
		int64_t suspended = 0; /* running time: not while suspended */
		int rc = tl_suspended_seconds(tx, r->id, from, to, &suspended, err);
		if (rc == 0 && to - from > suspended &&
		    tl_pricing_usage_cost((to - from - suspended) / 60, unit_price, r->quantity, 0,
					  out) < 0)
			rc = tl_error_set(err, TL_EINVALID, "price_overflow",
					  "usage of %.40s overflows", r->id);
		return rc;
	}
	/* the records' running totals (service/usage.c), priced once, as a
	 * sum, so a month metered hour by hour costs what the same month in
	 * one record does (rounding each record would charge up to half a unit
	 * per record more) */
	tl_usage_total use = {0};
	int rc = tl_usage_rated(tx, r->id, from, to, &use, err);
	if (rc < 0)
		return rc;
	if (use.records > 0)
		rc = tl_pricing_usage_cost(use.unit_minutes, unit_price, 1, 0, out);
	return rc < 0 ? tl_error_set(err, TL_EINVALID, "price_overflow", "usage of %.40s overflows",
				     r->id) : 0;
}

/* The account's currency: the only one its use is priced in. */
static int account_currency(tl_tx *tx, const char *account_id, char out[4], tl_error *err)
{
	tl_account a;
	int rc = tl_store_account_get(tx, account_id, &a, err);
	snprintf(out, 4, "%s", rc == 0 ? a.currency : "");
	return rc;
}

/* The item of r and its monthly unit price in currency: NULL when the
 * catalog has no such item or no price for it in that currency (then
 * *why, when given, says so). */
static const tl_catalog_item *priced_item(const tl_catalog *cat, const tl_resource *r,
					  const char *currency, int64_t *price, tl_error *why)
{
	const tl_catalog_item *item = tl_catalog_item_find(cat, r->item_id);
	tl_error ignored = {0};
	int rc = item ? tl_catalog_price(cat, item, currency, price, why ? why : &ignored) : 0;
	tl_error_clear(&ignored);
	return rc == 0 ? item : NULL;
}

int tl_reconcile_issue_into(tl_tx *tx, const tl_ctx *ctx, invoice_set *set, tl_invoice *inv,
		      tl_error *err)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		tl_invoice *grown = realloc(set->v, cap * sizeof(*grown));
		if (grown == NULL) {
			tl_invoice_release(inv);
			return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
		}
		set->v = grown;
		set->cap = cap;
	}
	set->v[set->n++] = *inv;
	return tl_invoices_issue(tx, ctx, &set->v[set->n - 1], NULL, err);
}

void tl_reconcile_invoices_release(invoice_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		tl_invoice_release(&set->v[i]);
	free(set->v);
	*set = (invoice_set){0};
}

int tl_reconcile_settle_issued(tl_tx *tx, const tl_ctx *ctx, invoice_set *set, size_t *unpaid,
			 tl_error *err)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < set->n; i++) {
		tl_invoice *inv = &set->v[i];
		int64_t paid_now = 0;
		rc = tl_invoices_pay_from_credit(tx, ctx, inv, &paid_now, err);
		rc = rc ? rc : tl_invoices_save(tx, ctx, inv, err);
		rc = rc ? rc : tl_audit_record(tx, ctx, "invoice.issued", inv->account_id, inv->id,
					       NULL, tl_invoice_to_json(inv), err);
		/* not paid in full at issue: debt from now on (a webhook) */
		bool paid = strcmp(inv->status, "paid") == 0;
		rc = rc || paid ? rc
				: tl_audit_record(tx, ctx, "invoice.overdue", inv->account_id, inv->id,
						  NULL, tl_invoice_to_json(inv), err);
		if (unpaid)
			*unpaid += strcmp(inv->status, "paid") != 0;
	}
	return rc;
}

typedef struct month {
	int64_t start, end; /* the month being reconciled: [start, end) */
	char name[8];       /* "2027-01" */
} month;

/* Rates one resource's month; an invoice issued into set when it cost
 * something. */
static int rate(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, tl_resource *r,
		const month *m, invoice_set *set, tl_error *err)
{
	char currency[4];
	int64_t price = 0;
	tl_error why = {0};
	int64_t from = r->accrued_until > m->start ? r->accrued_until : m->start;
	int64_t to = strcmp(r->status, "deleted") == 0 && r->updated_at < m->end ? r->updated_at
										 : m->end;
	int rc = account_currency(tx, r->account_id, currency, err);
	if (rc < 0)
		return rc;
	const tl_catalog_item *item = priced_item(cat, r, currency, &price, &why);
	if (item == NULL && why.err && to > from) {
		/* never priced in another currency: the error is recorded, and the
		 * use stays unrated (accrued_until unmoved) for a catalog that
		 * prices it */
		rc = tl_audit_record(tx, ctx, "usage.not_priced", r->account_id, r->id, NULL,
				     json_pack("{s:s, s:s, s:s, s:O?}", "month", m->name, "code",
					       why.code, "message", why.message, "details",
					       why.details), err);
		tl_error_clear(&why);
		return rc;
	}
	tl_error_clear(&why);
	int64_t cost = 0;
	bool metered = item && item->billing == TL_BILLING_METERED;
	rc = item && to > from ? use_cost(tx, r, metered, price, from, to, &cost, err) : 0;
	tl_invoice fresh;
	if (rc == 0 && cost > 0) {
		rc = tl_invoices_usage(cat, r, item, currency, price, cost, from, to, &fresh, err);
		rc = rc ? rc : tl_reconcile_issue_into(tx, ctx, set, &fresh, err);
	}
	/* only forward: a resource that began after the month (reconciled
	 * late) keeps its real start for the next month */
	if (r->accrued_until < m->end)
		r->accrued_until = m->end;
	if (strcmp(r->status, "deleted") != 0) /* a deleted one's is when it ended */
		r->updated_at = ctx->now;
	return rc ? rc : tl_resources_save(tx, r, err);
}

/* Every postpaid resource of the account (deleted ones included), read
 * TL_CASCADE_PAGE at a time into *out (a new array of *count): an
 * account may have any number of them, and each must be rated. */
static int load_postpaid(tl_tx *tx, const char *account, tl_resource **out, size_t *count,
			 tl_error *err)
{
	size_t cap = TL_CASCADE_PAGE, n = 0;
	tl_resource *rs = malloc(cap * sizeof(*rs));
	int rc = rs ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t got = TL_CASCADE_PAGE; rc == 0 && got == TL_CASCADE_PAGE; n += got) {
		if (n + TL_CASCADE_PAGE > cap) {
			tl_resource *grown = realloc(rs, cap * 2 * sizeof(*rs));
			if (grown == NULL) {
				rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
				break;
			}
			rs = grown;
			cap *= 2;
		}
		rc = tl_store_postpaid_resources_after(tx, account, n ? rs[n - 1].id : NULL, rs + n,
						       TL_CASCADE_PAGE, &got, err);
	}
	if (rc < 0) {
		for (size_t i = 0; rs && i < n; i++)
			tl_resource_release(&rs[i]);
		free(rs);
		rs = NULL;
		n = 0;
	}
	*out = rs;
	*count = n;
	return rc;
}

static int reconcile_account(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			     const char *account, const month *m, tl_reconcile_report *out,
			     tl_error *err)
{
	int rc = tl_store_job_run_claim(tx, "reconcile", account, m->name, ctx->now, err);
	if (rc != 1)
		return rc;
	tl_resource *rs = NULL;
	invoice_set invoices = {0};
	size_t n = 0;
	rc = load_postpaid(tx, account, &rs, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = rate(tx, ctx, cat, &rs[i], m, &invoices, err);
	char wallet[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet, account);
	rc = rc ? rc : tl_holds_pay_invoices(tx, ctx, cat, account, &invoices, err);
	rc = rc ? rc : tl_holds_release(tx, ctx, wallet, err);
	rc = rc ? rc : tl_reconcile_settle_issued(tx, ctx, &invoices, &out->unpaid, err);
	out->invoices += invoices.n;
	bool short_of;
	rc = rc ? rc : tl_holds_place(tx, ctx, cat, account, rs, n, 0, &short_of, err);
	for (size_t k = 0; k < n; k++)
		tl_resource_release(&rs[k]);
	free(rs);
	tl_reconcile_invoices_release(&invoices);
	out->accounts += rc == 0;
	return rc;
}

/* The month that contains t. */
static month month_at(int64_t t)
{
	month m = {.start = month_start(t, 0), .end = month_start(t, -1)};
	char text[TL_TIME_STR_MAX];
	tl_time_format(m.start, text);
	snprintf(m.name, sizeof(m.name), "%.7s", text);
	return m;
}

typedef struct account_month {
	const tl_ctx *ctx;
	const tl_catalog *cat;
	const char *account;
	const month *m;
	tl_reconcile_report *out;
} account_month;

/* One account's month, in its own savepoint: counted only when it holds. */
static int account_month_tx(tl_tx *tx, void *arg, tl_error *err)
{
	account_month *a = arg;
	tl_reconcile_report part = {0};
	int rc = reconcile_account(tx, a->ctx, a->cat, a->account, a->m, &part, err);
	if (rc == 0) {
		a->out->accounts += part.accounts;
		a->out->invoices += part.invoices;
		a->out->unpaid += part.unpaid;
	}
	return rc;
}

/* Rates every complete month of the account (those ending by `until`) not
 * rated yet, oldest first, at most *budget of them: a month the jobs did
 * not run (tallyd down over the 1st, or a failing pass) is caught up, and
 * each month is claimed (reconcile, account, month), so none is charged
 * twice. A month that fails is recorded and stops the account's later
 * months (they would start where it left off) until its retry. */
static int catch_up(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, const char *account,
		    int64_t until, size_t *budget, tl_reconcile_report *out, tl_error *err)
{
	int64_t since = -1;
	int rc = tl_store_postpaid_unrated_since(tx, account, &since, err);
	if (rc < 0 || since < 0)
		return rc;
	tl_job_subject s = {.job = "reconcile", .subject = account, .account_id = account};
	int64_t retry_at = 0;
	for (month m = month_at(since); rc == 0 && retry_at == 0 && *budget > 0 && m.end <= until;
	     m = month_at(m.end)) {
		account_month am = {.ctx = ctx, .cat = cat, .account = account, .m = &m, .out = out};
		(*budget)--;
		rc = tl_job_subject_run(tx, ctx, &s, account_month_tx, &am, &retry_at, err);
	}
	return rc;
}

int tl_reconcile_run(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog, size_t max,
		     tl_reconcile_report *out, tl_error *err)
{
	*out = (tl_reconcile_report){0};
	month last = month_at(month_start(ctx->now, 1)); /* the last complete month */
	char (*accounts)[TL_ID_MAX] = calloc(max, sizeof(*accounts));
	size_t n = 0, budget = max; /* account-months per pass */
	int rc = accounts ? tl_store_postpaid_accounts(tx, last.end, "reconcile", last.name,
						      ctx->now, accounts, max, &n, err)
			  : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; rc == 0 && i < n && budget > 0 &&
			   out->invoices < TL_RECONCILE_INVOICES_MAX; i++)
		rc = catch_up(tx, ctx, catalog, accounts[i], last.end, &budget, out, err);
	free(accounts);
	return rc;
}

/* ---- what the hold needs: the month's use so far (holds.c) ---------------------- */

/* This month's use so far of the account's hold-settled resources, with
 * tax per resource (as the invoices will charge it). */
static int month_so_far(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			const tl_resource *rs, size_t n, int64_t *out, tl_error *err)
{
	int64_t start = month_start(ctx->now, 0);
	*out = 0;
	char currency[4] = "";
	int crc = n > 0 ? account_currency(tx, rs[0].account_id, currency, err) : 0;
	if (crc < 0)
		return crc;
	for (size_t i = 0; i < n; i++) {
		int64_t price = 0;
		const tl_catalog_item *item = priced_item(cat, &rs[i], currency, &price, NULL);
		if (item == NULL || !tl_holds_settled(cat, &rs[i]))
			continue;
		/* one deleted this month still owes its days until its deletion
		 * (its updated_at), which the month's invoice will charge */
		bool deleted = strcmp(rs[i].status, "deleted") == 0;
		int64_t from = rs[i].accrued_until > start ? rs[i].accrued_until : start, cost = 0,
			tax = 0;
		int64_t to = deleted && rs[i].updated_at < ctx->now ? rs[i].updated_at : ctx->now;
		if (to <= from)
			continue;
		int rc = use_cost(tx, &rs[i], item->billing == TL_BILLING_METERED, price, from, to,
				  &cost, err);
		if (rc == 0 && (tl_money_percent_bp(cost, cat->tax_rate_bp, &tax) < 0 ||
				tl_money_add(*out, cost, out) < 0 || tl_money_add(*out, tax, out) < 0))
			rc = tl_error_set(err, TL_EINVALID, "price_overflow", "the hold overflows");
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- shared with holds.c (reconcile_internal.h) -------------------------------- */

int tl_reconcile_account_currency(tl_tx *tx, const char *account_id, char out[4],
				  tl_error *err)
{
	return account_currency(tx, account_id, out, err);
}

const tl_catalog_item *tl_reconcile_priced_item(const tl_catalog *cat, const tl_resource *r,
						const char *currency, int64_t *price,
						tl_error *why)
{
	return priced_item(cat, r, currency, price, why);
}

int tl_reconcile_use_cost(tl_tx *tx, const tl_resource *r, bool metered_item, int64_t unit_price,
			  int64_t from, int64_t to, int64_t *out, tl_error *err)
{
	return use_cost(tx, r, metered_item, unit_price, from, to, out, err);
}

int tl_reconcile_month_so_far(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			      const tl_resource *rs, size_t n, int64_t *out, tl_error *err)
{
	return month_so_far(tx, ctx, cat, rs, n, out, err);
}

int tl_reconcile_load_postpaid(tl_tx *tx, const char *account, tl_resource **out,
			       size_t *count, tl_error *err)
{
	return load_postpaid(tx, account, out, count, err);
}
