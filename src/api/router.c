/* router.c: matching a method and path against the route table. Patterns
 * are literal segments and {name} segments; a {name} matches one non-empty
 * segment of at most TL_ROUTE_PARAM_MAX - 1 bytes. No recursion, no
 * allocation: the path is walked once per route. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

/* Length of the segment starting at s (up to '/' or the end). */
static size_t segment_len(const char *s)
{
	const char *slash = strchr(s, '/');
	return slash ? (size_t)(slash - s) : strlen(s);
}

static bool match_pattern(const char *pattern, const char *path, tl_request *req)
{
	int params = 0;
	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++;
		path++;
		size_t plen = segment_len(pattern), slen = segment_len(path);
		if (pattern[0] == '{') {
			if (slen == 0 || slen >= TL_ROUTE_PARAM_MAX || params >= TL_ROUTE_PARAMS_MAX)
				return false;
			if (req)
				snprintf(req->params[params], TL_ROUTE_PARAM_MAX, "%.*s", (int)slen, path);
			params++;
		} else if (plen != slen || strncmp(pattern, path, plen) != 0) {
			return false;
		}
		pattern += plen;
		path += slen;
	}
	if (*pattern || *path)
		return false;
	if (req)
		req->param_count = params;
	return true;
}

tl_route_match tl_router_find(const tl_app *app, tl_request *req, const char *method,
			      const char *path, char *allow, size_t allow_size)
{
	bool path_known = false;
	if (allow_size)
		allow[0] = '\0';
	for (size_t i = 0; i < tl_route_count; i++) {
		const tl_route *r = &tl_routes[i];
		if (r->test_clock_only && !app->test_clock)
			continue;
		if (!match_pattern(r->pattern, path, NULL))
			continue;
		if (strcmp(r->method, method) == 0) {
			match_pattern(r->pattern, path, req);
			req->route = r;
			return TL_ROUTE_FOUND;
		}
		path_known = true;
		size_t used = strlen(allow);
		snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "", r->method);
	}
	return path_known ? TL_ROUTE_NO_METHOD : TL_ROUTE_NO_PATH;
}
