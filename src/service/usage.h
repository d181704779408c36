/*
 * usage.h: recording metered usage of postpaid resources (POST /v1/usage),
 * which the monthly reconciliation will invoice.
 *
 * Each record is judged on its own: one naming a resource the caller cannot
 * see, or one that is not postpaid or is deleted, is rejected with a reason
 * while the rest of the batch is recorded. A record whose (resource, start,
 * end) is already recorded, by an earlier call or earlier in the same
 * batch, is a duplicate: counted, and nothing changes. Accepted records are
 * rows of usage_records (unique on (resource, start, end)), and each adds
 * to its resource's total for the month it starts in (usage_months), all
 * written in the caller's one transaction with one "usage.recorded" audit
 * event: the monthly rating reads those totals, not the records.
 *
 * Metered usage is the provider's word, not the customer's: only the admin
 * or a metering token (tl_tokens_issue, scope "metering") submits it; an
 * account token is TL_EFORBIDDEN. Only resources of items the catalog
 * bills on metered records take usage: a record for one billed on its
 * running time fails the whole batch (TL_ERULE "usage_not_metered", details
 * {index, resource_id, item_id}) and nothing is recorded, since a record
 * beside the running time would be a second source for the same use.
 */
#ifndef TL_SERVICE_USAGE_H
#define TL_SERVICE_USAGE_H

#include <jansson.h>
#include <stddef.h>
#include "domain/catalog.h"
#include "domain/usage.h"
#include "service/context.h"
#include "store/store.h"

typedef struct tl_usage_outcome {
	size_t accepted, duplicates, rejected;
	/* [{index, resource_id, result}] for each record not accepted, result
	 * one of duplicate, resource_not_found, resource_deleted, not_postpaid;
	 * owned by the caller */
	json_t *results;
} tl_usage_outcome;

/* Records records[0..count) (checked by tl_usage_batch_parse). *out is
 * overwritten, so a retried transaction starts afresh. */
int tl_usage_submit(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
		    const tl_usage_record *records, size_t count, tl_usage_outcome *out,
		    tl_error *err);

/* The total of the records of resource_id that start in [from, to): the
 * whole months inside it from the monthly totals, the partial months at
 * either end from the records. TL_ENOTFOUND for an unknown resource. */
int tl_usage_rated(tl_tx *tx, const char *resource_id, int64_t from, int64_t to,
		   tl_usage_total *out, tl_error *err);

#endif
