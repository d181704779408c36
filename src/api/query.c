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
