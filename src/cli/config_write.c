/*
 * config_write.c: `tally configure`'s change to the config file.
 *
 * The file is read whole (at most TL_CLI_CONFIG_FILE_MAX), copied line by
 * line with the profile's endpoint and token lines replaced (or added at
 * the end of its section, or a new section at the end of the file) into a
 * temporary file of mode 0600 beside it, which is synced and renamed over
 * it: a crash leaves the old file or the new one, never half of one, and
 * the token is never readable by others, not even for a moment. Missing
 * directories are made with mode 0700. Comments and other profiles stay.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The rewrite in progress. */
typedef struct rewrite {
	FILE *out;
	const char *name, *endpoint, *token; /* endpoint, token: NULL to keep */
	bool inside, seen, wrote_endpoint, wrote_token;
} rewrite;

static int os_error(const char *what, const char *path)
{
	fprintf(stderr, "error: cannot %s %s: %s\n", what, path, strerror(errno));
	return TL_CLI_EXIT_USAGE;
}

/* mkdir -p of path's directory, new directories 0700. */
static int make_dirs(const char *path)
{
	char dir[TL_CLI_CONFIG_PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		bool end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return os_error("create the directory", dir);
		if (end)
			return 0;
		*p = '/';
	}
}

/* The old file, NUL-terminated, into *text (empty when there is none). */
static int read_old(const char *path, char **text)
{
	*text = calloc(1, TL_CLI_CONFIG_FILE_MAX + 2);
	if (*text == NULL)
		return tl_cli_usage_error("out of memory");
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : os_error("read", path);
	size_t n = fread(*text, 1, TL_CLI_CONFIG_FILE_MAX + 1, f);
	bool failed = ferror(f);
	fclose(f);
	if (failed)
		return os_error("read", path);
	if (n > TL_CLI_CONFIG_FILE_MAX)
		return tl_cli_usage_error("%s is larger than %u bytes", path,
					  TL_CLI_CONFIG_FILE_MAX);
	return 0;
}

/* The keys of the profile not written yet. */
static void put_pending(rewrite *w)
{
	if (w->endpoint && !w->wrote_endpoint)
		fprintf(w->out, "endpoint = %s\n", w->endpoint);
	if (w->token && !w->wrote_token)
		fprintf(w->out, "token = %s\n", w->token);
	w->wrote_endpoint = w->wrote_token = true;
}

/* One old line (without its newline): copied, replaced or dropped. */
static void copy_line(rewrite *w, const char *line)
{
	char parsed[TL_CLI_CONFIG_LINE_MAX + 1];
	snprintf(parsed, sizeof(parsed), "%s", line);
	tl_cli_config_line l;
	tl_cli_config_parse_line(parsed, &l);
	if (l.kind == TL_CLI_CONF_SECTION) {
		if (w->inside)
			put_pending(w);
		w->inside = strcmp(l.section, w->name) == 0;
		w->seen = w->seen || w->inside;
	} else if (l.kind == TL_CLI_CONF_KEY && w->inside) {
		bool is_endpoint = w->endpoint && strcmp(l.key, "endpoint") == 0;
		bool is_token = w->token && strcmp(l.key, "token") == 0;
		if (is_endpoint || is_token) {
			bool *done = is_endpoint ? &w->wrote_endpoint : &w->wrote_token;
			const char *value = is_endpoint ? w->endpoint : w->token;
			if (!*done)
				fprintf(w->out, "%s = %s\n", l.key, value);
			*done = true;
			return;
		}
	}
	fprintf(w->out, "%s\n", line);
}

/* Every line of old through copy_line, then the profile if it was not there. */
static int copy_all(rewrite *w, char *old, const char *path)
{
	unsigned number = 0;
	for (char *line = old; *line; ) {
		char *nl = strchr(line, '\n');
		char *next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		number++;
		if (strlen(line) > TL_CLI_CONFIG_LINE_MAX)
			return tl_cli_usage_error("%s:%u: the line is longer than %u bytes", path,
						  number, TL_CLI_CONFIG_LINE_MAX);
		copy_line(w, line);
		line = next;
	}
	if (w->inside)
		put_pending(w);
	if (!w->seen) {
		fprintf(w->out, "%s[profile %s]\n", old[0] ? "\n" : "", w->name);
		put_pending(w);
	}
	return 0;
}

/* Checks that the old file would load: a broken one is not rewritten. */
static int check_old(const char *path, const char *name)
{
	tl_cli_profile p;
	return tl_cli_config_load(path, name, &p);
}

static int finish(FILE *out, const char *tmp, const char *path)
{
	bool ok = fflush(out) == 0 && fsync(fileno(out)) == 0;
	ok = (fclose(out) == 0) && ok;
	if (!ok)
		return os_error("write", tmp);
	if (rename(tmp, path) != 0)
		return os_error("replace", path);
	return 0;
}

static int write_new(rewrite *w, char *old, const char *path)
{
	char tmp[TL_CLI_CONFIG_PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return os_error("create a file beside", path);
	if (fchmod(fd, 0600) != 0 || (w->out = fdopen(fd, "w")) == NULL) {
		int rc = os_error("write", tmp);
		close(fd);
		unlink(tmp);
		return rc;
	}
	int rc = copy_all(w, old, path);
	if (rc != 0)
		fclose(w->out);
	else
		rc = finish(w->out, tmp, path);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

int tl_cli_config_save(const char *path, const char *name, const char *endpoint,
		       const char *token)
{
	rewrite w = {.name = name, .endpoint = endpoint, .token = token};
	char *old = NULL;
	int rc = make_dirs(path);
	if (rc == 0)
		rc = check_old(path, name);
	if (rc == 0)
		rc = read_old(path, &old);
	if (rc == 0)
		rc = write_new(&w, old, path);
	free(old);
	return rc;
}
