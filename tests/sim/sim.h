/*
 * sim.h: the lifecycle simulation's driver, shared by its parts
 * (docs/TESTING.md "The lifecycle simulation").
 *
 * The simulation is a set of features, one file each (ops_*.c): a feature
 * brings the random operations it drives tallyd with, and the checks that
 * compare tallyd with the model (sim_model.h) after every step. test_sim.c
 * lists the features; sim_driver.c has what they share: the seeded random
 * source, the HTTP calls that must succeed, the test clock and its moves.
 */
#ifndef SIM_H
#define SIM_H

#include <jansson.h>
#include <stdint.h>
#include "harness.h"
#include "sim_model.h"

#define SIM_ITEMS_MAX 32
#define SIM_START_EPOCH INT64_C(1798761600) /* 2027-01-01T00:00:00Z */

/* A catalog item the simulation buys, read from GET /v1/catalog. */
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
	/* crashes (docs/TESTING.md "Crashes under the simulation"): the percent
	 * of jobs runs and of prepaid requests that are killed (SIM_CRASH), how
	 * the killed jobs runs ended, and how long an unkilled run takes */
	int crash_percent;
	int job_kills_mid, job_kills_after;
	int request_kills_mid, request_kills_after;
	int64_t jobs_run_us;
} sim;

typedef struct sim_op {
	const char *name;
	int weight;
	void (*run)(sim *s);
} sim_op;

/* One feature of the simulation: its operations and its checks. */
typedef struct sim_feature {
	const char *name;
	const sim_op *ops;
	int op_count;
	void (*check)(sim *s); /* after every step; NULL when it has none */
} sim_feature;

extern const sim_feature sim_feature_clock;   /* sim_driver.c */
extern const sim_feature sim_feature_prepaid; /* ops_prepaid.c */
extern const sim_feature sim_feature_poc;     /* ops_poc.c */
extern const sim_feature sim_feature_gateway; /* ops_gateway.c */
extern const sim_feature sim_feature_coupons; /* ops_coupons.c */
extern const sim_feature sim_feature_postpaid; /* ops_postpaid.c */
extern const sim_feature sim_feature_hold;    /* ops_hold.c */
/* Before the checks: usage debt the job ticker collected (ops_hold.c). */
void sim_hold_settle(sim *s);

/* The seeded random source (splitmix64) and a uniform pick in [lo, hi]. */
uint64_t sim_random(sim *s);
int64_t sim_pick(sim *s, int64_t lo, int64_t hi);

/* Fails the run, naming the seed, the step and how to replay it. */
__attribute__((format(printf, 2, 3))) void sim_disagree(const sim *s,
								   const char *fmt, ...);

tt_response sim_call(sim *s, const char *method, const char *path, const char *token,
		     const char *body);

/* A call that must answer 2xx with JSON; the caller owns the result. */
json_t *sim_call_ok(sim *s, const char *method, const char *path, const char *token,
		    const char *body);

/* obj.a, or obj.a.b when b is not NULL, as an integer (0 when absent). */
int64_t sim_member_int(const json_t *obj, const char *a, const char *b);

void sim_format_time(int64_t t, char out[32]);

/* kill -9 while a request may be in flight: sends it from a thread, kills
 * tallyd after a random delay of up to max_delay_us, restarts it and sets
 * its clock. Returns the answer when it came before the kill, or status 0
 * when the kill cut it off: then the request may or may not have taken
 * effect, and the caller settles which by reading tallyd's state (and
 * checking that what it reads is one of the two outcomes the rules allow). */
tt_response sim_call_killed(sim *s, const char *method, const char *path, const char *token,
			    const char *body, int64_t max_delay_us);

/* True for the share of calls SIM_CRASH says are to be killed. */
bool sim_crash_now(sim *s);

/* A feature's write, killed in flight when sim_crash_now says so (then the
 * delay is of up to max_delay_us) and sent plainly otherwise; idem_key may
 * be NULL. Counts the kills that cut the answer off and those that came
 * after it. */
tt_response sim_call_maybe_killed(sim *s, const char *method, const char *path,
				  const char *token, const char *body, const char *idem_key,
				  int64_t max_delay_us);

/* Sets tallyd's test clock to the model's time. */
void sim_set_clock(sim *s);

/* Moves the clock by seconds in ticks of at most a day, running the jobs
 * on tallyd and in the model at each tick. */
void sim_move_clock(sim *s, int64_t seconds);

/* postpaid feature (ops_postpaid.c): after each jobs tick, what tallyd
 * paid and suspended, settled into the model. */
void sim_postpaid_tick(sim *s);

/* Webhooks (sim_webhooks.c): a receiver registered for every type, and
 * the check at the end of a run that every state change's event arrived. */
void sim_webhooks_start(sim *s);
void sim_webhooks_check(sim *s);

/* tallyd's flags in the simulation: webhooks to the local receiver. */
extern const char *const sim_tallyd_args[];

/* Starts tallyd and the accounts of one seeded run. */
void sim_start(sim *s, uint64_t seed);

#endif
