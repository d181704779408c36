/* Scenario: catalog, coupons and checkouts through a real tallyd: exact
 * prices, wallet and invoice figures, expiry by the clock, coupon limits
 * under concurrent payment, gap-free invoice numbers. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static tt_server srv;
static void start(void) { tt_server_start(&srv, NULL); }
static void stop(void) { tt_server_stop(&srv); }
TestSuite(checkout, .init = start, .fini = stop);

static const char *two_items =
	"[{\"type\":\"server\",\"name\":\"web-1\",\"spec\":{\"flavor\":\"s.general.2c4g\"}},"
	"{\"type\":\"volume\",\"name\":\"data-1\",\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":100}}]";

typedef struct customer {
	char account[64];
	char token[80];
} customer;

static void new_customer(customer *c, int64_t credit)
{
	tt_create_account(&srv, "Customer", c->account);
	tt_create_token(&srv, c->account, c->token);
	if (credit <= 0)
		return;
	char path[128], body[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", c->account);
	snprintf(body, sizeof(body), "{\"amount\":%lld}", (long long)credit);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
}

static tt_response create_checkout(const customer *c, const char *items, int months,
				   const char *coupon)
{
	char body[2048];
	snprintf(body, sizeof(body), "{\"kind\":\"purchase\",\"items\":%s,\"cycle_months\":%d,"
		 "\"auto_renew\":true%s%s%s}", items, months, coupon ? ",\"coupon\":\"" : "",
		 coupon ? coupon : "", coupon ? "\"" : "");
	return tt_request(&srv, "POST", "/v1/checkouts", c->token, body, NULL);
}

static void checkout_id(const tt_response *r, char *out)
{
	snprintf(out, 64, "%s", json_string_value(json_object_get(r->json, "id")));
}

static tt_response pay(const customer *c, const char *id)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", id);
	return tt_request(&srv, "POST", path, c->token, "{\"method\":\"credit\"}", NULL);
}

static int64_t available(const customer *c)
{
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", c->token, NULL, NULL);
	int64_t v = json_integer_value(json_object_get(json_object_get(r.json, "credit"),
						       "available"));
	tt_response_free(&r);
	return v;
}

static int64_t num(const json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}

static void create_coupon(const char *body)
{
	tt_response r = tt_request(&srv, "POST", "/v1/coupons", srv.admin_token, body, NULL);
	cr_assert_eq(r.status, 201, "%s -> %s", body, r.raw);
	tt_response_free(&r);
}

static void assert_books_balance(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

Test(checkout, the_catalog_is_served_in_the_api_shape)
{
	customer c;
	new_customer(&c, 0);
	tt_response r = tt_request(&srv, "GET", "/v1/catalog", c.token, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "currency")), "VND");
	cr_assert_eq(num(r.json, "tax_rate_bp"), 1000);
	cr_assert_eq(json_array_size(json_object_get(r.json, "cycles")), 6);
	json_t *item;
	size_t i;
	json_array_foreach(json_object_get(r.json, "items"), i, item) {
		const char *service = json_string_value(json_object_get(item, "service"));
		if (strcmp(service, "vlb") == 0 || strcmp(service, "snapshot") == 0)
			cr_expect(json_is_false(json_object_get(item, "poc_eligible")));
		/* a cluster has no fee of its own: its servers and volumes are paid */
		bool cluster = strcmp(json_string_value(json_object_get(item, "type")), "cluster") == 0;
		cr_expect(cluster ? json_is_null(json_object_get(item, "hourly_price"))
				  : json_is_integer(json_object_get(item, "hourly_price")));
		cr_expect(cluster ? json_is_null(json_object_get(item, "monthly_price"))
				  : json_is_integer(json_object_get(item, "monthly_price")));
		cr_expect(json_is_string(json_object_get(item, "billing")));
	}
	tt_response_free(&r);
}

Test(checkout, a_purchase_by_credit_has_exact_figures_everywhere)
{
	customer c;
	new_customer(&c, 20000000);
	create_coupon("{\"code\":\"welcome20\",\"percent_off\":20,\"min_cycle_months\":3}");
	tt_response r = create_checkout(&c, two_items, 12, "WELCOME20");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	/* server 480,000 x 12 = 5,760,000, -10% = 5,184,000, -20% coupon
	 * 1,036,800 = 4,147,200, +10% tax 414,720 = 4,561,920; volume 100 GB x
	 * 3,000 x 12 = 3,600,000 -> 3,240,000 -> 2,592,000 + 259,200 = 2,851,200 */
	cr_assert_eq(num(r.json, "subtotal"), 8424000, "%s", r.raw);
	cr_assert_eq(num(r.json, "discount"), 1684800);
	cr_assert_eq(num(r.json, "tax"), 673920);
	cr_assert_eq(num(r.json, "total"), 7413120);
	char id[64];
	checkout_id(&r, id);
	tt_response_free(&r);

	r = pay(&c, id);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "paid");
	json_t *invoice_ids = json_object_get(r.json, "invoice_ids");
	cr_assert_eq(json_array_size(invoice_ids), 2, "one invoice per resource");
	tt_response_free(&r);
	cr_assert_eq(available(&c), 20000000 - 7413120);

	r = tt_request(&srv, "GET", "/v1/invoices", c.token, NULL, NULL);
	json_t *invoices = json_object_get(r.json, "data");
	int64_t invoiced = 0;
	size_t i;
	json_t *inv;
	json_array_foreach(invoices, i, inv) {
		invoiced += num(inv, "total");
		cr_expect_str_eq(json_string_value(json_object_get(inv, "status")), "paid");
		cr_expect_str_eq(json_string_value(json_object_get(inv, "coupon_code")), "WELCOME20");
		cr_expect_eq(json_array_size(json_object_get(inv, "transfer_ids")), 2);
	}
	cr_assert_eq(invoiced, 7413120, "the invoices add up to the checkout's total");
	json_t *server_invoice = json_array_get(invoices, 1); /* newest first */
	cr_assert_str_eq(json_string_value(json_object_get(server_invoice, "number")),
			 "INV-2026-000001", "%s", r.raw);
	cr_assert_eq(num(server_invoice, "total"), 4561920);
	cr_assert_eq(num(server_invoice, "tax"), 414720);
	const char *resource = json_string_value(json_object_get(server_invoice, "resource_id"));
	char path[128];
	snprintf(path, sizeof(path), "/v1/resources/%s", resource);
	tt_response res = tt_request(&srv, "GET", path, c.token, NULL, NULL);
	cr_assert_eq(res.status, 200, "%s", res.raw);
	json_t *billing = json_object_get(res.json, "billing");
	cr_assert_str_eq(json_string_value(json_object_get(billing, "mode")), "prepaid");
	cr_assert_eq(num(billing, "cycle_months"), 12);
	cr_assert(json_is_true(json_object_get(billing, "auto_renew")));
	tt_response_free(&res);
	tt_response_free(&r);

	r = tt_request(&srv, "GET", "/v1/ledger/accounts", srv.admin_token, NULL, NULL);
	json_t *la;
	json_array_foreach(json_object_get(r.json, "data"), i, la) {
		const char *la_id = json_string_value(json_object_get(la, "id"));
		if (strcmp(la_id, "sys_revenue_vnd") == 0)
			cr_expect_eq(num(la, "posted_credits"), 7413120 - 673920);
		if (strcmp(la_id, "sys_tax_payable_vnd") == 0)
			cr_expect_eq(num(la, "posted_credits"), 673920);
	}
	tt_response_free(&r);
	assert_books_balance();
}

Test(checkout, short_credit_is_422_with_the_shortfall_and_changes_nothing)
{
	customer c;
	new_customer(&c, 500000); /* the checkout below costs 748,000 */
	create_coupon("{\"code\":\"ONCE\",\"amount_off\":100000,\"max_redemptions\":1}");
	tt_response r = create_checkout(&c, two_items, 1, "ONCE");
	char id[64];
	checkout_id(&r, id);
	int64_t total = num(r.json, "total");
	tt_response_free(&r);
	r = pay(&c, id);
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "insufficient_credit");
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_assert_eq(total, 748000);
	cr_assert_eq(num(details, "shortfall"), total - 500000, "%s", r.raw);
	cr_assert_eq(num(details, "available"), 500000);
	tt_response_free(&r);
	cr_assert_eq(available(&c), 500000);
	r = tt_request(&srv, "GET", "/v1/invoices", c.token, NULL, NULL);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 0, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/coupons", srv.admin_token, NULL, NULL);
	cr_assert_eq(num(json_array_get(json_object_get(r.json, "data"), 0), "redemptions"), 0,
		     "a failed payment redeemed the coupon");
	tt_response_free(&r);
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	r = tt_request(&srv, "GET", path, c.token, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "open");
	tt_response_free(&r);
	assert_books_balance();
}

Test(checkout, an_unpaid_checkout_expires_by_the_clock)
{
	customer c;
	new_customer(&c, 50000000);
	tt_response r = create_checkout(&c, two_items, 1, NULL);
	char id[64];
	checkout_id(&r, id);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
		       "{\"advance_seconds\":1799}", NULL);
	cr_assert_eq(num(json_object_get(r.json, "jobs"), "checkouts_expired"), 0, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
		       "{\"advance_seconds\":1}", NULL);
	cr_assert_eq(num(json_object_get(r.json, "jobs"), "checkouts_expired"), 1, "%s", r.raw);
	tt_response_free(&r);
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	r = tt_request(&srv, "GET", path, c.token, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "expired");
	tt_response_free(&r);
	r = pay(&c, id);
	cr_assert_eq(r.status, 409, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "checkout_not_open");
	tt_response_free(&r);
	cr_assert_eq(available(&c), 50000000);
}

Test(checkout, a_cancelled_checkout_cannot_be_paid_or_changed)
{
	customer c;
	new_customer(&c, 50000000);
	tt_response r = create_checkout(&c, two_items, 3, NULL);
	char id[64], path[128];
	checkout_id(&r, id);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/cancel", id);
	r = tt_request(&srv, "POST", path, c.token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "cancelled");
	tt_response_free(&r);
	r = pay(&c, id);
	cr_assert_eq(r.status, 409);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	r = tt_request(&srv, "PATCH", path, c.token, "{\"cycle_months\":12}", NULL);
	cr_assert_eq(r.status, 409, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(available(&c), 50000000);
}

Test(checkout, patch_reprices_and_explains_a_coupon_that_does_not_apply)
{
	customer c;
	new_customer(&c, 0);
	create_coupon("{\"code\":\"LONG\",\"percent_off\":10,\"min_cycle_months\":12}");
	create_coupon("{\"code\":\"K8S\",\"percent_off\":10,\"services\":[\"vks\"]}");
	create_coupon("{\"code\":\"OLD\",\"percent_off\":10,\"expires_at\":\"2000-01-01T00:00:00Z\"}");
	tt_response r = create_checkout(&c, two_items, 1, NULL);
	char id[64], path[128];
	checkout_id(&r, id);
	int64_t monthly_total = num(r.json, "total");
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	struct { const char *body, *code; } refusals[] = {
		{"{\"coupon\":\"LONG\"}", "coupon_not_applicable"},
		{"{\"coupon\":\"K8S\"}", "coupon_not_applicable"},
		{"{\"coupon\":\"OLD\"}", "coupon_expired"},
		{"{\"coupon\":\"NOSUCH\"}", "coupon_not_found"},
		{"{\"cycle_months\":5}", "invalid_cycle"},
	};
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		r = tt_request(&srv, "PATCH", path, c.token, refusals[i].body, NULL);
		cr_expect_eq(r.status, 422, "%s -> %s", refusals[i].body, r.raw);
		cr_expect_str_eq(tt_error_code(&r), refusals[i].code, "%s", refusals[i].body);
		const char *message = json_string_value(
			json_object_get(json_object_get(r.json, "error"), "message"));
		cr_expect(message && strlen(message) > 10, "no reason given: %s", r.raw);
		tt_response_free(&r);
	}
	r = tt_request(&srv, "PATCH", path, c.token, "{\"cycle_months\":12,\"coupon\":\"long\"}",
		       NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	/* 780,000 a month x 12 = 9,360,000, -10% cycle = 8,424,000, -10% coupon
	 * = 7,581,600, +10% tax = 8,339,760 */
	cr_assert_eq(num(r.json, "total"), 8339760, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "PATCH", path, c.token, "{\"cycle_months\":1,\"coupon\":null}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq(num(r.json, "total"), monthly_total);
	cr_assert(json_is_null(json_object_get(r.json, "coupon")));
	tt_response_free(&r);
}

Test(checkout, bad_items_are_refused_with_their_index)
{
	customer c;
	new_customer(&c, 0);
	tt_response r = create_checkout(&c, "[{\"type\":\"server\",\"name\":\"a\",\"spec\":"
					"{\"flavor\":\"s.general.2c4g\"}},{\"type\":\"server\","
					"\"name\":\"b\",\"spec\":{\"flavor\":\"nope\"}}]", 1, NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_item");
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_assert_eq(num(details, "index"), 1);
	tt_response_free(&r);
	r = create_checkout(&c, "[{\"type\":\"load_balancer\",\"name\":\"lb\",\"spec\":{}}]", 1, NULL);
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "not_purchasable");
	tt_response_free(&r);
	r = create_checkout(&c, "[{\"type\":\"volume\",\"name\":\"v\",\"spec\":"
			    "{\"volume_type\":\"v.ssd\",\"size_gb\":0}}]", 1, NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	tt_response_free(&r);
	r = create_checkout(&c, "[]", 1, NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	tt_response_free(&r);
}

Test(checkout, another_account_sees_no_checkout_invoice_or_resource)
{
	customer a, b;
	new_customer(&a, 50000000);
	new_customer(&b, 0);
	tt_response r = create_checkout(&a, two_items, 1, NULL);
	char id[64], path[128];
	checkout_id(&r, id);
	tt_response_free(&r);
	r = pay(&a, id);
	const char *invoice = json_string_value(json_array_get(json_object_get(r.json,
									     "invoice_ids"), 0));
	snprintf(path, sizeof(path), "/v1/invoices/%s", invoice);
	tt_response other = tt_request(&srv, "GET", path, b.token, NULL, NULL);
	cr_assert_eq(other.status, 404);
	tt_response_free(&other);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	r = tt_request(&srv, "GET", path, b.token, NULL, NULL);
	cr_assert_eq(r.status, 404);
	tt_response_free(&r);
	r = pay(&b, id);
	cr_assert_eq(r.status, 404);
	tt_response_free(&r);
}

/* Forks n clients; client i runs fn(i); returns how many exited 0. */
static int run_clients(int n, int (*fn)(int))
{
	pid_t pids[32];
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(fn(i));
	}
	int ok = 0;
	for (int i = 0; i < n; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	return ok;
}

enum { BUYERS = 8 };
static customer buyers[BUYERS];
static char buyer_checkouts[BUYERS][64];

static int pay_buyer(int i)
{
	tt_response r = pay(&buyers[i], buyer_checkouts[i]);
	int ok = r.status == 200 ? 0 : strcmp(tt_error_code(&r), "coupon_exhausted") == 0 ? 1 : 2;
	tt_response_free(&r);
	return ok;
}

Test(checkout, a_coupon_is_never_redeemed_over_its_limit_under_concurrency)
{
	create_coupon("{\"code\":\"FIRST3\",\"amount_off\":50000,\"max_redemptions\":3}");
	for (int i = 0; i < BUYERS; i++) {
		new_customer(&buyers[i], 50000000);
		tt_response r = create_checkout(&buyers[i], two_items, 1, "FIRST3");
		cr_assert_eq(r.status, 201, "%s", r.raw);
		checkout_id(&r, buyer_checkouts[i]);
		tt_response_free(&r);
	}
	int paid = run_clients(BUYERS, pay_buyer);
	cr_assert_eq(paid, 3, "%d payments used a coupon limited to 3", paid);
	tt_response r = tt_request(&srv, "GET", "/v1/coupons", srv.admin_token, NULL, NULL);
	cr_assert_eq(num(json_array_get(json_object_get(r.json, "data"), 0), "redemptions"), 3);
	tt_response_free(&r);
	assert_books_balance();
}

static int pay_three(int i)
{
	int failures = 0;
	for (int k = 0; k < 3; k++) {
		tt_response r = create_checkout(&buyers[i], two_items, 1, NULL);
		char id[64];
		checkout_id(&r, id);
		tt_response_free(&r);
		r = pay(&buyers[i], id);
		failures += r.status != 200;
		tt_response_free(&r);
	}
	return failures;
}

Test(checkout, invoice_numbers_have_no_gap_and_no_duplicate_under_concurrency)
{
	for (int i = 0; i < BUYERS; i++)
		new_customer(&buyers[i], 100000000);
	cr_assert_eq(run_clients(BUYERS, pay_three), BUYERS);
	/* 8 buyers x 3 checkouts x 2 resources = 48 invoices: 1..48, once each */
	bool seen[49] = {false};
	for (int i = 0; i < BUYERS; i++) {
		tt_response r = tt_request(&srv, "GET", "/v1/invoices?limit=100", buyers[i].token,
					   NULL, NULL);
		json_t *inv;
		size_t k;
		json_array_foreach(json_object_get(r.json, "data"), k, inv) {
			const char *number = json_string_value(json_object_get(inv, "number"));
			long n = strtol(number + strlen("INV-2026-"), NULL, 10);
			cr_assert(n >= 1 && n <= 48, "number %s out of range", number);
			cr_assert_not(seen[n], "number %s issued twice", number);
			seen[n] = true;
		}
		tt_response_free(&r);
	}
	for (int n = 1; n <= 48; n++)
		cr_expect(seen[n], "INV-2026-%06d is missing", n);
}

Test(checkout, prices_stay_fixed_for_an_open_checkout_across_a_catalog_change)
{
	customer c;
	new_customer(&c, 50000000);
	tt_response r = create_checkout(&c, two_items, 1, NULL);
	char id[64];
	checkout_id(&r, id);
	int64_t total = num(r.json, "total");
	tt_response_free(&r);
	/* restart with a catalog whose prices are all ten times higher */
	char catalog[400], cmd[1200];
	snprintf(catalog, sizeof(catalog), "%s/dear.json", srv.dir);
	snprintf(cmd, sizeof(cmd), "sed -E 's/\"monthly_price\": *([0-9]+)/\"monthly_price\": \\10/' "
		 "%s/catalog/default.json > %s", TALLY_SOURCE_DIR, catalog);
	cr_assert_eq(system(cmd), 0);
	const char *args[] = {"--catalog", catalog, NULL};
	tt_server_restart(&srv, args);
	r = create_checkout(&c, two_items, 1, NULL);
	cr_assert_eq(num(r.json, "total"), total * 10, "the new catalog is not in force: %s", r.raw);
	tt_response_free(&r);
	r = pay(&c, id);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(available(&c), 50000000 - total, "the open checkout was re-priced");
}

Test(checkout, the_admin_must_name_the_account_whose_history_it_reads)
{
	customer c;
	new_customer(&c, 50000000);
	tt_response r = create_checkout(&c, two_items, 1, NULL);
	char id[64];
	checkout_id(&r, id);
	tt_response_free(&r);
	r = pay(&c, id);
	tt_response_free(&r);
	const char *paths[] = {"/v1/invoices", "/v1/invoices?account_id=", "/v1/payments?account_id="};
	for (size_t i = 0; i < 3; i++) {
		r = tt_request(&srv, "GET", paths[i], srv.admin_token, NULL, NULL);
		cr_expect_eq(r.status, 400, "%s -> %s", paths[i], r.raw);
		cr_expect_str_eq(tt_error_code(&r), "missing_parameter");
		tt_response_free(&r);
	}
	char path[128];
	snprintf(path, sizeof(path), "/v1/invoices?account_id=%s", c.account);
	r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 2, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/coupons/cpn_aaaaaaaaaaaaaaaa/disable", srv.admin_token,
		       NULL, NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "coupon_not_found");
	tt_response_free(&r);
}
