/*
 * usage_read.c: usage records read one line at a time from NDJSON (one
 * JSON object a line) or CSV (a header line naming resource_id, start, end
 * and optionally quantity, in any order; no quoting: ids and RFC 3339
 * times have no commas). The records are not checked beyond their shape:
 * the server judges them and names the record it refuses.
 */
#include "cli/usage_read.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const csv_names[] = {"resource_id", "start", "end", "quantity"};
#define CSV_NAMES (sizeof(csv_names) / sizeof(csv_names[0]))

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Splits line at commas into fields[], at most max; the count, or -1 when
 * there are more. */
static int split_csv(char *line, char **fields, int max)
{
	int n = 0;
	for (char *p = line;; n++) {
		if (n == max)
			return -1;
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		fields[n] = trim(p);
		if (comma == NULL)
			return n + 1;
		p = comma + 1;
	}
}

__attribute__((format(printf, 2, 3))) static int fail(tl_usage_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return -1;
}

static int read_header(tl_usage_reader *r, char *line)
{
	char *fields[CSV_NAMES];
	int n = split_csv(line, fields, (int)CSV_NAMES);
	if (n < 0)
		return fail(r, "the header has more than 4 columns");
	for (int i = 0; i < n; i++) {
		r->csv_column[i] = -1;
		for (size_t k = 0; k < CSV_NAMES; k++)
			if (strcmp(fields[i], csv_names[k]) == 0)
				r->csv_column[i] = (int)k;
		if (r->csv_column[i] < 0)
			return fail(r, "the header names an unknown column '%.40s' (resource_id, "
				       "start, end, quantity)", fields[i]);
	}
	bool seen[CSV_NAMES] = {false};
	for (int i = 0; i < n; i++) {
		if (seen[r->csv_column[i]])
			return fail(r, "the header names '%s' twice", csv_names[r->csv_column[i]]);
		seen[r->csv_column[i]] = true;
	}
	for (size_t k = 0; k < 3; k++)
		if (!seen[k])
			return fail(r, "the header has no '%s' column (resource_id, start, end, "
				       "and optionally quantity)", csv_names[k]);
	r->csv_columns = n;
	r->has_header = true;
	return 0;
}

static int csv_quantity(tl_usage_reader *r, const char *text, json_t *record)
{
	if (text[0] == '\0')
		return 0;
	errno = 0;
	char *end = NULL;
	long long q = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text || q < 1)
		return fail(r, "quantity must be a whole number from 1, not '%.40s'", text);
	json_object_set_new(record, "quantity", json_integer(q));
	return 0;
}

static int csv_record(tl_usage_reader *r, char *line, json_t **out)
{
	if (strchr(line, '"'))
		return fail(r, "quoted CSV fields are not supported");
	char *fields[CSV_NAMES];
	int n = split_csv(line, fields, (int)CSV_NAMES);
	if (n != r->csv_columns)
		return fail(r, "the line has %s columns than the header (%d)",
			    n < r->csv_columns ? "fewer" : "more", r->csv_columns);
	json_t *record = json_object();
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *name = csv_names[r->csv_column[i]];
		if (strcmp(name, "quantity") == 0)
			rc = csv_quantity(r, fields[i], record);
		else
			json_object_set_new(record, name, json_string(fields[i]));
	}
	if (rc == 0 && json_object_size(record) < 3)
		rc = fail(r, "resource_id, start and end must be valid UTF-8");
	if (rc != 0) {
		json_decref(record);
		return rc;
	}
	*out = record;
	return 1;
}

static int ndjson_record(tl_usage_reader *r, const char *line, json_t **out)
{
	json_error_t err;
	json_t *record = json_loads(line, JSON_REJECT_DUPLICATES, &err);
	if (record == NULL)
		return fail(r, "not JSON: %.100s", err.text);
	if (!json_is_object(record)) {
		json_decref(record);
		return fail(r, "a usage record is a JSON object");
	}
	*out = record;
	return 1;
}

void tl_usage_reader_init(tl_usage_reader *r, FILE *f, enum tl_usage_format format)
{
	*r = (tl_usage_reader){.file = f, .format = format};
}

int tl_usage_reader_next(tl_usage_reader *r, json_t **out)
{
	for (;;) {
		ssize_t n = getline(&r->line, &r->cap, r->file);
		if (n < 0)
			return ferror(r->file) ? fail(r, "cannot read: %s", strerror(errno)) : 0;
		r->line_no++;
		if ((size_t)n > TL_USAGE_LINE_MAX)
			return fail(r, "the line is longer than %u bytes", TL_USAGE_LINE_MAX);
		if (strlen(r->line) != (size_t)n)
			return fail(r, "the line holds a NUL byte");
		char *text = trim(r->line);
		if (r->line_no == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
			text += 3; /* a UTF-8 byte order mark, as spreadsheets write */
		if (text[0] == '\0')
			continue;
		if (r->format == TL_USAGE_NDJSON)
			return ndjson_record(r, text, out);
		if (!r->has_header) {
			if (read_header(r, text) < 0)
				return -1;
			continue;
		}
		return csv_record(r, text, out);
	}
}

void tl_usage_reader_free(tl_usage_reader *r)
{
	free(r->line);
	r->line = NULL;
}

int tl_usage_format_guess(const char *name, FILE *f, enum tl_usage_format *out,
			  long *blank_lines)
{
	*blank_lines = 0;
	const char *dot = strrchr(name, '.');
	if (dot && strcmp(dot, ".csv") == 0) {
		*out = TL_USAGE_CSV;
		return 0;
	}
	if (dot && (strcmp(dot, ".ndjson") == 0 || strcmp(dot, ".jsonl") == 0)) {
		*out = TL_USAGE_NDJSON;
		return 0;
	}
	int c;
	while ((c = getc(f)) != EOF && isspace(c))
		*blank_lines += c == '\n';
	if (c == EOF)
		return -1;
	ungetc(c, f);
	*out = c == '{' ? TL_USAGE_NDJSON : TL_USAGE_CSV;
	return 0;
}
