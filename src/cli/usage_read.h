/*
 * usage_read.h: the records of a usage file for `tally usage import`,
 * read one line at a time so a file of any size streams in batches.
 */
#ifndef TL_CLI_USAGE_READ_H
#define TL_CLI_USAGE_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* A record's line is far shorter (an id, two times, a number); a longer
 * one is a wrong file, not a record. */
#define TL_USAGE_LINE_MAX 65536u

enum tl_usage_format { TL_USAGE_NDJSON, TL_USAGE_CSV };

typedef struct tl_usage_reader {
	FILE *file;
	enum tl_usage_format format;
	char *line;
	size_t cap;
	long line_no;        /* the line last read, from 1 */
	bool has_header;     /* CSV: the header is read */
	int csv_columns;     /* CSV: columns in the header */
	int csv_column[4];   /* CSV: which record field each column is */
	char error[200];     /* why the last call returned -1 */
} tl_usage_reader;

void tl_usage_reader_init(tl_usage_reader *r, FILE *f, enum tl_usage_format format);

/* 1 and *out (the caller's) for the next record, 0 at the end of the file,
 * -1 with r->error saying what is wrong with line r->line_no. Blank lines
 * are skipped. */
int tl_usage_reader_next(tl_usage_reader *r, json_t **out);

void tl_usage_reader_free(tl_usage_reader *r);

/* The format of file `name` by its extension (.csv; .ndjson, .jsonl),
 * else by its first byte that is not a space ('{': NDJSON), which is left
 * unread; *blank_lines counts the newlines skipped to find it. -1 for an
 * empty file. */
int tl_usage_format_guess(const char *name, FILE *f, enum tl_usage_format *out,
			  long *blank_lines);

#endif
