/*
 * Scenario: Stop POC end to end (DESIGN.md rules 1-13), through a real
 * tallyd: the VKS page's flow on a cluster, the vContainer page's flow with
 * a hold, and one test per rule, each named after it.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80];

static void start(void)
{
	tt_server_start(&srv, NULL);
	tt_create_account(&srv, "POC customer", acc);
	tt_create_token(&srv, acc, token);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(stop_poc, .init = start, .fini = stop);

static tt_response call(const char *method, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static tt_response call(const char *method, const char *body, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return tt_request(&srv, method, path, token, body, NULL);
}

static int64_t num(const json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}

static const char *str(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? s : "";
}

static void admin(const char *path, const char *body, long status)
{
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
	cr_assert_eq(r.status, status, "%s %s -> %s", path, body, r.raw);
	tt_response_free(&r);
}

static void setup_money(int64_t credit)
{
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	admin(path, "{\"amount\":100000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}", 201);
	if (credit > 0) {
		snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
		snprintf(body, sizeof(body), "{\"amount\":%lld}", (long long)credit);
		admin(path, body, 201);
	}
}

/* A POC cluster with 3 nodes, their boot volumes, a PVC and a load
 * balancer; its id into out. */
static void make_cluster(const char *service, char *out)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"type\":\"cluster\",\"name\":\"k8s-%s\",\"poc\":true,"
		 "\"spec\":{\"service\":\"%s\",\"node_flavor\":\"s.general.2c4g\",\"node_count\":3,"
		 "\"boot_volume_gb\":20,\"boot_volume_type\":\"v.ssd\"}}", service, service);
	tt_response r = call("POST", body, "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(out, 64, "%s", str(r.json, "id"));
	cr_assert_eq(json_array_size(json_object_get(r.json, "members")), 6, "%s", r.raw);
	tt_response_free(&r);
	snprintf(body, sizeof(body), "{\"type\":\"volume\",\"name\":\"pvc-data\",\"poc\":true,"
		 "\"cluster_id\":\"%s\",\"role\":\"pvc\",\"spec\":{\"volume_type\":\"v.ssd\","
		 "\"size_gb\":50}}", out);
	r = call("POST", body, "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	snprintf(body, sizeof(body), "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
		 "\"cluster_id\":\"%s\",\"role\":\"load_balancer\",\"spec\":{}}", out);
	r = call("POST", body, "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_str_eq(str(json_object_get(r.json, "billing"), "mode"), "postpaid");
	tt_response_free(&r);
}

static json_t *get_resource(const char *id)
{
	tt_response r = call("GET", NULL, "/v1/resources/%s", id);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *j = json_incref(r.json);
	tt_response_free(&r);
	return j;
}

static int64_t wallet(const char *field)
{
	tt_response r = call("GET", NULL, "/v1/wallets");
	int64_t v = num(json_object_get(r.json, "credit"), field);
	tt_response_free(&r);
	return v;
}

static void assert_books_balance(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* Confirms Stop POC on id; the checkout's id into out. */
static void confirm(const char *id, const char *body, char *out)
{
	tt_response r = call("POST", body, "/v1/resources/%s/stop-poc", id);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_str_eq(str(r.json, "kind"), "conversion");
	snprintf(out, 64, "%s", str(r.json, "id"));
	tt_response_free(&r);
}

/* The VKS page's flow, start to finish. */
Test(stop_poc, vks_cluster_flow_with_coupon_and_credit)
{
	setup_money(50000000);
	admin("/v1/coupons", "{\"code\":\"KEEP10\",\"percent_off\":10}", 201);
	char cluster[64], checkout[64];
	make_cluster("vks", cluster);

	tt_response r = call("POST", NULL, "/v1/resources/%s/stop-poc/preview", cluster);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(str(r.json, "action"), "checkout");
	json_t *listed = json_object_get(r.json, "resources"), *item;
	size_t i, nodes = 0, boots = 0, pvcs = 0;
	json_array_foreach(listed, i, item) {
		const char *role = str(item, "role");
		nodes += strcmp(role, "node") == 0;
		boots += strcmp(role, "boot_volume") == 0;
		pvcs += strcmp(role, "pvc") == 0;
		cr_assert_str_neq(str(item, "type"), "load_balancer", "a load balancer is listed");
	}
	cr_assert_eq(nodes, 3);
	cr_assert_eq(boots, 3);
	cr_assert_eq(pvcs, 1);
	cr_assert_eq(json_array_size(listed), 7);
	tt_response_free(&r);

	confirm(cluster, "{\"cycle_months\":12,\"auto_renew\":true,\"coupon\":\"KEEP10\"}", checkout);
	r = call("GET", NULL, "/v1/checkouts/%s", checkout);
	int64_t total = num(r.json, "total");
	cr_assert_eq(json_array_size(json_object_get(r.json, "lines")), 7);
	tt_response_free(&r);
	int64_t before = wallet("balance");

	r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *invoice_ids = json_object_get(r.json, "invoice_ids");
	cr_assert_eq(json_array_size(invoice_ids), 7, "seven invoices: %s", r.raw);
	char payment[64];
	snprintf(payment, sizeof(payment), "%s", str(r.json, "payment_id"));
	tt_response_free(&r);

	cr_assert_eq(before - wallet("balance"), total, "the wallet paid exactly the total");
	r = call("GET", NULL, "/v1/payments/%s", payment);
	cr_assert_eq(num(r.json, "amount"), total);
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/invoices?limit=100");
	int64_t invoiced = 0;
	json_array_foreach(json_object_get(r.json, "data"), i, item) {
		invoiced += num(item, "total");
		cr_expect_str_eq(str(item, "kind"), "conversion");
		cr_expect_str_eq(str(item, "payment_id"), payment);
	}
	cr_assert_eq(invoiced, total, "invoices %lld, checkout %lld", (long long)invoiced,
		     (long long)total);
	tt_response_free(&r);

	json_t *c = get_resource(cluster);
	cr_assert(json_is_false(json_object_get(c, "stop_poc_available")));
	cr_assert(json_is_false(json_object_get(c, "poc")));
	json_array_foreach(json_object_get(c, "members"), i, item) {
		json_t *billing = json_object_get(item, "billing");
		if (strcmp(str(item, "type"), "load_balancer") == 0) {
			cr_expect_str_eq(str(billing, "mode"), "postpaid");
			continue;
		}
		cr_expect_str_eq(str(billing, "mode"), "prepaid", "%s", str(item, "id"));
		cr_expect_eq(num(billing, "cycle_months"), 12);
		cr_expect(json_is_true(json_object_get(billing, "auto_renew")));
	}
	json_decref(c);
	assert_books_balance();
}

/* The vContainer page's flow: a hold of 3 days' cost, no invoice. */
Test(stop_poc, rule_06_vcontainer_is_paid_by_a_hold_of_three_days)
{
	setup_money(10000000);
	char cluster[64], checkout[64];
	make_cluster("vcontainer", cluster);
	confirm(cluster, "{\"cycle_months\":12}", checkout);
	tt_response r = call("GET", NULL, "/v1/checkouts/%s", checkout);
	cr_assert_str_eq(str(r.json, "settlement"), "hold");
	int64_t hold = num(r.json, "hold_amount");
	/* 3 nodes 480,000 + 3 boot 20 GB x 3,000 + PVC 50 GB x 3,000 =
	 * 1,770,000 a month; 3 days = 177,000, +10% tax per line */
	cr_assert_eq(hold, 194700, "%s", r.raw);
	tt_response_free(&r);
	r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "method_not_allowed");
	tt_response_free(&r);

	r = call("POST", "{\"method\":\"hold\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert(strncmp(str(r.json, "hold_id"), "hold_", 5) == 0, "%s", r.raw);
	cr_assert_eq(json_array_size(json_object_get(r.json, "invoice_ids")), 0);
	tt_response_free(&r);
	cr_assert_eq(wallet("balance"), 10000000, "a hold does not change the balance");
	cr_assert_eq(wallet("held"), hold);
	cr_assert_eq(wallet("available"), 10000000 - hold);
	r = call("GET", NULL, "/v1/invoices");
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 0, "no invoice at conversion");
	tt_response_free(&r);
	json_t *c = get_resource(cluster), *item;
	size_t i;
	json_array_foreach(json_object_get(c, "members"), i, item)
		cr_expect_str_eq(str(json_object_get(item, "billing"), "mode"), "postpaid");
	json_decref(c);
	r = call("GET", NULL, "/v1/holds");
	cr_assert_str_eq(str(json_array_get(json_object_get(r.json, "data"), 0), "status"), "pending");
	tt_response_free(&r);
	assert_books_balance();
}

Test(stop_poc, rule_01_conversion_keeps_the_same_ids_and_configuration)
{
	setup_money(50000000);
	tt_response r = call("POST", "{\"type\":\"server\",\"name\":\"db\",\"poc\":true,"
			     "\"spec\":{\"flavor\":\"s.general.2c4g\"}}", "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char id[64], checkout[64];
	snprintf(id, sizeof(id), "%s", str(r.json, "id"));
	char *spec_before = json_dumps(json_object_get(r.json, "spec"), JSON_SORT_KEYS);
	tt_response_free(&r);
	confirm(id, "{\"cycle_months\":1}", checkout);
	r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	json_t *after = get_resource(id);
	cr_assert_str_eq(str(after, "id"), id);
	char *spec_after = json_dumps(json_object_get(after, "spec"), JSON_SORT_KEYS);
	cr_assert_str_eq(spec_after, spec_before);
	cr_assert_str_eq(str(json_object_get(after, "billing"), "mode"), "prepaid");
	free(spec_before);
	free(spec_after);
	json_decref(after);
}

Test(stop_poc, rule_02_nothing_changes_until_payment)
{
	setup_money(50000000);
	char cluster[64], checkout[64];
	make_cluster("vks", cluster);
	confirm(cluster, "{\"cycle_months\":1}", checkout);
	json_t *c = get_resource(cluster), *item;
	size_t i;
	json_array_foreach(json_object_get(c, "members"), i, item)
		if (strcmp(str(item, "type"), "load_balancer") != 0)
			cr_expect_str_eq(str(json_object_get(item, "billing"), "mode"), "poc");
	json_decref(c);
	tt_response r = call("POST", NULL, "/v1/checkouts/%s/cancel", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	c = get_resource(cluster);
	cr_assert(json_is_true(json_object_get(c, "stop_poc_available")));
	cr_assert(json_is_true(json_object_get(c, "poc")));
	json_array_foreach(json_object_get(c, "members"), i, item)
		cr_expect(json_is_null(json_object_get(item, "open_checkout_id")));
	json_decref(c);
	/* an expired checkout leaves them as they were too, and free again */
	confirm(cluster, "{\"cycle_months\":1}", checkout);
	admin("/v1/admin/clock", "{\"advance_seconds\":1800}", 200);
	r = call("GET", NULL, "/v1/checkouts/%s", checkout);
	cr_assert_str_eq(str(r.json, "status"), "expired");
	tt_response_free(&r);
	confirm(cluster, "{\"cycle_months\":1}", checkout);
	cr_assert_eq(wallet("balance"), 50000000);
}

Test(stop_poc, rule_03_the_checkout_is_the_same_as_a_purchase)
{
	setup_money(50000000);
	admin("/v1/coupons", "{\"code\":\"TERM\",\"percent_off\":5,\"min_cycle_months\":6}", 201);
	char cluster[64], checkout[64];
	make_cluster("vks", cluster);
	confirm(cluster, "{\"cycle_months\":1,\"auto_renew\":false}", checkout);
	tt_response r = call("PATCH", "{\"coupon\":\"TERM\"}", "/v1/checkouts/%s", checkout);
	cr_assert_eq(r.status, 422);
	cr_assert_str_eq(tt_error_code(&r), "coupon_not_applicable");
	tt_response_free(&r);
	r = call("PATCH", "{\"cycle_months\":6,\"auto_renew\":true,\"coupon\":\"TERM\"}",
		 "/v1/checkouts/%s", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq(num(r.json, "cycle_months"), 6);
	cr_assert_gt(num(r.json, "discount"), 0);
	tt_response_free(&r);
}

Test(stop_poc, rule_04_and_07_every_member_converts_in_one_step_boot_volumes_and_pvcs_too)
{
	setup_money(50000000);
	char cluster[64], checkout[64];
	make_cluster("vks", cluster);
	confirm(cluster, "{\"cycle_months\":3}", checkout);
	tt_response r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	json_t *c = get_resource(cluster), *item;
	size_t i, prepaid = 0;
	const char *term_end = NULL;
	json_array_foreach(json_object_get(c, "members"), i, item) {
		json_t *billing = json_object_get(item, "billing");
		if (strcmp(str(billing, "mode"), "prepaid") != 0)
			continue;
		prepaid++;
		if (term_end == NULL)
			term_end = str(billing, "term_end");
		cr_expect_str_eq(str(billing, "term_end"), term_end, "one step, one term");
	}
	cr_assert_eq(prepaid, 7, "nodes, boot volumes and the PVC");
	json_decref(c);
}

Test(stop_poc, rule_05_a_prepaid_conversion_issues_one_invoice_per_resource_in_one_payment)
{
	setup_money(50000000);
	char cluster[64], checkout[64];
	make_cluster("vks", cluster);
	confirm(cluster, "{\"cycle_months\":1}", checkout);
	tt_response r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	char payment[64];
	snprintf(payment, sizeof(payment), "%s", str(r.json, "payment_id"));
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/payments");
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 1);
	json_t *p = json_array_get(json_object_get(r.json, "data"), 0);
	cr_assert_eq(json_array_size(json_object_get(p, "invoice_ids")), 7);
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/invoices?limit=100");
	json_t *item;
	size_t i;
	json_array_foreach(json_object_get(r.json, "data"), i, item) {
		char path[128];
		snprintf(path, sizeof(path), "/v1/invoices?resource_id=%s", str(item, "resource_id"));
		tt_response one = tt_request(&srv, "GET", path, token, NULL, NULL);
		cr_expect_eq(json_array_size(json_object_get(one.json, "data")), 1);
		tt_response_free(&one);
	}
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 7);
	tt_response_free(&r);
}

Test(stop_poc, rule_08_load_balancers_and_snapshots_are_never_poc)
{
	setup_money(0);
	char cluster[64], body[256];
	make_cluster("vks", cluster);
	snprintf(body, sizeof(body), "{\"type\":\"snapshot\",\"name\":\"snap\",\"poc\":false,"
		 "\"cluster_id\":\"%s\",\"role\":\"snapshot\",\"spec\":{\"size_gb\":10}}", cluster);
	tt_response r = call("POST", body, "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char snap[64];
	snprintf(snap, sizeof(snap), "%s", str(r.json, "id"));
	tt_response_free(&r);
	r = call("POST", "{\"type\":\"load_balancer\",\"name\":\"lb2\",\"poc\":true,\"spec\":{}}",
		 "/v1/resources");
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "not_poc_eligible");
	tt_response_free(&r);
	r = call("POST", NULL, "/v1/resources/%s/stop-poc/preview", cluster);
	cr_assert_eq(r.status, 200);
	json_t *item;
	size_t i;
	json_array_foreach(json_object_get(r.json, "resources"), i, item) {
		cr_expect_str_neq(str(item, "type"), "load_balancer");
		cr_expect_str_neq(str(item, "type"), "snapshot");
	}
	tt_response_free(&r);
	r = call("POST", NULL, "/v1/resources/%s/stop-poc/preview", snap);
	cr_assert_eq(r.status, 409, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "not_poc");
	tt_response_free(&r);
}

Test(stop_poc, rule_09_deleting_a_poc_cluster_takes_its_members)
{
	setup_money(0);
	char cluster[64];
	make_cluster("vks", cluster);
	tt_response r = call("DELETE", NULL, "/v1/resources/%s", cluster);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(str(r.json, "status"), "deleted");
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/resources?cluster_id=%s", cluster);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 0, "%s", r.raw);
	tt_response_free(&r);
	r = call("POST", NULL, "/v1/resources/%s/stop-poc/preview", cluster);
	cr_assert_eq(r.status, 409);
	cr_assert_str_eq(tt_error_code(&r), "resource_deleted");
	tt_response_free(&r);
	/* and a new one can be made from the same POC wallet */
	char again[64];
	make_cluster("vks", again);
}

/* A node of the cluster, by role. */
static void member_with_role(const char *cluster, const char *role, char *out)
{
	json_t *c = get_resource(cluster), *item;
	size_t i;
	out[0] = '\0';
	json_array_foreach(json_object_get(c, "members"), i, item)
		if (strcmp(str(item, "role"), role) == 0 && out[0] == '\0')
			snprintf(out, 64, "%s", str(item, "id"));
	json_decref(c);
	cr_assert(out[0], "no %s in the cluster", role);
}

Test(stop_poc, rule_10_a_member_stopped_alone_warns_that_its_cluster_stays_poc)
{
	setup_money(50000000);
	char cluster[64], node[64], checkout[64];
	make_cluster("vks", cluster);
	member_with_role(cluster, "node", node);
	tt_response r = call("POST", NULL, "/v1/resources/%s/stop-poc/preview", node);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq(json_array_size(json_object_get(r.json, "resources")), 1);
	const char *warning = json_string_value(json_array_get(json_object_get(r.json, "warnings"), 0));
	cr_assert(warning && strstr(warning, cluster), "no warning naming the cluster: %s", r.raw);
	tt_response_free(&r);
	confirm(node, "{\"cycle_months\":1}", checkout);
	r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	json_t *c = get_resource(cluster);
	cr_assert(json_is_true(json_object_get(c, "poc")), "the cluster must stay POC");
	cr_assert(json_is_true(json_object_get(c, "stop_poc_available")));
	json_decref(c);
}

Test(stop_poc, rule_11_a_cluster_with_nothing_left_in_poc_shows_stop_and_needs_no_payment)
{
	setup_money(50000000);
	char cluster[64], checkout[64];
	make_cluster("vks", cluster);
	json_t *c = get_resource(cluster), *item;
	size_t i;
	json_array_foreach(json_object_get(c, "members"), i, item) {
		if (strcmp(str(item, "type"), "load_balancer") == 0)
			continue;
		confirm(str(item, "id"), "{\"cycle_months\":1}", checkout);
		tt_response r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay",
				     checkout);
		cr_assert_eq(r.status, 200, "%s", r.raw);
		tt_response_free(&r);
	}
	json_decref(c);
	int64_t balance = wallet("balance");
	tt_response r = call("POST", NULL, "/v1/resources/%s/stop-poc/preview", cluster);
	cr_assert_str_eq(str(r.json, "action"), "stop", "%s", r.raw);
	cr_assert_eq(json_array_size(json_object_get(r.json, "resources")), 0);
	tt_response_free(&r);
	r = call("POST", "{}", "/v1/resources/%s/stop-poc", cluster);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert(json_is_true(json_object_get(r.json, "stopped")));
	tt_response_free(&r);
	c = get_resource(cluster);
	cr_assert(json_is_false(json_object_get(c, "poc")));
	cr_assert(json_is_false(json_object_get(c, "stop_poc_available")));
	json_decref(c);
	cr_assert_eq(wallet("balance"), balance, "Stop cost money");
}

Test(stop_poc, rule_12_stop_poc_stays_available_while_anything_is_poc)
{
	setup_money(50000000);
	char cluster[64], checkout[64], body[256];
	make_cluster("vks", cluster);
	confirm(cluster, "{\"cycle_months\":1}", checkout);
	tt_response r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	tt_response_free(&r);
	json_t *c = get_resource(cluster);
	cr_assert(json_is_false(json_object_get(c, "stop_poc_available")));
	json_decref(c);
	/* a PVC added in POC after the first conversion */
	snprintf(body, sizeof(body), "{\"type\":\"volume\",\"name\":\"pvc-2\",\"poc\":true,"
		 "\"cluster_id\":\"%s\",\"role\":\"pvc\",\"spec\":{\"volume_type\":\"v.ssd\","
		 "\"size_gb\":10}}", cluster);
	r = call("POST", body, "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	c = get_resource(cluster);
	cr_assert(json_is_true(json_object_get(c, "stop_poc_available")));
	json_decref(c);
	r = call("POST", NULL, "/v1/resources/%s/stop-poc/preview", cluster);
	cr_assert_eq(json_array_size(json_object_get(r.json, "resources")), 1, "%s", r.raw);
	tt_response_free(&r);
	confirm(cluster, "{\"cycle_months\":1}", checkout);
	r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	c = get_resource(cluster);
	cr_assert(json_is_false(json_object_get(c, "stop_poc_available")));
	json_decref(c);
}

Test(stop_poc, rule_13_resources_are_found_by_name_or_id_and_filtered)
{
	setup_money(0);
	char cluster[64];
	make_cluster("vks", cluster);
	tt_response r = call("GET", NULL, "/v1/resources?q=k8s-vks");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	/* the cluster, its 3 nodes and 3 boot volumes (the PVC and LB have other names) */
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 7, "name search: %s", r.raw);
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/resources?q=%s", cluster);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 1, "id search");
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/resources?type=cluster");
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 1);
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/resources?billing=postpaid");
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 1, "the load balancer");
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/resources?cluster_id=%s&type=volume", cluster);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 4, "3 boot volumes + PVC");
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/resources?q=%%25");
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 0, "%% is not a wildcard");
	tt_response_free(&r);
}

Test(stop_poc, a_second_stop_poc_while_one_is_open_is_409_with_its_id)
{
	setup_money(0);
	char cluster[64], checkout[64], node[64];
	make_cluster("vks", cluster);
	confirm(cluster, "{\"cycle_months\":1}", checkout);
	tt_response r = call("POST", "{\"cycle_months\":1}", "/v1/resources/%s/stop-poc", cluster);
	cr_assert_eq(r.status, 409, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "checkout_open");
	cr_assert_str_eq(str(json_object_get(json_object_get(r.json, "error"), "details"),
			     "checkout_id"), checkout);
	tt_response_free(&r);
	member_with_role(cluster, "node", node);
	r = call("POST", "{\"cycle_months\":1}", "/v1/resources/%s/stop-poc", node);
	cr_assert_eq(r.status, 409, "a member of an open checkout: %s", r.raw);
	tt_response_free(&r);
}

Test(stop_poc, poc_resources_need_a_poc_wallet_and_foreign_ones_are_404)
{
	tt_response r = call("POST", "{\"type\":\"server\",\"name\":\"x\",\"poc\":true,"
			     "\"spec\":{\"flavor\":\"s.general.2c4g\"}}", "/v1/resources");
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "poc_wallet_required");
	tt_response_free(&r);
	setup_money(0);
	char cluster[64], other[64], other_token[80];
	make_cluster("vks", cluster);
	tt_create_account(&srv, "Other", other);
	tt_create_token(&srv, other, other_token);
	char path[128];
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc/preview", cluster);
	r = tt_request(&srv, "POST", path, other_token, NULL, NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/resources/%s", cluster);
	r = tt_request(&srv, "DELETE", path, other_token, NULL, NULL);
	cr_assert_eq(r.status, 404);
	tt_response_free(&r);
}

static char race_cluster[64], race_checkout[64];

static int confirm_race(int i)
{
	(void)i;
	tt_response r = call("POST", "{\"cycle_months\":1}", "/v1/resources/%s/stop-poc",
			     race_cluster);
	int ok = r.status == 201 ? 0 : 1;
	tt_response_free(&r);
	return ok;
}

static int pay_race(int i)
{
	(void)i;
	tt_response r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay",
			     race_checkout);
	int ok = r.status == 200 ? 0 : 1;
	tt_response_free(&r);
	return ok;
}

static int run_clients(int n, int (*fn)(int))
{
	pid_t pids[16];
	for (int i = 0; i < n; i++)
		if ((pids[i] = fork()) == 0)
			_exit(fn(i));
	int ok = 0;
	for (int i = 0; i < n; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	return ok;
}

Test(stop_poc, ten_concurrent_confirmations_make_one_checkout_and_ten_pays_charge_once)
{
	setup_money(50000000);
	make_cluster("vks", race_cluster);
	cr_assert_eq(run_clients(10, confirm_race), 1, "not exactly one checkout");
	json_t *c = get_resource(race_cluster);
	snprintf(race_checkout, sizeof(race_checkout), "%s", str(c, "open_checkout_id"));
	json_decref(c);
	cr_assert(race_checkout[0]);
	tt_response r = call("GET", NULL, "/v1/checkouts/%s", race_checkout);
	int64_t total = num(r.json, "total");
	tt_response_free(&r);
	cr_assert_eq(run_clients(10, pay_race), 1, "not exactly one payment");
	cr_assert_eq(wallet("balance"), 50000000 - total, "charged more than once");
	r = call("GET", NULL, "/v1/payments");
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 1);
	tt_response_free(&r);
	assert_books_balance();
}

static int64_t poc_balance(void)
{
	tt_response r = call("GET", NULL, "/v1/wallets");
	int64_t v = num(json_array_get(json_object_get(r.json, "poc"), 0), "balance");
	tt_response_free(&r);
	return v;
}

static void advance(int seconds)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"advance_seconds\":%d}", seconds);
	admin("/v1/admin/clock", body, 200);
}

Test(stop_poc, poc_usage_is_charged_by_the_hour_exactly_once_across_restarts)
{
	setup_money(0);
	tt_response r = call("POST", "{\"type\":\"server\",\"name\":\"try\",\"poc\":true,"
			     "\"spec\":{\"flavor\":\"s.general.2c4g\"}}", "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	int64_t start = poc_balance();
	advance(3599);
	cr_assert_eq(poc_balance(), start, "charged before the hour was over");
	advance(1);
	/* 480,000 a month: 60 minutes cost 666.67 -> 667 */
	cr_assert_eq(start - poc_balance(), 667);
	advance(3600);
	cr_assert_eq(start - poc_balance(), 1333, "two hours cost 1,333.33: no drift");
	/* a restart starts the test clock at the real now, before the hours
	 * already charged: running the jobs then charges nothing */
	tt_server_restart(&srv, NULL);
	advance(0);
	cr_assert_eq(start - poc_balance(), 1333, "a restart charged again");
	/* back to the creation time, then five hours pass while nobody looks:
	 * one run charges the three not charged yet */
	r = call("GET", NULL, "/v1/resources?type=server");
	char body[96];
	snprintf(body, sizeof(body), "{\"now\":\"%.20s\"}",
		 str(json_array_get(json_object_get(r.json, "data"), 0), "created_at"));
	tt_response_free(&r);
	admin("/v1/admin/clock", body, 200);
	advance(5 * 3600);
	cr_assert_eq(start - poc_balance(), 3333, "five hours cost 3,333.33 in all");
	assert_books_balance();
}

Test(stop_poc, an_already_converted_resource_cannot_be_stopped_again)
{
	setup_money(50000000);
	tt_response r = call("POST", "{\"type\":\"volume\",\"name\":\"v\",\"poc\":true,"
			     "\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":10}}", "/v1/resources");
	char id[64], checkout[64];
	snprintf(id, sizeof(id), "%s", str(r.json, "id"));
	tt_response_free(&r);
	confirm(id, "{\"cycle_months\":1}", checkout);
	r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	r = call("POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 409, "paid twice: %s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "checkout_not_open");
	tt_response_free(&r);
	r = call("POST", "{\"cycle_months\":1}", "/v1/resources/%s/stop-poc", id);
	cr_assert_eq(r.status, 409, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "not_poc");
	tt_response_free(&r);
}

Test(stop_poc, a_postpaid_account_converts_at_once_to_postpaid_with_no_payment)
{
	setup_money(0);
	char path[128], cluster[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s", acc);
	tt_response r = tt_request(&srv, "PATCH", path, srv.admin_token, "{\"type\":\"postpaid\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	make_cluster("vks", cluster);
	r = call("POST", "{\"cycle_months\":12}", "/v1/resources/%s/stop-poc", cluster);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert(json_is_true(json_object_get(r.json, "stopped")));
	tt_response_free(&r);
	json_t *c = get_resource(cluster), *item;
	size_t i;
	cr_assert(json_is_false(json_object_get(c, "poc")));
	cr_assert(json_is_false(json_object_get(c, "stop_poc_available")));
	json_array_foreach(json_object_get(c, "members"), i, item)
		cr_expect_str_eq(str(json_object_get(item, "billing"), "mode"), "postpaid");
	json_decref(c);
	r = call("GET", NULL, "/v1/payments");
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 0, "a payment was made");
	tt_response_free(&r);
}
