/*
 * options.c: the global options (before NOUN) and where each value comes
 * from in the end.
 *
 *   endpoint  --endpoint (alias --url) > TALLY_ENDPOINT > TALLY_URL
 *             > the profile's endpoint > TL_CLI_DEFAULT_URL
 *   token     --token > TALLY_TOKEN > the profile's token > none
 *   profile   --profile > TALLY_PROFILE > "default"
 *   output    --output table|json (--json is --output json) > table
 *
 * A profile named by --profile or TALLY_PROFILE must exist in the config
 * file; the default one need not. Commands that need no server (configure)
 * do not read the file at all, so they work before it exists.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

bool tl_cli_has_control(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	}
	return false;
}

/* A valued global option at argv[*i]: 1 taken, 0 not this one, or usage. */
static int read_valued(int argc, char **argv, int *i, tl_cli_globals *g)
{
	const tl_cli_arg valued[] = {
		{"--endpoint", &g->endpoint, false}, {"--url", &g->endpoint, false},
		{"--token", &g->token, false},       {"--idempotency-key", &g->idem_key, false},
		{"--profile", &g->profile, false},   {"--output", &g->output, false},
		{"-o", &g->output, false},
	};
	for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
		int rc = tl_cli_option(argc, argv, i, valued[k].name, valued[k].value);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int read_one(int argc, char **argv, int *i, tl_cli_globals *g)
{
	const char *word = argv[*i];
	if (strcmp(word, "--json") == 0) {
		g->output = "json";
		return 0;
	}
	if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
		g->help = true;
		return 0;
	}
	if (strcmp(word, "--version") == 0) {
		g->version = true;
		return 0;
	}
	int rc = read_valued(argc, argv, i, g);
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	return tl_cli_usage_error("unknown option '%s' (see `tally --help`)", word);
}

int tl_cli_globals_read(int argc, char **argv, tl_cli_globals *g, int *next)
{
	memset(g, 0, sizeof(*g));
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && !g->help && !g->version; i++) {
		int rc = read_one(argc, argv, &i, g);
		if (rc != 0)
			return rc;
	}
	*next = i;
	return 0;
}

int tl_cli_endpoint_set(char *out, const char *url)
{
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    tl_cli_has_control(url))
		return tl_cli_usage_error("the endpoint must start with http:// or https://, "
					  "not '%s'", url);
	if (n >= TL_CLI_URL_MAX)
		return tl_cli_usage_error("the endpoint is longer than %u bytes",
					  TL_CLI_URL_MAX - 1);
	memcpy(out, url, n);
	out[n] = '\0';
	return 0;
}

/* Header values: bounded, and no CR/LF that could forge another header. */
static int check_header_value(const char *what, const char *value, size_t max)
{
	if (value && (strlen(value) > max || tl_cli_has_control(value)))
		return tl_cli_usage_error("%s must be at most %zu printable bytes", what, max);
	return 0;
}

int tl_cli_token_check(const char *token)
{
	return check_header_value("the token", token, TL_CLI_TOKEN_MAX);
}

/* The first of the values that is set and not empty, or NULL. */
static const char *first_set(const char *a, const char *b, const char *c)
{
	if (a && a[0])
		return a;
	if (b && b[0])
		return b;
	return c && c[0] ? c : NULL;
}

static int read_output(const char *output, bool *json)
{
	*json = false;
	if (output == NULL || strcmp(output, "table") == 0)
		return 0;
	if (strcmp(output, "json") == 0) {
		*json = true;
		return 0;
	}
	return tl_cli_usage_error("--output must be table or json, not '%s'", output);
}

/* The profile's name into o->profile; *named: given by option or env. */
static int choose_profile(const tl_cli_globals *g, tl_cli_opts *o, bool *named)
{
	const char *name = first_set(g->profile, getenv("TALLY_PROFILE"), NULL);
	*named = name != NULL;
	if (name == NULL)
		name = TL_CLI_DEFAULT_PROFILE;
	if (!tl_cli_profile_name_ok(name))
		return tl_cli_usage_error("a profile's name is 1 to %u of A-Z a-z 0-9 _ . -, "
					  "not '%s'", TL_CLI_PROFILE_MAX - 1, name);
	memcpy(o->profile, name, strlen(name) + 1);
	return 0;
}

/* Reads the chosen profile into p, unless nothing needs it. */
static int load_profile(const tl_cli_opts *o, bool named, tl_cli_profile *p)
{
	char path[TL_CLI_CONFIG_PATH_MAX];
	memset(p, 0, sizeof(*p));
	if (tl_cli_config_path(path, sizeof(path)) != 0) {
		if (named)
			return tl_cli_usage_error("profile '%s': no config file (set HOME or "
						  "XDG_CONFIG_HOME)", o->profile);
		return 0;
	}
	int rc = tl_cli_config_load(path, o->profile, p);
	if (rc == 0 && named && !p->found)
		return tl_cli_usage_error("no profile '%s' in %s (see `tally configure`)",
					  o->profile, path);
	if (rc == 0 && p->shared && p->token[0])
		fprintf(stderr, "warning: %s holds tokens but others may read it "
				"(chmod 600 it)\n", path);
	return rc;
}

static int set_token(tl_cli_opts *o, const char *token)
{
	int rc = tl_cli_token_check(token);
	if (rc != 0 || token == NULL)
		return rc;
	memcpy(o->token_text, token, strlen(token) + 1);
	o->token = o->token_text;
	return 0;
}

int tl_cli_opts_resolve(const tl_cli_globals *g, bool local, tl_cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	bool named = false;
	tl_cli_profile p;
	memset(&p, 0, sizeof(p));
	o->idem_key = g->idem_key && g->idem_key[0] ? g->idem_key : NULL;
	int rc = read_output(g->output, &o->json);
	if (rc == 0)
		rc = choose_profile(g, o, &named);
	if (rc != 0 || local) /* a local command talks to no server */
		return rc;
	rc = load_profile(o, named, &p);
	if (rc == 0)
		rc = check_header_value("--idempotency-key", o->idem_key,
					TL_CLI_IDEMPOTENCY_KEY_MAX);
	if (rc == 0)
		rc = set_token(o, first_set(g->token, getenv("TALLY_TOKEN"), p.token));
	const char *env_url = first_set(getenv("TALLY_ENDPOINT"), getenv("TALLY_URL"), NULL);
	const char *url = first_set(g->endpoint, env_url, p.endpoint);
	if (rc == 0)
		rc = tl_cli_endpoint_set(o->url, url ? url : TL_CLI_DEFAULT_URL);
	memset(&p, 0, sizeof(p)); /* its copy of the token */
	return rc;
}
