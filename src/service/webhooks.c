/* webhooks.c: the outbox, webhook endpoints and delivery bookkeeping; see
 * webhooks.h. The HTTP side of deliveries is jobs/webhook_worker.c. */
#include "service/webhooks.h"
#include "common/ids.h"
#include "common/timefmt.h"
#include "service/audit.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Audit event types another system must act on, and the webhook type each
 * is delivered as. Everything else stays in the audit trail only. */
static const struct {
	const char *audit;
	const char *webhook;
} type_map[] = {
	{"resource.converted", "resource.converted"},
	{"resource.suspended", "resource.suspended"},
	{"resource.reactivated", "resource.reactivated"},
	{"resource.recovered", "resource.reactivated"}, /* paid back to life */
	{"resource.renewed", "resource.renewed"},
	{"resource.deleted", "resource.deleted"},
	{"resource.renewal_failed", "renewal.failed"},
	{"poc_wallet.expiring", "poc_wallet.expiring"},
	{"poc_wallet.expired", "poc_wallet.expired"},
	{"poc_wallet.used_up", "poc_wallet.used_up"},
	{"checkout.paid", "checkout.paid"},
	{"checkout.expired", "checkout.expired"},
	{"invoice.issued", "invoice.issued"},
	{"invoice.paid", "invoice.paid"},
	{"invoice.part_paid", "invoice.part_paid"},
	{"invoice.overdue", "invoice.overdue"},
	{"invoice.credit_note_issued", "invoice.credit_note_issued"},
	{"payment.succeeded", "payment.succeeded"},
	{"hold.placed", "hold.placed"},
	{"hold.insufficient_credit", "hold.insufficient_credit"},
	{"hold.expired", "hold.expired"},
	{"webhook_endpoint.disabled", "webhook_endpoint.disabled"},
};

const char *const tl_webhook_types[] = {
	"resource.converted", "resource.suspended", "resource.reactivated", "resource.renewed",
	"resource.deleted", "renewal.failed", "poc_wallet.expiring", "poc_wallet.expired",
	"poc_wallet.used_up", "checkout.paid", "checkout.expired", "invoice.issued",
	"invoice.paid", "invoice.part_paid", "invoice.overdue", "invoice.credit_note_issued", "payment.succeeded",
	"hold.placed", "hold.insufficient_credit", "hold.expired", "webhook_endpoint.disabled", NULL,
};

const char *tl_webhook_type_for(const char *audit_type)
{
	for (size_t i = 0; i < sizeof(type_map) / sizeof(type_map[0]); i++)
		if (strcmp(type_map[i].audit, audit_type) == 0)
			return type_map[i].webhook;
	return NULL;
}

bool tl_webhook_type_known(const char *type)
{
	if (strcmp(type, "*") == 0)
		return true;
	for (size_t i = 0; tl_webhook_types[i]; i++)
		if (strcmp(tl_webhook_types[i], type) == 0)
			return true;
	return false;
}

int tl_webhooks_enqueue(tl_tx *tx, const tl_event *e, const json_t *before,
			const json_t *after, tl_error *err)
{
	const char *type = tl_webhook_type_for(e->type);
	if (type == NULL)
		return 0;
	/* the object as the API shows it (the audit event's after), in the
	 * order its fields were built, and what it was before */
	json_t *data = json_pack("{s:O?, s:O?}", "object", after, "previous", before);
	tl_webhook_event w = {.created_at = e->created_at};
	snprintf(w.id, sizeof(w.id), "%s", e->id);
	snprintf(w.type, sizeof(w.type), "%s", type);
	snprintf(w.account_id, sizeof(w.account_id), "%s", e->account_id);
	snprintf(w.subject_id, sizeof(w.subject_id), "%s", e->subject_id);
	w.data = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	int rc = w.data ? tl_store_webhook_event_insert(tx, &w, err)
			: tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	free(w.data);
	return rc;
}

/* ---- destinations ----------------------------------------------------------- */

static bool v4_forbidden(uint32_t a)
{
	static const struct {
		uint32_t net;
		int bits;
	} ranges[] = {
		{0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},
		{0xA9FE0000, 16}, {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24},
		{0xC0A80000, 16}, {0xC6120000, 15}, {0xC6336400, 24}, {0xCB007100, 24},
		{0xE0000000, 4},  {0xF0000000, 4},
	};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		uint32_t mask = ranges[i].bits ? ~0u << (32 - ranges[i].bits) : 0;
		if ((a & mask) == ranges[i].net)
			return true;
	}
	return false;
}

bool tl_webhook_addr_forbidden(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_forbidden(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return true;
	const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	static const unsigned char zero[16] = {0};
	if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
		return true; /* :: and ::1 */
	if ((b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) || b[0] == 0xFF)
		return true; /* unique local, link-local, multicast */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
		return true; /* documentation */
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	static const unsigned char nat64[12] = {0, 0x64, 0xFF, 0x9B};
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 || memcmp(b, zero, 12) == 0) {
		uint32_t a = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
			     (uint32_t)b[14] << 8 | b[15];
		return v4_forbidden(a);
	}
	return false;
}

/* A literal address in the host (IPv6 in brackets), checked as an address. */
static bool literal_forbidden(const char *host)
{
	char h[64];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(h)) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		char *zone = strchr(h, '%');
		if (zone)
			*zone = '\0';
		struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
		return inet_pton(AF_INET6, h, &a6.sin6_addr) != 1 ||
		       tl_webhook_addr_forbidden((struct sockaddr *)&a6);
	}
	struct sockaddr_in a4 = {.sin_family = AF_INET};
	if (inet_pton(AF_INET, host, &a4.sin_addr) == 1)
		return tl_webhook_addr_forbidden((struct sockaddr *)&a4);
	return strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0 ||
	       (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0);
}

int tl_webhook_url_check(const char *url, bool allow_private, tl_error *err)
{
	if (strlen(url) > TL_WEBHOOK_URL_MAX)
		return tl_error_set(err, TL_ERULE, "invalid_webhook_url",
				    "a webhook URL is at most %u bytes", TL_WEBHOOK_URL_MAX);
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL;
	int rc = 0;
	if (u == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0')
		rc = tl_error_set(err, TL_ERULE, "invalid_webhook_url",
				  "the webhook URL is not an absolute URL with a host");
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		rc = tl_error_set(err, TL_ERULE, "invalid_webhook_url",
				  "a webhook URL is http or https, not %s", scheme);
	else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		rc = tl_error_set(err, TL_ERULE, "invalid_webhook_url",
				  "a webhook URL carries no user name or password");
	else if (!allow_private && literal_forbidden(host))
		rc = tl_error_set(err, TL_ERULE, "webhook_destination_forbidden",
				  "%s is a loopback, private or link-local destination", host);
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

/* ---- endpoints ---------------------------------------------------------------- */

/* The subscribed types as a JSON array text: known types, no more than
 * TL_WEBHOOK_TYPES_MAX, at least one. */
static int types_text(const json_t *types, char *out, size_t size, tl_error *err)
{
	size_t n = json_array_size(types);
	if (n == 0 || n > TL_WEBHOOK_TYPES_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_value",
				    "event_types holds 1 to %u types", TL_WEBHOOK_TYPES_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *t = json_string_value(json_array_get(types, i));
		if (t == NULL)
			return tl_error_set(err, TL_EINVALID, "invalid_type",
					    "event_types[%zu] is not a string", i);
		if (!tl_webhook_type_known(t)) {
			tl_error_set(err, TL_ERULE, "unknown_event_type",
				     "no webhook event type %.60s", t);
			tl_error_details(err, json_pack("{s:s}", "event_type", t));
			return TL_ERULE;
		}
	}
	char *text = json_dumps(types, JSON_COMPACT);
	int rc = text && strlen(text) < size ? 0
					     : tl_error_set(err, TL_EINVALID, "invalid_value",
							    "event_types is too long");
	if (rc == 0)
		snprintf(out, size, "%s", text);
	free(text);
	return rc;
}

static int apply_input(tl_webhook_endpoint *e, const tl_webhook_endpoint_input *in,
		       tl_error *err)
{
	if (in->url) {
		int rc = tl_webhook_url_check(in->url, in->allow_private, err);
		if (rc < 0)
			return rc;
		snprintf(e->url, sizeof(e->url), "%s", in->url);
	}
	if (in->event_types) {
		int rc = types_text(in->event_types, e->event_types, sizeof(e->event_types), err);
		if (rc < 0)
			return rc;
	}
	if (in->description) {
		if (strlen(in->description) > TL_WEBHOOK_DESCRIPTION_MAX)
			return tl_error_set(err, TL_EINVALID, "invalid_value",
					    "description is at most %u bytes",
					    TL_WEBHOOK_DESCRIPTION_MAX);
		snprintf(e->description, sizeof(e->description), "%s", in->description);
	}
	if (in->enabled >= 0) {
		e->enabled = in->enabled == 1;
		if (e->enabled) { /* turned on again by the admin: a fresh start */
			e->disabled_reason[0] = '\0';
			e->failing_since = 0;
		}
	}
	return 0;
}

int tl_webhook_endpoint_create(tl_tx *tx, const tl_ctx *ctx, const tl_webhook_endpoint_input *in,
			       tl_webhook_endpoint *out, tl_error *err)
{
	*out = (tl_webhook_endpoint){.enabled = true, .created_at = ctx->now,
				     .updated_at = ctx->now};
	tl_id_new(out->id, sizeof(out->id), "we");
	snprintf(out->event_types, sizeof(out->event_types), "[\"*\"]");
	char random[33];
	tl_random_base32(random, 32);
	snprintf(out->secret, sizeof(out->secret), "whsec_%s", random);
	int rc = in->url ? apply_input(out, in, err)
			 : tl_error_set(err, TL_EINVALID, "missing_field", "url is required");
	rc = rc ? rc : tl_store_webhook_endpoint_insert(tx, out, err);
	return rc ? rc : tl_audit_record(tx, ctx, "webhook_endpoint.created", NULL, out->id, NULL,
					 tl_webhook_endpoint_to_json(out, false), err);
}

int tl_webhook_endpoint_update(tl_tx *tx, const tl_ctx *ctx, const char *id,
			       const tl_webhook_endpoint_input *in, tl_webhook_endpoint *out,
			       tl_error *err)
{
	int rc = tl_store_webhook_endpoint_get(tx, id, out, err);
	if (rc < 0)
		return rc;
	json_t *before = tl_webhook_endpoint_to_json(out, false);
	rc = apply_input(out, in, err);
	out->updated_at = ctx->now;
	rc = rc ? rc : tl_store_webhook_endpoint_update(tx, out, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "webhook_endpoint.changed", NULL, out->id, before,
			       tl_webhook_endpoint_to_json(out, false), err);
}

int tl_webhook_endpoint_delete(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_error *err)
{
	tl_webhook_endpoint e;
	int rc = tl_store_webhook_endpoint_get(tx, id, &e, err);
	rc = rc ? rc : tl_store_webhook_endpoint_delete(tx, id, err);
	return rc ? rc : tl_audit_record(tx, ctx, "webhook_endpoint.deleted", NULL, id,
					 tl_webhook_endpoint_to_json(&e, false), NULL, err);
}

/* ---- deliveries ----------------------------------------------------------------- */

int64_t tl_webhook_backoff_s(int64_t attempts)
{
	int64_t s = TL_WEBHOOK_RETRY_MIN_S;
	for (int64_t i = 1; i < attempts && s < TL_WEBHOOK_RETRY_MAX_S; i++)
		s *= 2;
	return s < TL_WEBHOOK_RETRY_MAX_S ? s : TL_WEBHOOK_RETRY_MAX_S;
}

int tl_webhook_delivery_redeliver(tl_tx *tx, const tl_ctx *ctx, const char *id,
				  tl_webhook_delivery *out, tl_error *err)
{
	int rc = tl_store_webhook_delivery_get(tx, id, out, err);
	if (rc < 0)
		return rc;
	if (strcmp(out->status, "pending") == 0)
		return tl_error_set(err, TL_ECONFLICT, "delivery_pending",
				    "delivery %s is still pending", id);
	json_t *before = json_pack("{s:s}", "status", out->status);
	snprintf(out->status, sizeof(out->status), "pending");
	out->next_attempt_at = ctx->now;
	out->created_at = ctx->now; /* the retry window starts again */
	out->delivered_at = 0;
	rc = tl_store_webhook_delivery_save(tx, out, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "webhook_delivery.redelivered", NULL, id, before,
			       json_pack("{s:s, s:s}", "status", "pending", "event_id",
					 out->event_id), err);
}

/* After a failed attempt: the endpoint's run of failures, and its end. */
static int endpoint_failed(tl_tx *tx, const tl_ctx *ctx, const char *endpoint_id, tl_error *err)
{
	tl_webhook_endpoint e;
	int rc = tl_store_webhook_endpoint_get(tx, endpoint_id, &e, err);
	if (rc < 0)
		return rc;
	if (e.failing_since == 0) {
		e.failing_since = ctx->now;
		return tl_store_webhook_endpoint_update(tx, &e, err);
	}
	if (!e.enabled || ctx->now - e.failing_since < TL_WEBHOOK_DISABLE_AFTER_S)
		return 0;
	json_t *before = tl_webhook_endpoint_to_json(&e, false);
	e.enabled = false;
	snprintf(e.disabled_reason, sizeof(e.disabled_reason), "failing");
	e.updated_at = ctx->now;
	rc = tl_store_webhook_endpoint_update(tx, &e, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "webhook_endpoint.disabled", NULL, e.id, before,
			       tl_webhook_endpoint_to_json(&e, false), err);
}

static int endpoint_succeeded(tl_tx *tx, const char *endpoint_id, tl_error *err)
{
	tl_webhook_endpoint e;
	int rc = tl_store_webhook_endpoint_get(tx, endpoint_id, &e, err);
	if (rc < 0 || e.failing_since == 0)
		return rc;
	e.failing_since = 0;
	return tl_store_webhook_endpoint_update(tx, &e, err);
}

int tl_webhook_delivery_record(tl_tx *tx, const tl_ctx *ctx, const char *id,
			       const tl_webhook_attempt *a, tl_error *err)
{
	tl_webhook_delivery d;
	int rc = tl_store_webhook_delivery_get(tx, id, &d, err);
	if (rc < 0 || strcmp(d.status, "pending") != 0)
		return rc; /* gone with its endpoint, or decided meanwhile */
	d.attempts++;
	d.last_attempt_at = ctx->now;
	d.last_status = a->http_status;
	d.last_latency_ms = a->latency_ms;
	snprintf(d.last_error, sizeof(d.last_error), "%s", a->ok ? "" : a->error);
	if (a->ok) {
		snprintf(d.status, sizeof(d.status), "delivered");
		d.delivered_at = ctx->now;
	} else if (ctx->now - d.created_at >= TL_WEBHOOK_RETRY_WINDOW_S) {
		snprintf(d.status, sizeof(d.status), "failed");
	} else {
		d.next_attempt_at = ctx->now + tl_webhook_backoff_s(d.attempts);
	}
	rc = tl_store_webhook_delivery_save(tx, &d, err);
	if (rc < 0)
		return rc;
	return a->ok ? endpoint_succeeded(tx, d.endpoint_id, err)
		     : endpoint_failed(tx, ctx, d.endpoint_id, err);
}

/* ---- JSON ------------------------------------------------------------------------- */

static json_t *time_or_null(int64_t t)
{
	if (t == 0)
		return json_null();
	char s[TL_TIME_STR_MAX];
	tl_time_format(t, s);
	return json_string(s);
}

json_t *tl_webhook_event_to_json(const tl_webhook_event *e)
{
	json_t *data = e->data ? json_loads(e->data, 0, NULL) : NULL;
	return json_pack("{s:s, s:s, s:o, s:s?, s:s, s:o}", "id", e->id, "type", e->type,
			 "created_at", time_or_null(e->created_at), "account_id",
			 e->account_id[0] ? e->account_id : NULL, "subject_id", e->subject_id,
			 "data", data ? data : json_null());
}

json_t *tl_webhook_endpoint_to_json(const tl_webhook_endpoint *e, bool with_secret)
{
	json_t *types = json_loads(e->event_types, 0, NULL);
	json_t *j = json_pack("{s:s, s:s, s:o, s:b, s:s, s:s?, s:o, s:o, s:o}", "id", e->id, "url",
			      e->url, "event_types", types ? types : json_array(), "enabled",
			      e->enabled, "description", e->description, "disabled_reason",
			      e->disabled_reason[0] ? e->disabled_reason : NULL, "failing_since",
			      time_or_null(e->failing_since), "created_at",
			      time_or_null(e->created_at), "updated_at",
			      time_or_null(e->updated_at));
	if (j && with_secret)
		json_object_set_new(j, "secret", json_string(e->secret));
	return j;
}

json_t *tl_webhook_delivery_to_json(const tl_webhook_delivery *d)
{
	bool pending = strcmp(d->status, "pending") == 0;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:s?, s:o, s:o, s:o}",
			 "id", d->id, "endpoint_id", d->endpoint_id, "event_id", d->event_id,
			 "event_type", d->event_type, "subject_id", d->subject_id, "status",
			 d->status, "attempts", (json_int_t)d->attempts, "next_attempt_at",
			 pending ? time_or_null(d->next_attempt_at) : json_null(),
			 "last_attempt_at", time_or_null(d->last_attempt_at), "last_status",
			 d->last_status ? json_integer(d->last_status) : json_null(),
			 "last_error", d->last_error[0] ? d->last_error : NULL, "last_latency_ms",
			 d->last_latency_ms >= 0 ? json_integer(d->last_latency_ms) : json_null(),
			 "created_at", time_or_null(d->created_at), "delivered_at",
			 time_or_null(d->delivered_at));
}
