/* timefmt.c: RFC 3339 formatting and strict parsing, without locale or TZ. */
#include "common/timefmt.h"
#include "common/err.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

void tl_time_format(int64_t unix_s, char out[TL_TIME_STR_MAX])
{
	/* strftime leaves out undefined when the text does not fit (a
	 * five-digit year, or a negative one, would not). */
	time_t t = (time_t)(unix_s < 0 ? 0 : unix_s > TL_TIME_MAX_S ? TL_TIME_MAX_S : unix_s);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, TL_TIME_STR_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Reads exactly n digits at *p into *out and moves *p past them. */
static bool read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* Reads "Z" or "+HH:MM"/"-HH:MM" into an offset east of UTC in seconds. */
static bool read_offset(const char **p, int *offset_s)
{
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*offset_s = 0;
		return true;
	}
	int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0;
	int hh, mm;
	if (sign == 0)
		return false;
	(*p)++;
	if (!read_digits(p, 2, &hh) || !expect(p, ':') || !read_digits(p, 2, &mm) ||
	    hh > 23 || mm > 59)
		return false;
	*offset_s = sign * (hh * 3600 + mm * 60);
	return true;
}

int tl_time_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int year, month, day, hour, minute, second, offset_s, unused;
	if (!read_digits(&p, 4, &year) || !expect(&p, '-') || !read_digits(&p, 2, &month) ||
	    !expect(&p, '-') || !read_digits(&p, 2, &day))
		return TL_EINVALID;
	if (*p != 'T' && *p != 't')
		return TL_EINVALID;
	p++;
	if (!read_digits(&p, 2, &hour) || !expect(&p, ':') || !read_digits(&p, 2, &minute) ||
	    !expect(&p, ':') || !read_digits(&p, 2, &second))
		return TL_EINVALID;
	if (*p == '.') {
		p++;
		if (!read_digits(&p, 1, &unused))
			return TL_EINVALID;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (!read_offset(&p, &offset_s) || *p != '\0')
		return TL_EINVALID;
	if (year < 1970 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 59)
		return TL_EINVALID;
	struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
	                .tm_hour = hour, .tm_min = minute, .tm_sec = second};
	int64_t t = (int64_t)timegm(&tm) - offset_s;
	if (t < 0 || t > TL_TIME_MAX_S)
		return TL_EINVALID;
	*out = t;
	return 0;
}

int64_t tl_time_add_months(int64_t t, int months)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int month_index = tm.tm_mon + months;
	int year = tm.tm_year + 1900 + month_index / 12;
	int month = month_index % 12 + 1;
	int last = days_in_month(year, month);
	if (tm.tm_mday > last)
		tm.tm_mday = last;
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	return (int64_t)timegm(&tm);
}

json_t *tl_time_to_json(int64_t unix_s)
{
	if (unix_s == 0)
		return json_null();
	char text[TL_TIME_STR_MAX];
	tl_time_format(unix_s, text);
	return json_string(text);
}

int64_t tl_time_member(const json_t *obj, const char *key)
{
	int64_t t = 0;
	const char *text = json_string_value(json_object_get(obj, key));
	if (text == NULL || tl_time_parse(text, &t) < 0)
		return 0;
	return t;
}
