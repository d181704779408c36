/*
 * cmd_admin.c: `tally admin backup FILE`, an online backup of the server's
 * store (POST /v1/admin/backup). FILE is a plain file name; the server
 * writes it in its backup directory (tallyd --backup-dir), never over an
 * existing file, and the answer says where.
 */
#include "cli/cli.h"

static int show_backup(json_t *body, const void *ctx)
{
	(void)ctx;
	static const tl_cli_column cols[] = {
		{"PATH", "path", false},
		{"PAGES", "pages", true},
		{"BYTES", "bytes", true},
		{"CREATED", "created_at", false},
	};
	return tl_cli_print_one(cols, sizeof(cols) / sizeof(cols[0]), body);
}

int tl_cli_admin_backup(const tl_cli_opts *o, int argc, char **argv)
{
	const char *file;
	const tl_cli_arg args[] = {{"FILE", &file, false}};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc != 0)
		return rc;
	json_t *body = json_pack("{s:s}", "file", file);
	if (body == NULL) {
		fputs("error: out of memory\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/admin/backup");
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_backup, NULL);
	json_decref(body);
	return rc;
}
