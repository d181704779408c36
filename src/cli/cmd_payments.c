/*
 * cmd_payments.c: `tally payments list|show`, the payment history
 * (/v1/payments): how each checkout was paid (credit, gateway or a hold),
 * how much, and the invoices it paid. A payment carries its currency.
 */
#include "cli/cli.h"

static const tl_cli_column payment_columns[] = {
	{"ID", "id", false},          {"METHOD", "method", false},
	{"AMOUNT", "amount", true},   {"STATUS", "status", false},
	{"CHECKOUT", "checkout_id", false}, {"INVOICES", "invoice_count", true},
	{"HOLD", "hold_id", false},   {"CREATED", "created_at", false},
};
#define PAYMENT_COLUMNS (sizeof(payment_columns) / sizeof(payment_columns[0]))
static const char *const payment_amounts[] = {"amount"};

/* A copy of the page, each row with how many invoices it paid. */
static json_t *counted(const json_t *page)
{
	json_t *copy = json_deep_copy(page);
	json_t *rows = json_object_get(copy, "data");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *row = json_array_get(rows, i);
		size_t n = json_array_size(json_object_get(row, "invoice_ids"));
		json_object_set_new(row, "invoice_count", json_integer((json_int_t)n));
	}
	return copy;
}

static int show_payments(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *page = counted(body);
	if (page == NULL) {
		fputs("error: out of memory\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	const tl_cli_amounts amounts = {payment_amounts, 1, NULL}; /* each row's currency */
	int rc = tl_cli_print_money_page(payment_columns, PAYMENT_COLUMNS, page, &amounts);
	json_decref(page);
	return rc;
}

int tl_cli_payments_list(const tl_cli_opts *o, int argc, char **argv)
{
	return tl_cli_list(o, argc, argv, "/v1/payments", true, show_payments);
}

static int show_payment(json_t *p, const void *ctx)
{
	(void)ctx;
	const char *currency = json_string_value(json_object_get(p, "currency"));
	const json_t *amount = json_object_get(p, "amount");
	if (!json_is_object(p) || currency == NULL || !json_is_integer(amount)) {
		fputs("error: the server's answer is not a payment\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	char money[TL_CLI_MONEY_MAX];
	tl_cli_money_format((long long)json_integer_value(amount), currency, money);
	tl_cli_print_field("Payment", json_string_value(json_object_get(p, "id")));
	tl_cli_print_field("Method", json_string_value(json_object_get(p, "method")));
	tl_cli_print_field("Amount", money);
	tl_cli_print_field("Status", json_string_value(json_object_get(p, "status")));
	tl_cli_print_field("Account", json_string_value(json_object_get(p, "account_id")));
	tl_cli_print_field("Checkout", json_string_value(json_object_get(p, "checkout_id")));
	tl_cli_print_field("Hold", json_string_value(json_object_get(p, "hold_id")));
	tl_cli_print_field("Created", json_string_value(json_object_get(p, "created_at")));
	const json_t *ids = json_object_get(p, "invoice_ids");
	printf("Invoices (%zu):\n", json_array_size(ids));
	for (size_t i = 0; i < json_array_size(ids); i++) {
		const char *id = json_string_value(json_array_get(ids, i));
		fputs("  ", stdout);
		tl_cli_put_clean(stdout, id ? id : "?");
		fputc('\n', stdout);
	}
	return TL_CLI_EXIT_OK;
}

int tl_cli_payments_show(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id;
	const tl_cli_arg args[] = {{"ID", &id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/payments");
	tl_cli_path_segment(&path, id);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_payment, NULL);
}
