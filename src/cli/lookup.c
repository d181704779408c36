/*
 * lookup.c: what a command must learn from the server before it can make
 * its own request or print its answer: an account's currency (to read
 * "12.50" as 1250 minor units, to format holds), or the catalog's (what
 * prices and coupons' amounts are in). A failed lookup is reported like
 * any failed call and ends the command.
 */
#include "cli/cli.h"

#include <string.h>

/* body's "currency" into out[4]. */
static int take_currency(const tl_cli_opts *o, const json_t *body, char out[4])
{
	const char *cur = json_string_value(json_object_get(body, "currency"));
	if (cur == NULL || strlen(cur) != 3) {
		fprintf(stderr, "error: the answer from %s names no currency\n", o->url);
		return TL_CLI_EXIT_SERVER;
	}
	memcpy(out, cur, 4);
	return TL_CLI_EXIT_OK;
}

static int fetch_currency(const tl_cli_opts *o, const tl_cli_path *path, char out[4])
{
	const tl_cli_request req = {.method = "GET", .path = path, .auth = true};
	tl_cli_response r;
	int rc = tl_cli_fetch(o, &req, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	rc = take_currency(o, r.json, out);
	tl_cli_response_free(&r);
	return rc;
}

int tl_cli_account_currency(const tl_cli_opts *o, const char *account_id, char out[4])
{
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/accounts");
	tl_cli_path_segment(&path, account_id);
	if (path.failed)
		return tl_cli_usage_error("the account id is too long");
	return fetch_currency(o, &path, out);
}

int tl_cli_wallets_currency(const tl_cli_opts *o, const char *account_id, char out[4])
{
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/wallets");
	tl_cli_path_param(&path, "account_id", account_id);
	if (path.failed)
		return tl_cli_usage_error("the account id is too long");
	return fetch_currency(o, &path, out);
}

int tl_cli_catalog_currency(const tl_cli_opts *o, char out[4])
{
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/catalog");
	return fetch_currency(o, &path, out);
}

/* text as a whole number of minor units, above 0. */
static int parse_minor(const char *option, const char *text, long long *out)
{
	static const tl_cli_currency units = {"", 0}; /* minor units: no decimals */
	const char *why = NULL;
	if (tl_cli_money_parse(text, &units, out, &why) != 0)
		return tl_cli_usage_error("%s with --minor %s, not '%s'", option, why, text);
	return 0;
}

/* Where the currency of an amount comes from. */
typedef struct currency_source {
	const char *account_id; /* its account's, when catalog is false */
	bool catalog;
	const char *whose;      /* "the account's", "the catalog's" */
} currency_source;

/* text as decimal units of the source's currency, looked up once the text
 * is a number at all (so a typo costs no request). */
static int parse_in_currency(const tl_cli_opts *o, const char *option,
			     const currency_source *src, const char *text, long long *out)
{
	static const tl_cli_currency widest = {"", 2}; /* the most minor digits any has */
	const char *why = NULL;
	if (tl_cli_money_parse(text, &widest, out, &why) != 0)
		return tl_cli_usage_error("%s %s, not '%s'", option, why, text);
	if (*out == 0)
		return tl_cli_usage_error("%s must be more than zero", option);
	char code[4];
	int rc = src->catalog ? tl_cli_catalog_currency(o, code)
			      : tl_cli_account_currency(o, src->account_id, code);
	if (rc != 0)
		return rc;
	const tl_cli_currency *cur = tl_cli_currency_find(code);
	if (cur == NULL)
		return tl_cli_usage_error("%s currency %s is unknown to this tally: give the "
					  "amount in minor units with --minor", src->whose, code);
	if (tl_cli_money_parse(text, cur, out, &why) != 0)
		return tl_cli_usage_error("%s %s (%s has %d minor digits), not '%s'", option, why,
					  cur->code, cur->digits, text);
	return 0;
}

static int amount_arg(const tl_cli_opts *o, const char *option, const currency_source *src,
		      const char *text, bool minor, long long *out)
{
	int rc = minor ? parse_minor(option, text, out)
		       : parse_in_currency(o, option, src, text, out);
	if (rc == 0 && *out <= 0)
		return tl_cli_usage_error("%s must be more than zero", option);
	return rc;
}

int tl_cli_amount_arg(const tl_cli_opts *o, const char *account_id, const char *text,
		      bool minor, long long *out)
{
	const currency_source src = {account_id, false, "the account's"};
	return amount_arg(o, "--amount", &src, text, minor, out);
}

int tl_cli_catalog_amount_arg(const tl_cli_opts *o, const char *option, const char *text,
			      bool minor, long long *out)
{
	const currency_source src = {NULL, true, "the catalog's"};
	return amount_arg(o, option, &src, text, minor, out);
}
