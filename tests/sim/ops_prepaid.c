/* ops_prepaid.c: the simulation's prepaid feature: credit top-ups, purchase
 * checkouts of servers and volumes (changed, cancelled, left to expire,
 * paid by credit), deletion by the customer with its refund; and the
 * checks of each prepaid resource and of the newest checkouts. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

/* A kill lands within this many microseconds of sending a prepaid write:
 * each takes a few milliseconds, so most kills cut the answer off. */
#define KILL_DELAY_US 4000

static sim_account *random_account(sim *s)
{
	return &s->m.accounts[sim_pick(s, 0, s->m.account_count - 1)];
}

static void op_top_up(sim *s)
{
	sim_account *a = random_account(s);
	int64_t amount = sim_pick(s, 1, 200) * 100000 + sim_pick(s, 0, 999);
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", a->id);
	snprintf(body, sizeof(body), "{\"amount\":%" PRId64 ",\"reference\":\"sim\"}", amount);
	char key[64];
	snprintf(key, sizeof(key), "sim-top-up-%" PRIu64 "-%d", s->seed, s->step);
	tt_response r = sim_call_maybe_killed(s, "POST", path, s->srv.admin_token, body, key,
					      KILL_DELAY_US);
	if (r.status == 0) { /* cut off: the retry with the same key credits once */
		tt_response_free(&r);
		r = tt_request(&s->srv, "POST", path, s->srv.admin_token, body, key);
	}
	if (r.status != 201)
		sim_disagree(s, "top-up %s -> %ld %s", key, r.status, r.raw ? r.raw : "");
	tt_response_free(&r);
	a->credit += amount;
	s->m.topped_up += amount;
}

static sim_checkout *open_checkout(sim *s, int skip)
{
	for (int i = 0; i < s->m.checkout_count; i++) {
		sim_checkout *c = &s->m.checkouts[(i + skip) % s->m.checkout_count];
		if (c->status == SIM_OPEN)
			return c;
	}
	return NULL;
}

static void expect_checkout_total(sim *s, const sim_checkout *c, const json_t *got)
{
	int64_t want = sim_checkout_total(&s->m.prices, c);
	if (sim_member_int(got, "total", NULL) != want)
		sim_disagree(s, "checkout %s total: tallyd %" PRId64 ", model %" PRId64, c->id,
			 sim_member_int(got, "total", NULL), want);
}

static void op_purchase(sim *s)
{
	if (s->m.checkout_count == SIM_CHECKOUTS_MAX)
		return;
	int account = (int)sim_pick(s, 0, s->m.account_count - 1);
	sim_checkout *c = &s->m.checkouts[s->m.checkout_count];
	memset(c, 0, sizeof(*c));
	c->account = account;
	c->line_count = (int)sim_pick(s, 1, SIM_LINES_MAX);
	c->cycle_months = s->m.prices.cycles[sim_pick(s, 0, s->m.prices.cycle_count - 1)].months;
	c->auto_renew = sim_pick(s, 0, 2) > 0;
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
	json_t *req = json_pack("{s:s, s:o, s:i, s:b}", "kind", "purchase", "items", items,
				"cycle_months", c->cycle_months, "auto_renew", c->auto_renew);
	char *body = json_dumps(req, JSON_COMPACT), key[64];
	const char *token = s->m.accounts[account].token;
	snprintf(key, sizeof(key), "sim-purchase-%" PRIu64 "-%d", s->seed, s->step);
	tt_response r = sim_call_maybe_killed(s, "POST", "/v1/checkouts", token, body, key,
					      KILL_DELAY_US);
	if (r.status == 0) { /* cut off: the retry with the same key makes one checkout */
		tt_response_free(&r);
		r = tt_request(&s->srv, "POST", "/v1/checkouts", token, body, key);
	}
	if (r.status != 201 || r.json == NULL)
		sim_disagree(s, "purchase %s -> %ld %s", body, r.status, r.raw ? r.raw : "");
	json_t *got = json_incref(r.json);
	tt_response_free(&r);
	free(body);
	json_decref(req);
	snprintf(c->id, sizeof(c->id), "%s", json_string_value(json_object_get(got, "id")));
	for (int i = 0; i < c->line_count; i++)
		snprintf(c->resource_ids[i], SIM_ID_MAX, "%s",
			 json_string_value(json_array_get(json_object_get(got, "resources"), i)));
	c->expires_at = s->m.now + 1800; /* DESIGN.md: 30 minutes */
	c->status = SIM_OPEN;
	s->m.checkout_count++;
	expect_checkout_total(s, c, got);
	json_decref(got);
}

/* The status of checkout c as tallyd has it now. */
static void read_checkout_status(sim *s, const sim_checkout *c, char out[16])
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", c->id);
	json_t *got = sim_call_ok(s, "GET", path, s->m.accounts[c->account].token, NULL);
	const char *status = json_string_value(json_object_get(got, "status"));
	snprintf(out, 16, "%s", status ? status : "");
	json_decref(got);
}

static void op_pay(sim *s)
{
	sim_checkout *c = open_checkout(s, (int)sim_pick(s, 0, s->m.checkout_count));
	if (c == NULL)
		return op_purchase(s);
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", c->id);
	const char *refused = sim_coupon_refusal(&s->m, c); /* coupons feature */
	bool short_of_credit = s->m.accounts[c->account].credit < sim_checkout_total(&s->m.prices, c);
	tt_response r = sim_call_maybe_killed(s, "POST", path, s->m.accounts[c->account].token,
					      "{\"method\":\"credit\"}", NULL, KILL_DELAY_US);
	if (r.status == 0) {
		/* cut off: either all of it (checkout paid, credit debited, invoices
		 * issued, resources active) or none of it; the checks after the
		 * step compare the wallet, the invoices and the resources */
		char status[16];
		read_checkout_status(s, c, status);
		if (strcmp(status, "paid") == 0 && !sim_pay(&s->m, c))
			sim_disagree(s, "pay %s cut off: tallyd paid, the model refuses", c->id);
		else if (strcmp(status, "paid") != 0 && strcmp(status, "open") != 0)
			sim_disagree(s, "pay %s cut off: tallyd says %s, not paid or open", c->id,
				 status);
		tt_response_free(&r);
		return;
	}
	bool paid = sim_pay(&s->m, c);
	if (paid && r.status != 200)
		sim_disagree(s, "pay %s: model pays, tallyd %ld %s", c->id, r.status, r.raw);
	if (!paid && (r.status != 422 ||
		      !((refused && strcmp(tt_error_code(&r), refused) == 0) ||
			(short_of_credit && strcmp(tt_error_code(&r), "insufficient_credit") == 0))))
		sim_disagree(s, "pay %s: model refuses for credit, tallyd %ld %s", c->id, r.status,
			 r.raw);
	tt_response_free(&r);
}

static void op_cancel(sim *s)
{
	sim_checkout *c = open_checkout(s, (int)sim_pick(s, 0, s->m.checkout_count));
	if (c == NULL)
		return;
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/cancel", c->id);
	tt_response r = sim_call_maybe_killed(s, "POST", path, s->m.accounts[c->account].token,
					      NULL, NULL, KILL_DELAY_US);
	if (r.status == 0) { /* cut off: cancelled, or still open */
		char status[16];
		read_checkout_status(s, c, status);
		if (strcmp(status, "cancelled") == 0)
			c->status = SIM_CANCELLED;
		else if (strcmp(status, "open") != 0)
			sim_disagree(s, "cancel %s cut off: tallyd says %s", c->id, status);
		tt_response_free(&r);
		return;
	}
	if (r.status != 200)
		sim_disagree(s, "cancel %s -> %ld %s", c->id, r.status, r.raw ? r.raw : "");
	tt_response_free(&r);
	c->status = SIM_CANCELLED;
}

static void op_change(sim *s)
{
	sim_checkout *c = open_checkout(s, (int)sim_pick(s, 0, s->m.checkout_count));
	if (c == NULL)
		return;
	int months = s->m.prices.cycles[sim_pick(s, 0, s->m.prices.cycle_count - 1)].months;
	bool auto_renew = sim_pick(s, 0, 1) == 1;
	char path[128], body[96];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", c->id);
	snprintf(body, sizeof(body), "{\"cycle_months\":%d,\"auto_renew\":%s}", months,
		 auto_renew ? "true" : "false");
	const char *token = s->m.accounts[c->account].token;
	const char *refused = sim_coupon_refusal(&s->m, c); /* coupons feature */
	if (refused) { /* a change re-prices, with the coupon, which no longer applies */
		tt_response r = sim_call(s, "PATCH", path, token, body);
		if (r.status != 422 || strcmp(tt_error_code(&r), refused) != 0)
			sim_disagree(s, "change of %s: model refuses %s, tallyd %ld %s", c->id,
				 refused, r.status, r.raw);
		tt_response_free(&r);
		return;
	}
	int was_months = c->cycle_months;
	bool was_auto_renew = c->auto_renew;
	c->cycle_months = months;
	c->auto_renew = auto_renew;
	tt_response r = sim_call_maybe_killed(s, "PATCH", path, token, body, NULL, KILL_DELAY_US);
	if (r.status == 0) { /* cut off: the new term and total, or the old ones */
		json_t *got = sim_call_ok(s, "GET", path, token, NULL);
		int got_months = (int)sim_member_int(got, "cycle_months", NULL);
		bool got_auto_renew = json_is_true(json_object_get(got, "auto_renew"));
		if (got_months == was_months && got_auto_renew == was_auto_renew) {
			c->cycle_months = was_months;
			c->auto_renew = was_auto_renew;
		} else if (got_months != c->cycle_months || got_auto_renew != c->auto_renew) {
			sim_disagree(s, "change %s cut off: tallyd has %d months auto_renew %d, "
				 "neither the old %d/%d nor the new %d/%d", c->id, got_months,
				 got_auto_renew, was_months, was_auto_renew, c->cycle_months,
				 c->auto_renew);
		}
		expect_checkout_total(s, c, got);
		json_decref(got);
		tt_response_free(&r);
		return;
	}
	if (r.status != 200 || r.json == NULL)
		sim_disagree(s, "change %s -> %ld %s", c->id, r.status, r.raw ? r.raw : "");
	expect_checkout_total(s, c, r.json);
	tt_response_free(&r);
}

static void op_delete(sim *s)
{
	int n = s->m.resource_count;
	for (int i = 0, at = (int)sim_pick(s, 0, n); i < n; i++) {
		sim_resource *r = &s->m.resources[(at + i) % n];
		if (r->status == SIM_DELETED)
			continue;
		char path[128];
		snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
		const char *token = s->m.accounts[r->account].token;
		tt_response got = sim_call_maybe_killed(s, "DELETE", path, token, NULL, NULL,
							KILL_DELAY_US);
		if (got.status == 0) {
			/* cut off: deleted with its refund, or untouched; the checks
			 * after the step compare the status, the wallet, the notes */
			json_t *now = sim_call_ok(s, "GET", path, token, NULL);
			const char *status = json_string_value(json_object_get(now, "status"));
			if (status && strcmp(status, "deleted") == 0)
				sim_delete(&s->m, r);
			json_decref(now);
			tt_response_free(&got);
			return;
		}
		if (got.status < 200 || got.status > 299)
			sim_disagree(s, "delete %s -> %ld %s", r->id, got.status,
				 got.raw ? got.raw : "");
		tt_response_free(&got);
		sim_delete(&s->m, r);
		return;
	}
}

static void check_resource(sim *s, const sim_resource *r)
{
	char path[128], want_end[32];
	snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
	json_t *got = sim_call_ok(s, "GET", path, s->m.accounts[r->account].token, NULL);
	const json_t *billing = json_object_get(got, "billing");
	const char *status = json_string_value(json_object_get(got, "status"));
	const char *mode = json_string_value(json_object_get(billing, "mode"));
	const char *end = json_string_value(json_object_get(billing, "term_end"));
	sim_format_time(r->term_end, want_end);
	if (!status || strcmp(status, sim_status_name(r->status)) != 0)
		sim_disagree(s, "%s status: tallyd %s, model %s", r->id, status,
			 sim_status_name(r->status));
	if (!mode || strcmp(mode, "prepaid") != 0 || !end || strcmp(end, want_end) != 0 ||
	    json_is_true(json_object_get(billing, "auto_renew")) != r->auto_renew ||
	    sim_member_int(billing, "cycle_months", NULL) != r->cycle_months)
		sim_disagree(s, "%s billing: tallyd %s term_end %s auto_renew %d cycle %d; model "
			 "prepaid term_end %s auto_renew %d cycle %d", r->id, mode, end,
			 json_is_true(json_object_get(billing, "auto_renew")),
			 (int)sim_member_int(billing, "cycle_months", NULL), want_end, r->auto_renew,
			 r->cycle_months);
	json_decref(got);
}

static void check_checkout(sim *s, const sim_checkout *c)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", c->id);
	json_t *got = sim_call_ok(s, "GET", path, s->m.accounts[c->account].token, NULL);
	const char *status = json_string_value(json_object_get(got, "status"));
	if (!status || strcmp(status, sim_checkout_status_name(c->status)) != 0)
		sim_disagree(s, "%s status: tallyd %s, model %s", c->id, status,
			 sim_checkout_status_name(c->status));
	json_decref(got);
}

static void check_prepaid(sim *s)
{
	for (int i = 0; i < s->m.resource_count; i++)
		check_resource(s, &s->m.resources[i]);
	/* the newest checkouts: older ones are settled and were checked then */
	for (int i = s->m.checkout_count > 40 ? s->m.checkout_count - 40 : 0;
	     i < s->m.checkout_count; i++)
		check_checkout(s, &s->m.checkouts[i]);
}

static const sim_op prepaid_ops[] = {
	{"top_up", 10, op_top_up}, {"purchase", 18, op_purchase}, {"pay", 20, op_pay},
	{"cancel", 4, op_cancel},  {"change", 5, op_change},      {"delete", 8, op_delete},
};

const sim_feature sim_feature_prepaid = {
	"prepaid", prepaid_ops, (int)(sizeof(prepaid_ops) / sizeof(prepaid_ops[0])),
	check_prepaid};
