/*
 * webhooks.h: telling other systems what billing decided (issue 18).
 *
 * The outbox. Every state change records an audit event in its own
 * transaction (service/audit.c); when the audit type is one another system
 * must act on, tl_webhooks_enqueue writes an outbox event (same id as the
 * audit event) and one pending delivery per enabled endpoint subscribed to
 * its type, in that same transaction. So a committed change always has its
 * event and its deliveries, and a rolled back one has neither.
 *
 * Delivery (jobs/webhook_worker.c) takes due deliveries, POSTs the event,
 * and records the result here (tl_webhook_delivery_record): delivered, or
 * retried with exponential backoff until TL_WEBHOOK_RETRY_WINDOW_S after
 * the event, then failed. Deliveries of one object (subject_id) to one
 * endpoint go out in order: a later one waits while an earlier is pending.
 * At least once: a crash between the request and the record resends it.
 *
 * Invariants:
 *   1. An outbox event exists iff its audit event does (same transaction).
 *   2. A delivery is pending, delivered or failed; delivered and failed are
 *      final except through an explicit redelivery.
 *   3. The secret leaves tallyd only in the creation answer and as the key
 *      of signatures; it is never in an audit event or a list.
 */
#ifndef TL_WEBHOOKS_H
#define TL_WEBHOOKS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/socket.h>
#include "service/context.h"
#include "store/store.h"

/* The webhook type of an audit event type, or NULL when no other system
 * needs to hear about it. */
const char *tl_webhook_type_for(const char *audit_type);
/* True for a type an endpoint may subscribe to ("*" included). */
bool tl_webhook_type_known(const char *type);
/* Every webhook type, NULL-terminated (docs, tests). */
extern const char *const tl_webhook_types[];

/* Called by tl_audit_record after it stored e (before and after borrowed). */
int tl_webhooks_enqueue(tl_tx *tx, const tl_event *e, const json_t *before,
			const json_t *after, tl_error *err);

/* Destination checks. 422 invalid_webhook_url: not an absolute http(s) URL
 * with a host, with user info, or too long; 422
 * webhook_destination_forbidden: a literal address (or "localhost") in a
 * loopback, private, link-local or otherwise non-public range, unless
 * allow_private. */
int tl_webhook_url_check(const char *url, bool allow_private, tl_error *err);
/* True when an address is not one tallyd may send a webhook to. */
bool tl_webhook_addr_forbidden(const struct sockaddr *sa);

typedef struct tl_webhook_endpoint_input {
	const char *url;          /* NULL: unchanged (update) */
	const json_t *event_types; /* array of strings; NULL: unchanged, ["*"] at creation */
	int enabled;              /* -1 unchanged, 0, 1 */
	const char *description;  /* NULL: unchanged */
	bool allow_private;       /* tallyd --webhook-allow-private */
} tl_webhook_endpoint_input;

int tl_webhook_endpoint_create(tl_tx *tx, const tl_ctx *ctx, const tl_webhook_endpoint_input *in,
			       tl_webhook_endpoint *out, tl_error *err);
int tl_webhook_endpoint_update(tl_tx *tx, const tl_ctx *ctx, const char *id,
			       const tl_webhook_endpoint_input *in, tl_webhook_endpoint *out,
			       tl_error *err);
int tl_webhook_endpoint_delete(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_error *err);
/* Sets a delivered or failed delivery pending again, due now. */
int tl_webhook_delivery_redeliver(tl_tx *tx, const tl_ctx *ctx, const char *id,
				  tl_webhook_delivery *out, tl_error *err);

/* What one attempt did. */
typedef struct tl_webhook_attempt {
	bool ok;               /* a 2xx answer */
	long http_status;      /* 0: no answer */
	int64_t latency_ms;
	char error[160];       /* why it failed, "" when ok */
} tl_webhook_attempt;

/* Records an attempt of delivery id at ctx->now: delivered, or the next
 * try after a backoff, or failed when the retry window is over; an
 * endpoint failing for TL_WEBHOOK_DISABLE_AFTER_S is disabled with a
 * webhook_endpoint.disabled event. */
int tl_webhook_delivery_record(tl_tx *tx, const tl_ctx *ctx, const char *id,
			       const tl_webhook_attempt *a, tl_error *err);
/* Seconds to wait after the n-th failed attempt (n >= 1). */
int64_t tl_webhook_backoff_s(int64_t attempts);

/* The event as it is delivered and listed (/v1/webhook-events). */
json_t *tl_webhook_event_to_json(const tl_webhook_event *e);
/* with_secret only in the creation answer. */
json_t *tl_webhook_endpoint_to_json(const tl_webhook_endpoint *e, bool with_secret);
json_t *tl_webhook_delivery_to_json(const tl_webhook_delivery *d);

#endif
