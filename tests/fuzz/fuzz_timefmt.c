/*
 * fuzz_timefmt.c: RFC 3339 times (src/common/timefmt.c), the only form
 * times take in the API: every "now", "start", "end" and "expires_at" a
 * caller sends goes through tl_time_parse.
 *
 * Beyond not crashing, a time that parses must survive the round trip:
 * formatted, it is "YYYY-MM-DDTHH:MM:SSZ" and parses back to itself, and
 * adding a catalog term's months to it stays in range and moves forward.
 */
#include "fuzz.h"

#include "common/timefmt.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	if (text == NULL)
		return 0;
	int64_t t;
	if (tl_time_parse(text, &t) == 0) {
		char back[TL_TIME_STR_MAX];
		int64_t again = -1;
		tl_time_format(t, back);
		FUZZ_ASSERT(strlen(back) == TL_TIME_STR_MAX - 1);
		FUZZ_ASSERT(tl_time_parse(back, &again) == 0 && again == t);
		/* The longest term a catalog may offer is 36 months. */
		int months = size ? data[0] % 37 : 1;
		FUZZ_ASSERT(tl_time_add_months(t, months) >= t);
	}
	free(text);
	return 0;
}
