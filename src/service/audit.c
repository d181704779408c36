/* audit.c: writing and reading the audit trail. */
#include "service/audit.h"
#include "common/ids.h"
#include "common/timefmt.h"
#include "service/webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool tl_ctx_may_see(const tl_ctx *ctx, const char *account_id)
{
	return ctx->who->is_admin || strcmp(ctx->who->account_id, account_id) == 0;
}

int tl_audit_record(tl_tx *tx, const tl_ctx *ctx, const char *type, const char *account_id,
		    const char *subject_id, json_t *before, json_t *after, tl_error *err)
{
	tl_event e = {.created_at = ctx->now};
	tl_id_new(e.id, sizeof(e.id), "evt");
	snprintf(e.account_id, sizeof(e.account_id), "%s", account_id ? account_id : "");
	snprintf(e.actor, sizeof(e.actor), "%s", ctx->who->actor);
	snprintf(e.type, sizeof(e.type), "%s", type);
	snprintf(e.subject_id, sizeof(e.subject_id), "%s", subject_id);
	e.before = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	e.after = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = tl_store_event_insert(tx, &e, err);
	/* the outbox: in this transaction, so no change is without its event */
	rc = rc ? rc : tl_webhooks_enqueue(tx, &e, before, after, err);
	json_decref(before);
	json_decref(after);
	tl_event_free_fields(&e);
	return rc;
}

int tl_audit_list(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const tl_page *page,
		  tl_event *out, size_t *count, tl_error *err)
{
	if (!ctx->who->is_admin)
		account_id = ctx->who->account_id;
	return tl_store_event_list(tx, account_id, page, out, count, err);
}

/* Stored before/after texts were written by json_dumps; a text that no longer
 * parses is shown as null rather than failing the whole page. */
static json_t *parsed_or_null(const char *text)
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	return v ? v : json_null();
}

json_t *tl_event_to_json(const tl_event *e)
{
	char created[TL_TIME_STR_MAX];
	tl_time_format(e->created_at, created);
	return json_pack("{s:s, s:s?, s:s, s:s, s:s, s:o, s:o, s:s}", "id", e->id, "account_id",
			 e->account_id[0] ? e->account_id : NULL, "actor", e->actor, "type",
			 e->type, "subject_id", e->subject_id, "before", parsed_or_null(e->before),
			 "after", parsed_or_null(e->after), "created_at", created);
}
