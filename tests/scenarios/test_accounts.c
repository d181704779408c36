/* Scenario: accounts and tokens through a real tallyd. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static void start(void) { tt_server_start(&srv, NULL); }
static void stop(void) { tt_server_stop(&srv); }
TestSuite(accounts, .init = start, .fini = stop);

Test(accounts, admin_creates_an_account_and_a_token_that_sees_it)
{
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				   "{\"name\":\"Acme Cloud\",\"currency\":\"USD\"}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	const char *id = json_string_value(json_object_get(r.json, "id"));
	cr_assert(id && strncmp(id, "acc_", 4) == 0);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "currency")), "USD");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "type")), "prepaid");
	char acc[64], token[80], path[128];
	snprintf(acc, sizeof(acc), "%s", id);
	tt_response_free(&r);

	tt_create_token(&srv, acc, token);
	cr_assert(strncmp(token, "tly_", 4) == 0, "%s", token);
	snprintf(path, sizeof(path), "/v1/accounts/%s", acc);
	r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "name")), "Acme Cloud");
	tt_response_free(&r);
}

Test(accounts, an_account_token_cannot_see_another_account)
{
	char a[64], b[64], token_a[80], path[128];
	tt_create_account(&srv, "A", a);
	tt_create_account(&srv, "B", b);
	tt_create_token(&srv, a, token_a);
	snprintf(path, sizeof(path), "/v1/accounts/%s", b);
	tt_response r = tt_request(&srv, "GET", path, token_a, NULL, NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "account_not_found");
	tt_response_free(&r);
	/* and its events list holds only its own account's events */
	r = tt_request(&srv, "GET", "/v1/events", token_a, NULL, NULL);
	cr_assert_eq(r.status, 200);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "data"), i, e)
		cr_expect_str_eq(json_string_value(json_object_get(e, "account_id")), a);
	cr_assert_gt(json_array_size(json_object_get(r.json, "data")), 0);
	tt_response_free(&r);
}

Test(accounts, admin_calls_refuse_account_tokens)
{
	char a[64], token[80];
	tt_create_account(&srv, "A", a);
	tt_create_token(&srv, a, token);
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", token, "{\"name\":\"x\"}", NULL);
	cr_assert_eq(r.status, 403, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "forbidden");
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/accounts", token, NULL, NULL);
	cr_assert_eq(r.status, 403);
	tt_response_free(&r);
}

Test(accounts, token_for_a_missing_account_is_404)
{
	tt_response r = tt_request(&srv, "POST", "/v1/accounts/acc_aaaaaaaaaaaaaaaa/tokens",
				   srv.admin_token, "{}", NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "account_not_found");
	tt_response_free(&r);
}

Test(accounts, lists_newest_first_with_a_cursor)
{
	char ids[5][64];
	for (int i = 0; i < 5; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		tt_create_account(&srv, name, ids[i]);
	}
	tt_response r = tt_request(&srv, "GET", "/v1/accounts?limit=2", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *data = json_object_get(r.json, "data");
	cr_assert_eq(json_array_size(data), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(data, 0), "id")), ids[4]);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(data, 1), "id")), ids[3]);
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts?limit=2&after=%s",
		 json_string_value(json_object_get(r.json, "next")));
	tt_response_free(&r);
	r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
	data = json_object_get(r.json, "data");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(data, 0), "id")), ids[2]);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/accounts?limit=0", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 400);
	cr_assert_str_eq(tt_error_code(&r), "invalid_parameter");
	tt_response_free(&r);
}

Test(accounts, every_change_has_an_audit_event)
{
	char a[64], token[80], path[128];
	tt_create_account(&srv, "Audited", a);
	tt_create_token(&srv, a, token);
	snprintf(path, sizeof(path), "/v1/events?account_id=%s", a);
	tt_response r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
	json_t *data = json_object_get(r.json, "data");
	cr_assert_eq(json_array_size(data), 2, "%s", r.raw);
	json_t *token_event = json_array_get(data, 0), *account_event = json_array_get(data, 1);
	cr_assert_str_eq(json_string_value(json_object_get(token_event, "type")), "token.created");
	cr_assert_str_eq(json_string_value(json_object_get(account_event, "type")),
			 "account.created");
	cr_assert_str_eq(json_string_value(json_object_get(account_event, "actor")), "admin");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(account_event, "after"), "name")), "Audited");
	cr_assert(json_is_null(json_object_get(account_event, "before")));
	/* the token's secret is never in the trail */
	cr_assert_null(strstr(r.raw, token + 21), "token secret leaked into events");
	tt_response_free(&r);
}
