/*
 * cmd_tokens.c: `tally tokens create ACCOUNT_ID [--scope account|metering]`,
 * the admin issuing an API token for an account (a metering token only
 * submits the account's usage). The server keeps only a hash, so the token
 * printed here is the only copy there will ever be.
 */
#include "cli/cli.h"

static const tl_cli_column token_columns[] = {
	{"ID", "id", false},
	{"ACCOUNT", "account_id", false},
	{"SCOPE", "scope", false},
	{"TOKEN", "token", false},
	{"CREATED", "created_at", false},
};

static int show_token(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_print_one(token_columns, sizeof(token_columns) / sizeof(token_columns[0]),
				body);
}

int tl_cli_tokens_create(const tl_cli_opts *o, int argc, char **argv)
{
	const char *account_id, *scope = NULL;
	const tl_cli_arg args[] = {{"ACCOUNT_ID", &account_id, false}, {"--scope", &scope, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	/* "s*": the key is left out when scope is NULL (the server's default) */
	json_t *body = json_pack("{s:s*}", "scope", scope);
	if (body == NULL) {
		fputs("error: out of memory\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/accounts");
	tl_cli_path_segment(&path, account_id);
	tl_cli_path_literal(&path, "/tokens");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_token, NULL);
	json_decref(body);
	if (rc == TL_CLI_EXIT_OK)
		fputs("note: the token is shown only this once; store it now.\n", stderr);
	return rc;
}
