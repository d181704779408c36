/*
 * cmd_clock.c: `tally clock show|set|advance`, the server's test clock
 * (tallyd --test-clock; otherwise these calls answer 404). Each prints the
 * clock's now after the call.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

/* Suffixes `clock advance` accepts after its number. */
static const struct {
	char suffix;
	long long seconds;
} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};

static int show_now(json_t *body, const void *ctx)
{
	(void)ctx;
	const char *now = json_string_value(json_object_get(body, "now"));
	if (now == NULL) {
		fputs("error: the server's answer has no \"now\"\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	tl_cli_put_clean(stdout, now);
	fputc('\n', stdout);
	return TL_CLI_EXIT_OK;
}

static long long unit_seconds(const char *suffix)
{
	if (suffix[0] == '\0')
		return 1;
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]) && suffix[1] == '\0'; k++) {
		if (suffix[0] == units[k].suffix)
			return units[k].seconds;
	}
	return 0;
}

/* "90", "90s", "15m", "2h", "3d"; a sign moves the clock back. */
static int parse_seconds(const char *text, long long *out)
{
	const char *digits = text + (text[0] == '-' || text[0] == '+');
	errno = 0;
	char *end = NULL;
	long long n = strtoll(text, &end, 10);
	long long unit = isdigit((unsigned char)digits[0]) && errno == 0 ? unit_seconds(end) : 0;
	if (unit == 0 || n > LLONG_MAX / unit || n < LLONG_MIN / unit)
		return tl_cli_usage_error("SECONDS must be a whole number, optionally followed "
					  "by s, m, h or d (90, 15m, 2h, 3d), not '%s'",
					  text);
	*out = n * unit;
	return 0;
}

/* Takes the reference to body. */
static int post_clock(const tl_cli_opts *o, json_t *body)
{
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/admin/clock");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	int rc = tl_cli_call(o, &req, show_now, NULL);
	json_decref(body);
	return rc;
}

int tl_cli_clock_show(const tl_cli_opts *o, int argc, char **argv)
{
	int rc = tl_cli_args_parse(argc, argv, NULL, 0);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/admin/clock");
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_now, NULL);
}

int tl_cli_clock_set(const tl_cli_opts *o, int argc, char **argv)
{
	const char *when;
	const tl_cli_arg args[] = {{"TIME", &when, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	json_t *body = json_pack("{s:s}", "now", when);
	if (body == NULL)
		return tl_cli_usage_error("TIME must be UTF-8 text");
	return post_clock(o, body);
}

int tl_cli_clock_advance(const tl_cli_opts *o, int argc, char **argv)
{
	const char *text;
	long long seconds = 0;
	const tl_cli_arg args[] = {{"SECONDS", &text, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0)
		rc = parse_seconds(text, &seconds);
	if (rc != 0)
		return rc;
	json_t *body = json_pack("{s:I}", "advance_seconds", (json_int_t)seconds);
	if (body == NULL) {
		fputs("error: out of memory\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	return post_clock(o, body);
}
