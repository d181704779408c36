/* h_events.c: the audit trail over HTTP. An account token sees its own
 * account's events; the admin sees all, or one account's with ?account_id=. */
#include "api/api.h"
#include "service/audit.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct list_events {
	tl_request *req;
	const char *account_id;
	tl_page page;
	tl_event rows[TL_PAGE_MAX];
	size_t count;
} list_events;

static int list_events_tx(tl_tx *tx, void *arg, tl_error *err)
{
	list_events *l = arg;
	return tl_audit_list(tx, &l->req->ctx, l->account_id, &l->page, l->rows, &l->count, err);
}

int tl_h_events_list(tl_request *req, tl_response *res, tl_error *err)
{
	list_events *l = calloc(1, sizeof(*l)); /* ~120 KiB: not on the stack */
	if (l == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	l->req = req;
	l->account_id = tl_query(req, "account_id");
	int rc = tl_query_page(req, &l->page, err);
	if (rc == 0)
		rc = tl_api_read(req, list_events_tx, l, err);
	if (rc == 0) {
		json_t *items = json_array();
		for (size_t i = 0; i < l->count; i++)
			json_array_append_new(items, tl_event_to_json(&l->rows[i]));
		tl_respond_json(res, 200, tl_page_json(items, &l->page,
						       l->count ? l->rows[l->count - 1].id : NULL));
	}
	for (size_t i = 0; i < l->count; i++)
		tl_event_free_fields(&l->rows[i]);
	free(l);
	return rc;
}
