/*
 * call.c: one command's request and what its answer means on the terminal.
 *
 *   no answer              -> message naming the URL, exit 3 (http.c)
 *   2xx, body not JSON     -> "error: ... not JSON", exit 1
 *   2xx, --output json     -> the body as received on stdout, exit 0
 *   2xx, table             -> the command's table on stdout, exit 0
 *   any other status       -> "error: <code>: <message>" on stderr (and the
 *                             body on stdout with --output json), exit 1
 *
 * tl_cli_fetch is the first half alone, for commands that look something
 * up first or judge the answer themselves (ledger check).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

void tl_cli_print_raw(const tl_cli_response *r)
{
	fwrite(r->body, 1, r->len, stdout);
	if (r->len == 0 || r->body[r->len - 1] != '\n')
		fputc('\n', stdout);
}

static void print_details(const json_t *details)
{
	if (!json_is_object(details) || json_object_size(details) == 0)
		return;
	char *text = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return;
	fputs("  details: ", stderr);
	tl_cli_put_clean(stderr, text);
	fputc('\n', stderr);
	free(text);
}

int tl_cli_report_error(const tl_cli_opts *o, const tl_cli_response *r)
{
	if (o->json)
		tl_cli_print_raw(r);
	const json_t *error = json_object_get(r->json, "error");
	const char *code = json_string_value(json_object_get(error, "code"));
	const char *message = json_string_value(json_object_get(error, "message"));
	if (code == NULL) {
		fprintf(stderr, "error: HTTP %ld from %s\n", r->status, o->url);
		return TL_CLI_EXIT_SERVER;
	}
	fputs("error: ", stderr);
	tl_cli_put_clean(stderr, code);
	fputs(": ", stderr);
	tl_cli_put_clean(stderr, message ? message : "(no message)");
	fputc('\n', stderr);
	if (!o->json)
		print_details(json_object_get(error, "details"));
	return TL_CLI_EXIT_SERVER;
}

int tl_cli_fetch(const tl_cli_opts *o, const tl_cli_request *req, tl_cli_response *out)
{
	memset(out, 0, sizeof(*out));
	if (req->path->failed)
		return tl_cli_usage_error("an argument is too long to send");
	int rc = tl_cli_http(o, req, out);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	if (out->status < 200 || out->status > 299) {
		rc = tl_cli_report_error(o, out);
	} else if (out->json == NULL) {
		fprintf(stderr, "error: the answer from %s is not JSON\n", o->url);
		rc = TL_CLI_EXIT_SERVER;
	}
	if (rc != TL_CLI_EXIT_OK)
		tl_cli_response_free(out);
	return rc;
}

int tl_cli_present(const tl_cli_opts *o, const tl_cli_response *r, tl_cli_show show,
		   const void *ctx)
{
	if (o->json) {
		tl_cli_print_raw(r);
		return TL_CLI_EXIT_OK;
	}
	return show(r->json, ctx);
}

int tl_cli_call(const tl_cli_opts *o, const tl_cli_request *req, tl_cli_show show,
		const void *ctx)
{
	tl_cli_response r;
	int rc = tl_cli_fetch(o, req, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	rc = tl_cli_present(o, &r, show, ctx);
	tl_cli_response_free(&r);
	return rc;
}

int tl_cli_list(const tl_cli_opts *o, int argc, char **argv, const char *base, bool by_account,
		tl_cli_show show)
{
	const char *limit, *after, *account = NULL;
	const tl_cli_arg args[] = {
		{"--limit", &limit, false},
		{"--after", &after, false},
		{"--account", &account, false},
	};
	size_t nargs = sizeof(args) / sizeof(args[0]) - (by_account ? 0 : 1);
	int rc = tl_cli_args_parse(argc, argv, args, nargs);
	if (rc == 0)
		rc = tl_cli_check_count("--limit", limit);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, base);
	tl_cli_path_param(&path, "account_id", account);
	tl_cli_path_param(&path, "limit", limit);
	tl_cli_path_param(&path, "after", after);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show, NULL);
}
