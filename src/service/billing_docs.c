/* billing_docs.c: invoices and payments as documents. */
#include "service/billing_docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_billing_get(tl_tx *tx, const tl_ctx *ctx, const char *kind, const char *id,
		   json_t **out, tl_error *err)
{
	tl_doc d = {0};
	tl_error lookup = {0};
	int rc = tl_store_doc_get(tx, kind, id, &d, &lookup);
	tl_error_clear(&lookup);
	if (rc == 0 && !tl_ctx_may_see(ctx, d.account_id))
		rc = TL_ENOTFOUND;
	if (rc == 0 && (*out = json_loads(d.body, 0, NULL)) == NULL)
		rc = tl_error_set(err, TL_EINTERNAL, "corrupt_document", "a stored %s is corrupt",
				  kind);
	tl_doc_free(&d);
	if (rc == TL_ENOTFOUND)
		return tl_error_set(err, TL_ENOTFOUND, strcmp(kind, "invoice") == 0
					  ? "invoice_not_found" : "payment_not_found",
				    "no %s %.40s", kind, id);
	return rc;
}

int tl_billing_list(tl_tx *tx, const tl_ctx *ctx, const char *kind, const char *account_id,
		    const char *ref, const tl_page *page, json_t **out, char *last_id,
		    tl_error *err)
{
	if (!tl_ctx_may_see(ctx, account_id))
		return tl_error_set(err, TL_ENOTFOUND, "account_not_found", "no account %.40s",
				    account_id);
	tl_doc *docs = calloc((size_t)page->limit, sizeof(*docs));
	if (docs == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_query q = {.kind = kind, .account_id = account_id, .ref = ref};
	size_t n = 0;
	int rc = tl_store_doc_list(tx, &q, page, docs, &n, err);
	*out = json_array();
	last_id[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_loads(docs[i].body, 0, NULL);
		if (j)
			json_array_append_new(*out, j);
		snprintf(last_id, TL_ID_MAX, "%s", docs[i].id);
		tl_doc_free(&docs[i]);
	}
	free(docs);
	return rc;
}

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
	if (strcmp(d.status, "unpaid") == 0 || strcmp(d.status, "partial_paid") == 0)
		d.due_at = now; /* due: the debt collection job looks for it */
	d.body = json_dumps(body, JSON_COMPACT);
	int rc = d.body ? tl_store_doc_insert(tx, &d, err)
			: tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_free(&d);
	return rc;
}
