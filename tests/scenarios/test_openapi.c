/* Scenario: docs/openapi.yaml documents exactly the routes tallyd serves.
 * scripts/check-openapi compares the yaml with src/api/routes.c; this test
 * runs it, and also checks the compiled route table itself against the yaml,
 * so a row the script's parser missed cannot go unnoticed. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "api/api.h"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	size_t cap = 1 << 16, len = 0;
	char *text = malloc(cap);
	cr_assert_not_null(text);
	size_t n;
	while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			cap *= 2;
			text = realloc(text, cap);
			cr_assert_not_null(text);
		}
	}
	fclose(f);
	text[len] = '\0';
	return text;
}

Test(openapi, check_script_passes)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s/scripts/check-openapi' 2>&1", TALLY_SOURCE_DIR);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char out[4096] = "";
	size_t len = fread(out, 1, sizeof(out) - 1, p);
	out[len] = '\0';
	int status = pclose(p);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "check-openapi failed:\n%s", out);
	cr_assert(strstr(out, "check-openapi: ok"), "%s", out);
}

Test(openapi, documents_every_row_of_the_route_table)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/docs/openapi.yaml", TALLY_SOURCE_DIR);
	char *yaml = read_file(path);
	const char *paths = strstr(yaml, "\npaths:\n");
	cr_assert_not_null(paths, "no top-level paths: in %s", path);
	for (size_t i = 0; i < tl_route_count; i++) {
		const tl_route *r = &tl_routes[i];
		char key[256], method[16];
		snprintf(key, sizeof(key), "\n  %s:\n", r->pattern);
		const char *item = strstr(paths, key);
		cr_expect_not_null(item, "%s %s is not documented", r->method, r->pattern);
		if (item == NULL)
			continue;
		/* the path item runs to the next line indented less than four */
		const char *end = item + strlen(key) - 1;
		while ((end = strchr(end, '\n')) != NULL && strncmp(end, "\n    ", 5) == 0)
			end++;
		size_t m = 0;
		for (; r->method[m] && m < sizeof(method) - 1; m++)
			method[m] = (char)tolower((unsigned char)r->method[m]);
		method[m] = '\0';
		snprintf(key, sizeof(key), "\n    %s:\n", method);
		const char *op = strstr(item, key);
		cr_expect(op && (end == NULL || op < end), "%s %s: the path has no %s operation",
			  r->method, r->pattern, method);
	}
	free(yaml);
}
