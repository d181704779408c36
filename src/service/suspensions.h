/*
 * suspensions.h: when a postpaid resource billed on its running time was
 * suspended, so those minutes are not rated. Each suspension is a row of
 * the suspensions table (domain/suspension.h) from its start until it is
 * closed by a reactivation; an open one runs until now.
 */
#ifndef TL_SUSPENSIONS_H
#define TL_SUSPENSIONS_H

#include "service/context.h"
#include "store/store.h"

/* A suspension of r starts now. */
int tl_suspension_open(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, tl_error *err);

/* Ends the resource's open suspension now, if it has one. */
int tl_suspension_close(tl_tx *tx, const tl_ctx *ctx, const char *resource_id, tl_error *err);

/* Seconds of [from, to) that resource_id spent suspended. */
int tl_suspended_seconds(tl_tx *tx, const char *resource_id, int64_t from, int64_t to,
			 int64_t *out, tl_error *err);

#endif
