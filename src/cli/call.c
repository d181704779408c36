/*
 * call.c: one command's request and what its answer means on the terminal.
 *
 *   no answer              -> message naming the URL, exit 3 (http.c)
 *   2xx, --json            -> the body as received on stdout, exit 0
 *   2xx, JSON body         -> the command's table on stdout, exit 0
 *   2xx, body not JSON     -> "error: ... not JSON", exit 1
 *   any other status       -> "error: <code>: <message>" on stderr (and the
 *                             body on stdout with --json), exit 1
 */
#include "cli/cli.h"

#include <stdlib.h>

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

int tl_cli_call(const tl_cli_opts *o, const tl_cli_request *req, tl_cli_show show)
{
	if (req->path->failed)
		return tl_cli_usage_error("an argument is too long to send");
	tl_cli_response r;
	int rc = tl_cli_http(o, req, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	if (r.status < 200 || r.status > 299) {
		rc = tl_cli_report_error(o, &r);
	} else if (o->json) {
		tl_cli_print_raw(&r);
	} else if (r.json == NULL) {
		fprintf(stderr, "error: the answer from %s is not JSON\n", o->url);
		rc = TL_CLI_EXIT_SERVER;
	} else {
		rc = show(r.json);
	}
	tl_cli_response_free(&r);
	return rc;
}
