/*
 * cmd_webhooks.c: `tally webhooks ...`, the admin's webhook endpoints
 * (/v1/webhook-endpoints), their delivery log, redelivery, and the outbox
 * feed (/v1/webhook-events). `create` prints the endpoint's secret, which
 * the server shows only that once.
 */
#include "cli/cli.h"

#include <string.h>

static const tl_cli_column endpoint_columns[] = {
	{"ID", "id", false},           {"URL", "url", false},
	{"EVENTS", "events_text", false}, {"ENABLED", "enabled_text", false},
	{"SECRET", "secret", false},
};
#define ENDPOINT_COLUMNS (sizeof(endpoint_columns) / sizeof(endpoint_columns[0]))

static const tl_cli_column delivery_columns[] = {
	{"ID", "id", false},         {"EVENT", "event_id", false},
	{"TYPE", "event_type", false}, {"STATUS", "status", false},
	{"ATTEMPTS", "attempts", true}, {"LAST", "last_status", true},
	{"MS", "last_latency_ms", true}, {"ERROR", "last_error", false},
};

static const tl_cli_column event_columns[] = {
	{"CREATED", "created_at", false},
	{"ID", "id", false},
	{"TYPE", "type", false},
	{"SUBJECT", "subject_id", false},
};

/* Types an endpoint may name, as the API allows. */
#define TYPES_MAX 32

static int out_of_memory(void)
{
	fputs("error: out of memory\n", stderr);
	return TL_CLI_EXIT_SERVER;
}

/* A copy of endpoint e with its display fields. */
static json_t *endpoint_row(const json_t *e)
{
	json_t *row = json_deep_copy(e);
	if (row == NULL)
		return NULL;
	char text[TL_CLI_CELL_MAX] = "";
	const json_t *types = json_object_get(e, "event_types");
	size_t len = 0;
	for (size_t i = 0; i < json_array_size(types) && len + 1 < sizeof(text); i++) {
		const char *t = json_string_value(json_array_get(types, i));
		snprintf(text + len, sizeof(text) - len, "%s%s", i ? "," : "", t ? t : "?");
		len = strlen(text);
	}
	json_object_set_new(row, "events_text", json_string(text));
	const char *reason = json_string_value(json_object_get(e, "disabled_reason"));
	json_object_set_new(row, "enabled_text",
			    json_string(json_is_true(json_object_get(e, "enabled")) ? "yes"
					: reason					 ? reason
											 : "no"));
	if (json_object_get(e, "secret") == NULL)
		json_object_set_new(row, "secret", json_string("-"));
	return row;
}

static int show_endpoint(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *row = endpoint_row(body);
	if (row == NULL)
		return out_of_memory();
	int rc = tl_cli_print_one(endpoint_columns, ENDPOINT_COLUMNS, row);
	json_decref(row);
	return rc;
}

static int show_endpoints(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *page = json_deep_copy(body);
	json_t *data = json_object_get(page, "data");
	for (size_t i = 0; page && i < json_array_size(data); i++) {
		json_t *row = endpoint_row(json_array_get(data, i));
		if (row == NULL || json_array_set_new(data, i, row) != 0) {
			json_decref(page);
			return out_of_memory();
		}
	}
	if (page == NULL)
		return out_of_memory();
	int rc = tl_cli_print_page(endpoint_columns, ENDPOINT_COLUMNS - 1, page);
	json_decref(page);
	return rc;
}

static int show_deliveries(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_print_page(delivery_columns,
				 sizeof(delivery_columns) / sizeof(delivery_columns[0]), body);
}

static int show_delivery(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_print_one(delivery_columns,
				sizeof(delivery_columns) / sizeof(delivery_columns[0]), body);
}

static int show_events(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_print_page(event_columns, sizeof(event_columns) / sizeof(event_columns[0]),
				 body);
}

/* "a,b" as a JSON array of 1 to TYPES_MAX names. */
static int types_list(const char *text, json_t **out)
{
	json_t *list = json_array();
	const char *p = text, *end = text + strlen(text);
	bool ok = list != NULL && text[0] != '\0';
	while (ok && p <= end) { /* p moves on by at least one each time */
		size_t len = strcspn(p, ",");
		ok = len > 0 && json_array_size(list) < TYPES_MAX &&
		     json_array_append_new(list, json_stringn(p, len)) == 0;
		p += len + 1;
	}
	if (!ok) {
		json_decref(list);
		return tl_cli_usage_error("--events takes 1 to %d event types, comma separated "
					  "(resource.suspended,invoice.issued) or *, not '%s'",
					  TYPES_MAX, text);
	}
	*out = list;
	return 0;
}

typedef struct endpoint_args {
	const char *id, *url, *events, *description, *enable, *disable;
} endpoint_args;

static int endpoint_body(const endpoint_args *a, json_t *body)
{
	if (a->url && json_object_set_new(body, "url", json_string(a->url)) != 0)
		return tl_cli_usage_error("--url must be UTF-8 text");
	if (a->description &&
	    json_object_set_new(body, "description", json_string(a->description)) != 0)
		return tl_cli_usage_error("--description must be UTF-8 text");
	if (a->enable && a->disable)
		return tl_cli_usage_error("give one of --enable and --disable");
	if (a->enable || a->disable)
		json_object_set_new(body, "enabled", json_boolean(a->enable != NULL));
	json_t *types = NULL;
	int rc = a->events ? types_list(a->events, &types) : 0;
	if (rc == 0 && types)
		json_object_set_new(body, "event_types", types);
	return rc;
}

static int send(const tl_cli_opts *o, const char *method, tl_cli_path *path, json_t *body,
		tl_cli_show show)
{
	const tl_cli_request req = {.method = method, .path = path, .body = body, .auth = true};
	int rc = tl_cli_call(o, &req, show, NULL);
	json_decref(body);
	return rc;
}

int tl_cli_webhooks_create(const tl_cli_opts *o, int argc, char **argv)
{
	endpoint_args a = {0};
	const tl_cli_arg args[] = {
		{"--url", &a.url, false},
		{"--events", &a.events, false},
		{"--description", &a.description, false},
		{"--disable", &a.disable, true},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	if (a.url == NULL)
		return tl_cli_usage_error("missing --url URL");
	json_t *body = json_object();
	if (body == NULL)
		return out_of_memory();
	rc = endpoint_body(&a, body);
	if (rc != 0) {
		json_decref(body);
		return rc;
	}
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/webhook-endpoints");
	return send(o, "POST", &path, body, show_endpoint);
}

int tl_cli_webhooks_update(const tl_cli_opts *o, int argc, char **argv)
{
	endpoint_args a = {0};
	const tl_cli_arg args[] = {
		{"ID", &a.id, false},
		{"--url", &a.url, false},
		{"--events", &a.events, false},
		{"--description", &a.description, false},
		{"--enable", &a.enable, true},
		{"--disable", &a.disable, true},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	json_t *body = json_object();
	if (body == NULL)
		return out_of_memory();
	rc = endpoint_body(&a, body);
	if (rc != 0) {
		json_decref(body);
		return rc;
	}
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/webhook-endpoints");
	tl_cli_path_segment(&path, a.id);
	return send(o, "PATCH", &path, body, show_endpoint);
}

/* A verb on one id: GET, DELETE or POST of /base/ID[/suffix]. */
static int on_id(const tl_cli_opts *o, int argc, char **argv, const char *method,
		 const char *base, const char *suffix, tl_cli_show show)
{
	const char *id;
	const tl_cli_arg args[] = {{"ID", &id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, base);
	tl_cli_path_segment(&path, id);
	if (suffix)
		tl_cli_path_literal(&path, suffix);
	json_t *body = strcmp(method, "POST") == 0 ? json_object() : NULL;
	return send(o, method, &path, body, show);
}

int tl_cli_webhooks_show(const tl_cli_opts *o, int argc, char **argv)
{
	return on_id(o, argc, argv, "GET", "/v1/webhook-endpoints", NULL, show_endpoint);
}

static int show_deleted(json_t *body, const void *ctx)
{
	(void)ctx;
	printf("deleted %s\n", json_string_value(json_object_get(body, "id")));
	return 0;
}

int tl_cli_webhooks_delete(const tl_cli_opts *o, int argc, char **argv)
{
	return on_id(o, argc, argv, "DELETE", "/v1/webhook-endpoints", NULL, show_deleted);
}

int tl_cli_webhooks_redeliver(const tl_cli_opts *o, int argc, char **argv)
{
	return on_id(o, argc, argv, "POST", "/v1/webhook-deliveries", "/redeliver",
		     show_delivery);
}

int tl_cli_webhooks_list(const tl_cli_opts *o, int argc, char **argv)
{
	return tl_cli_list(o, argc, argv, "/v1/webhook-endpoints", false, show_endpoints);
}

int tl_cli_webhooks_deliveries(const tl_cli_opts *o, int argc, char **argv)
{
	if (argc < 1 || argv[0][0] == '-')
		return tl_cli_usage_error("missing the endpoint's ID");
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/webhook-endpoints");
	tl_cli_path_segment(&path, argv[0]);
	tl_cli_path_literal(&path, "/deliveries");
	if (path.failed)
		return tl_cli_usage_error("the endpoint's ID is too long");
	return tl_cli_list(o, argc - 1, argv + 1, path.text, false, show_deliveries);
}

int tl_cli_webhooks_events(const tl_cli_opts *o, int argc, char **argv)
{
	return tl_cli_list(o, argc, argv, "/v1/webhook-events", false, show_events);
}
