/*
 * suspension.h: a time a postpaid resource billed on its running time was
 * suspended (service/suspensions.c), so those seconds are not rated.
 *
 *   (none) --the hold suspends the resource--> open   (start_at: then)
 *   open   --the hold reactivates it---------> closed (end_at: then)
 *
 * Invariants: end_at is 0 while open and >= start_at once closed.
 */
#ifndef TL_SUSPENSION_H
#define TL_SUSPENSION_H

#include <stdint.h>
#include "common/limits.h"

typedef struct tl_suspension {
	int64_t seq; /* the store's order; a page's cursor */
	char id[TL_ID_MAX];
	char account_id[TL_ID_MAX];
	char resource_id[TL_ID_MAX];
	char status[8]; /* "open" or "closed" */
	int64_t start_at, end_at; /* end_at 0: open, runs until now */
	int64_t created_at, updated_at;
} tl_suspension;

#endif
