/*
 * config.c: reading ~/.config/tally/config, the profiles `tally configure`
 * writes.
 *
 *   # comment (also ;)
 *   [profile default]        or [default]
 *   endpoint = http://127.0.0.1:8080
 *   token = tly_...
 *
 * A value is the rest of its line, blanks around it trimmed, no quoting.
 * Unknown keys and sections that are not profiles are skipped (a newer
 * client may have written them); a key repeated in one profile: the last
 * wins. Bounds: lines of TL_CLI_CONFIG_LINE_MAX bytes, files of
 * TL_CLI_CONFIG_FILE_MAX; a longer one is an error, never cut silently.
 * A file that others may read is used, with a warning (options.c) when a
 * token comes from it.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int tl_cli_config_path(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;
	if (xdg && xdg[0] == '/') /* the XDG spec: a relative path is ignored */
		n = snprintf(out, cap, "%s/tally/config", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, cap, "%s/.config/tally/config", home);
	else
		return -1;
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

bool tl_cli_profile_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= TL_CLI_PROFILE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			 s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* The inside of "[...]": "profile NAME" or "default" name a profile. */
static const char *section_profile(char *inside)
{
	inside = trim(inside);
	if (strcmp(inside, TL_CLI_DEFAULT_PROFILE) == 0)
		return inside;
	if (strncmp(inside, "profile", 7) != 0 || (inside[7] != ' ' && inside[7] != '\t'))
		return "";
	char *name = trim(inside + 7);
	return tl_cli_profile_name_ok(name) ? name : "";
}

void tl_cli_config_parse_line(char *line, tl_cli_config_line *out)
{
	memset(out, 0, sizeof(*out));
	char *s = trim(line);
	if (s[0] == '\0' || s[0] == '#' || s[0] == ';') {
		out->kind = TL_CLI_CONF_SKIP;
		return;
	}
	size_t n = strlen(s);
	if (s[0] == '[') {
		out->kind = s[n - 1] == ']' ? TL_CLI_CONF_SECTION : TL_CLI_CONF_BAD;
		s[n - 1] = '\0';
		out->section = section_profile(s + 1);
		return;
	}
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		out->kind = TL_CLI_CONF_BAD;
		return;
	}
	*eq = '\0';
	out->kind = TL_CLI_CONF_KEY;
	out->key = trim(s);
	out->value = trim(eq + 1);
}

static int line_error(const char *path, unsigned line, const char *what)
{
	return tl_cli_usage_error("%s:%u: %s", path, line, what);
}

/* Takes key = value into p when it is one the client knows. */
static int take_value(const char *path, unsigned line, const tl_cli_config_line *l,
		      tl_cli_profile *p)
{
	char *slot = NULL;
	size_t cap = 0;
	if (strcmp(l->key, "endpoint") == 0) {
		slot = p->endpoint;
		cap = sizeof(p->endpoint);
	} else if (strcmp(l->key, "token") == 0) {
		slot = p->token;
		cap = sizeof(p->token);
	}
	if (slot == NULL)
		return 0;
	size_t n = strlen(l->value);
	if (n >= cap || tl_cli_has_control(l->value))
		return line_error(path, line, "the value is too long or not printable");
	memcpy(slot, l->value, n + 1);
	return 0;
}

/* Reads one line into buf (TL_CLI_CONFIG_LINE_MAX + 2 bytes): 1 read, 0 at
 * the end, -1 too long (printed). */
static int read_line(FILE *f, char *buf, const char *path, unsigned line)
{
	if (fgets(buf, (int)TL_CLI_CONFIG_LINE_MAX + 2, f) == NULL)
		return 0;
	size_t n = strlen(buf);
	if (n > TL_CLI_CONFIG_LINE_MAX && buf[n - 1] != '\n') {
		line_error(path, line, "the line is longer than the limit");
		return -1;
	}
	return 1;
}

static int scan(FILE *f, const char *path, const char *name, tl_cli_profile *p)
{
	char buf[TL_CLI_CONFIG_LINE_MAX + 2];
	bool inside = false;
	size_t total = 0;
	for (unsigned line = 1;; line++) {
		int got = read_line(f, buf, path, line);
		if (got <= 0)
			return got < 0 ? TL_CLI_EXIT_USAGE : 0;
		total += strlen(buf);
		if (total > TL_CLI_CONFIG_FILE_MAX)
			return line_error(path, line, "the file is larger than the limit");
		tl_cli_config_line l;
		tl_cli_config_parse_line(buf, &l);
		if (l.kind == TL_CLI_CONF_BAD)
			return line_error(path, line, "expected [profile NAME] or key = value");
		if (l.kind == TL_CLI_CONF_SECTION) {
			inside = strcmp(l.section, name) == 0;
			p->found = p->found || inside;
		} else if (l.kind == TL_CLI_CONF_KEY && inside && take_value(path, line, &l, p)) {
			return TL_CLI_EXIT_USAGE;
		}
	}
}

/* Whether others than the owner may read the open file. */
static bool is_shared(FILE *f)
{
	struct stat st;
	return fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0;
}

int tl_cli_config_load(const char *path, const char *name, tl_cli_profile *out)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return tl_cli_usage_error("cannot read %s: %s", path, strerror(errno));
	}
	int rc = scan(f, path, name, out);
	out->shared = is_shared(f);
	fclose(f);
	return rc;
}
