/* checkout_json.c: the checkout's JSON form: what the API answers and what
 * the store keeps (the same document, so a stored checkout is reloaded with
 * exactly the terms and prices it was given). */
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

/* ---- back from JSON (documents this module wrote) ------------------------- */

static void copy_str(char *out, size_t size, const json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));
	snprintf(out, size, "%s", v ? v : "");
}

static int64_t get_int(const json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}


static void line_from_json(const json_t *j, tl_checkout_line *l)
{
	copy_str(l->resource_id, sizeof(l->resource_id), j, "resource_id");
	copy_str(l->resource_type, sizeof(l->resource_type), j, "resource_type");
	copy_str(l->resource_name, sizeof(l->resource_name), j, "resource_name");
	copy_str(l->item_id, sizeof(l->item_id), j, "item_id");
	copy_str(l->item_name, sizeof(l->item_name), j, "item_name");
	copy_str(l->service, sizeof(l->service), j, "service");
	const char *unit = json_string_value(json_object_get(j, "unit"));
	l->unit = unit && strcmp(unit, "gb_month") == 0 ? TL_UNIT_GB_MONTH : TL_UNIT_MONTH;
	json_t *spec = json_object_get(j, "spec");
	l->spec = json_is_null(spec) ? NULL : json_incref(spec);
	l->price = (tl_price_line){
		.unit_price = get_int(j, "unit_price"), .quantity = get_int(j, "quantity"),
		.gross = get_int(j, "gross"), .cycle_discount = get_int(j, "cycle_discount"),
		.amount = get_int(j, "amount"), .coupon_discount = get_int(j, "coupon_discount"),
		.taxable = get_int(j, "taxable"), .tax = get_int(j, "tax"),
		.total = get_int(j, "total")};
}

static void terms_from_json(const json_t *t, tl_checkout *c)
{
	c->tax_rate_bp = get_int(t, "tax_rate_bp");
	c->hold_days = (int)get_int(t, "hold_days");
	copy_str(c->coupon_id, sizeof(c->coupon_id), t, "coupon_id");
	c->coupon_percent_off = get_int(t, "coupon_percent_off");
	c->coupon_amount_off = get_int(t, "coupon_amount_off");
	json_t *cycles = json_object_get(t, "cycles"), *cy;
	size_t i;
	c->cycle_count = 0;
	json_array_foreach(cycles, i, cy) {
		if (i >= TL_CATALOG_CYCLES_MAX)
			break;
		c->cycles[i].months = (int)get_int(cy, "months");
		c->cycles[i].discount_bp = get_int(cy, "discount_bp");
		c->cycle_count = i + 1;
	}
}

int tl_checkout_from_json(const json_t *j, tl_checkout *c, tl_error *err)
{
	memset(c, 0, sizeof(*c));
	json_t *lines = json_object_get(j, "lines"), *line;
	if (!json_is_string(json_object_get(j, "id")) || !json_is_array(lines) ||
	    json_array_size(lines) > TL_PRICING_LINES_MAX)
		return tl_error_set(err, TL_EINTERNAL, "corrupt_document",
				    "a stored checkout is corrupt");
	copy_str(c->id, sizeof(c->id), j, "id");
	copy_str(c->account_id, sizeof(c->account_id), j, "account_id");
	copy_str(c->kind, sizeof(c->kind), j, "kind");
	copy_str(c->status, sizeof(c->status), j, "status");
	copy_str(c->currency, sizeof(c->currency), j, "currency");
	copy_str(c->coupon_code, sizeof(c->coupon_code), j, "coupon");
	copy_str(c->payment_id, sizeof(c->payment_id), j, "payment_id");
	copy_str(c->origin_id, sizeof(c->origin_id), j, "origin_resource_id");
	c->cycle_months = (int)get_int(j, "cycle_months");
	c->auto_renew = json_is_true(json_object_get(j, "auto_renew"));
	const char *settlement = json_string_value(json_object_get(j, "settlement"));
	c->settlement = settlement && strcmp(settlement, "hold") == 0 ? TL_SETTLE_HOLD
								       : TL_SETTLE_PREPAID;
	c->hold_amount = get_int(j, "hold_amount");
	c->totals = (tl_price_totals){
		.gross = get_int(j, "gross"), .cycle_discount = get_int(j, "cycle_discount"),
		.subtotal = get_int(j, "subtotal"), .discount = get_int(j, "discount"),
		.tax = get_int(j, "tax"), .total = get_int(j, "total")};
	c->created_at = tl_time_member(j, "created_at");
	c->expires_at = tl_time_member(j, "expires_at");
	c->paid_at = tl_time_member(j, "paid_at");
	terms_from_json(json_object_get(j, "terms"), c);
	size_t i;
	json_array_foreach(lines, i, line)
		line_from_json(line, &c->lines[i]);
	c->line_count = json_array_size(lines);
	return 0;
}
