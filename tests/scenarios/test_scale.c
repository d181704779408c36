/*
 * Scenario: jobs and cascades finish for any number of subjects. Each test
 * makes ten times a page (or former cap) of subjects on one owner through
 * HTTP and checks that the job or cascade reached the last of them: the
 * monthly reconciliation of an account with 5,130 postpaid resources, the
 * expiry and deletion of 2,570 resources of one POC wallet, the deletion of
 * a cluster of 2,570+ members, and a Stop POC of such a cluster.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80];

static void start(void)
{
	tt_server_start(&srv, NULL);
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
				   "{\"now\":\"2027-01-15T00:00:00Z\"}", NULL);
	tt_response_free(&r);
	tt_create_account(&srv, "Big", acc);
	tt_create_token(&srv, acc, token);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(scale, .init = start, .fini = stop, .timeout = 120);

static tt_response post(const char *tok, const char *path, const char *body)
{
	return tt_request(&srv, "POST", path, tok, body, NULL);
}

static void ok(tt_response r)
{
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
}

static json_t *move_clock(const char *when)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", when);
	tt_response r = post(srv.admin_token, "/v1/admin/clock", body);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *jobs = json_incref(json_object_get(r.json, "jobs"));
	tt_response_free(&r);
	return jobs;
}

/* ---- many resources at once ------------------------------------------------------ */

#define CREATORS 8

typedef struct creator {
	const char *head, *tail; /* a resource's JSON is head, its number, tail */
	const char *path, *tok;  /* NULL: POST /v1/resources with the account's token */
	int from, count, step;
	int failures;
	char last_error[256];
} creator;

static void *create_some(void *arg)
{
	creator *c = arg;
	tt_client *client = tt_client_new(&srv);
	for (int i = c->from; i < c->count; i += c->step) {
		char body[512];
		snprintf(body, sizeof(body), "%s%d%s", c->head, i, c->tail);
		tt_response r = tt_client_request(client, "POST", c->path ? c->path : "/v1/resources",
						  c->tok ? c->tok : token, body);
		if (r.status != 201) {
			c->failures++;
			snprintf(c->last_error, sizeof(c->last_error), "%ld %s", r.status,
				 r.raw ? r.raw : "");
		}
		tt_response_free(&r);
	}
	tt_client_free(client);
	return NULL;
}

/* POSTs count bodies made from the template to path with tok, over
 * CREATORS connections (so their writes share group commits). */
static void post_many(const char *path, const char *tok, const char *head, const char *tail,
		      int count)
{
	pthread_t threads[CREATORS];
	creator c[CREATORS];
	for (int t = 0; t < CREATORS; t++) {
		c[t] = (creator){.head = head, .tail = tail, .path = path, .tok = tok, .from = t,
				 .count = count, .step = CREATORS};
		cr_assert_eq(pthread_create(&threads[t], NULL, create_some, &c[t]), 0);
	}
	for (int t = 0; t < CREATORS; t++)
		pthread_join(threads[t], NULL);
	for (int t = 0; t < CREATORS; t++)
		cr_assert_eq(c[t].failures, 0, "%d failed: %s", c[t].failures, c[t].last_error);
}

/* Creates count resources from the template. */
static void create_many(const char *head, const char *tail, int count)
{
	post_many(NULL, NULL, head, tail, count);
}

/* One more, made after all the others: the newest row, the one a cap by
 * age leaves out. Its id into id (64 bytes). */
static void create_last(const char *body, char *id)
{
	tt_response r = post(token, "/v1/resources", body);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(id, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
}

/* Counts what every page of a list holds: all of it, and those whose
 * `field` is `value`. */
static int64_t count_all(const char *path, const char *field, const char *value,
			 int64_t *matching)
{
	char url[512], after[80] = "";
	int64_t n = 0;
	*matching = 0;
	for (int pages = 0; pages < 100; pages++) {
		snprintf(url, sizeof(url), "%s%slimit=500%s%s", path, strchr(path, '?') ? "&" : "?",
			 after[0] ? "&after=" : "", after);
		tt_response r = tt_request(&srv, "GET", url, token, NULL, NULL);
		cr_assert_eq(r.status, 200, "%s", r.raw);
		json_t *row;
		size_t i;
		json_array_foreach(json_object_get(r.json, "data"), i, row) {
			n++;
			const char *v = json_string_value(json_object_get(row, field));
			*matching += v && strcmp(v, value) == 0;
		}
		const char *next = json_string_value(json_object_get(r.json, "next"));
		snprintf(after, sizeof(after), "%s", next ? next : "");
		tt_response_free(&r);
		if (after[0] == '\0')
			return n;
	}
	cr_assert_fail("more than 100 pages of %s", path);
	return n;
}

static const char *status_of(const char *id, char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/resources/%s", id);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	snprintf(out, 16, "%s", json_string_value(json_object_get(r.json, "status")));
	tt_response_free(&r);
	return out;
}

/* ---- the tests ------------------------------------------------------------------- */

/* The reconciliation used to rate an account's oldest 512 postpaid rows
 * (deleted ones included) and never the rest. */
Test(scale, every_postpaid_resource_of_an_account_is_invoiced)
{
	char path[160], last[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	ok(post(srv.admin_token, path, "{\"amount\":100000000000}"));
	create_many("{\"type\":\"load_balancer\",\"name\":\"lb-",
		    "\",\"poc\":false,\"spec\":{}}", 5130);
	create_last("{\"type\":\"load_balancer\",\"name\":\"lb-last\",\"poc\":false,\"spec\":{}}",
		    last);

	json_decref(move_clock("2027-02-01T00:00:00Z"));
	json_decref(move_clock("2027-02-01T00:00:10Z")); /* a pass the ticker may have begun */
	int64_t paid = 0;
	cr_assert_eq(count_all("/v1/invoices", "status", "paid", &paid), 5131);
	cr_assert_eq(paid, 5131);
	snprintf(path, sizeof(path), "/v1/invoices?resource_id=%s", last);
	int64_t usage = 0;
	cr_assert_eq(count_all(path, "kind", "usage", &usage), 1);
	cr_assert_eq(usage, 1);
}

/* POC expiry used to suspend, and later delete, only the wallet's oldest
 * 256 resources; the rest ran on for free. */
Test(scale, every_resource_of_a_poc_wallet_is_suspended_then_deleted)
{
	char path[160], last[64], status[16];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	ok(post(srv.admin_token, path,
		"{\"amount\":100000000000,\"expires_at\":\"2027-01-15T02:00:00Z\"}"));
	create_many("{\"type\":\"volume\",\"name\":\"v-",
		    "\",\"poc\":true,\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":10}}", 2570);
	create_last("{\"type\":\"volume\",\"name\":\"v-last\",\"poc\":true,"
		    "\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":10}}", last);

	json_decref(move_clock("2027-01-15T02:00:00Z"));
	int64_t suspended = 0;
	cr_assert_eq(count_all("/v1/resources?billing=poc", "status", "suspended", &suspended),
		     2571);
	cr_assert_eq(suspended, 2571);
	cr_assert_str_eq(status_of(last, status), "suspended");

	json_decref(move_clock("2027-01-22T02:00:00Z")); /* the 7 days of retention */
	int64_t none = 0;
	cr_assert_eq(count_all("/v1/resources", "status", "active", &none), 0);
	cr_assert_str_eq(status_of(last, status), "deleted");
}

/* A cluster of 20 nodes and boot volumes plus 2,560 PVCs in POC; its id
 * into cluster, the newest PVC's into last. */
static void big_poc_cluster(char *cluster, char *last)
{
	char path[160], body[512], tail[256];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	ok(post(srv.admin_token, path,
		"{\"amount\":100000000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}"));
	tt_response r = post(token, "/v1/resources",
			     "{\"type\":\"cluster\",\"name\":\"big\",\"poc\":true,"
			     "\"spec\":{\"node_flavor\":\"s.general.2c4g\",\"node_count\":10,"
			     "\"boot_volume_type\":\"v.ssd\",\"boot_volume_gb\":20}}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(cluster, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	snprintf(tail, sizeof(tail),
		 "\",\"poc\":true,\"cluster_id\":\"%s\",\"role\":\"pvc\","
		 "\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":10}}", cluster);
	create_many("{\"type\":\"volume\",\"name\":\"pvc-", tail, 2560);
	snprintf(body, sizeof(body),
		 "{\"type\":\"volume\",\"name\":\"pvc-last\",\"poc\":true,\"cluster_id\":\"%s\","
		 "\"role\":\"pvc\",\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":10}}", cluster);
	create_last(body, last);
}

/* Deleting a cluster used to take its oldest 256 members with it and leave
 * the rest running. */
Test(scale, deleting_a_cluster_deletes_every_member)
{
	char cluster[64], last[64], path[160], status[16];
	big_poc_cluster(cluster, last);
	snprintf(path, sizeof(path), "/v1/resources/%s", cluster);
	tt_response r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_str_eq(status_of(last, status), "deleted");
	snprintf(path, sizeof(path), "/v1/resources?cluster_id=%s", cluster);
	int64_t active = 0;
	cr_assert_eq(count_all(path, "status", "active", &active), 0);
}

/* Stop POC of a cluster used to see its oldest 256 members only: the
 * preview and the checkout left the rest in POC. Now every POC member is
 * in the one checkout, and paying it converts them all. */
Test(scale, stop_poc_of_a_big_cluster_converts_every_member)
{
	char cluster[64], last[64], path[160], status[16];
	big_poc_cluster(cluster, last);
	const int64_t members = 10 + 10 + 2561; /* nodes, boot volumes, PVCs */

	snprintf(path, sizeof(path), "/v1/resources/%s", cluster);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq((int64_t)json_array_size(json_object_get(r.json, "members")), members);
	tt_response_free(&r);

	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc/preview", cluster);
	r = post(token, path, "{}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq((int64_t)json_array_size(json_object_get(r.json, "resources")), members);
	tt_response_free(&r);

	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	ok(post(srv.admin_token, path, "{\"amount\":100000000000}"));
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc", cluster);
	r = post(token, path, "{\"cycle_months\":1}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_eq((int64_t)json_array_size(json_object_get(r.json, "lines")), members);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = post(token, path, "{\"method\":\"credit\"}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq((int64_t)json_array_size(json_object_get(r.json, "invoice_ids")), members);
	tt_response_free(&r);

	cr_assert_str_eq(status_of(last, status), "active");
	snprintf(path, sizeof(path), "/v1/resources?cluster_id=%s&billing=poc", cluster);
	int64_t none = 0;
	cr_assert_eq(count_all(path, "status", "active", &none), 0);
}

/* Beyond what one checkout holds, a Stop POC is refused whole (422), never
 * cut short: before, it made a checkout of the oldest 256 members. */
Test(scale, stop_poc_beyond_a_checkout_is_refused_whole)
{
	char path[160], cluster[64], tail[256], last[64], body[512];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	ok(post(srv.admin_token, path,
		"{\"amount\":100000000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}"));
	tt_response r = post(token, "/v1/resources",
			     "{\"type\":\"cluster\",\"name\":\"huge\",\"poc\":true,"
			     "\"spec\":{\"node_flavor\":\"s.general.2c4g\",\"node_count\":1,"
			     "\"boot_volume_type\":\"v.ssd\",\"boot_volume_gb\":20}}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(cluster, sizeof(cluster), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	snprintf(tail, sizeof(tail),
		 "\",\"poc\":true,\"cluster_id\":\"%s\",\"role\":\"pvc\","
		 "\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":10}}", cluster);
	create_many("{\"type\":\"volume\",\"name\":\"pvc-", tail, 4095); /* 4,097 in POC */
	snprintf(body, sizeof(body), "{\"type\":\"volume\",\"name\":\"pvc-last%s", tail);
	create_last(body, last);

	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc/preview", cluster);
	r = post(token, path, "{}");
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "too_many_resources");
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_assert_eq(json_integer_value(json_object_get(details, "count")), 4098);
	cr_assert_eq(json_integer_value(json_object_get(details, "max")), 4096);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc", cluster);
	r = post(token, path, "{\"cycle_months\":1}");
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "too_many_resources");
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/resources/%s", last); /* nothing was marked */
	r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "billing"),
							   "mode")), "poc");
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/resources?cluster_id=%s&billing=poc", cluster);
	int64_t active = 0;
	cr_assert_eq(count_all(path, "status", "active", &active), 4098);
}

/* A POC resource is paid by the account's newest wallet too: choosing one
 * used to look at the account's oldest 256 ledger accounts only. */
Test(scale, a_poc_resource_finds_a_wallet_past_the_first_256)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	for (int i = 0; i < 260; i++)
		ok(post(srv.admin_token, path,
			"{\"amount\":1000,\"expires_at\":\"2027-01-15T01:00:00Z\"}"));
	json_decref(move_clock("2027-01-15T02:00:00Z")); /* all of those expired */
	ok(post(srv.admin_token, path,
		"{\"amount\":100000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}"));
	tt_response r = post(token, "/v1/resources",
			     "{\"type\":\"volume\",\"name\":\"v\",\"poc\":true,"
			     "\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":10}}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
}

#define LBS 5120
static int64_t credit_field(const char *name)
{
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	int64_t v = json_integer_value(json_object_get(json_object_get(r.json, "credit"), name));
	tt_response_free(&r);
	return v;
}

/* Deleting a hold-settled resource settles its use from the hold at once,
 * and holds for the others again. The settlement used to read the
 * account's oldest 512 postpaid resources only: behind 5,120 older ones
 * (ten times that), a deleted load balancer (vLB is hold-settled) was not
 * invoiced, and the others' hold not placed again. */
Test(scale, deleting_a_hold_settled_resource_behind_many_others_settles_it, .timeout = 240)
{
	char path[160], last[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	ok(post(srv.admin_token, path, "{\"amount\":100000000000}"));
	create_many("{\"type\":\"load_balancer\",\"name\":\"lb-",
		    "\",\"poc\":false,\"spec\":{}}", LBS);
	create_last("{\"type\":\"load_balancer\",\"name\":\"lb-last\",\"poc\":false,\"spec\":{}}",
		    last);
	json_decref(move_clock("2027-01-15T12:00:00Z"));
	int64_t before = credit_field("held");
	snprintf(path, sizeof(path), "/v1/resources/%s", last);
	tt_response r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
	int64_t after = credit_field("held");
	/* held again for every one of the LBS left, and for nothing else: 12
	 * hours used and 3 days ahead of 400,000 a month (of 30 days), 46,667,
	 * with 10% tax 51,334 each */
	cr_assert_eq(after, (int64_t)LBS * 51334, "held %lld, then %lld", (long long)before,
		     (long long)after);
	snprintf(path, sizeof(path), "/v1/invoices?resource_id=%s", last);
	int64_t paid = 0;
	cr_assert_eq(count_all(path, "status", "paid", &paid), 1, "the deleted one is invoiced");
	cr_assert_eq(paid, 1);
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* GET /v1/wallets used to list an account's first 256 POC wallets (and GET
 * /v1/ledger/accounts its first 256 ledger accounts) and drop the rest
 * without a word. 2,560 wallets, ten times that, are all there, the
 * newest last. */
Test(scale, every_poc_wallet_of_an_account_is_listed, .timeout = 240)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	post_many(path, srv.admin_token, "{\"amount\":1",
		  "00,\"expires_at\":\"2099-01-01T00:00:00Z\"}", 2559); /* 100, 1100, 2100... */
	tt_response r = post(srv.admin_token, path,
			     "{\"amount\":777,\"expires_at\":\"2099-01-01T00:00:00Z\"}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char newest[64];
	snprintf(newest, sizeof(newest), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);

	r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%.300s", r.raw);
	json_t *poc = json_object_get(r.json, "poc");
	cr_assert_eq(json_array_size(poc), 2560);
	json_t *last = json_array_get(poc, 2559);
	cr_assert_str_eq(json_string_value(json_object_get(last, "id")), newest);
	cr_assert_eq(json_integer_value(json_object_get(last, "balance")), 777);
	cr_assert_not_null(json_object_get(json_object_get(r.json, "credit"), "balance"));
	tt_response_free(&r);

	snprintf(path, sizeof(path), "/v1/ledger/accounts?account_id=%s", acc);
	r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%.300s", r.raw);
	json_t *data = json_object_get(r.json, "data");
	cr_assert_eq(json_array_size(data), 2561); /* and the credit wallet */
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(data, 2560), "id")),
			 newest);
	tt_response_free(&r);
}

/* Deleting a prepaid resource refunds every paid term not yet over. The
 * refund used to look at the resource's newest 8 invoices only: renewed
 * 79 times ahead (80 terms, ten times that), the oldest 72 unused terms
 * were kept. */
Test(scale, deleting_a_resource_renewed_far_ahead_refunds_every_term)
{
	char path[160], id[64];
	const int terms = 80;
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	ok(post(srv.admin_token, path, "{\"amount\":100000000}"));
	tt_response r = post(token, "/v1/checkouts",
			     "{\"kind\":\"purchase\",\"cycle_months\":1,\"auto_renew\":false,"
			     "\"items\":[{\"type\":\"server\",\"name\":\"srv\",\"spec\":{\"flavor\":"
			     "\"s.general.2c4g\"}}]}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(id, sizeof(id), "%s",
		 json_string_value(json_array_get(json_object_get(r.json, "resources"), 0)));
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	ok(post(token, path, "{\"method\":\"credit\"}"));
	for (int i = 1; i < terms; i++) {
		snprintf(path, sizeof(path), "/v1/resources/%s/renew", id);
		r = post(token, path, "{\"cycle_months\":1}");
		cr_assert_eq(r.status, 201, "renewal %d: %s", i, r.raw);
		snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
			 json_string_value(json_object_get(r.json, "id")));
		tt_response_free(&r);
		ok(post(token, path, "{\"method\":\"credit\"}"));
	}
	cr_assert_eq(credit_field("balance"), 100000000 - (int64_t)terms * 528000);

	snprintf(path, sizeof(path), "/v1/resources/%s", id); /* at once: nothing used */
	r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(credit_field("balance"), 100000000, "every term back");
	int64_t notes = 0;
	count_all("/v1/invoices", "kind", "credit_note", &notes);
	cr_assert_eq(notes, terms);
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}
