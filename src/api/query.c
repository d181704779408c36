/* query.c: query-string parameters and list pages. */
#include "api/api.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tl_query(const tl_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct query_scan {
	tl_error *err;
	int rc;
} query_scan;

static bool clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static enum MHD_Result scan_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	(void)kind;
	query_scan *q = cls;
	if (clean(key) && clean(value))
		return MHD_YES;
	char name[TL_FIELD_PATH_MAX];
	snprintf(name, sizeof(name), "%.64s", key);
	for (char *p = name; *p; p++) /* the name goes into the answer: make it printable */
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	tl_error_set(q->err, TL_EINVALID, "invalid_parameter",
		     "query parameter %s must not contain control characters", name);
	tl_error_details(q->err, json_pack("{s:s}", "parameter", name));
	q->rc = TL_EINVALID;
	return MHD_NO;
}

int tl_query_check(const tl_request *req, tl_error *err)
{
	query_scan q = {.err = err};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, scan_arg, &q);
	return q.rc;
}

int tl_query_page(const tl_request *req, tl_page *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	out->limit = TL_PAGE_DEFAULT;
	const char *limit = tl_query(req, "limit");
	if (limit) {
		char *end;
		errno = 0;
		long v = strtol(limit, &end, 10);
		if (errno || end == limit || *end || v < 1 || v > TL_PAGE_MAX) {
			tl_error_set(err, TL_EINVALID, "invalid_parameter",
				     "limit must be an integer from 1 to %d", TL_PAGE_MAX);
			tl_error_details(err, json_pack("{s:s}", "parameter", "limit"));
			return TL_EINVALID;
		}
		out->limit = (int)v;
	}
	const char *after = tl_query(req, "after");
	if (after) {
		if (after[0] == '\0' || strlen(after) >= sizeof(out->after)) {
			tl_error_set(err, TL_EINVALID, "invalid_parameter",
				     "after must be an id from a previous page's next");
			tl_error_details(err, json_pack("{s:s}", "parameter", "after"));
			return TL_EINVALID;
		}
		snprintf(out->after, sizeof(out->after), "%s", after);
	}
	return 0;
}

json_t *tl_page_json(json_t *items, const tl_page *page, const char *last_id)
{
	bool full = json_array_size(items) == (size_t)page->limit;
	return json_pack("{s:o, s:s?}", "data", items, "next", full ? last_id : NULL);
}
