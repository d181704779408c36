/*
 * cli.h: the `tally` command-line client, shared between its modules.
 *
 * `tally [global options] NOUN VERB [args]` turns one command into one HTTP
 * request to tallyd and prints the answer as a table (or, with --json, the
 * body as received). Commands are rows of one table (main_dispatch.c); each
 * noun's handlers live in cmd_<noun>.c. A handler parses its words with
 * tl_cli_args_parse, builds the path with tl_cli_path_* (values escaped) and
 * the body with jansson, and hands both to tl_cli_call.
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

/* Exit statuses, documented in `tally --help`. */
enum tl_cli_exit {
	TL_CLI_EXIT_OK = 0,
	TL_CLI_EXIT_SERVER = 1,      /* the server answered with an error */
	TL_CLI_EXIT_USAGE = 2,       /* bad command line */
	TL_CLI_EXIT_UNREACHABLE = 3, /* no answer from the server */
	TL_CLI_HELP = -1             /* internal: a verb was asked for --help */
};

/* Global options, after the environment and the command line. */
typedef struct tl_cli_opts {
	char url[TL_CLI_URL_MAX]; /* without a trailing "/" */
	const char *token;        /* NULL when none */
	const char *idem_key;     /* NULL when none */
	bool json;
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
} tl_cli_command;

/* Entry point: returns the process exit status. */
int tl_cli_main(int argc, char **argv);

/* --- args.c: the words of one command ----------------------------------- */

/* A word a verb takes: an option ("--limit", optional, value given as
 * "--limit N" or "--limit=N") or, for any other name ("ID"), a required
 * positional word, in table order. *value stays NULL when not given. */
typedef struct tl_cli_arg {
	const char *name;
	const char **value;
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

/* Prints a 2xx JSON body in table form; returns an exit status. */
typedef int (*tl_cli_show)(json_t *body);

/* Sends req; on 2xx prints the raw body (--json) or calls show; on an
 * error answer reports it. Returns the exit status. */
int tl_cli_call(const tl_cli_opts *o, const tl_cli_request *req, tl_cli_show show);

/* "error: <code>: <message>" (and, with --json, the body on stdout);
 * returns TL_CLI_EXIT_SERVER. */
int tl_cli_report_error(const tl_cli_opts *o, const tl_cli_response *r);

/* The body as received, with a final newline, on stdout. */
void tl_cli_print_raw(const tl_cli_response *r);

/* --- output.c: tables ----------------------------------------------------- */

typedef struct tl_cli_column {
	const char *title;
	const char *field;
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

/* --- cmd_*.c: the handlers in the command table --------------------------- */

int tl_cli_health(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_accounts_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_accounts_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_accounts_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_tokens_create(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_events_list(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_clock_show(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_clock_set(const tl_cli_opts *o, int argc, char **argv);
int tl_cli_clock_advance(const tl_cli_opts *o, int argc, char **argv);

#endif
