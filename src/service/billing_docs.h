/*
 * billing_docs.h: the gateway's transactions (service/gateway_payments.c)
 * as documents, until they get a table of their own. Invoices and payments
 * live in service/invoices.h.
 */
#ifndef TL_BILLING_DOCS_H
#define TL_BILLING_DOCS_H

#include <jansson.h>
#include "service/context.h"
#include "store/store.h"

/* Stores a new document for the billing history. */
int tl_billing_insert(tl_tx *tx, const char *kind, const char *id, const char *account_id,
		      const char *key, const char *ref, const json_t *body, int64_t now,
		      tl_error *err);

#endif
