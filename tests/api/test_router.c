/* Unit tests: the route table and path matching. */
#include <criterion/criterion.h>
#include <string.h>
#include "api/api.h"
#include "api/metrics.h"

static tl_app app_with_clock = {.test_clock = true};
static tl_app app_without_clock = {.test_clock = false};

Test(router, finds_literal_and_parameter_routes)
{
	tl_request req = {0};
	char allow[64];
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "POST", "/v1/accounts", allow, 64, NULL),
		     TL_ROUTE_FOUND);
	cr_assert_eq(req.route->handler, tl_h_accounts_create);
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "POST",
				    "/v1/accounts/acc_abc/tokens", allow, 64, NULL), TL_ROUTE_FOUND);
	cr_assert_eq(req.route->handler, tl_h_tokens_create);
	cr_assert_eq(req.param_count, 1);
	cr_assert_str_eq(req.params[0], "acc_abc");
}

Test(router, tells_unknown_path_from_wrong_method)
{
	tl_request req = {0};
	char allow[64];
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "GET", "/v1/nothing", allow, 64, NULL),
		     TL_ROUTE_NO_PATH);
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "DELETE", "/v1/accounts", allow, 64, NULL),
		     TL_ROUTE_NO_METHOD);
	cr_assert_str_eq(allow, "POST, GET");
}

Test(router, rejects_empty_extra_and_oversize_segments)
{
	tl_request req = {0};
	char allow[64];
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "GET", "/v1/accounts/", allow, 64, NULL),
		     TL_ROUTE_NO_PATH);
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "GET", "/v1/accounts/a/b", allow, 64, NULL),
		     TL_ROUTE_NO_PATH);
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "GET", "/v1//accounts", allow, 64, NULL),
		     TL_ROUTE_NO_PATH);
}

Test(router, refuses_oversize_and_control_byte_parameters)
{
	tl_request req = {0};
	char allow[64];
	char path[200] = "/v1/accounts/";
	memset(path + strlen(path), 'a', TL_ROUTE_PARAM_MAX);
	/* %00 arrives as DEL (tl_url_unescape), other control bytes as they are */
	const char *bad[] = {path, "/v1/accounts/acc_x\x7f", "/v1/accounts/acc\x01x/tokens",
			     "/v1/checkouts/chk_\n/cancel", "/v1/resources/\t"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tl_error e = {0};
		cr_expect_eq(tl_router_find(&app_with_clock, &req, "GET", bad[i], allow, 64, &e),
			     TL_ROUTE_INVALID, "%s", bad[i]);
		cr_expect_str_eq(e.code, "invalid_path", "%s", bad[i]);
		cr_expect_eq(tl_err_http_status(e.err), 400u);
		tl_error_clear(&e);
	}
	/* 63 bytes still fit */
	path[strlen("/v1/accounts/") + TL_ROUTE_PARAM_MAX - 1] = '\0';
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "GET", path, allow, 64, NULL),
		     TL_ROUTE_FOUND);
	cr_assert_eq(strlen(req.params[0]), TL_ROUTE_PARAM_MAX - 1);
}

Test(router, unescapes_nul_to_a_control_byte_not_a_terminator)
{
	char s[] = "/v1/accounts/acc_x%00%41%2f%zz%4";
	size_t len = tl_url_unescape(NULL, NULL, s);
	cr_assert_eq(len, strlen(s));
	cr_assert_str_eq(s, "/v1/accounts/acc_x\x7f" "A/%zz%4");
}

Test(router, clock_routes_exist_only_with_test_clock)
{
	tl_request req = {0};
	char allow[64];
	cr_assert_eq(tl_router_find(&app_with_clock, &req, "GET", "/v1/admin/clock", allow, 64, NULL),
		     TL_ROUTE_FOUND);
	cr_assert_eq(tl_router_find(&app_without_clock, &req, "GET", "/v1/admin/clock", allow,
				    64, NULL), TL_ROUTE_NO_PATH);
}

Test(router, every_route_is_unique)
{
	for (size_t i = 0; i < tl_route_count; i++)
		for (size_t j = i + 1; j < tl_route_count; j++)
			cr_expect(strcmp(tl_routes[i].method, tl_routes[j].method) != 0 ||
				  strcmp(tl_routes[i].pattern, tl_routes[j].pattern) != 0,
				  "duplicate route %s %s", tl_routes[i].method, tl_routes[i].pattern);
}

/* Each route has its own row in /metrics only while the table fits. */
Test(router, every_route_has_a_metrics_row)
{
	cr_assert_lt(tl_route_count, TL_METRICS_ROUTES_MAX, "%zu routes", tl_route_count);
}
