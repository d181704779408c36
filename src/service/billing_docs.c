/* billing_docs.c: the gateway's transactions as documents (invoices and
 * payments have tables of their own: service/invoices.h). */
#include "service/billing_docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_billing_insert(tl_tx *tx, const char *kind, const char *id, const char *account_id,
		      const char *key, const char *ref, const json_t *body, int64_t now,
		      tl_error *err)
{
	tl_doc d = {.created_at = now, .updated_at = now};
	snprintf(d.kind, sizeof(d.kind), "%s", kind);
	snprintf(d.id, sizeof(d.id), "%s", id);
	snprintf(d.account_id, sizeof(d.account_id), "%s", account_id);
	snprintf(d.key, sizeof(d.key), "%s", key ? key : "");
	snprintf(d.ref, sizeof(d.ref), "%s", ref ? ref : "");
	snprintf(d.status, sizeof(d.status), "%s",
		 json_string_value(json_object_get(body, "status")) ? json_string_value(json_object_get(body, "status")) : "issued");
	d.body = json_dumps(body, JSON_COMPACT);
	int rc = d.body ? tl_store_doc_insert(tx, &d, err)
			: tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_free(&d);
	return rc;
}
