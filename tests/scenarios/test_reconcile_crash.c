/*
 * Crash test: tallyd is killed with SIGKILL at random moments while it
 * reconciles a month for more accounts than one pass takes (passes of 50),
 * then restarted on the same database, again and again. When the month is
 * done every postpaid resource has exactly one usage invoice for it, with
 * its real period, every account paid exactly what its invoices say, and
 * the books balance: no double invoice, no missing one.
 * Seeded: TALLY_TEST_SEED=<n> repeats the kill times of a run.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"

enum { ACCOUNTS = 400, KILLS = 10, CREDIT = 10000000 };

static tt_server srv;
static char accounts[ACCOUNTS][64];
static char resources[ACCOUNTS][64];
static atomic_bool stop_driving;
static atomic_int acknowledged; /* accounts reconciled, as answered */

static void count_reconciled(const tt_response *r)
{
	atomic_fetch_add(&acknowledged,
			 (int)json_integer_value(json_object_get(json_object_get(r->json, "jobs"),
								 "accounts_reconciled")));
}

static void request_ok(const char *method, const char *path, const char *token,
		       const char *body)
{
	tt_response r = tt_request(&srv, method, path, token, body, NULL);
	cr_assert_lt(r.status, 300, "%s %s -> %ld %s", method, path, r.status, r.raw);
	tt_response_free(&r);
}

/* Each account: credit and one postpaid load balancer, from 2027-01-15. */
static void create_customers(void)
{
	request_ok("POST", "/v1/admin/clock", srv.admin_token, "{\"now\":\"2027-01-15T00:00:00Z\"}");
	for (int i = 0; i < ACCOUNTS; i++) {
		char name[32], path[128], body[128], token[80];
		snprintf(name, sizeof(name), "crash-%d", i);
		tt_create_account(&srv, name, accounts[i]);
		tt_create_token(&srv, accounts[i], token);
		snprintf(path, sizeof(path), "/v1/accounts/%s/credit", accounts[i]);
		snprintf(body, sizeof(body), "{\"amount\":%d}", CREDIT);
		request_ok("POST", path, srv.admin_token, body);
		tt_response r = tt_request(&srv, "POST", "/v1/resources", token,
					   "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
					   "\"spec\":{}}", NULL);
		cr_assert_eq(r.status, 201, "%s", r.raw);
		snprintf(resources[i], 64, "%s", json_string_value(json_object_get(r.json, "id")));
		tt_response_free(&r);
	}
}

/* Moves the (restarted) clock to the 1st, which runs a pass, then runs
 * passes until killed or told to stop. */
static void *drive_jobs(void *arg)
{
	(void)arg;
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
				   "{\"now\":\"2027-02-01T00:00:00Z\"}", NULL);
	long status = r.status;
	count_reconciled(&r);
	tt_response_free(&r);
	while (status == 200 && !atomic_load(&stop_driving)) {
		r = tt_request(&srv, "POST", "/v1/admin/jobs/run", srv.admin_token, NULL, NULL);
		status = r.status;
		count_reconciled(&r);
		tt_response_free(&r);
	}
	return NULL;
}

/* Runs passes until one reconciles nothing; the number of passes. */
static int finish_month(void)
{
	request_ok("POST", "/v1/admin/clock", srv.admin_token, "{\"now\":\"2027-02-01T00:00:00Z\"}");
	for (int pass = 0; pass < ACCOUNTS; pass++) {
		tt_response r = tt_request(&srv, "POST", "/v1/admin/jobs/run", srv.admin_token, NULL,
					   NULL);
		cr_assert_eq(r.status, 200, "%s", r.raw);
		json_int_t done = json_integer_value(
			json_object_get(json_object_get(r.json, "jobs"), "accounts_reconciled"));
		tt_response_free(&r);
		if (done == 0)
			return pass;
	}
	cr_assert_fail("the month never finished");
	return -1;
}

/* One usage invoice per resource, for 2027-01-15 .. 2027-02-01, and the
 * account's credit down by exactly its total. */
static void assert_each_invoiced_once(void)
{
	for (int i = 0; i < ACCOUNTS; i++) {
		char path[160];
		snprintf(path, sizeof(path), "/v1/invoices?account_id=%.60s&limit=10", accounts[i]);
		tt_response r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
		json_t *data = json_object_get(r.json, "data");
		cr_assert_eq(json_array_size(data), 1, "account %d: %s", i, r.raw);
		json_t *inv = json_array_get(data, 0);
		json_t *period = json_object_get(inv, "period");
		cr_assert_str_eq(json_string_value(json_object_get(inv, "resource_id")), resources[i]);
		cr_assert_str_eq(json_string_value(json_object_get(period, "start")),
				 "2027-01-15T00:00:00Z");
		cr_assert_str_eq(json_string_value(json_object_get(period, "end")),
				 "2027-02-01T00:00:00Z");
		json_int_t total = json_integer_value(json_object_get(inv, "total"));
		cr_assert_gt(total, 0);
		tt_response_free(&r);
		snprintf(path, sizeof(path), "/v1/wallets?account_id=%.60s", accounts[i]);
		r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
		json_int_t balance = json_integer_value(
			json_object_get(json_object_get(r.json, "credit"), "balance"));
		cr_assert_eq(balance, CREDIT - total, "account %d: %s", i, r.raw);
		tt_response_free(&r);
	}
}

Test(reconcile_crash, sigkill_mid_month_neither_doubles_nor_skips_an_invoice, .timeout = 600)
{
	const char *env = getenv("TALLY_TEST_SEED");
	unsigned long long seed = env ? strtoull(env, NULL, 10) : (unsigned long long)time(NULL);
	srand((unsigned)seed);
	cr_log_info("seed %llu", seed);
	tt_server_start(&srv, NULL);
	create_customers();
	for (int k = 0; k < KILLS; k++) {
		atomic_store(&stop_driving, false);
		pthread_t driver;
		pthread_create(&driver, NULL, drive_jobs, NULL);
		struct timespec pause = {0, (long)(rand() % 80000) * 1000L}; /* < 80 ms */
		nanosleep(&pause, NULL);
		atomic_store(&stop_driving, true);
		tt_server_kill(&srv);
		pthread_join(driver, NULL);
		tt_server_restart(&srv, NULL);
		cr_log_info("kill %d: at least %d of %d accounts reconciled", k + 1,
			    atomic_load(&acknowledged), ACCOUNTS);
	}
	int passes = finish_month();
	cr_log_info("seed %llu: %d passes were left after %d kills", seed, passes, KILLS);
	assert_each_invoiced_once();
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "seed %llu: %s", seed, r.raw);
	tt_response_free(&r);
	tt_server_stop(&srv);
}
