/*
 * fuzz_router.c: the router and the query string (src/api/router.c,
 * src/api/query.c), which see every request's method, path and query
 * before any authentication.
 *
 * The input is "METHOD PATH?QUERY" (request.h). A found route's {name}
 * segments must come back as the path's own segments, each non-empty and
 * within TL_ROUTE_PARAM_MAX; a path known for other methods must list them
 * for the Allow header; a page's limit and after must be in range.
 */
#include "fuzz.h"
#include "request.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_request fr;
	if (fuzz_request_parse(&fr, data, size) < 0)
		return 0;
	tl_app app = {.test_clock = size > 0 && (data[size - 1] & 1)};
	tl_request req = {.app = &app, .method = fr.method, .path = fr.path};
	char allow[64];
	tl_error route_err = {0};
	tl_route_match m = tl_router_find(&app, &req, fr.method, fr.path, allow, sizeof(allow),
					  &route_err);
	/* a refused path parameter says why */
	FUZZ_ASSERT(m != TL_ROUTE_INVALID || route_err.err != 0);
	tl_error_clear(&route_err);
	if (m == TL_ROUTE_FOUND) {
		FUZZ_ASSERT(req.route != NULL && strcmp(req.route->method, fr.method) == 0);
		FUZZ_ASSERT(req.param_count >= 0 && req.param_count <= TL_ROUTE_PARAMS_MAX);
		for (int i = 0; i < req.param_count; i++) {
			size_t n = strnlen(req.params[i], TL_ROUTE_PARAM_MAX);
			FUZZ_ASSERT(n > 0 && n < TL_ROUTE_PARAM_MAX);
			FUZZ_ASSERT(strchr(req.params[i], '/') == NULL);
			FUZZ_ASSERT(strstr(fr.path, req.params[i]) != NULL);
		}
	} else if (m == TL_ROUTE_NO_METHOD) {
		FUZZ_ASSERT(allow[0] != '\0' && strnlen(allow, sizeof(allow)) < sizeof(allow));
	}

	tl_page page;
	tl_error err = {0};
	if (tl_query_page(&req, &page, &err) == 0) {
		FUZZ_ASSERT(page.limit >= 1 && page.limit <= TL_PAGE_MAX);
		FUZZ_ASSERT(strnlen(page.after, sizeof(page.after)) < sizeof(page.after));
	} else {
		FUZZ_ASSERT(err.code[0] != '\0');
	}
	tl_error_clear(&err);
	fuzz_request_free(&fr);
	return 0;
}
