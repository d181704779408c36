/*
 * main_dispatch.c: the command table, the global options, and the choice
 * of the row that runs.
 *
 * `tally [global options] NOUN VERB [args]`. The global options come from
 * the environment (TALLY_URL, TALLY_TOKEN), then the command line, which
 * wins. A row with verb NULL is run by its noun alone (`tally health`).
 * A handler's usage error prints the usage of its noun after the message;
 * `--help` anywhere among a verb's words prints it on stdout instead.
 * Rows of one noun stay together: the usage and help listings rely on it.
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static const tl_cli_command commands[] = {
	{"health", NULL, tl_cli_health, "", "check that tallyd is up (no token needed)"},
	{"accounts", "create", tl_cli_accounts_create, "--name NAME [--currency CUR]",
	 "create an account (admin)"},
	{"accounts", "list", tl_cli_accounts_list, "[--limit N] [--after ID]",
	 "list accounts, newest first (admin)"},
	{"accounts", "show", tl_cli_accounts_show, "ID", "show one account"},
	{"tokens", "create", tl_cli_tokens_create, "ACCOUNT_ID",
	 "issue an API token for an account (admin; shown once)"},
	{"events", "list", tl_cli_events_list, "[--account ID] [--limit N] [--after ID]",
	 "the audit trail, newest first"},
	{"clock", "show", tl_cli_clock_show, "", "the server's test clock (admin)"},
	{"clock", "set", tl_cli_clock_set, "TIME", "set the test clock (2026-11-22T10:00:00Z)"},
	{"clock", "advance", tl_cli_clock_advance, "SECONDS",
	 "move the test clock (90, 90s, 15m, 2h, 3d)"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char options_help[] =
	"options (before NOUN):\n"
	"  --url URL              tallyd's address (env TALLY_URL; default " TL_CLI_DEFAULT_URL
	")\n"
	"  --token TOKEN          bearer token, admin or account (env TALLY_TOKEN)\n"
	"  --json                 print the server's JSON answer instead of a table\n"
	"  --idempotency-key KEY  sent as Idempotency-Key on POST, PATCH and DELETE:\n"
	"                         a retry with the same key receives the first answer\n"
	"  --help                 this help; `tally NOUN --help` for one noun\n"
	"  --version              print the version\n";

static const char exit_help[] =
	"exit status:\n"
	"  0  success\n"
	"  1  the server answered with an error (4xx/5xx) or an unusable answer\n"
	"  2  usage error: unknown command or option, missing or bad argument\n"
	"  3  could not reach the server (connection refused, timeout)\n";

/* Global options as given, before they are checked. */
typedef struct globals {
	const char *url, *token, *idem_key;
	bool json, stop;
} globals;

static const char *verb_text(const tl_cli_command *c)
{
	return c->verb ? c->verb : "";
}

static void command_line(const tl_cli_command *c, char *out, size_t cap)
{
	snprintf(out, cap, "tally %s%s%s%s%s", c->noun, c->verb ? " " : "", verb_text(c),
		 c->usage[0] ? " " : "", c->usage);
}

/* Every row whose noun is `noun`, or all rows for NULL. */
static void print_commands(FILE *f, const char *noun)
{
	char line[160];
	int width = 0;
	for (int pass = 0; pass < 2; pass++) { /* measure, then print */
		for (size_t k = 0; k < N_COMMANDS; k++) {
			if (noun && strcmp(noun, commands[k].noun) != 0)
				continue;
			command_line(&commands[k], line, sizeof(line));
			if (pass == 0 && (int)strlen(line) > width)
				width = (int)strlen(line);
			if (pass == 1)
				fprintf(f, "  %-*s  %s\n", width, line, commands[k].summary);
		}
	}
}

static void print_help(FILE *f)
{
	fputs("usage: tally [options] NOUN VERB [args]\n\n"
	      "The command-line client of tallyd, the billing engine.\n\n",
	      f);
	fputs(options_help, f);
	fputs("\ncommands:\n", f);
	print_commands(f, NULL);
	fputs("\n", f);
	fputs(exit_help, f);
}

static void print_noun_usage(FILE *f, const char *noun)
{
	fputs("usage:\n", f);
	print_commands(f, noun);
	fputs("global options go before NOUN: see `tally --help`\n", f);
}

static int read_one(int argc, char **argv, int *i, globals *g)
{
	const char *word = argv[*i];
	if (strcmp(word, "--json") == 0) {
		g->json = true;
		return 0;
	}
	if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
		print_help(stdout);
		g->stop = true;
		return 0;
	}
	if (strcmp(word, "--version") == 0) {
		puts("tally " TL_CLI_VERSION);
		g->stop = true;
		return 0;
	}
	const tl_cli_arg valued[] = {
		{"--url", &g->url}, {"--token", &g->token}, {"--idempotency-key", &g->idem_key}};
	for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
		int rc = tl_cli_option(argc, argv, i, valued[k].name, valued[k].value);
		if (rc != 0)
			return rc == 1 ? 0 : rc;
	}
	return tl_cli_usage_error("unknown option '%s' (see `tally --help`)", word);
}

static bool has_control(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	}
	return false;
}

/* Header values: bounded, and no CR/LF that could forge another header. */
static int check_header_value(const char *what, const char *value, size_t max)
{
	if (value && (strlen(value) > max || has_control(value)))
		return tl_cli_usage_error("%s must be at most %zu printable bytes", what, max);
	return 0;
}

static int set_url(tl_cli_opts *o, const char *url)
{
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    has_control(url))
		return tl_cli_usage_error("the URL must start with http:// or https://, not '%s'",
					  url);
	if (n >= sizeof(o->url))
		return tl_cli_usage_error("the URL is longer than %zu bytes", sizeof(o->url) - 1);
	memcpy(o->url, url, n);
	o->url[n] = '\0';
	return 0;
}

static int finish_globals(const globals *g, tl_cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->json = g->json;
	o->token = g->token && g->token[0] ? g->token : NULL;
	o->idem_key = g->idem_key && g->idem_key[0] ? g->idem_key : NULL;
	int rc = check_header_value("the token", o->token, TL_CLI_TOKEN_MAX);
	if (rc == 0)
		rc = check_header_value("--idempotency-key", o->idem_key,
					TL_CLI_IDEMPOTENCY_KEY_MAX);
	if (rc == 0)
		rc = set_url(o, g->url && g->url[0] ? g->url : TL_CLI_DEFAULT_URL);
	return rc;
}

/* Reads the options before NOUN; *next is NOUN's index. g->stop: done
 * (help or version printed), exit with the returned status. */
static int read_globals(int argc, char **argv, globals *g, int *next)
{
	memset(g, 0, sizeof(*g));
	g->url = getenv("TALLY_URL");
	g->token = getenv("TALLY_TOKEN");
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		int rc = read_one(argc, argv, &i, g);
		if (rc != 0 || g->stop)
			return rc;
	}
	*next = i;
	return 0;
}

static int unknown_noun(const char *noun)
{
	fputs("error: unknown command '", stderr);
	tl_cli_put_clean(stderr, noun);
	fputs("'; commands:", stderr);
	for (size_t k = 0; k < N_COMMANDS; k++) {
		if (k == 0 || strcmp(commands[k].noun, commands[k - 1].noun) != 0)
			fprintf(stderr, " %s", commands[k].noun);
	}
	fputs(" (see `tally --help`)\n", stderr);
	return TL_CLI_EXIT_USAGE;
}

/* The row for argv[0] (noun) and argv[1] (verb); *skip: words it used. */
static const tl_cli_command *find_command(int argc, char **argv, int *skip, bool *noun_known)
{
	*noun_known = false;
	for (size_t k = 0; k < N_COMMANDS; k++) {
		const tl_cli_command *c = &commands[k];
		if (strcmp(c->noun, argv[0]) != 0)
			continue;
		*noun_known = true;
		*skip = c->verb ? 2 : 1;
		if (c->verb == NULL || (argc > 1 && strcmp(c->verb, argv[1]) == 0))
			return c;
	}
	return NULL;
}

static int no_such_verb(int argc, char **argv)
{
	const char *noun = argv[0];
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_noun_usage(stdout, noun);
		return TL_CLI_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "error: unknown verb '");
		tl_cli_put_clean(stderr, argv[1]);
		fprintf(stderr, "' for %s\n", noun);
	} else {
		fprintf(stderr, "error: %s needs a verb\n", noun);
	}
	print_noun_usage(stderr, noun);
	return TL_CLI_EXIT_USAGE;
}

static int dispatch(const tl_cli_opts *o, int argc, char **argv)
{
	if (argc == 0) {
		fputs("error: missing command\n\n", stderr);
		print_help(stderr);
		return TL_CLI_EXIT_USAGE;
	}
	int skip = 0;
	bool noun_known;
	const tl_cli_command *c = find_command(argc, argv, &skip, &noun_known);
	if (!noun_known)
		return unknown_noun(argv[0]);
	if (c == NULL)
		return no_such_verb(argc, argv);
	int rc = c->run(o, argc - skip, argv + skip);
	if (rc == TL_CLI_HELP) {
		print_noun_usage(stdout, c->noun);
		rc = TL_CLI_EXIT_OK;
	} else if (rc == TL_CLI_EXIT_USAGE) {
		print_noun_usage(stderr, c->noun);
	}
	return rc;
}

int tl_cli_main(int argc, char **argv)
{
	globals g;
	tl_cli_opts o;
	int next = 0;
	int rc = read_globals(argc, argv, &g, &next);
	if (rc != 0 || g.stop)
		return rc;
	rc = finish_globals(&g, &o);
	if (rc != 0)
		return rc;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("error: could not start libcurl\n", stderr);
		return TL_CLI_EXIT_UNREACHABLE;
	}
	rc = dispatch(&o, argc - next, argv + next);
	curl_global_cleanup();
	if (fflush(stdout) != 0 && rc == TL_CLI_EXIT_OK) {
		fputs("error: could not write the output\n", stderr);
		rc = TL_CLI_EXIT_SERVER;
	}
	return rc;
}
