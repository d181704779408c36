/*
 * cmd_poc_wallets.c: `tally poc-wallets grant`, the admin opening a POC
 * (promotional credit) wallet for an account that expires at a time and
 * may be tied to one cluster (POST /v1/accounts/{acc}/poc-wallets). The
 * amount is read as for `credit top-up`. `tally poc-wallets change` extends
 * one's expiry or adds credit to it (PATCH /v1/poc-wallets/{id}).
 */
#include "cli/cli.h"

static const tl_cli_column grant_columns[] = {
	{"WALLET", "id", false},          {"ACCOUNT", "account_id", false},
	{"BALANCE", "balance", true},     {"EXPIRES", "expires_at", false},
	{"CLUSTER", "cluster_id", false},
};

static const char *const grant_amounts[] = {"balance"};

static int show_grant(json_t *body, const void *ctx)
{
	(void)ctx;
	const tl_cli_amounts amounts = {grant_amounts, 1, NULL};
	return tl_cli_print_money_one(grant_columns,
				      sizeof(grant_columns) / sizeof(grant_columns[0]), body,
				      &amounts);
}

static int check_grant(const char *amount_text, const char *expires_at)
{
	if (amount_text == NULL)
		return tl_cli_usage_error("missing --amount AMOUNT");
	if (expires_at == NULL)
		return tl_cli_usage_error("missing --expires-at TIME (2026-12-22T10:00:00Z)");
	return 0;
}

int tl_cli_poc_wallets_grant(const tl_cli_opts *o, int argc, char **argv)
{
	const char *account_id, *amount_text, *minor, *expires_at, *cluster_id;
	const tl_cli_arg args[] = {
		{"ACCOUNT_ID", &account_id, false},  {"--amount", &amount_text, false},
		{"--minor", &minor, true},           {"--expires-at", &expires_at, false},
		{"--cluster", &cluster_id, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0)
		rc = check_grant(amount_text, expires_at);
	long long amount = 0;
	if (rc == 0)
		rc = tl_cli_amount_arg(o, account_id, amount_text, minor != NULL, &amount);
	if (rc != 0)
		return rc;
	json_t *body = json_pack("{s:I, s:s, s:s*}", "amount", (json_int_t)amount, "expires_at",
				 expires_at, "cluster_id", cluster_id);
	if (body == NULL)
		return tl_cli_usage_error("--expires-at and --cluster must be UTF-8 text");
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/accounts");
	tl_cli_path_segment(&path, account_id);
	tl_cli_path_literal(&path, "/poc-wallets");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_grant, NULL);
	json_decref(body);
	return rc;
}

static const tl_cli_column change_columns[] = {
	{"WALLET", "id", false},      {"ACCOUNT", "account_id", false},
	{"BALANCE", "balance", true}, {"EXPIRES", "expires_at", false},
};

static int show_change(json_t *body, const void *ctx)
{
	(void)ctx;
	const tl_cli_amounts amounts = {grant_amounts, 1, NULL};
	return tl_cli_print_money_one(change_columns,
				      sizeof(change_columns) / sizeof(change_columns[0]), body,
				      &amounts);
}

/* The body of PATCH /v1/poc-wallets/{id}; `--add` is read in the catalog's
 * currency (a POC wallet pays catalog prices) unless --minor. */
static int change_body(const tl_cli_opts *o, const char *expires_at, const char *add_text,
		       bool minor, json_t **out)
{
	if (expires_at == NULL && add_text == NULL)
		return tl_cli_usage_error("give --expires-at TIME, --add AMOUNT, or both");
	long long add = 0;
	int rc = add_text ? tl_cli_catalog_amount_arg(o, "--add", add_text, minor, &add) : 0;
	if (rc != 0)
		return rc;
	*out = json_pack("{s:s*}", "expires_at", expires_at);
	if (*out == NULL)
		return tl_cli_usage_error("--expires-at must be UTF-8 text");
	if (add_text)
		json_object_set_new(*out, "add_amount", json_integer(add));
	return 0;
}

int tl_cli_poc_wallets_change(const tl_cli_opts *o, int argc, char **argv)
{
	const char *wallet_id, *expires_at, *add_text, *minor;
	const tl_cli_arg args[] = {
		{"WALLET_ID", &wallet_id, false},
		{"--expires-at", &expires_at, false},
		{"--add", &add_text, false},
		{"--minor", &minor, true},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	json_t *body = NULL;
	if (rc == 0)
		rc = change_body(o, expires_at, add_text, minor != NULL, &body);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/poc-wallets");
	tl_cli_path_segment(&path, wallet_id);
	const tl_cli_request req = {.method = "PATCH", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_change, NULL);
	json_decref(body);
	return rc;
}
