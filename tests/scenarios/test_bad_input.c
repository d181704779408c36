/* Scenario: bad input gets a clear error, never a crash, never a change. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static void start(void) { tt_server_start(&srv, NULL); }
static void stop(void)
{
	/* the server must still be healthy after every bad request */
	tt_response r = tt_request(&srv, "GET", "/healthz", NULL, NULL, NULL);
	cr_expect_eq(r.status, 200, "tallyd is unhealthy after the test");
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/accounts", srv.admin_token, NULL, NULL);
	cr_expect_eq(json_array_size(json_object_get(r.json, "data")), 0,
		     "a rejected request left an account behind: %s", r.raw);
	tt_response_free(&r);
	tt_server_stop(&srv);
}
TestSuite(bad_input, .init = start, .fini = stop);

static void expect_error(const char *method, const char *path, const char *token,
			 const char *body, long status, const char *code)
{
	tt_response r = tt_request(&srv, method, path, token, body, NULL);
	cr_expect_eq(r.status, status, "%s %s %s -> %ld %s", method, path, body ? body : "",
		     r.status, r.raw);
	cr_expect_str_eq(tt_error_code(&r), code, "%s %s %s", method, path, body ? body : "");
	cr_expect(strstr(r.content_type, "application/json") != NULL);
	const char *message = json_string_value(
		json_object_get(json_object_get(r.json, "error"), "message"));
	cr_expect(message && message[0], "no message in %s", r.raw);
	tt_response_free(&r);
}

Test(bad_input, malformed_json_is_400_with_the_byte_offset)
{
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				   "{\"name\": \"x\",, }", NULL);
	cr_assert_eq(r.status, 400);
	cr_assert_str_eq(tt_error_code(&r), "invalid_json");
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_assert_eq(json_integer_value(json_object_get(details, "offset")), 14, "%s", r.raw);
	tt_response_free(&r);
	expect_error("POST", "/v1/accounts", srv.admin_token, "not json", 400, "invalid_json");
	expect_error("POST", "/v1/accounts", srv.admin_token, "{\"name\":\"x\"} trailing", 400,
		     "invalid_json");
}

Test(bad_input, unknown_fields_and_wrong_types_are_400)
{
	expect_error("POST", "/v1/accounts", srv.admin_token, "{\"name\":\"x\",\"nmae\":\"y\"}",
		     400, "unknown_field");
	expect_error("POST", "/v1/accounts", srv.admin_token, "{\"name\":42}", 400,
		     "invalid_type");
	expect_error("POST", "/v1/accounts", srv.admin_token, "[\"name\"]", 400, "invalid_type");
	expect_error("POST", "/v1/accounts", srv.admin_token, "{}", 400, "missing_field");
	expect_error("POST", "/v1/accounts", srv.admin_token, "{\"name\":\"\"}", 400,
		     "invalid_name");
	expect_error("POST", "/v1/accounts", srv.admin_token,
		     "{\"name\":\"x\",\"currency\":\"DOGE\"}", 400, "unsupported_currency");
}

Test(bad_input, an_oversize_body_is_413)
{
	size_t size = 9u * 1024 * 1024;
	char *body = malloc(size + 1);
	memset(body, ' ', size);
	body[0] = '{';
	body[size - 1] = '}';
	body[size] = '\0';
	char auth[128];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", srv.admin_token);
	const char *headers[] = {auth, NULL};
	tt_response r = tt_request_h(&srv, "POST", "/v1/accounts", headers, body, size);
	cr_assert_eq(r.status, 413, "%ld %s", r.status, r.raw);
	cr_assert_str_eq(tt_error_code(&r), "body_too_large");
	tt_response_free(&r);
	free(body);
}

Test(bad_input, a_chunked_body_over_the_limit_is_cut_off)
{
	/* no Content-Length: the server learns the size only by reading */
	char cmd[1024], out[256];
	snprintf(cmd, sizeof(cmd),
		 "head -c 12000000 /dev/zero | tr '\\0' ' ' | curl -s -o /dev/null -w '%%{http_code}' "
		 "-m 20 -X POST -H 'Expect:' -H 'Transfer-Encoding: chunked' -H 'Authorization: Bearer %s' "
		 "--data-binary @- %s/v1/accounts", srv.admin_token, srv.url);
	tt_run(cmd, out, sizeof(out));
	cr_assert(strcmp(out, "413") == 0 || strcmp(out, "000") == 0,
		  "an over-size chunked body got %s", out);
}

Test(bad_input, errors_quoting_client_text_are_valid_json)
{
	/* a quoted value cut in the middle of a multi-byte character */
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				   "{\"name\":\"x\",\"currency\":\"a\u00e9\u00e9\u00e9\u00e9\"}",
				   NULL);
	cr_assert_eq(r.status, 400);
	cr_assert_str_eq(tt_error_code(&r), "unsupported_currency", "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/x%FF", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(tt_error_code(&r), "not_found", "body: %s", r.raw);
	tt_response_free(&r);
}

Test(bad_input, unknown_routes_and_methods)
{
	expect_error("GET", "/v1/nothing-here", srv.admin_token, NULL, 404, "not_found");
	expect_error("GET", "/v1/accounts/a/b/c", srv.admin_token, NULL, 404, "not_found");
	expect_error("DELETE", "/v1/accounts", srv.admin_token, NULL, 405, "method_not_allowed");
	expect_error("PUT", "/healthz", NULL, NULL, 405, "method_not_allowed");
}

Test(bad_input, missing_or_garbled_tokens_are_401)
{
	expect_error("GET", "/v1/accounts", NULL, NULL, 401, "missing_token");
	expect_error("GET", "/v1/accounts", "wrong", NULL, 401, "invalid_token");
	expect_error("GET", "/v1/events", "tly_short", NULL, 401, "invalid_token");
	expect_error("GET", "/v1/events",
		     "tly_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NULL, 401,
		     "invalid_token");
	/* a real token id with a wrong secret */
	char acc[64], token[80];
	tt_create_account(&srv, "t", acc);
	tt_create_token(&srv, acc, token);
	token[strlen(token) - 1] = token[strlen(token) - 1] == 'a' ? 'b' : 'a';
	expect_error("GET", "/v1/events", token, NULL, 401, "invalid_token");
	char auth[128];
	snprintf(auth, sizeof(auth), "Authorization: Basic %s", srv.admin_token);
	const char *headers[] = {auth, NULL};
	tt_response r = tt_request_h(&srv, "GET", "/v1/accounts", headers, NULL, 0);
	cr_expect_eq(r.status, 401);
	tt_response_free(&r);
	/* undo the account made above so the suite's emptiness check holds */
	tt_server_stop(&srv);
	tt_server_start(&srv, NULL);
}

Test(bad_input, bad_paging_parameters_are_400)
{
	expect_error("GET", "/v1/accounts?limit=abc", srv.admin_token, NULL, 400,
		     "invalid_parameter");
	expect_error("GET", "/v1/accounts?limit=501", srv.admin_token, NULL, 400,
		     "invalid_parameter");
	expect_error("GET", "/v1/accounts?limit=-1", srv.admin_token, NULL, 400,
		     "invalid_parameter");
}
