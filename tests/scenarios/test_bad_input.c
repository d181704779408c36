/* Scenario: bad input gets a clear error, never a crash, never a change. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
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
	cr_expect_eq(r.status, status, "%s %s %.120s -> %ld %.200s", method, path,
		     body ? body : "", r.status, r.raw);
	cr_expect_str_eq(tt_error_code(&r), code, "%s %s %.120s", method, path, body ? body : "");
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

/* ---- bodies that are not one JSON object, on every route that reads one ---- */

/* The route's pattern with each {param} replaced by a made-up id. */
static void concrete_path(const char *pattern, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = pattern; *p && n + 8 < size; p++) {
		if (*p == '{') {
			n += (size_t)snprintf(out + n, size - n, "x_1");
			p = strchr(p, '}');
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static void expect_healthy(void)
{
	tt_response r = tt_request(&srv, "GET", "/healthz", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "tallyd is down");
	tt_response_free(&r);
}

/* tallyd used to json_decref an uninitialised pointer when the body of a
 * call with no fields (cancel, disable, jobs/run) did not parse: SIGSEGV. */
Test(bad_input, every_write_route_refuses_bodies_that_are_not_an_object)
{
	const char *bodies[] = {"{", "null", "[]", "\"x\"", "1", "[", "{\"a\":", "tru"};
	int checked = 0;
	for (size_t i = 0; i < tl_route_count; i++) {
		const tl_route *route = &tl_routes[i];
		if (strcmp(route->method, "GET") == 0)
			continue;
		char path[128];
		concrete_path(route->pattern, path, sizeof(path));
		/* the gateway's calls take forms and answer 422/404 while it is off */
		bool form = route->auth == TL_AUTH_NONE;
		for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
			tt_response r = tt_request(&srv, route->method, path, srv.admin_token,
						   bodies[b], NULL);
			const char *code = tt_error_code(&r);
			if (form) {
				cr_expect(r.status >= 400 && r.status < 500 && code[0],
					  "%s %s %s -> %ld %s", route->method, path, bodies[b],
					  r.status, r.raw);
			} else {
				cr_expect_eq(r.status, 400, "%s %s %s -> %ld %s", route->method, path,
					     bodies[b], r.status, r.raw);
				cr_expect(strcmp(code, "invalid_json") == 0 ||
					  strcmp(code, "invalid_type") == 0,
					  "%s %s %s -> %s", route->method, path, bodies[b], r.raw);
			}
			tt_response_free(&r);
			expect_healthy();
			checked++;
		}
	}
	cr_assert_gt(checked, 100, "the route table has the write routes");
}

/* A deeply nested body: refused before jansson recurses into it. */
static char *nested(size_t depth, const char *open, const char *inner, const char *close)
{
	size_t size = depth * (strlen(open) + strlen(close)) + strlen(inner) + 1, n = 0;
	char *s = malloc(size);
	for (size_t i = 0; i < depth; i++)
		n += (size_t)snprintf(s + n, size - n, "%s", open);
	n += (size_t)snprintf(s + n, size - n, "%s", inner);
	for (size_t i = 0; i < depth; i++)
		n += (size_t)snprintf(s + n, size - n, "%s", close);
	return s;
}

Test(bad_input, deeply_nested_json_is_refused_as_too_deep)
{
	char *arrays = nested(2000, "[", "1", "]");
	size_t size = strlen(arrays) + 64;
	char *body = malloc(size);
	snprintf(body, size, "{\"name\":\"deep\",\"currency\":%s}", arrays);
	expect_error("POST", "/v1/accounts", srv.admin_token, body, 400, "json_too_deep");
	free(body);
	free(arrays);
	char *objects = nested(33, "{\"a\":", "1", "}");
	expect_error("POST", "/v1/accounts", srv.admin_token, objects, 400, "json_too_deep");
	free(objects);
	/* brackets inside a string are text, not nesting */
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				   "{\"name\":\"x\",\"currency\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}",
				   NULL);
	cr_expect_str_eq(tt_error_code(&r), "unsupported_currency", "%s", r.raw);
	tt_response_free(&r);
}

/* ---- with an account: nested objects, paths, ranges, POC grants ---------- */

static tt_server asrv;
static char acc[64], token[80];

static void start_with_account(void)
{
	tt_server_start(&asrv, NULL);
	tt_create_account(&asrv, "Input", acc);
	tt_create_token(&asrv, acc, token);
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = tt_request(&asrv, "POST", path, asrv.admin_token,
				   "{\"amount\":100000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}",
				   NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
}

static void stop_with_account(void)
{
	tt_response r = tt_request(&asrv, "GET", "/healthz", NULL, NULL, NULL);
	cr_expect_eq(r.status, 200, "tallyd is unhealthy after the test");
	tt_response_free(&r);
	tt_server_stop(&asrv);
}

TestSuite(input, .init = start_with_account, .fini = stop_with_account);

/* status, code and details.field of one call as the account */
static void expect_field_error(const char *method, const char *path, const char *body,
			       long status, const char *code, const char *field)
{
	tt_response r = tt_request(&asrv, method, path, token, body, NULL);
	cr_expect_eq(r.status, status, "%s %s %.120s -> %ld %.200s", method, path,
		     body ? body : "", r.status, r.raw);
	cr_expect_str_eq(tt_error_code(&r), code, "%s %.120s -> %.200s", path, body ? body : "",
			 r.raw);
	if (field) {
		const char *named = json_string_value(json_object_get(
			json_object_get(json_object_get(r.json, "error"), "details"), "field"));
		cr_expect(named && strcmp(named, field) == 0, "%s -> field %s, not %s", body,
			  named ? named : "(none)", field);
	}
	tt_response_free(&r);
}

static size_t resource_count(void)
{
	tt_response r = tt_request(&asrv, "GET", "/v1/resources", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "listing resources: %s", r.raw);
	size_t n = json_array_size(json_object_get(r.json, "data"));
	tt_response_free(&r);
	return n;
}

Test(input, a_deeply_nested_spec_is_refused_and_nothing_is_stored)
{
	char *deep = nested(2000, "{\"x\":", "1", "}");
	size_t size = strlen(deep) + 256;
	char *body = malloc(size);
	snprintf(body, size, "{\"type\":\"server\",\"name\":\"deep\",\"poc\":true,\"spec\":"
		      "{\"flavor\":\"s.general.1c2g\",\"x\":%s}}", deep);
	expect_field_error("POST", "/v1/resources", body, 400, "json_too_deep", NULL);
	snprintf(body, size, "{\"kind\":\"purchase\",\"cycle_months\":1,\"items\":[{\"type\":\"server\","
		      "\"name\":\"deep\",\"spec\":{\"flavor\":\"s.general.1c2g\",\"x\":%s}}]}", deep);
	expect_field_error("POST", "/v1/checkouts", body, 400, "json_too_deep", NULL);
	free(body);
	free(deep);
	cr_assert_eq(resource_count(), 0);
}

Test(input, nested_objects_are_strict_at_every_depth)
{
	struct { const char *body, *code, *field; } resources[] = {
		{"{\"type\":\"cluster\",\"name\":\"k\",\"poc\":true,\"spec\":{\"service\":123}}",
		 "invalid_type", "spec.service"},
		{"{\"type\":\"cluster\",\"name\":\"k\",\"poc\":true,\"spec\":{\"node_count\":\"3\"}}",
		 "invalid_type", "spec.node_count"},
		{"{\"type\":\"server\",\"name\":\"s\",\"poc\":true,\"spec\":{\"flavour\":\"s.general.1c2g\"}}",
		 "unknown_field", "spec.flavour"},
		{"{\"type\":\"server\",\"name\":\"s\",\"poc\":true,\"spec\":{\"flavor\":\"s.general.1c2g\","
		 "\"extra\":{\"a\":[1]}}}", "unknown_field", "spec.extra"},
		{"{\"type\":\"volume\",\"name\":\"v\",\"poc\":true,\"spec\":{\"volume_type\":\"v.ssd\","
		 "\"size_gb\":10.5}}", "invalid_type", "spec.size_gb"},
		{"{\"type\":\"server\",\"name\":\"a\\u0001b\",\"poc\":true,\"spec\":{}}",
		 "invalid_value", "name"},
	};
	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		expect_field_error("POST", "/v1/resources", resources[i].body, 400,
				   resources[i].code, resources[i].field);
	struct { const char *items, *code, *field; } checkouts[] = {
		{"[{\"type\":\"server\",\"nmae\":\"a\",\"spec\":{\"flavor\":\"s.general.1c2g\"}}]",
		 "unknown_field", "items[0].nmae"},
		{"[{\"type\":\"server\",\"name\":\"a\",\"spec\":{\"flavor\":\"s.general.1c2g\"}},"
		 "{\"type\":\"volume\",\"name\":\"b\",\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":\"9\"}}]",
		 "invalid_type", "items[1].spec.size_gb"},
		{"[{\"type\":\"server\",\"name\":\"a\",\"spec\":{\"flavor\":\"s.general.1c2g\",\"zone\":\"x\"}}]",
		 "unknown_field", "items[0].spec.zone"},
		{"[5]", "invalid_type", "items[0]"},
		{"[{\"type\":\"server\",\"name\":\"a\",\"spec\":[]}]", "invalid_type", "items[0].spec"},
	};
	char body[512];
	for (size_t i = 0; i < sizeof(checkouts) / sizeof(checkouts[0]); i++) {
		snprintf(body, sizeof(body), "{\"kind\":\"purchase\",\"cycle_months\":1,\"items\":%s}",
			 checkouts[i].items);
		expect_field_error("POST", "/v1/checkouts", body, 400, checkouts[i].code,
				   checkouts[i].field);
	}
	cr_assert_eq(resource_count(), 0, "a refused spec made a resource");
}

Test(input, path_parameters_with_nul_control_bytes_or_overlength_are_400)
{
	char path[256];
	const char *suffixes[] = {"%00", "%00zz", "%01", "%0a", "%7f"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "/v1/accounts/%s%s", acc, suffixes[i]);
		tt_response r = tt_request(&asrv, "GET", path, asrv.admin_token, NULL, NULL);
		cr_expect_eq(r.status, 400, "%s -> %ld %s", path, r.status, r.raw);
		cr_expect_str_eq(tt_error_code(&r), "invalid_path", "%s", path);
		tt_response_free(&r);
	}
	snprintf(path, sizeof(path), "/v1/accounts/%s%s", acc,
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	tt_response r = tt_request(&asrv, "GET", path, asrv.admin_token, NULL, NULL);
	cr_expect_eq(r.status, 400, "%s -> %ld %s", path, r.status, r.raw);
	cr_expect_str_eq(tt_error_code(&r), "invalid_path", "%s", path);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/accounts/%s%%00/credit", acc);
	r = tt_request(&asrv, "POST", path, asrv.admin_token, "{\"amount\":5}", NULL);
	cr_expect_eq(r.status, 400, "a top-up through %s: %s", path, r.raw);
	tt_response_free(&r);
	/* the real id still works */
	snprintf(path, sizeof(path), "/v1/accounts/%s", acc);
	r = tt_request(&asrv, "GET", path, asrv.admin_token, NULL, NULL);
	cr_expect_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
}

Test(input, query_values_with_nul_or_control_bytes_are_400)
{
	const char *paths[] = {"/v1/resources?q=a%00b", "/v1/resources?type=server%00",
			       "/v1/events?after=%01", "/v1/invoices?resource_id=res%0a"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		expect_field_error("GET", paths[i], NULL, 400, "invalid_parameter", NULL);
	char path[160];
	snprintf(path, sizeof(path), "/v1/wallets?account_id=%s%%00", acc);
	tt_response r = tt_request(&asrv, "GET", path, asrv.admin_token, NULL, NULL);
	cr_expect_eq(r.status, 400, "%s -> %s", path, r.raw);
	cr_expect_str_eq(tt_error_code(&r), "invalid_parameter");
	tt_response_free(&r);
}

static const char server_item[] =
	"[{\"type\":\"server\",\"name\":\"a\",\"spec\":{\"flavor\":\"s.general.1c2g\"}}]";

Test(input, integers_out_of_range_are_400_never_wrapped)
{
	char body[512];
	/* 4294967308 = 2^32 + 12 used to be taken as 12 months */
	const char *terms[] = {"4294967308", "4294967297", "0", "-12", "37",
			       "9223372036854775807"};
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		snprintf(body, sizeof(body), "{\"kind\":\"purchase\",\"cycle_months\":%s,\"items\":%s}",
			 terms[i], server_item);
		expect_field_error("POST", "/v1/checkouts", body, 400, "invalid_value",
				   "cycle_months");
	}
	snprintf(body, sizeof(body), "{\"kind\":\"purchase\",\"cycle_months\":1,\"items\":%s}",
		 server_item);
	tt_response r = tt_request(&asrv, "POST", "/v1/checkouts", token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char path[160];
	snprintf(path, sizeof(path), "/v1/checkouts/%s",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	expect_field_error("PATCH", path, "{\"cycle_months\":4294967308}", 400, "invalid_value",
			   "cycle_months");
	expect_field_error("PATCH", path, "{\"cycle_months\":0}", 400, "invalid_value",
			   "cycle_months");
	expect_field_error("POST", "/v1/resources/res_x/renew", "{\"cycle_months\":4294967308}",
			   400, "invalid_value", "cycle_months");
	expect_field_error("POST", "/v1/resources/res_x/stop-poc", "{\"cycle_months\":4294967309}",
			   400, "invalid_value", "cycle_months");
	expect_field_error("POST", "/v1/resources",
			   "{\"type\":\"cluster\",\"name\":\"k\",\"poc\":true,"
			   "\"spec\":{\"node_count\":4294967299}}", 400, "invalid_spec", "node_count");
}

/* one admin call's status and code */
static void expect_admin_error(const char *method, const char *path, const char *body,
			       long status, const char *code)
{
	tt_response r = tt_request(&asrv, method, path, asrv.admin_token, body, NULL);
	cr_expect_eq(r.status, status, "%s %s -> %ld %s", path, body, r.status, r.raw);
	cr_expect_str_eq(tt_error_code(&r), code, "%s %s -> %s", path, body, r.raw);
	tt_response_free(&r);
}

Test(input, amounts_and_clock_moves_out_of_range_are_400)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	expect_admin_error("POST", path, "{\"amount\":-1}", 400, "invalid_amount");
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	expect_admin_error("POST", path, "{\"amount\":0,\"expires_at\":\"2099-01-01T00:00:00Z\"}",
			   400, "invalid_amount");
	expect_admin_error("PATCH", "/v1/poc-wallets/pw_x", "{\"add_amount\":-5}", 400,
			   "invalid_amount");
	/* INT64_MIN means "the whole hold" inside tallyd: no client may send it */
	expect_admin_error("POST", "/v1/ledger/transfers",
			   "{\"transfers\":[{\"id\":\"t1\",\"post_pending_id\":\"p1\","
			   "\"amount\":-9223372036854775808,\"code\":\"x\"}]}", 400, "invalid_value");
	expect_admin_error("POST", "/v1/admin/clock", "{\"advance_seconds\":9223372036854775807}",
			   400, "invalid_value");
}

Test(input, a_poc_grant_names_a_live_cluster_of_the_same_account)
{
	char path[160], body[512], other[64], cluster[64];
	snprintf(body, sizeof(body), "{\"type\":\"cluster\",\"name\":\"k\",\"poc\":true,"
		 "\"spec\":{\"node_count\":1}}");
	tt_response r = tt_request(&asrv, "POST", "/v1/resources", token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(cluster, sizeof(cluster), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	tt_create_account(&asrv, "Other", other);
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", other);
#define GRANT "{\"amount\":1000,\"expires_at\":\"2099-01-01T00:00:00Z\",\"cluster_id\":\"%s\"}"
	snprintf(body, sizeof(body), GRANT, cluster); /* another account's cluster */
	expect_admin_error("POST", path, body, 404, "cluster_not_found");
	snprintf(body, sizeof(body), GRANT, "res_aaaaaaaaaaaaaaaa"); /* no such resource */
	expect_admin_error("POST", path, body, 404, "cluster_not_found");
	snprintf(body, sizeof(body), GRANT, "res_\\u0001\\u0002");
	expect_admin_error("POST", path, body, 400, "invalid_value");
	snprintf(body, sizeof(body), GRANT,
		 "res_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	expect_admin_error("POST", path, body, 400, "invalid_field");
	snprintf(path, sizeof(path), "/v1/wallets?account_id=%s", other);
	r = tt_request(&asrv, "GET", path, asrv.admin_token, NULL, NULL);
	cr_expect_eq(json_array_size(json_object_get(r.json, "poc")), 0, "a refused grant: %s",
		     r.raw);
	tt_response_free(&r);
	/* its own cluster is fine */
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	snprintf(body, sizeof(body), GRANT, cluster);
	r = tt_request(&asrv, "POST", path, asrv.admin_token, body, NULL);
	cr_expect_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
}
