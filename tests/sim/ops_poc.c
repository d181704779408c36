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
	const char *wid = json_string_value(
		json_object_get(json_object_get(r.json, "billing"), "poc_wallet_id"));
	sim_poc_wallet *w = wallet_by_id(s, wid);
	if (w == NULL || w->account != account || !sim_poc_wallet_usable(&s->m, w))
		sim_disagree(s, "POC %s paid by wallet %s, which the model says cannot pay", it->type,
			     wid ? wid : "(none)");
	sim_poc_resource *res = &p->resources[p->resource_count++];
	memset(res, 0, sizeof(*res));
	snprintf(res->id, sizeof(res->id), "%s", json_string_value(json_object_get(r.json, "id")));
	res->account = account;
	res->wallet = (int)(w - p->wallets);
	res->line = line;
	res->status = SIM_ACTIVE;
	res->created_at = res->accrued_until = s->m.now;
	tt_response_free(&r);
}

static void op_poc_change(sim *s)
{
	sim_poc *p = &s->m.poc;
	if (p->wallet_count == 0)
		return op_grant(s);
	sim_poc_wallet *w = &p->wallets[sim_pick(s, 0, p->wallet_count - 1)];
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

static void op_poc_delete(sim *s)
{
	sim_poc *p = &s->m.poc;
	int n = p->resource_count;
	for (int i = 0, at = (int)sim_pick(s, 0, n); i < n; i++) {
		sim_poc_resource *r = &p->resources[(at + i) % n];
		if (r->status == SIM_DELETED)
			continue;
		char path[128];
		snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
		json_decref(sim_call_ok(s, "DELETE", path, s->m.accounts[r->account].token, NULL));
		r->status = SIM_DELETED; /* the hour it is in is not charged */
		return;
	}
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
		sim_disagree(s, "POC %s (wallet %s): tallyd %s %s, model %s poc", r->id,
			     s->m.poc.wallets[r->wallet].id, status, mode,
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
		if (!s->m.poc.resources[i].checked_deleted)
			check_resource(s, &s->m.poc.resources[i]);
	check_promotional(s);
}

static const sim_op poc_ops[] = {
	{"poc_grant", 5, op_grant},
	{"poc_create", 12, op_poc_create},
	{"poc_change", 5, op_poc_change},
	{"poc_delete", 3, op_poc_delete},
};

const sim_feature sim_feature_poc = {"poc", poc_ops, (int)(sizeof(poc_ops) / sizeof(poc_ops[0])),
				     check_poc};
