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
	expect_pay_refused(chk_vks, "credit");
	expect_pay_refused(chk_vks, "gateway");
	expect_pay_refused(chk_vc, "hold");
	tt_response r = call("GET", NULL, "/v1/checkouts/%s", chk_vks);
	cr_assert_str_eq(str(r.json, "status"), "cancelled", "%s", r.raw);
	tt_response_free(&r);
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

/* ---- hold settlement -------------------------------------------------------------- */

/* DESIGN.md's usage cost: minutes x monthly price x quantity / 43,200,
 * rounded half up; tax 10% half up per invoice. */
static int64_t use_cost(int64_t minutes, int64_t monthly_price, int64_t quantity)
{
	return (2 * minutes * monthly_price * quantity + 43200) / (2 * 43200);
}
static int64_t with_tax(int64_t cost) { return cost + (2 * cost * 1000 + 10000) / 20000; }

/* The default catalog's s.general.1c2g node and its 20 GB v.ssd boot volume. */
#define NODE_PRICE 250000
#define SSD_PRICE 3000
#define BOOT_GB 20

static int64_t three_days_held(void)
{
	return with_tax(use_cost(3 * 1440, NODE_PRICE, 1)) +
	       with_tax(use_cost(3 * 1440, SSD_PRICE, BOOT_GB));
}

/* A vContainer cluster of one node, converted by a hold at `now`. */
static void convert_by_hold(const char *now, int64_t top, char *cluster, char *node)
{
	set_clock(now);
	top_up(top);
	grant_poc("2099-01-01T00:00:00Z");
	make_cluster("vcontainer", "s.general.1c2g", BOOT_GB, cluster, node);
	char chk[64];
	confirm(cluster, "{}", chk);
	tt_response r = call("POST", "{\"method\":\"hold\"}", "/v1/checkouts/%s/pay", chk);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(credit("held"), three_days_held(), "the hold paid at conversion");
}

/* Every usage invoice is paid, each by one payment of method hold naming a
 * hold; their totals' sum. */
static int64_t usage_paid_from_hold(size_t expect_invoices)
{
	tt_response r = call("GET", NULL, "/v1/invoices?limit=100");
	json_t *inv;
	size_t i, usage = 0;
	int64_t sum = 0;
	json_array_foreach(json_object_get(r.json, "data"), i, inv) {
		if (strcmp(str(inv, "kind"), "usage") != 0)
			continue;
		usage++;
		sum += num(inv, "total");
		cr_assert_str_eq(str(inv, "status"), "paid", "%s", r.raw);
		tt_response p = call("GET", NULL, "/v1/payments/%s", str(inv, "payment_id"));
		cr_assert_eq(p.status, 200, "%s", p.raw);
		cr_assert_str_eq(str(p.json, "method"), "hold", "%s", p.raw);
		cr_assert_str_neq(str(p.json, "hold_id"), "", "%s", p.raw);
		cr_assert_eq(num(p.json, "amount"), num(inv, "total"), "%s", p.raw);
		tt_response_free(&p);
	}
	cr_assert_eq(usage, expect_invoices, "%s", r.raw);
	tt_response_free(&r);
	return sum;
}

static size_t holds_in(const char *status)
{
	tt_response r = call("GET", NULL, "/v1/holds?limit=100");
	json_t *h;
	size_t i, n = 0;
	json_array_foreach(json_object_get(r.json, "data"), i, h)
		n += strcmp(str(h, "status"), status) == 0;
	tt_response_free(&r);
	return n;
}

/* Deleted after 3 days 6 hours: its use is invoiced at once, paid from the
 * hold, the rest of the hold released; the wallet lost exactly the use. */
Test(lifecycle, deleting_a_hold_settled_cluster_pays_its_use_from_the_hold)
{
	char cluster[64], node[64];
	const int64_t top = 10000000;
	convert_by_hold("2027-03-10T00:00:00Z", top, cluster, node);
	set_clock("2027-03-11T00:00:00Z");
	set_clock("2027-03-12T00:00:00Z");
	set_clock("2027-03-13T06:00:00Z");
	tt_response r = call("DELETE", NULL, "/v1/resources/%s", cluster);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);

	const int64_t minutes = 3 * 1440 + 6 * 60;
	const int64_t node_total = with_tax(use_cost(minutes, NODE_PRICE, 1));
	const int64_t boot_total = with_tax(use_cost(minutes, SSD_PRICE, BOOT_GB));
	cr_assert_eq(usage_paid_from_hold(2), node_total + boot_total);
	cr_assert_eq(credit("held"), 0, "nothing hold-settled is left: the rest is released");
	cr_assert_eq(holds_in("pending"), 0);
	cr_assert_eq(holds_in("posted"), 1, "the live hold paid the use");
	cr_assert_eq(credit("balance"), top - node_total - boot_total);
	cr_assert_eq(credit("available"), top - node_total - boot_total);

	/* nothing is charged again at the month's end */
	set_clock("2027-04-01T00:00:00Z");
	cr_assert_eq(usage_paid_from_hold(2), node_total + boot_total);
	cr_assert_eq(credit("balance"), top - node_total - boot_total);
	cr_assert_eq(credit("held"), 0);
	assert_books_balance();
}

/* Deleting one node of two: its use is paid from the hold, and the hold is
 * placed again for the node still running (its month so far + 3 days). */
Test(lifecycle, deleting_one_of_two_hold_settled_resources_recomputes_the_hold)
{
	char cluster[64], node[64];
	const int64_t top = 10000000;
	convert_by_hold("2027-03-10T00:00:00Z", top, cluster, node);
	tt_response r = call("GET", NULL, "/v1/resources/%s", cluster);
	char boot[64] = "";
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(r.json, "members"), i, m)
		if (strcmp(str(m, "role"), "boot_volume") == 0)
			snprintf(boot, sizeof(boot), "%s", str(m, "id"));
	tt_response_free(&r);
	set_clock("2027-03-11T12:00:00Z");
	r = call("DELETE", NULL, "/v1/resources/%s", node);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	const int64_t minutes = 36 * 60;
	const int64_t node_total = with_tax(use_cost(minutes, NODE_PRICE, 1));
	cr_assert_eq(usage_paid_from_hold(1), node_total);
	/* the boot volume: 36 hours so far this month + 3 days, with tax */
	const int64_t boot_held = with_tax(use_cost(minutes, SSD_PRICE, BOOT_GB)) +
				  with_tax(use_cost(3 * 1440, SSD_PRICE, BOOT_GB));
	cr_assert_eq(credit("held"), boot_held);
	cr_assert_eq(holds_in("pending"), 1);
	cr_assert_eq(credit("balance"), top - node_total);
	cr_assert_str_neq(boot, "");
	assert_books_balance();
}

/* At the month's end the month's use is paid from the hold (posted, not
 * voided and charged again), and a new hold of 3 days is placed. */
Test(lifecycle, the_month_end_pays_usage_from_the_hold)
{
	char cluster[64], node[64];
	const int64_t top = 10000000;
	convert_by_hold("2027-03-10T00:00:00Z", top, cluster, node);
	for (int day = 11; day <= 31; day++) {
		char now[32];
		snprintf(now, sizeof(now), "2027-03-%02dT00:00:00Z", day);
		set_clock(now);
	}
	set_clock("2027-04-01T00:00:00Z");
	const int64_t minutes = 22 * 1440;
	const int64_t node_total = with_tax(use_cost(minutes, NODE_PRICE, 1));
	const int64_t boot_total = with_tax(use_cost(minutes, SSD_PRICE, BOOT_GB));
	cr_assert_eq(usage_paid_from_hold(2), node_total + boot_total);
	cr_assert_eq(credit("held"), three_days_held(), "a new hold of 3 days");
	cr_assert_eq(holds_in("pending"), 1);
	cr_assert_geq(holds_in("posted"), 1, "the March hold paid March");
	cr_assert_eq(credit("balance"), top - node_total - boot_total);
	assert_books_balance();
}

/* A load balancer (vlb: settled by hold) deleted: its use is paid from the
 * hold at once too, the rest of the hold released. */
Test(lifecycle, a_deleted_load_balancer_is_settled_from_the_hold)
{
	const int64_t top = 10000000, lb_price = 400000; /* vlb.basic */
	set_clock("2027-05-10T00:00:00Z");
	top_up(top);
	tt_response r = call("POST", "{\"type\":\"load_balancer\",\"name\":\"lb\","
			     "\"poc\":false,\"spec\":{}}", "/v1/resources");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char lb[64];
	snprintf(lb, sizeof(lb), "%s", str(r.json, "id"));
	tt_response_free(&r);
	set_clock("2027-05-11T00:00:00Z");
	set_clock("2027-05-11T12:00:00Z");
	cr_assert_eq(credit("held"), with_tax(use_cost(1440, lb_price, 1)) +
					     with_tax(use_cost(3 * 1440, lb_price, 1)),
		     "the day's hold: a day used and 3 ahead: %lld", (long long)credit("held"));
	r = call("DELETE", NULL, "/v1/resources/%s", lb);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	const int64_t lb_total = with_tax(use_cost(36 * 60, lb_price, 1));
	cr_assert_eq(usage_paid_from_hold(1), lb_total);
	cr_assert_eq(credit("held"), 0);
	cr_assert_eq(credit("balance"), top - lb_total);
	assert_books_balance();
}
