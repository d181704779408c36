/* ops_gateway.c: the simulation's gateway feature: checkouts paid through
 * the sandbox gateway, with the gateway's notifications duplicated,
 * delayed (other steps and clock moves in between), reordered (a failure
 * after a success and the reverse, several transactions for one
 * checkout), for checkouts expired, cancelled, paid by credit or changed
 * since (the money kept as credit, with the reason), and kill -9 while a
 * notification is being applied (then the gateway's retry: exactly one
 * payment). The model is sim_model_gateway.c; the wallet and invoice
 * checks of every step (test_sim.c) see what the money did. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

/* ==== the gateway's protocol ==============================================
 * Everything that depends on how the gateway talks (today the sandbox
 * gateway of src/gateway/sandbox.c) is in this block: how tallyd is told
 * to serve it, starting a payment, building and signing a notification,
 * reading tallyd's answer. Another gateway's protocol changes only this. */

#define GW_SECRET "the simulation's gateway secret, any length"

/* tallyd reads these when it starts, and again at every restart. */
__attribute__((constructor)) static void gw_environment(void)
{
	setenv("TALLY_GATEWAY_SECRET", GW_SECRET, 1);
	setenv("TALLY_SANDBOX_GATEWAY", "1", 1);
}

/* Starts a gateway payment of checkout id for the account's token: the
 * gateway transaction id into txn; false (with the answer in *r) when
 * tallyd refused. */
static bool gw_start(sim *s, const char *checkout_id, const char *token, char txn[64],
		     tt_response *r)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", checkout_id);
	*r = sim_call(s, "POST", path, token, "{\"method\":\"gateway\"}");
	const char *status = json_string_value(json_object_get(r->json, "status"));
	const char *id = json_string_value(json_object_get(r->json, "gateway_txn_id"));
	const char *url = json_string_value(json_object_get(r->json, "redirect_url"));
	if (r->status != 200 || !status || strcmp(status, "awaiting_payment") != 0 || !id ||
	    !url || strlen(id) >= 64)
		return false;
	snprintf(txn, 64, "%s", id);
	return true;
}

typedef struct gw_request {
	const char *method;
	const char *path;
	char body[1024];
} gw_request;

/* The notification the gateway sends for t: result is paid, cancelled or
 * failed, ts the time the gateway says it happened; signed as gateway.h
 * says: HMAC-SHA512 of the parameters sorted by name, name=value joined
 * by '&' (these values need no URL-encoding). */
static void gw_notification(const sim_gw_txn *t, const char *checkout_id,
			    const char *currency, const char *result, int64_t ts, gw_request *out)
{
	char text[512], hex[129];
	snprintf(text, sizeof(text),
		 "amount=%" PRId64 "&checkout_id=%s&currency=%s&result=%s&ts=%" PRId64 "&txn_id=%s",
		 t->amount, checkout_id, currency, result, ts, t->id);
	unsigned char mac[crypto_auth_hmacsha512_BYTES];
	crypto_auth_hmacsha512_state st;
	crypto_auth_hmacsha512_init(&st, (const unsigned char *)GW_SECRET, strlen(GW_SECRET));
	crypto_auth_hmacsha512_update(&st, (const unsigned char *)text, strlen(text));
	crypto_auth_hmacsha512_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	out->method = "POST";
	out->path = "/v1/gateway/notify";
	snprintf(out->body, sizeof(out->body),
		 "{\"txn_id\":\"%s\",\"checkout_id\":\"%s\",\"amount\":\"%" PRId64 "\","
		 "\"currency\":\"%s\",\"result\":\"%s\",\"ts\":\"%" PRId64 "\",\"signature\":\"%s\"}",
		 t->id, checkout_id, t->amount, currency, result, ts, hex);
}

/* What tallyd answered a notification: the outcome of this delivery (paid,
 * kept_as_credit, cancelled, failed, or already_applied with the recorded
 * outcome: applied, kept_as_credit, cancelled, failed) and the reason. */
typedef struct gw_answer {
	char status[32], recorded[32], reason[32];
} gw_answer;

static bool gw_read_answer(const tt_response *r, gw_answer *out)
{
	const char *status = json_string_value(json_object_get(r->json, "status"));
	const char *recorded = json_string_value(json_object_get(r->json, "recorded_status"));
	const char *reason = json_string_value(json_object_get(r->json, "reason"));
	snprintf(out->status, sizeof(out->status), "%s", status ? status : "");
	snprintf(out->recorded, sizeof(out->recorded), "%s", recorded ? recorded : "");
	snprintf(out->reason, sizeof(out->reason), "%s", reason ? reason : "");
	return r->status == 200 && status != NULL;
}

/* The answer of a first delivery that the model settled as t->status. */
static const char *gw_fresh_status(sim_gw_status st)
{
	return st == SIM_GW_APPLIED ? "paid" : sim_gw_status_name(st);
}

/* ==== end of the gateway's protocol ======================================= */

static char currency[8];

static void read_currency(sim *s)
{
	if (currency[0])
		return;
	json_t *cat = sim_call_ok(s, "GET", "/v1/catalog", s->m.accounts[0].token, NULL);
	const char *c = json_string_value(json_object_get(cat, "currency"));
	snprintf(currency, sizeof(currency), "%s", c ? c : "VND");
	json_decref(cat);
}

static int txns_of(const sim *s, int checkout)
{
	int n = 0;
	for (int i = 0; i < s->m.gw_txn_count; i++)
		n += s->m.gw_txns[i].checkout == checkout;
	return n;
}

/* The customer chooses the gateway for an open checkout (again, when a
 * payment of it was started already: a second tab). */
static void op_gw_start(sim *s)
{
	if (s->m.gw_txn_count == SIM_GW_TXNS_MAX || s->m.checkout_count == 0)
		return;
	int n = s->m.checkout_count, at = (int)sim_pick(s, 0, n - 1);
	for (int i = 0; i < n; i++) {
		int k = (at + i) % n;
		sim_checkout *c = &s->m.checkouts[k];
		if (c->status != SIM_OPEN || s->m.now >= c->expires_at ||
		    txns_of(s, k) >= SIM_GW_TXNS_PER_CHECKOUT ||
		    sim_checkout_total(&s->m.prices, c) == 0) /* a 100% coupon: pay by credit */
			continue;
		sim_gw_txn *t = &s->m.gw_txns[s->m.gw_txn_count];
		memset(t, 0, sizeof(*t));
		tt_response r;
		if (!gw_start(s, c->id, s->m.accounts[c->account].token, t->id, &r))
			sim_disagree(s, "gateway payment of open checkout %s: tallyd %ld %s", c->id,
				 r.status, r.raw ? r.raw : "");
		tt_response_free(&r);
		t->checkout = k;
		t->amount = sim_checkout_total(&s->m.prices, c);
		t->started_at = s->m.now;
		t->status = SIM_GW_STARTED;
		s->m.gw_txn_count++;
		return; /* starting a payment moves nothing: the step's checks say so */
	}
}

static void expect_answer(sim *s, const sim_gw_txn *t, const gw_answer *got, bool retried,
			  const char *result)
{
	const char *want = gw_fresh_status(t->status);
	const char *want_reason = t->status == SIM_GW_KEPT ? t->reason : "";
	bool fresh = strcmp(got->status, want) == 0;
	/* after a kill that cut the first delivery off, its retry may find it
	 * applied: then tallyd answers what it recorded */
	bool recorded = retried && strcmp(got->status, "already_applied") == 0 &&
			strcmp(got->recorded, sim_gw_status_name(t->status)) == 0;
	if ((!fresh && !recorded) || strcmp(got->reason, want_reason) != 0)
		sim_disagree(s, "%s notification of %s (checkout %s, %" PRId64 "): tallyd %s%s%s "
			 "reason '%s'; model %s reason '%s'", result, t->id,
			 s->m.checkouts[t->checkout].id, t->amount, got->status,
			 got->recorded[0] ? " recorded " : "", got->recorded, got->reason, want,
			 want_reason);
}

/* Delivers t's notification of result (the gateway's time ts); sometimes
 * tallyd is killed while it applies it, and the gateway, unanswered, sends
 * it again. The answer must be what the model says. */
static void deliver(sim *s, sim_gw_txn *t, const char *result, int64_t ts)
{
	read_currency(s);
	gw_request req;
	gw_notification(t, s->m.checkouts[t->checkout].id, currency, result, ts, &req);
	bool kill = sim_pick(s, 0, 4) == 0;
	tt_response r = kill ? sim_call_killed(s, req.method, req.path, NULL, req.body, 15000)
			     : sim_call(s, req.method, req.path, NULL, req.body);
	bool retried = false;
	if (r.status == 0) { /* cut off: the gateway had no answer, so it retries */
		tt_response_free(&r);
		r = sim_call(s, req.method, req.path, NULL, req.body);
		retried = true;
	}
	gw_answer got;
	if (!gw_read_answer(&r, &got))
		sim_disagree(s, "notification of %s: tallyd %ld %s", t->id, r.status,
			 r.raw ? r.raw : "");
	tt_response_free(&r);
	if (t->status != SIM_GW_STARTED) { /* a copy: answered, nothing moves */
		if (strcmp(got.status, "already_applied") != 0 ||
		    strcmp(got.recorded, sim_gw_status_name(t->status)) != 0 ||
		    strcmp(got.reason, t->status == SIM_GW_KEPT ? t->reason : "") != 0)
			sim_disagree(s, "%s copy of settled %s (%s '%s'): tallyd %s recorded %s "
				 "reason '%s'", result, t->id, sim_gw_status_name(t->status),
				 t->reason, got.status, got.recorded, got.reason);
		return;
	}
	sim_gateway_notify(&s->m, t, result);
	expect_answer(s, t, &got, retried, result);
}

/* The gateway notifies tallyd of one of the payments started: any of them,
 * however long ago (delayed past other steps and clock moves), its first
 * delivery or a copy, paid or not, in any order. */
static void op_gw_notify(sim *s)
{
	if (s->m.gw_txn_count == 0)
		return op_gw_start(s);
	/* mostly the newest payments; sometimes one from long ago */
	int n = s->m.gw_txn_count;
	int k = sim_pick(s, 0, 3) > 0 ? (int)sim_pick(s, n > 6 ? n - 6 : 0, n - 1)
				      : (int)sim_pick(s, 0, n - 1);
	sim_gw_txn *t = &s->m.gw_txns[k];
	int64_t roll = sim_pick(s, 0, 9);
	const char *result = roll < 7 ? "paid" : roll < 9 ? "failed" : "cancelled";
	deliver(s, t, result, sim_pick(s, 0, 1) ? t->started_at : s->m.now);
}

/* In another tab, the customer changes the term of a checkout being paid
 * on the gateway's page (the payment then no longer matches its total). */
static void change_term(sim *s, sim_checkout *c)
{
	if (sim_coupon_refusal(&s->m, c))
		return; /* ops_prepaid.c's change covers that refusal */
	char path[128], body[64];
	int was = c->cycle_months;
	for (int tries = 0; tries < 4 && c->cycle_months == was; tries++)
		c->cycle_months =
			s->m.prices.cycles[sim_pick(s, 0, s->m.prices.cycle_count - 1)].months;
	snprintf(path, sizeof(path), "/v1/checkouts/%s", c->id);
	snprintf(body, sizeof(body), "{\"cycle_months\":%d}", c->cycle_months);
	json_t *got = sim_call_ok(s, "PATCH", path, s->m.accounts[c->account].token, body);
	if (sim_member_int(got, "total", NULL) != sim_checkout_total(&s->m.prices, c))
		sim_disagree(s, "checkout %s total after a change: tallyd %" PRId64 ", model %" PRId64,
			 c->id, sim_member_int(got, "total", NULL),
			 sim_checkout_total(&s->m.prices, c));
	json_decref(got);
}

/* The customer pays on the gateway's page at once: started, then paid;
 * sometimes after changing the checkout's term in another tab. */
static void op_gw_pay(sim *s)
{
	int before = s->m.gw_txn_count;
	op_gw_start(s);
	if (s->m.gw_txn_count == before)
		return;
	sim_gw_txn *t = &s->m.gw_txns[before];
	if (sim_pick(s, 0, 2) == 0)
		change_term(s, &s->m.checkouts[t->checkout]);
	deliver(s, t, "paid", s->m.now);
}

static const sim_op gateway_ops[] = {
	{"gateway_start", 6, op_gw_start},
	{"gateway_notify", 10, op_gw_notify},
	{"gateway_pay", 8, op_gw_pay},
};

const sim_feature sim_feature_gateway = {
	"gateway", gateway_ops, (int)(sizeof(gateway_ops) / sizeof(gateway_ops[0])), NULL};
