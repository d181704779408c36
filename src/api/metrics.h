/*
 * metrics.h: request counters and latency histograms per route and status,
 * rendered in the Prometheus text format at /metrics.
 */
#ifndef TL_METRICS_H
#define TL_METRICS_H

#include <stdint.h>
#include "api/api.h"

/* Routes with a row of their own in the request metrics; a route past it
 * would be counted as unmatched (tests/api/test_router.c checks the route
 * table fits). */
#define TL_METRICS_ROUTES_MAX 128

tl_metrics *tl_metrics_new(void);
void tl_metrics_free(tl_metrics *m);

/* route_index is the route's row in tl_routes, or tl_route_count for
 * requests that matched no route. */
void tl_metrics_observe(tl_metrics *m, size_t route_index, unsigned status,
			uint64_t duration_us);

/* The exposition text; caller frees. now: the clock's now (the day of
 * tally_holds_short_accounts). */
char *tl_metrics_render(tl_metrics *m, tl_store *store, int64_t now);

#endif
