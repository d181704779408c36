/*
 * Crash test: tallyd takes concurrent transfer requests and is killed with
 * SIGKILL at a random moment, then restarted on the same database. Every
 * transfer it acknowledged must still be there (a retry with the same id is
 * answered "exists") and the books must balance. Repeated 20 times.
 * Seeded: TALLY_TEST_SEED=<n> repeats the kill times of a run.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"

enum { ITERATIONS = 20, CLIENTS = 6, MAX_ACKED = 4000 };

static tt_server srv;
static char wallet[64];
static unsigned long long seed;

typedef struct client {
	int iteration, index;
	char acked[MAX_ACKED][240]; /* the JSON of each acknowledged transfer */
	int acked_count;
} client;

static client clients[CLIENTS];

static void *send_transfers(void *arg)
{
	client *c = arg;
	c->acked_count = 0;
	for (int n = 0; c->acked_count < MAX_ACKED; n++) {
		char transfer[240], body[280];
		bool top_up = n % 2 == 0;
		snprintf(transfer, sizeof(transfer),
			 "{\"id\":\"c%d-%d-%d\",\"debit_account\":\"%s\",\"credit_account\":\"%s\","
			 "\"amount\":%d,\"code\":\"%s\"}", c->iteration, c->index, n,
			 top_up ? "sys_gateway_clearing_vnd" : wallet,
			 top_up ? wallet : "sys_revenue_vnd", top_up ? 1000 : 700,
			 top_up ? "top_up" : "charge");
		snprintf(body, sizeof(body), "{\"transfers\":[%s]}", transfer);
		tt_response r = tt_request(&srv, "POST", "/v1/ledger/transfers", srv.admin_token,
					   body, NULL);
		long status = r.status;
		if (status == 200 && json_integer_value(json_object_get(r.json, "created")) == 1)
			snprintf(c->acked[c->acked_count++], sizeof(c->acked[0]), "%s", transfer);
		tt_response_free(&r);
		if (status == 0)
			break; /* killed */
	}
	return NULL;
}

/* Retries every acknowledged transfer; each must already exist. */
static int verify_acknowledged(void)
{
	int total = 0;
	for (int i = 0; i < CLIENTS; i++) {
		client *c = &clients[i];
		if (c->acked_count == 0)
			continue;
		size_t size = (size_t)c->acked_count * 242 + 32;
		char *body = malloc(size), *p = body;
		p += snprintf(p, size, "{\"transfers\":[");
		for (int k = 0; k < c->acked_count; k++)
			p += snprintf(p, size - (size_t)(p - body), "%s%s", k ? "," : "", c->acked[k]);
		snprintf(p, size - (size_t)(p - body), "]}");
		tt_response r = tt_request(&srv, "POST", "/v1/ledger/transfers", srv.admin_token,
					   body, NULL);
		cr_assert_eq(r.status, 200, "seed %llu: %s", seed, r.raw);
		cr_assert_eq(json_integer_value(json_object_get(r.json, "existing")),
			     c->acked_count, "seed %llu: acknowledged transfers lost: %s", seed, r.raw);
		cr_assert_eq(json_integer_value(json_object_get(r.json, "created")), 0);
		tt_response_free(&r);
		free(body);
		total += c->acked_count;
	}
	return total;
}

static void assert_books_balance(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "seed %llu: %s", seed, r.raw);
	tt_response_free(&r);
}

Test(ledger_crash, sigkill_at_random_moments_loses_no_acknowledged_transfer, .timeout = 600)
{
	const char *env = getenv("TALLY_TEST_SEED");
	seed = env ? strtoull(env, NULL, 10) : (unsigned long long)time(NULL);
	srand((unsigned)seed);
	cr_log_info("seed %llu", seed);
	tt_server_start(&srv, NULL);
	char acc[64];
	tt_create_account(&srv, "crash", acc);
	snprintf(wallet, sizeof(wallet), "cw_%s", acc + 4);
	int verified = 0;
	for (int it = 0; it < ITERATIONS; it++) {
		pthread_t threads[CLIENTS];
		for (int i = 0; i < CLIENTS; i++) {
			clients[i].iteration = it;
			clients[i].index = i;
			pthread_create(&threads[i], NULL, send_transfers, &clients[i]);
		}
		long kill_after_ms = 20 + rand() % 300;
		struct timespec pause = {0, kill_after_ms * 1000000L};
		nanosleep(&pause, NULL);
		tt_server_kill(&srv);
		for (int i = 0; i < CLIENTS; i++)
			pthread_join(threads[i], NULL);
		tt_server_restart(&srv, NULL);
		verified += verify_acknowledged();
		assert_books_balance();
	}
	cr_assert_gt(verified, 0, "no transfer was ever acknowledged; the test proves nothing");
	cr_log_info("%d acknowledged transfers survived %d kills", verified, ITERATIONS);
	tt_server_stop(&srv);
}
