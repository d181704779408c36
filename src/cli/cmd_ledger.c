/*
 * cmd_ledger.c: `tally ledger check|accounts`, the admin's look at the
 * ledger as a whole.
 *
 * check (GET /v1/ledger/check): the server's invariant check. Its answer
 * is always 200; the command exits 1 when `ok` is false, with the problem
 * on stderr, in table and JSON form alike, so a cron job can rely on the
 * exit status. The totals mix currencies and are shown as minor units.
 *
 * accounts (GET /v1/ledger/accounts): a customer account's ledger
 * accounts with --account, else the system accounts, with their sums.
 */
#include "cli/cli.h"

static const tl_cli_column check_columns[] = {
	{"OK", "ok", false},
	{"ACCOUNTS", "accounts", true},
	{"POSTED", "posted_total", true},
	{"PENDING", "pending_total", true},
	{"PROBLEM", "problem", false},
};

static int show_check(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_print_one(check_columns, sizeof(check_columns) / sizeof(check_columns[0]),
				body);
}

static int check_verdict(const json_t *body)
{
	if (json_is_true(json_object_get(body, "ok")))
		return TL_CLI_EXIT_OK;
	const char *problem = json_string_value(json_object_get(body, "problem"));
	fputs("error: the ledger check failed: ", stderr);
	tl_cli_put_clean(stderr, problem ? problem : "(no problem named)");
	fputc('\n', stderr);
	return TL_CLI_EXIT_SERVER;
}

int tl_cli_ledger_check(const tl_cli_opts *o, int argc, char **argv)
{
	int rc = tl_cli_args_parse(argc, argv, NULL, 0);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/ledger/check");
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	tl_cli_response r;
	rc = tl_cli_fetch(o, &req, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	rc = tl_cli_present(o, &r, show_check, NULL);
	if (rc == TL_CLI_EXIT_OK)
		rc = check_verdict(r.json);
	tl_cli_response_free(&r);
	return rc;
}

static const tl_cli_column ledger_account_columns[] = {
	{"ID", "id", false},
	{"KIND", "kind", false},
	{"OWNER", "account_id", false},
	{"BALANCE", "balance", true},
	{"HELD", "pending_debits", true},
	{"AVAILABLE", "available", true},
	{"EXPIRES", "expires_at", false},
	{"CLUSTER", "cluster_id", false},
};

static const char *const ledger_amounts[] = {"balance", "pending_debits", "available"};

static int show_ledger_accounts(json_t *body, const void *ctx)
{
	(void)ctx;
	const tl_cli_amounts amounts = {ledger_amounts, 3, NULL}; /* each row's currency */
	return tl_cli_print_money_page(ledger_account_columns,
				       sizeof(ledger_account_columns) /
					       sizeof(ledger_account_columns[0]),
				       body, &amounts);
}

int tl_cli_ledger_accounts(const tl_cli_opts *o, int argc, char **argv)
{
	const char *account_id;
	const tl_cli_arg args[] = {{"--account", &account_id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/ledger/accounts");
	tl_cli_path_param(&path, "account_id", account_id);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_ledger_accounts, NULL);
}
