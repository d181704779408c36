/*
 * cmd_catalog.c: `tally catalog`, what can be bought and for how much
 * (GET /v1/catalog): the tax rate, the terms (cycles) with their
 * discounts, how each service settles, and every item with its monthly
 * price in the catalog's currency (per GB for volumes and snapshots).
 */
#include "cli/cli.h"

#include <string.h>

static const tl_cli_column cycle_columns[] = {
	{"MONTHS", "months", true},
	{"DISCOUNT", "discount", true},
};
static const tl_cli_column service_columns[] = {
	{"SERVICE", "id", false},
	{"SETTLEMENT", "settlement", false},
};
static const tl_cli_column item_columns[] = {
	{"ID", "id", false},           {"TYPE", "type", false},
	{"SERVICE", "service", false}, {"NAME", "name", false},
	{"POC", "poc", false},         {"MONTHLY", "monthly_price", true},
	{"UNIT", "unit_text", false},
};
static const char *const item_amounts[] = {"monthly_price"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Basis points as a percentage: 1000 -> "10%", 250 -> "2.5%", 1234 -> "12.34%". */
static void percent_text(json_int_t bp, char *out, size_t cap)
{
	json_int_t whole = bp / 100, frac = bp % 100;
	if (bp < 0)
		snprintf(out, cap, "%" JSON_INTEGER_FORMAT " bp", bp);
	else if (frac == 0)
		snprintf(out, cap, "%" JSON_INTEGER_FORMAT "%%", whole);
	else if (frac % 10 == 0)
		snprintf(out, cap, "%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT "%%", whole,
			 frac / 10);
	else
		snprintf(out, cap, "%" JSON_INTEGER_FORMAT ".%02" JSON_INTEGER_FORMAT "%%", whole,
			 frac);
}

/* A copy of rows, fill adding each row's display fields. */
static json_t *rows_with(const json_t *rows, void (*fill)(json_t *row))
{
	json_t *copy = json_deep_copy(rows);
	for (size_t i = 0; i < json_array_size(copy); i++)
		fill(json_array_get(copy, i));
	return copy;
}

static void fill_cycle(json_t *row)
{
	char text[32];
	percent_text(json_integer_value(json_object_get(row, "discount_bp")), text, sizeof(text));
	json_object_set_new(row, "discount", json_string(text));
}

static void fill_item(json_t *row)
{
	const char *unit = json_string_value(json_object_get(row, "unit"));
	bool per_gb = unit && strcmp(unit, "gb_month") == 0;
	json_object_set_new(row, "unit_text", json_string(per_gb ? "per GB a month" : "a month"));
	json_object_set_new(row, "poc",
			    json_string(json_is_true(json_object_get(row, "poc_eligible")) ? "yes"
											   : "no"));
}

static int print_tables(const json_t *body, const char *currency)
{
	json_t *cycles = rows_with(json_object_get(body, "cycles"), fill_cycle);
	json_t *items = rows_with(json_object_get(body, "items"), fill_item);
	int rc = TL_CLI_EXIT_SERVER;
	if (cycles == NULL || items == NULL) {
		fputs("error: out of memory\n", stderr);
		goto done;
	}
	fputs("\nTerms\n", stdout);
	tl_cli_print_table(cycle_columns, COUNT(cycle_columns), cycles);
	fputs("\nServices\n", stdout);
	tl_cli_print_table(service_columns, COUNT(service_columns),
			   json_object_get(body, "services"));
	fputs("\nItems\n", stdout);
	const tl_cli_amounts amounts = {item_amounts, 1, currency};
	rc = tl_cli_print_money_table(item_columns, COUNT(item_columns), items, &amounts);
done:
	json_decref(cycles);
	json_decref(items);
	return rc;
}

static int show_catalog(json_t *body, const void *ctx)
{
	(void)ctx;
	const char *currency = json_string_value(json_object_get(body, "currency"));
	if (currency == NULL) {
		fputs("error: the server's answer names no currency\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	char text[32];
	tl_cli_print_field("Currency", currency);
	percent_text(json_integer_value(json_object_get(body, "tax_rate_bp")), text, sizeof(text));
	tl_cli_print_field("Tax rate", text);
	if (json_is_integer(json_object_get(body, "hold_days"))) {
		snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT " days",
			 json_integer_value(json_object_get(body, "hold_days")));
		tl_cli_print_field("Hold", text);
	}
	return print_tables(body, currency);
}

int tl_cli_catalog(const tl_cli_opts *o, int argc, char **argv)
{
	int rc = tl_cli_args_parse(argc, argv, NULL, 0);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/catalog");
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_catalog, NULL);
}
