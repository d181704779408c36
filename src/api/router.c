/* router.c: matching a method and path against the route table. Patterns
 * are literal segments and {name} segments; a {name} matches one non-empty
 * segment. A segment that fits a {name} but is over TL_ROUTE_PARAM_MAX - 1
 * bytes or holds a control byte makes the path invalid (400 invalid_path),
 * never a shorter or garbled id. No recursion, no allocation: the path is
 * walked once per route.
 *
 * libmicrohttpd decodes %XX in the path and the query before tally sees
 * them, into C strings: a %00 would end the string there, so
 * "/v1/accounts/acc_x%00" would reach the router as "/v1/accounts/acc_x".
 * tl_url_unescape (installed as MHD's unescape callback) decodes %00 to
 * DEL instead, a control byte the router and tl_query_check refuse. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

typedef enum { NO_MATCH, MATCH, BAD_PARAM } match;

/* Length of the segment starting at s (up to '/' or the end). */
static size_t segment_len(const char *s)
{
	const char *slash = strchr(s, '/');
	return slash ? (size_t)(slash - s) : strlen(s);
}

static bool has_control_byte(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return true;
	return false;
}

/* Matches path against pattern; the first bad parameter's name (without
 * braces) goes to bad (TL_ROUTE_PARAM_MAX bytes) for BAD_PARAM. */
static match match_pattern(const char *pattern, const char *path, tl_request *req, char *bad)
{
	int params = 0;
	bool invalid = false;
	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return NO_MATCH;
		pattern++;
		path++;
		size_t plen = segment_len(pattern), slen = segment_len(path);
		if (pattern[0] == '{') {
			if (slen == 0 || params >= TL_ROUTE_PARAMS_MAX)
				return NO_MATCH;
			if (!invalid && (slen >= TL_ROUTE_PARAM_MAX || has_control_byte(path, slen))) {
				invalid = true;
				snprintf(bad, TL_ROUTE_PARAM_MAX, "%.*s", (int)(plen - 2), pattern + 1);
			}
			if (req && !invalid)
				snprintf(req->params[params], TL_ROUTE_PARAM_MAX, "%.*s", (int)slen, path);
			params++;
		} else if (plen != slen || strncmp(pattern, path, plen) != 0) {
			return NO_MATCH;
		}
		pattern += plen;
		path += slen;
	}
	if (*pattern || *path)
		return NO_MATCH;
	if (invalid)
		return BAD_PARAM;
	if (req)
		req->param_count = params;
	return MATCH;
}

static tl_route_match invalid_path(const char *param, tl_error *err)
{
	tl_error_set(err, TL_EINVALID, "invalid_path",
		     "path parameter {%s} must be 1 to %d bytes with no control characters",
		     param, TL_ROUTE_PARAM_MAX - 1);
	tl_error_details(err, json_pack("{s:s}", "parameter", param));
	return TL_ROUTE_INVALID;
}

tl_route_match tl_router_find(const tl_app *app, tl_request *req, const char *method,
			      const char *path, char *allow, size_t allow_size, tl_error *err)
{
	bool path_known = false;
	char bad[TL_ROUTE_PARAM_MAX] = "";
	if (allow_size)
		allow[0] = '\0';
	for (size_t i = 0; i < tl_route_count; i++) {
		const tl_route *r = &tl_routes[i];
		if (r->test_clock_only && !app->test_clock)
			continue;
		match m = match_pattern(r->pattern, path, NULL, bad);
		if (m == BAD_PARAM)
			return invalid_path(bad, err);
		if (m == NO_MATCH)
			continue;
		if (strcmp(r->method, method) == 0) {
			match_pattern(r->pattern, path, req, bad);
			req->route = r;
			/* every query value a handler may read is checked once, here */
			return req->conn && tl_query_check(req, err) < 0 ? TL_ROUTE_INVALID
									 : TL_ROUTE_FOUND;
		}
		path_known = true;
		size_t used = strlen(allow);
		snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "", r->method);
	}
	return path_known ? TL_ROUTE_NO_METHOD : TL_ROUTE_NO_PATH;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t tl_url_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	char *out = s;
	for (const char *in = s; *in; out++) {
		int hi = in[0] == '%' ? hex_value(in[1]) : -1;
		int lo = hi >= 0 ? hex_value(in[2]) : -1;
		if (lo >= 0) {
			int byte = hi * 16 + lo;
			*out = (char)(byte == 0 ? 0x7f : byte); /* see the top of this file */
			in += 3;
		} else {
			*out = *in++;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}
