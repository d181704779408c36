/*
 * webhook_worker.h: the thread that delivers webhooks (service/webhooks.h
 * keeps the books). Each pass takes the due deliveries, POSTs each event
 * outside any transaction, and records the attempt in a short write; a
 * crash between the two resends the event (at least once, same event id).
 *
 * An attempt: the URL's host is resolved, every address checked
 * (tl_webhook_addr_forbidden, unless allow_private) and curl pinned to the
 * checked address (CURLOPT_RESOLVE), so a DNS answer that changes between
 * check and connect cannot send it elsewhere; no redirects, no proxies,
 * http and https only, bounded connect and total time, at most
 * TL_WEBHOOK_RESPONSE_MAX bytes of the answer read. Signed:
 *   Tally-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 */
#ifndef TL_WEBHOOK_WORKER_H
#define TL_WEBHOOK_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/clock.h"
#include "store/store.h"

typedef struct tl_webhook_options {
	bool allow_private;  /* --webhook-allow-private */
	unsigned timeout_ms; /* --webhook-timeout-ms; 0: TL_WEBHOOK_TIMEOUT_MS_DEFAULT */
} tl_webhook_options;

/* The signature header's value for body at time t, into out (>= 96 bytes). */
void tl_webhook_sign(const char *secret, int64_t t, const char *body, size_t body_len,
		     char *out, size_t out_size);

/* Attempts since start, for /metrics. */
uint64_t tl_webhook_attempts_ok(void);
uint64_t tl_webhook_attempts_failed(void);

typedef struct tl_webhook_worker tl_webhook_worker;
int tl_webhook_worker_start(tl_webhook_worker **out, tl_store *store, tl_clock *clock,
			    const tl_webhook_options *opt);
/* Stops the thread; an attempt in flight is abandoned (and resent later). */
void tl_webhook_worker_stop(tl_webhook_worker *w);

#endif
