/*
 * cmd_stop_poc.c: `tally stop-poc ID`, ending the POC (free trial) of a
 * resource or a whole cluster: its POC resources become paid ones, through
 * a checkout, or, when nothing is left in POC, the cluster's POC flag is
 * just cleared.
 *
 *   preview  POST /v1/resources/{id}/stop-poc/preview   what would change;
 *            --preview stops here
 *   confirm  a person at the terminal answers y (--yes for scripts; without
 *            a terminal, --yes is required: exit 2, nothing asked or sent)
 *   stop     POST /v1/resources/{id}/stop-poc {cycle_months, auto_renew,
 *            coupon}: {stopped: true}, or a checkout whose price is shown
 *   pay      --pay credit|gateway|hold: POST /v1/checkouts/{id}/pay, and
 *            for gateway the wait for the payment (cmd_checkouts.c)
 *
 * The preview's prices are the catalog's (monthly, list price), so a table
 * first asks GET /v1/catalog for its currency. With --output json each
 * answer is printed as received, one after the other: preview,
 * confirmation, payment, and after a gateway wait the checkout's last
 * state.
 */
#include "cli/cli.h"

#include <string.h>

static const tl_cli_column preview_columns[] = {
	{"ID", "id", false},     {"TYPE", "type", false},
	{"ROLE", "role", false}, {"NAME", "name", false},
	{"MONTHLY", "monthly_price", true},
};
static const char *const preview_amounts[] = {"monthly_price"};

typedef struct stop_args {
	const char *id, *preview, *cycle, *auto_renew, *coupon, *pay, *yes, *wait;
	long long months;  /* 0: the server's default */
	long long wait_s;
} stop_args;

static const char *str_of(const json_t *object, const char *field)
{
	return json_string_value(json_object_get(object, field));
}

static bool is_stop(const json_t *preview)
{
	const char *action = str_of(preview, "action");
	return action && strcmp(action, "stop") == 0;
}

/* ---- the preview ---------------------------------------------------------------- */

static void print_monthly_sum(const json_t *list, const char *currency)
{
	long long sum = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_int_t price = json_integer_value(json_object_get(json_array_get(list, i),
								      "monthly_price"));
		if (__builtin_add_overflow(sum, (long long)price, &sum))
			return; /* no sum is better than a wrong one */
	}
	char text[TL_CLI_MONEY_MAX];
	tl_cli_money_format(sum, currency, text);
	printf("Monthly at list price: %s (before the term discount, coupon and tax)\n", text);
}

static int print_preview(const json_t *p, const char *id, const char *currency)
{
	const json_t *list = json_object_get(p, "resources");
	fputs("Stop POC of ", stdout);
	tl_cli_put_clean(stdout, id);
	if (is_stop(p)) {
		fputs(": nothing is left in POC; confirming clears the cluster's POC flag, "
		      "with no payment\n", stdout);
	} else {
		printf(": %zu resource%s leave%s POC for paid billing, through a checkout\n\n",
		       json_array_size(list), json_array_size(list) == 1 ? "" : "s",
		       json_array_size(list) == 1 ? "s" : "");
		const tl_cli_amounts amounts = {preview_amounts, 1, currency};
		int rc = tl_cli_print_money_table(
			preview_columns, sizeof(preview_columns) / sizeof(preview_columns[0]),
			list, &amounts);
		if (rc != 0)
			return rc;
		print_monthly_sum(list, currency);
	}
	const json_t *warnings = json_object_get(p, "warnings");
	for (size_t i = 0; i < json_array_size(warnings); i++) {
		const char *w = json_string_value(json_array_get(warnings, i));
		fputs("Warning: ", stdout);
		tl_cli_put_clean(stdout, w ? w : "?");
		fputc('\n', stdout);
	}
	return TL_CLI_EXIT_OK;
}

/* POST .../stop-poc/preview into *out (the caller frees), and shown. */
static int fetch_preview(const tl_cli_opts *o, const stop_args *a, const char *currency,
			 tl_cli_response *out)
{
	json_t *body = json_object();
	if (body == NULL) {
		fputs("error: out of memory\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/resources");
	tl_cli_path_segment(&path, a->id);
	tl_cli_path_literal(&path, "/stop-poc/preview");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	int rc = tl_cli_fetch(o, &req, out);
	json_decref(body);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	if (o->json)
		tl_cli_print_raw(out);
	else
		rc = print_preview(out->json, a->id, currency);
	if (rc != TL_CLI_EXIT_OK)
		tl_cli_response_free(out);
	return rc;
}

/* ---- confirming ---------------------------------------------------------------- */

static int ask(const stop_args *a, const json_t *preview)
{
	char question[256];
	size_t n = json_array_size(json_object_get(preview, "resources"));
	if (is_stop(preview))
		snprintf(question, sizeof(question), "Clear the POC flag of %.64s?", a->id);
	else if (a->months > 0)
		snprintf(question, sizeof(question),
			 "Convert %zu resource%s for %lld month%s (a checkout%s)?", n,
			 n == 1 ? "" : "s", a->months, a->months == 1 ? "" : "s",
			 a->pay ? ", then paid" : " to pay");
	else
		snprintf(question, sizeof(question), "Convert %zu resource%s (a checkout%s)?", n,
			 n == 1 ? "" : "s", a->pay ? ", then paid" : " to pay");
	return tl_cli_confirm(question, a->yes != NULL, "--yes");
}

static void print_stopped(const stop_args *a)
{
	fputs("Stopped: ", stdout);
	tl_cli_put_clean(stdout, a->id);
	fputs(" is no longer a POC; its POC flag is cleared, nothing was charged\n", stdout);
	if (a->pay)
		fputs("note: nothing to pay, so --pay was not used\n", stderr);
}

/* The checkout answer: shown, then paid when --pay was given. */
static int after_checkout(const tl_cli_opts *o, const stop_args *a, const json_t *checkout)
{
	int rc = o->json ? TL_CLI_EXIT_OK : tl_cli_checkout_print(checkout);
	const char *id = str_of(checkout, "id");
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	if (id == NULL) {
		fputs("error: the server's checkout has no id\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	if (a->pay == NULL) {
		if (!o->json)
			tl_cli_checkout_hint(checkout);
		return TL_CLI_EXIT_OK;
	}
	if (!o->json)
		fputc('\n', stdout);
	return tl_cli_checkout_pay(o, id, a->pay, a->wait_s);
}

static int confirm(const tl_cli_opts *o, const stop_args *a)
{
	json_t *body = json_pack("{s:b, s:s*}", "auto_renew", a->auto_renew != NULL, "coupon",
				 a->coupon);
	if (body == NULL)
		return tl_cli_usage_error("--coupon must be UTF-8 text");
	if (a->months > 0)
		json_object_set_new(body, "cycle_months", json_integer(a->months));
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/resources");
	tl_cli_path_segment(&path, a->id);
	tl_cli_path_literal(&path, "/stop-poc");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	tl_cli_response r;
	int rc = tl_cli_fetch(o, &req, &r);
	json_decref(body);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	if (o->json)
		tl_cli_print_raw(&r);
	else
		fputc('\n', stdout);
	if (json_is_true(json_object_get(r.json, "stopped"))) {
		if (!o->json)
			print_stopped(a);
	} else {
		rc = after_checkout(o, a, r.json);
	}
	tl_cli_response_free(&r);
	return rc;
}

/* ---- the command ------------------------------------------------------------------ */

static int check_args(stop_args *a)
{
	bool acting = a->cycle || a->auto_renew || a->coupon || a->pay || a->yes || a->wait;
	if (a->preview && acting)
		return tl_cli_usage_error("--preview only shows what would change: it takes no "
					  "--cycle, --auto-renew, --coupon, --pay, --yes or --wait");
	int rc = tl_cli_parse_number("--cycle", a->cycle, 1, TL_CLI_CYCLE_MONTHS_MAX, &a->months);
	if (rc == 0)
		rc = tl_cli_check_choice("--pay", a->pay, tl_cli_pay_methods);
	if (rc == 0)
		rc = tl_cli_parse_number("--wait", a->wait, 0, TL_CLI_PAY_WAIT_MAX_S, &a->wait_s);
	if (rc == 0 && a->wait && (a->pay == NULL || strcmp(a->pay, "gateway") != 0))
		rc = tl_cli_usage_error("--wait is for --pay gateway");
	if (rc == 0 && !a->preview) /* before any request: a script must not hang */
		rc = tl_cli_can_confirm(a->yes != NULL, "--yes");
	return rc;
}

int tl_cli_stop_poc(const tl_cli_opts *o, int argc, char **argv)
{
	stop_args a = {.wait_s = TL_CLI_PAY_WAIT_DEFAULT_S};
	const tl_cli_arg args[] = {
		{"ID", &a.id, false},          {"--preview", &a.preview, true},
		{"--cycle", &a.cycle, false},  {"--auto-renew", &a.auto_renew, true},
		{"--coupon", &a.coupon, false}, {"--pay", &a.pay, false},
		{"--yes", &a.yes, true},        {"--wait", &a.wait, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0)
		rc = check_args(&a);
	char currency[4] = "";
	if (rc == 0 && !o->json)
		rc = tl_cli_catalog_currency(o, currency);
	if (rc != 0)
		return rc;
	tl_cli_response preview;
	rc = fetch_preview(o, &a, currency, &preview);
	if (rc != 0)
		return rc;
	if (a.preview == NULL)
		rc = ask(&a, preview.json);
	if (rc == 0 && a.preview == NULL)
		rc = confirm(o, &a);
	tl_cli_response_free(&preview);
	return rc;
}
