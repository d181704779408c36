/*
 * cmd_events.c: `tally events list`, the audit trail, newest first: every
 * account's for the admin (or one with --account), the token's own
 * account's otherwise.
 */
#include "cli/cli.h"

static const tl_cli_column event_columns[] = {
	{"CREATED", "created_at", false},
	{"TYPE", "type", false},
	{"SUBJECT", "subject_id", false},
	{"ACTOR", "actor", false},
};

static int show_events(json_t *body, const void *ctx)
{
	(void)ctx;
	return tl_cli_print_page(event_columns, sizeof(event_columns) / sizeof(event_columns[0]),
				 body);
}

int tl_cli_events_list(const tl_cli_opts *o, int argc, char **argv)
{
	const char *account_id, *limit, *after;
	const tl_cli_arg args[] = {
		{"--account", &account_id, false},
		{"--limit", &limit, false},
		{"--after", &after, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0)
		rc = tl_cli_check_count("--limit", limit);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/events");
	tl_cli_path_param(&path, "account_id", account_id);
	tl_cli_path_param(&path, "limit", limit);
	tl_cli_path_param(&path, "after", after);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_events, NULL);
}
