/* ops_postpaid.c: the simulation's postpaid feature: a postpaid account
 * (PATCH /v1/accounts) with load balancers created directly, billed on
 * their running time, and the monthly reconciliation run by the clock
 * (sim_model_postpaid.c). Checks: every usage invoice's total, amount paid
 * and status, and the account's credit, to the đồng. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

#define PP_ITEMS_MAX 4

/* The postpaid items of the catalog (s->items holds servers and volumes). */
static struct {
	char id[64];
	int64_t price;
	bool metered;
} pp_items[PP_ITEMS_MAX];
static int pp_item_count;
static int64_t snapshot_price; /* a GB-month of snapshot storage */
static char meter_token[96];   /* the account's metering-scoped token */

static void top_up(sim *s, int64_t amount)
{
	sim_postpaid *pp = &s->m.pp;
	char path[128], body[96];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", pp->account_id);
	snprintf(body, sizeof(body), "{\"amount\":%" PRId64 ",\"reference\":\"sim pp\"}", amount);
	json_decref(sim_call_ok(s, "POST", path, s->srv.admin_token, body));
	pp->credit += amount;
	s->m.topped_up += amount; /* the bank invariant counts every top-up */
}

/* In debt (DESIGN.md: unpaid use blocks new purchases), the request must be
 * refused with 422 account_in_debt: true when it was. */
static bool refused_in_debt(sim *s, const char *method, const char *path, const char *body)
{
	int64_t debt = sim_postpaid_debt(&s->m);
	if (debt == 0)
		return false;
	tt_response r = sim_call(s, method, path, s->m.pp.token, body);
	if (r.status != 422 || strcmp(tt_error_code(&r), "account_in_debt") != 0)
		sim_disagree(s, "%s %s with a debt of %" PRId64 ": tallyd %ld %s", method, path, debt,
			     r.status, r.raw ? r.raw : "");
	tt_response_free(&r);
	return true;
}

/* The postpaid account, made on the feature's first operation. */
static void start(sim *s)
{
	sim_postpaid *pp = &s->m.pp;
	if (pp->started)
		return;
	pp->started = true;
	tt_create_account(&s->srv, "sim postpaid", pp->account_id);
	tt_create_token(&s->srv, pp->account_id, pp->token);
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s", pp->account_id);
	json_t *got = sim_call_ok(s, "PATCH", path, s->srv.admin_token, "{\"type\":\"postpaid\"}");
	const char *type = json_string_value(json_object_get(got, "type"));
	if (type == NULL || strcmp(type, "postpaid") != 0)
		sim_disagree(s, "PATCH type postpaid -> %s", type ? type : "(none)");
	json_decref(got);
	/* the reconciliation of the month already running counts from now */
	pp->reconciled = sim_pp_month(s->m.now, 0);
	pp_item_count = 0;
	json_t *cat = sim_call_ok(s, "GET", "/v1/catalog", pp->token, NULL);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(cat, "items"), i, v) {
		const char *t = json_string_value(json_object_get(v, "type"));
		if (t && strcmp(t, "snapshot") == 0)
			snapshot_price = sim_member_int(v, "monthly_price", NULL);
		if (t == NULL || pp_item_count == PP_ITEMS_MAX || strcmp(t, "load_balancer") != 0)
			continue;
		snprintf(pp_items[pp_item_count].id, 64, "%s",
			 json_string_value(json_object_get(v, "id")));
		pp_items[pp_item_count].price = sim_member_int(v, "monthly_price", NULL);
		pp_items[pp_item_count++].metered = false;
	}
	json_decref(cat);
	if (pp_item_count == 0 || snapshot_price <= 0)
		sim_disagree(s, "the catalog sells no load balancer or no snapshot");
	snprintf(path, sizeof(path), "/v1/accounts/%s/tokens", pp->account_id);
	got = sim_call_ok(s, "POST", path, s->srv.admin_token, "{\"scope\":\"metering\"}");
	snprintf(meter_token, sizeof(meter_token), "%s",
		 json_string_value(json_object_get(got, "token")));
	json_decref(got);
	/* a third of the runs are rich, the others live on the edge of their
	 * credit (debt, partly paid invoices, the collection) */
	int64_t first = sim_pick(s, 0, 2) == 0 ? sim_pick(s, 20, 100) * 1000000
					       : sim_pick(s, 0, 8) * 100000;
	if (first + sim_pick(s, 0, 999) > 0)
		top_up(s, first + sim_pick(s, 0, 999));
}

static void op_create_lb(sim *s)
{
	start(s);
	sim_postpaid *pp = &s->m.pp;
	if (pp->resource_count == SIM_PP_RESOURCES_MAX)
		return;
	int k = (int)sim_pick(s, 0, pp_item_count - 1);
	char body[192];
	snprintf(body, sizeof(body), "{\"type\":\"load_balancer\",\"name\":\"sim lb\",\"poc\":false,"
		 "\"spec\":{\"item\":\"%s\"}}", pp_items[k].id);
	if (refused_in_debt(s, "POST", "/v1/resources", body))
		return;
	json_t *got = sim_call_ok(s, "POST", "/v1/resources", pp->token, body);
	sim_pp_resource *r = &pp->resources[pp->resource_count++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", json_string_value(json_object_get(got, "id")));
	r->unit_price = pp_items[k].price;
	r->quantity = 1;
	r->created_at = r->rated_until = s->m.now;
	const char *mode = json_string_value(
		json_object_get(json_object_get(got, "billing"), "mode"));
	if (mode && strcmp(mode, "postpaid") != 0)
		sim_disagree(s, "load balancer %s billed %s, not postpaid", r->id, mode);
	json_decref(got);
}

static void op_create_snapshot(sim *s)
{
	start(s);
	sim_postpaid *pp = &s->m.pp;
	if (pp->resource_count == SIM_PP_RESOURCES_MAX)
		return;
	int64_t gb = sim_pick(s, 1, 2000);
	char body[192];
	snprintf(body, sizeof(body), "{\"type\":\"snapshot\",\"name\":\"sim snap\",\"poc\":false,"
		 "\"spec\":{\"size_gb\":%" PRId64 "}}", gb);
	if (refused_in_debt(s, "POST", "/v1/resources", body))
		return;
	json_t *got = sim_call_ok(s, "POST", "/v1/resources", pp->token, body);
	sim_pp_resource *r = &pp->resources[pp->resource_count++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", json_string_value(json_object_get(got, "id")));
	r->unit_price = snapshot_price;
	r->quantity = gb;
	r->metered = true;
	r->created_at = r->rated_until = s->m.now;
	json_decref(got);
}

static sim_pp_resource *pick_live(sim *s, bool metered_only)
{
	sim_postpaid *pp = &s->m.pp;
	int n = pp->resource_count;
	for (int i = 0, at = n ? (int)sim_pick(s, 0, n - 1) : 0; i < n; i++) {
		sim_pp_resource *r = &pp->resources[(at + i) % n];
		if (!r->deleted && (r->metered || !metered_only))
			return r;
	}
	return NULL;
}

/* A metered record of a snapshot, sent by the metering token, and at times
 * sent again: the same resource and period is a duplicate, not charged
 * again, whatever its quantity. Its start is after the snapshot was last
 * rated (a record of a period already invoiced would be a question of
 * late records, which this feature leaves alone). */
static void op_usage(sim *s)
{
	sim_pp_resource *r = pick_live(s, true);
	if (r == NULL || r->record_count == SIM_PP_RECORDS_MAX)
		return;
	int64_t lo = r->rated_until, hi = s->m.now - 60;
	if (lo < s->m.now - 7 * 86400)
		lo = s->m.now - 7 * 86400;
	if (lo > hi)
		return;
	int64_t start = sim_pick(s, lo, hi), end = start + sim_pick(s, 1, 6 * 3600);
	int64_t quantity = sim_pick(s, 0, 1) ? sim_pick(s, 1, 3000) : 0; /* 0: the resource's */
	char from[32], to[32], body[320], qty[40] = "";
	sim_format_time(start, from);
	sim_format_time(end, to);
	if (quantity)
		snprintf(qty, sizeof(qty), ",\"quantity\":%" PRId64, quantity);
	snprintf(body, sizeof(body), "{\"records\":[{\"resource_id\":\"%s\",\"start\":\"%s\","
		 "\"end\":\"%s\"%s}]}", r->id, from, to, qty);
	bool dup = false;
	for (int i = 0; i < r->record_count; i++)
		dup = dup || (r->records[i].start == start && r->records[i].end == end);
	for (int round = 0; round < 2; round++) {
		json_t *got = sim_call_ok(s, "POST", "/v1/usage", meter_token, body);
		int64_t accepted = sim_member_int(got, "accepted", NULL);
		int64_t dups = sim_member_int(got, "duplicates", NULL);
		json_decref(got);
		if (accepted != (dup ? 0 : 1) || dups != (dup ? 1 : 0))
			sim_disagree(s, "usage %s: tallyd accepted %" PRId64 " duplicates %" PRId64
				     ", model %s", body, accepted, dups, dup ? "duplicate" : "accepted");
		if (!dup) {
			int64_t minutes = (end - start + 59) / 60; /* a minute begun counts */
			r->records[r->record_count++] = (sim_pp_record){
				start, end, minutes * (quantity ? quantity : r->quantity)};
		}
		dup = true;
		if (sim_pick(s, 1, 100) > 30)
			break;
		if (sim_pick(s, 0, 1)) /* the copy with another quantity: still a copy */
			snprintf(body, sizeof(body), "{\"records\":[{\"resource_id\":\"%s\",\"start\":"
				 "\"%s\",\"end\":\"%s\",\"quantity\":%" PRId64 "}]}", r->id, from,
				 to, sim_pick(s, 1, 3000));
	}
}

static void op_delete(sim *s)
{
	sim_pp_resource *r = pick_live(s, false);
	if (r == NULL)
		return;
	char path[128];
	snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
	tt_response got = sim_call(s, "DELETE", path, s->m.pp.token, NULL);
	if (got.status < 200 || got.status > 299)
		sim_disagree(s, "delete %s -> %ld %s", r->id, got.status, got.raw ? got.raw : "");
	tt_response_free(&got);
	sim_postpaid_delete(&s->m, r);
}

/* A purchase in debt: 422 account_in_debt (not sent otherwise: the
 * postpaid account buys nothing prepaid). */
static void op_checkout(sim *s)
{
	if (s->m.pp.started && s->item_count > 0) {
		char body[256];
		snprintf(body, sizeof(body), "{\"kind\":\"purchase\",\"cycle_months\":1,\"items\":"
			 "[{\"type\":\"server\",\"name\":\"s\",\"spec\":{\"flavor\":"
			 "\"s.general.1c2g\"}}]}");
		refused_in_debt(s, "POST", "/v1/checkouts", body);
	}
}

/* A top-up; the debt collection (run by the jobs at once) pays what is
 * owed from it (settled in check). */
static void op_top_up(sim *s)
{
	if (!s->m.pp.started)
		return;
	top_up(s, sim_pick(s, 0, 1) ? sim_pick(s, 1, 30) * 100000 + sim_pick(s, 0, 999)
			    : sim_pick(s, 1000, 300000)); /* small: a part of the debt */
	json_decref(sim_call_ok(s, "POST", "/v1/admin/jobs/run", s->srv.admin_token, NULL));
}

static sim_pp_resource *resource_by_id(sim *s, const char *id)
{
	for (int i = 0; id && i < s->m.pp.resource_count; i++)
		if (strcmp(s->m.pp.resources[i].id, id) == 0)
			return &s->m.pp.resources[i];
	return NULL;
}

static void check_invoice(sim *s, const json_t *inv, int64_t *newly_paid)
{
	const char *rid = json_string_value(json_object_get(inv, "resource_id"));
	const char *kind = json_string_value(json_object_get(inv, "kind"));
	const char *end = json_string_value(
		json_object_get(json_object_get(inv, "period"), "end"));
	const char *status = json_string_value(json_object_get(inv, "status"));
	sim_pp_resource *r = resource_by_id(s, rid);
	if (r == NULL || kind == NULL || strcmp(kind, "usage") != 0 || end == NULL)
		sim_disagree(s, "postpaid account: an invoice the model does not know: %s",
			     json_dumps(inv, JSON_COMPACT));
	sim_pp_invoice *want = NULL;
	for (int i = 0; i < r->invoice_count && want == NULL; i++) {
		char when[32];
		sim_format_time(r->invoices[i].period_end, when);
		if (strcmp(when, end) == 0)
			want = &r->invoices[i];
	}
	if (want == NULL)
		sim_disagree(s, "%s: a usage invoice ending %s the model has not", r->id, end);
	int64_t total = sim_member_int(inv, "total", NULL);
	int64_t paid = sim_member_int(inv, "amount_paid", NULL);
	/* tallyd says what it paid; the caller checks the sum of it */
	const char *want_status = paid == want->total ? "paid" : paid > 0 ? "partial_paid" : "unpaid";
	if (total != want->total || paid < want->paid || paid > want->total || status == NULL ||
	    strcmp(status, want_status) != 0)
		sim_disagree(s, "%s usage invoice to %s: tallyd total %" PRId64 " paid %" PRId64
			     " %s; model total %" PRId64 ", paid before %" PRId64 " (paid %" PRId64
			     " is %s)", r->id, end, total, paid, status ? status : "?", want->total,
			     want->paid, paid, want_status);
	*newly_paid += paid - want->paid;
	want->paid = paid;
}

/* Reads every usage invoice: each total must be the model's; what tallyd
 * paid of them since the last settlement must be, in all, exactly what the
 * credit could pay of what was owed (every invoice paid when it covers
 * them all; the credit used up otherwise). Which invoice gets the last
 * credit is tallyd's order: the model takes it. */
static void settle(sim *s)
{
	sim_postpaid *pp = &s->m.pp;
	int64_t debt = sim_postpaid_debt(&s->m), newly_paid = 0;
	int want = 0, got = 0;
	for (int i = 0; i < pp->resource_count; i++)
		want += pp->resources[i].invoice_count;
	char path[160], after[64] = "";
	for (int page = 0; page < 100; page++) {
		snprintf(path, sizeof(path), "/v1/invoices?limit=500%s%s",
			 after[0] ? "&after=" : "", after);
		json_t *list = sim_call_ok(s, "GET", path, pp->token, NULL);
		size_t i;
		json_t *inv;
		json_array_foreach(json_object_get(list, "data"), i, inv) {
			check_invoice(s, inv, &newly_paid);
			got++;
		}
		const char *next = json_string_value(json_object_get(list, "next"));
		snprintf(after, sizeof(after), "%s", next ? next : "");
		json_decref(list);
		if (!after[0])
			break;
	}
	if (got != want)
		sim_disagree(s, "postpaid account: tallyd has %d usage invoices, the model %d", got,
			     want);
	int64_t payable = debt < pp->credit ? debt : pp->credit;
	if (newly_paid != payable)
		sim_disagree(s, "postpaid: tallyd paid %" PRId64 " of a debt of %" PRId64 " with %" PRId64
			     " credit; the rules say %" PRId64, newly_paid, debt, pp->credit, payable);
	pp->credit -= newly_paid;
}

/* After each jobs tick: the payments settled, then each resource's
 * suspension as tallyd has it (the hold is not modelled, so when it
 * suspends is read): a suspension is allowed only when the credit is short
 * of a hold's most: the month's use so far and 3 days ahead of every live
 * resource, with tax, at the largest quantity any record of it showed. */
void sim_postpaid_tick(sim *s)
{
	sim_postpaid *pp = &s->m.pp;
	if (!pp->started)
		return;
	settle(s);
	int64_t most = 0, since = sim_pp_month(s->m.now, 0);
	for (int i = 0; i < pp->resource_count; i++) {
		const sim_pp_resource *r = &pp->resources[i];
		int64_t q = r->quantity;
		for (int k = 0; k < r->record_count; k++)
			q = r->records[k].unit_minutes > q ? r->records[k].unit_minutes : q;
		if (!r->deleted)
			most += sim_usage_cost(r->unit_price, q, s->m.now - since + 3 * 86400 + 60) *
				(10000 + s->m.prices.tax_rate_bp) / 10000 + 1;
	}
	json_t *list = sim_call_ok(s, "GET", "/v1/resources?limit=500", pp->token, NULL);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(list, "data"), i, v) {
		sim_pp_resource *r = resource_by_id(s, json_string_value(json_object_get(v, "id")));
		const char *status = json_string_value(json_object_get(v, "status"));
		if (r == NULL || r->deleted || status == NULL)
			continue;
		bool on = strcmp(status, "suspended") == 0;
		if (on && !r->suspended && pp->credit >= most)
			sim_disagree(s, "%s suspended with %" PRId64 " credit, more than any hold (%" PRId64
				     ")", r->id, pp->credit, most);
		sim_postpaid_suspend(&s->m, r, on);
	}
	json_decref(list);
}

static void check(sim *s)
{
	sim_postpaid *pp = &s->m.pp;
	if (!pp->started)
		return;
	settle(s);
	json_t *w = sim_call_ok(s, "GET", "/v1/wallets", pp->token, NULL);
	int64_t balance = sim_member_int(w, "credit", "balance");
	int64_t held = sim_member_int(w, "credit", "held");
	json_decref(w);
	if (balance != pp->credit || held < 0 || held > balance)
		sim_disagree(s, "postpaid credit: tallyd balance %" PRId64 " held %" PRId64
			     ", model %" PRId64, balance, held, pp->credit);
}

static const sim_op postpaid_ops[] = {
	{"pp_create_lb", 4, op_create_lb},
	{"pp_create_snapshot", 3, op_create_snapshot},
	{"pp_usage", 6, op_usage},
	{"pp_delete", 2, op_delete},
	{"pp_top_up", 6, op_top_up},
	{"pp_checkout", 1, op_checkout},
};

const sim_feature sim_feature_postpaid = {
	"postpaid", postpaid_ops, (int)(sizeof(postpaid_ops) / sizeof(postpaid_ops[0])), check};
