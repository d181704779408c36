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

/* For each paid term of r not over yet (the current one, and the next one
 * when an auto-renewal already paid it): refunds what its invoice paid for
 * the whole minutes from now (or the term's start) to the term's end, in
 * proportion (rounded half away from zero), revenue and tax each back to
 * the credit wallet, and issues a credit note against that invoice.
 * Nothing when no time is left or nothing was paid. */
int tl_refund_unused_term(tl_tx *tx, const tl_ctx *ctx, const tl_resource *r, tl_error *err);

#endif
