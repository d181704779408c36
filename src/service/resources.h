/*
 * resources.h: use cases of cloud resources: create (POC resources need a
 * POC wallet; a cluster brings its nodes and boot volumes), find, read,
 * delete; and what checkouts do to them (create prepaid from a purchase,
 * convert in place from Stop POC, hold and release them while a checkout
 * is open).
 */
#ifndef TL_RESOURCES_H
#define TL_RESOURCES_H

#include <jansson.h>
#include "domain/catalog.h"
#include "domain/checkout.h"
#include "domain/resource.h"
#include "service/context.h"
#include "store/store.h"

#define TL_CLUSTER_NODES_MAX 50

typedef struct tl_resource_request {
	const char *account_id;
	const char *type, *name;
	const json_t *spec;
	bool poc;
	const char *cluster_id; /* NULL: none */
	const char *role;       /* NULL: none */
} tl_resource_request;

/* Creates the resource (and a cluster's members); *out is its JSON. */
int tl_resources_create(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
			const tl_resource_request *req, json_t **out, tl_error *err);

/* The resource's JSON, with a cluster's members and stop_poc_available. */
int tl_resources_get(tl_tx *tx, const tl_ctx *ctx, const char *id, json_t **out,
		     tl_error *err);

/* Search and filters (rule 13); *out is a JSON array, *last the last id. */
int tl_resources_list(tl_tx *tx, const tl_ctx *ctx, const tl_resource_query *q,
		      const tl_page *page, json_t **out, char *last, tl_error *err);

/* Deletes the resource (a cluster takes its members with it); an open
 * checkout of any of them is cancelled. */
int tl_resources_delete(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_error *err);

/* r is about to be deleted: its open checkout, if any, is cancelled (every
 * resource it marked freed) and r->open_checkout_id cleared. */
int tl_resources_cancel_open_checkout(tl_tx *tx, const tl_ctx *ctx, tl_resource *r,
				      tl_error *err);

/* Saves every mutable field of r once it passes tl_resource_assert_valid:
 * every service module saves a resource through here. */
int tl_resources_save(tl_tx *tx, const tl_resource *r, tl_error *err);

/* Loads a resource the principal may see (404 resource_not_found else). */
int tl_resources_load(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_resource *out,
		      tl_error *err);

/* A purchase's line becomes a prepaid resource with term [start, end). */
int tl_resources_create_prepaid(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
				const tl_checkout_line *line, int64_t term_start,
				int64_t term_end, tl_error *err);

/* A conversion's line: the resource, in place, becomes `mode` ("prepaid"
 * with the checkout's term, or "postpaid"), and leaves the checkout. */
int tl_resources_convert(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			 const char *resource_id, const char *mode, int64_t term_start,
			 int64_t term_end, tl_error *err);

/* Marks (checkout_id) or frees (NULL) the resources of a checkout, and the
 * resource Stop POC was asked on. */
int tl_resources_mark_checkout(tl_tx *tx, const tl_ctx *ctx, const tl_checkout *c,
			       const char *checkout_id, tl_error *err);

#endif
