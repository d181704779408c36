/*
 * timefmt.h: RFC 3339 UTC times, the only form times take in the API.
 * Output is always "YYYY-MM-DDTHH:MM:SSZ". Input also accepts a fraction of a
 * second (dropped: tally's times are whole seconds) and a numeric offset.
 */
#ifndef TL_TIMEFMT_H
#define TL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TL_TIME_STR_MAX 21 /* "2026-11-22T10:00:00Z" and NUL */
/* 9999-12-31T23:59:59Z: the last time the format writes in four-digit
 * years, and so the last one tl_time_parse accepts, whatever its offset. */
#define TL_TIME_MAX_S INT64_C(253402300799)

/* A time outside 0 .. TL_TIME_MAX_S is written as the nearest end of that
 * range: out is always a time of TL_TIME_STR_MAX - 1 characters. */
void tl_time_format(int64_t unix_s, char out[TL_TIME_STR_MAX]);

/* 0, or TL_EINVALID when s is not an RFC 3339 date-time in years 1970-9999,
 * or names an instant outside 0 .. TL_TIME_MAX_S (9999-12-31T23:59:59-01:00
 * is in year 10000 UTC). */
int tl_time_parse(const char *s, int64_t *out);

/* t plus months calendar months, the day clamped to the target month's last
 * day (Jan 31 + 1 month = Feb 28 or 29), the time of day kept. */
int64_t tl_time_add_months(int64_t t, int months);

/* JSON forms of a time: an RFC 3339 string, or null for 0 ("none"); and
 * the time in an object's member (0 when absent or not a time). */
#include <jansson.h>
json_t *tl_time_to_json(int64_t unix_s);
int64_t tl_time_member(const json_t *obj, const char *key);

#endif
