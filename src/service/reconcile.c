/* reconcile.c: the monthly reconciliation of postpaid use, debt
 * collection, and the hold of 3 days of use; see reconcile.h. */
#include "service/reconcile.h"
#include "service/suspensions.h"
#include "service/audit.h"
#include "service/billing_docs.h"
#include "service/checkout.h"
#include "service/job_failures.h"
#include "service/ledger.h"
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

/* Adds the use (minutes x quantity) of the metered records among docs
 * that start in [from, to) to *unit_minutes, counting them in *metered.
 * Frees docs' contents. The use is priced once, as a sum, so a month
 * metered hour by hour costs what the same month in one record does
 * (rounding each record would charge up to half a unit per record more). */
static int add_metered(tl_doc *docs, size_t n, int64_t from, int64_t to,
		       int64_t *unit_minutes, size_t *metered)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *u = json_loads(docs[i].body, 0, NULL);
		int64_t start = tl_time_member(u, "start"), use = 0;
		if (rc == 0 && start >= from && start < to) {
			(*metered)++;
			rc = tl_money_mul(json_integer_value(json_object_get(u, "minutes")),
					  json_integer_value(json_object_get(u, "quantity")), &use);
			rc = rc ? rc : tl_money_add(*unit_minutes, use, unit_minutes);
		}
		json_decref(u);
		tl_doc_free(&docs[i]);
	}
	return rc;
}

/* The cost of r's use in [from, to): for an item billed on metered
 * records, those records there (every page of them: hourly metering is 744
 * records a month); for one billed on running time, its running time.
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
	tl_doc *docs = calloc(TL_PAGE_MAX, sizeof(*docs));
	if (docs == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_query q = {.kind = "usage", .ref = r->id};
	tl_page page = {.limit = TL_PAGE_MAX};
	size_t n = 0, metered = 0;
	int64_t unit_minutes = 0;
	int rc = 0;
	do {
		rc = tl_store_doc_list(tx, &q, &page, docs, &n, err);
		if (rc == 0 && n > 0)
			snprintf(page.after, sizeof(page.after), "%s", docs[n - 1].id);
		if (rc == 0 && add_metered(docs, n, from, to, &unit_minutes, &metered) < 0)
			rc = tl_error_set(err, TL_EINVALID, "price_overflow", "usage of %.40s overflows",
					  r->id);
	} while (rc == 0 && n == TL_PAGE_MAX);
	free(docs);
	if (rc < 0)
		return rc;
	if (metered > 0)
		rc = tl_pricing_usage_cost(unit_minutes, unit_price, 1, 0, out);
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

/* A usage invoice for one resource, unpaid until paid below. */
static int issue(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, const tl_resource *r,
		 const tl_catalog_item *item, const char *currency, int64_t unit_price,
		 int64_t cost, int64_t from, int64_t to, json_t **out, tl_error *err)
{
	tl_checkout *c = calloc(1, sizeof(*c)); /* the invoice's source: one line */
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	snprintf(c->account_id, sizeof(c->account_id), "%s", r->account_id);
	snprintf(c->currency, sizeof(c->currency), "%s", currency);
	c->tax_rate_bp = cat->tax_rate_bp;
	tl_checkout_line *l = &c->lines[0];
	snprintf(l->resource_id, sizeof(l->resource_id), "%s", r->id);
	snprintf(l->resource_name, sizeof(l->resource_name), "%s", r->name);
	snprintf(l->service, sizeof(l->service), "%s", r->service);
	snprintf(l->item_id, sizeof(l->item_id), "%s", item->id);
	snprintf(l->item_name, sizeof(l->item_name), "%s", item->name);
	l->unit = item->unit;
	l->price = (tl_price_line){.unit_price = unit_price, .quantity = r->quantity,
				   .gross = cost, .amount = cost, .taxable = cost};
	int rc = tl_money_percent_bp(cost, cat->tax_rate_bp, &l->price.tax);
	rc = rc ? rc : tl_money_add(cost, l->price.tax, &l->price.total);
	char counter[32], number[TL_INVOICE_NUMBER_MAX], id[TL_ID_MAX];
	int year = tl_invoice_year(ctx->now);
	int64_t seq = 0;
	snprintf(counter, sizeof(counter), "invoice:%d", year);
	rc = rc ? rc : tl_store_counter_next(tx, counter, &seq, err);
	if (rc == 0) {
		tl_invoice_number(number, year, seq);
		tl_id_new(id, sizeof(id), "inv");
		json_t *transfers = json_array();
		tl_invoice_source src = {.checkout = c, .line = l, .id = id, .number = number,
					 .kind = "usage", .payment_id = "", .transfer_ids = transfers,
					 .period_start = from, .period_end = to, .issued_at = ctx->now};
		*out = tl_invoice_build(&src);
		json_decref(transfers);
		json_object_set_new(*out, "status", json_string("unpaid"));
		json_object_set_new(*out, "amount_paid", json_integer(0));
		json_object_set_new(*out, "payment_id", json_null());
		json_object_set_new(*out, "checkout_id", json_null());
	}
	free(c);
	return rc;
}

static int save_invoice(tl_tx *tx, const tl_ctx *ctx, json_t *inv, bool insert, tl_error *err)
{
	const char *id = json_string_value(json_object_get(inv, "id"));
	if (insert)
		return tl_billing_insert(tx, "invoice", id,
					 json_string_value(json_object_get(inv, "account_id")),
					 json_string_value(json_object_get(inv, "number")),
					 json_string_value(json_object_get(inv, "resource_id")), inv,
					 ctx->now, err);
	tl_doc d = {.updated_at = ctx->now};
	snprintf(d.kind, sizeof(d.kind), "invoice");
	snprintf(d.id, sizeof(d.id), "%s", id);
	snprintf(d.status, sizeof(d.status), "%s", json_string_value(json_object_get(inv, "status")));
	if (strcmp(d.status, "paid") != 0)
		d.due_at = ctx->now; /* still debt: the collection keeps looking at it */
	d.body = json_dumps(inv, JSON_COMPACT);
	int rc = d.body ? tl_store_doc_update(tx, &d, err)
			: tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_free(&d);
	return rc;
}

/* The share of the invoice's tax in its first `paid` minor units: rounded
 * the same way each time, so the shares of all payments add up to the tax
 * exactly once the invoice is paid in full. */
static int tax_share(int64_t tax, int64_t paid, int64_t total, int64_t *out)
{
	return tl_money_mul_div(tax, paid, total, out);
}

/* Ledger transfers for `pay` of an invoice: revenue and tax payable get
 * their shares. Their ids are appended to the invoice's transfer_ids. */
static int pay_transfers(tl_tx *tx, const tl_ctx *ctx, json_t *inv, const char *wallet_id,
			 const char *currency, int64_t already, int64_t pay, tl_error *err)
{
	int64_t total = json_integer_value(json_object_get(inv, "total"));
	int64_t tax = json_integer_value(json_object_get(inv, "tax"));
	int64_t tax_before = 0, tax_after = 0;
	if (tax_share(tax, already, total, &tax_before) < 0 ||
	    tax_share(tax, already + pay, total, &tax_after) < 0)
		return tl_error_set(err, TL_EINVALID, "price_overflow", "the invoice overflows");
	const int64_t amounts[2] = {pay - (tax_after - tax_before), tax_after - tax_before};
	tl_transfer t[2];
	size_t n = 0;
	for (int i = 0; i < 2; i++) {
		if (amounts[i] <= 0)
			continue;
		t[n] = (tl_transfer){.kind = TL_TRANSFER_SINGLE, .amount = amounts[i]};
		snprintf(t[n].debit_account, sizeof(t[n].debit_account), "%s", wallet_id);
		tl_ledger_system_account_id(t[n].credit_account, i ? "tax_payable" : "revenue",
					    currency);
		snprintf(t[n].code, sizeof(t[n].code), i ? "usage_tax" : "usage");
		snprintf(t[n].reference, sizeof(t[n].reference), "%s",
			 json_string_value(json_object_get(inv, "id")));
		n++;
	}
	int rc = tl_ledger_move(tx, ctx, t, n, err);
	json_t *ids = json_object_get(inv, "transfer_ids");
	for (size_t i = 0; rc == 0 && i < n; i++)
		json_array_append_new(ids, json_string(t[i].id));
	return rc;
}

/* Pays what available credit allows of an invoice's open amount: all of
 * it (status `paid`) or part (`partial_paid`, the rest still debt), each
 * payment its own payment document. *paid_now: the amount paid (0: none). */
static int pay_invoice(tl_tx *tx, const tl_ctx *ctx, json_t *inv, int64_t *paid_now,
		       tl_error *err)
{
	const char *account = json_string_value(json_object_get(inv, "account_id"));
	int64_t total = json_integer_value(json_object_get(inv, "total"));
	int64_t already = json_integer_value(json_object_get(inv, "amount_paid"));
	tl_ledger_account wallet;
	char wallet_id[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet_id, account);
	*paid_now = 0;
	int rc = tl_store_ledger_account_get(tx, wallet_id, &wallet, err);
	int64_t open = total - already, available = rc == 0 ? tl_ledger_available(&wallet) : 0;
	int64_t pay = available < open ? available : open;
	if (rc < 0 || pay <= 0)
		return rc;
	rc = pay_transfers(tx, ctx, inv, wallet_id, wallet.currency, already, pay, err);
	char payment_id[TL_ID_MAX], at[TL_TIME_STR_MAX];
	tl_id_new(payment_id, sizeof(payment_id), "pay");
	tl_time_format(ctx->now, at);
	json_t *payment = json_pack("{s:s, s:s, s:s, s:I, s:s, s:[O], s:n, s:s, s:s}", "id",
				    payment_id, "account_id", account, "method", "credit", "amount",
				    (json_int_t)pay, "currency", wallet.currency, "invoice_ids",
				    json_object_get(inv, "id"), "checkout_id", "status", "succeeded",
				    "created_at", at);
	rc = rc ? rc : tl_billing_insert(tx, "payment", payment_id, account, NULL, NULL, payment,
					 ctx->now, err);
	rc = rc ? (json_decref(payment), rc)
		: tl_audit_record(tx, ctx, "payment.succeeded", account, payment_id, NULL, payment,
				  err);
	if (rc < 0)
		return rc;
	json_object_set_new(inv, "amount_paid", json_integer(already + pay));
	json_object_set_new(inv, "status",
			    json_string(already + pay == total ? "paid" : "partial_paid"));
	json_object_set_new(inv, "payment_id", json_string(payment_id));
	*paid_now = pay;
	return 0;
}

/* Releases the account's holds (they are replaced by a new one). */
static int release_holds(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, tl_error *err)
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

static bool hold_settled(const tl_catalog *cat, const tl_resource *r)
{
	const tl_catalog_service *s = tl_catalog_service_find(cat, r->service);
	return s && s->settlement == TL_SETTLE_HOLD;
}

/* ---- paying from the hold ------------------------------------------------------ */

static bool invoice_hold_settled(const tl_catalog *cat, const json_t *inv)
{
	const char *service = json_string_value(json_object_get(inv, "service"));
	const tl_catalog_service *s = service ? tl_catalog_service_find(cat, service) : NULL;
	return s && s->settlement == TL_SETTLE_HOLD;
}

/* `pay` of an invoice came from hold hold_id, posted (whole, to revenue) by
 * transfer post_id: the invoice's tax share of it moves on to tax payable,
 * and a payment of method "hold" records it. */
static int pay_invoice_from_hold(tl_tx *tx, const tl_ctx *ctx, json_t *inv, const char *currency,
				 const char *hold_id, const char *post_id, int64_t pay,
				 tl_error *err)
{
	const char *account = json_string_value(json_object_get(inv, "account_id"));
	const char *id = json_string_value(json_object_get(inv, "id"));
	int64_t total = json_integer_value(json_object_get(inv, "total"));
	int64_t already = json_integer_value(json_object_get(inv, "amount_paid"));
	int64_t tax = json_integer_value(json_object_get(inv, "tax"));
	int64_t tax_before = 0, tax_after = 0;
	if (tax_share(tax, already, total, &tax_before) < 0 ||
	    tax_share(tax, already + pay, total, &tax_after) < 0)
		return tl_error_set(err, TL_EINVALID, "price_overflow", "the invoice overflows");
	json_t *ids = json_object_get(inv, "transfer_ids");
	json_array_append_new(ids, json_string(post_id));
	int rc = 0;
	if (tax_after > tax_before) {
		tl_transfer t = {.kind = TL_TRANSFER_SINGLE, .amount = tax_after - tax_before};
		tl_ledger_system_account_id(t.debit_account, "revenue", currency);
		tl_ledger_system_account_id(t.credit_account, "tax_payable", currency);
		snprintf(t.code, sizeof(t.code), "usage_tax");
		snprintf(t.reference, sizeof(t.reference), "%s", id);
		rc = tl_ledger_move(tx, ctx, &t, 1, err);
		if (rc == 0)
			json_array_append_new(ids, json_string(t.id));
	}
	char payment_id[TL_ID_MAX], at[TL_TIME_STR_MAX];
	tl_id_new(payment_id, sizeof(payment_id), "pay");
	tl_time_format(ctx->now, at);
	json_t *payment = json_pack("{s:s, s:s, s:s, s:I, s:s, s:[s], s:n, s:s, s:s, s:s}", "id",
				    payment_id, "account_id", account, "method", "hold", "amount",
				    (json_int_t)pay, "currency", currency, "invoice_ids", id,
				    "checkout_id", "status", "succeeded", "created_at", at, "hold_id",
				    hold_id);
	rc = rc ? rc : tl_billing_insert(tx, "payment", payment_id, account, NULL, NULL, payment,
					 ctx->now, err);
	rc = rc ? rc : tl_audit_record(tx, ctx, "payment.succeeded", account, payment_id, NULL,
				       json_incref(payment), err);
	json_decref(payment);
	if (rc < 0)
		return rc;
	json_object_set_new(inv, "amount_paid", json_integer(already + pay));
	json_object_set_new(inv, "status", json_string(already + pay == total ? "paid"
									     : "partial_paid"));
	json_object_set_new(inv, "payment_id", json_string(payment_id));
	return 0;
}

/* Pays the hold-settled invoices among `invoices` from the account's live
 * holds (DESIGN.md: the month's use "paid from the held credit"): each hold
 * is posted for what it pays, which releases the rest of it, and one that
 * pays nothing is released. What the holds cannot pay stays open, for
 * credit. A hold whose time has come is left to the expiry sweep. */
static int pay_from_holds(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			  const char *account, json_t *invoices, tl_error *err)
{
	size_t count = json_array_size(invoices), n = 0;
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
			json_t *inv = json_array_get(invoices, i);
			int64_t open = json_integer_value(json_object_get(inv, "total")) -
				       json_integer_value(json_object_get(inv, "amount_paid"));
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
				rc = pay_invoice_from_hold(tx, ctx, json_array_get(invoices, i),
							   wallet.currency, p->id, t.id, take[i], err);
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
static int place_hold_of(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			 const char *account, const tl_resource *rs, size_t n, int64_t already,
			 bool *short_of, tl_error *err)
{
	int64_t amount = 0;
	*short_of = false;
	char currency[4];
	int rc = account_currency(tx, account, currency, err);
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
		const tl_catalog_item *item = priced_item(cat, &rs[i], currency, &price, NULL);
		if (item && hold_settled(cat, &rs[i]) && strcmp(rs[i].status, "active") == 0)
			lines[count++] = (tl_price_line){.unit_price = price,
							  .quantity = rs[i].quantity};
	}
	*out = 0;
	int rc = count ? tl_pricing_hold_amount(lines, count, cat->hold_days, cat->tax_rate_bp, out)
		       : 0;
	free(lines);
	return rc;
}

typedef struct month {
	int64_t start, end; /* the month being reconciled: [start, end) */
	char name[8];       /* "2027-01" */
} month;

/* Rates one resource's month; an invoice into *inv when it cost something. */
static int rate(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, tl_resource *r,
		const month *m, json_t **inv, tl_error *err)
{
	*inv = NULL;
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
	if (rc == 0 && cost > 0)
		rc = issue(tx, ctx, cat, r, item, currency, price, cost, from, to, inv, err);
	/* only forward: a resource that began after the month (reconciled
	 * late) keeps its real start for the next month */
	if (r->accrued_until < m->end)
		r->accrued_until = m->end;
	if (strcmp(r->status, "deleted") != 0) /* a deleted one's is when it ended */
		r->updated_at = ctx->now;
	return rc ? rc : tl_store_resource_update(tx, r, err);
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
	json_t *invoices = json_array();
	size_t n = 0;
	rc = load_postpaid(tx, account, &rs, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *inv = NULL;
		rc = rate(tx, ctx, cat, &rs[i], m, &inv, err);
		if (inv)
			json_array_append_new(invoices, inv);
	}
	char wallet[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet, account);
	rc = rc ? rc : pay_from_holds(tx, ctx, cat, account, invoices, err);
	rc = rc ? rc : release_holds(tx, ctx, wallet, err);
	size_t i;
	json_t *inv;
	json_array_foreach(invoices, i, inv) {
		int64_t paid_now = 0;
		rc = rc ? rc : pay_invoice(tx, ctx, inv, &paid_now, err);
		bool paid = strcmp(json_string_value(json_object_get(inv, "status")), "paid") == 0;
		rc = rc ? rc : save_invoice(tx, ctx, inv, true, err);
		rc = rc ? rc : tl_audit_record(tx, ctx, "invoice.issued", account,
					       json_string_value(json_object_get(inv, "id")), NULL,
					       json_incref(inv), err);
		/* not paid in full at issue: debt from now on (a webhook) */
		rc = rc || paid ? rc
				: tl_audit_record(tx, ctx, "invoice.overdue", account,
						  json_string_value(json_object_get(inv, "id")),
						  NULL, json_incref(inv), err);
		out->invoices++;
		out->unpaid += !paid;
	}
	bool short_of;
	rc = rc ? rc : place_hold_of(tx, ctx, cat, account, rs, n, 0, &short_of, err);
	for (size_t k = 0; k < n; k++)
		tl_resource_release(&rs[k]);
	free(rs);
	json_decref(invoices);
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

typedef struct debt {
	const tl_ctx *ctx;
	tl_doc *doc;
	bool paid_off;
} debt;

/* Pays what credit allows of one due invoice. */
static int collect_one(tl_tx *tx, void *arg, tl_error *err)
{
	debt *d = arg;
	const tl_ctx *ctx = d->ctx;
	json_t *inv = json_loads(d->doc->body, 0, NULL);
	if (inv == NULL)
		return tl_error_set(err, TL_EINTERNAL, "invalid_document", "invoice %.40s is not JSON",
				    d->doc->id);
	int64_t paid_now = 0;
	json_t *before = json_pack("{s:O, s:O}", "status", json_object_get(inv, "status"),
				   "amount_paid", json_object_get(inv, "amount_paid"));
	int rc = pay_invoice(tx, ctx, inv, &paid_now, err);
	if (rc == 0 && paid_now > 0) {
		bool paid = strcmp(json_string_value(json_object_get(inv, "status")), "paid") == 0;
		rc = save_invoice(tx, ctx, inv, false, err);
		rc = rc ? rc : tl_audit_record(tx, ctx, paid ? "invoice.paid" : "invoice.part_paid",
					       d->doc->account_id, d->doc->id, json_incref(before),
					       json_pack("{s:O, s:O}", "status",
							 json_object_get(inv, "status"),
							 "amount_paid",
							 json_object_get(inv, "amount_paid")),
					       err);
		d->paid_off = rc == 0 && paid;
	}
	json_decref(before);
	json_decref(inv);
	return rc;
}

/* Pays what credit allows of the due invoices in `status`, each invoice in
 * its own savepoint (job "debt_collection"). */
static int collect_in(tl_tx *tx, const tl_ctx *ctx, const char *status, size_t max,
		      size_t *collected, tl_error *err)
{
	tl_doc *docs = calloc(max, sizeof(*docs));
	size_t n = 0;
	int rc = docs ? tl_store_debts_payable(tx, status, ctx->now, docs, max, &n, err)
		      : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		debt d = {.ctx = ctx, .doc = &docs[i]};
		tl_job_subject s = {.job = "debt_collection", .subject = docs[i].id,
				    .account_id = docs[i].account_id};
		if (rc == 0)
			rc = tl_job_subject_run(tx, ctx, &s, collect_one, &d, NULL, err);
		*collected += d.paid_off;
		tl_doc_free(&docs[i]);
	}
	free(docs);
	return rc;
}

int tl_reconcile_collect_debt(tl_tx *tx, const tl_ctx *ctx, size_t max, size_t *collected,
			      tl_error *err)
{
	*collected = 0;
	int rc = collect_in(tx, ctx, "partial_paid", max, collected, err);
	return rc ? rc : collect_in(tx, ctx, "unpaid", max, collected, err);
}

int tl_reconcile_check_no_debt(tl_tx *tx, const char *account_id, tl_error *err)
{
	int64_t unpaid = 0, partial = 0;
	tl_doc_query q = {.kind = "invoice", .account_id = account_id, .status = "unpaid"};
	int rc = tl_store_doc_count(tx, &q, &unpaid, err);
	q.status = "partial_paid";
	rc = rc ? rc : tl_store_doc_count(tx, &q, &partial, err);
	unpaid += partial;
	if (rc == 0 && unpaid > 0) {
		tl_error_set(err, TL_ERULE, "account_in_debt",
			     "the account has %lld unpaid invoice(s): add credit to pay them first",
			     (long long)unpaid);
		tl_error_details(err, json_pack("{s:I}", "unpaid_invoices", (json_int_t)unpaid));
		return TL_ERULE;
	}
	return rc;
}

/* ---- the daily hold ------------------------------------------------------------ */

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
		if (item == NULL || !hold_settled(cat, &rs[i]))
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
		if (!hold_settled(cat, r) || strcmp(r->status, "active") != 0)
			continue;
		json_t *before = tl_resource_to_json(r);
		snprintf(r->status, sizeof(r->status), "suspended");
		r->updated_at = ctx->now;
		int wrc = tl_store_resource_update(tx, r, err);
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
		woken[i] = hold_settled(cat, &rs[i]) && strcmp(rs[i].status, "suspended") == 0;
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
		rc = rc ? rc : tl_store_resource_update(tx, r, err);
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
	rc = load_postpaid(tx, account, &rs, &n, err);
	bool *woken = rc == 0 ? calloc(n ? n : 1, sizeof(*woken)) : NULL;
	if (rc == 0 && woken == NULL)
		rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	rc = rc ? rc : month_so_far(tx, ctx, cat, rs, n, &used, err);
	rc = rc ? rc : release_holds(tx, ctx, wallet, err);
	if (rc == 0)
		wake_for_estimate(cat, rs, n, woken);
	rc = rc ? rc : place_hold_of(tx, ctx, cat, account, rs, n, used, &short_of, err);
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
			size_t n, json_t *invoices, bool *live, size_t *rated, tl_error *err)
{
	int rc = 0;
	*live = false;
	*rated = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		tl_resource *r = &rs[i];
		bool deleted = strcmp(r->status, "deleted") == 0;
		if (!hold_settled(cat, r) || !deleted) {
			*live = *live || (hold_settled(cat, r) && !deleted);
			continue;
		}
		if (r->accrued_until >= r->updated_at)
			continue;
		char currency[4];
		int64_t price = 0, cost = 0;
		json_t *inv = NULL;
		tl_error why = {0};
		rc = account_currency(tx, r->account_id, currency, err);
		const tl_catalog_item *item = rc == 0 ? priced_item(cat, r, currency, &price, &why)
						      : NULL;
		tl_error_clear(&why); /* not priced in its currency: nothing to charge */
		bool metered = item && item->billing == TL_BILLING_METERED;
		rc = rc == 0 && item ? use_cost(tx, r, metered, price, r->accrued_until,
						r->updated_at, &cost, err)
				     : rc;
		if (rc == 0 && cost > 0)
			rc = issue(tx, ctx, cat, r, item, currency, price, cost, r->accrued_until,
				   r->updated_at, &inv, err);
		if (inv)
			json_array_append_new(invoices, inv);
		r->accrued_until = r->updated_at;
		rc = rc ? rc : tl_store_resource_update(tx, r, err);
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
	json_t *invoices = json_array();
	size_t n = 0, rated = 0;
	bool live = false, short_of = false;
	int64_t used = 0;
	/* every hold-settled resource the deletion took (a cluster's members
	 * too) is settled, whatever resource_id itself is; all of the
	 * account's pages: it used to read the oldest 512 only, so a deletion
	 * past them was neither invoiced nor its hold released */
	rc = load_postpaid(tx, account, &rs, &n, err);
	rc = rc ? rc : rate_deleted(tx, ctx, catalog, rs, n, invoices, &live, &rated, err);
	if (rc == 0 && rated == 0)
		goto done; /* nothing hold-settled was deleted: the hold stands */
	/* the final use is paid from the hold at once; the rest of it released */
	rc = rc ? rc : pay_from_holds(tx, ctx, catalog, account, invoices, err);
	rc = rc ? rc : release_holds(tx, ctx, wallet, err);
	size_t i;
	json_t *inv;
	json_array_foreach(invoices, i, inv) {
		int64_t paid_now = 0;
		rc = rc ? rc : pay_invoice(tx, ctx, inv, &paid_now, err); /* what the hold lacked */
		rc = rc ? rc : save_invoice(tx, ctx, inv, true, err);
		rc = rc ? rc : tl_audit_record(tx, ctx, "invoice.issued", account,
					       json_string_value(json_object_get(inv, "id")), NULL,
					       json_incref(inv), err);
	}
	/* the others still running are held for again: their month so far
	 * and 3 days ahead, as the daily run would */
	if (rc == 0 && live)
		rc = month_so_far(tx, ctx, catalog, rs, n, &used, err);
	if (rc == 0 && live)
		rc = place_hold_of(tx, ctx, catalog, account, rs, n, used, &short_of, err);
done:
	for (size_t k = 0; k < n; k++)
		tl_resource_release(&rs[k]);
	free(rs);
	json_decref(invoices);
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
