/*
 * cmd_usage.c: `tally usage import FILE`, metered usage of postpaid
 * resources from an NDJSON or CSV file (usage_read.c) sent to
 * POST /v1/usage in batches as the file is read, so its size does not
 * matter. Sending a file again is safe: the server counts a record it
 * already has (same resource and period) as a duplicate.
 *
 * A line the client cannot read stops the import at that line (exit 2);
 * the server refusing a batch's shape (invalid_record) is reported with
 * the line of the record it names (exit 1). Either way the message says
 * how many records were sent before. Records the server judged and did not
 * record (duplicates are fine; resource_not_found, resource_deleted,
 * not_postpaid are not) are listed with their lines, and make the exit
 * status 1.
 *
 * On a terminal, a progress line on stderr; with --output json, one JSON
 * summary of all batches: {accepted, duplicates, rejected, results:
 * [{line, resource_id, result}]}.
 */
#include "cli/cli.h"
#include "cli/usage_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The server's largest batch (POST /v1/usage). */
#define USAGE_BATCH_MAX 10000

/* The user's idempotency key, before "-batch-N" makes it each batch's:
 * room for the suffix within the server's 255. */
#define USAGE_KEY_PREFIX_MAX 200

typedef struct import_state {
	const tl_cli_opts *o;
	tl_usage_reader reader;
	long long batch_max;
	json_t *records;  /* the batch being filled */
	long *lines;      /* each record's line in the file */
	long long sent, batches;
	long long accepted, duplicates, rejected;
	json_t *refused;  /* [{line, resource_id, result}] */
	off_t file_size;  /* 0: unknown (a pipe) */
	bool progress;
} import_state;

static void show_progress(const import_state *s)
{
	if (!s->progress)
		return;
	fprintf(stderr, "\rsent %lld records", s->sent);
	if (s->file_size > 0) {
		off_t at = ftello(s->reader.file);
		int pct = at > 0 ? (int)(at * 100 / s->file_size) : 0;
		char bar[21];
		for (int i = 0; i < 20; i++)
			bar[i] = i < pct / 5 ? '#' : '.';
		bar[20] = '\0';
		fprintf(stderr, " [%s] %3d%%", bar, pct);
	}
	fflush(stderr);
}

/* The per-batch idempotency key: the user's key and the batch's number,
 * so each batch is its own request and a rerun replays each. */
static void batch_opts(const import_state *s, tl_cli_opts *o, char *key, size_t cap)
{
	*o = *s->o;
	if (s->o->idem_key == NULL)
		return;
	snprintf(key, cap, "%s-batch-%lld", s->o->idem_key, s->batches + 1);
	o->idem_key = key;
}

static void count_results(import_state *s, const json_t *body)
{
	s->accepted += json_integer_value(json_object_get(body, "accepted"));
	s->duplicates += json_integer_value(json_object_get(body, "duplicates"));
	s->rejected += json_integer_value(json_object_get(body, "rejected"));
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(body, "results"), i, r) {
		json_int_t index = json_integer_value(json_object_get(r, "index"));
		const char *result = json_string_value(json_object_get(r, "result"));
		if (index < 0 || (size_t)index >= json_array_size(s->records) || result == NULL ||
		    strcmp(result, "duplicate") == 0)
			continue;
		json_array_append_new(s->refused,
				      json_pack("{s:I, s:O, s:s}", "line",
						(json_int_t)s->lines[index], "resource_id",
						json_object_get(r, "resource_id"), "result", result));
	}
}

/* The server refused the batch's shape: the record it names, by line. */
static int report_refused_batch(const import_state *s, const tl_cli_response *r)
{
	const json_t *details = json_object_get(json_object_get(r->json, "error"), "details");
	const json_t *index = json_object_get(details, "index");
	if (!json_is_integer(index) || json_integer_value(index) < 0 ||
	    (size_t)json_integer_value(index) >= json_array_size(s->records))
		return tl_cli_report_error(s->o, r);
	fprintf(stderr, "error: line %ld: ", s->lines[json_integer_value(index)]);
	const char *message = json_string_value(
		json_object_get(json_object_get(r->json, "error"), "message"));
	tl_cli_put_clean(stderr, message ? message : "the server refused the batch");
	fputc('\n', stderr);
	return TL_CLI_EXIT_SERVER;
}

static int send_batch(import_state *s)
{
	if (json_array_size(s->records) == 0)
		return 0;
	tl_cli_opts o;
	char key[TL_CLI_IDEMPOTENCY_KEY_MAX + 1];
	batch_opts(s, &o, key, sizeof(key));
	tl_cli_path path;
	tl_cli_path_init(&path, "/v1/usage");
	json_t *body = json_pack("{s:O}", "records", s->records);
	const tl_cli_request req = {.method = "POST", .path = &path, .body = body, .auth = true};
	tl_cli_response r = {0};
	int rc = tl_cli_http(&o, &req, &r);
	json_decref(body);
	if (rc == 0 && r.status == 400)
		rc = report_refused_batch(s, &r);
	else if (rc == 0 && (r.status < 200 || r.status > 299 || !json_is_object(r.json)))
		rc = tl_cli_report_error(&o, &r);
	if (rc == 0) {
		count_results(s, r.json);
		s->sent += (long long)json_array_size(s->records);
		s->batches++;
		json_array_clear(s->records);
		show_progress(s);
	}
	tl_cli_response_free(&r);
	return rc;
}

static void say_sent_before(const import_state *s)
{
	if (s->progress)
		fputc('\n', stderr);
	if (s->sent > 0)
		fprintf(stderr, "%lld records were sent before this; sending the file again is "
				"safe: records already received count as duplicates\n",
			s->sent);
}

static int read_and_send(import_state *s)
{
	for (;;) {
		json_t *record = NULL;
		int got = tl_usage_reader_next(&s->reader, &record);
		if (got < 0) {
			fprintf(stderr, "error: line %ld: %s\n", s->reader.line_no,
				s->reader.error);
			return TL_CLI_EXIT_USAGE;
		}
		if (got == 0)
			return send_batch(s);
		s->lines[json_array_size(s->records)] = s->reader.line_no;
		json_array_append_new(s->records, record);
		if ((long long)json_array_size(s->records) == s->batch_max) {
			int rc = send_batch(s);
			if (rc != 0)
				return rc;
		}
	}
}

static const tl_cli_column refused_columns[] = {
	{"LINE", "line", true},
	{"RESOURCE", "resource_id", false},
	{"RESULT", "result", false},
};

static int print_summary(const import_state *s)
{
	if (s->o->json) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:O}", "accepted", (json_int_t)s->accepted,
				      "duplicates", (json_int_t)s->duplicates, "rejected",
				      (json_int_t)s->rejected, "results", s->refused);
		json_dumpf(j, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("accepted:    %lld\nduplicates:  %lld\nrejected:    %lld\n", s->accepted,
		       s->duplicates, s->rejected);
		if (json_array_size(s->refused) > 0) {
			fputc('\n', stdout);
			tl_cli_print_table(refused_columns, 3, s->refused);
		}
	}
	if (json_array_size(s->refused) == 0)
		return TL_CLI_EXIT_OK;
	fprintf(stderr, "error: not recorded: %zu of the file's records (see their lines)\n",
		json_array_size(s->refused));
	return TL_CLI_EXIT_SERVER;
}

static int open_file(const char *name, import_state *s, const char *format)
{
	FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
	if (f == NULL)
		return tl_cli_usage_error("cannot read %s: %s", name, strerror(errno));
	struct stat st;
	s->file_size = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
	enum tl_usage_format fmt = TL_USAGE_NDJSON;
	long blank_lines = 0;
	if (format)
		fmt = strcmp(format, "csv") == 0 ? TL_USAGE_CSV : TL_USAGE_NDJSON;
	else if (tl_usage_format_guess(name, f, &fmt, &blank_lines) < 0) {
		if (f != stdin)
			fclose(f);
		return tl_cli_usage_error("%s holds no usage records", name);
	}
	tl_usage_reader_init(&s->reader, f, fmt);
	s->reader.line_no = blank_lines;
	return 0;
}

static int import(import_state *s)
{
	int rc = read_and_send(s);
	if (rc != 0) {
		say_sent_before(s);
		return rc;
	}
	if (s->progress)
		fputc('\n', stderr);
	if (s->sent == 0)
		return tl_cli_usage_error("the file holds no usage records");
	return print_summary(s);
}

int tl_cli_usage_import(const tl_cli_opts *o, int argc, char **argv)
{
	static const char *const formats[] = {"ndjson", "csv", NULL};
	const char *name, *format, *batch;
	const tl_cli_arg args[] = {
		{"FILE", &name, false},
		{"--format", &format, false},
		{"--batch", &batch, false},
	};
	import_state s = {.o = o, .batch_max = USAGE_BATCH_MAX};
	int rc = tl_cli_args_parse(argc, argv, args, sizeof(args) / sizeof(args[0]));
	if (rc == 0 && o->idem_key && strlen(o->idem_key) > USAGE_KEY_PREFIX_MAX)
		rc = tl_cli_usage_error("--idempotency-key for usage import is at most %d bytes "
					"(each batch adds -batch-N)", USAGE_KEY_PREFIX_MAX);
	rc = rc ? rc : tl_cli_check_choice("--format", format, formats);
	rc = rc ? rc : tl_cli_parse_number("--batch", batch, 1, USAGE_BATCH_MAX, &s.batch_max);
	rc = rc ? rc : open_file(name, &s, format);
	if (rc != 0)
		return rc;
	s.records = json_array();
	s.refused = json_array();
	s.lines = calloc((size_t)s.batch_max, sizeof(*s.lines));
	s.progress = !o->json && isatty(STDERR_FILENO);
	if (s.records && s.refused && s.lines)
		rc = import(&s);
	else
		rc = (fputs("error: out of memory\n", stderr), TL_CLI_EXIT_SERVER);
	if (s.reader.file != stdin)
		fclose(s.reader.file);
	tl_usage_reader_free(&s.reader);
	free(s.lines);
	json_decref(s.records);
	json_decref(s.refused);
	return rc;
}
