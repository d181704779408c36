/*
 * Scenario: the end of a prepaid term (DESIGN.md "Renewal"), by the test
 * clock: auto-renew 7 days ahead, retried daily; suspension at term end;
 * deletion 7 days later; manual renewal and recovery through a checkout.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80];

static void start(void)
{
	tt_server_start(&srv, NULL);
	tt_create_account(&srv, "Renewer", acc);
	tt_create_token(&srv, acc, token);
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
				   "{\"now\":\"2027-01-10T00:00:00Z\"}", NULL);
	tt_response_free(&r);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(renewals, .init = start, .fini = stop);

static void clock_to(const char *when)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", when);
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token, body, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
}

static void top_up(int64_t amount)
{
	char path[128], body[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	snprintf(body, sizeof(body), "{\"amount\":%lld}", (long long)amount);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
}

/* Creates the purchase checkout body describes and pays it by credit; its
 * first resource's id into out (when not NULL). */
static void purchase(const char *body, char *out)
{
	tt_response r = tt_request(&srv, "POST", "/v1/checkouts", token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	if (out)
		snprintf(out, 64, "%s",
			 json_string_value(json_array_get(json_object_get(r.json, "resources"), 0)));
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&srv, "POST", path, token, "{\"method\":\"credit\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
}

/* Buys one server for one month; its resource id into out. 528,000 VND. */
static void buy(bool auto_renew, char *out)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"kind\":\"purchase\",\"cycle_months\":1,\"auto_renew\":%s,"
		 "\"items\":[{\"type\":\"server\",\"name\":\"srv\",\"spec\":{\"flavor\":"
		 "\"s.general.2c4g\"}}]}", auto_renew ? "true" : "false");
	purchase(body, out);
}

static json_t *resource(const char *id)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/resources/%s", id);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	json_t *j = json_incref(r.json);
	tt_response_free(&r);
	return j;
}

static const char *field(json_t *res, const char *billing_field)
{
	static char out[32];
	json_t *v = billing_field ? json_object_get(json_object_get(res, "billing"), billing_field)
				  : json_object_get(res, "status");
	snprintf(out, sizeof(out), "%s", json_string_value(v) ? json_string_value(v) : "");
	return out;
}

static int count_invoices(const char *kind)
{
	tt_response r = tt_request(&srv, "GET", "/v1/invoices?limit=100", token, NULL, NULL);
	json_t *inv;
	size_t i;
	int n = 0;
	json_array_foreach(json_object_get(r.json, "data"), i, inv)
		n += strcmp(json_string_value(json_object_get(inv, "kind")), kind) == 0;
	tt_response_free(&r);
	return n;
}

static int64_t balance(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	int64_t v = json_integer_value(json_object_get(json_object_get(r.json, "credit"), "balance"));
	tt_response_free(&r);
	return v;
}

Test(renewals, auto_renew_charges_the_next_term_seven_days_ahead_once)
{
	top_up(2000000);
	char id[64];
	buy(true, id); /* term 2027-01-10 .. 2027-02-10 */
	json_t *r = resource(id);
	cr_assert_str_eq(field(r, "term_end"), "2027-02-10T00:00:00Z");
	json_decref(r);
	clock_to("2027-02-02T23:59:59Z");
	cr_assert_eq(count_invoices("renewal"), 0, "renewed more than 7 days ahead");
	clock_to("2027-02-03T00:00:00Z");
	cr_assert_eq(count_invoices("renewal"), 1);
	r = resource(id);
	cr_assert_str_eq(field(r, "term_end"), "2027-03-10T00:00:00Z");
	json_decref(r);
	cr_assert_eq(balance(), 2000000 - 2 * 528000);
	tt_response j = tt_request(&srv, "POST", "/v1/admin/jobs/run", srv.admin_token, NULL, NULL);
	tt_response_free(&j);
	cr_assert_eq(count_invoices("renewal"), 1, "renewed twice");
	tt_response inv = tt_request(&srv, "GET", "/v1/invoices?limit=1", token, NULL, NULL);
	json_t *period = json_object_get(json_array_get(json_object_get(inv.json, "data"), 0),
					 "period");
	cr_assert_str_eq(json_string_value(json_object_get(period, "start")), "2027-02-10T00:00:00Z",
			 "a renewal continues the term where it ends");
	tt_response_free(&inv);
}

/* Three terms renewed across three months, each 7 days before its end
 * (the clock jumps a day at a time, as the ticker would see it): three
 * invoices, the term moved on by a month each time, the wallet exact. */
Test(renewals, a_server_renewed_three_times_has_three_invoices_and_an_exact_wallet)
{
	top_up(3000000);
	char id[64];
	buy(true, id); /* term 2027-01-10 .. 2027-02-10 */
	static const char *const renew_days[] = {"2027-02-03T00:00:00Z", "2027-03-03T00:00:00Z",
						 "2027-04-03T00:00:00Z"};
	static const char *const term_ends[] = {"2027-03-10T00:00:00Z", "2027-04-10T00:00:00Z",
						"2027-05-10T00:00:00Z"};
	for (int i = 0; i < 3; i++) {
		clock_to(renew_days[i]);
		clock_to(renew_days[i]); /* the same time again renews nothing more */
		cr_assert_eq(count_invoices("renewal"), i + 1, "after renewal %d", i + 1);
		json_t *r = resource(id);
		cr_expect_str_eq(field(r, "term_end"), term_ends[i], "renewal %d", i + 1);
		cr_expect_str_eq(field(r, NULL), "active");
		json_decref(r);
	}
	cr_assert_eq(balance(), 3000000 - 4 * 528000, "one purchase and three renewals");
	tt_response check = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL,
				       NULL);
	cr_assert_eq(check.status, 200, "%s", check.raw);
	cr_assert(json_is_true(json_object_get(check.json, "ok")), "%s", check.raw);
	tt_response_free(&check);
}

Test(renewals, a_short_wallet_is_retried_daily_then_the_resource_is_suspended_and_deleted)
{
	top_up(528000);
	char id[64];
	buy(true, id);
	clock_to("2027-02-03T00:00:00Z");
	clock_to("2027-02-04T00:00:00Z");
	cr_assert_eq(count_invoices("renewal"), 0);
	top_up(528000); /* the money arrives: tomorrow's retry renews */
	clock_to("2027-02-05T00:00:00Z");
	cr_assert_eq(count_invoices("renewal"), 1);
	json_t *r = resource(id);
	cr_assert_str_eq(field(r, "term_end"), "2027-03-10T00:00:00Z");
	json_decref(r);
	/* no money for the next term: suspended at its end, deleted 7 days later */
	clock_to("2027-03-10T00:00:00Z");
	r = resource(id);
	cr_assert_str_eq(field(r, NULL), "suspended");
	json_decref(r);
	clock_to("2027-03-17T00:00:00Z");
	r = resource(id);
	cr_assert_str_eq(field(r, NULL), "deleted");
	json_decref(r);
}

Test(renewals, without_auto_renew_a_term_ends_and_the_resource_can_be_recovered)
{
	top_up(3000000);
	char id[64], path[128];
	buy(false, id);
	clock_to("2027-02-10T00:00:00Z");
	json_t *r = resource(id);
	cr_assert_str_eq(field(r, NULL), "suspended");
	json_decref(r);
	cr_assert_eq(count_invoices("renewal"), 0);
	snprintf(path, sizeof(path), "/v1/resources/%s/renew", id);
	tt_response c = tt_request(&srv, "POST", path, token, "{\"cycle_months\":3}", NULL);
	cr_assert_eq(c.status, 201, "%s", c.raw);
	cr_assert_str_eq(json_string_value(json_object_get(c.json, "kind")), "recovery");
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(c.json, "id")));
	tt_response_free(&c);
	c = tt_request(&srv, "POST", path, token, "{\"method\":\"credit\"}", NULL);
	cr_assert_eq(c.status, 200, "%s", c.raw);
	tt_response_free(&c);
	r = resource(id);
	cr_assert_str_eq(field(r, NULL), "active");
	cr_assert_str_eq(field(r, "term_end"), "2027-05-10T00:00:00Z");
	json_decref(r);
	cr_assert_eq(count_invoices("recovery"), 1);
	/* and a manual renewal continues from the end of the term */
	snprintf(path, sizeof(path), "/v1/resources/%s/renew", id);
	c = tt_request(&srv, "POST", path, token, "{\"cycle_months\":1}", NULL);
	cr_assert_str_eq(json_string_value(json_object_get(c.json, "kind")), "renewal", "%s", c.raw);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(c.json, "id")));
	tt_response_free(&c);
	c = tt_request(&srv, "POST", path, token, "{\"method\":\"credit\"}", NULL);
	cr_assert_eq(c.status, 200, "%s", c.raw);
	tt_response_free(&c);
	r = resource(id);
	cr_assert_str_eq(field(r, "term_end"), "2027-06-10T00:00:00Z");
	json_decref(r);
	tt_response chk = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(chk.json, "ok")), "%s", chk.raw);
	tt_response_free(&chk);
}

Test(renewals, only_prepaid_live_resources_are_renewed)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token,
				   "{\"amount\":1000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}", NULL);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/resources", token, "{\"type\":\"server\",\"name\":\"p\","
		       "\"poc\":true,\"spec\":{\"flavor\":\"s.general.2c4g\"}}", NULL);
	snprintf(path, sizeof(path), "/v1/resources/%s/renew",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&srv, "POST", path, token, "{\"cycle_months\":1}", NULL);
	cr_assert_eq(r.status, 409, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "not_renewable");
	tt_response_free(&r);
}

Test(renewals, deleting_a_prepaid_resource_early_refunds_the_unused_minutes)
{
	top_up(1000000);
	char id[64], path[128];
	buy(false, id); /* 2027-01-10 .. 2027-02-10: 44,640 minutes for 480,000 + 48,000 tax */
	clock_to("2027-01-25T00:00:00Z"); /* 23,040 minutes left */
	snprintf(path, sizeof(path), "/v1/resources/%s", id);
	tt_response r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	/* 480,000 x 23,040 / 44,640 = 247,741.9 -> 247,742; 48,000 x ... = 24,774.2 -> 24,774 */
	cr_assert_eq(balance(), 1000000 - 528000 + 247742 + 24774);
	cr_assert_eq(count_invoices("credit_note"), 1);
	tt_response inv = tt_request(&srv, "GET", "/v1/invoices?limit=1", token, NULL, NULL);
	json_t *note = json_array_get(json_object_get(inv.json, "data"), 0);
	cr_assert_eq(json_integer_value(json_object_get(note, "total")), 272516, "%s", inv.raw);
	tt_response_free(&inv);
	tt_response chk = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(chk.json, "ok")), "%s", chk.raw);
	tt_response_free(&chk);
}

/* Deleted after its auto-renewal was charged (7 days ahead): the rest of
 * the current term and the whole next one come back, a credit note each. */
Test(renewals, deleting_after_an_auto_renewal_refunds_both_terms)
{
	top_up(2000000);
	char id[64], path[128];
	buy(true, id); /* 2027-01-10 .. 2027-02-10, 44,640 minutes */
	clock_to("2027-02-03T00:00:00Z"); /* renewed to 2027-03-10; 10,080 minutes left */
	cr_assert_eq(count_invoices("renewal"), 1);
	snprintf(path, sizeof(path), "/v1/resources/%s", id);
	tt_response r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	/* current: 480,000 x 10,080 / 44,640 = 108,387.1 -> 108,387 and
	 * 48,000 x ... = 10,838.7 -> 10,839; the renewal: all of 528,000 */
	cr_assert_eq(count_invoices("credit_note"), 2);
	cr_assert_eq(balance(), 2000000 - 2 * 528000 + 108387 + 10839 + 528000);
	tt_response chk = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(chk.json, "ok")), "%s", chk.raw);
	tt_response_free(&chk);
}

/* Purchases, renewals, usage invoices and credit notes are issued by three
 * different flows, but through one numbering: a year's numbers run 1, 2,
 * 3, ... across every kind, none repeated or skipped, and the API reads
 * back each kind in order (newest first). */
Test(renewals, every_kind_of_invoice_shares_one_gap_free_numbering)
{
	top_up(3000000);
	char id[64], path[128];
	buy(true, id); /* purchase */
	tt_response r = tt_request(&srv, "POST", "/v1/resources", token,
				   "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
				   "\"spec\":{}}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	clock_to("2027-02-03T00:00:00Z"); /* the renewal; January's use of the LB */
	snprintf(path, sizeof(path), "/v1/resources/%s", id);
	r = tt_request(&srv, "DELETE", path, token, NULL, NULL); /* two credit notes */
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/invoices?limit=100", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *list = json_object_get(r.json, "data"), *inv;
	size_t n = json_array_size(list), i;
	/* the clock's jumps run the renewals before the reconciliation */
	const char *const kinds[] = {"purchase", "renewal", "usage", "credit_note",
				     "credit_note"};
	cr_assert_eq(n, 5, "%s", r.raw);
	json_array_foreach(list, i, inv) {
		char want[32];
		snprintf(want, sizeof(want), "INV-2027-%06zu", n - i); /* newest first */
		cr_expect_str_eq(json_string_value(json_object_get(inv, "number")), want, "%s",
				 r.raw);
		cr_expect_str_eq(json_string_value(json_object_get(inv, "kind")), kinds[n - 1 - i]);
	}
	tt_response_free(&r);
	tt_response chk = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(chk.json, "ok")), "%s", chk.raw);
	tt_response_free(&chk);
}

/* Buys n servers for one month without auto-renew, in one checkout. */
static void buy_many(int n)
{
	json_t *items = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:{s:s}}", "type", "server", "name",
						       "crowd", "spec", "flavor", "s.general.2c4g"));
	json_t *body = json_pack("{s:s, s:i, s:b, s:o}", "kind", "purchase", "cycle_months", 1,
				 "auto_renew", 0, "items", items);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	purchase(text, NULL);
	free(text);
}

/* More terms with nothing to do in their last week than one pass takes
 * (500) end just before a renewing one: it is still renewed. The sweep
 * used to take the 500 soonest-ending terms, the same 500 every pass. */
Test(renewals, a_renewal_behind_more_than_a_pass_of_idle_terms_is_charged)
{
	top_up(400000000);
	for (int i = 0; i < 6; i++)
		buy_many(90); /* 540 servers ending 2027-02-10, no auto-renew */
	clock_to("2027-01-11T00:00:00Z");
	char id[64];
	buy(true, id); /* ends 2027-02-11: first try on 2027-02-04 */
	clock_to("2027-02-04T00:00:00Z");
	json_t *res = resource(id);
	cr_assert_str_eq(field(res, "term_end"), "2027-03-11T00:00:00Z", "not renewed");
	json_decref(res);
	cr_assert_eq(count_invoices("renewal"), 1);
}
