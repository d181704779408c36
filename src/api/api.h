/*
 * api.h: what every HTTP handler sees. The api layer only translates: JSON
 * and HTTP in, typed calls to service/ use cases, JSON and HTTP out.
 *
 * A request's path through the layer (details in docs/ARCHITECTURE.md):
 *   server.c   receives it (libmicrohttpd, one thread per connection):
 *              once the headers are in, finds the route and authenticates,
 *              and only then reads the body, within its cap and the global
 *              body budget;
 *   h_*.c      parses and checks the JSON, calls the use case inside
 *              tl_api_read or tl_api_write (idempotency, group commit);
 *   respond.c  renders the result or the tl_error as JSON.
 */
#ifndef TL_API_H
#define TL_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/clock.h"
#include "common/err.h"
#include "domain/account.h"
#include "domain/catalog.h"
#include "service/context.h"
#include "store/store.h"

struct MHD_Connection;
typedef struct tl_metrics tl_metrics;

/* Everything a handler may use, shared by all requests. */
typedef struct tl_app {
	tl_store *store;
	const struct tl_catalog *catalog;
	int64_t checkout_ttl_s;
	/* payment gateway: the sandbox (tests, demos) when enabled */
	bool sandbox_gateway;
	char gateway_secret[129];  /* shared HMAC secret of gateway notifications */
	char vnpay_url[256];       /* VNPay's payment page (--vnpay-url), or "" */
	char vnpay_tmn_code[16];   /* VNPay's terminal code (--vnpay-tmn-code), or "" */
	/* the seller printed on invoices (--seller-name, ...), or "" */
	char seller_name[160];
	char seller_address[320];
	char seller_tax_code[32];
	char public_url[160];      /* how browsers reach tallyd, for redirects */
	const char *web_dir;       /* the console's files; NULL or "": not served */
	const char *backup_dir;    /* where POST /v1/admin/backup writes its files */
	int64_t idempotency_retention_s; /* stored Idempotency-Key answers kept this long */
	tl_clock *clock;
	tl_metrics *metrics;
	unsigned char admin_hash[TL_TOKEN_HASH_BYTES];
	bool test_clock;
	bool access_log;
	/* tallyd --webhook-allow-private: webhooks may go to loopback and
	 * private addresses (tests, on-premise receivers) */
	bool webhook_allow_private;
} tl_app;

#define TL_ROUTE_PARAMS_MAX 4
#define TL_ROUTE_PARAM_MAX 64

/* TL_AUTH_ANY: the admin or an account token; TL_AUTH_METERING: the admin
 * or a metering token (usage intake). A metering token may call nothing
 * else. */
typedef enum { TL_AUTH_NONE, TL_AUTH_ADMIN, TL_AUTH_ANY, TL_AUTH_METERING } tl_auth;

typedef struct tl_request tl_request;
typedef struct tl_response tl_response;
typedef int (*tl_handler)(tl_request *req, tl_response *res, tl_error *err);

typedef struct tl_route {
	const char *method;
	const char *pattern;  /* "/v1/accounts/{acc}/tokens" */
	tl_auth auth;
	bool test_clock_only; /* exists only under --test-clock */
	tl_handler handler;
} tl_route;

struct tl_request {
	tl_app *app;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const char *body;     /* NUL-terminated; body_len excludes the NUL */
	size_t body_len;
	const tl_route *route;
	char params[TL_ROUTE_PARAMS_MAX][TL_ROUTE_PARAM_MAX];
	int param_count;
	const char *idempotency_key; /* NULL when absent */
	tl_principal who;
	tl_ctx ctx;
};

struct tl_response {
	unsigned status;
	json_t *json;             /* body, or */
	char *text;               /* a ready body (metrics, replays); owned */
	size_t text_len;          /* text's bytes when binary (a PDF); 0: strlen */
	const char *content_type; /* default application/json */
	bool replayed;            /* answered from the idempotency store */
	/* What a retry with the same Idempotency-Key gets instead of this
	 * answer, for answers that must be shown once (a token's secret);
	 * status 0 means "this answer". */
	unsigned retry_status;
	json_t *retry_json;
};

/* ---- respond.c ---- */
void tl_respond_json(tl_response *res, unsigned status, json_t *body);
void tl_respond_error(tl_response *res, const tl_error *err);
void tl_response_reset(tl_response *res);
/* The response body as text (rendering json if needed); caller frees. */
char *tl_response_body_text(const tl_response *res);

/* ---- json_in.c: strict request bodies ---- */
typedef enum { TL_JSON_STRING, TL_JSON_INTEGER, TL_JSON_BOOLEAN, TL_JSON_OBJECT,
	       TL_JSON_ARRAY } tl_json_type;

typedef struct tl_field {
	const char *name;
	tl_json_type type;
	bool required;
} tl_field;

/* Parses the body as one JSON object (an empty body counts as {}). 400
 * invalid_json with the byte offset when it is not JSON. */
int tl_json_body(const tl_request *req, json_t **out, tl_error *err);

/* Checks obj against fields: unknown_field, invalid_type, missing_field,
 * and invalid_value for a string member over TL_JSON_STRING_MAX bytes or
 * with a control character. */
int tl_json_check(const json_t *obj, const tl_field *fields, size_t count, tl_error *err);

/* The same for a nested object: errors name the field as prefix.name
 * ("spec.service", "items[0].nmae"); obj not an object is invalid_type of
 * prefix itself. */
int tl_json_check_at(const json_t *obj, const char *prefix, const tl_field *fields,
		     size_t count, tl_error *err);

/* The integer member name of obj, from min to max: 400 invalid_value naming
 * the field (with min and max in details) when outside, invalid_type when
 * not an integer. Absent: 0, *out untouched (the caller's default). No
 * integer a client sends is cast to a narrower type unchecked. */
int tl_json_int_range(const json_t *obj, const char *name, int64_t min, int64_t max,
		      int64_t *out, tl_error *err);

/* An amount of minor units: a positive integer (400 invalid_amount naming
 * the field otherwise). Absent: 0, *out untouched. Sums are checked where
 * they are made (the ledger: amount_overflows). */
int tl_json_amount(const json_t *obj, const char *name, int64_t *out, tl_error *err);

/* The shape of spec for a resource type (api/schema.c): NULL, no spec, for
 * an unknown type (the use case names that error). */
const tl_field *tl_spec_fields(const char *type, size_t *count);

/* Checks the spec of a resource of the given type, as prefix ("spec",
 * "items[0].spec"): unknown_field, invalid_type at every depth. */
int tl_spec_check(const json_t *spec, const char *type, const char *prefix, tl_error *err);

/* Body parsed and checked in one call. */
int tl_json_input(const tl_request *req, const tl_field *fields, size_t count, json_t **out,
		  tl_error *err);

/* The string member, or NULL when absent. */
const char *tl_json_str(const json_t *obj, const char *name);

/* ---- query.c ---- */
/* limit and after from the query string, checked. */
int tl_query_page(const tl_request *req, tl_page *out, tl_error *err);
const char *tl_query(const tl_request *req, const char *name);
/* Every query parameter's name and value: no control byte (400
 * invalid_parameter naming it). The router calls it for each request. */
int tl_query_check(const tl_request *req, tl_error *err);
/* {"data": items, "next": last id when the page is full, else null} */
json_t *tl_page_json(json_t *items, const tl_page *page, const char *last_id);

/* ---- transact.c: running use cases ---- */
/* Runs fn in a read transaction. */
int tl_api_read(tl_request *req, tl_tx_fn fn, void *arg, tl_error *err);

/* Runs fn (which fills res) in a group-committed write transaction, with the
 * request's Idempotency-Key: a replay answers the stored response and runs
 * nothing; the same key with another body is 422 idempotency_key_reused;
 * fn's changes and the stored response commit together. fn's failures are
 * rendered into res as error responses. */
int tl_api_write(tl_request *req, tl_response *res, tl_tx_fn fn, void *arg, tl_error *err);

/* ---- routes.c ---- */
extern const tl_route tl_routes[];
extern const size_t tl_route_count;

/* ---- router.c ---- */
typedef enum { TL_ROUTE_FOUND, TL_ROUTE_NO_PATH, TL_ROUTE_NO_METHOD,
	       TL_ROUTE_INVALID } tl_route_match;
/* Finds the route for method and path, filling req->params. allow receives
 * the methods the path does support (for 405's Allow header). A path
 * parameter that is too long or holds a control byte, or (with req->conn)
 * a bad query value, is TL_ROUTE_INVALID with err set (400 invalid_path or
 * invalid_parameter). */
tl_route_match tl_router_find(const tl_app *app, tl_request *req, const char *method,
			      const char *path, char *allow, size_t allow_size, tl_error *err);

/* libmicrohttpd's unescape callback (MHD_OPTION_UNESCAPE_CALLBACK): %XX
 * decoding, with %00 decoded to DEL so that a NUL never cuts a path or a
 * query value short (see router.c). */
size_t tl_url_unescape(void *cls, struct MHD_Connection *conn, char *s);

/* ---- handlers (h_*.c) ---- */
int tl_h_healthz(tl_request *req, tl_response *res, tl_error *err);
int tl_h_metrics(tl_request *req, tl_response *res, tl_error *err);
int tl_h_admin_backup(tl_request *req, tl_response *res, tl_error *err);
int tl_h_accounts_create(tl_request *req, tl_response *res, tl_error *err);
int tl_h_accounts_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_accounts_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_tokens_create(tl_request *req, tl_response *res, tl_error *err);
int tl_h_events_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_poc_wallets_change(tl_request *req, tl_response *res, tl_error *err);
int tl_h_transfers_create(tl_request *req, tl_response *res, tl_error *err);
int tl_h_transfers_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_holds_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_wallets_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_ledger_accounts_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_ledger_check(tl_request *req, tl_response *res, tl_error *err);
int tl_h_credit_top_up(tl_request *req, tl_response *res, tl_error *err);
int tl_h_poc_wallets_create(tl_request *req, tl_response *res, tl_error *err);
int tl_h_catalog_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_coupons_create(tl_request *req, tl_response *res, tl_error *err);
int tl_h_coupons_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_coupons_disable(tl_request *req, tl_response *res, tl_error *err);
int tl_h_checkouts_create(tl_request *req, tl_response *res, tl_error *err);
int tl_h_checkouts_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_checkouts_change(tl_request *req, tl_response *res, tl_error *err);
int tl_h_checkouts_cancel(tl_request *req, tl_response *res, tl_error *err);
int tl_h_checkouts_pay(tl_request *req, tl_response *res, tl_error *err);
int tl_h_invoices_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_invoices_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_payments_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_payments_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_resources_create(tl_request *req, tl_response *res, tl_error *err);
int tl_h_resources_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_resources_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_resources_delete(tl_request *req, tl_response *res, tl_error *err);
int tl_h_stop_poc_preview(tl_request *req, tl_response *res, tl_error *err);
int tl_h_stop_poc_confirm(tl_request *req, tl_response *res, tl_error *err);
/* h_gateway.c: paying through a redirect gateway, and the sandbox gateway */
int tl_h_pay_gateway(tl_request *req, tl_response *res, tl_error *err);
int tl_h_sandbox_page(tl_request *req, tl_response *res, tl_error *err);
int tl_h_sandbox_action(tl_request *req, tl_response *res, tl_error *err);
int tl_h_gateway_notify(tl_request *req, tl_response *res, tl_error *err);
int tl_h_vnpay_ipn(tl_request *req, tl_response *res, tl_error *err);
int tl_h_top_up_gateway(tl_request *req, tl_response *res, tl_error *err);
int tl_h_vnpay_return(tl_request *req, tl_response *res, tl_error *err);
/* h_usage.c and h_accounts.c (account type) */
int tl_h_usage_submit(tl_request *req, tl_response *res, tl_error *err);
int tl_h_accounts_change(tl_request *req, tl_response *res, tl_error *err);
/* h_renew.c */
int tl_h_resources_renew(tl_request *req, tl_response *res, tl_error *err);
int tl_h_jobs_run(tl_request *req, tl_response *res, tl_error *err);
int tl_h_jobs_failures(tl_request *req, tl_response *res, tl_error *err);
int tl_h_clock_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_clock_set(tl_request *req, tl_response *res, tl_error *err);
/* h_webhooks.c */
int tl_h_webhook_endpoints_create(tl_request *req, tl_response *res, tl_error *err);
int tl_h_webhook_endpoints_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_webhook_endpoints_get(tl_request *req, tl_response *res, tl_error *err);
int tl_h_webhook_endpoints_update(tl_request *req, tl_response *res, tl_error *err);
int tl_h_webhook_endpoints_delete(tl_request *req, tl_response *res, tl_error *err);
int tl_h_webhook_deliveries_list(tl_request *req, tl_response *res, tl_error *err);
int tl_h_webhook_deliveries_redeliver(tl_request *req, tl_response *res, tl_error *err);
int tl_h_webhook_events_list(tl_request *req, tl_response *res, tl_error *err);

#endif
