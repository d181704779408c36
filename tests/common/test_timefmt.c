/* Unit tests: RFC 3339 parsing and formatting. */
#include <criterion/criterion.h>
#include "common/err.h"
#include "common/timefmt.h"

Test(timefmt, formats_utc_with_z)
{
	char out[TL_TIME_STR_MAX];
	tl_time_format(0, out);
	cr_assert_str_eq(out, "1970-01-01T00:00:00Z");
	tl_time_format(1795341600, out);
	cr_assert_str_eq(out, "2026-11-22T10:00:00Z");
}

Test(timefmt, parses_what_it_formats)
{
	int64_t t = 0;
	cr_assert_eq(tl_time_parse("2026-11-22T10:00:00Z", &t), 0);
	cr_assert_eq(t, 1795341600);
}

Test(timefmt, applies_offsets_and_drops_fractions)
{
	int64_t t = 0;
	cr_assert_eq(tl_time_parse("2026-11-22T17:00:00+07:00", &t), 0);
	cr_assert_eq(t, 1795341600);
	cr_assert_eq(tl_time_parse("2026-11-22T10:00:00.999Z", &t), 0);
	cr_assert_eq(t, 1795341600);
}

Test(timefmt, knows_leap_years)
{
	int64_t t;
	cr_assert_eq(tl_time_parse("2028-02-29T00:00:00Z", &t), 0);
	cr_assert_eq(tl_time_parse("2027-02-29T00:00:00Z", &t), TL_EINVALID);
	cr_assert_eq(tl_time_parse("2100-02-29T00:00:00Z", &t), TL_EINVALID);
	cr_assert_eq(tl_time_parse("2000-02-29T00:00:00Z", &t), 0);
}

Test(timefmt, rejects_malformed_times)
{
	static const char *bad[] = {
		"", "2026-11-22", "2026-11-22T10:00:00", "2026-11-22 10:00:00Z",
		"2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-22T24:00:00Z",
		"2026-11-22T10:60:00Z", "2026-11-22T10:00:60Z", "1969-12-31T23:59:59Z",
		"2026-11-22T10:00:00Zjunk", "2026-11-22T10:00:00+7:00", "2026-11-22T10:00:00.Z",
		"+2026-11-22T10:00:00Z", "1970-01-01T00:00:00+01:00",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t;
		cr_expect_eq(tl_time_parse(bad[i], &t), TL_EINVALID, "accepted \"%s\"", bad[i]);
	}
}

Test(timefmt, adds_calendar_months_clamping_the_day)
{
	int64_t t, out;
	char text[TL_TIME_STR_MAX];
	cr_assert_eq(tl_time_parse("2026-01-31T10:00:00Z", &t), 0);
	tl_time_format(tl_time_add_months(t, 1), text);
	cr_assert_str_eq(text, "2026-02-28T10:00:00Z");
	tl_time_format(tl_time_add_months(t, 13), text);
	cr_assert_str_eq(text, "2027-02-28T10:00:00Z");
	cr_assert_eq(tl_time_parse("2027-11-30T00:00:00Z", &t), 0);
	tl_time_format(tl_time_add_months(t, 3), text);
	cr_assert_str_eq(text, "2028-02-29T00:00:00Z");
	cr_assert_eq(tl_time_parse("2026-11-23T16:00:00Z", &t), 0);
	out = tl_time_add_months(t, 36);
	tl_time_format(out, text);
	cr_assert_str_eq(text, "2029-11-23T16:00:00Z");
}

/* Found by tests/fuzz/fuzz_timefmt: an offset moved a time in year 9999 into
 * year 10000 UTC, which parsed, and formatting it overran the buffer. */
Test(timefmt, rejects_instants_past_year_9999_utc)
{
	int64_t t = 0;
	cr_assert_eq(tl_time_parse("9999-12-31T23:59:59Z", &t), 0);
	cr_assert_eq(t, TL_TIME_MAX_S);
	cr_assert_eq(tl_time_parse("9999-12-31T23:59:59-01:00", &t), TL_EINVALID);
	cr_assert_eq(tl_time_parse("9999-12-31T22:59:59-01:00", &t), 0);
	cr_assert_eq(t, TL_TIME_MAX_S);
}

Test(timefmt, formats_out_of_range_times_as_the_nearest_end)
{
	char out[TL_TIME_STR_MAX];
	tl_time_format(TL_TIME_MAX_S + 3600, out);
	cr_assert_str_eq(out, "9999-12-31T23:59:59Z");
	tl_time_format(INT64_MAX, out);
	cr_assert_str_eq(out, "9999-12-31T23:59:59Z");
	tl_time_format(-1, out);
	cr_assert_str_eq(out, "1970-01-01T00:00:00Z");
}
