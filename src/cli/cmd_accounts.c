/*
 * cmd_accounts.c: `tally accounts create|list|show|change`. Creating,
 * listing and changing are the admin's; an account token may show its own
 * account. change sets the account's type: a postpaid account's use is
 * invoiced monthly and its Stop POC converts without payment.
 */
#include "cli/cli.h"

static const tl_cli_column account_columns[] = {
	{"ID", "id", false},     {"NAME", "name", false},        {"CURRENCY", "currency", false},
	{"TYPE", "type", false}, {"CREATED", "created_at", false},
};
#define ACCOUNT_COLUMNS (sizeof(account_columns) / sizeof(account_columns[0]))

static int show_account(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_print_one(account_columns, ACCOUNT_COLUMNS, body);
}

static int show_accounts(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_print_page(account_columns, ACCOUNT_COLUMNS, body);
}

int tl_cli_accounts_create(const tl_cli_opts *o, int argc, char **argv)
{
	const char *name, *currency;
	const tl_cli_arg args[] = {{"--name", &name, false}, {"--currency", &currency, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	if (name == NULL)
		return tl_cli_usage_error("missing --name NAME");
	/* "s*": the key is left out when currency is NULL (server default). */
	json_t *body = json_pack("{s:s, s:s*}", "name", name, "currency", currency);
	if (body == NULL)
		return tl_cli_usage_error("--name and --currency must be UTF-8 text");
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/accounts");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_account, NULL);
	json_decref(body);
	return rc;
}

int tl_cli_accounts_list(const tl_cli_opts *o, int argc, char **argv)
{
	return tl_cli_list(o, argc, argv, "/v1/accounts", false, show_accounts);
}

int tl_cli_accounts_show(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id;
	const tl_cli_arg args[] = {{"ID", &id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/accounts");
	tl_cli_path_segment(&path, id);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_account, NULL);
}

int tl_cli_accounts_change(const tl_cli_opts *o, int argc, char **argv)
{
	static const char *const types[] = {"prepaid", "postpaid", NULL};
	const char *id, *type;
	const tl_cli_arg args[] = {{"ID", &id, false}, {"--type", &type, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0 && type == NULL)
		rc = tl_cli_usage_error("missing --type prepaid|postpaid");
	rc = rc ? rc : tl_cli_check_choice("--type", type, types);
	if (rc != 0)
		return rc;
	json_t *body = json_pack("{s:s}", "type", type);
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/accounts");
	tl_cli_path_segment(&path, id);
	const tl_cli_request req = {.method = "PATCH", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_account, NULL);
	json_decref(body);
	return rc;
}
