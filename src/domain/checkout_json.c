/* checkout_json.c: the checkout's JSON form, what the API answers (and the
 * audit log records). The only place it is made; the store keeps the
 * checkout's own columns and lines (store_sqlite_checkouts.c), so a stored
 * checkout is reloaded with exactly the terms and prices it was given. */
#include "domain/checkout.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <string.h>


static json_t *line_json(const tl_checkout_line *l, int cycle_months, int64_t tax_rate_bp)
{
	const tl_price_line *p = &l->price;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:i, s:I, s:I, s:I,"
			      " s:I, s:I, s:I, s:I, s:I}",
			      "resource_id", l->resource_id, "resource_type", l->resource_type,
			      "resource_name", l->resource_name, "item_id", l->item_id, "item_name",
			      l->item_name, "service", l->service, "unit", tl_price_unit_name(l->unit),
			      "unit_price", (json_int_t)p->unit_price, "quantity",
			      (json_int_t)p->quantity, "cycle_months", cycle_months, "gross",
			      (json_int_t)p->gross, "cycle_discount", (json_int_t)p->cycle_discount,
			      "amount", (json_int_t)p->amount, "coupon_discount",
			      (json_int_t)p->coupon_discount, "tax_rate_bp", (json_int_t)tax_rate_bp,
			      "tax", (json_int_t)p->tax, "total", (json_int_t)p->total, "taxable",
			      (json_int_t)p->taxable);
	json_object_set(j, "spec", l->spec ? l->spec : json_null());
	return j;
}

static json_t *terms_json(const tl_checkout *c)
{
	json_t *cycles = json_array();
	for (size_t i = 0; i < c->cycle_count; i++)
		json_array_append_new(cycles, json_pack("{s:i, s:I}", "months", c->cycles[i].months,
							"discount_bp",
							(json_int_t)c->cycles[i].discount_bp));
	return json_pack("{s:I, s:i, s:o, s:s?, s:I, s:I}", "tax_rate_bp", (json_int_t)c->tax_rate_bp,
			 "hold_days", c->hold_days, "cycles", cycles, "coupon_id",
			 c->coupon_id[0] ? c->coupon_id : NULL, "coupon_percent_off",
			 (json_int_t)c->coupon_percent_off, "coupon_amount_off",
			 (json_int_t)c->coupon_amount_off);
}

json_t *tl_checkout_to_json(const tl_checkout *c)
{
	json_t *lines = json_array(), *resources = json_array();
	for (size_t i = 0; i < c->line_count; i++) {
		json_array_append_new(lines, line_json(&c->lines[i], c->cycle_months, c->tax_rate_bp));
		json_array_append_new(resources, json_string(c->lines[i].resource_id));
	}
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:b, s:s?, s:s, s:o, s:I, s:I, s:I, s:I, s:I,"
		" s:o, s:o, s:o, s:s?, s:o}",
		"id", c->id, "kind", c->kind, "status", c->status, "account_id", c->account_id,
		"currency", c->currency, "resources", resources, "cycle_months", c->cycle_months,
		"auto_renew", c->auto_renew, "coupon", c->coupon_code[0] ? c->coupon_code : NULL,
		"settlement", tl_settlement_name(c->settlement), "lines", lines, "gross",
		(json_int_t)c->totals.gross, "subtotal", (json_int_t)c->totals.subtotal, "discount",
		(json_int_t)c->totals.discount, "tax", (json_int_t)c->totals.tax, "total",
		(json_int_t)c->totals.total, "created_at", tl_time_to_json(c->created_at), "expires_at",
		tl_time_to_json(c->expires_at), "paid_at", tl_time_to_json(c->paid_at), "payment_id",
		c->payment_id[0] ? c->payment_id : NULL, "terms", terms_json(c));
	json_object_set_new(j, "cycle_discount", json_integer(c->totals.cycle_discount));
	if (c->origin_id[0])
		json_object_set_new(j, "origin_resource_id", json_string(c->origin_id));
	if (c->settlement == TL_SETTLE_HOLD)
		json_object_set_new(j, "hold_amount", json_integer(c->hold_amount));
	return j;
}
