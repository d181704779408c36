/*
 * Scenario: one currency per account, never converted (DESIGN.md, the
 * hardening round). tallyd runs a catalog that prices some items in USD as
 * well as VND; a USD account is priced only in USD: an item with no USD
 * price cannot be created, bought, converted or renewed (422
 * currency_not_offered, nothing changes), and its postpaid use is never
 * invoiced in VND.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char dir[64], acc[64], token[80];

/* The default catalog with USD prices for some items; `all_usd` also
 * prices the items a later catalog stops pricing in USD (s.general.2c4g,
 * s.general.1c2g, vlb.basic), so a test can make a resource and then see
 * its item lose its USD price. */
static void write_catalog(const char *path, bool all_usd)
{
	char source[512];
	snprintf(source, sizeof(source), "%s/catalog/default.json", TALLY_SOURCE_DIR);
	json_t *cat = json_load_file(source, 0, NULL);
	cr_assert_not_null(cat);
	json_object_set_new(cat, "currencies", json_pack("[s, s]", "VND", "USD"));
	static const struct { const char *id; int usd; bool always; } usd[] = {
		{"s.general.1c2g", 1000, false}, {"s.general.2c4g", 2000, false},
		{"v.ssd", 12, true},             {"vlb.basic", 1600, false},
		{"snapshot.standard", 4, true},
	};
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(cat, "items"), i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));
		for (size_t k = 0; k < sizeof(usd) / sizeof(usd[0]); k++) {
			if (strcmp(id, usd[k].id) != 0 || !(all_usd || usd[k].always))
				continue;
			json_t *vnd = json_incref(json_object_get(item, "monthly_price"));
			json_object_del(item, "monthly_price");
			json_object_set_new(item, "prices",
					    json_pack("{s:o, s:i}", "VND", vnd, "USD", usd[k].usd));
		}
	}
	cr_assert_eq(json_dump_file(cat, path, 0), 0);
	json_decref(cat);
}

static void start_with(bool all_usd, bool restart)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/catalog-%d.json", dir, all_usd);
	write_catalog(path, all_usd);
	const char *args[] = {"--catalog", path, NULL};
	if (restart)
		tt_server_restart(&srv, args);
	else
		tt_server_start(&srv, args);
}

static tt_response post(const char *tok, const char *path, const char *body)
{
	return tt_request(&srv, "POST", path, tok, body, NULL);
}

static void ok(tt_response r)
{
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
}

static void set_clock(const char *when)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", when);
	ok(post(srv.admin_token, "/v1/admin/clock", body));
}

static void start(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tally-currency-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	start_with(true, false);
	set_clock("2027-03-01T00:00:00Z");
	tt_response r = post(srv.admin_token, "/v1/accounts",
			     "{\"name\":\"Dollar Co\",\"currency\":\"USD\"}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(acc, sizeof(acc), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	tt_create_token(&srv, acc, token);
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	ok(post(srv.admin_token, path, "{\"amount\":1000000}")); /* 10,000.00 USD */
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	ok(post(srv.admin_token, path, "{\"amount\":500000,\"expires_at\":\"2099-01-01T00:00:00Z\"}"));
}

static void stop(void)
{
	tt_server_stop(&srv);
	char cmd[128], out[16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	tt_run(cmd, out, sizeof(out));
}
TestSuite(currency, .init = start, .fini = stop);

static void expect_not_offered(tt_response r, const char *item_id)
{
	cr_expect_eq(r.status, 422, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "currency_not_offered", "%s", r.raw);
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_expect_str_eq(json_string_value(json_object_get(details, "item_id")), item_id, "%s",
			 r.raw);
	cr_expect_str_eq(json_string_value(json_object_get(details, "currency")), "USD", "%s",
			 r.raw);
	tt_response_free(&r);
}

static size_t count_of(const char *path)
{
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	size_t n = json_array_size(json_object_get(r.json, "data"));
	tt_response_free(&r);
	return n;
}

static void create(const char *body, char *id)
{
	tt_response r = post(token, "/v1/resources", body);
	cr_assert_eq(r.status, 201, "%s -> %s", body, r.raw);
	snprintf(id, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
}

static json_t *item_of(const json_t *catalog, const char *id)
{
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(catalog, "items"), i, item)
		if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0)
			return item;
	cr_assert_fail("no item %s", id);
	return NULL;
}

Test(currency, the_catalog_shows_the_account_its_own_currency)
{
	tt_response r = tt_request(&srv, "GET", "/v1/catalog", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "currency")), "USD");
	json_t *v = item_of(r.json, "v.ssd"), *hdd = item_of(r.json, "v.hdd");
	cr_expect_eq(json_integer_value(json_object_get(v, "monthly_price")), 12);
	cr_expect(json_is_null(json_object_get(hdd, "monthly_price")), "%s", r.raw);
	cr_expect(json_is_null(json_object_get(hdd, "hourly_price")), "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/catalog", srv.admin_token, NULL, NULL);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "currency")), "VND");
	cr_expect_eq(json_array_size(json_object_get(r.json, "currencies")), 2, "%s", r.raw);
	v = item_of(r.json, "v.ssd");
	cr_expect_eq(json_integer_value(json_object_get(v, "monthly_price")), 3000);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(v, "prices"), "USD")), 12);
	tt_response_free(&r);
}

/* POC, postpaid and purchase: what has no USD price is refused, and no
 * resource, checkout or money moves. */
Test(currency, a_usd_account_cannot_create_or_buy_an_item_without_a_usd_price)
{
	start_with(false, true); /* servers and the basic LB lose their USD prices */
	expect_not_offered(post(token, "/v1/resources",
				"{\"type\":\"server\",\"name\":\"vm\",\"poc\":true,"
				"\"spec\":{\"flavor\":\"s.general.2c4g\"}}"),
			   "s.general.2c4g");
	expect_not_offered(post(token, "/v1/resources",
				"{\"type\":\"volume\",\"name\":\"disk\",\"poc\":true,"
				"\"spec\":{\"volume_type\":\"v.hdd\",\"size_gb\":10}}"),
			   "v.hdd");
	expect_not_offered(post(token, "/v1/resources",
				"{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
				"\"spec\":{\"item\":\"vlb.advanced\"}}"),
			   "vlb.advanced");
	/* a cluster: its nodes and boot volumes are what is paid */
	expect_not_offered(post(token, "/v1/resources",
				"{\"type\":\"cluster\",\"name\":\"k\",\"poc\":true,"
				"\"spec\":{\"node_flavor\":\"s.general.1c2g\",\"node_count\":1,"
				"\"boot_volume_type\":\"v.ssd\"}}"),
			   "s.general.1c2g");
	expect_not_offered(post(token, "/v1/checkouts",
				"{\"kind\":\"purchase\",\"cycle_months\":1,\"auto_renew\":false,"
				"\"items\":[{\"type\":\"volume\",\"name\":\"d\",\"spec\":"
				"{\"volume_type\":\"v.ssd\",\"size_gb\":10}},{\"type\":\"server\","
				"\"name\":\"vm\",\"spec\":{\"flavor\":\"s.general.1c2g\"}}]}"),
			   "s.general.1c2g");
	cr_expect_eq(count_of("/v1/resources"), 0);
	cr_expect_eq(count_of("/v1/invoices"), 0);

	/* what is priced in USD is bought in USD, at its USD price */
	tt_response r = post(token, "/v1/checkouts",
			     "{\"kind\":\"purchase\",\"cycle_months\":1,\"auto_renew\":false,"
			     "\"items\":[{\"type\":\"volume\",\"name\":\"d\",\"spec\":"
			     "{\"volume_type\":\"v.ssd\",\"size_gb\":10}}]}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "currency")), "USD");
	cr_expect_eq(json_integer_value(json_object_get(r.json, "subtotal")), 120, "%s", r.raw);
	tt_response_free(&r);
	char snap[64];
	create("{\"type\":\"snapshot\",\"name\":\"s\",\"poc\":false,\"spec\":{\"size_gb\":10}}",
	       snap);
	cr_expect_eq(count_of("/v1/resources"), 1);
}

/* A POC server and a prepaid server made while their flavors had USD
 * prices; the catalog then stops pricing them in USD: Stop POC (preview
 * and confirm) and renewal are refused, and the resources stay as they
 * were. */
Test(currency, conversion_and_renewal_need_a_price_in_the_account_currency)
{
	char poc[64], path[160];
	create("{\"type\":\"server\",\"name\":\"vm\",\"poc\":true,"
	       "\"spec\":{\"flavor\":\"s.general.2c4g\"}}", poc);
	tt_response r = post(token, "/v1/checkouts",
			     "{\"kind\":\"purchase\",\"cycle_months\":1,\"auto_renew\":false,"
			     "\"items\":[{\"type\":\"server\",\"name\":\"paid\",\"spec\":"
			     "{\"flavor\":\"s.general.1c2g\"}}]}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char checkout[64];
	snprintf(checkout, sizeof(checkout), "%s", json_string_value(json_object_get(r.json, "id")));
	cr_expect_eq(json_integer_value(json_object_get(r.json, "subtotal")), 1000, "%s", r.raw);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", checkout);
	r = post(token, path, "{\"method\":\"credit\"}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/resources?billing=prepaid", token, NULL, NULL);
	char paid[64];
	snprintf(paid, sizeof(paid), "%s",
		 json_string_value(json_object_get(json_array_get(json_object_get(r.json, "data"), 0),
						   "id")));
	tt_response_free(&r);

	start_with(false, true);
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc/preview", poc);
	expect_not_offered(post(token, path, "{}"), "s.general.2c4g");
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc", poc);
	expect_not_offered(post(token, path, "{\"cycle_months\":1,\"auto_renew\":false}"),
			   "s.general.2c4g");
	snprintf(path, sizeof(path), "/v1/resources/%s/renew", paid);
	expect_not_offered(post(token, path, "{\"cycle_months\":1}"), "s.general.1c2g");

	snprintf(path, sizeof(path), "/v1/resources/%s", poc);
	r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r.json, "billing"),
							     "mode")), "poc", "%s", r.raw);
	cr_expect(json_is_null(json_object_get(r.json, "open_checkout_id")) ||
		  json_object_get(r.json, "open_checkout_id") == NULL, "%s", r.raw);
	tt_response_free(&r);
	cr_expect_eq(count_of("/v1/invoices"), 1); /* the purchase's only */
}

static json_t *only_invoice_of(const char *resource_id)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/invoices?resource_id=%s", resource_id);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	json_t *data = json_object_get(r.json, "data");
	cr_assert_eq(json_array_size(data), 1, "%s", r.raw);
	json_t *inv = json_incref(json_array_get(data, 0));
	tt_response_free(&r);
	return inv;
}

/* A postpaid load balancer is invoiced in USD at its USD price: March,
 * 44,640 minutes at 1,600 cents a month is 1,653 cents, plus 10% tax
 * (before, 400,000 VND a month was invoiced and paid from the USD wallet,
 * cent for dong). Once the catalog has no USD price for it, its use is not
 * priced at all: an event says why, no invoice. */
Test(currency, a_postpaid_load_balancer_is_never_charged_in_vnd)
{
	char lb[64];
	create("{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
	       "\"spec\":{\"item\":\"vlb.basic\"}}", lb);
	set_clock("2027-04-01T00:00:00Z");
	json_t *inv = only_invoice_of(lb);
	cr_expect_str_eq(json_string_value(json_object_get(inv, "currency")), "USD");
	cr_expect_eq(json_integer_value(json_object_get(inv, "subtotal")), 1653);
	cr_expect_eq(json_integer_value(json_object_get(inv, "total")), 1653 + 165);
	cr_expect_str_eq(json_string_value(json_object_get(inv, "status")), "paid");
	json_decref(inv);
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(r.json, "credit"),
							"balance")),
		     1000000 - 1818, "%s", r.raw);
	tt_response_free(&r);

	start_with(false, true);
	set_clock("2027-05-01T00:00:00Z");
	inv = only_invoice_of(lb); /* still only March's */
	json_decref(inv);
	r = tt_request(&srv, "GET", "/v1/events?limit=100", token, NULL, NULL);
	cr_expect(strstr(r.raw, "usage.not_priced") != NULL, "%s", r.raw);
	cr_expect(strstr(r.raw, "currency_not_offered") != NULL, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_expect(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* The default catalog prices in VND only: a USD account can create and buy
 * nothing from it (before, a USD account's postpaid load balancer was
 * invoiced at 400,000 VND a month and paid cent for dong from its USD
 * wallet). */
static void start_default(void)
{
	tt_server_start(&srv, NULL);
	tt_response r = post(srv.admin_token, "/v1/accounts",
			     "{\"name\":\"Dollar Co\",\"currency\":\"USD\"}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(acc, sizeof(acc), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	tt_create_token(&srv, acc, token);
}
static void stop_default(void) { tt_server_stop(&srv); }

Test(currency_default, a_usd_account_gets_nothing_from_a_vnd_only_catalog,
     .init = start_default, .fini = stop_default)
{
	expect_not_offered(post(token, "/v1/resources",
				"{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
				"\"spec\":{\"item\":\"vlb.basic\"}}"),
			   "vlb.basic");
	expect_not_offered(post(token, "/v1/checkouts",
				"{\"kind\":\"purchase\",\"cycle_months\":1,\"auto_renew\":false,"
				"\"items\":[{\"type\":\"server\",\"name\":\"vm\",\"spec\":"
				"{\"flavor\":\"s.general.1c2g\"}}]}"),
			   "s.general.1c2g");
	cr_expect_eq(count_of("/v1/resources"), 0);
	tt_response r = tt_request(&srv, "GET", "/v1/catalog", token, NULL, NULL);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "currency")), "USD");
	cr_expect(json_is_null(json_object_get(item_of(r.json, "vlb.basic"), "monthly_price")),
		  "%s", r.raw);
	tt_response_free(&r);
}
