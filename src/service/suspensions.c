/* suspensions.c: suspension intervals of postpaid resources; see
 * suspensions.h. */
#include "service/suspensions.h"
#include "common/ids.h"

#include <stdio.h>

#define SUSPENSIONS_PAGE 64

int tl_suspension_open(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, tl_error *err)
{
	tl_suspension s = {.start_at = ctx->now, .created_at = ctx->now, .updated_at = ctx->now};
	tl_id_new(s.id, sizeof(s.id), "sus");
	snprintf(s.account_id, sizeof(s.account_id), "%s", r->account_id);
	snprintf(s.resource_id, sizeof(s.resource_id), "%s", r->id);
	snprintf(s.status, sizeof(s.status), "open");
	return tl_store_suspension_insert(tx, &s, err);
}

int tl_suspension_close(tl_tx *tx, const tl_ctx *ctx, const char *resource_id, tl_error *err)
{
	int rc = tl_store_suspension_close(tx, resource_id, ctx->now, err);
	return rc < 0 ? rc : 0;
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
	tl_suspension page[SUSPENSIONS_PAGE];
	int64_t after = 0;
	size_t n = 0;
	int rc;
	do {
		rc = tl_store_suspensions_overlapping(tx, resource_id, from, to, after, page,
						      SUSPENSIONS_PAGE, &n, err);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			const tl_suspension *s = &page[i];
			*out += overlap(s->start_at, s->end_at ? s->end_at : to, from, to);
			after = s->seq;
		}
	} while (rc == 0 && n == SUSPENSIONS_PAGE);
	return rc;
}
