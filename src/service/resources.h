/*
 * resources.h: the cloud resources tally bills. This first cut keeps only
 * what purchases need: creating a prepaid resource with its term, and
 * reading one. Search, POC resources, clusters and deletion come with the
 * Stop POC issue.
 */
#ifndef TL_RESOURCES_H
#define TL_RESOURCES_H

#include <jansson.h>
#include "domain/checkout.h"
#include "service/context.h"
#include "store/store.h"

/* Creates the resource a paid checkout line bought: billing "prepaid" with
 * term [term_start, term_end) and the checkout's auto-renew. */
int tl_resources_create_prepaid(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
				const tl_checkout_line *line, int64_t term_start,
				int64_t term_end, tl_error *err);

/* The resource's JSON (API.md's shape), if the principal may see it. */
int tl_resources_get(tl_tx *tx, const tl_ctx *ctx, const char *id, json_t **out,
		     tl_error *err);

#endif
