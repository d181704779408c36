/* ops_poc.c: the simulation's POC feature: POC wallets granted, extended
 * and topped up by the admin; POC servers and volumes created on them and
 * deleted; their hourly use, the wallet used up, reminders, expiry and the
 * end of the retention run by the clock (sim_model_poc.c). Checks: each POC
 * wallet's balance and expiry, each POC resource's status and billing, and
 * the promotional account's grants and returns. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

static void op_grant(sim *s)
{
	sim_poc *p = &s->m.poc;
	if (p->wallet_count == SIM_POC_WALLETS_MAX)
		return;
	sim_poc_wallet *w = &p->wallets[p->wallet_count];
	memset(w, 0, sizeof(*w));
	w->account = (int)sim_pick(s, 0, s->m.account_count - 1);
	/* small ones are used up within days, large ones outlive their expiry */
	w->balance = w->granted = sim_pick(s, 0, 1) ? sim_pick(s, 1, 50) * 100000 + sim_pick(s, 0, 999)
						    : sim_pick(s, 1000, 60000);
	w->expires_at = s->m.now + sim_pick(s, 3600, 40 * 86400);
	char path[128], body[160], when[32];
	sim_format_time(w->expires_at, when);
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", s->m.accounts[w->account].id);
	snprintf(body, sizeof(body), "{\"amount\":%" PRId64 ",\"expires_at\":\"%s\"}", w->balance,
		 when);
	json_t *got = sim_call_ok(s, "POST", path, s->srv.admin_token, body);
	snprintf(w->id, sizeof(w->id), "%s", json_string_value(json_object_get(got, "id")));
	json_decref(got);
	p->granted += w->granted;
	p->wallet_count++;
}

static sim_poc_wallet *wallet_by_id(sim *s, const char *id)
{
	for (int i = 0; id && i < s->m.poc.wallet_count; i++)
		if (strcmp(s->m.poc.wallets[i].id, id) == 0)
			return &s->m.poc.wallets[i];
	return NULL;
}

static sim_poc_resource *add_resource(sim *s, const char *id, int account, int wallet,
				      sim_line line, int cluster, const char *role)
{
	sim_poc *p = &s->m.poc;
	if (p->resource_count == SIM_POC_RESOURCES_MAX)
		sim_disagree(s, "the model holds at most %d POC resources", SIM_POC_RESOURCES_MAX);
	sim_poc_resource *res = &p->resources[p->resource_count++];
	memset(res, 0, sizeof(*res));
	snprintf(res->id, sizeof(res->id), "%s", id ? id : "");
	snprintf(res->role, sizeof(res->role), "%s", role);
	res->account = account;
	res->wallet = wallet;
	res->line = line;
	res->cluster = cluster;
	res->status = SIM_ACTIVE;
	res->created_at = res->accrued_until = s->m.now;
	return res;
}

static bool account_can_poc(sim *s, int account)
{
	for (int i = 0; i < s->m.poc.wallet_count; i++)
		if (s->m.poc.wallets[i].account == account &&
		    sim_poc_wallet_usable(&s->m, &s->m.poc.wallets[i]))
			return true;
	return false;
}

/* The wallet tallyd chose for a new POC resource: one the model says can pay. */
static int chosen_wallet(sim *s, const json_t *got, int account, const char *what)
{
	const char *wid = json_string_value(
		json_object_get(json_object_get(got, "billing"), "poc_wallet_id"));
	sim_poc_wallet *w = wallet_by_id(s, wid);
	if (w == NULL || w->account != account || !sim_poc_wallet_usable(&s->m, w))
		sim_disagree(s, "POC %s paid by wallet %s, which the model says cannot pay", what,
			     wid ? wid : "(none)");
	return (int)(w - s->m.poc.wallets);
}

static const sim_item *pick_item(sim *s, const char *type)
{
	for (int tries = 0; tries < 100; tries++) {
		const sim_item *it = &s->items[sim_pick(s, 0, s->item_count - 1)];
		if (strcmp(it->type, type) == 0)
			return it;
	}
	return NULL;
}

/* A POC VKS cluster: its nodes and boot volumes are members in POC. */
static void op_poc_cluster(sim *s)
{
	sim_poc *p = &s->m.poc;
	int nodes = (int)sim_pick(s, 1, 3);
	if (p->resource_count + 1 + 2 * nodes > SIM_POC_RESOURCES_MAX)
		return;
	int account = (int)sim_pick(s, 0, s->m.account_count - 1);
	const sim_item *node = pick_item(s, "server"), *boot = pick_item(s, "volume");
	if (node == NULL || boot == NULL)
		return;
	int64_t boot_gb = sim_pick(s, 10, 100);
	char body[512];
	snprintf(body, sizeof(body), "{\"type\":\"cluster\",\"name\":\"simk\",\"poc\":true,"
		 "\"spec\":{\"service\":\"vks\",\"node_flavor\":\"%s\",\"node_count\":%d,"
		 "\"boot_volume_type\":\"%s\",\"boot_volume_gb\":%" PRId64 "}}", node->id, nodes,
		 boot->id, boot_gb);
	tt_response r = sim_call(s, "POST", "/v1/resources", s->m.accounts[account].token, body);
	if (!account_can_poc(s, account)) {
		if (r.status != 422 || strcmp(tt_error_code(&r), "poc_wallet_required") != 0)
			sim_disagree(s, "POC cluster with no usable wallet: tallyd %ld %s", r.status,
				     r.raw);
		tt_response_free(&r);
		return;
	}
	if (r.status != 201 || r.json == NULL)
		sim_disagree(s, "POC cluster: model creates it, tallyd %ld %s", r.status, r.raw);
	int wallet = chosen_wallet(s, r.json, account, "cluster");
	const char *cid = json_string_value(json_object_get(r.json, "id"));
	sim_poc_resource *c = add_resource(s, cid, account, wallet, (sim_line){0, 1}, -1, "");
	c->is_cluster = c->cluster_poc = true;
	int ci = (int)(c - p->resources);
	json_t *members = json_object_get(r.json, "members");
	if ((int)json_array_size(members) != 2 * nodes)
		sim_disagree(s, "cluster %s of %d nodes has %zu members", cid, nodes,
			     json_array_size(members));
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		bool is_node = role && strcmp(role, "node") == 0;
		add_resource(s, json_string_value(json_object_get(m, "id")), account, wallet,
			     is_node ? (sim_line){node->monthly_price, 1}
				     : (sim_line){boot->monthly_price, boot_gb},
			     ci, role ? role : "?");
	}
	tt_response_free(&r);
}

/* A PVC added in POC to an active cluster (rule 12: also after its Stop POC). */
static void op_poc_pvc(sim *s)
{
	sim_poc *p = &s->m.poc;
	int n = p->resource_count, ci = -1;
	for (int i = 0, at = (int)sim_pick(s, 0, n); i < n && ci < 0; i++) {
		const sim_poc_resource *c = &p->resources[(at + i) % n];
		if (c->is_cluster && c->status == SIM_ACTIVE)
			ci = (at + i) % n;
	}
	const sim_item *vol = pick_item(s, "volume");
	if (ci < 0 || vol == NULL || p->resource_count == SIM_POC_RESOURCES_MAX)
		return;
	int account = p->resources[ci].account;
	sim_line line = {vol->monthly_price, sim_pick(s, 1, 200)};
	char body[512];
	snprintf(body, sizeof(body), "{\"type\":\"volume\",\"name\":\"pvc\",\"poc\":true,"
		 "\"cluster_id\":\"%s\",\"role\":\"pvc\",\"spec\":{\"volume_type\":\"%s\","
		 "\"size_gb\":%" PRId64 "}}", p->resources[ci].id, vol->id, line.quantity);
	tt_response r = sim_call(s, "POST", "/v1/resources", s->m.accounts[account].token, body);
	if (!account_can_poc(s, account)) {
		if (r.status != 422 || strcmp(tt_error_code(&r), "poc_wallet_required") != 0)
			sim_disagree(s, "PVC with no usable wallet: tallyd %ld %s", r.status, r.raw);
		tt_response_free(&r);
		return;
	}
	if (r.status != 201 || r.json == NULL)
		sim_disagree(s, "PVC on %s: model adds it, tallyd %ld %s", p->resources[ci].id,
			     r.status, r.raw);
	int wallet = chosen_wallet(s, r.json, account, "pvc");
	add_resource(s, json_string_value(json_object_get(r.json, "id")), account, wallet, line,
		     ci, "pvc");
	tt_response_free(&r);
}

static void op_poc_create(sim *s)
{
	sim_poc *p = &s->m.poc;
	if (p->resource_count == SIM_POC_RESOURCES_MAX)
		return;
	int account = (int)sim_pick(s, 0, s->m.account_count - 1);
	const sim_item *it = &s->items[sim_pick(s, 0, s->item_count - 1)];
	bool volume = strcmp(it->type, "volume") == 0;
	sim_line line = {it->monthly_price, volume ? sim_pick(s, 10, 500) : 1};
	json_t *req = json_pack("{s:s, s:s, s:o, s:b}", "type", it->type, "name", "sim poc", "spec",
				volume ? json_pack("{s:s, s:I}", "volume_type", it->id, "size_gb",
						   (json_int_t)line.quantity)
				       : json_pack("{s:s}", "flavor", it->id),
				"poc", 1);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	tt_response r = sim_call(s, "POST", "/v1/resources", s->m.accounts[account].token, body);
	free(body);
	bool possible = false;
	for (int i = 0; i < p->wallet_count; i++)
		possible = possible || (p->wallets[i].account == account &&
					sim_poc_wallet_usable(&s->m, &p->wallets[i]));
	if (!possible) {
		if (r.status != 422 || strcmp(tt_error_code(&r), "poc_wallet_required") != 0)
			sim_disagree(s, "POC %s with no usable wallet: tallyd %ld %s", it->type,
				     r.status, r.raw);
		tt_response_free(&r);
		return;
	}
	if (r.status != 201 || r.json == NULL)
		sim_disagree(s, "POC %s: model creates it, tallyd %ld %s", it->type, r.status, r.raw);
	/* which usable wallet pays is tallyd's choice; it must be one of them */
	int wallet = chosen_wallet(s, r.json, account, it->type);
	add_resource(s, json_string_value(json_object_get(r.json, "id")), account, wallet, line, -1,
		     "");
	tt_response_free(&r);
}

static void op_poc_change(sim *s)
{
	sim_poc *p = &s->m.poc;
	if (p->wallet_count == 0)
		return op_grant(s);
	sim_poc_wallet *w = &p->wallets[sim_pick(s, 0, p->wallet_count - 1)];
	/* mostly a live one, an empty one first (what a top-up brings back);
	 * now and then any, the expired ones refused */
	for (int pass = 0; pass < 2 && sim_pick(s, 0, 4) > 0; pass++) {
		sim_poc_wallet *found = NULL;
		for (int i = 0; i < p->wallet_count && !found; i++) {
			sim_poc_wallet *live = &p->wallets[i];
			if (live->expires_at > s->m.now && (pass == 1 || live->balance == 0))
				found = live;
		}
		if (found) {
			w = found;
			break;
		}
	}
	int kind = (int)sim_pick(s, 0, 2); /* 0 extend, 1 top up, 2 both */
	int64_t expires = kind != 1 ? s->m.now + sim_pick(s, 3600, 30 * 86400) : 0;
	int64_t add = kind != 0 ? sim_pick(s, 1, 30) * 100000 + sim_pick(s, 0, 999) : 0;
	char path[128], body[160], when[32];
	sim_format_time(expires, when);
	snprintf(path, sizeof(path), "/v1/poc-wallets/%s", w->id);
	if (kind == 0)
		snprintf(body, sizeof(body), "{\"expires_at\":\"%s\"}", when);
	else if (kind == 1)
		snprintf(body, sizeof(body), "{\"add_amount\":%" PRId64 "}", add);
	else
		snprintf(body, sizeof(body), "{\"expires_at\":\"%s\",\"add_amount\":%" PRId64 "}",
			 when, add);
	tt_response r = sim_call(s, "PATCH", path, s->srv.admin_token, body);
	bool changed = sim_poc_change(&s->m, w, expires, add);
	if (changed && r.status != 200)
		sim_disagree(s, "PATCH %s %s: model changes it, tallyd %ld %s", w->id, body, r.status,
			     r.raw);
	if (!changed && (r.status != 422 || strcmp(tt_error_code(&r), "poc_wallet_expired") != 0))
		sim_disagree(s, "PATCH %s %s: model says expired, tallyd %ld %s", w->id, body,
			     r.status, r.raw);
	tt_response_free(&r);
}

static sim_resource *prepaid_of(sim *s, const char *id)
{
	for (int i = 0; i < s->m.resource_count; i++)
		if (strcmp(s->m.resources[i].id, id) == 0)
			return &s->m.resources[i];
	return NULL;
}

/* The customer deletes a POC resource; a cluster takes its members with
 * it, the converted ones too (their unused term refunded, as any prepaid). */
static void op_poc_delete(sim *s)
{
	sim_poc *p = &s->m.poc;
	int n = p->resource_count;
	for (int i = 0, at = (int)sim_pick(s, 0, n); i < n; i++) {
		int k = (at + i) % n;
		sim_poc_resource *r = &p->resources[k];
		if (r->status == SIM_DELETED || r->converted)
			continue;
		char path[128];
		snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
		json_decref(sim_call_ok(s, "DELETE", path, s->m.accounts[r->account].token, NULL));
		r->status = SIM_DELETED; /* the hour it is in is not charged */
		for (int j = 0; r->is_cluster && j < n; j++) {
			sim_poc_resource *m = &p->resources[j];
			if (m->cluster != k)
				continue;
			sim_resource *paid = m->converted ? prepaid_of(s, m->id) : NULL;
			if (paid && paid->status != SIM_DELETED)
				sim_delete(&s->m, paid);
			if (!m->converted)
				m->status = SIM_DELETED;
		}
		return;
	}
}

/* What a Stop POC of target converts (rule 7: a cluster's members still
 * in POC, boot volumes and PVCs included; rule 10: a member alone). */
static int stop_poc_plan(const sim *s, int target, int *out)
{
	const sim_poc *p = &s->m.poc;
	int n = 0;
	if (!p->resources[target].is_cluster) {
		out[n++] = target;
		return n;
	}
	for (int j = 0; j < p->resource_count; j++)
		if (p->resources[j].cluster == target && !p->resources[j].converted &&
		    p->resources[j].status != SIM_DELETED)
			out[n++] = j;
	return n;
}

/* Payment converted them in place: prepaid from now, in the prepaid model. */
static void converted(sim *s, const int *plan, int n, int cycle_months, bool auto_renew)
{
	for (int i = 0; i < n; i++) {
		sim_poc_resource *pr = &s->m.poc.resources[plan[i]];
		if (s->m.resource_count == SIM_RESOURCES_MAX)
			sim_disagree(s, "the model holds at most %d resources", SIM_RESOURCES_MAX);
		sim_resource *r = &s->m.resources[s->m.resource_count++];
		memset(r, 0, sizeof(*r));
		memcpy(r->id, pr->id, SIM_ID_MAX); /* rule 1: the same resource */
		r->account = pr->account;
		r->line = pr->line;
		r->status = SIM_ACTIVE; /* converted in its retention period too */
		r->cycle_months = cycle_months;
		r->auto_renew = auto_renew;
		r->term_start = s->m.now;
		r->term_end = sim_add_months(s->m.now, cycle_months);
		r->tried_term_end = -1;
		r->terms[0] = (sim_term){.start = r->term_start, .end = r->term_end};
		sim_line_price(&s->m.prices, &r->line, cycle_months, &r->terms[0].total,
			       &r->terms[0].tax);
		r->term_count = 1;
		s->m.accounts[r->account].credit -= r->terms[0].total;
		s->m.accounts[r->account].invoiced += r->terms[0].total;
		pr->converted = true;
	}
}

/* Stop POC: preview, confirm, checkout, then pay by credit (or cancel). */
static void op_stop_poc(sim *s)
{
	sim_poc *p = &s->m.poc;
	int n = p->resource_count, target = -1;
	for (int i = 0, at = (int)sim_pick(s, 0, n); i < n && target < 0; i++) {
		const sim_poc_resource *r = &p->resources[(at + i) % n];
		if (r->status != SIM_DELETED && !r->converted && (!r->is_cluster || r->cluster_poc))
			target = (at + i) % n;
	}
	if (target < 0)
		return;
	sim_poc_resource *t = &p->resources[target];
	const char *token = s->m.accounts[t->account].token;
	int plan[SIM_POC_RESOURCES_MAX];
	int count = stop_poc_plan(s, target, plan);
	bool warn = t->cluster >= 0 && p->resources[t->cluster].cluster_poc &&
		    !p->resources[t->cluster].converted;
	char path[160];
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc/preview", t->id);
	json_t *got = sim_call_ok(s, "POST", path, token, NULL);
	const char *action = json_string_value(json_object_get(got, "action"));
	if (!action || strcmp(action, count ? "checkout" : "stop") != 0 ||
	    (int)json_array_size(json_object_get(got, "resources")) != count ||
	    (json_array_size(json_object_get(got, "warnings")) > 0) != warn)
		sim_disagree(s, "Stop POC preview of %s: tallyd %s of %zu, %zu warnings; model %s of "
			     "%d, warning %d", t->id, action,
			     json_array_size(json_object_get(got, "resources")),
			     json_array_size(json_object_get(got, "warnings")),
			     count ? "checkout" : "stop", count, warn);
	json_decref(got);
	int cycle = s->m.prices.cycles[sim_pick(s, 0, s->m.prices.cycle_count - 1)].months;
	bool auto_renew = sim_pick(s, 0, 1) == 1;
	char body[96];
	snprintf(body, sizeof(body), "{\"cycle_months\":%d,\"auto_renew\":%s}", cycle,
		 auto_renew ? "true" : "false");
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc", t->id);
	got = sim_call_ok(s, "POST", path, token, body);
	if (count == 0) { /* rule 11: the cluster's flag cleared, free */
		if (!json_is_true(json_object_get(got, "stopped")))
			sim_disagree(s, "Stop POC of %s with nothing in POC: %s", t->id,
				     json_dumps(got, JSON_COMPACT));
		t->cluster_poc = false;
		t->converted = true;
		t->checked_deleted = true; /* a cluster with no fee: no billing to check */
		json_decref(got);
		return;
	}
	int64_t total = 0, line_total, line_tax;
	for (int i = 0; i < count; i++) {
		sim_line_price(&s->m.prices, &p->resources[plan[i]].line, cycle, &line_total,
			       &line_tax);
		total += line_total;
	}
	char id[SIM_ID_MAX];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(got, "id")));
	if (sim_member_int(got, "total", NULL) != total)
		sim_disagree(s, "Stop POC checkout %s of %s: tallyd total %" PRId64 ", model %" PRId64,
			     id, t->id, sim_member_int(got, "total", NULL), total);
	json_decref(got);
	bool pay = sim_pick(s, 0, 9) > 0;
	sim_account *a = &s->m.accounts[t->account];
	if (pay) {
		snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", id);
		tt_response r = sim_call(s, "POST", path, token, "{\"method\":\"credit\"}");
		bool can = a->credit >= total;
		if (can && r.status != 200)
			sim_disagree(s, "pay Stop POC %s: model pays, tallyd %ld %s", id, r.status, r.raw);
		if (!can && (r.status != 422 || strcmp(tt_error_code(&r), "insufficient_credit") != 0))
			sim_disagree(s, "pay Stop POC %s: model refuses for credit, tallyd %ld %s", id,
				     r.status, r.raw);
		tt_response_free(&r);
		if (can) {
			converted(s, plan, count, cycle, auto_renew);
			if (t->is_cluster) { /* the cluster's flag goes with its payment */
				t->cluster_poc = false;
				t->converted = true;
				t->checked_deleted = true;
			}
			return;
		}
	}
	/* cancelled (or short of credit): rule 2, everything stays as it was */
	snprintf(path, sizeof(path), "/v1/checkouts/%s/cancel", id);
	json_decref(sim_call_ok(s, "POST", path, token, NULL));
}

/* ---- checks ---------------------------------------------------------------- */

static void check_wallets(sim *s, int account)
{
	const sim_poc *p = &s->m.poc;
	json_t *got = sim_call_ok(s, "GET", "/v1/wallets", s->m.accounts[account].token, NULL);
	json_t *poc = json_object_get(got, "poc");
	int want = 0;
	for (int i = 0; i < p->wallet_count; i++) {
		const sim_poc_wallet *w = &p->wallets[i];
		if (w->account != account)
			continue;
		want++;
		size_t k;
		json_t *v, *found = NULL;
		json_array_foreach(poc, k, v) {
			const char *id = json_string_value(json_object_get(v, "id"));
			if (id && strcmp(id, w->id) == 0)
				found = v;
		}
		char when[32];
		sim_format_time(w->expires_at, when);
		const char *exp = json_string_value(json_object_get(found, "expires_at"));
		if (found == NULL || sim_member_int(found, "balance", NULL) != w->balance ||
		    sim_member_int(found, "granted", NULL) != w->granted || !exp ||
		    strcmp(exp, when) != 0)
			sim_disagree(s, "POC wallet %s: tallyd balance %" PRId64 " granted %" PRId64
				     " expires %s; model %" PRId64 " granted %" PRId64 " expires %s",
				     w->id, sim_member_int(found, "balance", NULL),
				     sim_member_int(found, "granted", NULL), exp ? exp : "-",
				     w->balance, w->granted, when);
	}
	if ((int)json_array_size(poc) != want)
		sim_disagree(s, "%s has %zu POC wallets, model %d", s->m.accounts[account].id,
			     json_array_size(poc), want);
	json_decref(got);
}

static void check_resource(sim *s, sim_poc_resource *r)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
	json_t *got = sim_call_ok(s, "GET", path, s->m.accounts[r->account].token, NULL);
	const char *status = json_string_value(json_object_get(got, "status"));
	const char *mode =
		json_string_value(json_object_get(json_object_get(got, "billing"), "mode"));
	if (!status || strcmp(status, sim_status_name(r->status)) != 0 || !mode ||
	    strcmp(mode, "poc") != 0)
		sim_disagree(s, "POC %s (%s, wallet %s, cluster %s): tallyd %s %s, model %s poc",
			     r->id, r->is_cluster ? "cluster" : r->role, s->m.poc.wallets[r->wallet].id,
			     r->cluster >= 0 ? s->m.poc.resources[r->cluster].id : "-", status, mode,
			     sim_status_name(r->status));
	r->checked_deleted = r->status == SIM_DELETED;
	json_decref(got);
}

/* The promotional account pays every grant and top-up and gets back what
 * expired unused: what it got back says what the expired wallets spent. */
static void check_promotional(sim *s)
{
	json_t *got = sim_call_ok(s, "GET", "/v1/ledger/accounts", s->srv.admin_token, NULL);
	size_t i;
	json_t *v;
	int64_t debits = 0, credits = 0; /* one per currency: all of them */
	json_array_foreach(json_object_get(got, "data"), i, v) {
		const char *kind = json_string_value(json_object_get(v, "kind"));
		if (!kind || strcmp(kind, "promotional") != 0)
			continue;
		debits += sim_member_int(v, "posted_debits", NULL);
		credits += sim_member_int(v, "posted_credits", NULL);
	}
	if (debits != s->m.poc.granted || credits != s->m.poc.returned)
		sim_disagree(s, "promotional account: tallyd granted %" PRId64 " got back %" PRId64
			     ", model granted %" PRId64 " got back %" PRId64, debits, credits,
			     s->m.poc.granted, s->m.poc.returned);
	json_decref(got);
}

static void check_poc(sim *s)
{
	for (int a = 0; a < s->m.account_count; a++)
		check_wallets(s, a);
	for (int i = 0; i < s->m.poc.resource_count; i++)
		if (!s->m.poc.resources[i].checked_deleted && !s->m.poc.resources[i].converted)
			check_resource(s, &s->m.poc.resources[i]);
	check_promotional(s);
}

static const sim_op poc_ops[] = {
	{"poc_grant", 5, op_grant},
	{"poc_create", 12, op_poc_create},
	{"poc_change", 5, op_poc_change},
	{"poc_delete", 3, op_poc_delete},
	{"poc_cluster", 4, op_poc_cluster},
	{"poc_pvc", 3, op_poc_pvc},
	{"stop_poc", 8, op_stop_poc},
};

const sim_feature sim_feature_poc = {"poc", poc_ops, (int)(sizeof(poc_ops) / sizeof(poc_ops[0])),
				     check_poc};
