/*
 * args.c: the words after NOUN VERB, matched against the arguments a verb
 * declares (tl_cli_arg), and the small checks on their values.
 *
 * Words starting with "--" are options (a flag takes no value), "--" alone
 * ends the options (so a positional value may start with a dash), "-h" and
 * "--help" ask for the noun's usage. Everything else fills the declared positionals in order;
 * all of them are required, and one word too many is an error.
 *
 * Also here: checks on option values (numbers in a range, one of a few
 * words), a JSON file named by an option, and the question asked before a
 * change that cannot be undone (tl_cli_confirm: a person at a terminal
 * answers it; a script must say --yes, so it never hangs on a prompt).
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Options that belong before NOUN; named in the hint when misplaced. */
static const char *const global_options[] = {
	"--endpoint", "--url",     "--token",   "--output",
	"--json",     "--profile", "--version", "--idempotency-key"};

int tl_cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return TL_CLI_EXIT_USAGE;
}

static bool is_option(const char *word)
{
	return word[0] == '-' && word[1] == '-' && word[2] != '\0';
}

int tl_cli_option(int argc, char **argv, int *i, const char *name, const char **value)
{
	const char *word = argv[*i];
	size_t n = strlen(name);
	if (strncmp(word, name, n) != 0)
		return 0;
	if (word[n] == '=') {
		*value = word + n + 1;
		return 1;
	}
	if (word[n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return tl_cli_usage_error("%s needs a value", name);
	*i += 1;
	*value = argv[*i];
	return 1;
}

static int unknown_option(const char *word)
{
	if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0)
		return TL_CLI_HELP;
	size_t len = strcspn(word, "=");
	for (size_t k = 0; k < sizeof(global_options) / sizeof(global_options[0]); k++) {
		if (strlen(global_options[k]) == len && strncmp(word, global_options[k], len) == 0)
			return tl_cli_usage_error("%s is a global option: put it before the "
						  "command, as in `tally %s NOUN VERB`",
						  global_options[k], global_options[k]);
	}
	return tl_cli_usage_error("unknown option '%s'", word);
}

/* A flag: the word is its name, nothing after; value becomes the name. */
static int take_flag(const char *word, const char *name, const char **value)
{
	size_t n = strlen(name);
	if (strncmp(word, name, n) != 0 || (word[n] != '\0' && word[n] != '='))
		return 0;
	if (word[n] == '=')
		return tl_cli_usage_error("%s takes no value", name);
	*value = name;
	return 1;
}

static int match_option(int argc, char **argv, int *i, const tl_cli_arg *args, size_t nargs)
{
	for (size_t k = 0; k < nargs; k++) {
		if (!is_option(args[k].name))
			continue;
		const char *value = NULL;
		int rc = args[k].flag ? take_flag(argv[*i], args[k].name, &value)
				      : tl_cli_option(argc, argv, i, args[k].name, &value);
		if (rc == 0)
			continue;
		if (rc != 1)
			return rc;
		if (*args[k].value != NULL)
			return tl_cli_usage_error("%s given twice", args[k].name);
		*args[k].value = value;
		return 0;
	}
	return unknown_option(argv[*i]);
}

static int take_positional(const char *word, const tl_cli_arg *args, size_t nargs,
			   size_t *taken)
{
	size_t seen = 0;
	for (size_t k = 0; k < nargs; k++) {
		if (is_option(args[k].name))
			continue;
		if (seen++ == *taken) {
			*args[k].value = word;
			*taken += 1;
			return 0;
		}
	}
	return tl_cli_usage_error("unexpected argument '%s'", word);
}

static int check_all_given(const tl_cli_arg *args, size_t nargs)
{
	for (size_t k = 0; k < nargs; k++) {
		if (!is_option(args[k].name) && *args[k].value == NULL)
			return tl_cli_usage_error("missing %s", args[k].name);
	}
	return 0;
}

int tl_cli_args_parse(int argc, char **argv, const tl_cli_arg *args, size_t nargs)
{
	for (size_t k = 0; k < nargs; k++)
		*args[k].value = NULL;
	size_t taken = 0;
	bool options_done = false;
	for (int i = 0; i < argc; i++) {
		int rc;
		if (!options_done && strcmp(argv[i], "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && (is_option(argv[i]) || strcmp(argv[i], "-h") == 0))
			rc = match_option(argc, argv, &i, args, nargs);
		else
			rc = take_positional(argv[i], args, nargs, &taken);
		if (rc != 0)
			return rc;
	}
	return check_all_given(args, nargs);
}

int tl_cli_check_count(const char *what, const char *text)
{
	if (text == NULL)
		return 0;
	errno = 0;
	char *end = NULL;
	long long n = strtoll(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || errno != 0 || *end != '\0' || n < 1)
		return tl_cli_usage_error("%s must be a whole number from 1 up, not '%s'", what,
					  text);
	return 0;
}

int tl_cli_parse_number(const char *what, const char *text, long long min, long long max,
			long long *out)
{
	if (text == NULL)
		return 0;
	errno = 0;
	char *end = NULL;
	long long n = strtoll(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || errno != 0 || *end != '\0' || n < min || n > max)
		return tl_cli_usage_error("%s must be a whole number from %lld to %lld, not '%s'",
					  what, min, max, text);
	*out = n;
	return 0;
}

int tl_cli_check_choice(const char *what, const char *text, const char *const *choices)
{
	if (text == NULL)
		return 0;
	size_t n = 0;
	for (; choices[n]; n++) {
		if (strcmp(text, choices[n]) == 0)
			return 0;
	}
	fprintf(stderr, "error: %s must be ", what);
	for (size_t k = 0; k < n; k++)
		fprintf(stderr, "%s%s", k == 0 ? "" : k + 1 == n ? " or " : ", ", choices[k]);
	fputs(", not '", stderr);
	tl_cli_put_clean(stderr, text);
	fputs("'\n", stderr);
	return TL_CLI_EXIT_USAGE;
}

int tl_cli_read_json_file(const char *name, json_t **out)
{
	*out = NULL;
	bool is_stdin = strcmp(name, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(name, "rb");
	if (f == NULL)
		return tl_cli_usage_error("cannot read %s: %s", name, strerror(errno));
	char *text = malloc(TL_CLI_FILE_MAX_BYTES + 1);
	size_t n = text ? fread(text, 1, TL_CLI_FILE_MAX_BYTES + 1, f) : 0;
	bool failed = text == NULL || ferror(f);
	if (!is_stdin)
		fclose(f);
	json_error_t err;
	int rc = 0;
	if (failed)
		rc = tl_cli_usage_error("cannot read %s", name);
	else if (n > TL_CLI_FILE_MAX_BYTES)
		rc = tl_cli_usage_error("%s is larger than %u MiB", name,
					TL_CLI_FILE_MAX_BYTES / (1024u * 1024u));
	else if ((*out = json_loadb(text, n, 0, &err)) == NULL)
		rc = tl_cli_usage_error("%s:%d:%d: not JSON: %s", name, err.line, err.column,
					err.text);
	free(text);
	return rc;
}

/* An answer is one short line; anything longer is a no. */
#define ANSWER_MAX 16

int tl_cli_can_confirm(bool yes, const char *option)
{
	if (yes || isatty(STDIN_FILENO))
		return 0;
	return tl_cli_usage_error("standard input is not a terminal, so nobody can confirm: "
				  "add %s to go ahead", option);
}

int tl_cli_confirm(const char *question, bool yes, const char *option)
{
	fflush(stdout);
	if (yes)
		return 0;
	int rc = tl_cli_can_confirm(yes, option);
	if (rc != 0)
		return rc;
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	char answer[ANSWER_MAX];
	bool got = fgets(answer, sizeof(answer), stdin) != NULL;
	bool whole = got && strchr(answer, '\n') != NULL;
	if (got)
		answer[strcspn(answer, "\r\n")] = '\0';
	if (whole && (strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0))
		return 0;
	if (!got)
		fputc('\n', stderr);
	fputs("not confirmed: nothing was changed\n", stderr);
	return TL_CLI_EXIT_SERVER;
}
