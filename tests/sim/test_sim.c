/*
 * The lifecycle simulation (docs/TESTING.md): a real tallyd --test-clock
 * driven by random operations of several accounts, checked after every
 * step against an independent model (sim_model.h) to the đồng: the ledger
 * check, each wallet's balance and hold, each account's invoiced total,
 * each resource's status, billing and term, each open checkout's total.
 *
 * Seeded and replayable: a disagreement prints the seed and the step;
 *   make simulate SEED=n STEPS=n
 * runs one seed for longer. `make test` runs SIM_SEEDS (default 1,2,3) for
 * SIM_STEPS steps each (default 120).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

/* The features of the run, in the order their operations are weighed. */
static const sim_feature *const features[] = {
	&sim_feature_prepaid,
	&sim_feature_clock,
	&sim_feature_poc,
	&sim_feature_gateway,
	&sim_feature_coupons,
	&sim_feature_postpaid,
	&sim_feature_hold,
};
#define FEATURE_COUNT ((int)(sizeof(features) / sizeof(features[0])))

static const sim_op *choose_op(sim *s)
{
	int total = 0;
	for (int f = 0; f < FEATURE_COUNT; f++)
		for (int i = 0; i < features[f]->op_count; i++)
			total += features[f]->ops[i].weight;
	int64_t r = sim_pick(s, 0, total - 1);
	for (int f = 0; f < FEATURE_COUNT; f++)
		for (int i = 0; i < features[f]->op_count; i++) {
			if (r < features[f]->ops[i].weight)
				return &features[f]->ops[i];
			r -= features[f]->ops[i].weight;
		}
	return &features[0]->ops[0];
}

/* ---- checks ---------------------------------------------------------------- */

static void check_ledger(sim *s)
{
	json_t *got = sim_call_ok(s, "GET", "/v1/ledger/check", s->srv.admin_token, NULL);
	if (!json_is_true(json_object_get(got, "ok")))
		sim_disagree(s, "ledger check: %s",
			 json_string_value(json_object_get(got, "problem")));
	json_decref(got);
}

/* The bank invariant, the part the ledger check cannot prove alone. The
 * check proves the books balance (what left one ledger account went into
 * another), no wallet is below zero and each account's sums are its
 * transfers'; check_wallet proves each wallet holds what the model says.
 * What is left: that the money which came in from outside is exactly what
 * the simulation put in -- no top-up lost, none applied twice (a retry
 * after a kill). Admin top-ups come in through gateway clearing with code
 * "top_up"; together, wallets + holds + what went out (revenue, tax,
 * ...) = what came in. */
/* The admin top-ups recorded on gateway clearing account id. */
static int64_t top_ups_into(sim *s, const char *clearing)
{
	int64_t sum = 0;
	char path[192], after[64] = "";
	for (int page = 0; page < 1000; page++) {
		snprintf(path, sizeof(path), "/v1/ledger/transfers?account=%s&limit=500%s%s",
			 clearing, after[0] ? "&after=" : "", after);
		json_t *got = sim_call_ok(s, "GET", path, s->srv.admin_token, NULL);
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(got, "data"), i, v) {
			const char *code = json_string_value(json_object_get(v, "code"));
			const char *debit = json_string_value(json_object_get(v, "debit_account"));
			if (code && strcmp(code, "top_up") == 0 && debit && strcmp(debit, clearing) == 0)
				sum += sim_member_int(v, "amount", NULL);
		}
		const char *next = json_string_value(json_object_get(got, "next"));
		snprintf(after, sizeof(after), "%s", next ? next : "");
		json_decref(got);
		if (!after[0])
			break;
	}
	return sum;
}

static void check_money_in(sim *s)
{
	json_t *sys = sim_call_ok(s, "GET", "/v1/ledger/accounts", s->srv.admin_token, NULL);
	int64_t topped_up = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(sys, "data"), i, v) { /* one per currency */
		const char *kind = json_string_value(json_object_get(v, "kind"));
		const char *id = json_string_value(json_object_get(v, "id"));
		if (kind && id && strcmp(kind, "gateway_clearing") == 0)
			topped_up += top_ups_into(s, id);
	}
	json_decref(sys);
	if (topped_up != s->m.topped_up)
		sim_disagree(s, "money in: tallyd's top-ups total %" PRId64 ", the simulation put in "
			 "%" PRId64, topped_up, s->m.topped_up);
}

/* credit is the model's available credit: the balance is it + what is held */
static void check_wallet(sim *s, const sim_account *a)
{
	json_t *got = sim_call_ok(s, "GET", "/v1/wallets", a->token, NULL);
	int64_t balance = sim_member_int(got, "credit", "balance"), held = sim_member_int(got, "credit", "held");
	if (balance != a->credit + a->held || held != a->held)
		sim_disagree(s, "%s credit: tallyd balance %" PRId64 " held %" PRId64 ", model %" PRId64
			 " held %" PRId64, a->id, balance, held, a->credit + a->held, a->held);
	json_decref(got);
}

static void check_invoiced(sim *s, const sim_account *a)
{
	int64_t sum = 0;
	char path[160], after[64] = "";
	for (int page = 0; page < 1000; page++) {
		snprintf(path, sizeof(path), "/v1/invoices?limit=500%s%s", after[0] ? "&after=" : "",
			 after);
		json_t *got = sim_call_ok(s, "GET", path, a->token, NULL);
		size_t i;
		json_t *inv;
		json_array_foreach(json_object_get(got, "data"), i, inv) {
			const char *kind = json_string_value(json_object_get(inv, "kind"));
			int64_t total = sim_member_int(inv, "total", NULL);
			sum += kind && strcmp(kind, "credit_note") == 0 ? -total : total;
		}
		const char *next = json_string_value(json_object_get(got, "next"));
		snprintf(after, sizeof(after), "%s", next ? next : "");
		json_decref(got);
		if (!after[0])
			break;
	}
	if (sum != a->invoiced)
		sim_disagree(s, "%s invoiced (less credit notes): tallyd %" PRId64 ", model %" PRId64,
			 a->id, sum, a->invoiced);
}

static void check_everything(sim *s)
{
	check_ledger(s);
	check_money_in(s);
	sim_hold_settle(s);
	/* the hold feature's own accounts follow the others' */
	for (int i = 0; i < s->m.account_count + s->m.hold.account_count; i++) {
		check_wallet(s, &s->m.accounts[i]);
		check_invoiced(s, &s->m.accounts[i]);
	}
	for (int f = 0; f < FEATURE_COUNT; f++)
		if (features[f]->check)
			features[f]->check(s);
}

/* ---- the runs -------------------------------------------------------------- */

static int env_int(const char *name, int fallback)
{
	const char *v = getenv(name);
	return v && v[0] ? (int)strtol(v, NULL, 10) : fallback;
}

static void simulate(uint64_t seed, int steps)
{
	static sim s; /* large: the model holds every object of the run */
	sim_start(&s, seed);
	for (s.step = 0; s.step < steps; s.step++) {
		const sim_op *op = choose_op(&s);
		s.op = op->name;
		op->run(&s);
		check_everything(&s);
	}
	sim_webhooks_check(&s);
	fprintf(stderr, "sim: seed %" PRIu64 ": %d steps, %d resources, %d checkouts, %d restarts,"
		" agreed\n", seed, steps, s.m.resource_count, s.m.checkout_count, s.restarts);
	fprintf(stderr, "sim: seed %" PRIu64 ": kills in jobs runs: %d mid-run, %d after the answer"
		" (a run takes ~%" PRId64 " us); in requests: %d mid-request, %d after the answer\n",
		seed, s.job_kills_mid, s.job_kills_after, s.jobs_run_us, s.request_kills_mid,
		s.request_kills_after);
	fprintf(stderr, "sim: seed %" PRIu64 ": hold: %d resources, %d usage invoices, %d warnings, "
		"%d suspensions, %d reactivations, %d deletions, %d debts collected between ticks\n", seed,
		s.m.hold.resource_count, s.m.hold.invoices, s.m.hold.warnings, s.m.hold.suspensions,
		s.m.hold.reactivations, s.m.hold.deletions, s.m.hold.collected_early);
	tt_server_stop(&s.srv);
}

Test(sim, seeded_runs_agree_with_the_model, .timeout = 1200)
{
	const char *seeds = getenv("SIM_SEEDS");
	char list[256];
	snprintf(list, sizeof(list), "%s", seeds && seeds[0] ? seeds : "1,2,3");
	int steps = env_int("SIM_STEPS", 120);
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
		simulate(strtoull(t, NULL, 10), steps);
}
