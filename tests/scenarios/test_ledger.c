/* Scenario: the ledger over HTTP — top-ups, POC grants, wallets, holds with
 * expiry by the clock, linked batches, idempotent transfer ids, bad input.
 * After every step GET /v1/ledger/check must say the books balance. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80], wallet[64];

static void start(void)
{
	tt_server_start(&srv, NULL);
	tt_create_account(&srv, "Ledger Co", acc);
	tt_create_token(&srv, acc, token);
	snprintf(wallet, sizeof(wallet), "cw_%s", acc + 4);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(ledger, .init = start, .fini = stop);

static void assert_books_balance(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "books do not balance: %s", r.raw);
	tt_response_free(&r);
}

static tt_response post(const char *path, const char *body)
{
	return tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
}

static tt_response transfers(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static tt_response transfers(const char *fmt, ...)
{
	char body[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	return post("/v1/ledger/transfers", body);
}

static void top_up(int64_t amount)
{
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	snprintf(body, sizeof(body), "{\"amount\":%lld,\"reference\":\"bank transfer\"}",
		 (long long)amount);
	tt_response r = post(path, body);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
}

/* credit.balance/held/available of the account, as its own token sees it */
static void credit(int64_t *balance, int64_t *held, int64_t *available)
{
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *c = json_object_get(r.json, "credit");
	*balance = json_integer_value(json_object_get(c, "balance"));
	*held = json_integer_value(json_object_get(c, "held"));
	*available = json_integer_value(json_object_get(c, "available"));
	tt_response_free(&r);
}

Test(ledger, a_top_up_shows_in_the_wallet_and_balances_the_books)
{
	top_up(1250000);
	int64_t balance, held, available;
	credit(&balance, &held, &available);
	cr_assert_eq(balance, 1250000);
	cr_assert_eq(held, 0);
	cr_assert_eq(available, 1250000);
	assert_books_balance();
	tt_response r = tt_request(&srv, "GET", "/v1/events", token, NULL, NULL);
	cr_assert(strstr(r.raw, "credit.topped_up"), "no audit event: %s", r.raw);
	tt_response_free(&r);
}

Test(ledger, a_top_up_with_a_bad_amount_changes_nothing)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	const char *bad[] = {"{\"amount\":0}", "{\"amount\":-5}", "{\"amount\":1.5}",
			     "{\"amount\":\"100\"}", "{\"amount\":99999999999999999999}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tt_response r = post(path, bad[i]);
		cr_expect_eq(r.status, 400, "%s -> %ld %s", bad[i], r.status, r.raw);
		tt_response_free(&r);
	}
	top_up(INT64_MAX);
	tt_response r = post(path, "{\"amount\":1}");
	cr_assert_eq(r.status, 422, "overflowing top-up: %s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "amount_overflows");
	tt_response_free(&r);
	int64_t balance, held, available;
	credit(&balance, &held, &available);
	cr_assert_eq(balance, INT64_MAX);
	assert_books_balance();
}

Test(ledger, a_top_up_for_an_unknown_account_is_404)
{
	tt_response r = post("/v1/accounts/acc_aaaaaaaaaaaaaaaa/credit", "{\"amount\":5}");
	cr_assert_eq(r.status, 404, "%s", r.raw);
	tt_response_free(&r);
}

Test(ledger, a_poc_grant_comes_from_promotional_credit)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = post(path, "{\"amount\":3000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	const char *id = json_string_value(json_object_get(r.json, "id"));
	cr_assert(id && strncmp(id, "pw_", 3) == 0);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	json_t *poc = json_array_get(json_object_get(r.json, "poc"), 0);
	cr_assert_eq(json_integer_value(json_object_get(poc, "balance")), 3000000, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(poc, "expires_at")),
			 "2099-01-01T00:00:00Z");
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/ledger/transfers?account=sys_promotional_vnd",
		       srv.admin_token, NULL, NULL);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 1, "%s", r.raw);
	tt_response_free(&r);
	r = post(path, "{\"amount\":5,\"expires_at\":\"2000-01-01T00:00:00Z\"}");
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_expiry");
	tt_response_free(&r);
	assert_books_balance();
}

Test(ledger, a_hold_reserves_credit_posts_partly_and_resolves_once)
{
	top_up(1000000);
	tt_response r = transfers("{\"transfers\":[{\"id\":\"hold-1\",\"debit_account\":\"%s\","
				  "\"credit_account\":\"sys_revenue_vnd\",\"amount\":600000,"
				  "\"code\":\"hold\",\"pending\":true,"
				  "\"expires_at\":\"2099-01-01T00:00:00Z\"}]}", wallet);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "created")), 1, "%s", r.raw);
	tt_response_free(&r);
	int64_t balance, held, available;
	credit(&balance, &held, &available);
	cr_assert_eq(balance, 1000000, "a hold must not change the balance");
	cr_assert_eq(held, 600000);
	cr_assert_eq(available, 400000);
	assert_books_balance();

	r = transfers("{\"transfers\":[{\"id\":\"cap-1\",\"post_pending_id\":\"hold-1\","
		      "\"amount\":450000,\"code\":\"capture\"},"
		      "{\"id\":\"cap-2\",\"post_pending_id\":\"hold-1\",\"code\":\"capture\"},"
		      "{\"id\":\"void-1\",\"void_pending_id\":\"hold-1\",\"code\":\"release\"}]}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *results = json_object_get(r.json, "results");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(results, 0), "result")),
			 "already_posted", "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(results, 1), "result")),
			 "already_posted");
	tt_response_free(&r);
	credit(&balance, &held, &available);
	cr_assert_eq(balance, 550000);
	cr_assert_eq(held, 0);
	cr_assert_eq(available, 550000);

	r = tt_request(&srv, "GET", "/v1/holds", token, NULL, NULL);
	json_t *hold = json_array_get(json_object_get(r.json, "data"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(hold, "status")), "posted", "%s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(hold, "posted_amount")), 450000);
	tt_response_free(&r);
	assert_books_balance();
}

Test(ledger, a_hold_expires_by_the_clock_and_cannot_be_posted_after)
{
	top_up(500000);
	tt_response r = transfers("{\"transfers\":[{\"id\":\"h\",\"debit_account\":\"%s\","
		      "\"credit_account\":\"sys_revenue_vnd\",\"amount\":200000,\"code\":\"hold\","
		      "\"pending\":true,\"expires_at\":\"2099-01-01T00:00:00Z\"}]}", wallet);
	tt_response_free(&r);
	/* a second hold expiring in an hour */
	r = post("/v1/admin/clock", "{\"now\":\"2030-01-01T00:00:00Z\"}");
	tt_response_free(&r);
	r = transfers("{\"transfers\":[{\"id\":\"h-short\",\"debit_account\":\"%s\","
		      "\"credit_account\":\"sys_revenue_vnd\",\"amount\":100000,\"code\":\"hold\","
		      "\"pending\":true,\"expires_at\":\"2030-01-01T01:00:00Z\"}]}", wallet);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "created")), 1, "%s", r.raw);
	tt_response_free(&r);
	int64_t balance, held, available;
	credit(&balance, &held, &available);
	cr_assert_eq(held, 300000);

	r = post("/v1/admin/clock", "{\"advance_seconds\":3599}");
	tt_response_free(&r);
	credit(&balance, &held, &available);
	cr_assert_eq(held, 300000, "expired a second early");
	r = post("/v1/admin/clock", "{\"advance_seconds\":1}");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.json, "jobs"),
							"holds_expired")), 1, "%s", r.raw);
	tt_response_free(&r);
	credit(&balance, &held, &available);
	cr_assert_eq(held, 200000);
	cr_assert_eq(available, 300000);
	cr_assert_eq(balance, 500000);

	r = transfers("{\"transfers\":[{\"id\":\"late\",\"post_pending_id\":\"h-short\","
		      "\"code\":\"capture\"}]}");
	json_t *result = json_array_get(json_object_get(r.json, "results"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(result, "result")), "expired", "%s",
			 r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/events", token, NULL, NULL);
	cr_assert(strstr(r.raw, "hold.expired"), "no audit event for the expiry: %s", r.raw);
	tt_response_free(&r);
	assert_books_balance();
}

Test(ledger, a_linked_batch_is_all_or_nothing)
{
	top_up(100);
	tt_response r = transfers("{\"linked\":true,\"transfers\":["
		"{\"id\":\"l-1\",\"debit_account\":\"%s\",\"credit_account\":\"sys_revenue_vnd\","
		"\"amount\":60,\"code\":\"charge\"},"
		"{\"id\":\"l-2\",\"debit_account\":\"%s\",\"credit_account\":\"sys_tax_payable_vnd\","
		"\"amount\":41,\"code\":\"tax\"}]}", wallet, wallet);
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "linked_batch_failed");
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_assert_eq(json_integer_value(json_object_get(details, "index")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(details, "result")), "exceeds_credits");
	tt_response_free(&r);
	int64_t balance, held, available;
	credit(&balance, &held, &available);
	cr_assert_eq(balance, 100, "the first transfer of a failed linked batch was applied");
	/* the ids of a failed batch are not used up */
	r = transfers("{\"transfers\":[{\"id\":\"l-1\",\"debit_account\":\"%s\","
		      "\"credit_account\":\"sys_revenue_vnd\",\"amount\":60,\"code\":\"charge\"}]}",
		      wallet);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "created")), 1, "%s", r.raw);
	tt_response_free(&r);
	assert_books_balance();
}

Test(ledger, a_retried_transfer_id_moves_money_once)
{
	top_up(1000);
	for (int i = 0; i < 3; i++) {
		tt_response r = transfers("{\"transfers\":[{\"id\":\"pay-7\",\"debit_account\":\"%s\","
					  "\"credit_account\":\"sys_revenue_vnd\",\"amount\":300,"
					  "\"code\":\"charge\"}]}", wallet);
		cr_assert_eq(r.status, 200, "%s", r.raw);
		cr_assert_eq(json_integer_value(json_object_get(r.json, i ? "existing" : "created")),
			     1, "try %d: %s", i, r.raw);
		tt_response_free(&r);
	}
	tt_response r = transfers("{\"transfers\":[{\"id\":\"pay-7\",\"debit_account\":\"%s\","
				  "\"credit_account\":\"sys_revenue_vnd\",\"amount\":301,"
				  "\"code\":\"charge\"}]}", wallet);
	json_t *result = json_array_get(json_object_get(r.json, "results"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(result, "result")),
			 "exists_with_different_fields", "%s", r.raw);
	tt_response_free(&r);
	int64_t balance, held, available;
	credit(&balance, &held, &available);
	cr_assert_eq(balance, 700);
	assert_books_balance();
}

Test(ledger, per_transfer_failures_are_reported_by_index)
{
	top_up(10);
	tt_response r = transfers("{\"transfers\":["
		"{\"id\":\"ok\",\"debit_account\":\"%s\",\"credit_account\":\"sys_revenue_vnd\","
		"\"amount\":5,\"code\":\"charge\"},"
		"{\"id\":\"zero\",\"debit_account\":\"%s\",\"credit_account\":\"sys_revenue_vnd\","
		"\"amount\":0,\"code\":\"charge\"},"
		"{\"id\":\"neg\",\"debit_account\":\"%s\",\"credit_account\":\"sys_revenue_vnd\","
		"\"amount\":-1,\"code\":\"charge\"},"
		"{\"id\":\"usd\",\"debit_account\":\"%s\",\"credit_account\":\"sys_revenue_usd\","
		"\"amount\":1,\"code\":\"charge\"},"
		"{\"id\":\"self\",\"debit_account\":\"%s\",\"credit_account\":\"%s\","
		"\"amount\":1,\"code\":\"charge\"},"
		"{\"id\":\"bad id!\",\"debit_account\":\"%s\",\"credit_account\":\"sys_revenue_vnd\","
		"\"amount\":1,\"code\":\"charge\"},"
		"{\"id\":\"ghost\",\"post_pending_id\":\"nope\",\"code\":\"capture\"}]}",
		wallet, wallet, wallet, wallet, wallet, wallet, wallet);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	const char *expected[] = {"amount_must_be_positive", "amount_must_be_positive",
				  "currency_mismatch", "accounts_must_be_different", "id_invalid",
				  "pending_transfer_not_found"};
	json_t *results = json_object_get(r.json, "results");
	cr_assert_eq(json_array_size(results), 6, "%s", r.raw);
	for (size_t i = 0; i < 6; i++) {
		json_t *e = json_array_get(results, i);
		cr_expect_eq(json_integer_value(json_object_get(e, "index")), (json_int_t)i + 1);
		cr_expect_str_eq(json_string_value(json_object_get(e, "result")), expected[i]);
	}
	cr_assert_eq(json_integer_value(json_object_get(r.json, "created")), 1);
	tt_response_free(&r);
	assert_books_balance();
}

Test(ledger, malformed_batches_are_400_with_the_index)
{
	struct { const char *body, *code; } cases[] = {
		{"{\"transfers\":[]}", "invalid_batch"},
		{"{\"transfers\":{}}", "invalid_type"},
		{"{\"transfers\":[{\"id\":\"a\",\"code\":\"c\",\"debit_account\":\"x\","
		 "\"credit_account\":\"y\",\"amount\":1,\"colour\":\"red\"}]}", "unknown_field"},
		{"{\"transfers\":[{\"id\":\"a\",\"code\":\"c\",\"debit_account\":\"x\","
		 "\"credit_account\":\"y\",\"amount\":\"1\"}]}", "invalid_type"},
		{"{\"transfers\":[{\"id\":\"a\",\"code\":\"c\",\"debit_account\":\"x\"}]}",
		 "missing_field"},
		{"{\"transfers\":[{\"id\":\"a\",\"code\":\"c\",\"post_pending_id\":\"p\","
		 "\"void_pending_id\":\"p\"}]}", "invalid_request"},
		{"{\"transfers\":[{\"id\":\"a\",\"code\":\"c\",\"debit_account\":\"x\","
		 "\"credit_account\":\"y\",\"amount\":1,\"pending\":true,"
		 "\"expires_at\":\"soon\"}]}", "invalid_time"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tt_response r = post("/v1/ledger/transfers", cases[i].body);
		cr_expect_eq(r.status, 400, "%s -> %ld %s", cases[i].body, r.status, r.raw);
		cr_expect_str_eq(tt_error_code(&r), cases[i].code, "%s", cases[i].body);
		tt_response_free(&r);
	}
	/* one over the batch limit */
	size_t size = 8191 * 128 + 64;
	char *body = malloc(size), *p = body;
	p += snprintf(p, size, "{\"transfers\":[");
	for (int i = 0; i < 8191; i++)
		p += snprintf(p, size - (size_t)(p - body),
			      "%s{\"id\":\"b%d\",\"code\":\"c\",\"debit_account\":\"x\","
			      "\"credit_account\":\"y\",\"amount\":1}", i ? "," : "", i);
	snprintf(p, size - (size_t)(p - body), "]}");
	tt_response r = post("/v1/ledger/transfers", body);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_batch");
	tt_response_free(&r);
	free(body);
	assert_books_balance();
}

Test(ledger, accounts_see_only_their_own_money)
{
	char other[64], other_token[80];
	tt_create_account(&srv, "Other", other);
	tt_create_token(&srv, other, other_token);
	top_up(777);
	char path[160];
	snprintf(path, sizeof(path), "/v1/wallets?account_id=%s", acc);
	tt_response r = tt_request(&srv, "GET", path, other_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "account_id")), other,
			 "an account token read another account's wallet");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.json, "credit"),
							"balance")), 0);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/ledger/transfers?account=sys_revenue_vnd", other_token,
		       NULL, NULL);
	cr_assert_eq(r.status, 403);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/wallets", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "missing_parameter");
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/wallets?account_id=acc_aaaaaaaaaaaaaaaa", srv.admin_token,
		       NULL, NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	tt_response_free(&r);
}
