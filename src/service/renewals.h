/*
 * renewals.h: the end of a prepaid term (DESIGN.md "Renewal"). With
 * auto-renew, the next term is charged from credit 7 days before the term
 * ends, retried daily until it ends; each renewal issues an invoice and
 * extends term_end. Without auto-renew, or without the money, the resource
 * is suspended at term end, and deleted 7 days later unless recovered (a
 * renewal checkout of a suspended resource: POST /v1/resources/{id}/renew).
 * Each step is a job run keyed by (step, resource, term end[, day]).
 */
#ifndef TL_RENEWALS_H
#define TL_RENEWALS_H

#include "domain/catalog.h"
#include "service/context.h"
#include "store/store.h"

#define TL_RENEW_AHEAD_S (7 * 86400)
#define TL_RENEW_GRACE_S (7 * 86400)

typedef struct tl_renewals_report {
	size_t visited; /* resources with a step due: max means there may be more */
	size_t renewed;
	size_t failed;
	size_t suspended;
	size_t deleted;
} tl_renewals_report;

int tl_renewals_run(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog, size_t max,
		    tl_renewals_report *out, tl_error *err);

#endif
