/*
 * billing_docs.h: reading invoices and payments, the account's billing
 * history. Both are immutable documents written by a payment.
 */
#ifndef TL_BILLING_DOCS_H
#define TL_BILLING_DOCS_H

#include <jansson.h>
#include "service/context.h"
#include "store/store.h"

/* A document of `kind` the principal may see, as JSON: TL_ENOTFOUND with
 * "<kind>_not_found" otherwise. */
int tl_billing_get(tl_tx *tx, const tl_ctx *ctx, const char *kind, const char *id,
		   json_t **out, tl_error *err);

/* A page of the account's documents of `kind` (ref: e.g. an invoice's
 * resource), newest first, as a JSON array; *last_id names the last. */
int tl_billing_list(tl_tx *tx, const tl_ctx *ctx, const char *kind, const char *account_id,
		    const char *ref, const tl_page *page, json_t **out, char *last_id,
		    tl_error *err);

/* Stores a new document for the billing history. */
int tl_billing_insert(tl_tx *tx, const char *kind, const char *id, const char *account_id,
		      const char *key, const char *ref, const json_t *body, int64_t now,
		      tl_error *err);

#endif
