/*
 * cmd_credit.c: `tally credit top-up`, the admin adding money to an
 * account's credit wallet (POST /v1/accounts/{acc}/credit). The amount is
 * typed in the account's currency ("12.50" for USD) and sent as minor
 * units (1250), so the account's currency is looked up first; with
 * --minor the amount is minor units already and nothing is looked up.
 */
#include "cli/cli.h"

static const tl_cli_column top_up_columns[] = {
	{"TRANSFER", "transfer_id", false}, {"ACCOUNT", "account_id", false},
	{"AMOUNT", "amount", true},         {"BALANCE", "balance", true},
	{"AVAILABLE", "available", true},
};

static const char *const top_up_amounts[] = {"amount", "balance", "available"};

/* The answer, with the credit wallet's sums lifted into the row. */
static int show_top_up(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *row = json_deep_copy(body);
	const json_t *credit = json_object_get(body, "credit");
	json_object_set(row, "balance", json_object_get(credit, "balance"));
	json_object_set(row, "available", json_object_get(credit, "available"));
	const tl_cli_amounts amounts = {top_up_amounts, 3, NULL};
	int rc = tl_cli_print_money_one(top_up_columns,
					sizeof(top_up_columns) / sizeof(top_up_columns[0]), row,
					&amounts);
	json_decref(row);
	return rc;
}

int tl_cli_credit_top_up(const tl_cli_opts *o, int argc, char **argv)
{
	const char *account_id, *amount_text, *minor, *reference;
	const tl_cli_arg args[] = {{"ACCOUNT_ID", &account_id, false},
				   {"--amount", &amount_text, false},
				   {"--minor", &minor, true},
				   {"--reference", &reference, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0 && amount_text == NULL)
		rc = tl_cli_usage_error("missing --amount AMOUNT");
	long long amount = 0;
	if (rc == 0)
		rc = tl_cli_amount_arg(o, account_id, amount_text, minor != NULL, &amount);
	if (rc != 0)
		return rc;
	json_t *body = json_pack("{s:I, s:s*}", "amount", (json_int_t)amount, "reference",
				 reference);
	if (body == NULL)
		return tl_cli_usage_error("--reference must be UTF-8 text");
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/accounts");
	tl_cli_path_segment(&path, account_id);
	tl_cli_path_literal(&path, "/credit");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_top_up, NULL);
	json_decref(body);
	return rc;
}
