/* ops_coupons.c: the simulation's coupons feature: coupons the admin
 * creates (percent or fixed off, with limits in all and per account, some
 * with an expiry) applied to purchase checkouts. The model applies each
 * coupon by DESIGN.md's rule (sim_model_coupons.c) in every checkout total
 * and every invoice; a coupon past its limit or expired is refused with
 * its error code when a checkout is made with it, changed, or paid (by
 * credit, ops_prepaid.c, or by the gateway, whose money is then kept as
 * credit, ops_gateway.c). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

static void op_coupon_create(sim *s)
{
	if (s->m.coupon_count == SIM_COUPONS_MAX)
		return;
	sim_coupon *k = &s->m.coupons[s->m.coupon_count];
	memset(k, 0, sizeof(*k));
	snprintf(k->code, sizeof(k->code), "SIM%d", s->m.coupon_count + 1);
	json_t *req = json_pack("{s:s}", "code", k->code);
	if (sim_pick(s, 0, 1)) {
		k->percent_off = sim_pick(s, 1, 100);
		json_object_set_new(req, "percent_off", json_integer(k->percent_off));
	} else {
		k->amount_off = sim_pick(s, 1, 3000) * 1000 + sim_pick(s, 0, 999);
		json_object_set_new(req, "amount_off", json_integer(k->amount_off));
	}
	if (sim_pick(s, 0, 2) > 0) {
		k->max_redemptions = sim_pick(s, 1, 4);
		json_object_set_new(req, "max_redemptions", json_integer(k->max_redemptions));
	}
	if (sim_pick(s, 0, 1)) {
		k->max_per_account = sim_pick(s, 1, 2);
		json_object_set_new(req, "max_per_account", json_integer(k->max_per_account));
	}
	if (sim_pick(s, 0, 1)) {
		char at[32];
		k->expires_at = s->m.now + sim_pick(s, 3600, 120 * 86400);
		sim_format_time(k->expires_at, at);
		json_object_set_new(req, "expires_at", json_string(at));
	}
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(sim_call_ok(s, "POST", "/v1/coupons", s->srv.admin_token, body));
	free(body);
	json_decref(req);
	s->m.coupon_count++;
}

/* The customer pays c by credit at once, topped up first when short: the
 * coupon is redeemed, or refused when it ran out since c was made. */
static void pay_now(sim *s, sim_checkout *c)
{
	sim_account *a = &s->m.accounts[c->account];
	int64_t total = sim_checkout_total(&s->m.prices, c);
	char path[128], body[128];
	if (a->credit < total) {
		int64_t amount = total - a->credit + sim_pick(s, 0, 100000);
		snprintf(path, sizeof(path), "/v1/accounts/%s/credit", a->id);
		snprintf(body, sizeof(body), "{\"amount\":%" PRId64 ",\"reference\":\"sim\"}",
			 amount);
		json_decref(sim_call_ok(s, "POST", path, s->srv.admin_token, body));
		a->credit += amount;
		s->m.topped_up += amount; /* the bank invariant counts it */
	}
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", c->id);
	tt_response r = sim_call(s, "POST", path, a->token, "{\"method\":\"credit\"}");
	const char *refused = sim_coupon_refusal(&s->m, c);
	bool paid = sim_pay(&s->m, c);
	if (paid && r.status != 200)
		sim_disagree(s, "pay %s: model pays, tallyd %ld %s", c->id, r.status, r.raw);
	if (!paid && (!refused || r.status != 422 || strcmp(tt_error_code(&r), refused) != 0))
		sim_disagree(s, "pay %s: model refuses %s, tallyd %ld %s", c->id,
			 refused ? refused : "(nothing)", r.status, r.raw);
	tt_response_free(&r);
}

/* A purchase checkout with a coupon: made, with the model's total, while
 * the coupon applies; refused with the coupon's error code once it does
 * not. */
static void op_coupon_purchase(sim *s)
{
	if (s->m.coupon_count == 0)
		return op_coupon_create(s);
	if (s->m.checkout_count == SIM_CHECKOUTS_MAX)
		return;
	int account = (int)sim_pick(s, 0, s->m.account_count - 1);
	int coupon = (int)sim_pick(s, 0, s->m.coupon_count - 1);
	const sim_coupon *k = &s->m.coupons[coupon];
	sim_checkout *c = &s->m.checkouts[s->m.checkout_count];
	memset(c, 0, sizeof(*c));
	c->account = account;
	c->line_count = (int)sim_pick(s, 1, SIM_LINES_MAX);
	c->cycle_months = s->m.prices.cycles[sim_pick(s, 0, s->m.prices.cycle_count - 1)].months;
	c->auto_renew = sim_pick(s, 0, 1) == 1;
	c->coupon = coupon + 1;
	c->coupon_percent = k->percent_off;
	c->coupon_amount_off = k->amount_off;
	json_t *items = json_array();
	for (int i = 0; i < c->line_count; i++) {
		const sim_item *it = &s->items[sim_pick(s, 0, s->item_count - 1)];
		bool volume = strcmp(it->type, "volume") == 0;
		c->lines[i] = (sim_line){it->monthly_price, volume ? sim_pick(s, 10, 500) : 1};
		json_array_append_new(items, json_pack("{s:s, s:s, s:o}", "type", it->type, "name",
			"sim", "spec", volume ? json_pack("{s:s, s:I}", "volume_type", it->id,
				"size_gb", (json_int_t)c->lines[i].quantity)
					      : json_pack("{s:s}", "flavor", it->id)));
	}
	/* codes are case-insensitive */
	char code[16];
	snprintf(code, sizeof(code), "%s", k->code);
	if (sim_pick(s, 0, 1))
		for (char *p = code; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	json_t *req = json_pack("{s:s, s:o, s:i, s:b, s:s}", "kind", "purchase", "items", items,
				"cycle_months", c->cycle_months, "auto_renew", c->auto_renew,
				"coupon", code);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	tt_response r = sim_call(s, "POST", "/v1/checkouts", s->m.accounts[account].token, body);
	free(body);
	const char *refused = sim_coupon_refusal(&s->m, c);
	if (refused) {
		if (r.status != 422 || strcmp(tt_error_code(&r), refused) != 0)
			sim_disagree(s, "purchase with coupon %s: model refuses %s, tallyd %ld %s",
				 k->code, refused, r.status, r.raw);
		tt_response_free(&r);
		return;
	}
	if (r.status != 201 || r.json == NULL)
		sim_disagree(s, "purchase with coupon %s: model accepts, tallyd %ld %s", k->code,
			 r.status, r.raw);
	snprintf(c->id, sizeof(c->id), "%s", json_string_value(json_object_get(r.json, "id")));
	for (int i = 0; i < c->line_count; i++)
		snprintf(c->resource_ids[i], SIM_ID_MAX, "%s",
			 json_string_value(json_array_get(json_object_get(r.json, "resources"), i)));
	c->expires_at = s->m.now + 1800; /* DESIGN.md: 30 minutes */
	c->status = SIM_OPEN;
	s->m.checkout_count++;
	int64_t want = sim_checkout_total(&s->m.prices, c);
	if (sim_member_int(r.json, "total", NULL) != want)
		sim_disagree(s, "checkout %s with coupon %s total: tallyd %" PRId64 ", model %" PRId64,
			 c->id, k->code, sim_member_int(r.json, "total", NULL), want);
	tt_response_free(&r);
	if (sim_pick(s, 0, 4) > 0)
		pay_now(s, c);
}

static const sim_op coupons_ops[] = {
	{"coupon_create", 2, op_coupon_create},
	{"coupon_purchase", 10, op_coupon_purchase},
};

const sim_feature sim_feature_coupons = {
	"coupons", coupons_ops, (int)(sizeof(coupons_ops) / sizeof(coupons_ops[0])), NULL};
