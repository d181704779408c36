/* h_webhooks.c: webhook endpoints, their delivery log and the outbox feed
 * over HTTP (admin only; service/webhooks.h). The feed is
 * /v1/webhook-events, not /v1/events: that one is the audit trail (every
 * change, with actor, before and after) and keeps its shape. */
#include "api/api.h"
#include "service/webhooks.h"

#include <stdlib.h>
#include <string.h>

typedef struct webhook_call {
	tl_request *req;
	tl_response *res;
	json_t *in;
	tl_webhook_endpoint_input input;
	tl_page page;
	tl_webhook_endpoint endpoint;
	tl_webhook_endpoint endpoints[TL_PAGE_MAX];
	tl_webhook_delivery deliveries[TL_PAGE_MAX];
	tl_webhook_event events[TL_PAGE_MAX];
	tl_webhook_delivery delivery;
	size_t count;
} webhook_call;

static webhook_call *new_call(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = calloc(1, sizeof(*c)); /* pages of rows: not on the stack */
	if (c == NULL) {
		tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
		return NULL;
	}
	c->req = req;
	c->res = res;
	c->input.enabled = -1;
	c->input.allow_private = req->app->webhook_allow_private;
	return c;
}

static void free_call(webhook_call *c)
{
	for (size_t i = 0; i < c->count; i++)
		tl_webhook_event_free_fields(&c->events[i]);
	json_decref(c->in);
	free(c);
}

static const tl_field endpoint_fields[] = {
	{"url", TL_JSON_STRING, false},
	{"event_types", TL_JSON_ARRAY, false},
	{"enabled", TL_JSON_BOOLEAN, false},
	{"description", TL_JSON_STRING, false},
};

static int read_input(webhook_call *c, tl_error *err)
{
	int rc = tl_json_input(c->req, endpoint_fields,
			       sizeof(endpoint_fields) / sizeof(endpoint_fields[0]), &c->in, err);
	if (rc < 0)
		return rc;
	c->input.url = tl_json_str(c->in, "url");
	c->input.event_types = json_object_get(c->in, "event_types");
	c->input.description = tl_json_str(c->in, "description");
	json_t *enabled = json_object_get(c->in, "enabled");
	if (enabled)
		c->input.enabled = json_is_true(enabled) ? 1 : 0;
	return 0;
}

static int create_tx(tl_tx *tx, void *arg, tl_error *err)
{
	webhook_call *c = arg;
	int rc = tl_webhook_endpoint_create(tx, &c->req->ctx, &c->input, &c->endpoint, err);
	if (rc < 0)
		return rc;
	tl_respond_json(c->res, 201, tl_webhook_endpoint_to_json(&c->endpoint, true));
	/* the secret is in this answer only; a retry learns the endpoint's id */
	c->res->retry_status = 409;
	c->res->retry_json = json_pack(
		"{s:{s:s, s:s, s:{s:s}}}", "error", "code", "webhook_endpoint_already_created",
		"message", "this Idempotency-Key already created an endpoint; its secret was shown once",
		"details", "endpoint_id", c->endpoint.id);
	return 0;
}

int tl_h_webhook_endpoints_create(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = read_input(c, err);
	if (rc == 0 && c->input.url == NULL)
		rc = tl_error_set(err, TL_EINVALID, "missing_field", "url is required");
	if (rc == 0)
		rc = tl_api_write(req, res, create_tx, c, err);
	free_call(c);
	return rc;
}

static int update_tx(tl_tx *tx, void *arg, tl_error *err)
{
	webhook_call *c = arg;
	int rc = tl_webhook_endpoint_update(tx, &c->req->ctx, c->req->params[0], &c->input,
					    &c->endpoint, err);
	if (rc == 0)
		tl_respond_json(c->res, 200, tl_webhook_endpoint_to_json(&c->endpoint, false));
	return rc;
}

int tl_h_webhook_endpoints_update(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = read_input(c, err);
	if (rc == 0)
		rc = tl_api_write(req, res, update_tx, c, err);
	free_call(c);
	return rc;
}

static int delete_tx(tl_tx *tx, void *arg, tl_error *err)
{
	webhook_call *c = arg;
	int rc = tl_webhook_endpoint_delete(tx, &c->req->ctx, c->req->params[0], err);
	if (rc == 0)
		tl_respond_json(c->res, 200,
				json_pack("{s:s, s:b}", "id", c->req->params[0], "deleted", 1));
	return rc;
}

int tl_h_webhook_endpoints_delete(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_json_input(req, NULL, 0, &c->in, err);
	if (rc == 0)
		rc = tl_api_write(req, res, delete_tx, c, err);
	free_call(c);
	return rc;
}

static int get_tx(tl_tx *tx, void *arg, tl_error *err)
{
	webhook_call *c = arg;
	return tl_store_webhook_endpoint_get(tx, c->req->params[0], &c->endpoint, err);
}

int tl_h_webhook_endpoints_get(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_api_read(req, get_tx, c, err);
	if (rc == 0)
		tl_respond_json(res, 200, tl_webhook_endpoint_to_json(&c->endpoint, false));
	free_call(c);
	return rc;
}

static int list_tx(tl_tx *tx, void *arg, tl_error *err)
{
	webhook_call *c = arg;
	return tl_store_webhook_endpoint_list(tx, &c->page, c->endpoints, &c->count, err);
}

int tl_h_webhook_endpoints_list(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_query_page(req, &c->page, err);
	rc = rc ? rc : tl_api_read(req, list_tx, c, err);
	if (rc == 0) {
		json_t *items = json_array();
		for (size_t i = 0; i < c->count; i++)
			json_array_append_new(items,
					      tl_webhook_endpoint_to_json(&c->endpoints[i], false));
		tl_respond_json(res, 200, tl_page_json(items, &c->page,
						       c->count ? c->endpoints[c->count - 1].id
								: NULL));
	}
	c->count = 0; /* no events to free */
	free_call(c);
	return rc;
}

static int deliveries_tx(tl_tx *tx, void *arg, tl_error *err)
{
	webhook_call *c = arg;
	int rc = tl_store_webhook_endpoint_get(tx, c->req->params[0], &c->endpoint, err);
	return rc ? rc : tl_store_webhook_delivery_list(tx, c->req->params[0], &c->page,
							 c->deliveries, &c->count, err);
}

int tl_h_webhook_deliveries_list(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_query_page(req, &c->page, err);
	rc = rc ? rc : tl_api_read(req, deliveries_tx, c, err);
	if (rc == 0) {
		json_t *items = json_array();
		for (size_t i = 0; i < c->count; i++)
			json_array_append_new(items, tl_webhook_delivery_to_json(&c->deliveries[i]));
		tl_respond_json(res, 200, tl_page_json(items, &c->page,
						       c->count ? c->deliveries[c->count - 1].id
								: NULL));
	}
	c->count = 0;
	free_call(c);
	return rc;
}

static int redeliver_tx(tl_tx *tx, void *arg, tl_error *err)
{
	webhook_call *c = arg;
	int rc = tl_webhook_delivery_redeliver(tx, &c->req->ctx, c->req->params[0], &c->delivery,
					       err);
	if (rc == 0)
		tl_respond_json(c->res, 200, tl_webhook_delivery_to_json(&c->delivery));
	return rc;
}

int tl_h_webhook_deliveries_redeliver(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_json_input(req, NULL, 0, &c->in, err);
	if (rc == 0)
		rc = tl_api_write(req, res, redeliver_tx, c, err);
	free_call(c);
	return rc;
}

static int events_tx(tl_tx *tx, void *arg, tl_error *err)
{
	webhook_call *c = arg;
	return tl_store_webhook_event_list(tx, tl_query(c->req, "type"), &c->page, c->events,
					   &c->count, err);
}

int tl_h_webhook_events_list(tl_request *req, tl_response *res, tl_error *err)
{
	webhook_call *c = new_call(req, res, err);
	if (c == NULL)
		return TL_EINTERNAL;
	int rc = tl_query_page(req, &c->page, err);
	rc = rc ? rc : tl_api_read(req, events_tx, c, err);
	if (rc == 0) {
		json_t *items = json_array();
		for (size_t i = 0; i < c->count; i++)
			json_array_append_new(items, tl_webhook_event_to_json(&c->events[i]));
		tl_respond_json(res, 200, tl_page_json(items, &c->page,
						       c->count ? c->events[c->count - 1].id
								: NULL));
	}
	free_call(c);
	return rc;
}
