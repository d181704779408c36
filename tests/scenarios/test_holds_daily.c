/*
 * Scenario: the daily hold (DESIGN.md "Hold settlement"), with the design's
 * own example: a service of 600,000 VND a day holds 1,800,000 on the day it
 * is converted and 2,400,000 the day after (a day used + the next 3 days);
 * when credit cannot cover it the account is warned, and after 3 days of
 * warnings its hold-settled resources are suspended.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80];

/* The default catalog with tax 0, a 18,000,000/month flavor (600,000 a
 * day) and a free volume type, so the figures are the design's. */
static void write_catalog(const char *path)
{
	char source[512];
	snprintf(source, sizeof(source), "%s/catalog/default.json", TALLY_SOURCE_DIR);
	json_t *cat = json_load_file(source, 0, NULL);
	cr_assert_not_null(cat);
	json_object_set_new(cat, "tax_rate_bp", json_integer(0));
	json_t *items = json_object_get(cat, "items");
	json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:s}", "id", "s.big",
					       "type", "server", "service", "vserver", "name", "Big",
					       "poc_eligible", 1, "monthly_price", 18000000, "unit",
					       "month"));
	json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:s}", "id", "v.free",
					       "type", "volume", "service", "vserver", "name", "Free",
					       "poc_eligible", 1, "monthly_price", 0, "unit",
					       "gb_month"));
	cr_assert_eq(json_dump_file(cat, path, 0), 0);
	json_decref(cat);
}

static void start(void)
{
	char dir[] = "/tmp/tally-cat-XXXXXX", path[300];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/catalog.json", dir);
	write_catalog(path);
	const char *args[] = {"--catalog", path, NULL};
	tt_server_start(&srv, args);
	tt_create_account(&srv, "Daily", acc);
	tt_create_token(&srv, acc, token);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(holds_daily, .init = start, .fini = stop);

static void admin(const char *path, const char *body)
{
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
	cr_assert_lt(r.status, 300, "%s -> %s", path, r.raw);
	tt_response_free(&r);
}

static int64_t held(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	int64_t v = json_integer_value(json_object_get(json_object_get(r.json, "credit"), "held"));
	tt_response_free(&r);
	return v;
}

/* At `now`: credit, a POC vContainer cluster of one s.big node, converted
 * by a hold. The node's id into node. */
static void convert_cluster(const char *now, int64_t credit, char *node)
{
	char path[128], body[64];
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", now);
	admin("/v1/admin/clock", body);
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	snprintf(body, sizeof(body), "{\"amount\":%lld}", (long long)credit);
	admin(path, body);
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	admin(path, "{\"amount\":1000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}");
	tt_response r = tt_request(&srv, "POST", "/v1/resources", token,
				   "{\"type\":\"cluster\",\"name\":\"vc\",\"poc\":true,\"spec\":"
				   "{\"service\":\"vcontainer\",\"node_flavor\":\"s.big\","
				   "\"node_count\":1,\"boot_volume_type\":\"v.free\"}}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char cluster[64];
	snprintf(cluster, sizeof(cluster), "%s", json_string_value(json_object_get(r.json, "id")));
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(r.json, "members"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "role")), "node") == 0)
			snprintf(node, 64, "%s", json_string_value(json_object_get(m, "id")));
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc", cluster);
	r = tt_request(&srv, "POST", path, token, "{}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&srv, "POST", path, token, "{\"method\":\"hold\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
}

Test(holds_daily, the_hold_is_the_month_so_far_plus_three_days_exactly)
{
	char path[128], node[64];
	tt_response r;
	convert_cluster("2027-03-10T00:00:00Z", 3000000, node);
	cr_assert_eq(held(), 1800000, "day n");
	admin("/v1/admin/clock", "{\"now\":\"2027-03-11T00:00:00Z\"}");
	cr_assert_eq(held(), 2400000, "day n+1");

	/* day n+2 needs 3,000,000 and the wallet has 3,000,000: still fine;
	 * day n+3 needs 3,600,000: warned, and the 3,000,000 there is held */
	admin("/v1/admin/clock", "{\"now\":\"2027-03-12T00:00:00Z\"}");
	cr_assert_eq(held(), 3000000);
	admin("/v1/admin/clock", "{\"now\":\"2027-03-13T00:00:00Z\"}");
	cr_assert_eq(held(), 3000000, "short: all the credit there is stays held");
	snprintf(path, sizeof(path), "/v1/resources/%s", node);
	for (int day = 14; day <= 16; day++) {
		r = tt_request(&srv, "GET", path, token, NULL, NULL);
		cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "active",
				 "suspended before the grace period ended");
		tt_response_free(&r);
		char body[64];
		snprintf(body, sizeof(body), "{\"now\":\"2027-03-%dT00:00:00Z\"}", day);
		admin("/v1/admin/clock", body);
	}
	r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "suspended", "%s",
			 r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* The account's holds, newest first: "status:reference" joined by spaces. */
static void holds_summary(char *out, size_t size)
{
	tt_response r = tt_request(&srv, "GET", "/v1/holds", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	out[0] = '\0';
	json_t *h;
	size_t i;
	json_array_foreach(json_object_get(r.json, "data"), i, h) {
		size_t used = strlen(out);
		snprintf(out + used, size - used, "%s%s:%s", i ? " " : "",
			 json_string_value(json_object_get(h, "status")),
			 json_string_value(json_object_get(h, "reference")));
	}
	tt_response_free(&r);
}

Test(holds_daily, the_hold_paid_at_checkout_is_the_day_s_hold)
{
	char node[64], holds[512];
	convert_cluster("2027-03-10T09:00:00Z", 3000000, node);
	admin("/v1/admin/jobs/run", "{}");
	holds_summary(holds, sizeof(holds));
	cr_assert(strncmp(holds, "pending:chk_", 12) == 0 && !strchr(holds, ' '),
		  "the same day's run leaves the checkout's hold alone: %s", holds);
	cr_assert_eq(held(), 1800000);
	admin("/v1/admin/clock", "{\"now\":\"2027-03-11T00:00:00Z\"}");
	holds_summary(holds, sizeof(holds));
	cr_assert(strncmp(holds, "pending:use and 3 days voided:chk_", 34) == 0,
		  "the next day's run replaces it: %s", holds);
	cr_assert_eq(held(), 2400000 - 9 * 25000, "15 hours used + 3 days");
}

/* Seed 6 of the simulation: an account whose earlier hold-settled cluster
 * was deleted has no daily hold (the daily run skips it), so a new
 * conversion's hold is the day's too, as on a first conversion. */
Test(holds_daily, the_hold_paid_at_checkout_is_the_day_s_after_a_deleted_cluster)
{
	char node[64], path[128], holds[512];
	convert_cluster("2027-03-09T09:00:00Z", 3000000, node);
	snprintf(path, sizeof(path), "/v1/resources/%s", node);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	snprintf(path, sizeof(path), "/v1/resources/%s",
		 json_string_value(json_object_get(r.json, "cluster_id")));
	tt_response_free(&r);
	r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
	convert_cluster("2027-03-10T09:00:00Z", 3000000, node);
	admin("/v1/admin/clock", "{\"now\":\"2027-03-10T11:00:00Z\"}");
	admin("/v1/admin/jobs/run", "{}");
	holds_summary(holds, sizeof(holds));
	cr_assert(strncmp(holds, "pending:chk_", 12) == 0,
		  "the same day's run leaves the checkout's hold alone: %s", holds);
	cr_assert(strstr(holds, "use and 3 days") == NULL, "no daily hold that day: %s", holds);
}

/* Seed 14 of the simulation: a cluster deleted the moment it was converted
 * used nothing, yet DESIGN.md's "deleting the resource settles its final
 * usage and releases the rest" holds: its conversion's hold is released at
 * once, not left until it expires 35 days on (no daily run visits an
 * account with nothing hold-settled left). */
Test(holds_daily, a_cluster_deleted_as_it_is_converted_releases_its_hold)
{
	char node[64], path[128], holds[512];
	convert_cluster("2027-03-09T09:00:00Z", 3000000, node);
	cr_assert_eq(held(), 1800000);
	snprintf(path, sizeof(path), "/v1/resources/%s", node);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	snprintf(path, sizeof(path), "/v1/resources/%s",
		 json_string_value(json_object_get(r.json, "cluster_id")));
	tt_response_free(&r);
	r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(held(), 0, "released at the deletion");
	holds_summary(holds, sizeof(holds));
	cr_assert(strncmp(holds, "voided:chk_", 11) == 0, "%s", holds);
	admin("/v1/admin/clock", "{\"now\":\"2027-03-10T01:00:00Z\"}");
	cr_assert_eq(held(), 0, "and nothing held the next day");
	r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.json, "credit"),
							"balance")),
		     3000000, "nothing used, nothing charged: %s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* The same with another cluster still running: the rest is released and
 * the one left is held for again (its 3 days; no use yet). */
Test(holds_daily, a_node_deleted_as_it_is_converted_leaves_the_others_held)
{
	char first[64], second[64], path[128];
	convert_cluster("2027-03-09T09:00:00Z", 3000000, first);
	convert_cluster("2027-03-09T09:00:00Z", 3000000, second);
	cr_assert_eq(held(), 2 * 1800000);
	snprintf(path, sizeof(path), "/v1/resources/%s", second);
	tt_response r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(held(), 1800000, "3 days of the first node only");
	admin("/v1/admin/clock", "{\"now\":\"2027-03-10T00:00:00Z\"}");
	cr_assert_eq(held(), 1800000 + 15 * 25000, "15 hours of the first + 3 days");
}

/* DESIGN.md: "deleting the resource settles its final usage and releases
 * the rest": its use is invoiced and paid from the hold at once, and the
 * days that follow hold nothing for it. */
Test(holds_daily, a_resource_deleted_this_month_is_settled_at_its_deletion)
{
	char node[64], path[128];
	convert_cluster("2027-03-10T09:00:00Z", 3000000, node);
	admin("/v1/admin/clock", "{\"now\":\"2027-03-10T21:00:00Z\"}");
	snprintf(path, sizeof(path), "/v1/resources/%s", node);
	tt_response r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
	/* 12 hours of 25,000 used, paid from the hold; the free boot volume
	 * left holds nothing */
	cr_assert_eq(held(), 0);
	snprintf(path, sizeof(path), "/v1/invoices?resource_id=%s", node);
	r = tt_request(&srv, "GET", path, token, NULL, NULL);
	json_t *inv = json_array_get(json_object_get(r.json, "data"), 0);
	cr_assert_eq(json_integer_value(json_object_get(inv, "total")), 12 * 25000, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(inv, "status")), "paid");
	tt_response_free(&r);
	admin("/v1/admin/clock", "{\"now\":\"2027-03-11T00:00:00Z\"}");
	cr_assert_eq(held(), 0);
	admin("/v1/admin/clock", "{\"now\":\"2027-04-01T00:00:00Z\"}");
	cr_assert_eq(held(), 0);
	r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.json, "credit"),
							"balance")),
		     3000000 - 12 * 25000, "charged once: %s", r.raw);
	tt_response_free(&r);
}

static int64_t credit_field(const char *name)
{
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	int64_t v = json_integer_value(json_object_get(json_object_get(r.json, "credit"), name));
	tt_response_free(&r);
	return v;
}

/* Each day of the month from `first` to `last`, 00:00: the hold is the
 * month's use so far (days_used_before + the days since `first`) plus 3
 * days, at 600,000 a day. */
static void walk_days(int month, int first, int last, int days_used_before)
{
	for (int day = first; day <= last; day++) {
		char body[64];
		snprintf(body, sizeof(body), "{\"now\":\"2027-%02d-%02dT00:00:00Z\"}", month, day);
		admin("/v1/admin/clock", body);
		int64_t want = (int64_t)(days_used_before + day - first + 3) * 600000;
		cr_assert_eq(held(), want, "2027-%02d-%02d: held %lld, want %lld", month, day,
			     (long long)held(), (long long)want);
	}
}

/* One usage invoice of the node per month, on its real minutes, paid from
 * credit; on the 1st the hold falls back to 3 days. */
Test(holds_daily, a_cluster_reconciled_over_two_months)
{
	char node[64];
	convert_cluster("2027-03-10T00:00:00Z", 100000000, node);
	cr_assert_eq(held(), 1800000, "day of conversion");
	walk_days(3, 11, 31, 1);
	walk_days(4, 1, 30, 0); /* the 1st: March invoiced, the hold back to 3 days */
	walk_days(5, 1, 1, 0);

	char path[160];
	snprintf(path, sizeof(path), "/v1/invoices?resource_id=%s&limit=10", node);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *data = json_object_get(r.json, "data");
	cr_assert_eq(json_array_size(data), 2, "one invoice a month: %s", r.raw);
	static const struct {
		const char *start, *end;
		int64_t total;
	} want[] = {{"2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z", 30 * 600000},
		    {"2027-03-10T00:00:00Z", "2027-04-01T00:00:00Z", 22 * 600000}};
	for (size_t i = 0; i < 2; i++) { /* newest first */
		json_t *inv = json_array_get(data, i);
		json_t *period = json_object_get(inv, "period");
		cr_expect_str_eq(json_string_value(json_object_get(inv, "kind")), "usage");
		cr_expect_str_eq(json_string_value(json_object_get(inv, "status")), "paid");
		cr_expect_str_eq(json_string_value(json_object_get(period, "start")), want[i].start);
		cr_expect_str_eq(json_string_value(json_object_get(period, "end")), want[i].end);
		cr_expect_eq(json_integer_value(json_object_get(inv, "total")), want[i].total,
			     "invoice %zu: %s", i, r.raw);
	}
	tt_response_free(&r);
	cr_assert_eq(credit_field("balance"), 100000000 - 52 * 600000, "52 days used, paid");
	cr_assert_eq(credit_field("held"), 1800000);
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

static const char *status_of_resource(const char *id, char *out, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/resources/%s", id);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	snprintf(out, size, "%s", json_string_value(json_object_get(r.json, "status")));
	tt_response_free(&r);
	return out;
}

/* Short for 3 days: suspended. Credit arrives: the next day's hold covers
 * the resources again and they run; the day they were suspended is not
 * invoiced. */
Test(holds_daily, credit_covering_the_hold_again_reactivates_and_suspended_time_is_free)
{
	char node[64], status[32], path[160];
	convert_cluster("2027-03-10T00:00:00Z", 1800000, node);
	for (int day = 11; day <= 14; day++) { /* short from the 11th: warned 11-13 */
		char body[64];
		snprintf(body, sizeof(body), "{\"now\":\"2027-03-%dT00:00:00Z\"}", day);
		admin("/v1/admin/clock", body);
	}
	cr_assert_str_eq(status_of_resource(node, status, sizeof(status)), "suspended");
	admin("/v1/admin/clock", "{\"now\":\"2027-03-14T12:00:00Z\"}");
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	admin(path, "{\"amount\":30000000}");
	cr_assert_str_eq(status_of_resource(node, status, sizeof(status)), "suspended",
			 "credit alone does not restart it before the day's hold");
	admin("/v1/admin/clock", "{\"now\":\"2027-03-15T00:00:00Z\"}");
	cr_assert_str_eq(status_of_resource(node, status, sizeof(status)), "active");
	/* 4 days used (10th-14th) + 3 ahead; the suspended day is not use */
	cr_assert_eq(held(), 7 * 600000);

	admin("/v1/admin/clock", "{\"now\":\"2027-04-01T00:00:00Z\"}");
	snprintf(path, sizeof(path), "/v1/invoices?resource_id=%s&limit=10", node);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	json_t *inv = json_array_get(json_object_get(r.json, "data"), 0);
	cr_assert_eq(json_integer_value(json_object_get(inv, "total")), (4 + 17) * 600000,
		     "March 10-14 and 15-31, not the day suspended: %s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* More accounts than one pass takes (50): every one gets its hold for the
 * day, the same for the same use. */
Test(holds_daily, every_account_is_recomputed_not_only_the_first_pass)
{
	enum { ACCOUNTS = 60 };
	admin("/v1/admin/clock", "{\"now\":\"2027-06-10T00:00:00Z\"}");
	char accounts[ACCOUNTS][64];
	for (int i = 0; i < ACCOUNTS; i++) {
		char tok[80], path[128];
		tt_create_account(&srv, "many", accounts[i]);
		tt_create_token(&srv, accounts[i], tok);
		snprintf(path, sizeof(path), "/v1/accounts/%.60s/credit", accounts[i]);
		admin(path, "{\"amount\":10000000}");
		tt_response r = tt_request(&srv, "POST", "/v1/resources", tok,
					   "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
					   "\"spec\":{}}", NULL);
		cr_assert_eq(r.status, 201, "%s", r.raw);
		tt_response_free(&r);
	}
	admin("/v1/admin/clock", "{\"now\":\"2027-06-11T00:00:00Z\"}");
	admin("/v1/admin/jobs/run", "{}");
	int64_t first = -1;
	for (int i = 0; i < ACCOUNTS; i++) {
		char path[128];
		snprintf(path, sizeof(path), "/v1/wallets?account_id=%.60s", accounts[i]);
		tt_response r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
		int64_t held_here = json_integer_value(
			json_object_get(json_object_get(r.json, "credit"), "held"));
		tt_response_free(&r);
		cr_assert_gt(held_here, 0, "account %d has no hold", i);
		if (first < 0)
			first = held_here;
		cr_assert_eq(held_here, first, "account %d", i);
	}
}

/* The metric the TallyHoldsShortOfCredit alert watches: accounts whose
 * daily hold was short of credit today. */
static long long metric(const char *name)
{
	tt_response r = tt_request(&srv, "GET", "/metrics", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	char line[128];
	snprintf(line, sizeof(line), "\n%s ", name);
	const char *at = strstr(r.raw, line);
	cr_assert_not_null(at, "no %s in /metrics:\n%s", name, r.raw);
	long long v = strtoll(at + strlen(line), NULL, 10);
	tt_response_free(&r);
	return v;
}

Test(holds_daily, metrics_count_the_accounts_short_of_credit_today)
{
	char node[64];
	convert_cluster("2027-03-10T00:00:00Z", 1800000, node);
	cr_expect_eq(metric("tally_holds_short_accounts"), 0, "covered on the day of payment");
	admin("/v1/admin/clock", "{\"now\":\"2027-03-11T00:00:00Z\"}");
	cr_expect_eq(metric("tally_holds_short_accounts"), 1, "short on the 11th");
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	admin(path, "{\"amount\":30000000}");
	admin("/v1/admin/clock", "{\"now\":\"2027-03-12T00:00:00Z\"}");
	cr_expect_eq(metric("tally_holds_short_accounts"), 0, "covered again on the 12th");
}
