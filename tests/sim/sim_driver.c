/* sim_driver.c: what the simulation's features share (sim.h): the seeded
 * random source, calls that must succeed, the test clock, kill -9. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sim.h"

/* ---- plumbing ------------------------------------------------------------ */

uint64_t sim_random(sim *s)
{
	uint64_t z = (s->rng += UINT64_C(0x9E3779B97F4A7C15)); /* splitmix64 */
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
int64_t sim_pick(sim *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(sim_random(s) % (uint64_t)(hi - lo + 1));
}

void sim_disagree(const sim *s, const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* the test ends here: its tallyd must not outlive it; the database
	 * stays, for whoever looks into the disagreement */
	if (s->srv.pid > 0)
		kill(s->srv.pid, SIGKILL);
	cr_assert_fail("simulation disagrees at seed %" PRIu64 " step %d (%s): %s\n"
		       "replay: make simulate SEED=%" PRIu64 " STEPS=%d (tallyd's database: %s)",
		       s->seed, s->step, s->op, what, s->seed, s->step + 1, s->srv.db);
}

tt_response sim_call(sim *s, const char *method, const char *path, const char *token,
			const char *body)
{
	return tt_request(&s->srv, method, path, token, body, NULL);
}

/* A call that must succeed with one of the 2xx statuses. */
json_t *sim_call_ok(sim *s, const char *method, const char *path, const char *token,
		       const char *body)
{
	tt_response r = sim_call(s, method, path, token, body);
	if (r.status < 200 || r.status > 299 || r.json == NULL)
		sim_disagree(s, "%s %s %s -> %ld %s", method, path, body ? body : "", r.status,
			 r.raw ? r.raw : "");
	json_t *j = json_incref(r.json);
	tt_response_free(&r);
	return j;
}

int64_t sim_member_int(const json_t *obj, const char *a, const char *b)
{
	const json_t *v = json_object_get(obj, a);
	return json_integer_value(b ? json_object_get(v, b) : v);
}

void sim_format_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

typedef struct in_flight {
	sim *s;
	const char *method, *path, *token, *body, *idem_key;
	tt_response answer;
} in_flight;

static void *send_in_flight(void *arg)
{
	in_flight *f = arg;
	f->answer = tt_request(&f->s->srv, f->method, f->path, f->token, f->body, f->idem_key);
	return NULL;
}

static tt_response call_killed(sim *s, const char *method, const char *path, const char *token,
			       const char *body, const char *idem_key, int64_t max_delay_us)
{
	in_flight f = {s, method, path, token, body, idem_key, {0}};
	pthread_t sender;
	cr_assert_eq(pthread_create(&sender, NULL, send_in_flight, &f), 0);
	usleep((useconds_t)sim_pick(s, 0, max_delay_us));
	tt_server_kill(&s->srv);
	pthread_join(sender, NULL);
	tt_server_restart(&s->srv, sim_tallyd_args);
	s->restarts++;
	sim_set_clock(s); /* the test clock is not persisted; the model's time is */
	return f.answer;
}

tt_response sim_call_killed(sim *s, const char *method, const char *path, const char *token,
			    const char *body, int64_t max_delay_us)
{
	return call_killed(s, method, path, token, body, NULL, max_delay_us);
}

bool sim_crash_now(sim *s)
{
	return sim_pick(s, 1, 100) <= s->crash_percent;
}

tt_response sim_call_maybe_killed(sim *s, const char *method, const char *path,
				  const char *token, const char *body, const char *idem_key,
				  int64_t max_delay_us)
{
	if (!sim_crash_now(s))
		return tt_request(&s->srv, method, path, token, body, idem_key);
	tt_response r = call_killed(s, method, path, token, body, idem_key, max_delay_us);
	if (r.status == 0)
		s->request_kills_mid++;
	else
		s->request_kills_after++;
	return r;
}

/* ---- setup ----------------------------------------------------------------- */

static void read_prices(sim *s)
{
	json_t *cat = sim_call_ok(s, "GET", "/v1/catalog", s->m.accounts[0].token, NULL);
	s->m.prices.tax_rate_bp = sim_member_int(cat, "tax_rate_bp", NULL);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(cat, "cycles"), i, v) {
		if (s->m.prices.cycle_count < SIM_CYCLES_MAX)
			s->m.prices.cycles[s->m.prices.cycle_count++] = (sim_cycle){
				(int)sim_member_int(v, "months", NULL), sim_member_int(v, "discount_bp", NULL)};
	}
	json_array_foreach(json_object_get(cat, "items"), i, v) {
		const char *type = json_string_value(json_object_get(v, "type"));
		int64_t price = sim_member_int(v, "monthly_price", NULL);
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

void sim_set_clock(sim *s)
{
	char body[64], now[32];
	sim_format_time(s->m.now, now);
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", now);
	json_decref(sim_call_ok(s, "POST", "/v1/admin/clock", s->srv.admin_token, body));
}

const char *const sim_tallyd_args[] = {"--webhook-allow-private", NULL};

void sim_start(sim *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->seed = s->rng = seed;
	s->op = "start";
	const char *crash = getenv("SIM_CRASH");
	s->crash_percent = crash && crash[0] ? (int)strtol(crash, NULL, 10) : 4;
	s->jobs_run_us = 5000; /* until the first run is measured */
	tt_server_start(&s->srv, sim_tallyd_args);
	sim_webhooks_start(s);
	/* a different day of 2027 per seed, so terms end on every kind of month end */
	s->m.now = SIM_START_EPOCH + sim_pick(s, 0, 364) * 86400 + sim_pick(s, 0, 86399);
	sim_set_clock(s);
	s->m.account_count = (int)sim_pick(s, 2, 4);
	for (int i = 0; i < s->m.account_count; i++) {
		sim_account *a = &s->m.accounts[i];
		char name[32];
		snprintf(name, sizeof(name), "sim %d", i);
		tt_create_account(&s->srv, name, a->id);
		tt_create_token(&s->srv, a->id, a->token);
	}
	read_prices(s);
}

/* ---- the clock and crashes --------------------------------------------------- */

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
		json_t *got = sim_call_ok(s, "GET", path, s->m.accounts[r->account].token, NULL);
		sim_format_time(sim_add_months(r->term_end, r->cycle_months), want);
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
			sim_disagree(s, "renewal of %s (%" PRId64 ") failed with %" PRId64 " credit left",
				 s->m.resources[tries[i].resource].id, tries[i].total, left);
	}
}

static int64_t monotonic_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* Sets tallyd's clock to the model's time, which runs the jobs then due
 * (POST /v1/admin/clock runs them before it answers). At a share of the
 * ticks that request is killed after a random delay of up to what an
 * unkilled one took lately, so that many kills land inside the jobs; the
 * restart sets the clock again, which runs the jobs again to completion.
 * Whatever the kill cut off halfway, the second run must finish, and do
 * nothing twice: the model's jobs run once. The share: 5 x SIM_CRASH
 * percent of the ticks where the model has prepaid work due (renewals,
 * expiries, suspensions, deletions), SIM_CRASH / 4 of the others, which
 * still kills whatever other jobs are due (the other features'
 * reconciliation, daily holds, POC expiry) without the model having to
 * predict them. */
static void set_clock_running_jobs(sim *s)
{
	int percent = sim_jobs_have_work(&s->m) ? 5 * s->crash_percent : s->crash_percent / 4;
	if (sim_pick(s, 1, 100) > percent) {
		int64_t start = monotonic_us();
		sim_set_clock(s);
		int64_t took = monotonic_us() - start;
		s->jobs_run_us = (3 * s->jobs_run_us + took) / 4; /* a moving average */
		return;
	}
	char body[64], now[32];
	sim_format_time(s->m.now, now);
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", now);
	tt_response r = call_killed(s, "POST", "/v1/admin/clock", s->srv.admin_token, body, NULL,
				    s->jobs_run_us);
	if (r.status == 0)
		s->job_kills_mid++;
	else if (r.status == 200)
		s->job_kills_after++;
	else
		sim_disagree(s, "clock move before the kill -> %ld %s", r.status,
			 r.raw ? r.raw : "");
	tt_response_free(&r);
}

/* The clock moves by seconds, in ticks of at most a day (tallyd's jobs run
 * every second in production; each tick runs what is due). */
void sim_move_clock(sim *s, int64_t seconds)
{
	while (seconds > 0) {
		int64_t tick = seconds < 86400 ? seconds : sim_pick(s, 43200, 86400);
		seconds -= tick;
		s->m.now += tick;
		set_clock_running_jobs(s);
		json_decref(sim_call_ok(s, "POST", "/v1/admin/jobs/run", s->srv.admin_token, NULL));
		sim_renewal_try contested[SIM_RESOURCES_MAX];
		int n = sim_jobs(&s->m, contested, SIM_RESOURCES_MAX);
		if (n > 0)
			settle_contested(s, contested, n);
		sim_postpaid_tick(s);
		sim_hold_jobs(&s->m); /* after the renewals: they ran first, on tallyd too */
	}
}

static void op_short_move(sim *s) { sim_move_clock(s, sim_pick(s, 60, 6 * 3600)); }
static void op_long_move(sim *s) { sim_move_clock(s, sim_pick(s, 86400, 92 * 86400)); }

/* kill -9 between two answered requests: everything answered must survive. */
static void op_crash(sim *s)
{
	tt_server_kill(&s->srv);
	tt_server_restart(&s->srv, sim_tallyd_args);
	s->restarts++;
	sim_set_clock(s); /* the test clock is not persisted; the model's time is */
}

static const sim_op clock_ops[] = {
	{"short_move", 20, op_short_move},
	{"long_move", 10, op_long_move},
	{"crash", 3, op_crash},
};

const sim_feature sim_feature_clock = {"clock", clock_ops,
				       (int)(sizeof(clock_ops) / sizeof(clock_ops[0])), NULL};
