/*
 * args.c: the words after NOUN VERB, matched against the arguments a verb
 * declares (tl_cli_arg), and the small checks on their values.
 *
 * Words starting with "--" are options (a flag takes no value), "--" alone
 * ends the options (so a positional value may start with a dash), "-h" and
 * "--help" ask for the noun's usage. Everything else fills the declared positionals in order;
 * all of them are required, and one word too many is an error.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
