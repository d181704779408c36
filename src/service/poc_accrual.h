/*
 * poc_accrual.h: POC resources use their POC wallet's credit, hour by hour
 * (DESIGN.md: "POC resources accrue their usage cost against their POC
 * wallet (at least hourly)").
 */
#ifndef TL_POC_ACCRUAL_H
#define TL_POC_ACCRUAL_H

#include "domain/catalog.h"
#include "service/context.h"
#include "store/store.h"

/* Charges up to `max` POC resources every whole hour of use not charged
 * yet. Exact and exactly once: what an hour costs is the usage cost up to
 * its end less the usage cost up to its start (so rounding never drifts),
 * the transfer's id names the resource and the hour, and the resource's
 * accrued_until moves in the same transaction. A wallet that runs short is
 * charged what it has left (suspension is the POC expiry job's). */
int tl_poc_accrue_due(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog, size_t max,
		      size_t *charged, tl_error *err);

#endif
