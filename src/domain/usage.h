/*
 * usage.h: metered usage of postpaid resources, as POST /v1/usage submits
 * it. Pure: what a well-formed batch is, and the stored form of a record.
 *
 * A record says "resource R was used from start to end (by quantity
 * units)". Its identity is (resource, start, end): the same period of the
 * same resource submitted again is a duplicate and changes nothing, so a
 * submitter may resend a batch after any failure. The identity is the
 * record's key, "<resource_id>:<start>:<end>" with both times in tally's
 * one canonical form, so "10:00:00+07:00" and "03:00:00Z" are one period.
 *
 * Invariants of a parsed record:
 *   1. start < end, both whole seconds in 1970..9999.
 *   2. quantity >= 1, or 0 meaning "the resource's own quantity".
 *   3. minutes >= 1: a started minute counts as a whole one.
 */
#ifndef TL_USAGE_H
#define TL_USAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/limits.h"

typedef struct tl_usage_record {
	const char *resource_id; /* borrowed from the request's JSON */
	int64_t start, end;      /* unix seconds, start < end */
	int64_t quantity;        /* >= 1, or 0: the resource's quantity */
} tl_usage_record;

/* "<resource_id>:<start>:<end>": 20 + 1 + 20 + 1 + 20 bytes for tally's
 * ids. */
#define TL_USAGE_KEY_MAX 64u

/* Checks a request's "records" array and fills *out (count entries, the
 * caller frees it) with borrowed views of its members:
 *   - not 1..TL_USAGE_BATCH_MAX records: TL_EINVALID "invalid_batch"
 *     with details {count, max};
 *   - a malformed record: TL_EINVALID "invalid_record" with details
 *     {index, field} (field "" when the record is not an object, as for
 *     the ledger's batches).
 * Whether each resource exists and may be billed is the service's
 * question, answered per record, not here. */
int tl_usage_batch_parse(const json_t *records, tl_usage_record **out, size_t *count,
			 tl_error *err);

/* The same as tl_json_input + tl_usage_batch_parse for the common shape
 * of a request body, without building its JSON: {"records": [...]} and
 * nothing else, each record an object of the four fields (no escapes in
 * its strings, printable ASCII, quantity plain digits) that
 * tl_usage_batch_parse accepts. 0 with *out (count records) and *text
 * (the records' strings point into it), both the caller's to free; 1 when
 * the body is anything else (the caller then takes the general path,
 * which accepts it or says exactly what is wrong); TL_EINTERNAL when out
 * of memory. Parsing 10,000 records as a JSON tree cost more than
 * storing them. */
int tl_usage_batch_parse_fast(const char *body, size_t len, tl_usage_record **out,
			      size_t *count, char **text);

/* The record's key (TL_USAGE_KEY_MAX bytes); TL_EINVALID when the
 * resource id is too long to be one of tally's. */
int tl_usage_key(const tl_usage_record *r, char out[TL_USAGE_KEY_MAX], tl_error *err);

/* Minutes billed for [start, end): whole minutes, a started one counted. */
int64_t tl_usage_minutes(int64_t start, int64_t end);

/* The stored body: {resource_id, start, end, quantity, minutes,
 * received_at}, quantity already resolved (>= 1). */
json_t *tl_usage_to_json(const tl_usage_record *r, int64_t quantity, int64_t received_at);

/* ---- the stored form (tables usage_records and usage_months) ---- */

/* One accepted record as stored: its resource by the resources table's
 * seq, the period, the quantity resolved (>= 1). Invariants 1 and 2 above,
 * and (resource_seq, start, end) is its identity. */
typedef struct tl_usage_row {
	int64_t resource_seq;
	int64_t start, end;
	int64_t quantity;        /* >= 1 */
	int64_t received_at;
	char id[TL_ID_MAX];      /* "usg_...", the audit event's subject */
} tl_usage_row;

/* What rating needs of a resource's records over a period: how many
 * there are and their unit-minutes (sum of minutes x quantity). */
typedef struct tl_usage_total {
	int64_t records;
	int64_t unit_minutes;
} tl_usage_total;

/* A resource's total for the month (00:00 UTC on its 1st, unix seconds)
 * in which its records start: the incremental rating. */
typedef struct tl_usage_month {
	int64_t resource_seq;
	int64_t month;
	tl_usage_total total;
} tl_usage_month;

/* 00:00 UTC on the first day of the month that contains t. */
int64_t tl_usage_month_of(int64_t t);

/* 00:00 UTC on the first day of the month after the one that contains t. */
int64_t tl_usage_month_after(int64_t t);

/* Adds a record's unit-minutes to *t and counts it: TL_EINVALID
 * "price_overflow" when the sum overflows. */
int tl_usage_total_add(tl_usage_total *t, int64_t start, int64_t end, int64_t quantity,
		       tl_error *err);

#endif
