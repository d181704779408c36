/*
 * cmd_checkouts.c: `tally checkouts show|create|change|pay|cancel`, orders
 * and their payment (/v1/checkouts), and the checkout view and payment
 * that `tally stop-poc` shares.
 *
 * A checkout is shown as its terms, one line per resource (unit price,
 * quantity, months, amount after the term discount), then subtotal,
 * coupon discount, tax and total, and for a checkout that settles by a
 * hold the amount held; all in the checkout's currency.
 *
 * Paying by gateway answers with the payment page's address; the command
 * prints it and then looks at the checkout every TL_CLI_PAY_POLL_S seconds
 * until it is paid, is no longer open (cancelled, expired) or --wait
 * seconds have passed:
 *
 *   open --(paid at the gateway)--> paid              exit 0
 *   open --(cancelled, expired)---> cancelled|expired exit 1
 *   open --(--wait runs out)------> open              exit 1, still payable
 */
#include "cli/cli.h"

#include <string.h>
#include <time.h>

const char *const tl_cli_pay_methods[] = {"credit", "gateway", "hold", NULL};
static const char *const on_off[] = {"on", "off", NULL};

static const tl_cli_column line_columns[] = {
	{"RESOURCE", "resource_id", false},  {"NAME", "resource_name", false},
	{"ITEM", "item_id", false},          {"UNIT_PRICE", "unit_price", true},
	{"QTY", "quantity", true},           {"MONTHS", "cycle_months", true},
	{"AMOUNT", "amount", true},
};
static const char *const line_amounts[] = {"unit_price", "amount"};

static const char *str_of(const json_t *object, const char *field)
{
	return json_string_value(json_object_get(object, field));
}

static int out_of_memory(void)
{
	fputs("error: out of memory\n", stderr);
	return TL_CLI_EXIT_SERVER;
}

/* ---- the view ------------------------------------------------------------------ */

static void print_terms(const json_t *c)
{
	char text[TL_CLI_CELL_MAX], kind[TL_CLI_CELL_MAX], status[TL_CLI_CELL_MAX];
	json_int_t months = json_integer_value(json_object_get(c, "cycle_months"));
	tl_cli_field_text(c, "kind", kind);
	tl_cli_field_text(c, "status", status);
	tl_cli_print_field("Checkout", str_of(c, "id"));
	snprintf(text, sizeof(text), "%.100s, %.100s", kind, status);
	tl_cli_print_field("Kind", text);
	if (str_of(c, "origin_resource_id"))
		tl_cli_print_field("Stop POC of", str_of(c, "origin_resource_id"));
	snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT " month%s, auto-renew %s", months,
		 months == 1 ? "" : "s",
		 json_is_true(json_object_get(c, "auto_renew")) ? "on" : "off");
	tl_cli_print_field("Term", text);
	tl_cli_print_field("Coupon", str_of(c, "coupon"));
	tl_cli_print_field("Settlement", str_of(c, "settlement"));
	tl_cli_print_field("Expires", str_of(c, "expires_at"));
	if (str_of(c, "payment_id")) {
		snprintf(text, sizeof(text), "%s at %s", str_of(c, "payment_id"),
			 str_of(c, "paid_at") ? str_of(c, "paid_at") : "?");
		tl_cli_print_field("Payment", text);
	}
}

static void print_totals(const json_t *c, const char *currency)
{
	tl_cli_total rows[8];
	size_t n = 0;
	if (json_integer_value(json_object_get(c, "cycle_discount")) != 0) {
		rows[n++] = (tl_cli_total){"Gross", "gross", false};
		rows[n++] = (tl_cli_total){"Term discount", "cycle_discount", true};
	}
	rows[n++] = (tl_cli_total){"Subtotal", "subtotal", false};
	rows[n++] = (tl_cli_total){"Discount", "discount", true};
	rows[n++] = (tl_cli_total){"Tax", "tax", false};
	rows[n++] = (tl_cli_total){"Total", "total", false};
	if (json_object_get(c, "hold_amount"))
		rows[n++] = (tl_cli_total){"Hold amount", "hold_amount", false};
	tl_cli_print_totals(c, rows, n, currency);
}

int tl_cli_checkout_print(const json_t *c)
{
	const char *currency = str_of(c, "currency");
	if (!json_is_object(c) || currency == NULL) {
		fputs("error: the server's answer is not a checkout\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	print_terms(c);
	fputc('\n', stdout);
	const tl_cli_amounts amounts = {line_amounts, 2, currency};
	int rc = tl_cli_print_money_table(line_columns,
					  sizeof(line_columns) / sizeof(line_columns[0]),
					  json_object_get(c, "lines"), &amounts);
	if (rc != 0)
		return rc;
	fputc('\n', stdout);
	print_totals(c, currency);
	if (json_object_get(c, "hold_amount")) /* the settlement rule, said once */
		fputs("(settles by a hold: paying reserves the hold amount on the credit wallet; "
		      "usage is billed later)\n", stdout);
	return TL_CLI_EXIT_OK;
}

static int show_checkout(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_checkout_print(body);
}

void tl_cli_checkout_hint(const json_t *c)
{
	const char *id = str_of(c, "id"), *status = str_of(c, "status");
	if (id == NULL || status == NULL || strcmp(status, "open") != 0)
		return;
	const char *settlement = str_of(c, "settlement");
	bool hold = settlement && strcmp(settlement, "hold") == 0;
	fputs("next: tally checkouts pay ", stderr);
	tl_cli_put_clean(stderr, id);
	fputs(hold ? " --method hold\n" : " --method credit (or gateway)\n", stderr);
}

/* ---- paying ---------------------------------------------------------------------- */

static void print_id_list(const char *label, const json_t *ids)
{
	printf("%s:", label);
	for (size_t i = 0; i < json_array_size(ids); i++) {
		const char *id = json_string_value(json_array_get(ids, i));
		fputs(i == 0 ? " " : ", ", stdout);
		tl_cli_put_clean(stdout, id ? id : "?");
	}
	fputs(json_array_size(ids) == 0 ? " none\n" : "\n", stdout);
}

static void print_paid(const json_t *answer)
{
	tl_cli_print_field("Status", str_of(answer, "status"));
	tl_cli_print_field("Payment", str_of(answer, "payment_id"));
	if (str_of(answer, "hold_id"))
		tl_cli_print_field("Hold", str_of(answer, "hold_id"));
	const json_t *invoices = json_object_get(answer, "invoice_ids");
	if (json_array_size(invoices) > 0 || (invoices && !str_of(answer, "hold_id")))
		print_id_list("Invoices", invoices); /* a hold has none until it settles */
}

/* Sleeps s seconds (interrupted sleeps go on). */
static void sleep_s(long s)
{
	struct timespec left = {s, 0};
	while (nanosleep(&left, &left) != 0 && (left.tv_sec > 0 || left.tv_nsec > 0))
		;
}

static long long now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec;
}

/* GET /v1/checkouts/{id} into *out (the caller frees). */
static int fetch_checkout(const tl_cli_opts *o, const char *id, tl_cli_response *out)
{
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/checkouts");
	tl_cli_path_segment(&path, id);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_fetch(o, &req, out);
}

/* The checkout's state once the wait ends: the exit status. */
static int wait_verdict(const tl_cli_opts *o, const tl_cli_response *r, const char *id,
			long long wait_s)
{
	const char *status = str_of(r->json, "status");
	if (o->json)
		tl_cli_print_raw(r);
	if (status && strcmp(status, "paid") == 0) {
		if (!o->json)
			print_paid(r->json);
		return TL_CLI_EXIT_OK;
	}
	fputs("error: checkout ", stderr);
	tl_cli_put_clean(stderr, id);
	if (status && strcmp(status, "open") == 0) {
		const char *expires = str_of(r->json, "expires_at");
		fprintf(stderr, " is not paid after %lld s; it stays open until ", wait_s);
		tl_cli_put_clean(stderr, expires ? expires : "it expires");
		fputs(": pay it again with `tally checkouts pay ", stderr);
		tl_cli_put_clean(stderr, id);
		fputs(" --method gateway`\n", stderr);
	} else {
		fputs(" is ", stderr);
		tl_cli_put_clean(stderr, status ? status : "(no status)");
		fputs(", not paid\n", stderr);
	}
	return TL_CLI_EXIT_SERVER;
}

/* Looks at checkout id until it is paid or no longer open, for at most
 * wait_s seconds (and so at most wait_s / TL_CLI_PAY_POLL_S + 2 times). */
static int wait_paid(const tl_cli_opts *o, const char *id, long long wait_s)
{
	fprintf(stderr, "waiting up to %lld s for the payment (Ctrl-C stops waiting; the "
			"checkout stays open)\n", wait_s);
	long long start = now_s();
	long long tries_max = wait_s / TL_CLI_PAY_POLL_S + 2;
	tl_cli_response r;
	for (long long tries = 1;; tries++) {
		int rc = fetch_checkout(o, id, &r);
		if (rc != TL_CLI_EXIT_OK)
			return rc;
		const char *status = str_of(r.json, "status");
		long long left = wait_s - (now_s() - start);
		if (status == NULL || strcmp(status, "open") != 0 || left <= 0 ||
		    tries >= tries_max)
			break;
		tl_cli_response_free(&r);
		sleep_s(left < TL_CLI_PAY_POLL_S ? (long)left : TL_CLI_PAY_POLL_S);
	}
	int rc = wait_verdict(o, &r, id, wait_s);
	tl_cli_response_free(&r);
	return rc;
}

/* A gateway payment's answer: where to pay, then (wait_s > 0) the wait. */
static int after_gateway(const tl_cli_opts *o, const json_t *answer, const char *id,
			 long long wait_s)
{
	const char *url = str_of(answer, "redirect_url");
	if (!o->json) {
		fputs("Pay at: ", stdout);
		tl_cli_put_clean(stdout, url ? url : "(the server sent no address)");
		fputc('\n', stdout);
	}
	fflush(stdout); /* the address is needed now, not when the wait ends */
	return wait_s > 0 ? wait_paid(o, id, wait_s) : TL_CLI_EXIT_OK;
}

int tl_cli_checkout_pay(const tl_cli_opts *o, const char *id, const char *method,
			long long wait_s)
{
	json_t *body = json_pack("{s:s}", "method", method);
	if (body == NULL)
		return out_of_memory();
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/checkouts");
	tl_cli_path_segment(&path, id);
	tl_cli_path_literal(&path, "/pay");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	tl_cli_response r;
	int rc = tl_cli_fetch(o, &req, &r);
	json_decref(body);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	if (o->json)
		tl_cli_print_raw(&r);
	const char *status = str_of(r.json, "status");
	if (status && strcmp(status, "awaiting_payment") == 0)
		rc = after_gateway(o, r.json, id, wait_s);
	else if (!o->json)
		print_paid(r.json);
	tl_cli_response_free(&r);
	return rc;
}

/* ---- the commands ---------------------------------------------------------------- */

/* POST or PATCH /v1/checkouts[/{id}[/verb]] with body, shown as a checkout;
 * hint: print the next step for an open one. */
static int send_checkout(const tl_cli_opts *o, const char *method, const char *id,
			 const char *verb, json_t *body, bool hint)
{
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/checkouts");
	if (id)
		tl_cli_path_segment(&path, id);
	if (verb)
		tl_cli_path_literal(&path, verb);
	const tl_cli_request req = {.method = method, .path = &path, .body = body, .auth = true};
	return tl_cli_checkout_call(o, &req, hint);
}

int tl_cli_checkout_call(const tl_cli_opts *o, const tl_cli_request *req, bool hint)
{
	tl_cli_response r;
	int rc = tl_cli_fetch(o, req, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	rc = tl_cli_present(o, &r, show_checkout, NULL);
	if (rc == TL_CLI_EXIT_OK && hint && !o->json)
		tl_cli_checkout_hint(r.json);
	tl_cli_response_free(&r);
	return rc;
}

int tl_cli_checkouts_show(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id;
	const tl_cli_arg args[] = {{"ID", &id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	tl_cli_response r;
	rc = fetch_checkout(o, id, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	rc = tl_cli_present(o, &r, show_checkout, NULL);
	tl_cli_response_free(&r);
	return rc;
}

int tl_cli_checkouts_cancel(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id;
	const tl_cli_arg args[] = {{"ID", &id, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	json_t *body = json_object();
	if (body == NULL)
		return out_of_memory();
	rc = send_checkout(o, "POST", id, "/cancel", body, false);
	json_decref(body);
	return rc;
}

int tl_cli_checkouts_pay(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id, *method, *wait;
	long long wait_s = TL_CLI_PAY_WAIT_DEFAULT_S;
	const tl_cli_arg args[] = {
		{"ID", &id, false}, {"--method", &method, false}, {"--wait", &wait, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0 && method == NULL)
		rc = tl_cli_usage_error("missing --method credit|gateway|hold");
	if (rc == 0)
		rc = tl_cli_check_choice("--method", method, tl_cli_pay_methods);
	if (rc == 0)
		rc = tl_cli_parse_number("--wait", wait, 0, TL_CLI_PAY_WAIT_MAX_S, &wait_s);
	if (rc == 0 && wait && strcmp(method, "gateway") != 0)
		rc = tl_cli_usage_error("--wait is for --method gateway");
	if (rc != 0)
		return rc;
	return tl_cli_checkout_pay(o, id, method, wait_s);
}

int tl_cli_checkouts_create(const tl_cli_opts *o, int argc, char **argv)
{
	const char *file, *cycle, *auto_renew, *coupon, *account;
	long long months = 0;
	const tl_cli_arg args[] = {
		{"--file", &file, false},         {"--cycle", &cycle, false},
		{"--auto-renew", &auto_renew, true}, {"--coupon", &coupon, false},
		{"--account", &account, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0 && file == NULL)
		rc = tl_cli_usage_error("missing --file ITEMS.json (- for stdin)");
	if (rc == 0 && cycle == NULL)
		rc = tl_cli_usage_error("missing --cycle MONTHS");
	if (rc == 0)
		rc = tl_cli_parse_number("--cycle", cycle, 1, TL_CLI_CYCLE_MONTHS_MAX, &months);
	json_t *items = NULL;
	if (rc == 0)
		rc = tl_cli_read_json_file(file, &items);
	if (rc == 0 && !json_is_array(items))
		rc = tl_cli_usage_error("%s must hold a JSON array of items ([{\"type\": "
					"\"server\", \"name\": ..., \"spec\": {...}}])", file);
	if (rc != 0) {
		json_decref(items);
		return rc;
	}
	json_t *body = json_pack("{s:s, s:o, s:I, s:b, s:s*, s:s*}", "kind", "purchase", "items",
				 items, "cycle_months", (json_int_t)months, "auto_renew",
				 auto_renew != NULL, "coupon", coupon, "account_id", account);
	if (body == NULL)
		return tl_cli_usage_error("--coupon and --account must be UTF-8 text");
	rc = send_checkout(o, "POST", NULL, NULL, body, true);
	json_decref(body);
	return rc;
}

/* The PATCH body from the options given; NULL (printed) when none is. */
static int change_body(const char *cycle, const char *auto_renew, const char *coupon,
		       const char *no_coupon, json_t **out)
{
	long long months = 0;
	*out = NULL;
	int rc = tl_cli_parse_number("--cycle", cycle, 1, TL_CLI_CYCLE_MONTHS_MAX, &months);
	if (rc == 0)
		rc = tl_cli_check_choice("--auto-renew", auto_renew, on_off);
	if (rc == 0 && coupon && no_coupon)
		rc = tl_cli_usage_error("give --coupon CODE or --no-coupon, not both");
	if (rc == 0 && !cycle && !auto_renew && !coupon && !no_coupon)
		rc = tl_cli_usage_error("nothing to change: give --cycle, --auto-renew, "
					"--coupon or --no-coupon");
	if (rc != 0)
		return rc;
	json_t *body = json_object();
	if (body && cycle)
		json_object_set_new(body, "cycle_months", json_integer(months));
	if (body && auto_renew)
		json_object_set_new(body, "auto_renew", json_boolean(strcmp(auto_renew, "on") == 0));
	if (body && (coupon || no_coupon)) /* null takes the coupon off */
		json_object_set_new(body, "coupon", coupon ? json_string(coupon) : json_null());
	if (body == NULL || (coupon && !json_is_string(json_object_get(body, "coupon")))) {
		json_decref(body);
		return tl_cli_usage_error("--coupon must be UTF-8 text");
	}
	*out = body;
	return 0;
}

int tl_cli_checkouts_change(const tl_cli_opts *o, int argc, char **argv)
{
	const char *id, *cycle, *auto_renew, *coupon, *no_coupon;
	const tl_cli_arg args[] = {
		{"ID", &id, false},              {"--cycle", &cycle, false},
		{"--auto-renew", &auto_renew, false}, {"--coupon", &coupon, false},
		{"--no-coupon", &no_coupon, true},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	json_t *body = NULL;
	if (rc == 0)
		rc = change_body(cycle, auto_renew, coupon, no_coupon, &body);
	if (rc != 0)
		return rc;
	rc = send_checkout(o, "PATCH", id, NULL, body, true);
	json_decref(body);
	return rc;
}
