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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"
#include "sim_model.h"

#define SIM_ITEMS_MAX 32
#define SIM_START "2027-01-01T00:00:00Z"
#define SIM_START_EPOCH INT64_C(1798761600)

typedef struct sim_item {
	char id[64];
	char type[16];
	int64_t monthly_price;
} sim_item;

typedef struct sim {
	tt_server srv;
	sim_model m;
	sim_item items[SIM_ITEMS_MAX];
	int item_count;
	uint64_t rng;
	uint64_t seed;
	int step;
	const char *op;
	int restarts;
} sim;

/* ---- plumbing ------------------------------------------------------------ */

static uint64_t next_random(sim *s)
{
	uint64_t z = (s->rng += UINT64_C(0x9E3779B97F4A7C15)); /* splitmix64 */
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t pick(sim *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next_random(s) % (uint64_t)(hi - lo + 1));
}

__attribute__((format(printf, 2, 3))) static void disagree(const sim *s, const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cr_assert_fail("simulation disagrees at seed %" PRIu64 " step %d (%s): %s\n"
		       "replay: make simulate SEED=%" PRIu64 " STEPS=%d",
		       s->seed, s->step, s->op, what, s->seed, s->step + 1);
}

static tt_response call(sim *s, const char *method, const char *path, const char *token,
			const char *body)
{
	return tt_request(&s->srv, method, path, token, body, NULL);
}

/* A call that must succeed with one of the 2xx statuses. */
static json_t *call_ok(sim *s, const char *method, const char *path, const char *token,
		       const char *body)
{
	tt_response r = call(s, method, path, token, body);
	if (r.status < 200 || r.status > 299 || r.json == NULL)
		disagree(s, "%s %s %s -> %ld %s", method, path, body ? body : "", r.status,
			 r.raw ? r.raw : "");
	json_t *j = json_incref(r.json);
	tt_response_free(&r);
	return j;
}

static int64_t member_int(const json_t *obj, const char *a, const char *b)
{
	const json_t *v = json_object_get(obj, a);
	return json_integer_value(b ? json_object_get(v, b) : v);
}

static void format_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- setup ----------------------------------------------------------------- */

static void read_prices(sim *s)
{
	json_t *cat = call_ok(s, "GET", "/v1/catalog", s->m.accounts[0].token, NULL);
	s->m.prices.tax_rate_bp = member_int(cat, "tax_rate_bp", NULL);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(cat, "cycles"), i, v) {
		if (s->m.prices.cycle_count < SIM_CYCLES_MAX)
			s->m.prices.cycles[s->m.prices.cycle_count++] = (sim_cycle){
				(int)member_int(v, "months", NULL), member_int(v, "discount_bp", NULL)};
	}
	json_array_foreach(json_object_get(cat, "items"), i, v) {
		const char *type = json_string_value(json_object_get(v, "type"));
		int64_t price = member_int(v, "monthly_price", NULL);
		if (type == NULL || price <= 0 || s->item_count == SIM_ITEMS_MAX ||
		    (strcmp(type, "server") != 0 && strcmp(type, "volume") != 0))
			continue;
		sim_item *it = &s->items[s->item_count++];
		snprintf(it->id, sizeof(it->id), "%s", json_string_value(json_object_get(v, "id")));
		snprintf(it->type, sizeof(it->type), "%s", type);
		it->monthly_price = price;
	}
	json_decref(cat);
	cr_assert(s->item_count > 0 && s->m.prices.cycle_count > 0, "the catalog sells nothing");
}

static void set_clock(sim *s)
{
	char body[64], now[32];
	format_time(s->m.now, now);
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", now);
	json_decref(call_ok(s, "POST", "/v1/admin/clock", s->srv.admin_token, body));
}

static void sim_start(sim *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->seed = s->rng = seed;
	s->op = "start";
	tt_server_start(&s->srv, NULL);
	/* a different day of 2027 per seed, so terms end on every kind of month end */
	s->m.now = SIM_START_EPOCH + pick(s, 0, 364) * 86400 + pick(s, 0, 86399);
	set_clock(s);
	s->m.account_count = (int)pick(s, 2, 4);
	for (int i = 0; i < s->m.account_count; i++) {
		sim_account *a = &s->m.accounts[i];
		char name[32];
		snprintf(name, sizeof(name), "sim %d", i);
		tt_create_account(&s->srv, name, a->id);
		tt_create_token(&s->srv, a->id, a->token);
	}
	read_prices(s);
}

/* ---- operations ------------------------------------------------------------ */

static sim_account *random_account(sim *s)
{
	return &s->m.accounts[pick(s, 0, s->m.account_count - 1)];
}

static void op_top_up(sim *s)
{
	sim_account *a = random_account(s);
	int64_t amount = pick(s, 1, 200) * 100000 + pick(s, 0, 999);
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", a->id);
	snprintf(body, sizeof(body), "{\"amount\":%" PRId64 ",\"reference\":\"sim\"}", amount);
	json_decref(call_ok(s, "POST", path, s->srv.admin_token, body));
	a->credit += amount;
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
	if (member_int(got, "total", NULL) != want)
		disagree(s, "checkout %s total: tallyd %" PRId64 ", model %" PRId64, c->id,
			 member_int(got, "total", NULL), want);
}

static void op_purchase(sim *s)
{
	if (s->m.checkout_count == SIM_CHECKOUTS_MAX)
		return;
	int account = (int)pick(s, 0, s->m.account_count - 1);
	sim_checkout *c = &s->m.checkouts[s->m.checkout_count];
	memset(c, 0, sizeof(*c));
	c->account = account;
	c->line_count = (int)pick(s, 1, SIM_LINES_MAX);
	c->cycle_months = s->m.prices.cycles[pick(s, 0, s->m.prices.cycle_count - 1)].months;
	c->auto_renew = pick(s, 0, 2) > 0;
	json_t *items = json_array();
	for (int i = 0; i < c->line_count; i++) {
		const sim_item *it = &s->items[pick(s, 0, s->item_count - 1)];
		bool volume = strcmp(it->type, "volume") == 0;
		c->lines[i] = (sim_line){it->monthly_price, volume ? pick(s, 10, 500) : 1};
		json_array_append_new(items, json_pack("{s:s, s:s, s:o}", "type", it->type, "name",
			"sim", "spec", volume ? json_pack("{s:s, s:I}", "volume_type", it->id,
				"size_gb", (json_int_t)c->lines[i].quantity)
					      : json_pack("{s:s}", "flavor", it->id)));
	}
	json_t *req = json_pack("{s:s, s:o, s:i, s:b}", "kind", "purchase", "items", items,
				"cycle_months", c->cycle_months, "auto_renew", c->auto_renew);
	char *body = json_dumps(req, JSON_COMPACT);
	json_t *got = call_ok(s, "POST", "/v1/checkouts", s->m.accounts[account].token, body);
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

static void op_pay(sim *s)
{
	sim_checkout *c = open_checkout(s, (int)pick(s, 0, s->m.checkout_count));
	if (c == NULL)
		return op_purchase(s);
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", c->id);
	tt_response r = call(s, "POST", path, s->m.accounts[c->account].token,
			     "{\"method\":\"credit\"}");
	bool paid = sim_pay(&s->m, c);
	if (paid && r.status != 200)
		disagree(s, "pay %s: model pays, tallyd %ld %s", c->id, r.status, r.raw);
	if (!paid && (r.status != 422 || strcmp(tt_error_code(&r), "insufficient_credit") != 0))
		disagree(s, "pay %s: model refuses for credit, tallyd %ld %s", c->id, r.status,
			 r.raw);
	tt_response_free(&r);
}

static void op_cancel(sim *s)
{
	sim_checkout *c = open_checkout(s, (int)pick(s, 0, s->m.checkout_count));
	if (c == NULL)
		return;
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/cancel", c->id);
	json_decref(call_ok(s, "POST", path, s->m.accounts[c->account].token, NULL));
	c->status = SIM_CANCELLED;
}

static void op_change(sim *s)
{
	sim_checkout *c = open_checkout(s, (int)pick(s, 0, s->m.checkout_count));
	if (c == NULL)
		return;
	c->cycle_months = s->m.prices.cycles[pick(s, 0, s->m.prices.cycle_count - 1)].months;
	c->auto_renew = pick(s, 0, 1) == 1;
	char path[128], body[96];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", c->id);
	snprintf(body, sizeof(body), "{\"cycle_months\":%d,\"auto_renew\":%s}", c->cycle_months,
		 c->auto_renew ? "true" : "false");
	json_t *got = call_ok(s, "PATCH", path, s->m.accounts[c->account].token, body);
	expect_checkout_total(s, c, got);
	json_decref(got);
}

static void op_delete(sim *s)
{
	int n = s->m.resource_count;
	for (int i = 0, at = (int)pick(s, 0, n); i < n; i++) {
		sim_resource *r = &s->m.resources[(at + i) % n];
		if (r->status == SIM_DELETED)
			continue;
		char path[128];
		snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
		json_decref(call_ok(s, "DELETE", path, s->m.accounts[r->account].token, NULL));
		sim_delete(&s->m, r);
		return;
	}
}

/* tallyd decided a contested renewal; the model follows it, after checking
 * that its choice is one the rules allow: a failed renewal cost more than
 * the credit left once every renewal that went through was paid. */
static void settle_contested(sim *s, sim_renewal_try *tries, int n)
{
	int64_t left = 0;
	bool renewed[SIM_RESOURCES_MAX] = {false};
	for (int i = 0; i < n; i++) {
		sim_resource *r = &s->m.resources[tries[i].resource];
		char path[128], want[32];
		snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
		json_t *got = call_ok(s, "GET", path, s->m.accounts[r->account].token, NULL);
		format_time(sim_add_months(r->term_end, r->cycle_months), want);
		const char *end = json_string_value(
			json_object_get(json_object_get(got, "billing"), "term_end"));
		renewed[i] = end && strcmp(end, want) == 0;
		json_decref(got);
		if (renewed[i])
			sim_settle_renewal(&s->m, &tries[i]);
	}
	for (int i = 0; i < n; i++) {
		left = s->m.accounts[s->m.resources[tries[i].resource].account].credit;
		if (!renewed[i] && tries[i].total <= left)
			disagree(s, "renewal of %s (%" PRId64 ") failed with %" PRId64 " credit left",
				 s->m.resources[tries[i].resource].id, tries[i].total, left);
	}
}

/* The clock moves by seconds, in ticks of at most a day (tallyd's jobs run
 * every second in production; each tick runs what is due). */
static void move_clock(sim *s, int64_t seconds)
{
	while (seconds > 0) {
		int64_t tick = seconds < 86400 ? seconds : pick(s, 43200, 86400);
		seconds -= tick;
		s->m.now += tick;
		set_clock(s);
		json_decref(call_ok(s, "POST", "/v1/admin/jobs/run", s->srv.admin_token, NULL));
		sim_renewal_try contested[SIM_RESOURCES_MAX];
		int n = sim_jobs(&s->m, contested, SIM_RESOURCES_MAX);
		if (n > 0)
			settle_contested(s, contested, n);
	}
}

static void op_short_move(sim *s) { move_clock(s, pick(s, 60, 6 * 3600)); }
static void op_long_move(sim *s) { move_clock(s, pick(s, 86400, 92 * 86400)); }

/* kill -9 between two answered requests: everything answered must survive. */
static void op_crash(sim *s)
{
	tt_server_kill(&s->srv);
	tt_server_restart(&s->srv, NULL);
	s->restarts++;
	set_clock(s); /* the test clock is not persisted; the model's time is */
}

typedef struct sim_op {
	const char *name;
	int weight;
	void (*run)(sim *s);
} sim_op;

static const sim_op sim_ops[] = {
	{"top_up", 10, op_top_up},        {"purchase", 18, op_purchase},
	{"pay", 20, op_pay},              {"cancel", 4, op_cancel},
	{"change", 5, op_change},         {"delete", 8, op_delete},
	{"short_move", 20, op_short_move}, {"long_move", 10, op_long_move},
	{"crash", 3, op_crash},
};

static const sim_op *choose_op(sim *s)
{
	int total = 0, n = (int)(sizeof(sim_ops) / sizeof(sim_ops[0]));
	for (int i = 0; i < n; i++)
		total += sim_ops[i].weight;
	int64_t r = pick(s, 0, total - 1);
	for (int i = 0; i < n; i++) {
		if (r < sim_ops[i].weight)
			return &sim_ops[i];
		r -= sim_ops[i].weight;
	}
	return &sim_ops[0];
}

/* ---- checks ---------------------------------------------------------------- */

static void check_ledger(sim *s)
{
	json_t *got = call_ok(s, "GET", "/v1/ledger/check", s->srv.admin_token, NULL);
	if (!json_is_true(json_object_get(got, "ok")))
		disagree(s, "ledger check: %s",
			 json_string_value(json_object_get(got, "problem")));
	json_decref(got);
}

static void check_wallet(sim *s, const sim_account *a)
{
	json_t *got = call_ok(s, "GET", "/v1/wallets", a->token, NULL);
	int64_t balance = member_int(got, "credit", "balance"), held = member_int(got, "credit", "held");
	if (balance != a->credit || held != 0)
		disagree(s, "%s credit: tallyd balance %" PRId64 " held %" PRId64 ", model %" PRId64
			 " held 0", a->id, balance, held, a->credit);
	json_decref(got);
}

static void check_invoiced(sim *s, const sim_account *a)
{
	int64_t sum = 0;
	char path[160], after[64] = "";
	for (int page = 0; page < 1000; page++) {
		snprintf(path, sizeof(path), "/v1/invoices?limit=500%s%s", after[0] ? "&after=" : "",
			 after);
		json_t *got = call_ok(s, "GET", path, a->token, NULL);
		size_t i;
		json_t *inv;
		json_array_foreach(json_object_get(got, "data"), i, inv) {
			const char *kind = json_string_value(json_object_get(inv, "kind"));
			int64_t total = member_int(inv, "total", NULL);
			sum += kind && strcmp(kind, "credit_note") == 0 ? -total : total;
		}
		const char *next = json_string_value(json_object_get(got, "next"));
		snprintf(after, sizeof(after), "%s", next ? next : "");
		json_decref(got);
		if (!after[0])
			break;
	}
	if (sum != a->invoiced)
		disagree(s, "%s invoiced (less credit notes): tallyd %" PRId64 ", model %" PRId64,
			 a->id, sum, a->invoiced);
}

static void check_resource(sim *s, const sim_resource *r)
{
	char path[128], want_end[32];
	snprintf(path, sizeof(path), "/v1/resources/%s", r->id);
	json_t *got = call_ok(s, "GET", path, s->m.accounts[r->account].token, NULL);
	const json_t *billing = json_object_get(got, "billing");
	const char *status = json_string_value(json_object_get(got, "status"));
	const char *mode = json_string_value(json_object_get(billing, "mode"));
	const char *end = json_string_value(json_object_get(billing, "term_end"));
	format_time(r->term_end, want_end);
	if (!status || strcmp(status, sim_status_name(r->status)) != 0)
		disagree(s, "%s status: tallyd %s, model %s", r->id, status,
			 sim_status_name(r->status));
	if (!mode || strcmp(mode, "prepaid") != 0 || !end || strcmp(end, want_end) != 0 ||
	    json_is_true(json_object_get(billing, "auto_renew")) != r->auto_renew ||
	    member_int(billing, "cycle_months", NULL) != r->cycle_months)
		disagree(s, "%s billing: tallyd %s term_end %s auto_renew %d cycle %d; model "
			 "prepaid term_end %s auto_renew %d cycle %d", r->id, mode, end,
			 json_is_true(json_object_get(billing, "auto_renew")),
			 (int)member_int(billing, "cycle_months", NULL), want_end, r->auto_renew,
			 r->cycle_months);
	json_decref(got);
}

static void check_checkout(sim *s, const sim_checkout *c)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", c->id);
	json_t *got = call_ok(s, "GET", path, s->m.accounts[c->account].token, NULL);
	const char *status = json_string_value(json_object_get(got, "status"));
	if (!status || strcmp(status, sim_checkout_status_name(c->status)) != 0)
		disagree(s, "%s status: tallyd %s, model %s", c->id, status,
			 sim_checkout_status_name(c->status));
	json_decref(got);
}

static void check_everything(sim *s)
{
	check_ledger(s);
	for (int i = 0; i < s->m.account_count; i++) {
		check_wallet(s, &s->m.accounts[i]);
		check_invoiced(s, &s->m.accounts[i]);
	}
	for (int i = 0; i < s->m.resource_count; i++)
		check_resource(s, &s->m.resources[i]);
	/* the newest checkouts: older ones are settled and were checked then */
	for (int i = s->m.checkout_count > 40 ? s->m.checkout_count - 40 : 0;
	     i < s->m.checkout_count; i++)
		check_checkout(s, &s->m.checkouts[i]);
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
	fprintf(stderr, "sim: seed %" PRIu64 ": %d steps, %d resources, %d checkouts, %d restarts,"
		" agreed\n", seed, steps, s.m.resource_count, s.m.checkout_count, s.restarts);
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
