/*
 * cmd_configure.c: `tally configure`, which saves a profile's endpoint
 * and token in the config file (config_write.c) without talking to the
 * server. The token is never printed; `--token -` reads it from stdin
 * (without echo on a terminal), so it stays out of the shell's history and
 * the process list.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* One line of stdin into buf (TL_CLI_TOKEN_MAX + 2), without its newline. */
static int read_token_line(char *buf)
{
	bool tty = isatty(STDIN_FILENO);
	struct termios saved, quiet;
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		fputs("token: ", stderr);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	} else {
		tty = false;
	}
	char *got = fgets(buf, (int)TL_CLI_TOKEN_MAX + 2, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	if (got == NULL)
		return tl_cli_usage_error("--token -: no token on stdin");
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int check_token(const char *token)
{
	int rc = tl_cli_token_check(token);
	if (rc == 0 && (token[0] == '\0' || strpbrk(token, " \t") != NULL))
		return tl_cli_usage_error("the token must be non-empty, without blanks");
	return rc;
}

static void print_saved(const tl_cli_opts *o, const char *profile, const char *path,
			const char *endpoint)
{
	if (!o->json) {
		printf("profile %s saved in %s\n", profile, path);
		return;
	}
	json_t *j = json_pack("{s:s, s:s, s:s*}", "profile", profile, "path", path, "endpoint",
			      endpoint);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (text)
		puts(text);
	free(text);
	json_decref(j);
}

/* Checks the options; endpoint and token get their final values. */
static int check_args(const char *profile, const char **endpoint, char *url,
		      const char **token, char *token_buf)
{
	if (!tl_cli_profile_name_ok(profile))
		return tl_cli_usage_error("--profile: 1 to %u of A-Z a-z 0-9 _ . -, not '%s'",
					  TL_CLI_PROFILE_MAX - 1, profile);
	if (*endpoint == NULL && *token == NULL)
		return tl_cli_usage_error("give --endpoint URL, --token TOKEN or both");
	if (*endpoint) {
		int rc = tl_cli_endpoint_set(url, *endpoint);
		if (rc != 0)
			return rc;
		*endpoint = url;
	}
	if (*token && strcmp(*token, "-") == 0) {
		int rc = read_token_line(token_buf);
		if (rc != 0)
			return rc;
		*token = token_buf;
	}
	return *token ? check_token(*token) : 0;
}

int tl_cli_configure(const tl_cli_opts *o, int argc, char **argv)
{
	const char *profile, *endpoint, *token;
	const tl_cli_arg args[] = {
		{"--profile", &profile, false},
		{"--endpoint", &endpoint, false},
		{"--token", &token, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	if (profile == NULL)
		profile = o->profile;
	char url[TL_CLI_URL_MAX], token_buf[TL_CLI_TOKEN_MAX + 2];
	rc = check_args(profile, &endpoint, url, &token, token_buf);
	char path[TL_CLI_CONFIG_PATH_MAX];
	if (rc == 0 && tl_cli_config_path(path, sizeof(path)) != 0)
		rc = tl_cli_usage_error("no place for the config file: set HOME or "
					"XDG_CONFIG_HOME");
	if (rc == 0)
		rc = tl_cli_config_save(path, profile, endpoint, token);
	if (rc == 0)
		print_saved(o, profile, path, endpoint);
	memset(token_buf, 0, sizeof(token_buf));
	return rc;
}
