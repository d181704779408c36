/* invoice.c: building an invoice from the checkout line it bills. */
#include "domain/invoice.h"
#include "common/timefmt.h"

#include <stdio.h>
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


static json_t *invoice_line(const tl_invoice_source *s)
{
	const tl_checkout_line *l = s->line;
	const tl_price_line *p = &l->price;
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:i, s:I, s:I, s:s?, s:I, s:I, s:I, s:I}",
			 "item_id", l->item_id, "description", l->item_name, "unit",
			 tl_price_unit_name(l->unit), "unit_price", (json_int_t)p->unit_price,
			 "quantity", (json_int_t)p->quantity, "cycle_months",
			 s->checkout->cycle_months, "gross", (json_int_t)p->gross, "cycle_discount",
			 (json_int_t)p->cycle_discount, "coupon_code",
			 s->checkout->coupon_code[0] ? s->checkout->coupon_code : NULL,
			 "coupon_discount", (json_int_t)p->coupon_discount, "tax_rate_bp",
			 (json_int_t)s->checkout->tax_rate_bp, "tax", (json_int_t)p->tax, "total",
			 (json_int_t)p->total);
}

json_t *tl_invoice_build(const tl_invoice_source *s)
{
	const tl_checkout *c = s->checkout;
	const tl_price_line *p = &s->line->price;
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:o, s:o}, s:[o], s:I, s:I, s:s?,"
		" s:I, s:I, s:I, s:s, s:s, s:s, s:O, s:o}",
		"id", s->id, "number", s->number, "account_id", c->account_id, "resource_id",
		s->line->resource_id, "resource_name", s->line->resource_name, "service",
		s->line->service, "kind", s->kind, "currency", c->currency, "period", "start",
		tl_time_to_json(s->period_start), "end", tl_time_to_json(s->period_end), "lines",
		invoice_line(s), "subtotal", (json_int_t)p->gross, "discount",
		(json_int_t)(p->cycle_discount + p->coupon_discount), "coupon_code",
		c->coupon_code[0] ? c->coupon_code : NULL, "tax", (json_int_t)p->tax, "total",
		(json_int_t)p->total, "amount_paid", (json_int_t)p->total, "status", "paid",
		"payment_id", s->payment_id, "checkout_id",
		c->id, "transfer_ids", s->transfer_ids, "issued_at", tl_time_to_json(s->issued_at));
}
