/*
 * refunds.h: deleting a prepaid resource before its term ends refunds the
 * unused part of the term, by the minute, as credit, with a credit note
 * (DESIGN.md "Deleting a prepaid resource").
 */
#ifndef TL_REFUNDS_H
#define TL_REFUNDS_H

#include "domain/resource.h"
#include "service/context.h"
#include "store/store.h"

/* Refunds what r's last term invoice paid for the time from now to the
 * term's end, in proportion (rounded half up), revenue and tax each back
 * to the credit wallet; issues a credit note. Nothing when no time is left
 * or nothing was paid. */
int tl_refund_unused_term(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, tl_error *err);

#endif
