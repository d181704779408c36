/* Unit tests: checking a usage batch, and a record's key, minutes and body. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "common/limits.h"
#include "domain/usage.h"

static json_t *parse(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	cr_assert_not_null(j, "%s", text);
	return j;
}

Test(usage, parses_records_and_normalises_times)
{
	json_t *in = parse("[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T07:00:00+07:00\","
			   "\"end\":\"2026-11-01T01:00:00.9Z\"},"
			   "{\"resource_id\":\"res_b\",\"start\":\"2026-11-01T00:00:00Z\","
			   "\"end\":\"2026-11-01T00:00:01Z\",\"quantity\":4}]");
	tl_usage_record *recs;
	size_t n;
	tl_error e = {0};
	cr_assert_eq(tl_usage_batch_parse(in, &recs, &n, &e), 0, "%s", e.message);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(recs[0].resource_id, "res_a");
	cr_expect_eq(recs[0].end - recs[0].start, 3600);
	cr_expect_eq(recs[0].quantity, 0); /* the resource's own */
	cr_expect_eq(recs[1].quantity, 4);

	char key[TL_USAGE_KEY_MAX];
	cr_assert_eq(tl_usage_key(&recs[0], key, &e), 0);
	cr_expect_str_eq(key, "res_a:2026-11-01T00:00:00Z:2026-11-01T01:00:00Z");

	json_t *body = tl_usage_to_json(&recs[1], 4, recs[1].start);
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	cr_expect_str_eq(text, "{\"end\":\"2026-11-01T00:00:01Z\",\"minutes\":1,\"quantity\":4,"
			       "\"received_at\":\"2026-11-01T00:00:00Z\",\"resource_id\":\"res_b\","
			       "\"start\":\"2026-11-01T00:00:00Z\"}");
	free(text);
	json_decref(body);
	free(recs);
	json_decref(in);
}

Test(usage, a_key_fits_the_longest_tally_times)
{
	tl_usage_record r = {.resource_id = "res_abcdefghijklmnop", .start = 0,
			     .end = 253402300799}; /* 9999-12-31T23:59:59Z */
	char key[TL_USAGE_KEY_MAX];
	tl_error e = {0};
	cr_assert_eq(tl_usage_key(&r, key, &e), 0);
	cr_expect_str_eq(key, "res_abcdefghijklmnop:1970-01-01T00:00:00Z:9999-12-31T23:59:59Z");
	r.resource_id = "res_this_is_far_too_long_to_be_an_id_of_tally_at_all";
	cr_expect_eq(tl_usage_key(&r, key, &e), TL_EINVALID);
	tl_error_clear(&e);
}

Test(usage, a_started_minute_counts)
{
	cr_expect_eq(tl_usage_minutes(0, 1), 1);
	cr_expect_eq(tl_usage_minutes(0, 60), 1);
	cr_expect_eq(tl_usage_minutes(0, 61), 2);
	cr_expect_eq(tl_usage_minutes(100, 100 + 30 * 24 * 3600), 43200);
}

Test(usage, refuses_empty_and_oversized_batches)
{
	tl_usage_record *recs = (tl_usage_record *)1;
	size_t n = 7;
	tl_error e = {0};
	json_t *empty = json_array();
	cr_expect_eq(tl_usage_batch_parse(empty, &recs, &n, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_batch");
	cr_expect_null(recs);
	cr_expect_eq(n, 0);
	tl_error_clear(&e);
	json_decref(empty);

	json_t *big = json_array();
	json_t *rec = parse("{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
			    "\"end\":\"2026-11-01T01:00:00Z\"}");
	for (size_t i = 0; i < TL_USAGE_BATCH_MAX; i++)
		json_array_append(big, rec);
	cr_assert_eq(tl_usage_batch_parse(big, &recs, &n, &e), 0);
	cr_expect_eq(n, TL_USAGE_BATCH_MAX);
	free(recs);
	json_array_append(big, rec);
	cr_expect_eq(tl_usage_batch_parse(big, &recs, &n, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_batch");
	cr_expect_eq(json_integer_value(json_object_get(e.details, "count")),
		     TL_USAGE_BATCH_MAX + 1);
	cr_expect_eq(json_integer_value(json_object_get(e.details, "max")), TL_USAGE_BATCH_MAX);
	tl_error_clear(&e);
	json_decref(rec);
	json_decref(big);
}

Test(usage, names_the_first_bad_record_and_field)
{
	struct { const char *record; const char *field; } cases[] = {
		{"\"res_a\"", ""},
		{"{\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"}",
		 "resource_id"},
		{"{\"resource_id\":null,\"start\":\"2026-11-01T00:00:00Z\","
		 "\"end\":\"2026-11-01T01:00:00Z\"}", "resource_id"},
		{"{\"resource_id\":\"r\",\"end\":\"2026-11-01T01:00:00Z\"}", "start"},
		{"{\"resource_id\":\"r\",\"start\":1,\"end\":\"2026-11-01T01:00:00Z\"}", "start"},
		{"{\"resource_id\":\"r\",\"start\":\"2026-11-01\",\"end\":\"2026-11-01T01:00:00Z\"}",
		 "start"},
		{"{\"resource_id\":\"r\",\"start\":\"2026-11-01T00:00:00Z\"}", "end"},
		{"{\"resource_id\":\"r\",\"start\":\"2026-11-01T01:00:00Z\","
		 "\"end\":\"2026-11-01T01:00:00Z\"}", "end"},
		{"{\"resource_id\":\"r\",\"start\":\"2026-11-01T01:00:00Z\","
		 "\"end\":\"2026-11-01T00:00:00Z\"}", "end"},
		/* a second over TL_USAGE_RECORD_MAX_S (31 days) */
		{"{\"resource_id\":\"r\",\"start\":\"2026-11-01T00:00:00Z\","
		 "\"end\":\"2026-12-02T00:00:01Z\"}", "end"},
		{"{\"resource_id\":\"r\",\"start\":\"2026-11-01T00:00:00Z\","
		 "\"end\":\"2026-11-01T01:00:00Z\",\"quantity\":0}", "quantity"},
		{"{\"resource_id\":\"r\",\"start\":\"2026-11-01T00:00:00Z\","
		 "\"end\":\"2026-11-01T01:00:00Z\",\"quantity\":\"2\"}", "quantity"},
		{"{\"resource_id\":\"r\",\"start\":\"2026-11-01T00:00:00Z\","
		 "\"end\":\"2026-11-01T01:00:00Z\",\"unit\":\"h\"}", "unit"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text),
			 "[{\"resource_id\":\"ok\",\"start\":\"2026-11-01T00:00:00Z\","
			 "\"end\":\"2026-11-01T01:00:00Z\"},%s]", cases[i].record);
		json_t *in = parse(text);
		tl_usage_record *recs = NULL;
		size_t n = 0;
		tl_error e = {0};
		cr_expect_eq(tl_usage_batch_parse(in, &recs, &n, &e), TL_EINVALID, "case %zu", i);
		cr_expect_null(recs, "case %zu", i);
		cr_expect_str_eq(e.code, "invalid_record", "case %zu", i);
		cr_expect_eq(json_integer_value(json_object_get(e.details, "index")), 1,
			     "case %zu", i);
		cr_expect_str_eq(json_string_value(json_object_get(e.details, "field")),
				 cases[i].field, "case %zu: %s", i, e.message);
		tl_error_clear(&e);
		json_decref(in);
	}
}

/* The fast path reads what the general one does, record for record. */
static void same_as_general(const char *body)
{
	tl_usage_record *fast = NULL, *slow = NULL;
	size_t nf = 0, ns = 0;
	char *text = NULL;
	cr_assert_eq(tl_usage_batch_parse_fast(body, strlen(body), &fast, &nf, &text), 0, "%s",
		     body);
	json_t *in = parse(body);
	tl_error e = {0};
	cr_assert_eq(tl_usage_batch_parse(json_object_get(in, "records"), &slow, &ns, &e), 0,
		     "%s", e.message);
	cr_assert_eq(nf, ns);
	for (size_t i = 0; i < nf; i++) {
		cr_expect_str_eq(fast[i].resource_id, slow[i].resource_id);
		cr_expect_eq(fast[i].start, slow[i].start);
		cr_expect_eq(fast[i].end, slow[i].end);
		cr_expect_eq(fast[i].quantity, slow[i].quantity);
	}
	free(fast);
	free(slow);
	free(text);
	json_decref(in);
}

Test(usage, the_fast_path_reads_common_batches_as_the_general_one)
{
	same_as_general("{\"records\":[{\"resource_id\":\"res_a\",\"start\":"
			"\"2026-11-01T07:00:00+07:00\",\"end\":\"2026-11-01T01:00:00.9Z\"},"
			"{\"quantity\":1000000,\"end\":\"2026-11-01T00:00:01Z\","
			"\"start\":\"2026-11-01T00:00:00Z\",\"resource_id\":\"res_b\"}]}");
	same_as_general(" { \"records\" : [ { \"resource_id\" : \"res_a\" ,\n\t\"start\" :"
			" \"2026-11-01T00:00:00Z\" , \"end\" : \"2026-12-02T00:00:00Z\" ,"
			" \"quantity\" : 7 } ] } \r\n");
}

/* Anything else goes to the general path, which accepts it or says what
 * is wrong exactly as before. */
Test(usage, the_fast_path_leaves_every_other_shape_to_the_general_one)
{
	static const char *const bodies[] = {
		"",
		"{}",
		"{\"records\":[]}",
		"{\"records\":[{}]}",
		"{\"records\":[],\"x\":1}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\"}],\"x\":1}",
		/* an escape, a duplicate key, an unknown field, a missing one */
		"{\"records\":[{\"resource_id\":\"res\\u0061\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\"}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"resource_id\":\"res_b\",\"start\":"
		"\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T00:01:00Z\"}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\",\"note\":\"x\"}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\"}]}",
		/* quantities the general path refuses or reads otherwise */
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\",\"quantity\":0}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\",\"quantity\":1.0}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\",\"quantity\":1000001}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\",\"quantity\":\"3\"}]}",
		/* times: not one, backwards, too long a record */
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"yesterday\","
		"\"end\":\"2026-11-01T00:01:00Z\"}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:01:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\"}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-12-02T00:00:01Z\"}]}",
		/* not ASCII, not closed, something after */
		"{\"records\":[{\"resource_id\":\"r\xc3\xa9s\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\"}]}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\"}",
		"{\"records\":[{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
		"\"end\":\"2026-11-01T00:01:00Z\"}]}x",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		tl_usage_record *recs = NULL;
		size_t n = 0;
		char *text = NULL;
		cr_expect_eq(tl_usage_batch_parse_fast(bodies[i], strlen(bodies[i]), &recs, &n,
						       &text), 1, "%s", bodies[i]);
		cr_expect_null(recs);
		cr_expect_null(text);
	}
}

Test(usage, the_fast_path_leaves_an_oversized_batch_to_the_general_one)
{
	static const char rec[] = "{\"resource_id\":\"res_a\",\"start\":\"2026-11-01T00:00:00Z\","
				  "\"end\":\"2026-11-01T00:01:00Z\"}";
	size_t n = TL_USAGE_BATCH_MAX + 1, len = 0, cap = n * (sizeof(rec) + 1) + 32;
	char *body = malloc(cap);
	len += (size_t)snprintf(body, cap, "{\"records\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(body + len, cap - len, "%s%s", i ? "," : "", rec);
	len += (size_t)snprintf(body + len, cap - len, "]}");
	tl_usage_record *recs = NULL;
	size_t count = 0;
	char *text = NULL;
	cr_expect_eq(tl_usage_batch_parse_fast(body, len, &recs, &count, &text), 1);
	/* one fewer is the common shape */
	len = strlen(body) - sizeof(rec) - 2;
	memcpy(body + len, "]}", 3);
	cr_expect_eq(tl_usage_batch_parse_fast(body, len + 2, &recs, &count, &text), 0);
	cr_expect_eq(count, TL_USAGE_BATCH_MAX);
	free(recs);
	free(text);
	free(body);
}
