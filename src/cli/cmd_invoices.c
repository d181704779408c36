/*
 * cmd_invoices.c: `tally invoices list|show`, the invoice history
 * (/v1/invoices). An invoice is for one resource and one period; it
 * carries its own currency, so no lookup is needed.
 *
 * list: one row an invoice, its period shortened to the dates. show: the
 * invoice as a document: number, resource, period, its line (unit price,
 * quantity, months, gross), then subtotal, discount, tax and total, as
 * the invoice itself states them (its subtotal is before any discount).
 */
#include "cli/cli.h"

#include <string.h>

static const tl_cli_column invoice_columns[] = {
	{"ID", "id", false},           {"NUMBER", "number", false},
	{"RESOURCE", "resource_id", false}, {"KIND", "kind", false},
	{"PERIOD", "period_text", false}, {"TOTAL", "total", true},
	{"STATUS", "status", false},   {"ISSUED", "issued_at", false},
};
static const char *const invoice_amounts[] = {"total"};

static const tl_cli_column line_columns[] = {
	{"ITEM", "item_id", false},          {"DESCRIPTION", "description", false},
	{"UNIT_PRICE", "unit_price", true},  {"QTY", "quantity", true},
	{"MONTHS", "cycle_months", true},    {"GROSS", "gross", true},
	{"TOTAL", "total", true},
};
static const char *const line_amounts[] = {"unit_price", "gross", "total"};

static const char *str_of(const json_t *object, const char *field)
{
	return json_string_value(json_object_get(object, field));
}

static int out_of_memory(void)
{
	fputs("error: out of memory\n", stderr);
	return TL_CLI_EXIT_SERVER;
}

/* "2026-11-22 to 2027-11-22": the period's dates, into out. */
static void period_text(const json_t *invoice, char *out, size_t cap)
{
	const json_t *period = json_object_get(invoice, "period");
	const char *start = str_of(period, "start"), *end = str_of(period, "end");
	snprintf(out, cap, "%.10s to %.10s", start ? start : "?", end ? end : "?");
}

/* ---- list ---------------------------------------------------------------------- */

static int show_invoices(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *page = json_deep_copy(body);
	if (page == NULL)
		return out_of_memory();
	json_t *rows = json_object_get(page, "data");
	char text[64];
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *row = json_array_get(rows, i);
		period_text(row, text, sizeof(text));
		json_object_set_new(row, "period_text", json_string(text));
	}
	const tl_cli_amounts amounts = {invoice_amounts, 1, NULL}; /* each row's currency */
	int rc = tl_cli_print_money_page(invoice_columns,
					 sizeof(invoice_columns) / sizeof(invoice_columns[0]),
					 page, &amounts);
	json_decref(page);
	return rc;
}

int tl_cli_invoices_list(const tl_cli_opts *o, int argc, char **argv)
{
	const char *resource, *account, *limit, *after;
	const tl_cli_arg args[] = {
		{"--resource", &resource, false}, {"--account", &account, false},
		{"--limit", &limit, false},       {"--after", &after, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0)
		rc = tl_cli_check_count("--limit", limit);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/invoices");
	tl_cli_path_param(&path, "resource_id", resource);
	tl_cli_path_param(&path, "account_id", account);
	tl_cli_path_param(&path, "limit", limit);
	tl_cli_path_param(&path, "after", after);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_invoices, NULL);
}

/* ---- show ---------------------------------------------------------------------- */

static void print_head(const json_t *inv)
{
	char text[TL_CLI_CELL_MAX], name[TL_CLI_CELL_MAX], service[TL_CLI_CELL_MAX];
	tl_cli_print_field("Invoice", str_of(inv, "number"));
	tl_cli_print_field("ID", str_of(inv, "id"));
	tl_cli_print_field("Kind", str_of(inv, "kind"));
	tl_cli_print_field("Status", str_of(inv, "status"));
	tl_cli_field_text(inv, "resource_name", name);
	tl_cli_field_text(inv, "service", service);
	snprintf(text, sizeof(text), "%.40s \"%.150s\" (service %.40s)",
		 str_of(inv, "resource_id") ? str_of(inv, "resource_id") : "-", name, service);
	tl_cli_print_field("Resource", text);
	const json_t *period = json_object_get(inv, "period");
	snprintf(text, sizeof(text), "%s to %s",
		 str_of(period, "start") ? str_of(period, "start") : "?",
		 str_of(period, "end") ? str_of(period, "end") : "?");
	tl_cli_print_field("Period", text);
	tl_cli_print_field("Account", str_of(inv, "account_id"));
	tl_cli_print_field("Payment", str_of(inv, "payment_id"));
	tl_cli_print_field("Checkout", str_of(inv, "checkout_id"));
	tl_cli_print_field("Issued", str_of(inv, "issued_at"));
}

static int show_invoice(json_t *inv, const void *ctx)
{
	(void)ctx;
	const char *currency = str_of(inv, "currency");
	if (!json_is_object(inv) || currency == NULL) {
		fputs("error: the server's answer is not an invoice\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	print_head(inv);
	fputc('\n', stdout);
	const tl_cli_amounts amounts = {line_amounts, 3, currency};
	int rc = tl_cli_print_money_table(line_columns,
					  sizeof(line_columns) / sizeof(line_columns[0]),
					  json_object_get(inv, "lines"), &amounts);
	if (rc != 0)
		return rc;
	fputc('\n', stdout);
	static const tl_cli_total rows[] = {
		{"Subtotal", "subtotal", false},
		{"Discount", "discount", true},
		{"Tax", "tax", false},
		{"Total", "total", false},
		{"Paid", "amount_paid", false},
	};
	tl_cli_print_totals(inv, rows, sizeof(rows) / sizeof(rows[0]), currency);
	if (str_of(inv, "coupon_code"))
		tl_cli_print_field("Coupon", str_of(inv, "coupon_code"));
	return TL_CLI_EXIT_OK;
}

int tl_cli_invoices_show(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id;
	const tl_cli_arg args[] = {{"ID", &id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/invoices");
	tl_cli_path_segment(&path, id);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_invoice, NULL);
}
