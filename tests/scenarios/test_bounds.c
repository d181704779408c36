/*
 * Scenario: the bounds of limits.h and of the modules at ten times their
 * value, through HTTP (docs/TESTING.md, "Bounds and their 10x tests"). A
 * bound on input is refused whole with a stable error code; a bound on a
 * job's pass or a page only bounds the work at a time, and everything past
 * it is still done. The bounds whose 10x needs thousands of subjects on one
 * account are in test_scale.c.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80], wallet[64];

static void start(void)
{
	setenv("TALLY_GATEWAY_SECRET", "a secret for the bounds test", 1);
	const char *const args[] = {"--sandbox-gateway", NULL};
	tt_server_start(&srv, args);
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
				   "{\"now\":\"2027-01-15T00:00:00Z\"}", NULL);
	tt_response_free(&r);
	tt_create_account(&srv, "Bounds", acc);
	tt_create_token(&srv, acc, token);
	snprintf(wallet, sizeof(wallet), "cw_%s", strchr(acc, '_') + 1);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(bounds, .init = start, .fini = stop, .timeout = 120);

static tt_response post(const char *tok, const char *path, const char *body)
{
	return tt_request(&srv, "POST", path, tok, body, NULL);
}

static void ok(tt_response r)
{
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
}

static void credit(const char *account, int64_t amount)
{
	char path[128], body[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", account);
	snprintf(body, sizeof(body), "{\"amount\":%lld}", (long long)amount);
	ok(post(srv.admin_token, path, body));
}

static void expect_error(tt_response r, long status, const char *code)
{
	cr_assert_eq(r.status, status, "%.400s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), code, "%.400s", r.raw);
	tt_response_free(&r);
}

static int64_t credit_field(const char *name)
{
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	int64_t v = json_integer_value(json_object_get(json_object_get(r.json, "credit"), name));
	tt_response_free(&r);
	return v;
}

/* TL_IDEMPOTENCY_KEY_MAX (255): a key of 2,550 bytes is refused before
 * anything is done; one of 255 is taken and replays. */
Test(bounds, an_idempotency_key_ten_times_too_long_is_refused)
{
	char path[128], *key = malloc(2551), header[2600];
	memset(key, 'k', 2550);
	key[2550] = '\0';
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	snprintf(header, sizeof(header), "%s", key);
	expect_error(tt_request(&srv, "POST", path, srv.admin_token, "{\"amount\":100}", header),
		     400, "invalid_idempotency_key");
	key[255] = '\0';
	ok(tt_request(&srv, "POST", path, srv.admin_token, "{\"amount\":100}", key));
	ok(tt_request(&srv, "POST", path, srv.admin_token, "{\"amount\":100}", key));
	cr_assert_eq(credit_field("balance"), 100, "the replay moved nothing");
	free(key);
}

/* TL_PAGE_MAX (500) and TL_CURSOR_MAX (72): limit=5000 and a cursor of 720
 * bytes are refused (400 invalid_parameter), never cut to a page silently. */
Test(bounds, a_page_or_a_cursor_ten_times_the_most_is_refused)
{
	expect_error(tt_request(&srv, "GET", "/v1/invoices?limit=5000", token, NULL, NULL), 400,
		     "invalid_parameter");
	char url[1024] = "/v1/invoices?after=";
	memset(url + strlen(url), 'a', 720);
	url[19 + 720] = '\0';
	expect_error(tt_request(&srv, "GET", url, token, NULL, NULL), 400, "invalid_parameter");
	ok(tt_request(&srv, "GET", "/v1/invoices?limit=500", token, NULL, NULL));
}

/* TL_CLUSTER_NODES_MAX (50): a cluster of 500 nodes is refused whole, and
 * nothing of it is made. */
Test(bounds, a_cluster_of_ten_times_the_most_nodes_is_refused)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	ok(post(srv.admin_token, path,
		"{\"amount\":100000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}"));
	tt_response r = post(token, "/v1/resources",
			     "{\"type\":\"cluster\",\"name\":\"c\",\"poc\":true,"
			     "\"spec\":{\"node_flavor\":\"s.general.2c4g\",\"node_count\":500,"
			     "\"boot_volume_type\":\"v.ssd\",\"boot_volume_gb\":20}}");
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_spec", "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/resources", token, NULL, NULL);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 0, "%s", r.raw);
	tt_response_free(&r);
	ok(post(token, "/v1/resources",
		"{\"type\":\"cluster\",\"name\":\"c\",\"poc\":true,"
		"\"spec\":{\"node_flavor\":\"s.general.2c4g\",\"node_count\":50,"
		"\"boot_volume_type\":\"v.ssd\",\"boot_volume_gb\":20}}"));
}

typedef struct presser {
	const char *path;
	int presses, started, refused, other;
	char last_error[256];
} presser;

static void *press_pay(void *arg)
{
	presser *p = arg;
	tt_client *client = tt_client_new(&srv);
	for (int i = 0; i < p->presses; i++) {
		tt_response r = tt_client_request(client, "POST", p->path, token,
						  "{\"method\":\"gateway\"}");
		if (r.status < 300) {
			p->started++;
		} else if (strcmp(tt_error_code(&r), "too_many_gateway_payments") == 0) {
			p->refused++;
		} else {
			p->other++;
			snprintf(p->last_error, sizeof(p->last_error), "%ld %s", r.status,
				 r.raw ? r.raw : "");
		}
		tt_response_free(&r);
	}
	tt_client_free(client);
	return NULL;
}

/* TL_GATEWAY_STARTS_PER_CHECKOUT_MAX (32): pressing pay 320 times, from 8
 * connections at once, starts exactly 32 gateway payments, and every
 * later press is refused (too_many_gateway_payments) without starting one. */
Test(bounds, ten_times_the_gateway_starts_of_a_checkout_are_refused_past_the_most)
{
	tt_response r = post(token, "/v1/checkouts",
			     "{\"kind\":\"purchase\",\"items\":[{\"type\":\"server\",\"name\":"
			     "\"web\",\"spec\":{\"flavor\":\"s.general.2c4g\"}}],"
			     "\"cycle_months\":1}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	enum { PRESSERS = 8 };
	pthread_t threads[PRESSERS];
	presser p[PRESSERS];
	for (int t = 0; t < PRESSERS; t++) {
		p[t] = (presser){.path = path, .presses = 320 / PRESSERS};
		cr_assert_eq(pthread_create(&threads[t], NULL, press_pay, &p[t]), 0);
	}
	int started = 0, refused = 0;
	for (int t = 0; t < PRESSERS; t++) {
		pthread_join(threads[t], NULL);
		cr_assert_eq(p[t].other, 0, "%s", p[t].last_error);
		started += p[t].started;
		refused += p[t].refused;
	}
	cr_assert_eq(started, 32);
	cr_assert_eq(refused, 320 - 32);
}

/* TL_EXPIRY_SWEEP_MAX (500): 5,000 holds that expire together are all
 * released by the one clock move, not the first 500 of them. */
Test(bounds, ten_times_a_sweep_of_expired_holds_are_all_released)
{
	enum { HOLDS = 5000 };
	credit(acc, 100000000);
	size_t size = (size_t)HOLDS * 256 + 64, at = 0;
	char *body = malloc(size);
	at += (size_t)snprintf(body + at, size - at, "{\"transfers\":[");
	for (int i = 0; i < HOLDS; i++)
		at += (size_t)snprintf(body + at, size - at,
				       "%s{\"id\":\"h-%d\",\"debit_account\":\"%s\","
				       "\"credit_account\":\"sys_revenue_vnd\",\"amount\":10,"
				       "\"code\":\"hold\",\"pending\":true,"
				       "\"expires_at\":\"2027-01-15T01:00:00Z\"}",
				       i ? "," : "", i, wallet);
	snprintf(body + at, size - at, "]}");
	tt_response r = post(srv.admin_token, "/v1/ledger/transfers", body);
	free(body);
	cr_assert_eq(r.status, 200, "%.400s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "created")), HOLDS);
	tt_response_free(&r);
	cr_assert_eq(credit_field("held"), HOLDS * 10);

	r = post(srv.admin_token, "/v1/admin/clock", "{\"now\":\"2027-01-15T01:00:01Z\"}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(credit_field("held"), 0, "every hold released by the one move");
	cr_assert_eq(credit_field("balance"), 100000000);
}

#define MAKERS 16

typedef struct maker {
	char (*ids)[64];
	int from, count;
	int failures;
	char last_error[256];
} maker;

static int admin_post(tt_client *client, const char *path, const char *body, json_t **out)
{
	tt_response r = tt_client_request(client, "POST", path, srv.admin_token, body);
	int failed = r.status != 201 && r.status != 200;
	if (out)
		*out = json_incref(r.json);
	tt_response_free(&r);
	return failed;
}

/* Each of its accounts with a postpaid LB (no credit: its invoice is then
 * unpaid, which is as much an invoice; one write less per account). */
static void *make_accounts(void *arg)
{
	maker *m = arg;
	tt_client *client = tt_client_new(&srv);
	char body[256];
	for (int i = m->from; i < m->count; i += MAKERS) {
		json_t *made = NULL;
		snprintf(body, sizeof(body), "{\"name\":\"Account %d\"}", i);
		m->failures += admin_post(client, "/v1/accounts", body, &made);
		snprintf(m->ids[i], 64, "%s", json_string_value(json_object_get(made, "id")));
		json_decref(made);
		snprintf(body, sizeof(body),
			 "{\"account_id\":\"%s\",\"type\":\"load_balancer\",\"name\":\"lb\","
			 "\"poc\":false,\"spec\":{}}", m->ids[i]);
		m->failures += admin_post(client, "/v1/resources", body, NULL);
	}
	tt_client_free(client);
	return NULL;
}

/* TL_RECONCILE_ACCOUNTS_MAX (50) a pass: the month of 500 accounts is
 * reconciled, a pass at a time, each account once. Each job run (as the
 * ticker's every second) takes the next 50, so ten runs and a spare reach
 * the last account. */
Test(bounds, ten_times_a_pass_of_accounts_are_all_reconciled, .timeout = 240)
{
	enum { ACCOUNTS = 500 };
	char (*ids)[64] = calloc(ACCOUNTS, sizeof(*ids));
	char path[160];
	pthread_t threads[MAKERS];
	maker m[MAKERS];
	for (int t = 0; t < MAKERS; t++) {
		m[t] = (maker){.ids = ids, .from = t, .count = ACCOUNTS};
		cr_assert_eq(pthread_create(&threads[t], NULL, make_accounts, &m[t]), 0);
	}
	for (int t = 0; t < MAKERS; t++)
		pthread_join(threads[t], NULL);
	for (int t = 0; t < MAKERS; t++)
		cr_assert_eq(m[t].failures, 0);
	ok(post(srv.admin_token, "/v1/admin/clock", "{\"now\":\"2027-02-01T00:00:00Z\"}"));
	for (int run = 0; run < 11; run++)
		ok(post(srv.admin_token, "/v1/admin/jobs/run", "{}"));
	for (int i = 0; i < ACCOUNTS; i++) {
		snprintf(path, sizeof(path), "/v1/invoices?account_id=%s", ids[i]);
		tt_response r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
		cr_assert_eq(r.status, 200, "%s", r.raw);
		json_t *data = json_object_get(r.json, "data");
		cr_assert_eq(json_array_size(data), 1, "account %d: %s", i, r.raw);
		cr_assert_str_eq(json_string_value(json_object_get(json_array_get(data, 0), "kind")),
				 "usage");
		tt_response_free(&r);
	}
	free(ids);
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* TL_CHECKOUT_LINES_MAX (4,096): a purchase of 40,960 items is refused
 * whole (400 invalid_items, as its body is malformed; a Stop POC past it
 * is 422 too_many_resources), nothing bought and nothing charged. */
Test(bounds, a_purchase_of_ten_times_the_most_lines_is_refused)
{
	enum { ITEMS = 40960 };
	credit(acc, 100000000);
	const char *item = "{\"type\":\"volume\",\"name\":\"v\",\"spec\":{\"volume_type\":\"v.ssd\","
			   "\"size_gb\":10}}";
	size_t size = (size_t)ITEMS * (strlen(item) + 1) + 128, at = 0;
	char *body = malloc(size);
	at += (size_t)snprintf(body + at, size - at,
			       "{\"kind\":\"purchase\",\"cycle_months\":1,\"items\":[");
	for (int i = 0; i < ITEMS; i++)
		at += (size_t)snprintf(body + at, size - at, "%s%s", i ? "," : "", item);
	snprintf(body + at, size - at, "]}");
	tt_response r = post(token, "/v1/checkouts", body);
	free(body);
	cr_assert_eq(r.status, 400, "%.400s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_items", "%.400s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(credit_field("balance"), 100000000);
}

/* TL_COUPON_SERVICES_MAX (8): a coupon naming 80 services is refused, not
 * kept with its first 8. */
Test(bounds, a_coupon_of_ten_times_the_most_services_is_refused)
{
	char body[2048];
	int at = snprintf(body, sizeof(body),
			  "{\"code\":\"MANY\",\"percent_off\":10,\"services\":[");
	for (int i = 0; i < 80; i++)
		at += snprintf(body + at, sizeof(body) - (size_t)at, "%s\"vserver\"", i ? "," : "");
	snprintf(body + at, sizeof(body) - (size_t)at, "]}");
	tt_response r = post(srv.admin_token, "/v1/coupons", body);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/coupons", srv.admin_token, NULL, NULL);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 0, "%s", r.raw);
	tt_response_free(&r);
}

/* TL_USAGE_KEY_MAX (64): a usage record whose resource id would make a key
 * ten times too long is rejected on its own (its result names its index),
 * never cut to a key that could collide with another record's. */
Test(bounds, a_usage_record_with_a_key_ten_times_too_long_is_refused)
{
	char id[700], body[1200];
	memset(id, 'r', 640);
	memcpy(id, "res_", 4);
	id[640] = '\0';
	snprintf(body, sizeof(body),
		 "{\"records\":[{\"resource_id\":\"%s\",\"start\":\"2027-01-14T00:00:00Z\","
		 "\"end\":\"2027-01-14T01:00:00Z\",\"quantity\":1}]}", id);
	tt_response r = post(srv.admin_token, "/v1/usage", body);
	cr_assert_eq(r.status, 200, "%.300s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "accepted")), 0);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "rejected")), 1);
	json_t *result = json_array_get(json_object_get(r.json, "results"), 0);
	cr_assert_eq(json_integer_value(json_object_get(result, "index")), 0);
	cr_assert_str_eq(json_string_value(json_object_get(result, "result")),
			 "resource_not_found");
	tt_response_free(&r);
}

/* TL_NAME_MAX (200) and TL_JSON_STRING_MAX (1,024): a name of 2,000 bytes
 * and a reference of 10,240 are refused (400 invalid_value) and nothing
 * is made or moved; a name of 200 bytes is taken whole. */
Test(bounds, a_name_or_a_string_ten_times_too_long_is_refused)
{
	char *name = malloc(10241), body[10400], path[128];
	memset(name, 'n', 10240);
	name[2000] = '\0';
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	tt_response r = post(srv.admin_token, "/v1/accounts", body);
	cr_assert_eq(r.status, 400, "%.300s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_value", "%.300s", r.raw);
	tt_response_free(&r);
	name[2000] = 'n';
	name[10240] = '\0';
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	snprintf(body, sizeof(body), "{\"amount\":100,\"reference\":\"%s\"}", name);
	r = post(srv.admin_token, path, body);
	cr_assert_eq(r.status, 400, "%.300s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_value", "%.300s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(credit_field("balance"), 0);
	name[1000] = '\0'; /* 5x a name, under the string bound: the name's own */
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	r = post(srv.admin_token, "/v1/accounts", body);
	cr_assert_eq(r.status, 400, "%.300s", r.raw);
	tt_response_free(&r);
	name[200] = '\0';
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	r = post(srv.admin_token, "/v1/accounts", body);
	cr_assert_eq(r.status, 201, "%.300s", r.raw);
	cr_assert_eq(strlen(json_string_value(json_object_get(r.json, "name"))), 200);
	tt_response_free(&r);
	free(name);
}

/* TL_USAGE_RECORD_MAX_S (31 days): a record of 310 days fails its batch
 * (400 invalid_record naming it, field end) before anything is recorded.
 * Its length used to be unbounded: billed whole in its start's month, and
 * a record of centuries (minutes times quantity) past what the usage cost
 * can carry. A record of 31 days is a
 * record like any other (here for no resource: rejected on its own). */
Test(bounds, a_usage_record_ten_times_too_long_fails_its_batch)
{
	tt_response r = post(srv.admin_token, "/v1/usage",
			     "{\"records\":[{\"resource_id\":\"res_aaaaaaaaaaaaaaaa\","
			     "\"start\":\"2027-01-01T00:00:00Z\",\"end\":\"2027-02-01T00:00:00Z\","
			     "\"quantity\":1},{\"resource_id\":\"res_aaaaaaaaaaaaaaaa\","
			     "\"start\":\"2026-03-01T00:00:00Z\",\"end\":\"2027-01-05T00:00:00Z\","
			     "\"quantity\":1}]}");
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_record", "%s", r.raw);
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_assert_eq(json_integer_value(json_object_get(details, "index")), 1, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(details, "field")), "end");
	tt_response_free(&r);
	r = post(srv.admin_token, "/v1/usage",
		 "{\"records\":[{\"resource_id\":\"res_aaaaaaaaaaaaaaaa\","
		 "\"start\":\"2027-01-01T00:00:00Z\",\"end\":\"2027-02-01T00:00:00Z\","
		 "\"quantity\":1}]}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "rejected")), 1, "%s", r.raw);
	tt_response_free(&r);
}
