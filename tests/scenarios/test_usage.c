/*
 * Scenario: metered usage (POST /v1/usage) and the account type (PATCH
 * /v1/accounts/{acc}) through a real tallyd. An account with a POC wallet
 * owns a postpaid snapshot (a metered item), which takes usage, a postpaid
 * load balancer (billed on its running time), whose usage is refused, and
 * a POC server, which takes none; another account's resources are
 * invisible to it. Usage is
 * the provider's word: it comes with the admin token or the account's
 * metering token (`meter`), never with the customer's own token.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80], meter[80], snap[64], lb[64], server[64];

static const char *str(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? s : "";
}

static int64_t num(const json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}

static void create_resource(const char *tok, const char *body, char *out)
{
	tt_response r = tt_request(&srv, "POST", "/v1/resources", tok, body, NULL);
	cr_assert_eq(r.status, 201, "%s -> %s", body, r.raw);
	snprintf(out, 64, "%s", str(r.json, "id"));
	tt_response_free(&r);
}

/* A token of the given scope for account id: 201 with the scope shown. */
static void create_scoped_token(const char *id, const char *scope, char *out)
{
	char path[128], body[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/tokens", id);
	snprintf(body, sizeof(body), "{\"scope\":\"%s\"}", scope);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "scope")), scope, "%s", r.raw);
	snprintf(out, 80, "%s", json_string_value(json_object_get(r.json, "token")));
	tt_response_free(&r);
}

static void start(void)
{
	tt_server_start(&srv, NULL);
	tt_create_account(&srv, "Metered customer", acc);
	tt_create_token(&srv, acc, token);
	create_scoped_token(acc, "metering", meter);
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token,
				   "{\"amount\":100000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}",
				   NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	create_resource(token, "{\"type\":\"snapshot\",\"name\":\"backup\",\"poc\":false,"
			       "\"spec\":{\"size_gb\":1}}", snap);
	create_resource(token, "{\"type\":\"load_balancer\",\"name\":\"edge-lb\",\"poc\":false,"
			       "\"spec\":{}}", lb);
	create_resource(token, "{\"type\":\"server\",\"name\":\"poc-vm\",\"poc\":true,"
			       "\"spec\":{\"flavor\":\"s.general.2c4g\"}}", server);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(usage, .init = start, .fini = stop);

static tt_response submit(const char *tok, const char *records)
{
	char body[4096];
	snprintf(body, sizeof(body), "{\"records\":[%s]}", records);
	return tt_request(&srv, "POST", "/v1/usage", tok, body, NULL);
}

static void assert_counts(const tt_response *r, int64_t accepted, int64_t duplicates,
			  int64_t rejected)
{
	cr_assert_eq(r->status, 200, "%s", r->raw);
	cr_assert_eq(num(r->json, "accepted"), accepted, "%s", r->raw);
	cr_assert_eq(num(r->json, "duplicates"), duplicates, "%s", r->raw);
	cr_assert_eq(num(r->json, "rejected"), rejected, "%s", r->raw);
	cr_assert_eq(json_array_size(json_object_get(r->json, "results")),
		     (size_t)(duplicates + rejected), "%s", r->raw);
}

/* The result for the record at index, or "" when it was accepted. */
static const char *result_of(const tt_response *r, int64_t index)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r->json, "results"), i, e)
		if (num(e, "index") == index)
			return str(e, "result");
	return "";
}

/* Events of a type on the trail (admin view). */
static size_t count_events(const char *type, json_t **last)
{
	tt_response r = tt_request(&srv, "GET", "/v1/events?limit=500", srv.admin_token, NULL,
				   NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "data"), i, e) {
		if (strcmp(str(e, "type"), type) == 0) {
			if (n++ == 0 && last)
				*last = json_incref(e);
		}
	}
	tt_response_free(&r);
	return n;
}

/* One text or integer from the store (the usage records have no read
 * API yet: the database is the witness), read-only beside tallyd (WAL). */
static void query_text(const char *sql, char *out, size_t size)
{
	sqlite3 *db = NULL;
	cr_assert_eq(sqlite3_open_v2(srv.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	const unsigned char *text = sqlite3_column_text(st, 0);
	snprintf(out, size, "%s", text ? (const char *)text : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int64_t usage_docs_of(const char *resource_id)
{
	char sql[512], out[32];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM usage_records u JOIN resources r"
		 " ON r.seq = u.resource_seq WHERE r.id = '%s' AND u.end_at > u.start_at",
		 resource_id);
	query_text(sql, out, sizeof(out));
	return strtoll(out, NULL, 10);
}

Test(usage, records_postpaid_usage_and_rejects_what_it_cannot_bill)
{
	char other[64], other_token[80], foreign_lb[64], records[2048];
	tt_create_account(&srv, "Someone else", other);
	tt_create_token(&srv, other, other_token);
	create_resource(other_token, "{\"type\":\"snapshot\",\"name\":\"theirs\","
				     "\"poc\":false,\"spec\":{\"size_gb\":5}}", foreign_lb);
	snprintf(records, sizeof(records),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"},"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T01:00:00Z\",\"end\":\"2026-11-01T02:00:00Z\",\"quantity\":3},"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"},"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"},"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"},"
		 "{\"resource_id\":\"res_aaaaaaaaaaaaaaaa\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"}",
		 snap, snap, snap, server, foreign_lb);
	tt_response r = submit(meter, records);
	assert_counts(&r, 2, 1, 3);
	cr_expect_str_eq(result_of(&r, 0), "");
	cr_expect_str_eq(result_of(&r, 1), "");
	cr_expect_str_eq(result_of(&r, 2), "duplicate"); /* same batch */
	cr_expect_str_eq(result_of(&r, 3), "not_postpaid");
	cr_expect_str_eq(result_of(&r, 4), "resource_not_found");
	cr_expect_str_eq(result_of(&r, 5), "resource_not_found");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "results"), i, e)
		cr_expect(json_object_get(e, "resource_id") != NULL, "%s", r.raw);
	tt_response_free(&r);

	/* across calls: the same periods again are duplicates, even written
	 * with another offset; a new period is accepted */
	snprintf(records, sizeof(records),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T07:00:00+07:00\",\"end\":\"2026-11-01T01:00:00Z\"},"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T01:00:00Z\",\"end\":\"2026-11-01T02:00:00Z\"},"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T02:00:00Z\",\"end\":\"2026-11-01T02:30:10Z\"}",
		 snap, snap, snap);
	r = submit(meter, records);
	assert_counts(&r, 1, 2, 0);
	cr_expect_str_eq(result_of(&r, 0), "duplicate");
	cr_expect_str_eq(result_of(&r, 1), "duplicate");
	tt_response_free(&r);
	cr_assert_eq(usage_docs_of(snap), 3);

	/* one event per call that recorded something, with its counts */
	json_t *ev = NULL;
	cr_assert_eq(count_events("usage.recorded", &ev), 2);
	cr_expect_str_eq(str(ev, "account_id"), acc);
	json_t *after = json_object_get(ev, "after");
	cr_expect_eq(num(after, "accepted"), 1);
	cr_expect_eq(num(after, "duplicates"), 2);
	json_decref(ev);

	/* nothing new: no event */
	r = submit(meter, records);
	assert_counts(&r, 0, 3, 0);
	tt_response_free(&r);
	cr_assert_eq(count_events("usage.recorded", NULL), 2);
}

Test(usage, the_admin_submits_for_any_account_and_quantity_defaults_to_the_resource)
{
	char records[512];
	snprintf(records, sizeof(records),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-02T00:00:00Z\",\"end\":\"2026-11-02T00:00:30Z\"}",
		 snap);
	tt_response r = submit(srv.admin_token, records);
	assert_counts(&r, 1, 0, 0);
	tt_response_free(&r);
	json_t *ev = NULL;
	cr_assert_eq(count_events("usage.recorded", &ev), 1);
	cr_expect_str_eq(str(ev, "account_id"), acc);
	cr_expect_str_eq(str(ev, "actor"), "admin");
	json_decref(ev);

	char out[256], want[256];
	query_text("SELECT u.quantity || '|' || ((u.end_at - u.start_at + 59) / 60) || '|' ||"
		   " r.account_id || '|' || r.id || ':' ||"
		   " strftime('%Y-%m-%dT%H:%M:%SZ', u.start_at, 'unixepoch') || ':' ||"
		   " strftime('%Y-%m-%dT%H:%M:%SZ', u.end_at, 'unixepoch') || '|' ||"
		   " strftime('%Y-%m-%dT%H:%M:%SZ', u.start_at, 'unixepoch')"
		   " FROM usage_records u JOIN resources r ON r.seq = u.resource_seq",
		   out, sizeof(out));
	/* the resource's quantity; a started minute counts */
	snprintf(want, sizeof(want), "1|1|%s|%s:2026-11-02T00:00:00Z:2026-11-02T00:00:30Z|"
		 "2026-11-02T00:00:00Z", acc, snap);
	cr_expect_str_eq(out, want);
}

Test(usage, a_deleted_resource_takes_no_usage)
{
	char path[128], records[512];
	snprintf(path, sizeof(path), "/v1/resources/%s", snap);
	tt_response r = tt_request(&srv, "DELETE", path, token, NULL, NULL);
	cr_assert(r.status == 200 || r.status == 204, "%s", r.raw);
	tt_response_free(&r);
	snprintf(records, sizeof(records),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"}",
		 snap);
	r = submit(meter, records);
	assert_counts(&r, 0, 0, 1);
	cr_expect_str_eq(result_of(&r, 0), "resource_deleted");
	tt_response_free(&r);
	cr_assert_eq(count_events("usage.recorded", NULL), 0);
}

static void expect_bad_record(const char *record, int64_t index, const char *field)
{
	char records[1024];
	snprintf(records, sizeof(records),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"},%s",
		 snap, record);
	tt_response r = submit(meter, records);
	cr_assert_eq(r.status, 400, "%s -> %s", record, r.raw);
	cr_expect_str_eq(tt_error_code(&r), "invalid_record", "%s", r.raw);
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_expect_eq(num(details, "index"), index, "%s", r.raw);
	cr_expect_str_eq(json_string_value(json_object_get(details, "field")), field, "%s -> %s",
			 record, r.raw);
	tt_response_free(&r);
}

Test(usage, a_malformed_record_fails_the_whole_batch_naming_it)
{
	char rec[512];
	snprintf(rec, sizeof(rec),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T02:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"}",
		 snap);
	expect_bad_record(rec, 1, "end"); /* end before start */
	snprintf(rec, sizeof(rec),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T01:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"}",
		 snap);
	expect_bad_record(rec, 1, "end"); /* empty period */
	expect_bad_record("{\"resource_id\":\"res_x\",\"start\":\"yesterday\","
			  "\"end\":\"2026-11-01T01:00:00Z\"}", 1, "start");
	expect_bad_record("{\"resource_id\":\"res_x\",\"start\":\"2026-11-01T00:00:00Z\"}", 1,
			  "end");
	expect_bad_record("{\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"}",
			  1, "resource_id");
	expect_bad_record("{\"resource_id\":7,\"start\":\"2026-11-01T00:00:00Z\","
			  "\"end\":\"2026-11-01T01:00:00Z\"}", 1, "resource_id");
	expect_bad_record("{\"resource_id\":\"res_x\",\"start\":\"2026-11-01T00:00:00Z\","
			  "\"end\":\"2026-11-01T01:00:00Z\",\"quantity\":0}", 1, "quantity");
	expect_bad_record("{\"resource_id\":\"res_x\",\"start\":\"2026-11-01T00:00:00Z\","
			  "\"end\":\"2026-11-01T01:00:00Z\",\"quantity\":1.5}", 1, "quantity");
	/* a quantity the monthly reconciliation could not multiply out */
	expect_bad_record("{\"resource_id\":\"res_x\",\"start\":\"2026-11-01T00:00:00Z\","
			  "\"end\":\"2026-11-01T01:00:00Z\",\"quantity\":9223372036854775807}", 1,
			  "quantity");
	expect_bad_record("{\"resource_id\":\"res_x\",\"start\":\"2026-11-01T00:00:00Z\","
			  "\"end\":\"2026-11-01T01:00:00Z\",\"quantity\":1000001}", 1, "quantity");
	expect_bad_record("{\"resource_id\":\"res_x\",\"start\":\"2026-11-01T00:00:00Z\","
			  "\"end\":\"2026-11-01T01:00:00Z\",\"cost\":1}", 1, "cost");
	expect_bad_record("\"res_x\"", 1, ""); /* not an object */
	/* nothing of those batches was recorded, not even their good record 0 */
	cr_assert_eq(count_events("usage.recorded", NULL), 0);
}

/* {"records":[n copies of a record for snap, period i minutes from a start]} */
static char *big_batch(size_t n)
{
	size_t cap = n * 160 + 64, len = 0;
	char *body = malloc(cap);
	cr_assert_not_null(body);
	len += (size_t)snprintf(body, cap, "{\"records\":[");
	for (size_t i = 0; i < n; i++) {
		/* minute i of November 2026 */
		int64_t t = 1793491200 + (int64_t)i * 60;
		char start[32], end[32];
		time_t ts = (time_t)t, te = (time_t)(t + 60);
		struct tm tm;
		strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&ts, &tm));
		strftime(end, sizeof(end), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&te, &tm));
		len += (size_t)snprintf(body + len, cap - len,
					"%s{\"resource_id\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"}",
					i ? "," : "", snap, start, end);
	}
	snprintf(body + len, cap - len, "]}");
	return body;
}

Test(usage, a_batch_has_one_to_ten_thousand_records)
{
	tt_response r = tt_request(&srv, "POST", "/v1/usage", meter, "{\"records\":[]}", NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "invalid_batch");
	tt_response_free(&r);

	char *body = big_batch(10001);
	r = tt_request(&srv, "POST", "/v1/usage", meter, body, NULL);
	free(body);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "invalid_batch");
	json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
	cr_expect_eq(num(details, "count"), 10001, "%s", r.raw);
	cr_expect_eq(num(details, "max"), 10000, "%s", r.raw);
	tt_response_free(&r);

	body = big_batch(10000);
	r = tt_request(&srv, "POST", "/v1/usage", meter, body, NULL);
	assert_counts(&r, 10000, 0, 0);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/usage", meter, body, NULL); /* all again */
	free(body);
	assert_counts(&r, 0, 10000, 0);
	tt_response_free(&r);

	r = tt_request(&srv, "POST", "/v1/usage", meter, "{}", NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "missing_field");
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/usage", meter, "{\"records\":{}}", NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "invalid_type");
	tt_response_free(&r);
}

/* The customer's own token cannot bill itself: a one-minute record would
 * replace its resource's bill. 403, and nothing is recorded. */
Test(usage, an_account_token_cannot_submit_usage)
{
	char records[512];
	snprintf(records, sizeof(records),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T00:01:00Z\"}",
		 snap);
	tt_response r = submit(token, records);
	cr_assert_eq(r.status, 403, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "forbidden");
	tt_response_free(&r);
	cr_expect_eq(usage_docs_of(snap), 0);
	cr_expect_eq(count_events("usage.recorded", NULL), 0);

	/* an explicit "account" scope is the same kind of token */
	char plain[80];
	create_scoped_token(acc, "account", plain);
	r = submit(plain, records);
	cr_assert_eq(r.status, 403, "%s", r.raw);
	tt_response_free(&r);
	cr_expect_eq(usage_docs_of(snap), 0);

	/* the metering token of the same account is accepted */
	r = submit(meter, records);
	assert_counts(&r, 1, 0, 0);
	tt_response_free(&r);
	cr_expect_eq(usage_docs_of(snap), 1);
}

/* A load balancer is billed on its running time: a metered record would
 * replace that bill (a one-minute record made a 726,000 VND month cost 23),
 * so the batch is refused 422 and nothing of it is recorded. */
Test(usage, usage_of_a_running_time_item_is_refused)
{
	char records[1024];
	snprintf(records, sizeof(records),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"},"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T00:01:00Z\"}",
		 snap, lb);
	const char *tokens[] = {meter, srv.admin_token};
	for (size_t i = 0; i < 2; i++) {
		tt_response r = submit(tokens[i], records);
		cr_assert_eq(r.status, 422, "%s", r.raw);
		cr_expect_str_eq(tt_error_code(&r), "usage_not_metered", "%s", r.raw);
		json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
		cr_expect_eq(num(details, "index"), 1, "%s", r.raw);
		cr_expect_str_eq(str(details, "resource_id"), lb, "%s", r.raw);
		cr_expect_str_eq(str(details, "item_id"), "vlb.basic", "%s", r.raw);
		tt_response_free(&r);
	}
	cr_expect_eq(usage_docs_of(lb), 0);
	cr_expect_eq(usage_docs_of(snap), 0); /* not even the good record */
	cr_expect_eq(count_events("usage.recorded", NULL), 0);

	/* the catalog says how each item is billed */
	tt_response r = tt_request(&srv, "GET", "/v1/catalog", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	size_t i;
	json_t *item;
	int seen = 0;
	json_array_foreach(json_object_get(r.json, "items"), i, item) {
		if (strcmp(str(item, "id"), "vlb.basic") == 0)
			seen += strcmp(str(item, "billing"), "running_time") == 0;
		if (strcmp(str(item, "id"), "snapshot.standard") == 0)
			seen += strcmp(str(item, "billing"), "metered") == 0;
	}
	cr_expect_eq(seen, 2, "%s", r.raw);
	tt_response_free(&r);
}

/* A metering token submits usage and does nothing else: not even read. */
Test(usage, a_metering_token_only_submits_usage)
{
	static const char *const calls[][2] = {
		{"GET", "/v1/resources"},
		{"GET", "/v1/catalog"},
		{"GET", "/v1/wallets"},
		{"POST", "/v1/resources"},
		{"POST", "/v1/checkouts"},
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		bool post = calls[i][0][0] == 'P';
		tt_response r = tt_request(&srv, calls[i][0], calls[i][1], meter,
					   post ? "{}" : NULL, NULL);
		cr_expect_eq(r.status, 403, "%s %s -> %s", calls[i][0], calls[i][1], r.raw);
		tt_response_free(&r);
	}
	char path[128], other[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s", acc);
	tt_response r = tt_request(&srv, "GET", path, meter, NULL, NULL);
	cr_expect_eq(r.status, 403, "%s", r.raw);
	tt_response_free(&r);
	/* and it cannot issue tokens (admin only) */
	snprintf(path, sizeof(path), "/v1/accounts/%s/tokens", acc);
	r = tt_request(&srv, "POST", path, meter, "{}", NULL);
	cr_expect_eq(r.status, 403, "%s", r.raw);
	tt_response_free(&r);

	/* an unknown scope is the body's fault */
	r = tt_request(&srv, "POST", path, srv.admin_token, "{\"scope\":\"billing\"}", NULL);
	cr_expect_eq(r.status, 400, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "invalid_scope", "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", path, srv.admin_token, "{\"scope\":1}", NULL);
	cr_expect_eq(r.status, 400, "%s", r.raw);
	tt_response_free(&r);
	/* a metering token of another account does not see this one's resources */
	tt_create_account(&srv, "Other", other);
	char their_meter[80], records[512];
	create_scoped_token(other, "metering", their_meter);
	snprintf(records, sizeof(records),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T00:01:00Z\"}",
		 snap);
	r = submit(their_meter, records);
	assert_counts(&r, 0, 0, 1);
	cr_expect_str_eq(result_of(&r, 0), "resource_not_found");
	tt_response_free(&r);
}

/* ---- PATCH /v1/accounts/{acc}: the account type ------------------------------- */

static tt_response patch_account(const char *tok, const char *id, const char *body)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s", id);
	return tt_request(&srv, "PATCH", path, tok, body, NULL);
}

Test(usage, the_admin_sets_the_account_type_with_an_event)
{
	tt_response r = patch_account(srv.admin_token, acc, "{\"type\":\"postpaid\"}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_expect_str_eq(str(r.json, "id"), acc);
	cr_expect_str_eq(str(r.json, "type"), "postpaid");
	tt_response_free(&r);

	json_t *ev = NULL;
	cr_assert_eq(count_events("account.type_changed", &ev), 1);
	cr_expect_str_eq(str(ev, "account_id"), acc);
	cr_expect_str_eq(str(ev, "subject_id"), acc);
	cr_expect_str_eq(str(json_object_get(ev, "before"), "type"), "prepaid");
	cr_expect_str_eq(str(json_object_get(ev, "after"), "type"), "postpaid");
	json_decref(ev);

	/* the account sees it */
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s", acc);
	r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_expect_str_eq(str(r.json, "type"), "postpaid", "%s", r.raw);
	tt_response_free(&r);

	/* the same type again: 200, no event */
	r = patch_account(srv.admin_token, acc, "{\"type\":\"postpaid\"}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_expect_str_eq(str(r.json, "type"), "postpaid");
	tt_response_free(&r);
	cr_assert_eq(count_events("account.type_changed", NULL), 1);

	/* and back */
	r = patch_account(srv.admin_token, acc, "{\"type\":\"prepaid\"}");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_expect_str_eq(str(r.json, "type"), "prepaid");
	tt_response_free(&r);
	cr_assert_eq(count_events("account.type_changed", NULL), 2);
}

Test(usage, only_the_admin_sets_the_account_type)
{
	tt_response r = patch_account(token, acc, "{\"type\":\"postpaid\"}");
	cr_assert_eq(r.status, 403, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(count_events("account.type_changed", NULL), 0);
}

Test(usage, a_bad_account_type_is_400_and_an_unknown_account_404)
{
	struct { const char *body; const char *code; } cases[] = {
		{"{\"type\":\"free\"}", "invalid_type_value"},
		{"{\"type\":\"\"}", "invalid_type_value"},
		{"{\"type\":\"Postpaid\"}", "invalid_type_value"},
		{"{\"type\":1}", "invalid_type"},
		{"{}", "missing_field"},
		{"{\"type\":\"postpaid\",\"name\":\"x\"}", "unknown_field"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tt_response r = patch_account(srv.admin_token, acc, cases[i].body);
		cr_expect_eq(r.status, 400, "%s -> %s", cases[i].body, r.raw);
		cr_expect_str_eq(tt_error_code(&r), cases[i].code, "%s -> %s", cases[i].body,
				 r.raw);
		tt_response_free(&r);
	}
	tt_response r = patch_account(srv.admin_token, "acc_aaaaaaaaaaaaaaaa",
				      "{\"type\":\"postpaid\"}");
	cr_assert_eq(r.status, 404, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "account_not_found");
	tt_response_free(&r);
	cr_assert_eq(count_events("account.type_changed", NULL), 0);
}
