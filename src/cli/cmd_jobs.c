/*
 * cmd_jobs.c: `tally jobs run`, the admin running every job that is due at
 * the server's now (POST /v1/admin/jobs/run) and reading what each did;
 * `tally jobs failures`, the subjects the jobs are failing on
 * (GET /v1/admin/jobs).
 * The report's counters are printed in the server's order, so a counter
 * the server adds later shows up without a client change.
 */
#include "cli/cli.h"

#include <string.h>

/* "name:" padded to the longest counter's name, then the count. */
static void print_counters(json_t *jobs)
{
	size_t width = 0;
	const char *name;
	json_t *count;
	json_object_foreach(jobs, name, count) {
		if (strlen(name) > width)
			width = strlen(name);
	}
	json_object_foreach(jobs, name, count) {
		tl_cli_put_clean(stdout, name);
		printf(":%*s", (int)(width - strlen(name) + 2), "");
		if (json_is_integer(count))
			printf("%lld\n", (long long)json_integer_value(count));
		else
			puts("-");
	}
}

static int show_report(json_t *body, const void *ctx)
{
	(void)ctx;
	json_t *jobs = json_object_get(body, "jobs");
	if (!json_is_object(jobs)) {
		fputs("error: the server's answer has no \"jobs\"\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	const char *now = json_string_value(json_object_get(body, "now"));
	fputs("now: ", stdout);
	tl_cli_put_clean(stdout, now ? now : "-");
	fputc('\n', stdout);
	print_counters(jobs);
	return TL_CLI_EXIT_OK;
}

int tl_cli_jobs_run(const tl_cli_opts *o, int argc, char **argv)
{
	int rc = tl_cli_args_parse(argc, argv, NULL, 0);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/admin/jobs/run");
	json_t *body = json_object();
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	rc = tl_cli_call(o, &req, show_report, NULL);
	json_decref(body);
	return rc;
}

static const tl_cli_column failure_columns[] = {
	{"JOB", "job", false},
	{"SUBJECT", "subject_id", false},
	{"ACCOUNT", "account_id", false},
	{"ERROR", "error_code", false},
	{"ATTEMPTS", "attempts", true},
	{"LAST FAILED", "last_failed_at", false},
	{"NEXT RETRY", "next_retry_at", false},
};

/* The error's code as a column of its own: the message is in --output json. */
static int show_failures(json_t *body, const void *ctx)
{
	(void)ctx;
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(body, "data"), i, row) {
		json_t *code = json_object_get(json_object_get(row, "error"), "code");
		json_object_set(row, "error_code", code ? code : json_null());
	}
	return tl_cli_print_page(failure_columns,
				 sizeof(failure_columns) / sizeof(failure_columns[0]), body);
}

int tl_cli_jobs_failures(const tl_cli_opts *o, int argc, char **argv)
{
	const char *job, *limit, *after;
	const tl_cli_arg args[] = {
		{"--job", &job, false},
		{"--limit", &limit, false},
		{"--after", &after, false},
	};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0)
		rc = tl_cli_check_count("--limit", limit);
	if (rc != 0)
		return rc;
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/admin/jobs");
	tl_cli_path_param(&path, "job", job);
	tl_cli_path_param(&path, "limit", limit);
	tl_cli_path_param(&path, "after", after);
	const tl_cli_request req = {.method = "GET", .path = &path, .auth = true};
	return tl_cli_call(o, &req, show_failures, NULL);
}
