/*
 * cmd_transfers.c: `tally transfers list|create`, the admin's view of the
 * double-entry ledger (GET and POST /v1/ledger/transfers).
 *
 * list: a ledger account's transfers (cw_..., pw_..., sys_...). A page has
 * no currency; a table takes it from --currency, else from a system
 * account (sys_<kind>_<cur>) among the account and the rows' accounts,
 * else shows plain minor units.
 *
 * create: the transfers in a file (or stdin for "-"), either a batch
 * {"transfers": [...], "linked": ...} or a bare array of transfers, sent
 * as they are; --linked makes the batch all or nothing. The exit status is
 * 1 when any transfer failed, though the answer is 200 and printed.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <string.h>

static const tl_cli_column transfer_columns[] = {
	{"ID", "id", false},           {"KIND", "kind", false},
	{"DEBIT", "debit_account", false}, {"CREDIT", "credit_account", false},
	{"AMOUNT", "amount", true},    {"CODE", "code", false},
	{"STATE", "state", false},     {"CREATED", "created_at", false},
};

static const char *const transfer_amounts[] = {"amount"};

/* What show_transfers knows besides the page. */
typedef struct list_ctx {
	const char *account;
	const char *currency; /* --currency, or NULL */
} list_ctx;

/* The currency of a system account "sys_<kind>_<cur>" into out[4]. */
static bool system_currency(const char *ledger_account, char out[4])
{
	if (ledger_account == NULL || strncmp(ledger_account, "sys_", 4) != 0)
		return false;
	const char *cur = strrchr(ledger_account, '_') + 1;
	if (strlen(cur) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		out[i] = (char)toupper((unsigned char)cur[i]);
	out[3] = '\0';
	return true;
}

static bool page_currency(const list_ctx *c, const json_t *page, char out[4])
{
	if (system_currency(c->account, out))
		return true;
	const json_t *data = json_object_get(page, "data");
	for (size_t i = 0; i < json_array_size(data); i++) {
		const json_t *t = json_array_get(data, i);
		if (system_currency(json_string_value(json_object_get(t, "debit_account")), out) ||
		    system_currency(json_string_value(json_object_get(t, "credit_account")), out))
			return true;
	}
	return false;
}

static int show_transfers(json_t *body, const void *ctx)
{
	const list_ctx *c = ctx;
	char found[4];
	const char *currency = c->currency;
	if (currency == NULL && page_currency(c, body, found))
		currency = found;
	if (currency == NULL)
		return tl_cli_print_page(transfer_columns, 8, body); /* minor units */
	const tl_cli_amounts amounts = {transfer_amounts, 1, currency};
	return tl_cli_print_money_page(transfer_columns, 8, body, &amounts);
}

int tl_cli_transfers_list(const tl_cli_opts *o, int argc, char **argv)
{
	const char *account, *limit, *after, *currency;
	const tl_cli_arg args[] = {{"--account", &account, false},
				   {"--limit", &limit, false},
				   {"--after", &after, false},
				   {"--currency", &currency, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0 && account == NULL)
		rc = tl_cli_usage_error("missing --account LEDGER_ACCOUNT (cw_..., pw_... or "
					"sys_...)");
	if (rc == 0 && currency && tl_cli_currency_find(currency) == NULL)
		rc = tl_cli_usage_error("--currency must be VND, USD, EUR, JPY or SGD, not '%s'",
					currency);
	if (rc == 0)
		rc = tl_cli_check_count("--limit", limit);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/ledger/transfers");
	tl_cli_path_param(&path, "account", account);
	tl_cli_path_param(&path, "limit", limit);
	tl_cli_path_param(&path, "after", after);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	const list_ctx ctx = {account, currency};
	return tl_cli_call(o, &req, show_transfers, &ctx);
}

/* ---- create --------------------------------------------------------------- */

/* The batch to send: the file's object as it is, or its array wrapped. */
static int make_batch(json_t *file, bool linked, const char *name, json_t **out)
{
	*out = NULL;
	if (json_is_array(file))
		*out = json_pack("{s:O}", "transfers", file);
	else if (json_is_object(file) && json_is_array(json_object_get(file, "transfers")))
		*out = json_incref(file);
	else
		return tl_cli_usage_error("%s must hold {\"transfers\": [...]} or a JSON array "
					  "of transfers", name);
	if (*out && linked)
		json_object_set_new(*out, "linked", json_true());
	return *out ? 0 : tl_cli_usage_error("out of memory");
}

static const tl_cli_column count_columns[] = {
	{"CREATED", "created", true}, {"EXISTING", "existing", true}, {"FAILED", "failed", true}};
static const tl_cli_column result_columns[] = {
	{"INDEX", "index", true}, {"ID", "id", false}, {"RESULT", "result", false}};

static int show_batch(json_t *body, const void *ctx)
{
	(void)ctx;
	int rc = tl_cli_print_one(count_columns, 3, body);
	const json_t *results = json_object_get(body, "results");
	if (rc == 0 && json_array_size(results) > 0) {
		fputc('\n', stdout);
		tl_cli_print_table(result_columns, 3, results);
	}
	return rc;
}

/* Exit 1 when the answer counts failed transfers. */
static int batch_verdict(const json_t *body)
{
	json_int_t failed = json_integer_value(json_object_get(body, "failed"));
	if (failed <= 0)
		return TL_CLI_EXIT_OK;
	fprintf(stderr, "error: %" JSON_INTEGER_FORMAT " transfer%s failed (see results)\n",
		failed, failed == 1 ? "" : "s");
	return TL_CLI_EXIT_SERVER;
}

static int send_batch(const tl_cli_opts *o, json_t *body)
{
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/ledger/transfers");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	tl_cli_response r;
	int rc = tl_cli_fetch(o, &req, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	rc = tl_cli_present(o, &r, show_batch, NULL);
	if (rc == TL_CLI_EXIT_OK)
		rc = batch_verdict(r.json);
	tl_cli_response_free(&r);
	return rc;
}

int tl_cli_transfers_create(const tl_cli_opts *o, int argc, char **argv)
{
	const char *file, *linked;
	const tl_cli_arg args[] = {{"--file", &file, false}, {"--linked", &linked, true}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0 && file == NULL)
		rc = tl_cli_usage_error("missing --file FILE.json (- for stdin)");
	json_t *in = NULL, *batch = NULL;
	if (rc == 0)
		rc = tl_cli_read_json_file(file, &in);
	if (rc == 0)
		rc = make_batch(in, linked != NULL, file, &batch);
	if (rc == 0)
		rc = send_batch(o, batch);
	json_decref(in);
	json_decref(batch);
	return rc;
}
