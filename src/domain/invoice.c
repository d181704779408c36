/* invoice.c: invoices and payments, their rules and their API JSON. */
#include "domain/invoice.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void tl_invoice_number(char out[TL_INVOICE_NUMBER_MAX], int year, int64_t sequence)
{
	snprintf(out, TL_INVOICE_NUMBER_MAX, "INV-%04d-%06lld", year, (long long)sequence);
}

int tl_invoice_year(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	return tm.tm_year + 1900;
}

int tl_id_list_add(tl_id_list *l, const char *id)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		void *grown = realloc(l->ids, cap * sizeof(*l->ids));
		if (grown == NULL)
			return TL_EINTERNAL;
		l->ids = grown;
		l->cap = cap;
	}
	snprintf(l->ids[l->count++], sizeof(*l->ids), "%s", id);
	return 0;
}

void tl_id_list_release(tl_id_list *l)
{
	free(l->ids);
	*l = (tl_id_list){0};
}

void tl_invoice_release(tl_invoice *inv)
{
	tl_id_list_release(&inv->transfer_ids);
}

void tl_payment_release(tl_payment *p)
{
	tl_id_list_release(&p->invoice_ids);
}

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

void tl_invoice_from_line(const tl_invoice_source *s, tl_invoice *out)
{
	const tl_checkout *c = s->checkout;
	const tl_checkout_line *l = s->line;
	const tl_price_line *p = &l->price;
	bool paid = s->payment_id && s->payment_id[0];
	memset(out, 0, sizeof(*out));
	COPY(out->account_id, c->account_id);
	COPY(out->resource_id, l->resource_id);
	COPY(out->resource_name, l->resource_name);
	COPY(out->service, l->service);
	COPY(out->kind, s->kind);
	COPY(out->currency, c->currency);
	out->period_start = s->period_start;
	out->period_end = s->period_end;
	tl_invoice_line *il = &out->lines[0];
	out->line_count = 1;
	COPY(il->item_id, l->item_id);
	COPY(il->description, l->item_name);
	COPY(il->unit, tl_price_unit_name(l->unit));
	il->unit_price = p->unit_price;
	il->quantity = p->quantity;
	il->cycle_months = c->cycle_months;
	il->gross = p->gross;
	il->cycle_discount = p->cycle_discount;
	COPY(il->coupon_code, c->coupon_code);
	il->coupon_discount = p->coupon_discount;
	il->tax_rate_bp = c->tax_rate_bp;
	il->tax = p->tax;
	il->total = p->total;
	out->subtotal = p->gross;
	out->discount = p->cycle_discount + p->coupon_discount;
	COPY(out->coupon_code, c->coupon_code);
	out->tax = p->tax;
	out->total = p->total;
	out->amount_paid = paid ? p->total : 0;
	COPY(out->status, paid || p->total == 0 ? "paid" : "unpaid");
	COPY(out->payment_id, s->payment_id);
	COPY(out->checkout_id, c->id);
	out->issued_at = s->issued_at;
	out->updated_at = s->issued_at;
}

/* The status amount_paid of total means. */
static const char *status_of(int64_t paid, int64_t total)
{
	return paid == total ? "paid" : paid == 0 ? "unpaid" : "partial_paid";
}

int tl_invoice_apply_payment(tl_invoice *inv, int64_t amount, const char *payment_id,
			     tl_error *err)
{
	if (amount <= 0 || amount > inv->total - inv->amount_paid)
		return tl_error_set(err, TL_EINVALID, "invalid_amount",
				    "a payment of %lld does not fit invoice %s (%lld of %lld paid)",
				    (long long)amount, inv->id, (long long)inv->amount_paid,
				    (long long)inv->total);
	inv->amount_paid += amount;
	COPY(inv->status, status_of(inv->amount_paid, inv->total));
	COPY(inv->payment_id, payment_id);
	return 0;
}

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static const char *const invoice_kinds[] = {"purchase", "conversion", "renewal", "recovery",
					    "usage", "credit_note", NULL};
static const char *const invoice_statuses[] = {"unpaid", "partial_paid", "paid", NULL};

static const char *invoice_broken_rule(const tl_invoice *v)
{
	if (v->id[0] == '\0' || v->number[0] == '\0' || v->account_id[0] == '\0')
		return "an invoice has an id, a number and an account";
	if (!one_of(v->kind, invoice_kinds))
		return "unknown kind";
	if (!one_of(v->status, invoice_statuses))
		return "unknown status";
	if (v->subtotal < 0 || v->discount < 0 || v->tax < 0 || v->total < 0 ||
	    v->amount_paid < 0)
		return "a negative amount";
	if (v->subtotal - v->discount + v->tax != v->total)
		return "total is not subtotal - discount + tax";
	if (v->amount_paid > v->total)
		return "paid past its total";
	if (strcmp(v->status, status_of(v->amount_paid, v->total)) != 0)
		return "status does not match amount_paid";
	if (v->line_count > TL_INVOICE_LINES_MAX)
		return "too many lines";
	for (size_t i = 0; i < v->line_count; i++) {
		const tl_invoice_line *l = &v->lines[i];
		if (l->unit_price < 0 || l->quantity < 0 || l->gross < 0 || l->cycle_discount < 0 ||
		    l->coupon_discount < 0 || l->tax < 0 || l->total < 0)
			return "a line has a negative amount";
	}
	if ((strcmp(v->kind, "credit_note") == 0) != (v->credits[0] != '\0'))
		return "a credit note, and only one, names the invoice it credits";
	return NULL;
}

int tl_invoice_assert_valid(const tl_invoice *inv, tl_error *err)
{
	const char *why = invoice_broken_rule(inv);
	return why ? tl_error_set(err, TL_EINTERNAL, "invoice_invalid", "invoice %.40s: %s",
				  inv->id, why)
		   : 0;
}

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *ids_json(const tl_id_list *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->count; i++)
		json_array_append_new(a, json_string(l->ids[i]));
	return a;
}

static json_t *line_json(const tl_invoice_line *l)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:i, s:I, s:I, s:o, s:I, s:I, s:I, s:I}",
			 "item_id", l->item_id, "description", l->description, "unit", l->unit,
			 "unit_price", (json_int_t)l->unit_price, "quantity",
			 (json_int_t)l->quantity, "cycle_months", l->cycle_months, "gross",
			 (json_int_t)l->gross, "cycle_discount", (json_int_t)l->cycle_discount,
			 "coupon_code", str_or_null(l->coupon_code), "coupon_discount",
			 (json_int_t)l->coupon_discount, "tax_rate_bp", (json_int_t)l->tax_rate_bp,
			 "tax", (json_int_t)l->tax, "total", (json_int_t)l->total);
}

json_t *tl_invoice_to_json(const tl_invoice *v)
{
	json_t *lines = json_array();
	for (size_t i = 0; i < v->line_count; i++)
		json_array_append_new(lines, line_json(&v->lines[i]));
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:o, s:o}, s:o, s:I, s:I, s:o,"
		" s:I, s:I, s:I, s:s, s:o, s:o}",
		"id", v->id, "number", v->number, "account_id", v->account_id, "resource_id",
		v->resource_id, "resource_name", v->resource_name, "service", v->service, "kind",
		v->kind, "currency", v->currency, "period", "start",
		tl_time_to_json(v->period_start), "end", tl_time_to_json(v->period_end), "lines",
		lines, "subtotal", (json_int_t)v->subtotal, "discount", (json_int_t)v->discount,
		"coupon_code", str_or_null(v->coupon_code), "tax", (json_int_t)v->tax, "total",
		(json_int_t)v->total, "amount_paid", (json_int_t)v->amount_paid, "status",
		v->status, "payment_id", str_or_null(v->payment_id), "checkout_id",
		str_or_null(v->checkout_id));
	if (j == NULL)
		return NULL;
	if (strcmp(v->kind, "credit_note") == 0)
		json_object_set_new(j, "credits", str_or_null(v->credits));
	json_object_set_new(j, "transfer_ids", ids_json(&v->transfer_ids));
	json_object_set_new(j, "issued_at", tl_time_to_json(v->issued_at));
	return j;
}

static const char *const payment_methods[] = {"credit", "gateway", "hold", NULL};

int tl_payment_assert_valid(const tl_payment *p, tl_error *err)
{
	const char *why = p->id[0] == '\0' || p->account_id[0] == '\0'
				  ? "a payment has an id and an account"
			  : p->amount < 0 ? "a negative amount"
			  : !one_of(p->method, payment_methods) ? "unknown method"
			  : strcmp(p->status, "succeeded") != 0 ? "unknown status"
								 : NULL;
	return why ? tl_error_set(err, TL_EINTERNAL, "payment_invalid", "payment %.40s: %s",
				  p->id, why)
		   : 0;
}

json_t *tl_payment_to_json(const tl_payment *p)
{
	char created[TL_TIME_STR_MAX];
	tl_time_format(p->created_at, created);
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:s, s:s}", "id", p->id,
			      "account_id", p->account_id, "method", p->method, "amount",
			      (json_int_t)p->amount, "currency", p->currency, "invoice_ids",
			      ids_json(&p->invoice_ids), "checkout_id", str_or_null(p->checkout_id),
			      "status", p->status, "created_at", created);
	if (j && (p->checkout_id[0] || p->hold_id[0]))
		json_object_set_new(j, "hold_id", str_or_null(p->hold_id));
	return j;
}
