/*
 * audit.h: the audit trail. Every state change records an event (who, what,
 * when, before and after) through tl_audit_record, inside the transaction
 * that makes the change, so the trail and the state never disagree.
 */
#ifndef TL_AUDIT_H
#define TL_AUDIT_H

#include <jansson.h>
#include "service/context.h"
#include "store/store.h"

/* Steals the references to before and after (either may be NULL). */
int tl_audit_record(tl_tx *tx, const tl_ctx *ctx, const char *type, const char *account_id,
		    const char *subject_id, json_t *before, json_t *after, tl_error *err);

/* A page of the trail: an account's own, or (admin, account_id NULL) all. */
int tl_audit_list(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const tl_page *page,
		  tl_event *out, size_t *count, tl_error *err);

json_t *tl_event_to_json(const tl_event *e);

#endif
