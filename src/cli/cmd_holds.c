/*
 * cmd_holds.c: `tally holds`, the holds on an account's credit wallet
 * (GET /v1/holds), newest first, paged. The page carries no currency, so
 * a table first asks GET /v1/wallets for it (the JSON needs no lookup).
 */
#include "cli/cli.h"

static const tl_cli_column hold_columns[] = {
	{"ID", "id", false},          {"STATUS", "status", false},
	{"AMOUNT", "amount", true},   {"POSTED", "posted_amount", true},
	{"EXPIRES", "expires_at", false}, {"CODE", "code", false},
	{"REFERENCE", "reference", false}, {"CREATED", "created_at", false},
};

static const char *const hold_amounts[] = {"amount", "posted_amount"};

static int show_holds(json_t *body, const void *ctx)
{
	const tl_cli_amounts amounts = {hold_amounts, 2, ctx};
	return tl_cli_print_money_page(hold_columns,
				       sizeof(hold_columns) / sizeof(hold_columns[0]), body,
				       &amounts);
}

int tl_cli_holds(const tl_cli_opts *o, int argc, char **argv)
{
	const char *account_id, *limit, *after;
	const tl_cli_arg args[] = {
		{"--account", &account_id, false},
		{"--limit", &limit, false},
		{"--after", &after, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0)
		rc = tl_cli_check_count("--limit", limit);
	char currency[4] = "";
	if (rc == 0 && !o->json)
		rc = tl_cli_wallets_currency(o, account_id, currency);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/holds");
	tl_cli_path_param(&path, "account_id", account_id);
	tl_cli_path_param(&path, "limit", limit);
	tl_cli_path_param(&path, "after", after);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_holds, currency);
}
