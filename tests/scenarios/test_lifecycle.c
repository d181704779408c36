/*
 * Scenario: the end of a resource's life and the money around it (issue
 * 14): a deletion cancels the resource's open checkouts, so paying one later
 * never brings the resource back, by any method; deleting a hold-settled
 * resource invoices its final use and pays it from the hold at once; the
 * month's reconciliation pays from the hold too; and debt blocks every new
 * paid resource, postpaid ones included.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80];

static void start(void)
{
	const char *const args[] = {"--sandbox-gateway", NULL};
	tt_server_start(&srv, args);
	tt_create_account(&srv, "Lifecycle", acc);
	tt_create_token(&srv, acc, token);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(lifecycle, .init = start, .fini = stop);

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

static const char *str(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? s : "";
}

static int64_t num(const json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}

static void admin(const char *path, const char *body)
{
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
	cr_assert_lt(r.status, 300, "%s %s -> %s", path, body, r.raw);
	tt_response_free(&r);
}

static void set_clock(const char *now)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", now);
	admin("/v1/admin/clock", body);
	admin("/v1/admin/jobs/run", "{}");
}

static void top_up(int64_t amount)
{
	char path[128], body[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	snprintf(body, sizeof(body), "{\"amount\":%lld}", (long long)amount);
	admin(path, body);
}

static void grant_poc(const char *expires_at)
{
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	snprintf(body, sizeof(body), "{\"amount\":100000000,\"expires_at\":\"%s\"}", expires_at);
	admin(path, body);
}

static int64_t credit(const char *field)
{
	tt_response r = call("GET", NULL, "/v1/wallets");
	int64_t v = num(json_object_get(r.json, "credit"), field);
	tt_response_free(&r);
	return v;
}

static size_t count(const char *path)
{
	tt_response r = call("GET", NULL, "%s", path);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	size_t n = json_array_size(json_object_get(r.json, "data"));
	tt_response_free(&r);
	return n;
}

static void resource_status(const char *id, char *out, size_t size)
{
	tt_response r = call("GET", NULL, "/v1/resources/%s", id);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	snprintf(out, size, "%s", str(r.json, "status"));
	tt_response_free(&r);
}

static void assert_books_balance(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* A POC cluster of `service` with one node of `flavor` and its boot volume
 * of `boot_gb` GB of v.ssd; the cluster's id into cluster, the node's into
 * node (may be NULL). */
static void make_cluster(const char *service, const char *flavor, int boot_gb, char *cluster,
			 char *node)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"type\":\"cluster\",\"name\":\"c-%s\",\"poc\":true,"
		 "\"spec\":{\"service\":\"%s\",\"node_flavor\":\"%s\",\"node_count\":1,"
		 "\"boot_volume_gb\":%d,\"boot_volume_type\":\"v.ssd\"}}", service, service, flavor,
		 boot_gb);
	tt_response r = call("POST", body, "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(cluster, 64, "%s", str(r.json, "id"));
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(r.json, "members"), i, m)
		if (node && strcmp(str(m, "role"), "node") == 0)
			snprintf(node, 64, "%s", str(m, "id"));
	tt_response_free(&r);
}

/* Stop POC confirmed on id; the checkout's id into out. */
static void confirm(const char *id, const char *body, char *out)
{
	tt_response r = call("POST", body, "/v1/resources/%s/stop-poc", id);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(out, 64, "%s", str(r.json, "id"));
	tt_response_free(&r);
}

static void expect_pay_refused(const char *checkout, const char *method)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"method\":\"%s\"}", method);
	tt_response r = call("POST", body, "/v1/checkouts/%s/pay", checkout);
	cr_assert_eq(r.status, 409, "pay by %s: %s", method, r.raw);
	cr_assert_str_eq(tt_error_code(&r), "resource_deleted", "%s", r.raw);
	tt_response_free(&r);
}

/* ---- deletion cancels open checkouts --------------------------------------------- */

/* The POC's retention ends while a Stop POC checkout is open: the jobs
 * delete the cluster and cancel the checkout; paying it then, by any
 * method, is 409 and moves nothing; the cluster stays deleted. */
Test(lifecycle, a_cluster_deleted_at_the_end_of_retention_is_not_paid_back_to_life)
{
	set_clock("2027-01-01T00:00:00Z");
	top_up(100000000);
	grant_poc("2027-01-10T00:00:00Z");
	char vks[64], vks_node[64], vc[64], vc_node[64], chk_vks[64], chk_vc[64], status[32];
	make_cluster("vks", "s.general.1c2g", 20, vks, vks_node);
	make_cluster("vcontainer", "s.general.1c2g", 20, vc, vc_node);
	/* expired on the 10th, suspended; deleted at the end of the 17th */
	set_clock("2027-01-16T23:50:00Z");
	resource_status(vks_node, status, sizeof(status));
	cr_assert_str_eq(status, "suspended");
	confirm(vks, "{\"cycle_months\":1}", chk_vks);
	confirm(vc, "{}", chk_vc);
	int64_t balance = credit("balance"), available = credit("available");
	size_t invoices = count("/v1/invoices"), payments = count("/v1/payments");

	set_clock("2027-01-17T00:00:30Z");
	const char *ids[] = {vks, vks_node, vc, vc_node};
	for (size_t i = 0; i < 4; i++) {
		resource_status(ids[i], status, sizeof(status));
		cr_assert_str_eq(status, "deleted", "%s", ids[i]);
	}
	tt_response r = call("GET", NULL, "/v1/checkouts/%s", chk_vks);
	cr_assert_str_eq(str(r.json, "status"), "cancelled", "%s", r.raw);
	tt_response_free(&r);

	expect_pay_refused(chk_vks, "credit");
	expect_pay_refused(chk_vks, "gateway");
	expect_pay_refused(chk_vc, "hold");
	for (size_t i = 0; i < 4; i++) {
		resource_status(ids[i], status, sizeof(status));
		cr_assert_str_eq(status, "deleted", "%s came back", ids[i]);
	}
	cr_assert_eq(credit("balance"), balance);
	cr_assert_eq(credit("available"), available, "no hold placed");
	cr_assert_eq(count("/v1/invoices"), invoices);
	cr_assert_eq(count("/v1/payments"), payments);
	assert_books_balance();
}

/* A customer deleting a resource of an open checkout cancels the checkout
 * (an event says so) instead of being refused; the checkout cannot be paid. */
Test(lifecycle, deleting_a_resource_cancels_its_open_checkout)
{
	set_clock("2027-01-01T00:00:00Z");
	top_up(100000000);
	grant_poc("2027-03-01T00:00:00Z");
	char cluster[64], node[64], chk[64], status[32];
	make_cluster("vks", "s.general.1c2g", 20, cluster, node);
	confirm(cluster, "{\"cycle_months\":1}", chk);
	tt_response r = call("DELETE", NULL, "/v1/resources/%s", cluster);
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/checkouts/%s", chk);
	cr_assert_str_eq(str(r.json, "status"), "cancelled", "%s", r.raw);
	tt_response_free(&r);
	r = call("GET", NULL, "/v1/events?limit=100");
	bool seen = false;
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(r.json, "data"), i, e) {
		json_t *after = json_object_get(e, "after");
		seen = seen || (strcmp(str(e, "type"), "checkout.cancelled") == 0 &&
				strcmp(str(after, "reason"), "resource_deleted") == 0);
	}
	cr_assert(seen, "no checkout.cancelled event: %s", r.raw);
	tt_response_free(&r);
	int64_t balance = credit("balance");
	expect_pay_refused(chk, "credit");
	resource_status(node, status, sizeof(status));
	cr_assert_str_eq(status, "deleted");
	cr_assert_eq(credit("balance"), balance);
	assert_books_balance();
}

/* ---- debt -------------------------------------------------------------------------- */

/* A month of a load balancer with no credit: unpaid, debt. New postpaid
 * resources are refused like purchases are. */
Test(lifecycle, debt_blocks_new_postpaid_load_balancers_and_snapshots)
{
	set_clock("2027-03-01T00:00:00Z");
	tt_response r = call("POST", "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
			     "\"spec\":{}}", "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	set_clock("2027-04-01T00:00:00Z");
	r = call("GET", NULL, "/v1/invoices");
	cr_assert_str_eq(str(json_array_get(json_object_get(r.json, "data"), 0), "status"),
			 "unpaid", "%s", r.raw);
	tt_response_free(&r);
	const char *bodies[] = {
		"{\"type\":\"load_balancer\",\"name\":\"lb2\",\"poc\":false,\"spec\":{}}",
		"{\"type\":\"snapshot\",\"name\":\"snap\",\"poc\":false,\"spec\":{\"size_gb\":10}}",
	};
	for (size_t i = 0; i < 2; i++) {
		r = call("POST", bodies[i], "/v1/resources");
		cr_assert_eq(r.status, 422, "%s", r.raw);
		cr_assert_str_eq(tt_error_code(&r), "account_in_debt", "%s", r.raw);
		tt_response_free(&r);
	}
	cr_assert_eq(count("/v1/resources?type=load_balancer"), 1);
	cr_assert_eq(count("/v1/resources?type=snapshot"), 0);
	/* the debt paid, they can be created again */
	top_up(100000000);
	admin("/v1/admin/jobs/run", "{}");
	r = call("POST", bodies[0], "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
}
