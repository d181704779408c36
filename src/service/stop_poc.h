/*
 * stop_poc.h: Stop POC, the product's reason to exist (DESIGN.md rules
 * 1-12): preview what a resource's Stop POC converts, and confirm it into a
 * conversion checkout (or, for a cluster with nothing left in POC, clear
 * its POC flag at once with no payment).
 */
#ifndef TL_STOP_POC_H
#define TL_STOP_POC_H

#include <jansson.h>
#include "domain/catalog.h"
#include "service/checkout.h"
#include "service/context.h"
#include "store/store.h"

/* {action: "checkout" | "stop", resources: [...], warnings: [...]}; no change. */
int tl_stop_poc_preview(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			const char *resource_id, json_t **out, tl_error *err);

/* Confirms: *stopped when the cluster was only stopped (no checkout), or
 * when the account is postpaid (DESIGN.md: postpaid accounts use first and
 * are invoiced monthly): its resources become postpaid at once, no payment;
 * otherwise out is the new conversion checkout. req->account_id is unused
 * (the resource's account). */
int tl_stop_poc_confirm(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			const char *resource_id, const tl_checkout_request *req,
			tl_checkout *out, bool *stopped, tl_error *err);

#endif
