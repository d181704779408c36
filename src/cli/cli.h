/*
 * cli.h: the `tally` command-line client, shared between its modules.
 *
 * `tally [global options] NOUN VERB [args]` turns one command into one HTTP
 * request to tallyd (a few commands first look up a currency; stop-poc
 * walks through preview, confirmation and payment) and prints the answer
 * as a table (or, with --output json, the body as received). Commands are rows of one table (main_dispatch.c); each noun's
 * handlers live in cmd_<noun>.c. A handler parses its words with
 * tl_cli_args_parse, builds the path with tl_cli_path_* (values escaped) and
 * the body with jansson, and hands both to tl_cli_call.
 *
 * Where the endpoint and token come from (options.c, config.c): the option,
 * else the environment, else the profile in the config file, else the
 * built-in default. Money in tables is formatted by money.c, in integers.
 *
 * Every function returns an exit status (tl_cli_exit). Whoever finds a
 * failure prints its one message to stderr; callers only pass the status up.
 *
 * The client links libcurl and jansson only, never the server's code.
 */
#ifndef TL_CLI_H
#define TL_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TL_CLI_VERSION "0.1.0"
#define TL_CLI_DEFAULT_URL "http://127.0.0.1:8080"
#define TL_CLI_DEFAULT_PROFILE "default"

/* Limits, each with why. */

/* Largest answer read. A full page (500 rows) is about 1 MiB; 64 MiB leaves
 * room for any future listing and still bounds the client's memory. */
#define TL_CLI_MAX_RESPONSE_BYTES (64u * 1024u * 1024u)

/* Seconds to connect, and for the whole exchange. A local tallyd answers
 * in milliseconds; a job run (POST /v1/admin/jobs/run) may take seconds. */
#define TL_CLI_CONNECT_TIMEOUT_S 5L
#define TL_CLI_TOTAL_TIMEOUT_S 60L

/* Base URL and request path in bytes. Ids are 32 bytes at most, so real
 * paths with escaped ids and a few query parameters stay far below. */
#define TL_CLI_URL_MAX 1024u
#define TL_CLI_PATH_MAX 2048u

/* Header values taken from the user. The server's own Idempotency-Key
 * limit is 255; tokens are under 100 bytes. */
#define TL_CLI_TOKEN_MAX 512u
#define TL_CLI_IDEMPOTENCY_KEY_MAX 255u

/* A table cell is cut to this many bytes (whole UTF-8 characters). */
#define TL_CLI_CELL_MAX 256u

/* Columns of one table. */
#define TL_CLI_COLUMNS_MAX 8u

/* The config file: a line (a URL of TL_CLI_URL_MAX with its key fits), the
 * whole file (hundreds of profiles), a profile's name. */
#define TL_CLI_CONFIG_LINE_MAX 2048u
#define TL_CLI_CONFIG_FILE_MAX (1024u * 1024u)
#define TL_CLI_PROFILE_MAX 64u
#define TL_CLI_CONFIG_PATH_MAX 4096u

/* A file of transfers: the server takes bodies up to 8 MiB. */
#define TL_CLI_FILE_MAX_BYTES (8u * 1024u * 1024u)

/* Formatted money: "-9,223,372,036,854,775,808 VND" and a little more. */
#define TL_CLI_MONEY_MAX 64u

/* Exit statuses, documented in `tally --help`. */
enum tl_cli_exit {
	TL_CLI_EXIT_OK = 0,
	TL_CLI_EXIT_SERVER = 1,      /* the server answered with an error */
	TL_CLI_EXIT_USAGE = 2,       /* bad command line */
	TL_CLI_EXIT_UNREACHABLE = 3, /* no answer from the server */
	TL_CLI_HELP = -1             /* internal: a verb was asked for --help */
};

/* Global options, after the command line, the environment and the profile. */
typedef struct tl_cli_opts {
	char url[TL_CLI_URL_MAX];               /* the endpoint, without a trailing "/" */
	char token_text[TL_CLI_TOKEN_MAX + 1];
	const char *token;                      /* token_text, or NULL when none */
	const char *idem_key;                   /* NULL when none */
	char profile[TL_CLI_PROFILE_MAX];       /* the profile's name, found or not */
	bool json;                              /* --output json */
} tl_cli_opts;

/* A handler receives the words after NOUN VERB. */
typedef int (*tl_cli_handler)(const tl_cli_opts *o, int argc, char **argv);

/* One row of the command table; verb NULL: the noun alone is the command. */
typedef struct tl_cli_command {
	const char *noun;
	const char *verb;
	tl_cli_handler run;
	const char *usage;   /* the words after NOUN VERB */
	const char *summary; /* one line for --help */
	bool local;          /* needs no server: a named profile need not exist yet */
} tl_cli_command;

/* Entry point: returns the process exit status. */
int tl_cli_main(int argc, char **argv);

/* --- args.c: the words of one command ----------------------------------- */

/* A word a verb takes: an option ("--limit", optional, value given as
 * "--limit N" or "--limit=N"; with flag, no value: *value becomes the name)
 * or, for any other name ("ID"), a required positional word, in table
 * order. *value stays NULL when not given. */
typedef struct tl_cli_arg {
	const char *name;
	const char **value;
	bool flag;
} tl_cli_arg;

/* 0, TL_CLI_HELP for --help, or TL_CLI_EXIT_USAGE (message printed). */
int tl_cli_args_parse(int argc, char **argv, const tl_cli_arg *args, size_t nargs);

/* When argv[*i] is option `name` ("--x V" or "--x=V"): 1 and *value set,
 * *i moved past a separate value. 0 when it is not; TL_CLI_EXIT_USAGE
 * (printed) when the value is missing. */
int tl_cli_option(int argc, char **argv, int *i, const char *name, const char **value);

/* Checks that text (may be NULL) is a whole number from 1 up; else prints
 * "error: <what> ..." and returns TL_CLI_EXIT_USAGE. */
int tl_cli_check_count(const char *what, const char *text);

/* Prints "error: <message>" to stderr; returns TL_CLI_EXIT_USAGE. */
int tl_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True when s has a byte below 0x20 or 0x7f. */
bool tl_cli_has_control(const char *s);

/* text (may be NULL: 0, *out untouched) as a whole number from min to max
 * into *out; else prints "error: <what> ..." and returns TL_CLI_EXIT_USAGE. */
int tl_cli_parse_number(const char *what, const char *text, long long min, long long max,
			long long *out);

/* text (may be NULL) is one of choices (NULL-terminated); else prints
 * "error: <what> must be a, b or c" and returns TL_CLI_EXIT_USAGE. */
int tl_cli_check_choice(const char *what, const char *text, const char *const *choices);

/* The JSON in file `name` ("-": stdin), read whole (at most
 * TL_CLI_FILE_MAX_BYTES) into *out (the caller's); 0 or TL_CLI_EXIT_USAGE. */
int tl_cli_read_json_file(const char *name, json_t **out);

/* Asks `question` before a change that cannot be undone. 0 to go on: yes
 * is set (--yes), or a person at the terminal answered y. Without yes,
 * standard input must be a terminal: else the message names `option` and
 * TL_CLI_EXIT_USAGE is returned. Any answer but y/yes (or end of input)
 * prints that nothing changed and returns TL_CLI_EXIT_SERVER. Standard
 * output is flushed first, so what the question is about is on screen. */
int tl_cli_confirm(const char *question, bool yes, const char *option);

/* tl_cli_confirm's first check alone, for a command that would make
 * requests before it asks: 0 when it can ask (or need not), else
 * TL_CLI_EXIT_USAGE (printed). */
int tl_cli_can_confirm(bool yes, const char *option);

/* --- options.c: the global options and where their values come from ------- */

/* The global options as given on the command line, before NOUN. */
typedef struct tl_cli_globals {
	const char *endpoint, *token, *idem_key, *profile, *output;
	bool help, version;
} tl_cli_globals;

/* Reads the options before NOUN; *next is NOUN's index. 0 or
 * TL_CLI_EXIT_USAGE (printed). */
int tl_cli_globals_read(int argc, char **argv, tl_cli_globals *g, int *next);

/* Fills o from g, the environment and (unless local) the profile. */
int tl_cli_opts_resolve(const tl_cli_globals *g, bool local, tl_cli_opts *o);

/* Checks an endpoint (http:// or https://, fits, printable) and copies it
 * without trailing "/" into out[TL_CLI_URL_MAX]; else TL_CLI_EXIT_USAGE. */
int tl_cli_endpoint_set(char *out, const char *url);

/* Checks a token: at most TL_CLI_TOKEN_MAX printable bytes. */
int tl_cli_token_check(const char *token);

/* --- config.c, config_write.c: ~/.config/tally/config ---------------------- */

/* The file's path: $XDG_CONFIG_HOME/tally/config when that is an absolute
 * path, else $HOME/.config/tally/config. -1 when neither is usable. */
int tl_cli_config_path(char *out, size_t cap);

/* One profile's settings; empty strings when not set. */
typedef struct tl_cli_profile {
	bool found;
	bool shared; /* the file's mode lets others read it */
	char endpoint[TL_CLI_URL_MAX];
	char token[TL_CLI_TOKEN_MAX + 1];
} tl_cli_profile;

/* Reads profile `name` from the file at path (a missing file has no
 * profiles). 0, or TL_CLI_EXIT_USAGE with the file's problem printed. */
int tl_cli_config_load(const char *path, const char *name, tl_cli_profile *out);

/* One line of the file, classified; key, value and section point into the
 * line, which is changed (trimmed, cut). */
enum tl_cli_config_kind { TL_CLI_CONF_SKIP, TL_CLI_CONF_SECTION, TL_CLI_CONF_KEY, TL_CLI_CONF_BAD };
typedef struct tl_cli_config_line {
	enum tl_cli_config_kind kind;
	const char *section; /* the profile's name; "" for a section that is not one */
	const char *key, *value;
} tl_cli_config_line;
void tl_cli_config_parse_line(char *line, tl_cli_config_line *out);

/* A profile's name: 1 to TL_CLI_PROFILE_MAX-1 of A-Z a-z 0-9 _ . - */
bool tl_cli_profile_name_ok(const char *name);

/* Sets endpoint and/or token (NULL: keep) of profile `name` in the file at
 * path, creating it (0600) and its directories (0700) as needed; other
 * profiles and comments are kept. 0, or an exit status (printed). */
int tl_cli_config_save(const char *path, const char *name, const char *endpoint,
		       const char *token);

/* --- http.c: paths and the request itself -------------------------------- */

/* A request path being built; `failed` once it outgrew its buffer. */
typedef struct tl_cli_path {
	char text[TL_CLI_PATH_MAX];
	size_t len;
	bool has_query;
	bool failed;
} tl_cli_path;

void tl_cli_path_init(tl_cli_path *p, const char *literal);
void tl_cli_path_literal(tl_cli_path *p, const char *literal);
/* "/" and the URL-escaped value. */
void tl_cli_path_segment(tl_cli_path *p, const char *value);
/* "?key=value" or "&key=value", value escaped; nothing when value is NULL. */
void tl_cli_path_param(tl_cli_path *p, const char *key, const char *value);

typedef struct tl_cli_request {
	const char *method;
	const tl_cli_path *path;
	json_t *body; /* borrowed; NULL: no body */
	bool auth;    /* send the token */
} tl_cli_request;

typedef struct tl_cli_response {
	long status;
	char *body;   /* NUL-terminated, owned */
	size_t len;
	json_t *json; /* parsed body, or NULL */
} tl_cli_response;

/* TL_CLI_EXIT_OK when the server answered (any status; the caller frees
 * *out), else the failure's exit status, its message printed. */
int tl_cli_http(const tl_cli_opts *o, const tl_cli_request *req, tl_cli_response *out);

void tl_cli_response_free(tl_cli_response *r);

/* --- call.c: one request and its answer on the terminal ------------------ */

/* Prints a 2xx JSON body in table form; ctx is the handler's, passed
 * through; returns an exit status. */
typedef int (*tl_cli_show)(json_t *body, const void *ctx);

/* Sends req; TL_CLI_EXIT_OK with *out holding a 2xx answer whose body is
 * JSON (the caller frees it). Else the failure is reported (an error
 * answer as tl_cli_report_error) and its exit status returned. */
int tl_cli_fetch(const tl_cli_opts *o, const tl_cli_request *req, tl_cli_response *out);

/* A fetched answer: the body as received (--output json) or show's table. */
int tl_cli_present(const tl_cli_opts *o, const tl_cli_response *r, tl_cli_show show,
		   const void *ctx);

/* A list command: its words are --limit N and --after ID, and with
 * by_account also --account ID (sent as account_id); GET `base` with them
 * and show the page. Returns the exit status. */
int tl_cli_list(const tl_cli_opts *o, int argc, char **argv, const char *base, bool by_account,
		tl_cli_show show);

/* tl_cli_fetch, then tl_cli_present. Returns the exit status. */
int tl_cli_call(const tl_cli_opts *o, const tl_cli_request *req, tl_cli_show show,
		const void *ctx);

/* "error: <code>: <message>" (and, with --output json, the body on stdout);
 * returns TL_CLI_EXIT_SERVER. */
int tl_cli_report_error(const tl_cli_opts *o, const tl_cli_response *r);

/* The body as received, with a final newline, on stdout. */
void tl_cli_print_raw(const tl_cli_response *r);

/* --- output.c: tables ----------------------------------------------------- */

typedef struct tl_cli_column {
	const char *title;
	const char *field;
	bool right; /* aligned right (amounts) */
} tl_cli_column;

/* Rows (a JSON array of objects) under a header, columns aligned. */
void tl_cli_print_table(const tl_cli_column *cols, size_t ncols, const json_t *rows);

/* One object as a one-row table; an exit status. */
int tl_cli_print_one(const tl_cli_column *cols, size_t ncols, json_t *object);

/* A list page {"data": [...], "next": id|null}: the table, and on stderr
 * how to ask for the next page; an exit status. */
int tl_cli_print_page(const tl_cli_column *cols, size_t ncols, const json_t *page);

/* s with control characters shown as '?', so answers cannot drive the
 * terminal. */
void tl_cli_put_clean(FILE *f, const char *s);

/* One "Label:  value" line of a detail view on stdout, labels padded to
 * one width; value cleaned, "-" when NULL or empty. */
void tl_cli_print_field(const char *label, const char *value);

/* field of object as text for a detail view into out[TL_CLI_CELL_MAX],
 * as a table cell shows it ("-" when missing or null). */
void tl_cli_field_text(const json_t *object, const char *field, char *out);

/* --- money.c: amounts as people write them -------------------------------- */

/* The currencies the client knows, with their minor digits (the server's
 * list: VND and JPY 0, USD, EUR and SGD 2). NULL for another code. */
typedef struct tl_cli_currency {
	const char *code;
	int digits;
} tl_cli_currency;
const tl_cli_currency *tl_cli_currency_find(const char *code);

/* minor units of currency as "1,250,000 VND" or "-12.50 USD" into out
 * (TL_CLI_MONEY_MAX bytes); an unknown currency: "1250 (minor units of X)". */
void tl_cli_money_format(long long minor, const char *currency, char *out);

/* Decimal text in the currency's units ("12.50", "1,250,000") to minor
 * units, exactly: 0, or -1 with *why set to what is wrong. */
int tl_cli_money_parse(const char *text, const tl_cli_currency *cur, long long *out,
		       const char **why);

/* A copy of rows (an array of objects) with each of fields, an integer of
 * minor units, replaced by its formatted text in `currency` (NULL: each
 * row's own "currency"). NULL when out of memory (printed). */
json_t *tl_cli_money_rows(const json_t *rows, const char *const *fields, size_t nfields,
			  const char *currency);

/* Which fields of a row are amounts, and in what currency (NULL: the
 * row's own "currency"). */
typedef struct tl_cli_amounts {
	const char *const *fields;
	size_t nfields;
	const char *currency;
} tl_cli_amounts;

/* tl_cli_print_table, tl_cli_print_one and tl_cli_print_page with the
 * amounts formatted; an exit status. */
int tl_cli_print_money_table(const tl_cli_column *cols, size_t ncols, const json_t *rows,
			     const tl_cli_amounts *a);
int tl_cli_print_money_one(const tl_cli_column *cols, size_t ncols, const json_t *object,
			   const tl_cli_amounts *a);
int tl_cli_print_money_page(const tl_cli_column *cols, size_t ncols, const json_t *page,
			    const tl_cli_amounts *a);

/* One line of a view's totals: the label, the amount's field, and whether
 * it is shown negated (a discount). */
typedef struct tl_cli_total {
	const char *label;
	const char *field;
	bool minus;
} tl_cli_total;

/* "Label: amount" lines for rows of object, amounts formatted in currency
 * and aligned right; "-" for a field that is not an integer. */
void tl_cli_print_totals(const json_t *object, const tl_cli_total *rows, size_t n,
			 const char *currency);

/* --- lookup.c: what a command must know before its request ----------------- */

/* The currency of account_id (GET /v1/accounts/ID) into out[4]. */
int tl_cli_account_currency(const tl_cli_opts *o, const char *account_id, char out[4]);

/* The currency of the account the token or account_id names (GET
 * /v1/wallets, so an account token needs no id) into out[4]. */
int tl_cli_wallets_currency(const tl_cli_opts *o, const char *account_id, char out[4]);

/* An amount option: minor units as given when minor is set, else
 * decimal text in the currency of account_id, looked up. Must be above 0. */
int tl_cli_amount_arg(const tl_cli_opts *o, const char *account_id, const char *text,
		      bool minor, long long *out);

/* The catalog's currency (GET /v1/catalog): what prices, coupons' amounts
 * and Stop POC previews are in. Into out[4]. */
int tl_cli_catalog_currency(const tl_cli_opts *o, char out[4]);

/* Option `option`'s amount: minor units when minor is set, else decimal
 * text in the catalog's currency, looked up once the text is a number at
 * all. Must be above 0. */
int tl_cli_catalog_amount_arg(const tl_cli_opts *o, const char *option, const char *text,
			      bool minor, long long *out);

/* --- cmd_checkouts.c: a checkout, shared with stop-poc --------------------- */

/* Longest term a command may ask for; the catalog names the real ones. */
#define TL_CLI_CYCLE_MONTHS_MAX 120

/* Sends req, whose answer is a checkout, and prints its price breakdown
 * (--output json: the body); hint: then the command that pays it. */
int tl_cli_checkout_call(const tl_cli_opts *o, const tl_cli_request *req, bool hint);

/* Seconds a gateway payment is waited for, unless --wait says otherwise,
 * and how often its checkout is looked at meanwhile. */
#define TL_CLI_PAY_WAIT_DEFAULT_S 600
#define TL_CLI_PAY_WAIT_MAX_S 86400
#define TL_CLI_PAY_POLL_S 2

/* The payment methods POST /v1/checkouts/{id}/pay takes. */
extern const char *const tl_cli_pay_methods[];

/* A checkout's price breakdown on stdout: terms, its lines with unit
 * price, quantity and amount, then subtotal, discount, tax, total and any
 * hold amount, in the checkout's currency. An exit status. */
int tl_cli_checkout_print(const json_t *checkout);

/* For an open checkout, the command that pays it, on stderr. */
void tl_cli_checkout_hint(const json_t *checkout);

/* Pays checkout id by method and prints the outcome (--output json: each
 * answer as received). For gateway, prints the payment page's address,
 * then looks at the checkout every TL_CLI_PAY_POLL_S seconds for up to
 * wait_s (0: not at all): 0 once paid, TL_CLI_EXIT_SERVER when it is no
 * longer open or the time is up. */
int tl_cli_checkout_pay(const tl_cli_opts *o, const char *id, const char *method,
			long long wait_s);

/* --- cmd_*.c: the handlers in the command table --------------------------- */

int tl_cli_health(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_accounts_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_accounts_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_accounts_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_accounts_change(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_tokens_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_events_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_clock_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_clock_set(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_clock_advance(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_configure(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_wallets(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_holds(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_credit_top_up(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_poc_wallets_grant(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_poc_wallets_change(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_jobs_run(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_jobs_failures(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_admin_backup(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_usage_import(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_transfers_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_transfers_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_ledger_check(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_ledger_accounts(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_resources_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_resources_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_resources_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_resources_delete(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_resources_renew(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_stop_poc(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_checkouts_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_checkouts_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_checkouts_change(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_checkouts_pay(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_checkouts_cancel(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_invoices_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_invoices_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_payments_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_payments_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_catalog(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_coupons_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_coupons_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_coupons_disable(const tl_cli_opts *o, int argc, char **argv);
/* cmd_webhooks.c */
int tl_cli_webhooks_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_webhooks_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_webhooks_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_webhooks_update(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_webhooks_delete(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_webhooks_deliveries(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_webhooks_redeliver(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_webhooks_events(const tl_cli_opts *o, int argc, char **argv);

#endif
