/* ops_hold.c: the simulation's hold feature (sim_model.h, "hold feature"):
 * POC vContainer clusters converted by Stop POC paid with method hold; the
 * daily hold, the month-end usage invoices paid from it, the shortfall
 * warnings, suspension and reactivation run by the clock
 * (sim_model_hold.c). Checks: each checkout's hold_amount, each wallet's
 * held amount (test_sim.c check_wallet), the usage invoices in each
 * account's invoiced total (check_invoiced), each member's status and
 * billing mode. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

static const sim_item *pick_type(sim *s, const char *type)
{
	for (int tries = 0; tries < 100; tries++) {
		const sim_item *it = &s->items[sim_pick(s, 0, s->item_count - 1)];
		if (strcmp(it->type, type) == 0)
			return it;
	}
	return NULL;
}

static bool can_poc(sim *s, int account)
{
	for (int i = 0; i < s->m.poc.wallet_count; i++)
		if (s->m.poc.wallets[i].account == account &&
		    sim_poc_wallet_usable(&s->m, &s->m.poc.wallets[i]))
			return true;
	return false;
}

/* A POC wallet for account, in the POC model (its expiry, top-ups and the
 * promotional account's books are the POC feature's). */
static void grant(sim *s, int account)
{
	sim_poc *p = &s->m.poc;
	if (p->wallet_count == SIM_POC_WALLETS_MAX)
		return;
	sim_poc_wallet *w = &p->wallets[p->wallet_count];
	memset(w, 0, sizeof(*w));
	w->account = account;
	w->balance = w->granted = 1000000;
	w->expires_at = s->m.now + 400 * 86400;
	char path[128], body[160], when[32];
	sim_format_time(w->expires_at, when);
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", s->m.accounts[account].id);
	snprintf(body, sizeof(body), "{\"amount\":%" PRId64 ",\"expires_at\":\"%s\"}", w->balance,
		 when);
	json_t *got = sim_call_ok(s, "POST", path, s->srv.admin_token, body);
	snprintf(w->id, sizeof(w->id), "%s", json_string_value(json_object_get(got, "id")));
	json_decref(got);
	p->granted += w->granted;
	p->wallet_count++;
}

/* One of the feature's own accounts (a new one now and then). */
static int hold_account(sim *s)
{
	sim_hold *h = &s->m.hold;
	if (h->account_count < SIM_HOLD_ACCOUNTS_MAX &&
	    s->m.account_count + h->account_count < SIM_ACCOUNTS_MAX &&
	    (h->account_count == 0 || sim_pick(s, 0, 9) == 0)) {
		sim_account *a = &s->m.accounts[s->m.account_count + h->account_count];
		memset(a, 0, sizeof(*a));
		char name[32];
		snprintf(name, sizeof(name), "sim hold %d", h->account_count);
		tt_create_account(&s->srv, name, a->id);
		tt_create_token(&s->srv, a->id, a->token);
		h->account_count++;
	}
	return s->m.account_count + (int)sim_pick(s, 0, h->account_count - 1);
}

static void top_up(sim *s, int account, int64_t amount)
{
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", s->m.accounts[account].id);
	snprintf(body, sizeof(body), "{\"amount\":%" PRId64 ",\"reference\":\"sim hold\"}", amount);
	json_decref(sim_call_ok(s, "POST", path, s->srv.admin_token, body));
	s->m.accounts[account].credit += amount;
	s->m.topped_up += amount;
}

/* A POC vContainer cluster created and converted at once by a Stop POC
 * paid by hold (no time in POC: its POC wallet is charged nothing). */
static void op_hold_convert(sim *s)
{
	sim_hold *h = &s->m.hold;
	int nodes = (int)sim_pick(s, 1, 2);
	int account = hold_account(s);
	const sim_item *node = pick_type(s, "server"), *boot = pick_type(s, "volume");
	if (h->resource_count + 2 * nodes > SIM_HOLD_RESOURCES_MAX || !node || !boot ||
	    h->debt[account] > 0) /* debt: no conversion checkout (nor purchase) */
		return;
	if (!can_poc(s, account))
		grant(s, account);
	int64_t boot_gb = sim_pick(s, 10, 100);
	sim_line node_line = {node->monthly_price, 1}, boot_line = {boot->monthly_price, boot_gb};
	int64_t hold = nodes * (sim_hold_estimate(&s->m, &node_line) +
				sim_hold_estimate(&s->m, &boot_line));
	/* what the payment needs, and now and then more: short of it later,
	 * the hold warns, suspends and leaves debt */
	if (s->m.accounts[account].credit < hold)
		top_up(s, account, hold - s->m.accounts[account].credit +
				   sim_pick(s, 0, 1) * sim_pick(s, 1, 40) * 100000 + sim_pick(s, 0, 999));
	const char *token = s->m.accounts[account].token;
	char body[512], path[160];
	snprintf(body, sizeof(body), "{\"type\":\"cluster\",\"name\":\"simvc\",\"poc\":true,"
		 "\"spec\":{\"service\":\"vcontainer\",\"node_flavor\":\"%s\",\"node_count\":%d,"
		 "\"boot_volume_type\":\"%s\",\"boot_volume_gb\":%" PRId64 "}}", node->id, nodes,
		 boot->id, boot_gb);
	json_t *cluster = sim_call_ok(s, "POST", "/v1/resources", token, body);
	json_t *members = json_object_get(cluster, "members");
	if ((int)json_array_size(members) != 2 * nodes)
		sim_disagree(s, "vContainer cluster of %d nodes has %zu members", nodes,
			     json_array_size(members));
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc",
		 json_string_value(json_object_get(cluster, "id")));
	json_t *chk = sim_call_ok(s, "POST", path, token, "{}");
	if (sim_member_int(chk, "hold_amount", NULL) != hold)
		sim_disagree(s, "Stop POC of vContainer %s: hold_amount %" PRId64 ", model %" PRId64,
			     json_string_value(json_object_get(cluster, "id")),
			     sim_member_int(chk, "hold_amount", NULL), hold);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(chk, "id")));
	json_decref(chk);
	if (sim_pick(s, 0, 3) == 0) { /* rule 6: a hold-settled service is paid by hold only */
		tt_response r = sim_call(s, "POST", path, token, "{\"method\":\"credit\"}");
		if (r.status != 422 || strcmp(tt_error_code(&r), "method_not_allowed") != 0)
			sim_disagree(s, "vContainer checkout paid by credit: tallyd %ld %s", r.status,
				     r.raw);
		tt_response_free(&r);
	}
	json_t *paid = sim_call_ok(s, "POST", path, token, "{\"method\":\"hold\"}");
	json_decref(paid);
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		sim_hold_resource *r = &h->resources[h->resource_count++];
		memset(r, 0, sizeof(*r));
		snprintf(r->id, sizeof(r->id), "%s", json_string_value(json_object_get(m, "id")));
		r->account = account;
		r->line = role && strcmp(role, "node") == 0 ? node_line : boot_line;
		r->status = SIM_ACTIVE;
		r->rated_until = s->m.now;
		snprintf(r->cluster_id, sizeof(r->cluster_id), "%s",
			 json_string_value(json_object_get(cluster, "id")));
	}
	json_decref(cluster);
	sim_hold_paid(&s->m, account, hold);
}

/* ---- checks ---------------------------------------------------------------- */

/* tallyd's job ticker runs every second at the test clock's time: a pass
 * after credit came in collects the usage debt then, and the model's jobs
 * only at the next clock tick. When that is to happen, which pass does it
 * is tallyd's timing, not a rule (reading the balance first raced with the
 * ticker: it could collect between that read and the wallet check), so
 * the simulation runs the pass itself, at the same time, and the model
 * collects with it; the checks then see whether tallyd collected exactly
 * that. */
void sim_hold_settle(sim *s)
{
	sim_hold *h = &s->m.hold;
	bool due = false;
	for (int a = s->m.account_count; a < s->m.account_count + h->account_count; a++)
		due = due || (h->debt[a] > 0 && s->m.accounts[a].credit > 0);
	if (!due)
		return;
	json_decref(sim_call_ok(s, "POST", "/v1/admin/jobs/run", s->srv.admin_token, NULL));
	for (int a = s->m.account_count; a < s->m.account_count + h->account_count; a++) {
		sim_account *acc = &s->m.accounts[a];
		int64_t pay = h->debt[a] < acc->credit ? h->debt[a] : acc->credit;
		if (pay <= 0)
			continue;
		h->debt[a] -= pay;
		acc->credit -= pay;
		h->collected_early++;
	}
}

/* The account's payments of method hold, summed (every page). */
static int64_t hold_payments(sim *s, const sim_account *a)
{
	int64_t sum = 0;
	char path[160], after[64] = "";
	for (int page = 0; page < 1000; page++) {
		snprintf(path, sizeof(path), "/v1/payments?limit=500%s%s", after[0] ? "&after=" : "",
			 after);
		json_t *got = sim_call_ok(s, "GET", path, a->token, NULL);
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(got, "data"), i, p) {
			const char *method = json_string_value(json_object_get(p, "method"));
			if (method && strcmp(method, "hold") == 0)
				sum += sim_member_int(p, "amount", NULL);
		}
		const char *next = json_string_value(json_object_get(got, "next"));
		snprintf(after, sizeof(after), "%s", next ? next : "");
		json_decref(got);
		if (!after[0])
			break;
	}
	return sum;
}

static void check_hold(sim *s)
{
	sim_hold *h = &s->m.hold;
	/* the month's use is paid from the hold, not from the credit it frees */
	for (int a = s->m.account_count; a < s->m.account_count + h->account_count; a++) {
		int64_t got = hold_payments(s, &s->m.accounts[a]);
		if (got != h->hold_payments[a])
			sim_disagree(s, "%s payments by hold: tallyd %" PRId64 ", model %" PRId64,
				     s->m.accounts[a].id, got, h->hold_payments[a]);
	}
	for (int i = 0; i < h->resource_count; i++) {
		const sim_hold_resource *r = &h->resources[i];
		if (r->status == SIM_DELETED)
			continue;
		char path[128];
		snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
		json_t *got = sim_call_ok(s, "GET", path, s->m.accounts[r->account].token, NULL);
		const char *status = json_string_value(json_object_get(got, "status"));
		const char *mode =
			json_string_value(json_object_get(json_object_get(got, "billing"), "mode"));
		if (!status || strcmp(status, sim_status_name(r->status)) != 0 || !mode ||
		    strcmp(mode, "postpaid") != 0)
			sim_disagree(s, "hold-settled %s: tallyd %s %s, model %s postpaid", r->id,
				     status, mode, sim_status_name(r->status));
		json_decref(got);
	}
}

/* Credit for one of the feature's accounts: tomorrow's hold covers the
 * shortfall, the debt collection pays the usage invoices left open. */
static void op_hold_top_up(sim *s)
{
	if (s->m.hold.account_count > 0)
		top_up(s, hold_account(s), sim_pick(s, 1, 60) * 100000 + sim_pick(s, 0, 999));
}

/* The customer deletes a member of a hold-settled cluster, or (one time in
 * three) the cluster, which takes its members with it. */
static void op_hold_delete(sim *s)
{
	sim_hold *h = &s->m.hold;
	int n = h->resource_count;
	for (int i = 0, at = (int)sim_pick(s, 0, n); i < n; i++) {
		sim_hold_resource *r = &h->resources[(at + i) % n];
		if (r->status == SIM_DELETED)
			continue;
		bool whole = sim_pick(s, 0, 2) == 0;
		sim_hold_resource *gone[SIM_HOLD_RESOURCES_MAX];
		int count = 0;
		for (int j = 0; whole && j < n; j++)
			if (strcmp(h->resources[j].cluster_id, r->cluster_id) == 0 &&
			    h->resources[j].status != SIM_DELETED)
				gone[count++] = &h->resources[j];
		if (!whole)
			gone[count++] = r;
		char path[128];
		snprintf(path, sizeof(path), "/v1/resources/%s", whole ? r->cluster_id : r->id);
		json_decref(sim_call_ok(s, "DELETE", path, s->m.accounts[r->account].token, NULL));
		sim_hold_delete(&s->m, gone, count);
		s->m.hold.deletions++;
		return;
	}
}

static const sim_op hold_ops[] = {
	{"hold_convert", 6, op_hold_convert},
	{"hold_top_up", 3, op_hold_top_up},
	{"hold_delete", 2, op_hold_delete},
};

const sim_feature sim_feature_hold = {"hold", hold_ops,
				      (int)(sizeof(hold_ops) / sizeof(hold_ops[0])), check_hold};
