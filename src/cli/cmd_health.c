/*
 * cmd_health.c: `tally health`, GET /healthz without a token. Any 2xx is
 * "ok", whatever the body says; --output json shows the body itself.
 */
#include "cli/cli.h"

int tl_cli_health(const tl_cli_opts *o, int argc, char **argv)
{
	int rc = tl_cli_args_parse(argc, argv, NULL, 0);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/healthz");
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = false};
	tl_cli_response r;
	rc = tl_cli_http(o, &req, &r);
	if (rc != TL_CLI_EXIT_OK)
		return rc;
	if (r.status < 200 || r.status > 299)
		rc = tl_cli_report_error(o, &r);
	else if (o->json)
		tl_cli_print_raw(&r);
	else
		puts("ok");
	tl_cli_response_free(&r);
	return rc;
}
