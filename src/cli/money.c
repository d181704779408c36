/*
 * money.c: amounts between minor units (what the API speaks) and decimal
 * text in the currency's units (what people read and type), in integers
 * only: no floating point ever touches money.
 *
 *   format  1250000 VND -> "1,250,000 VND"     1250 USD -> "12.50 USD"
 *   parse   "12.50" USD -> 1250   "12.5" -> 1250   "1,250,000" VND -> 1250000
 *
 * Parsing is strict: digits, optionally grouped by commas in threes,
 * optionally a point and at most the currency's minor digits; no sign, no
 * exponent, no blanks, nothing that would overflow 64 bits.
 *
 * Tables with amounts copy the rows with each amount replaced by its text,
 * then print them as any other table (output.c). A view's totals (subtotal,
 * discount, tax, total) are detail lines with the amounts aligned right.
 */
#include "cli/cli.h"

#include <limits.h>
#include <string.h>

/* The server's currencies (src/domain/currency.c), copied: the client does
 * not link server code. */
static const tl_cli_currency currencies[] = {
	{"VND", 0}, {"USD", 2}, {"EUR", 2}, {"JPY", 0}, {"SGD", 2},
};

const tl_cli_currency *tl_cli_currency_find(const char *code)
{
	for (size_t i = 0; code && i < sizeof(currencies) / sizeof(currencies[0]); i++) {
		if (strcmp(currencies[i].code, code) == 0)
			return &currencies[i];
	}
	return NULL;
}

/* Digits of v, most significant first, into out; returns how many. */
static size_t digits_of(unsigned long long v, char *out)
{
	char rev[24];
	size_t n = 0;
	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

void tl_cli_money_format(long long minor, const char *currency, char *out)
{
	const tl_cli_currency *cur = tl_cli_currency_find(currency);
	if (cur == NULL) {
		snprintf(out, TL_CLI_MONEY_MAX, "%lld (minor units of %.8s)", minor,
			 currency ? currency : "?");
		return;
	}
	/* The magnitude without overflow, LLONG_MIN included. */
	unsigned long long mag = minor < 0 ? 0ull - (unsigned long long)minor
					   : (unsigned long long)minor;
	char digits[32];
	size_t n = digits_of(mag, digits);
	size_t frac = (size_t)cur->digits, whole = n > frac ? n - frac : 1, len = 0;
	char text[40]; /* "-" 20 digits, 6 commas, "." and NUL at most */
	if (minor < 0)
		text[len++] = '-';
	for (size_t i = 0; i < whole; i++) {
		if (i > 0 && (whole - i) % 3 == 0)
			text[len++] = ',';
		text[len++] = n > frac ? digits[i] : '0';
	}
	if (frac > 0)
		text[len++] = '.';
	for (size_t i = 0; i < frac; i++) /* leading zeros when n < frac */
		text[len++] = i + n < frac ? '0' : digits[i + n - frac];
	text[len] = '\0';
	snprintf(out, TL_CLI_MONEY_MAX, "%.39s %.3s", text, cur->code);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* *acc = *acc * 10 + d, false on overflow. */
static bool push_digit(long long *acc, char d)
{
	int v = d - '0';
	if (*acc > (LLONG_MAX - v) / 10)
		return false;
	*acc = *acc * 10 + v;
	return true;
}

static int fail(const char **why, const char *message)
{
	*why = message;
	return -1;
}

/* The whole part, commas in threes or none; *s moves past it. */
static int parse_whole(const char **s, long long *acc, const char **why)
{
	const char *p = *s;
	size_t group = 0;
	bool grouped = false;
	for (; is_digit(*p) || *p == ','; p++) {
		if (*p == ',') {
			if ((grouped ? group != 3 : group < 1 || group > 3) || !is_digit(p[1]))
				break;
			grouped = true;
			group = 0;
			continue;
		}
		group++;
		if (!push_digit(acc, *p))
			return fail(why, "is too large");
	}
	if (p == *s || (grouped && group != 3) || *p == ',')
		return fail(why, "must be digits, grouped by commas in threes if at all "
				 "(1,250,000)");
	*s = p;
	return 0;
}

/* ".DD" (optional) to the end of the text, padded to the minor digits. */
static int parse_fraction(const char *p, int digits, long long *acc, const char **why)
{
	int given = 0;
	if (*p == '.') {
		for (p++; is_digit(*p); p++, given++) {
			if (given >= digits)
				return fail(why, "has more decimals than the currency has "
						 "minor digits");
			if (!push_digit(acc, *p))
				return fail(why, "is too large");
		}
		if (given == 0)
			return fail(why, "needs a digit after the point");
	}
	if (*p != '\0')
		return fail(why, "must be a plain decimal number (12.50)");
	for (; given < digits; given++) {
		if (!push_digit(acc, '0'))
			return fail(why, "is too large");
	}
	return 0;
}

int tl_cli_money_parse(const char *text, const tl_cli_currency *cur, long long *out,
		       const char **why)
{
	long long acc = 0;
	const char *p = text;
	*why = NULL;
	if (parse_whole(&p, &acc, why) != 0 || parse_fraction(p, cur->digits, &acc, why) != 0)
		return -1;
	*out = acc;
	return 0;
}

/* row's field, when an integer, replaced by its formatted text. */
static void format_field(json_t *row, const char *field, const char *currency)
{
	const json_t *v = json_object_get(row, field);
	if (!json_is_integer(v))
		return;
	char text[TL_CLI_MONEY_MAX];
	tl_cli_money_format((long long)json_integer_value(v), currency, text);
	json_object_set_new(row, field, json_string(text));
}

json_t *tl_cli_money_rows(const json_t *rows, const char *const *fields, size_t nfields,
			  const char *currency)
{
	json_t *copy = json_deep_copy(rows);
	if (copy == NULL) {
		fputs("error: out of memory\n", stderr);
		return NULL;
	}
	for (size_t r = 0; r < json_array_size(copy); r++) {
		json_t *row = json_array_get(copy, r);
		const char *cur = currency ? currency
					   : json_string_value(json_object_get(row, "currency"));
		for (size_t f = 0; f < nfields; f++)
			format_field(row, fields[f], cur);
	}
	return copy;
}

int tl_cli_print_money_table(const tl_cli_column *cols, size_t ncols, const json_t *rows,
			     const tl_cli_amounts *a)
{
	json_t *shown = tl_cli_money_rows(rows, a->fields, a->nfields, a->currency);
	if (shown == NULL)
		return TL_CLI_EXIT_SERVER;
	tl_cli_print_table(cols, ncols, shown);
	json_decref(shown);
	return TL_CLI_EXIT_OK;
}

int tl_cli_print_money_one(const tl_cli_column *cols, size_t ncols, const json_t *object,
			   const tl_cli_amounts *a)
{
	if (!json_is_object(object)) {
		fputs("error: the server's answer is not a JSON object\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	json_t *rows = json_pack("[O]", object);
	if (rows == NULL) {
		fputs("error: out of memory\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	int rc = tl_cli_print_money_table(cols, ncols, rows, a);
	json_decref(rows);
	return rc;
}

int tl_cli_print_money_page(const tl_cli_column *cols, size_t ncols, const json_t *page,
			    const tl_cli_amounts *a)
{
	const json_t *data = json_object_get(page, "data");
	if (!json_is_array(data))
		return tl_cli_print_page(cols, ncols, page); /* reports the missing list */
	json_t *shown = tl_cli_money_rows(data, a->fields, a->nfields, a->currency);
	json_t *copy = shown ? json_pack("{s:o, s:O?}", "data", shown, "next",
					 json_object_get(page, "next"))
			     : NULL;
	if (copy == NULL) {
		fputs("error: out of memory\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	int rc = tl_cli_print_page(cols, ncols, copy);
	json_decref(copy);
	return rc;
}

/* Totals of one view; more would not be totals. */
#define TOTALS_MAX 16

void tl_cli_print_totals(const json_t *object, const tl_cli_total *rows, size_t n,
			 const char *currency)
{
	char text[TOTALS_MAX][TL_CLI_MONEY_MAX], line[TL_CLI_MONEY_MAX];
	int width = 0;
	n = n < TOTALS_MAX ? n : TOTALS_MAX;
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_object_get(object, rows[i].field);
		long long minor = (long long)json_integer_value(v);
		if (rows[i].minus && minor != LLONG_MIN)
			minor = -minor;
		if (json_is_integer(v))
			tl_cli_money_format(minor, currency, text[i]);
		else
			snprintf(text[i], TL_CLI_MONEY_MAX, "-");
		width = (int)strlen(text[i]) > width ? (int)strlen(text[i]) : width;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%*s", width, text[i]);
		tl_cli_print_field(rows[i].label, line);
	}
}
