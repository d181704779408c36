/*
 * fuzz_usage_read.c: the CLI's usage file reader (src/cli/usage_read.c),
 * `tally usage import FILE`: NDJSON or CSV written by another program,
 * read one line at a time.
 *
 * The first byte picks how the format is found (by a .csv or .ndjson
 * name, or guessed from the content), the rest is the file. Every record
 * is read to the end or the first error, which must say what is wrong.
 */
#include "fuzz.h"

#include "cli/usage_read.h"

static const char *const names[] = {"usage.csv", "usage.ndjson", "-", "usage"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	FILE *f = fmemopen((void *)(uintptr_t)(data + 1), size - 1, "r");
	if (f == NULL)
		return 0;
	enum tl_usage_format fmt;
	long blank_lines = 0;
	if (tl_usage_format_guess(names[data[0] % 4], f, &fmt, &blank_lines) == 0) {
		tl_usage_reader r;
		tl_usage_reader_init(&r, f, fmt);
		json_t *record;
		int got;
		/* each record takes at least one byte of the file */
		for (size_t n = 0; n <= size && (got = tl_usage_reader_next(&r, &record)) == 1; n++) {
			FUZZ_ASSERT(json_is_object(record));
			json_decref(record);
		}
		FUZZ_ASSERT(got != 1);
		if (got < 0)
			FUZZ_ASSERT(r.error[0] != '\0');
		tl_usage_reader_free(&r);
	}
	fclose(f);
	return 0;
}
