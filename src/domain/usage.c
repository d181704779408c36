/* usage.c: checking a usage batch, and a record's key and stored form. */
#include "domain/usage.h"
#include "common/limits.h"
#include "common/timefmt.h"
#include "domain/money.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int bad_record(tl_error *err, size_t index, const char *field, const char *why)
{
	if (field[0])
		tl_error_set(err, TL_EINVALID, "invalid_record", "record %zu: \"%.64s\" %s", index,
			     field, why);
	else
		tl_error_set(err, TL_EINVALID, "invalid_record", "record %zu %s", index, why);
	tl_error_details(err, json_pack("{s:I, s:s}", "index", (json_int_t)index, "field",
					field));
	return TL_EINVALID;
}

static int parse_time(const json_t *rec, size_t index, const char *field, int64_t *out,
		      tl_error *err)
{
	const json_t *v = json_object_get(rec, field);
	if (v == NULL)
		return bad_record(err, index, field, "is required");
	if (!json_is_string(v) || tl_time_parse(json_string_value(v), out) < 0)
		return bad_record(err, index, field, "must be an RFC 3339 date-time");
	return 0;
}

static int parse_record(const json_t *rec, size_t index, tl_usage_record *out, tl_error *err)
{
	if (!json_is_object(rec))
		return bad_record(err, index, "", "must be an object");
	const char *key;
	const json_t *value;
	json_object_foreach((json_t *)(uintptr_t)rec, key, value) {
		if (strcmp(key, "resource_id") != 0 && strcmp(key, "start") != 0 &&
		    strcmp(key, "end") != 0 && strcmp(key, "quantity") != 0)
			return bad_record(err, index, key, "is not a field of a usage record");
	}
	const json_t *id = json_object_get(rec, "resource_id");
	if (id == NULL)
		return bad_record(err, index, "resource_id", "is required");
	if (!json_is_string(id))
		return bad_record(err, index, "resource_id", "must be a string");
	out->resource_id = json_string_value(id);
	int rc = parse_time(rec, index, "start", &out->start, err);
	if (rc == 0)
		rc = parse_time(rec, index, "end", &out->end, err);
	if (rc < 0)
		return rc;
	if (out->start >= out->end)
		return bad_record(err, index, "end", "must be after start");
	if (out->end - out->start > TL_USAGE_RECORD_MAX_S)
		return bad_record(err, index, "end", "must be at most 31 days after start");
	const json_t *q = json_object_get(rec, "quantity");
	out->quantity = 0;
	if (q != NULL) {
		if (!json_is_integer(q) || json_integer_value(q) < 1 ||
		    json_integer_value(q) > TL_USAGE_QUANTITY_MAX)
			return bad_record(err, index, "quantity",
					  "must be an integer from 1 to 1,000,000");
		out->quantity = json_integer_value(q);
	}
	return 0;
}

int tl_usage_batch_parse(const json_t *records, tl_usage_record **out, size_t *count,
			 tl_error *err)
{
	*out = NULL;
	*count = 0;
	size_t n = json_array_size(records);
	if (n == 0 || n > TL_USAGE_BATCH_MAX) {
		tl_error_set(err, TL_EINVALID, "invalid_batch",
			     "a usage batch has 1 to %u records, not %zu", TL_USAGE_BATCH_MAX, n);
		tl_error_details(err, json_pack("{s:I, s:I}", "count", (json_int_t)n, "max",
						(json_int_t)TL_USAGE_BATCH_MAX));
		return TL_EINVALID;
	}
	tl_usage_record *recs = calloc(n, sizeof(*recs));
	if (recs == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int rc = parse_record(json_array_get(records, i), i, &recs[i], err);
		if (rc < 0) {
			free(recs);
			return rc;
		}
		assert(recs[i].start < recs[i].end && recs[i].quantity >= 0);
	}
	*out = recs;
	*count = n;
	return 0;
}

/* ---- the fast path of tl_usage_batch_parse_fast ---- */

typedef struct cursor {
	char *p, *end; /* in the caller's copy of the body */
} cursor;

static void skip_ws(cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool take(cursor *c, char ch)
{
	skip_ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* A string of printable ASCII without escapes, terminated in place (its
 * closing quote becomes NUL). */
static bool plain_string(cursor *c, char **s)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != '"')
		return false;
	char *start = ++c->p;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p;
		if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			return false;
		c->p++;
	}
	if (c->p >= c->end)
		return false;
	*c->p++ = '\0';
	*s = start;
	return true;
}

/* 1 .. TL_USAGE_QUANTITY_MAX as plain digits, no leading zero. */
static bool plain_quantity(cursor *c, int64_t *out)
{
	skip_ws(c);
	int64_t v = 0;
	int digits = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && digits < 8) {
		if (digits == 0 && *c->p == '0')
			return false;
		v = v * 10 + (*c->p++ - '0');
		digits++;
	}
	if (digits == 0 || v > TL_USAGE_QUANTITY_MAX)
		return false;
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E' ||
			      (*c->p >= '0' && *c->p <= '9')))
		return false;
	*out = v;
	return true;
}

static bool fast_record(cursor *c, tl_usage_record *r)
{
	static const char *const names[] = {"resource_id", "start", "end", "quantity"};
	unsigned seen = 0;
	*r = (tl_usage_record){0};
	if (!take(c, '{'))
		return false;
	do {
		char *key = NULL, *value = NULL;
		if (!plain_string(c, &key) || !take(c, ':'))
			return false;
		unsigned which = 0;
		while (which < 4 && strcmp(key, names[which]) != 0)
			which++;
		if (which == 4 || (seen & (1u << which)))
			return false;
		seen |= 1u << which;
		if (which == 3) {
			if (!plain_quantity(c, &r->quantity))
				return false;
			continue;
		}
		if (!plain_string(c, &value))
			return false;
		if (which == 0)
			r->resource_id = value;
		else if (tl_time_parse(value, which == 1 ? &r->start : &r->end) < 0)
			return false;
	} while (take(c, ','));
	return take(c, '}') && (seen & 7u) == 7u && r->start < r->end &&
	       r->end - r->start <= TL_USAGE_RECORD_MAX_S;
}

int tl_usage_batch_parse_fast(const char *body, size_t len, tl_usage_record **out,
			      size_t *count, char **text)
{
	*out = NULL;
	*count = 0;
	*text = NULL;
	char *copy = malloc(len + 1);
	size_t cap = 1024, n = 0;
	tl_usage_record *recs = malloc(cap * sizeof(*recs));
	if (copy == NULL || recs == NULL) {
		free(copy);
		free(recs);
		return TL_EINTERNAL;
	}
	memcpy(copy, body, len);
	copy[len] = '\0';
	cursor c = {.p = copy, .end = copy + len};
	char *key = NULL;
	bool ok = take(&c, '{') && plain_string(&c, &key) && strcmp(key, "records") == 0 &&
		  take(&c, ':') && take(&c, '[');
	while (ok) {
		if (n == cap) {
			tl_usage_record *grown = realloc(recs, 2 * cap * sizeof(*recs));
			if (grown == NULL) {
				free(copy);
				free(recs);
				return TL_EINTERNAL;
			}
			recs = grown;
			cap *= 2;
		}
		ok = n < TL_USAGE_BATCH_MAX && fast_record(&c, &recs[n]);
		n += ok;
		if (!ok || !take(&c, ','))
			break;
	}
	ok = ok && take(&c, ']') && take(&c, '}');
	skip_ws(&c);
	if (!ok || c.p != c.end) {
		free(copy);
		free(recs);
		return 1;
	}
	*out = recs;
	*count = n;
	*text = copy;
	return 0;
}

int tl_usage_key(const tl_usage_record *r, char out[TL_USAGE_KEY_MAX], tl_error *err)
{
	char start[TL_TIME_STR_MAX], end[TL_TIME_STR_MAX];
	tl_time_format(r->start, start);
	tl_time_format(r->end, end);
	int len = snprintf(out, TL_USAGE_KEY_MAX, "%s:%s:%s", r->resource_id, start, end);
	if (len < 0 || (size_t)len >= TL_USAGE_KEY_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_record",
				    "resource id %.40s is too long", r->resource_id);
	return 0;
}

int64_t tl_usage_minutes(int64_t start, int64_t end)
{
	assert(start < end);
	return (end - start + 59) / 60;
}

json_t *tl_usage_to_json(const tl_usage_record *r, int64_t quantity, int64_t received_at)
{
	assert(quantity >= 1);
	char start[TL_TIME_STR_MAX], end[TL_TIME_STR_MAX], received[TL_TIME_STR_MAX];
	tl_time_format(r->start, start);
	tl_time_format(r->end, end);
	tl_time_format(received_at, received);
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "resource_id", r->resource_id, "start",
			 start, "end", end, "quantity", (json_int_t)quantity, "minutes",
			 (json_int_t)tl_usage_minutes(r->start, r->end), "received_at", received);
}

/* 00:00 UTC on the first day of t's month moved by `months`. */
static int64_t month_start(int64_t t, int months)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int month = tm.tm_year * 12 + tm.tm_mon + months;
	struct tm first = {.tm_year = month / 12, .tm_mon = month % 12, .tm_mday = 1};
	return (int64_t)timegm(&first);
}

int64_t tl_usage_month_of(int64_t t)
{
	return month_start(t, 0);
}

int64_t tl_usage_month_after(int64_t t)
{
	return month_start(t, 1);
}

int tl_usage_total_add(tl_usage_total *t, int64_t start, int64_t end, int64_t quantity,
		       tl_error *err)
{
	int64_t use = 0;
	if (tl_money_mul(tl_usage_minutes(start, end), quantity, &use) < 0 ||
	    tl_money_add(t->unit_minutes, use, &t->unit_minutes) < 0)
		return tl_error_set(err, TL_EINVALID, "price_overflow",
				    "the use of a resource overflows");
	t->records++;
	return 0;
}
