/* suspensions.c: suspension intervals of postpaid resources; see
 * suspensions.h. */
#include "service/suspensions.h"
#include "common/ids.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUSPENSIONS_PAGE 64

/* j as compact text; j is released. */
static char *dump(json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return text;
}

int tl_suspension_open(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, tl_error *err)
{
	tl_doc d = {.created_at = ctx->now, .updated_at = ctx->now};
	snprintf(d.kind, sizeof(d.kind), "suspension");
	tl_id_new(d.id, sizeof(d.id), "sus");
	snprintf(d.account_id, sizeof(d.account_id), "%s", r->account_id);
	snprintf(d.ref, sizeof(d.ref), "%s", r->id);
	snprintf(d.status, sizeof(d.status), "open");
	d.body = dump(json_pack("{s:I}", "start", (json_int_t)ctx->now));
	int rc = d.body ? tl_store_doc_insert(tx, &d, err)
			: tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	free(d.body);
	return rc;
}

int tl_suspension_close(tl_tx *tx, const tl_ctx *ctx, const char *resource_id, tl_error *err)
{
	tl_doc_query q = {.kind = "suspension", .ref = resource_id, .status = "open"};
	tl_page page = {.limit = 1};
	tl_doc d = {0};
	size_t n = 0;
	int rc = tl_store_doc_list(tx, &q, &page, &d, &n, err);
	if (rc < 0 || n == 0)
		return rc;
	json_t *body = json_loads(d.body, 0, NULL);
	int64_t start = body ? (int64_t)json_integer_value(json_object_get(body, "start")) : 0;
	json_decref(body);
	free(d.body);
	d.body = dump(json_pack("{s:I, s:I}", "start", (json_int_t)start, "end",
				(json_int_t)ctx->now));
	snprintf(d.status, sizeof(d.status), "closed");
	d.updated_at = ctx->now;
	rc = d.body ? tl_store_doc_update(tx, &d, err)
		    : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_free(&d);
	return rc;
}

/* The part of [start, end) inside [from, to). */
static int64_t overlap(int64_t start, int64_t end, int64_t from, int64_t to)
{
	int64_t lo = start > from ? start : from, hi = end < to ? end : to;
	return hi > lo ? hi - lo : 0;
}

int tl_suspended_seconds(tl_tx *tx, const char *resource_id, int64_t from, int64_t to,
			 int64_t *out, tl_error *err)
{
	*out = 0;
	tl_doc docs[SUSPENSIONS_PAGE];
	tl_doc_query q = {.kind = "suspension", .ref = resource_id};
	tl_page page = {.limit = SUSPENSIONS_PAGE};
	size_t n = 0;
	int rc;
	do {
		rc = tl_store_doc_list(tx, &q, &page, docs, &n, err);
		for (size_t i = 0; i < n; i++) {
			json_t *body = json_loads(docs[i].body, 0, NULL);
			json_t *end = json_object_get(body, "end");
			*out += overlap((int64_t)json_integer_value(json_object_get(body, "start")),
					end ? (int64_t)json_integer_value(end) : to, from, to);
			json_decref(body);
			if (i == n - 1)
				snprintf(page.after, sizeof(page.after), "%s", docs[i].id);
			tl_doc_free(&docs[i]);
		}
	} while (rc == 0 && n == SUSPENSIONS_PAGE);
	return rc;
}
