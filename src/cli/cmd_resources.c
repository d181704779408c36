/*
 * cmd_resources.c: `tally resources list|show|create|delete|renew`, an account's
 * servers, volumes, clusters, load balancers and snapshots
 * (/v1/resources).
 *
 * list: one row a resource, its billing mode and term end lifted out of
 * the answer's `billing` object. show: a detail view; a cluster's members
 * follow in one table per role (nodes, boot volumes, PVCs, load balancers,
 * snapshots), and whether Stop POC can be done on it. create: the answer
 * shown the same way. delete: asks first (a cluster takes its members
 * with it); --yes for scripts. renew: the renewal (or recovery) checkout
 * of a prepaid resource, shown as `checkouts show` does, to pay next.
 *
 * An account token acts on its own account; the admin names one with
 * --account (the API's account_id).
 */
#include "cli/cli.h"

#include <string.h>
#include <unistd.h>

static const char *const resource_types[] = {"server",        "volume",   "cluster",
					     "load_balancer", "snapshot", NULL};
static const char *const billing_modes[] = {"poc", "prepaid", "postpaid", NULL};

static const tl_cli_column resource_columns[] = {
	{"ID", "id", false},        {"TYPE", "type", false},
	{"NAME", "name", false},    {"ROLE", "role", false},
	{"BILLING", "billing_mode", false}, {"STATUS", "status", false},
	{"TERM_END", "term_end", false},
};
#define RESOURCE_COLUMNS (sizeof(resource_columns) / sizeof(resource_columns[0]))

static const tl_cli_column member_columns[] = {
	{"ID", "id", false},          {"NAME", "name", false},
	{"ITEM", "item_id", false},   {"QTY", "quantity", true},
	{"BILLING", "billing_mode", false}, {"STATUS", "status", false},
	{"TERM_END", "term_end", false},
};
#define MEMBER_COLUMNS (sizeof(member_columns) / sizeof(member_columns[0]))

/* A cluster's members in the order shown, each role under its heading. */
static const struct {
	const char *role;
	const char *heading;
} member_groups[] = {
	{"node", "Nodes"},
	{"boot_volume", "Boot volumes"},
	{"pvc", "PVCs"},
	{"load_balancer", "Load balancers"},
	{"snapshot", "Snapshots"},
};
#define MEMBER_GROUPS (sizeof(member_groups) / sizeof(member_groups[0]))

static int out_of_memory(void)
{
	fputs("error: out of memory\n", stderr);
	return TL_CLI_EXIT_SERVER;
}

/* A copy of resource r with billing.mode and billing.term_end on top. */
static json_t *resource_row(const json_t *r)
{
	json_t *row = json_deep_copy(r);
	const json_t *billing = json_object_get(r, "billing");
	if (row == NULL)
		return NULL;
	json_object_set(row, "billing_mode", json_object_get(billing, "mode"));
	json_object_set(row, "term_end", json_object_get(billing, "term_end"));
	return row;
}

/* Rows for a table: each resource of list made a resource_row. */
static json_t *resource_rows(const json_t *list)
{
	json_t *rows = json_array();
	for (size_t i = 0; rows && i < json_array_size(list); i++) {
		json_t *row = resource_row(json_array_get(list, i));
		if (row == NULL || json_array_append_new(rows, row) != 0) {
			json_decref(rows);
			return NULL;
		}
	}
	return rows;
}

/* ---- list --------------------------------------------------------------------- */

static int show_list(json_t *body, const void *ctx)
{
	(void)ctx;
	const json_t *data = json_object_get(body, "data");
	if (!json_is_array(data))
		return tl_cli_print_page(resource_columns, RESOURCE_COLUMNS, body); /* says so */
	json_t *rows = resource_rows(data);
	json_t *page = rows ? json_pack("{s:o, s:O?}", "data", rows, "next",
					json_object_get(body, "next"))
			    : NULL;
	if (page == NULL)
		return out_of_memory();
	int rc = tl_cli_print_page(resource_columns, RESOURCE_COLUMNS, page);
	json_decref(page);
	return rc;
}

int tl_cli_resources_list(const tl_cli_opts *o, int argc, char **argv)
{
	const char *search, *type, *billing, *cluster, *account, *limit, *after;
	const tl_cli_arg args[] = {
		{"--search", &search, false},   {"--type", &type, false},
		{"--billing", &billing, false}, {"--cluster", &cluster, false},
		{"--account", &account, false}, {"--limit", &limit, false},
		{"--after", &after, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0)
		rc = tl_cli_check_choice("--type", type, resource_types);
	if (rc == 0)
		rc = tl_cli_check_choice("--billing", billing, billing_modes);
	if (rc == 0)
		rc = tl_cli_check_count("--limit", limit);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/resources");
	tl_cli_path_param(&path, "q", search);
	tl_cli_path_param(&path, "type", type);
	tl_cli_path_param(&path, "billing", billing);
	tl_cli_path_param(&path, "cluster_id", cluster);
	tl_cli_path_param(&path, "account_id", account);
	tl_cli_path_param(&path, "limit", limit);
	tl_cli_path_param(&path, "after", after);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_list, NULL);
}

/* ---- show ----------------------------------------------------------------------- */

static const char *str_of(const json_t *object, const char *field)
{
	return json_string_value(json_object_get(object, field));
}

static const char *yes_no(const json_t *v)
{
	return json_is_true(v) ? "yes" : "no";
}

/* "2026-11-22T10:00:00Z to 2027-11-22T10:00:00Z, 12 months", or NULL. */
static const char *term_text(const json_t *billing, char *out, size_t cap)
{
	const char *start = str_of(billing, "term_start"), *end = str_of(billing, "term_end");
	json_int_t months = json_integer_value(json_object_get(billing, "cycle_months"));
	if (start == NULL && end == NULL)
		return NULL;
	snprintf(out, cap, "%s to %s, %" JSON_INTEGER_FORMAT " month%s", start ? start : "?",
		 end ? end : "?", months, months == 1 ? "" : "s");
	return out;
}

/* The item and, when more than one, how many (GB for a volume). */
static const char *item_text(const json_t *r, char *out, size_t cap)
{
	const char *item = str_of(r, "item_id");
	json_int_t quantity = json_integer_value(json_object_get(r, "quantity"));
	if (item && quantity > 1)
		snprintf(out, cap, "%s x %" JSON_INTEGER_FORMAT, item, quantity);
	else
		snprintf(out, cap, "%s", item ? item : "-");
	return out;
}

static void print_membership(const json_t *r)
{
	char text[TL_CLI_CELL_MAX];
	const char *type = str_of(r, "type");
	if (type && strcmp(type, "cluster") == 0) {
		tl_cli_print_field("POC cluster", yes_no(json_object_get(r, "poc")));
		return;
	}
	const char *cluster = str_of(r, "cluster_id"), *role = str_of(r, "role");
	if (cluster)
		snprintf(text, sizeof(text), "%s, role %s", cluster, role ? role : "-");
	tl_cli_print_field("Cluster", cluster ? text : NULL);
}

static void print_resource_fields(const json_t *r)
{
	char text[TL_CLI_CELL_MAX], type[TL_CLI_CELL_MAX];
	const json_t *billing = json_object_get(r, "billing");
	tl_cli_field_text(r, "type", text);
	snprintf(type, sizeof(type), "%.100s (service %.100s)", text,
		 str_of(r, "service") ? str_of(r, "service") : "-");
	tl_cli_print_field("ID", str_of(r, "id"));
	tl_cli_print_field("Type", type);
	tl_cli_print_field("Name", str_of(r, "name"));
	tl_cli_print_field("Account", str_of(r, "account_id"));
	tl_cli_print_field("Status", str_of(r, "status"));
	tl_cli_print_field("Billing", str_of(billing, "mode"));
	tl_cli_print_field("Term", term_text(billing, text, sizeof(text)));
	tl_cli_print_field("Auto-renew", yes_no(json_object_get(billing, "auto_renew")));
	if (str_of(billing, "poc_wallet_id"))
		tl_cli_print_field("POC wallet", str_of(billing, "poc_wallet_id"));
	print_membership(r);
	tl_cli_print_field("Item", item_text(r, text, sizeof(text)));
	tl_cli_field_text(r, "spec", text);
	tl_cli_print_field("Spec", text);
	tl_cli_print_field("Open checkout", str_of(r, "open_checkout_id"));
	tl_cli_print_field("Created", str_of(r, "created_at"));
	tl_cli_print_field("Stop POC available", yes_no(json_object_get(r, "stop_poc_available")));
}

/* The members whose role is `role`, or with none of the known roles. */
static json_t *members_in(const json_t *members, const char *role)
{
	json_t *rows = json_array();
	for (size_t i = 0; rows && i < json_array_size(members); i++) {
		const json_t *m = json_array_get(members, i);
		const char *r = str_of(m, "role");
		bool known = false;
		for (size_t g = 0; r && g < MEMBER_GROUPS; g++)
			known = known || strcmp(r, member_groups[g].role) == 0;
		bool wanted = role ? r && strcmp(r, role) == 0 : !known;
		json_t *row = wanted ? resource_row(m) : NULL;
		if (wanted && (row == NULL || json_array_append_new(rows, row) != 0)) {
			json_decref(rows);
			return NULL;
		}
	}
	return rows;
}

/* One heading and table per role that has members. */
static int print_members(const json_t *members)
{
	if (json_array_size(members) == 0) {
		fputs("\nMembers: none\n", stdout);
		return TL_CLI_EXIT_OK;
	}
	for (size_t g = 0; g <= MEMBER_GROUPS; g++) {
		json_t *rows = members_in(members, g < MEMBER_GROUPS ? member_groups[g].role : NULL);
		if (rows == NULL)
			return out_of_memory();
		if (json_array_size(rows) > 0) {
			printf("\n%s (%zu)\n", g < MEMBER_GROUPS ? member_groups[g].heading
								 : "Other members",
			       json_array_size(rows));
			tl_cli_print_table(member_columns, MEMBER_COLUMNS, rows);
		}
		json_decref(rows);
	}
	return TL_CLI_EXIT_OK;
}

static int show_resource(json_t *body, const void *ctx)
{
	(void)ctx;
	if (!json_is_object(body)) {
		fputs("error: the server's answer is not a JSON object\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	print_resource_fields(body);
	const char *type = str_of(body, "type");
	if (type && strcmp(type, "cluster") == 0)
		return print_members(json_object_get(body, "members"));
	return TL_CLI_EXIT_OK;
}

/* The request for GET or DELETE /v1/resources/{id}. */
static void resource_path(tl_cli_path *path, const char *id)
{
	tl_cli_path_init(path, "/v1/resources");
	tl_cli_path_segment(path, id);
}

int tl_cli_resources_show(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id;
	const tl_cli_arg args[] = {{"ID", &id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	tl_cli_path path;
	resource_path(&path, id);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_resource, NULL);
}

/* ---- create ------------------------------------------------------------------- */

typedef struct create_args {
	const char *type, *name, *poc, *spec, *cluster, *role, *account;
} create_args;

static int check_create(const create_args *a, json_t **spec)
{
	*spec = NULL;
	if (a->type == NULL)
		return tl_cli_usage_error("missing --type TYPE");
	if (a->name == NULL)
		return tl_cli_usage_error("missing --name NAME");
	int rc = tl_cli_check_choice("--type", a->type, resource_types);
	if (rc != 0)
		return rc;
	if ((a->cluster == NULL) != (a->role == NULL))
		return tl_cli_usage_error("a cluster's member needs both --cluster ID and --role "
					  "ROLE");
	json_error_t err;
	*spec = a->spec ? json_loads(a->spec, 0, &err) : json_object();
	if (a->spec && *spec == NULL)
		return tl_cli_usage_error("--spec is not JSON: %s", err.text);
	if (!json_is_object(*spec))
		return tl_cli_usage_error("--spec must be a JSON object ({\"flavor\": ...})");
	return 0;
}

int tl_cli_resources_create(const tl_cli_opts *o, int argc, char **argv)
{
	create_args a;
	const tl_cli_arg args[] = {
		{"--type", &a.type, false},       {"--name", &a.name, false},
		{"--poc", &a.poc, true},          {"--spec", &a.spec, false},
		{"--cluster", &a.cluster, false}, {"--role", &a.role, false},
		{"--account", &a.account, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	json_t *spec = NULL;
	if (rc == 0)
		rc = check_create(&a, &spec);
	if (rc != 0) {
		json_decref(spec);
		return rc;
	}
	json_t *body = json_pack("{s:s, s:s, s:o, s:b, s:s*, s:s*, s:s*}", "type", a.type, "name",
				 a.name, "spec", spec, "poc", a.poc != NULL, "cluster_id",
				 a.cluster, "role", a.role, "account_id", a.account);
	if (body == NULL)
		return tl_cli_usage_error("--name, --cluster, --role and --account must be UTF-8 "
					  "text");
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/resources");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_resource, NULL);
	json_decref(body);
	return rc;
}

/* ---- delete ------------------------------------------------------------------- */

static int show_deleted(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *row = resource_row(body);
	if (row == NULL)
		return out_of_memory();
	int rc = tl_cli_print_one(resource_columns, RESOURCE_COLUMNS, row);
	json_decref(row);
	return rc;
}

/* The question for the person at the terminal, naming what goes. */
static int delete_question(const tl_cli_opts *o, const char *id, char *out, size_t cap)
{
	tl_cli_path path;
	resource_path(&path, id);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	tl_cli_response r;
	int rc = tl_cli_fetch(o, &req, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	char type[TL_CLI_CELL_MAX], name[TL_CLI_CELL_MAX];
	tl_cli_field_text(r.json, "type", type);
	tl_cli_field_text(r.json, "name", name);
	size_t members = json_array_size(json_object_get(r.json, "members"));
	if (members > 0)
		snprintf(out, cap, "Delete %s \"%s\" (%s) and its %zu member%s?", type, name, id,
			 members, members == 1 ? "" : "s");
	else
		snprintf(out, cap, "Delete %s \"%s\" (%s)?", type, name, id);
	tl_cli_response_free(&r);
	return TL_CLI_EXIT_OK;
}

int tl_cli_resources_delete(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id, *yes;
	const tl_cli_arg args[] = {{"ID", &id, false}, {"--yes", &yes, true}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	char question[3 * TL_CLI_CELL_MAX] = "";
	if (rc == 0 && yes == NULL && isatty(STDIN_FILENO))
		rc = delete_question(o, id, question, sizeof(question));
	if (rc == 0)
		rc = tl_cli_confirm(question, yes != NULL, "--yes");
	if (rc != 0)
		return rc;
	tl_cli_path path;
	resource_path(&path, id);
	const tl_cli_request req = {.method = "DELETE", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_deleted, NULL);
}

int tl_cli_resources_renew(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id, *cycle;
	long long months = 0;
	const tl_cli_arg args[] = {{"ID", &id, false}, {"--cycle", &cycle, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0 && cycle == NULL)
		rc = tl_cli_usage_error("missing --cycle MONTHS");
	if (rc == 0)
		rc = tl_cli_parse_number("--cycle", cycle, 1, TL_CLI_CYCLE_MONTHS_MAX, &months);
	if (rc != 0)
		return rc;
	json_t *body = json_pack("{s:I}", "cycle_months", (json_int_t)months);
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/resources");
	tl_cli_path_segment(&path, id);
	tl_cli_path_literal(&path, "/renew");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_checkout_call(o, &req, true);
	json_decref(body);
	return rc;
}
