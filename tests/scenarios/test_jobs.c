/*
 * Scenario: the jobs isolate their subjects and catch up missed months.
 * One account whose reconciliation fails (a row made bad behind tallyd's
 * back, with the sqlite3 library while tallyd is stopped) does not keep
 * another account from its invoices; it is listed by GET /v1/admin/jobs
 * with its error and next retry, counted in /metrics, retried with
 * backoff, and cleared once the cause is gone. A reconciliation that did
 * not run for three months rates each of them, once.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static void start(void)
{
	tt_server_start(&srv, NULL);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(jobs, .init = start, .fini = stop, .timeout = 60);

static tt_response post(const char *token, const char *path, const char *body)
{
	return tt_request(&srv, "POST", path, token, body, NULL);
}

static void set_clock(const char *when)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", when);
	tt_response r = post(srv.admin_token, "/v1/admin/clock", body);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
}

static void run_jobs(void)
{
	tt_response r = post(srv.admin_token, "/v1/admin/jobs/run", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
}

static void create_postpaid(const char *token, const char *body, char *out)
{
	tt_response r = post(token, "/v1/resources", body);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(out, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
}

/* A load balancer: billed on its running time. */
static void create_lb(const char *token, char *out)
{
	create_postpaid(token, "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
			"\"spec\":{}}", out);
}

/* A snapshot: billed on metered usage records only. */
static void create_snapshot(const char *token, char *out)
{
	create_postpaid(token, "{\"type\":\"snapshot\",\"name\":\"s\",\"poc\":false,"
			"\"spec\":{\"size_gb\":10}}", out);
}

/* The usage invoices of a resource, as the account sees them. */
static json_t *usage_invoices(const char *token, const char *resource_id)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/invoices?resource_id=%s&limit=100", resource_id);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *data = json_incref(json_object_get(r.json, "data"));
	tt_response_free(&r);
	return data;
}

/* Runs sql on the stopped tallyd's database. */
static void edit_database(const char *sql)
{
	cr_assert_eq(tt_server_term(&srv), 0);
	sqlite3 *db = NULL;
	cr_assert_eq(sqlite3_open(srv.db, &db), SQLITE_OK);
	char *msg = NULL;
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg ? msg : "");
	cr_assert_eq(sqlite3_changes(db), 1);
	sqlite3_close(db);
	tt_server_restart(&srv, NULL);
}

/* The failure GET /v1/admin/jobs lists for (job, subject), or NULL. */
static json_t *failure_of(const char *job, const char *subject, size_t *listed)
{
	tt_response r = tt_request(&srv, "GET", "/v1/admin/jobs", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *data = json_object_get(r.json, "data"), *f, *found = NULL;
	size_t i;
	json_array_foreach(data, i, f) {
		if (strcmp(json_string_value(json_object_get(f, "job")), job) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "subject_id")), subject) == 0)
			found = json_incref(f);
	}
	if (listed)
		*listed = json_array_size(data);
	tt_response_free(&r);
	return found;
}

static bool metrics_have(const char *line)
{
	tt_response r = tt_request(&srv, "GET", "/metrics", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200);
	bool found = strstr(r.raw, line) != NULL;
	tt_response_free(&r);
	return found;
}

/* The account's events of a type about a job. */
static int64_t events_of_type(const char *token, const char *type, const char *job)
{
	tt_response r = tt_request(&srv, "GET", "/v1/events?limit=500", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	int64_t n = 0;
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(r.json, "data"), i, e)
		n += strcmp(json_string_value(json_object_get(e, "type")), type) == 0 &&
		     strcmp(json_string_value(json_object_get(json_object_get(e, "after"), "job")),
			    job) == 0;
	tt_response_free(&r);
	return n;
}

/* `tally jobs failures` shows the operator the same row, error code first. */
static void expect_cli_lists_failure(const char *subject)
{
	char cmd[512], out[4096], want[160];
	snprintf(cmd, sizeof(cmd), "%s --endpoint %s --token %s jobs failures --job reconcile",
		 tt_bin("tally"), srv.url, srv.admin_token);
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(want, sizeof(want), "reconcile  %s  %s  price_overflow", subject, subject);
	cr_expect(strstr(out, want) != NULL, "no row \"%s\" in:\n%s", want, out);
	snprintf(cmd, sizeof(cmd), "%s --endpoint %s --token %s jobs failures --job renewals",
		 tt_bin("tally"), srv.url, srv.admin_token);
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_expect(strstr(out, subject) == NULL, "another job's filter lists it:\n%s", out);
}

Test(jobs, a_failing_account_does_not_stop_the_others_and_is_retried_until_it_succeeds)
{
	char bad[64], bad_token[80], good[64], good_token[80], bad_lb[64], good_lb[64];
	set_clock("2027-01-10T00:00:00Z");
	tt_create_account(&srv, "Broken", bad);
	tt_create_token(&srv, bad, bad_token);
	tt_create_account(&srv, "Fine", good);
	tt_create_token(&srv, good, good_token);
	create_lb(bad_token, bad_lb);
	create_lb(good_token, good_lb);

	/* a quantity no request can set (POST /v1/usage bounds it): the
	 * month's cost of bad_lb overflows */
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "UPDATE resources SET quantity = 9223372036854775807 WHERE id = '%s'", bad_lb);
	edit_database(sql);
	set_clock("2027-02-01T00:00:00Z"); /* runs the due jobs */

	json_t *list = usage_invoices(good_token, good_lb);
	cr_assert_eq(json_array_size(list), 1, "the other account is invoiced");
	json_decref(list);
	list = usage_invoices(bad_token, bad_lb);
	cr_assert_eq(json_array_size(list), 0);
	json_decref(list);

	json_t *f = failure_of("reconcile", bad, NULL);
	cr_assert_not_null(f, "the failing account is listed");
	json_t *error = json_object_get(f, "error");
	cr_expect_str_eq(json_string_value(json_object_get(error, "code")), "price_overflow");
	cr_expect_eq(json_integer_value(json_object_get(f, "attempts")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(f, "account_id")), bad);
	cr_expect_str_eq(json_string_value(json_object_get(f, "next_retry_at")),
			 "2027-02-01T00:01:00Z");
	json_decref(f);
	cr_expect_null(failure_of("reconcile", good, NULL));
	cr_expect(metrics_have("tally_job_failing_subjects{job=\"reconcile\"} 1\n"));
	cr_expect_eq(events_of_type(bad_token, "job.failed", "reconcile"), 1);
	expect_cli_lists_failure(bad);

	/* before its retry time it is left alone; after it, tried again and
	 * the wait doubles */
	run_jobs();
	f = failure_of("reconcile", bad, NULL);
	cr_expect_eq(json_integer_value(json_object_get(f, "attempts")), 1);
	json_decref(f);
	set_clock("2027-02-01T00:01:00Z");
	f = failure_of("reconcile", bad, NULL);
	cr_expect_eq(json_integer_value(json_object_get(f, "attempts")), 2);
	cr_expect_str_eq(json_string_value(json_object_get(f, "next_retry_at")),
			 "2027-02-01T00:03:00Z");
	json_decref(f);

	/* the cause removed, the next retry succeeds and the listing is empty */
	snprintf(sql, sizeof(sql), "UPDATE resources SET quantity = 1 WHERE id = '%s'", bad_lb);
	edit_database(sql);
	set_clock("2027-02-01T00:03:00Z");
	list = usage_invoices(bad_token, bad_lb);
	cr_assert_eq(json_array_size(list), 1, "invoiced once the cause is gone");
	json_t *period = json_object_get(json_array_get(list, 0), "period");
	cr_expect_str_eq(json_string_value(json_object_get(period, "start")),
			 "2027-01-10T00:00:00Z");
	cr_expect_str_eq(json_string_value(json_object_get(period, "end")),
			 "2027-02-01T00:00:00Z");
	json_decref(list);
	size_t listed = 99;
	cr_expect_null(failure_of("reconcile", bad, &listed));
	cr_expect_eq(listed, 0, "no subject is failing any more");
	cr_expect(!metrics_have("tally_job_failing_subjects{job=\"reconcile\"}"));
	cr_expect_eq(events_of_type(bad_token, "job.recovered", "reconcile"), 1);
	list = usage_invoices(good_token, good_lb);
	cr_expect_eq(json_array_size(list), 1, "the other account was not charged twice");
	json_decref(list);
}

Test(jobs, months_the_jobs_missed_are_each_rated_once_oldest_first)
{
	char acc[64], token[80], lb1[64], lb2[64];
	set_clock("2027-01-15T00:00:00Z");
	tt_create_account(&srv, "Away", acc);
	tt_create_token(&srv, acc, token);
	create_lb(token, lb1);
	create_lb(token, lb2);
	/* tallyd "down" over three month ends: one step, one jobs run */
	set_clock("2027-04-10T00:00:00Z");
	run_jobs();
	static const char *const starts[] = {"2027-01-15T00:00:00Z", "2027-02-01T00:00:00Z",
					     "2027-03-01T00:00:00Z"};
	static const char *const ends[] = {"2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z",
					   "2027-04-01T00:00:00Z"};
	const char *lbs[] = {lb1, lb2};
	for (int k = 0; k < 2; k++) {
		json_t *list = usage_invoices(token, lbs[k]);
		cr_assert_eq(json_array_size(list), 3, "one invoice per month for %s", lbs[k]);
		for (int m = 0; m < 3; m++) {
			bool seen = false;
			json_t *inv;
			size_t i;
			json_array_foreach(list, i, inv) {
				json_t *p = json_object_get(inv, "period");
				seen |= strcmp(json_string_value(json_object_get(p, "start")),
					       starts[m]) == 0 &&
					strcmp(json_string_value(json_object_get(p, "end")),
					       ends[m]) == 0;
			}
			cr_expect(seen, "%s is invoiced for %s", lbs[k], starts[m]);
		}
		json_decref(list);
	}
	/* issued oldest first: January's invoice has the lowest number */
	json_t *list = usage_invoices(token, lb1);
	const char *jan = NULL, *mar = NULL;
	json_t *inv;
	size_t i;
	json_array_foreach(list, i, inv) {
		const char *start = json_string_value(
			json_object_get(json_object_get(inv, "period"), "start"));
		if (strcmp(start, starts[0]) == 0)
			jan = json_string_value(json_object_get(inv, "number"));
		if (strcmp(start, starts[2]) == 0)
			mar = json_string_value(json_object_get(inv, "number"));
	}
	cr_assert(jan && mar);
	cr_expect_lt(strcmp(jan, mar), 0, "%s before %s", jan, mar);
	json_decref(list);

	run_jobs();
	set_clock("2027-04-20T00:00:00Z");
	for (int k = 0; k < 2; k++) {
		list = usage_invoices(token, lbs[k]);
		cr_expect_eq(json_array_size(list), 3, "running again changes nothing");
		json_decref(list);
	}
}

Test(jobs, usage_quantity_is_bounded_at_intake)
{
	char acc[64], token[80], lb[64], body[256];
	set_clock("2027-01-15T00:00:00Z");
	tt_create_account(&srv, "Metered", acc);
	tt_create_token(&srv, acc, token);
	create_snapshot(token, lb); /* a metered item */
	snprintf(body, sizeof(body),
		 "{\"records\":[{\"resource_id\":\"%s\",\"start\":\"2027-01-15T00:00:00Z\","
		 "\"end\":\"2027-01-15T01:00:00Z\",\"quantity\":9223372036854775807}]}",
		 lb);
	tt_response r = post(srv.admin_token, "/v1/usage", body);
	cr_expect_eq(r.status, 400, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "invalid_record");
	tt_response_free(&r);
	snprintf(body, sizeof(body),
		 "{\"records\":[{\"resource_id\":\"%s\",\"start\":\"2027-01-15T00:00:00Z\","
		 "\"end\":\"2027-01-15T01:00:00Z\",\"quantity\":1000001}]}",
		 lb);
	r = post(srv.admin_token, "/v1/usage", body);
	cr_expect_eq(r.status, 400, "%s", r.raw);
	tt_response_free(&r);
	snprintf(body, sizeof(body),
		 "{\"records\":[{\"resource_id\":\"%s\",\"start\":\"2027-01-15T00:00:00Z\","
		 "\"end\":\"2027-01-15T01:00:00Z\",\"quantity\":1000000}]}",
		 lb);
	r = post(srv.admin_token, "/v1/usage", body);
	cr_expect_eq(r.status, 200, "the largest quantity is accepted: %s", r.raw);
	tt_response_free(&r);
	/* and rated without overflow */
	set_clock("2027-02-01T00:00:00Z");
	json_t *list = usage_invoices(token, lb);
	cr_expect_eq(json_array_size(list), 1);
	json_decref(list);
	size_t listed = 99;
	json_decref(failure_of("reconcile", acc, &listed));
	cr_expect_eq(listed, 0);
}

static void new_checkout(const char *token, char *out)
{
	tt_response r = post(token, "/v1/checkouts",
			     "{\"kind\":\"purchase\",\"items\":[{\"type\":\"server\",\"name\":"
			     "\"web\",\"spec\":{\"flavor\":\"s.general.2c4g\"}}],\"cycle_months\":1}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(out, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
}

static const char *checkout_status(const char *token, const char *id, char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	snprintf(out, 32, "%s", json_string_value(json_object_get(r.json, "status")));
	tt_response_free(&r);
	return out;
}

/* Not only the reconciliation: a checkout the expiry cannot read (its
 * stored body damaged behind tallyd's back) is recorded and passed by, and
 * another account's checkout still expires. */
Test(jobs, a_checkout_the_expiry_fails_on_does_not_keep_others_open)
{
	char a[64], a_token[80], b[64], b_token[80], broken[64], fine[64], status[32], sql[160];
	set_clock("2027-03-01T00:00:00Z");
	tt_create_account(&srv, "A", a);
	tt_create_token(&srv, a, a_token);
	tt_create_account(&srv, "B", b);
	tt_create_token(&srv, b, b_token);
	new_checkout(a_token, broken);
	new_checkout(b_token, fine);
	snprintf(sql, sizeof(sql),
		 "UPDATE checkout_lines SET spec = 'X' || spec WHERE checkout_id = '%s'", broken);
	edit_database(sql);
	set_clock("2027-03-01T01:00:00Z"); /* both are past their 30 minutes */

	cr_expect_str_eq(checkout_status(b_token, fine, status), "expired");
	json_t *f = failure_of("checkout_expiry", broken, NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(json_string_value(json_object_get(f, "account_id")), a);
	cr_expect_str_eq(json_string_value(json_object_get(f, "next_retry_at")),
			 "2027-03-01T01:01:00Z");
	json_decref(f);
	cr_expect(metrics_have("tally_job_failing_subjects{job=\"checkout_expiry\"} 1\n"));

	snprintf(sql, sizeof(sql),
		 "UPDATE checkout_lines SET spec = substr(spec, 2) WHERE checkout_id = '%s'", broken);
	edit_database(sql);
	set_clock("2027-03-01T01:01:00Z");
	cr_expect_str_eq(checkout_status(a_token, broken, status), "expired");
	size_t listed = 99;
	cr_expect_null(failure_of("checkout_expiry", broken, &listed));
	cr_expect_eq(listed, 0);
}

/* A hold and its account's credit wallet (cw_ + the account id's random
 * part), 200,000 held until 01:00. */
static void hold_until_one(const char *acc, const char *hold_id)
{
	char path[128], body[320];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	tt_response r = post(srv.admin_token, path, "{\"amount\":500000,\"reference\":\"bank\"}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	snprintf(body, sizeof(body),
		 "{\"transfers\":[{\"id\":\"%s\",\"debit_account\":\"cw_%s\","
		 "\"credit_account\":\"sys_revenue_vnd\",\"amount\":200000,\"code\":\"hold\","
		 "\"pending\":true,\"expires_at\":\"2030-01-01T01:00:00Z\"}]}",
		 hold_id, acc + 4);
	r = post(srv.admin_token, "/v1/ledger/transfers", body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "created")), 1, "%s", r.raw);
	tt_response_free(&r);
}

static const char *hold_status(const char *token, char *out)
{
	tt_response r = tt_request(&srv, "GET", "/v1/holds", token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *hold = json_array_get(json_object_get(r.json, "data"), 0);
	snprintf(out, 32, "%s", json_string_value(json_object_get(hold, "status")));
	tt_response_free(&r);
	return out;
}

/* The hold expiry releases a batch at once; when the batch fails, each
 * hold alone: the one that fails (a debit account that does not exist,
 * written behind tallyd's back) is recorded, the other is released. */
Test(jobs, a_hold_the_expiry_fails_on_does_not_keep_others_held)
{
	char a[64], a_token[80], b[64], b_token[80], status[32];
	set_clock("2030-01-01T00:00:00Z");
	tt_create_account(&srv, "A", a);
	tt_create_token(&srv, a, a_token);
	tt_create_account(&srv, "B", b);
	tt_create_token(&srv, b, b_token);
	hold_until_one(a, "hold-of-a");
	hold_until_one(b, "hold-of-b");
	edit_database("UPDATE transfers SET debit_account = 'cw_gone' WHERE id = 'hold-of-a'");
	set_clock("2030-01-01T02:00:00Z");

	cr_expect_str_eq(hold_status(b_token, status), "expired");
	json_t *f = failure_of("hold_expiry", "hold-of-a", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(f, "error"), "code")),
			 "ledger_corrupt");
	json_decref(f);

	char sql[160];
	snprintf(sql, sizeof(sql),
		 "UPDATE transfers SET debit_account = 'cw_%s' WHERE id = 'hold-of-a'", a + 4);
	edit_database(sql);
	set_clock("2030-01-01T02:01:00Z");
	cr_expect_str_eq(hold_status(a_token, status), "expired");
	size_t listed = 99;
	cr_expect_null(failure_of("hold_expiry", "hold-of-a", &listed));
	cr_expect_eq(listed, 0);
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_expect(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* Runs sql (no row count expected) on the stopped tallyd's database. */
static void alter_database(const char *sql)
{
	cr_assert_eq(tt_server_term(&srv), 0);
	sqlite3 *db = NULL;
	cr_assert_eq(sqlite3_open(srv.db, &db), SQLITE_OK);
	char *msg = NULL;
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg ? msg : "");
	sqlite3_close(db);
	tt_server_restart(&srv, NULL);
}

/* The retention purge is a job like the others: a purge that fails is
 * recorded (GET /v1/admin/jobs, /metrics), the stored answer stays, and
 * the retry after the cause is gone purges it and clears the record. */
Test(jobs, a_failing_idempotency_purge_is_recorded_and_retried)
{
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				   "{\"name\":\"Kept\"}", "k-retention");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char *first = strdup(r.raw);
	tt_response_free(&r);
	alter_database("CREATE TRIGGER no_purge BEFORE DELETE ON idempotency"
		       " BEGIN SELECT RAISE(ABORT, 'purge refused by the test'); END;");
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
		       "{\"advance_seconds\":691200}", NULL); /* 8 days */
	cr_assert_eq(r.status, 200, "%s", r.raw);
	char set[96]; /* a restart starts the test clock afresh: set it back */
	snprintf(set, sizeof(set), "{\"now\":\"%s\"}",
		 json_string_value(json_object_get(r.json, "now")));
	tt_response_free(&r);
	json_t *f = failure_of("retention", "idempotency", NULL);
	cr_assert_not_null(f, "the failed purge is not listed");
	json_decref(f);
	cr_expect(metrics_have("tally_job_failing_subjects{job=\"retention\"} 1\n"));
	r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, "{\"name\":\"Kept\"}",
		       "k-retention");
	cr_expect_str_eq(r.raw, first, "not purged: still replayed");
	tt_response_free(&r);

	alter_database("DROP TRIGGER no_purge;");
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token, set, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
		       "{\"advance_seconds\":7200}", NULL); /* past the retry */
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(r.json, "jobs"),
							"idempotency_purged")),
		     1, "%s", r.raw);
	tt_response_free(&r);
	cr_expect_null(failure_of("retention", "idempotency", NULL));
	free(first);
}
