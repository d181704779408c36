/*
 * cmd_coupons.c: `tally coupons create|list|disable`, the admin's
 * discount codes (/v1/coupons).
 *
 * A coupon takes a percentage off (--percent-off 10) or an amount
 * (--amount-off 50,000, in the catalog's currency, which is the coupon's:
 * looked up first, unless --minor gives minor units). Its rules: when it
 * starts and expires, how often it may be redeemed in all and per
 * account, which services, the shortest term, first purchase only. A
 * table shows each coupon on one row, its rules in words.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <string.h>

static const tl_cli_column coupon_columns[] = {
	{"CODE", "code", false},      {"ID", "id", false},
	{"OFF", "off", true},         {"EXPIRES", "expires_at", false},
	{"USES", "uses", false},      {"SERVICES", "services_text", false},
	{"RULES", "rules", false},    {"STATUS", "state", false},
};
#define COUPON_COLUMNS (sizeof(coupon_columns) / sizeof(coupon_columns[0]))

/* Services a coupon may name, and the longest term, as the API allows. */
#define SERVICES_MAX 8
#define MIN_CYCLE_MAX 120

static void off_text(const json_t *c, char *out, size_t cap)
{
	const json_t *pct = json_object_get(c, "percent_off");
	const json_t *amt = json_object_get(c, "amount_off");
	if (json_is_integer(pct))
		snprintf(out, cap, "%" JSON_INTEGER_FORMAT "%%", json_integer_value(pct));
	else if (json_is_integer(amt))
		tl_cli_money_format((long long)json_integer_value(amt),
				    json_string_value(json_object_get(c, "currency")), out);
	else
		snprintf(out, cap, "-");
}

static void uses_text(const json_t *c, char *out, size_t cap)
{
	json_int_t used = json_integer_value(json_object_get(c, "redemptions"));
	const json_t *max = json_object_get(c, "max_redemptions");
	if (json_is_integer(max))
		snprintf(out, cap, "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT, used,
			 json_integer_value(max));
	else
		snprintf(out, cap, "%" JSON_INTEGER_FORMAT, used);
}

/* Appends "; " (unless first) and the formatted text to out, bounded. */
static void append(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *out, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(out);
	if (len > 0 && len + 2 < cap) {
		memcpy(out + len, "; ", 3);
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out + len, cap - len, fmt, ap);
	va_end(ap);
}

static void services_text(const json_t *c, char *out, size_t cap)
{
	const json_t *list = json_object_get(c, "services");
	size_t len = 0;
	snprintf(out, cap, "%s", json_array_size(list) ? "" : "all");
	for (size_t i = 0; i < json_array_size(list) && len + 1 < cap; i++) {
		const char *s = json_string_value(json_array_get(list, i));
		snprintf(out + len, cap - len, "%s%s", i ? "," : "", s ? s : "?");
		len = strlen(out);
	}
}

static void rules_text(const json_t *c, char *out, size_t cap)
{
	const json_t *min = json_object_get(c, "min_cycle_months");
	const json_t *per = json_object_get(c, "max_per_account");
	const char *starts = json_string_value(json_object_get(c, "starts_at"));
	out[0] = '\0';
	if (json_is_integer(min))
		append(out, cap, "term >= %" JSON_INTEGER_FORMAT " months", json_integer_value(min));
	if (json_is_integer(per))
		append(out, cap, "%" JSON_INTEGER_FORMAT " per account", json_integer_value(per));
	if (json_is_true(json_object_get(c, "first_purchase_only")))
		append(out, cap, "first purchase only");
	if (starts)
		append(out, cap, "from %s", starts);
	if (out[0] == '\0')
		snprintf(out, cap, "-");
}

/* A copy of coupon c with its display fields. */
static json_t *coupon_row(const json_t *c)
{
	char text[TL_CLI_CELL_MAX];
	json_t *row = json_deep_copy(c);
	if (row == NULL)
		return NULL;
	off_text(c, text, sizeof(text));
	json_object_set_new(row, "off", json_string(text));
	uses_text(c, text, sizeof(text));
	json_object_set_new(row, "uses", json_string(text));
	services_text(c, text, sizeof(text));
	json_object_set_new(row, "services_text", json_string(text));
	rules_text(c, text, sizeof(text));
	json_object_set_new(row, "rules", json_string(text));
	json_object_set_new(row, "state", json_string(json_is_true(json_object_get(c, "disabled"))
							      ? "disabled" : "active"));
	return row;
}

static int out_of_memory(void)
{
	fputs("error: out of memory\n", stderr);
	return TL_CLI_EXIT_SERVER;
}

static int show_coupon(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *row = coupon_row(body);
	if (row == NULL)
		return out_of_memory();
	int rc = tl_cli_print_one(coupon_columns, COUPON_COLUMNS, row);
	json_decref(row);
	return rc;
}

static int show_coupons(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *page = json_deep_copy(body);
	json_t *data = json_object_get(page, "data");
	for (size_t i = 0; page && i < json_array_size(data); i++) {
		json_t *row = coupon_row(json_array_get(data, i));
		if (row == NULL || json_array_set_new(data, i, row) != 0) {
			json_decref(page);
			return out_of_memory();
		}
	}
	if (page == NULL)
		return out_of_memory();
	int rc = tl_cli_print_page(coupon_columns, COUPON_COLUMNS, page);
	json_decref(page);
	return rc;
}

/* ---- create ------------------------------------------------------------------- */

typedef struct coupon_args {
	const char *code, *percent, *amount, *minor, *starts, *expires, *max_total, *max_account,
		*services, *min_cycle, *first_only;
} coupon_args;

/* "vks,vserver" as a JSON array of names: no empty ones, at most
 * SERVICES_MAX. */
static int services_list(const char *text, json_t **out)
{
	json_t *list = json_array();
	const char *p = text, *end = text + strlen(text);
	bool ok = list != NULL && text[0] != '\0';
	while (ok && p <= end) { /* p moves on by at least one each time */
		size_t len = strcspn(p, ",");
		ok = len > 0 && json_array_size(list) < SERVICES_MAX &&
		     json_array_append_new(list, json_stringn(p, len)) == 0;
		p += len + 1;
	}
	if (!ok) {
		json_decref(list);
		return tl_cli_usage_error("--services takes 1 to %d service names, comma "
					  "separated (vks,vserver), not '%s'", SERVICES_MAX, text);
	}
	*out = list;
	return 0;
}

/* Sets key to the whole number in text, when given. */
static int put_number(json_t *body, const char *key, const char *option, const char *text,
		      long long max)
{
	long long n = 0;
	int rc = tl_cli_parse_number(option, text, 1, max, &n);
	if (rc == 0 && text)
		json_object_set_new(body, key, json_integer(n));
	return rc;
}

static int put_string(json_t *body, const char *key, const char *option, const char *text)
{
	if (text == NULL)
		return 0;
	json_t *s = json_string(text);
	if (s == NULL)
		return tl_cli_usage_error("%s must be UTF-8 text", option);
	json_object_set_new(body, key, s);
	return 0;
}

static int put_off(const tl_cli_opts *o, const coupon_args *a, json_t *body)
{
	if ((a->percent == NULL) == (a->amount == NULL))
		return tl_cli_usage_error("give one of --percent-off N and --amount-off AMOUNT");
	if (a->minor && a->amount == NULL)
		return tl_cli_usage_error("--minor is for --amount-off");
	if (a->percent)
		return put_number(body, "percent_off", "--percent-off", a->percent, 100);
	long long amount = 0;
	int rc = tl_cli_catalog_amount_arg(o, "--amount-off", a->amount, a->minor != NULL,
					   &amount);
	if (rc == 0)
		json_object_set_new(body, "amount_off", json_integer(amount));
	return rc;
}

/* The body of POST /v1/coupons; the amount's currency looked up last. */
static int coupon_body(const tl_cli_opts *o, const coupon_args *a, json_t *body)
{
	if (a->code == NULL)
		return tl_cli_usage_error("missing --code CODE");
	int rc = put_string(body, "code", "--code", a->code);
	rc = rc ? rc : put_string(body, "starts_at", "--starts-at", a->starts);
	rc = rc ? rc : put_string(body, "expires_at", "--expires-at", a->expires);
	rc = rc ? rc : put_number(body, "max_redemptions", "--max-redemptions", a->max_total,
				  1000000000LL);
	rc = rc ? rc : put_number(body, "max_per_account", "--max-per-account", a->max_account,
				  1000000000LL);
	rc = rc ? rc : put_number(body, "min_cycle_months", "--min-cycle", a->min_cycle,
				  MIN_CYCLE_MAX);
	json_t *services = NULL;
	if (rc == 0 && a->services && (rc = services_list(a->services, &services)) == 0)
		json_object_set_new(body, "services", services);
	if (rc == 0 && a->first_only)
		json_object_set_new(body, "first_purchase_only", json_true());
	return rc ? rc : put_off(o, a, body);
}

int tl_cli_coupons_create(const tl_cli_opts *o, int argc, char **argv)
{
	coupon_args a;
	const tl_cli_arg args[] = {
		{"--code", &a.code, false},
		{"--percent-off", &a.percent, false},
		{"--amount-off", &a.amount, false},
		{"--minor", &a.minor, true},
		{"--starts-at", &a.starts, false},
		{"--expires-at", &a.expires, false},
		{"--max-redemptions", &a.max_total, false},
		{"--max-per-account", &a.max_account, false},
		{"--services", &a.services, false},
		{"--min-cycle", &a.min_cycle, false},
		{"--first-purchase-only", &a.first_only, true},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	json_t *body = json_object();
	if (body == NULL)
		return out_of_memory();
	rc = coupon_body(o, &a, body);
	if (rc == 0) {
		tl_cli_path path;
		tl_cli_path_init(&path, "/v1/coupons");
		const tl_cli_request req = {
			.method = "POST", .path = &path, .body = body, .auth = true};
		rc = tl_cli_call(o, &req, show_coupon, NULL);
	}
	json_decref(body);
	return rc;
}

/* ---- list, disable -------------------------------------------------------------- */

int tl_cli_coupons_list(const tl_cli_opts *o, int argc, char **argv)
{
	return tl_cli_list(o, argc, argv, "/v1/coupons", false, show_coupons);
}

int tl_cli_coupons_disable(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id;
	const tl_cli_arg args[] = {{"ID", &id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	json_t *body = json_object();
	if (body == NULL)
		return out_of_memory();
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/coupons");
	tl_cli_path_segment(&path, id);
	tl_cli_path_literal(&path, "/disable");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_coupon, NULL);
	json_decref(body);
	return rc;
}
