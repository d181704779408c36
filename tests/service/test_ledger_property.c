/*
 * Property test of the ledger through the service and a real SQLite store:
 * several threads at once submit thousands of random operations (transfers,
 * holds, posts, voids, replays with the same id, invalid amounts, linked
 * pairs that must fail whole), each predicting every result from its own
 * model. After each round: the invariants hold, every wallet equals its
 * model, no acknowledged transfer is missing, and expiry by the clock
 * releases exactly the holds the model says.
 *
 * Seeded: TALLY_TEST_SEED=<n> reproduces a run; every failure prints the seed.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common/clock.h"
#include "jobs/jobs.h"
#include "service/accounts.h"
#include "service/ledger.h"
#include "store/store.h"

enum { THREADS = 4, ROUNDS = 10, OPS = 100, WALLETS = 3, MAX_DONE = ROUNDS * OPS };

static unsigned long long seed;
static tl_store *store;
static tl_clock test_clock;
static tl_principal admin = {.is_admin = true, .actor = "admin"};
static char dir[64];

typedef struct model_hold {
	char id[TL_TRANSFER_ID_MAX];
	int wallet;
	int64_t amount, expires_at;
	char state[12];
} model_hold;

typedef struct worker {
	int index;
	unsigned long long rng;
	char wallet_ids[WALLETS][TL_ID_MAX];
	int64_t balance[WALLETS], held[WALLETS];
	model_hold holds[MAX_DONE];
	int hold_count;
	tl_transfer done[MAX_DONE]; /* acknowledged transfers, as submitted */
	int done_count;
	int next_id;
	char failure[512]; /* first mismatch, reported by the main thread */
} worker;

static worker workers[THREADS];

static unsigned long long next_random(worker *w)
{
	w->rng ^= w->rng << 13; /* xorshift64 */
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static int64_t random_between(worker *w, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next_random(w) % (unsigned long long)(hi - lo + 1));
}

typedef struct submit {
	tl_transfer *transfers;
	size_t count;
	bool linked;
	tl_transfer_result results[2];
} submit;

static int submit_tx(tl_tx *tx, void *arg, tl_error *err)
{
	submit *s = arg;
	tl_ctx ctx = {.who = &admin, .now = tl_clock_now(&test_clock)};
	return tl_ledger_submit(tx, &ctx, s->transfers, s->count, s->linked, s->results, err);
}

/* Submits and checks every result against the expectation. */
static bool run(worker *w, tl_transfer *t, size_t count, bool linked,
		const tl_transfer_result *expected)
{
	submit s = {.transfers = t, .count = count, .linked = linked};
	tl_error err = {0};
	tl_store_write(store, submit_tx, &s, &err);
	tl_error_clear(&err);
	for (size_t i = 0; i < count; i++) {
		if (s.results[i] != expected[i] && w->failure[0] == '\0')
			snprintf(w->failure, sizeof(w->failure),
				 "seed %llu thread %d transfer %s: got %s, model says %s", seed,
				 w->index, t[i].id, tl_transfer_result_name(s.results[i]),
				 tl_transfer_result_name(expected[i]));
		if (s.results[i] == TL_TR_OK && w->done_count < MAX_DONE)
			w->done[w->done_count++] = t[i];
	}
	return s.results[0] == expected[0];
}

static tl_transfer new_transfer(worker *w, tl_transfer_kind kind, const char *debit,
				const char *credit, int64_t amount)
{
	tl_transfer t = {.kind = kind, .amount = amount};
	snprintf(t.id, sizeof(t.id), "w%d-%d", w->index, w->next_id++);
	snprintf(t.code, sizeof(t.code), "%s", tl_transfer_kind_name(kind));
	snprintf(t.debit_account, sizeof(t.debit_account), "%s", debit);
	snprintf(t.credit_account, sizeof(t.credit_account), "%s", credit);
	return t;
}

static void op_fund(worker *w)
{
	int i = (int)random_between(w, 0, WALLETS - 1);
	int64_t a = random_between(w, 1, 10000);
	tl_transfer t = new_transfer(w, TL_TRANSFER_SINGLE, "sys_gateway_clearing_vnd",
				     w->wallet_ids[i], a);
	tl_transfer_result ok = TL_TR_OK;
	if (run(w, &t, 1, false, &ok))
		w->balance[i] += a;
}

static void op_spend(worker *w, bool to_other_wallet)
{
	int i = (int)random_between(w, 0, WALLETS - 1), j = (i + 1) % WALLETS;
	int64_t a = random_between(w, 1, 8000);
	int64_t available = w->balance[i] - w->held[i];
	int64_t edge = random_between(w, 0, 3); /* the boundary is where bugs live */
	if (edge == 0 && available > 0)
		a = available;
	else if (edge == 1)
		a = available + 1;
	tl_transfer t = new_transfer(w, TL_TRANSFER_SINGLE, w->wallet_ids[i],
				     to_other_wallet ? w->wallet_ids[j] : "sys_revenue_vnd", a);
	bool fits = w->balance[i] - w->held[i] >= a;
	tl_transfer_result expected = fits ? TL_TR_OK : TL_TR_EXCEEDS_CREDITS;
	if (run(w, &t, 1, false, &expected) && fits) {
		w->balance[i] -= a;
		if (to_other_wallet)
			w->balance[j] += a;
	}
}

static void op_hold(worker *w)
{
	int i = (int)random_between(w, 0, WALLETS - 1);
	int64_t a = random_between(w, 1, 6000);
	tl_transfer t = new_transfer(w, TL_TRANSFER_PENDING, w->wallet_ids[i], "sys_revenue_vnd",
				     a);
	t.expires_at = tl_clock_now(&test_clock) + 60 * random_between(w, 1, 3);
	bool fits = w->balance[i] - w->held[i] >= a;
	tl_transfer_result expected = fits ? TL_TR_OK : TL_TR_EXCEEDS_CREDITS;
	if (run(w, &t, 1, false, &expected) && fits) {
		w->held[i] += a;
		model_hold *h = &w->holds[w->hold_count++];
		snprintf(h->id, sizeof(h->id), "%s", t.id);
		*h = (model_hold){.wallet = i, .amount = a, .expires_at = t.expires_at};
		snprintf(h->id, sizeof(h->id), "%s", t.id);
		snprintf(h->state, sizeof(h->state), "pending");
	}
}

static tl_transfer_result resolution_expected(const model_hold *h, int64_t amount)
{
	if (strcmp(h->state, "posted") == 0)
		return TL_TR_ALREADY_POSTED;
	if (strcmp(h->state, "voided") == 0)
		return TL_TR_ALREADY_VOIDED;
	if (strcmp(h->state, "expired") == 0 || h->expires_at <= tl_clock_now(&test_clock))
		return TL_TR_EXPIRED;
	if (amount != TL_AMOUNT_WHOLE && amount <= 0)
		return TL_TR_AMOUNT_MUST_BE_POSITIVE;
	return amount > h->amount ? TL_TR_EXCEEDS_PENDING_AMOUNT : TL_TR_OK;
}

static void op_resolve(worker *w, bool post)
{
	if (w->hold_count == 0)
		return op_hold(w);
	model_hold *h = &w->holds[random_between(w, 0, w->hold_count - 1)];
	int64_t amount = post ? random_between(w, -1, h->amount + 500) : TL_AMOUNT_WHOLE;
	if (amount == -1)
		amount = TL_AMOUNT_WHOLE;
	tl_transfer t = new_transfer(w, post ? TL_TRANSFER_POST : TL_TRANSFER_VOID, "", "",
				     amount);
	snprintf(t.pending_id, sizeof(t.pending_id), "%s", h->id);
	tl_transfer_result expected = resolution_expected(h, amount);
	if (!run(w, &t, 1, false, &expected) || expected != TL_TR_OK)
		return;
	int64_t posted = post ? (amount == TL_AMOUNT_WHOLE ? h->amount : amount) : 0;
	w->held[h->wallet] -= h->amount;
	w->balance[h->wallet] -= posted;
	snprintf(h->state, sizeof(h->state), "%s", post ? "posted" : "voided");
}

static void op_replay(worker *w)
{
	if (w->done_count == 0)
		return op_fund(w);
	tl_transfer t = w->done[random_between(w, 0, w->done_count - 1)];
	bool change = next_random(w) % 2;
	if (change)
		snprintf(t.code, sizeof(t.code), "changed");
	tl_transfer_result expected = change ? TL_TR_EXISTS_WITH_DIFFERENT_FIELDS : TL_TR_EXISTS;
	run(w, &t, 1, false, &expected); /* the model does not move: nothing may */
}

static void op_invalid_amount(worker *w)
{
	tl_transfer t = new_transfer(w, TL_TRANSFER_SINGLE, "sys_gateway_clearing_vnd",
				     w->wallet_ids[0], -random_between(w, 0, 1000));
	tl_transfer_result expected = TL_TR_AMOUNT_MUST_BE_POSITIVE;
	run(w, &t, 1, false, &expected);
}

static void op_linked_pair(worker *w)
{
	tl_transfer pair[2] = {
		new_transfer(w, TL_TRANSFER_SINGLE, "sys_gateway_clearing_vnd", w->wallet_ids[1], 5),
		new_transfer(w, TL_TRANSFER_SINGLE, w->wallet_ids[1], "cw_doesnotexist", 1),
	};
	tl_transfer_result expected[2] = {TL_TR_LINKED_EVENT_FAILED,
					  TL_TR_CREDIT_ACCOUNT_NOT_FOUND};
	run(w, pair, 2, true, expected);
}

static void *worker_round(void *arg)
{
	worker *w = arg;
	for (int op = 0; op < OPS; op++) {
		switch (next_random(w) % 9) {
		case 0: case 1: op_fund(w); break;
		case 2: op_spend(w, false); break;
		case 3: op_spend(w, true); break;
		case 4: op_hold(w); break;
		case 5: op_resolve(w, true); break;
		case 6: op_resolve(w, false); break;
		case 7: op_replay(w); break;
		default: next_random(w) % 2 ? op_invalid_amount(w) : op_linked_pair(w); break;
		}
	}
	return NULL;
}

typedef struct check_arg {
	worker *w;
	char problem[256];
	tl_ledger_totals totals;
	int missing;
	int mismatched_wallets;
} check_arg;

static int check_tx(tl_tx *tx, void *arg, tl_error *err)
{
	check_arg *c = arg;
	int rc = tl_ledger_check(tx, &c->totals, c->problem, sizeof(c->problem), err);
	for (int t = 0; rc == 0 && t < THREADS; t++) {
		worker *w = &workers[t];
		for (int i = 0; i < WALLETS; i++) {
			tl_ledger_account a;
			rc = tl_store_ledger_account_get(tx, w->wallet_ids[i], &a, err);
			if (rc == 0 && (tl_ledger_balance(&a) != w->balance[i] ||
					a.pending_debits != w->held[i]))
				c->mismatched_wallets++;
		}
		for (int d = 0; rc == 0 && d < w->done_count; d++) {
			tl_transfer stored;
			tl_error lookup = {0};
			if (tl_store_transfer_get(tx, w->done[d].id, &stored, &lookup) < 0)
				c->missing++;
			tl_error_clear(&lookup);
		}
	}
	return rc;
}

static void check_round(int round)
{
	for (int t = 0; t < THREADS; t++)
		cr_assert_eq(workers[t].failure[0], '\0', "round %d: %s", round, workers[t].failure);
	check_arg c = {0};
	tl_error err = {0};
	cr_assert_eq(tl_store_read(store, check_tx, &c, &err), 0, "seed %llu: %s", seed,
		     err.message);
	cr_assert_str_eq(c.problem, "", "seed %llu round %d: invariant broken: %s", seed, round,
			 c.problem);
	cr_assert_eq(c.mismatched_wallets, 0, "seed %llu round %d: wallets differ from the model",
		     seed, round);
	cr_assert_eq(c.missing, 0, "seed %llu round %d: %d acknowledged transfers missing", seed,
		     round, c.missing);
}

/* Advances the clock a minute and releases due holds; the model predicts
 * exactly which. */
static void expire_round(int round)
{
	cr_assert_eq(tl_clock_advance(&test_clock, 60), 0);
	int64_t now = tl_clock_now(&test_clock);
	size_t predicted = 0, released = 0;
	for (int t = 0; t < THREADS; t++) {
		worker *w = &workers[t];
		for (int h = 0; h < w->hold_count; h++) {
			model_hold *hold = &w->holds[h];
			if (strcmp(hold->state, "pending") != 0 || hold->expires_at > now)
				continue;
			snprintf(hold->state, sizeof(hold->state), "expired");
			w->held[hold->wallet] -= hold->amount;
			predicted++;
		}
	}
	tl_error err = {0};
	cr_assert_eq(tl_jobs_expire_holds(store, &test_clock, &released, &err), 0);
	cr_assert_eq(released, predicted, "seed %llu round %d: released %zu holds, model %zu",
		     seed, round, released, predicted);
}

typedef struct setup_arg {
	worker *w;
} setup_arg;

static int setup_tx(tl_tx *tx, void *arg, tl_error *err)
{
	setup_arg *s = arg;
	tl_ctx ctx = {.who = &admin, .now = tl_clock_now(&test_clock)};
	int rc = tl_ledger_bootstrap(tx, ctx.now, err);
	for (int i = 0; rc == 0 && i < WALLETS; i++) {
		tl_account a;
		rc = tl_accounts_create(tx, &ctx, "prop", "VND", &a, err);
		tl_ledger_credit_wallet_id(s->w->wallet_ids[i], a.id);
	}
	return rc;
}

Test(ledger_property, random_concurrent_operations_keep_every_invariant, .timeout = 300)
{
	cr_assert_geq(sodium_init(), 0);
	const char *env = getenv("TALLY_TEST_SEED");
	seed = env ? strtoull(env, NULL, 10) : (unsigned long long)time(NULL);
	cr_log_info("seed %llu (set TALLY_TEST_SEED to repeat)", seed);
	snprintf(dir, sizeof(dir), "/tmp/tally-prop-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/p.db", dir);
	tl_error err = {0};
	cr_assert_eq(tl_store_open(&store, path, &err), 0, "%s", err.message);
	tl_clock_init(&test_clock, true);
	for (int t = 0; t < THREADS; t++) {
		workers[t] = (worker){.index = t, .rng = (seed + 1) * 0x9E3779B97F4A7C15ull + t};
		setup_arg s = {&workers[t]};
		cr_assert_eq(tl_store_write(store, setup_tx, &s, &err), 0, "%s", err.message);
	}
	for (int round = 0; round < ROUNDS; round++) {
		pthread_t threads[THREADS];
		for (int t = 0; t < THREADS; t++)
			pthread_create(&threads[t], NULL, worker_round, &workers[t]);
		for (int t = 0; t < THREADS; t++)
			pthread_join(threads[t], NULL);
		check_round(round);
		expire_round(round);
		check_round(round);
	}
	tl_store_stats stats;
	tl_store_get_stats(store, &stats);
	cr_log_info("%llu writes in %llu group commits", (unsigned long long)stats.writes,
		    (unsigned long long)stats.batches);
	tl_store_close(store);
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
