/*
 * context.h: who is asking and when, handed to every use case. The api layer
 * fills it from the request; jobs fill it for the scheduler.
 */
#ifndef TL_CONTEXT_H
#define TL_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include "common/limits.h"

typedef struct tl_principal {
	bool is_admin;
	char account_id[TL_ID_MAX]; /* the token's account; empty for the admin */
	char actor[TL_ID_MAX];      /* "admin", a token id, or a job name */
	bool metering;              /* a metering token: submits usage, nothing else */
} tl_principal;

typedef struct tl_ctx {
	const tl_principal *who;
	int64_t now; /* read once from the injected clock per request */
} tl_ctx;

/* True when the principal may see objects of account_id. */
bool tl_ctx_may_see(const tl_ctx *ctx, const char *account_id);

#endif
