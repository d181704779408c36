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
	return tl_cli_list(o, argc, argv, "/v1/events", true, show_events);
}
