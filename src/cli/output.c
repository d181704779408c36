/*
 * output.c: answers as tables for people.
 *
 * A table is a header of column titles and one line per JSON object, each
 * column as wide as its widest cell, counted in UTF-8 characters (names
 * are often Vietnamese). Cells are cut at TL_CLI_CELL_MAX bytes on a
 * character boundary; missing and null values show as "-"; amounts (the
 * column's `right`) are aligned right. Text from the server never reaches
 * the terminal with control characters in it.
 *
 * A detail view (one object, such as `resources show`) is "Label: value"
 * lines, the values in one column.
 */
#include "cli/cli.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static bool is_control(char c)
{
	unsigned char u = (unsigned char)c;
	return u < 0x20 || u == 0x7f;
}

static bool is_continuation(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += !is_continuation(*s);
	return w;
}

void tl_cli_put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(is_control(*s) ? '?' : *s, f);
}

/* s into out[TL_CLI_CELL_MAX], cleaned; a longer s ends in "...". */
static void clean_copy(char *out, const char *s)
{
	const size_t keep = TL_CLI_CELL_MAX - 4; /* room for "..." and NUL */
	size_t n = 0;
	for (; *s && n < keep; s++)
		out[n++] = is_control(*s) ? '?' : *s;
	if (*s) {
		if (is_continuation(*s)) { /* drop the partial character */
			while (n > 0 && is_continuation(out[n - 1]))
				n--;
			n -= n > 0;
		}
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static void cell_text(const json_t *row, const char *field, char *out)
{
	const json_t *v = json_object_get(row, field);
	if (v == NULL || json_is_null(v)) {
		clean_copy(out, "-");
	} else if (json_is_string(v)) {
		clean_copy(out, json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(out, TL_CLI_CELL_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(out, TL_CLI_CELL_MAX, "%.17g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		clean_copy(out, json_is_true(v) ? "true" : "false");
	} else {
		char *dumped = json_dumps(v, JSON_COMPACT);
		clean_copy(out, dumped ? dumped : "?");
		free(dumped);
	}
}

void tl_cli_field_text(const json_t *object, const char *field, char *out)
{
	cell_text(object, field, out);
}

/* Labels of a detail view, colon included, are padded to this many
 * characters: the longest, "Stop POC available:". */
#define LABEL_WIDTH 19

void tl_cli_print_field(const char *label, const char *value)
{
	char text[TL_CLI_CELL_MAX];
	clean_copy(text, value && value[0] ? value : "-");
	size_t w = display_width(label) + 1;
	fputs(label, stdout);
	fputc(':', stdout);
	for (; w < LABEL_WIDTH; w++)
		fputc(' ', stdout);
	fputc(' ', stdout);
	fputs(text, stdout);
	fputc('\n', stdout);
}

static void pad(size_t from, size_t to)
{
	for (; from < to; from++)
		fputc(' ', stdout);
}

/* Two blanks between columns; a right-aligned cell is padded before. */
static void print_cells(char cells[][TL_CLI_CELL_MAX], const tl_cli_column *cols, size_t ncols,
			const size_t *widths)
{
	for (size_t c = 0; c < ncols; c++) {
		size_t w = display_width(cells[c]);
		bool last = c + 1 == ncols;
		if (cols[c].right)
			pad(w, widths[c]);
		fputs(cells[c], stdout);
		if (last)
			break;
		pad(cols[c].right ? widths[c] : w, widths[c] + 2);
	}
	fputc('\n', stdout);
}

static void measure(const tl_cli_column *cols, size_t ncols, const json_t *rows,
		    size_t *widths)
{
	char cell[TL_CLI_CELL_MAX];
	for (size_t c = 0; c < ncols; c++)
		widths[c] = display_width(cols[c].title);
	for (size_t r = 0; r < json_array_size(rows); r++) {
		for (size_t c = 0; c < ncols; c++) {
			cell_text(json_array_get(rows, r), cols[c].field, cell);
			size_t w = display_width(cell);
			widths[c] = w > widths[c] ? w : widths[c];
		}
	}
}

void tl_cli_print_table(const tl_cli_column *cols, size_t ncols, const json_t *rows)
{
	assert(ncols > 0 && ncols <= TL_CLI_COLUMNS_MAX);
	size_t widths[TL_CLI_COLUMNS_MAX];
	char cells[TL_CLI_COLUMNS_MAX][TL_CLI_CELL_MAX];
	measure(cols, ncols, rows, widths);
	for (size_t c = 0; c < ncols; c++)
		clean_copy(cells[c], cols[c].title);
	print_cells(cells, cols, ncols, widths);
	for (size_t r = 0; r < json_array_size(rows); r++) {
		for (size_t c = 0; c < ncols; c++)
			cell_text(json_array_get(rows, r), cols[c].field, cells[c]);
		print_cells(cells, cols, ncols, widths);
	}
}

int tl_cli_print_one(const tl_cli_column *cols, size_t ncols, json_t *object)
{
	if (!json_is_object(object)) {
		fputs("error: the server's answer is not a JSON object\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	json_t *rows = json_array();
	if (rows == NULL || json_array_append(rows, object) < 0) {
		fputs("error: out of memory\n", stderr);
		json_decref(rows);
		return TL_CLI_EXIT_SERVER;
	}
	tl_cli_print_table(cols, ncols, rows);
	json_decref(rows);
	return TL_CLI_EXIT_OK;
}

int tl_cli_print_page(const tl_cli_column *cols, size_t ncols, const json_t *page)
{
	const json_t *data = json_object_get(page, "data");
	if (!json_is_array(data)) {
		fputs("error: the server's answer has no \"data\" list\n", stderr);
		return TL_CLI_EXIT_SERVER;
	}
	tl_cli_print_table(cols, ncols, data);
	const char *next = json_string_value(json_object_get(page, "next"));
	if (next) {
		fputs("more: repeat with --after ", stderr);
		tl_cli_put_clean(stderr, next);
		fputs(" for the next page\n", stderr);
	}
	return TL_CLI_EXIT_OK;
}
