/*
 * cmd_wallets.c: `tally wallets`, an account's money (GET /v1/wallets): the
 * credit wallet and each POC wallet as one row, amounts in the account's
 * currency. An account token sees its own account; the admin names one
 * with --account.
 */
#include "cli/cli.h"

static const tl_cli_column wallet_columns[] = {
	{"WALLET", "id", false},          {"KIND", "kind", false},
	{"BALANCE", "balance", true},     {"HELD", "held", true},
	{"AVAILABLE", "available", true}, {"EXPIRES", "expires_at", false},
	{"CLUSTER", "cluster_id", false},
};

static const char *const wallet_amounts[] = {"balance", "held", "available"};

/* A POC wallet as a row: what is left is both its balance and available. */
static json_t *poc_row(const json_t *poc)
{
	json_t *row = json_deep_copy(poc);
	bool expired = json_is_true(json_object_get(poc, "expired"));
	json_object_set_new(row, "kind", json_string(expired ? "poc, expired" : "poc"));
	json_object_set(row, "available", json_object_get(poc, "balance"));
	return row;
}

static json_t *wallet_rows(const json_t *body)
{
	json_t *rows = json_array();
	json_t *credit = json_object_get(body, "credit");
	if (json_is_object(credit)) {
		json_t *row = json_deep_copy(credit);
		json_object_set_new(row, "kind", json_string("credit"));
		json_array_append_new(rows, row);
	}
	const json_t *poc = json_object_get(body, "poc");
	for (size_t i = 0; i < json_array_size(poc); i++)
		json_array_append_new(rows, poc_row(json_array_get(poc, i)));
	return rows;
}

static int show_wallets(json_t *body, const void *ctx)
{
	(void)ctx;
	const char *currency = json_string_value(json_object_get(body, "currency"));
	if (currency == NULL) {
		fputs("error: the server's answer names no currency\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	const tl_cli_amounts amounts = {wallet_amounts, 3, currency};
	json_t *rows = wallet_rows(body);
	int rc = tl_cli_print_money_table(wallet_columns,
					  sizeof(wallet_columns) / sizeof(wallet_columns[0]), rows,
					  &amounts);
	json_decref(rows);
	return rc;
}

int tl_cli_wallets(const tl_cli_opts *o, int argc, char **argv)
{
	const char *account_id;
	const tl_cli_arg args[] = {{"--account", &account_id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/wallets");
	tl_cli_path_param(&path, "account_id", account_id);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_wallets, NULL);
}
