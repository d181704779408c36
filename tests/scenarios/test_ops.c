/* Scenario: operations — health, metrics, logs, the admin token, refusing a
 * database from a newer tally. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "store/store.h"

static tt_server srv;
static void stop(void) { tt_server_stop(&srv); }

Test(ops, healthz_answers_without_a_token, .fini = stop)
{
	tt_server_start(&srv, NULL);
	tt_response r = tt_request(&srv, "GET", "/healthz", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "ok");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "database")), "ok");
	tt_response_free(&r);
}

/* GET /metrics until it holds `line`: a request is counted when it
 * completes, just after its answer is sent, so a client can ask for the
 * metrics before its previous request is in them. Up to 2 s. */
static tt_response metrics_with(const char *line)
{
	for (int attempt = 0;; attempt++) {
		tt_response r = tt_request(&srv, "GET", "/metrics", NULL, NULL, NULL);
		cr_assert_eq(r.status, 200);
		if (strstr(r.raw, line) || attempt == 100)
			return r;
		tt_response_free(&r);
		usleep(20000);
	}
}

Test(ops, metrics_count_requests_by_route_and_status, .fini = stop)
{
	tt_server_start(&srv, NULL);
	for (int i = 0; i < 3; i++) {
		tt_response r = tt_request(&srv, "GET", "/v1/accounts", srv.admin_token, NULL, NULL);
		tt_response_free(&r);
	}
	tt_response r = tt_request(&srv, "GET", "/v1/accounts", NULL, NULL, NULL);
	tt_response_free(&r);
	r = metrics_with("tally_http_request_duration_seconds_count{route=\"GET "
			 "/v1/accounts\"} 4\n");
	cr_assert(strstr(r.content_type, "text/plain"));
	cr_assert(strstr(r.raw, "tally_http_requests_total{route=\"GET /v1/accounts\","
				"status=\"200\"} 3\n"), "%s", r.raw);
	cr_assert(strstr(r.raw, "tally_http_requests_total{route=\"GET /v1/accounts\","
				"status=\"401\"} 1\n"), "%s", r.raw);
	cr_assert(strstr(r.raw, "tally_http_request_duration_seconds_count{route=\"GET "
				"/v1/accounts\"} 4\n"));
	cr_assert(strstr(r.raw, "le=\"+Inf\""));
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/nowhere", NULL, NULL, NULL);
	tt_response_free(&r);
	r = metrics_with("tally_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n");
	cr_assert(strstr(r.raw, "tally_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"),
		  "%s", r.raw);
	tt_response_free(&r);
}

/* What the TallyJobsBehindSchedule alert reads: the ticker (every second of
 * wall-clock time, test clock or not) records its last good pass. */
Test(ops, metrics_say_when_the_jobs_last_ran, .fini = stop)
{
	tt_server_start(&srv, NULL);
	long long before = (long long)time(NULL);
	tt_response r = metrics_with("tally_jobs_last_pass_timestamp_seconds 1");
	const char *at = strstr(r.raw, "\ntally_jobs_last_pass_timestamp_seconds ");
	cr_assert_not_null(at, "%s", r.raw);
	long long last = strtoll(at + strlen("\ntally_jobs_last_pass_timestamp_seconds "), NULL, 10);
	cr_expect_geq(last, before - 1, "%s", r.raw);
	cr_expect_leq(last, (long long)time(NULL));
	at = strstr(r.raw, "\ntally_start_time_seconds ");
	cr_assert_not_null(at, "%s", r.raw);
	cr_expect_leq(strtoll(at + strlen("\ntally_start_time_seconds "), NULL, 10), last);
	tt_response_free(&r);
}

Test(ops, two_tallyd_starting_on_one_new_database_both_come_up, .fini = stop)
{
	tt_server other;
	tt_server_start(&srv, NULL);
	tt_server_term(&srv);
	char cmd[1024], out[4096];
	snprintf(cmd, sizeof(cmd), "rm -f %s*", srv.db);
	cr_assert_eq(system(cmd), 0);
	/* both at once, on the same fresh file */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && for i in 1 2; do TALLY_ADMIN_TOKEN=x timeout -s TERM 3 %s "
		 "--listen 127.0.0.1:0 --db %s >/dev/null 2>run$i.log & done; wait; "
		 "grep -c '\"listening\"' run1.log run2.log", srv.dir, tt_bin("tallyd"), srv.db);
	tt_run(cmd, out, sizeof(out));
	cr_assert(strstr(out, "run1.log:1") && strstr(out, "run2.log:1"),
		  "one of two simultaneous starts failed: %s", out);
	(void)other;
}

Test(ops, a_second_tallyd_cannot_take_a_port_in_use, .fini = stop)
{
	tt_server_start(&srv, NULL);
	char cmd[1024], out[4096];
	snprintf(cmd, sizeof(cmd), "TALLY_ADMIN_TOKEN=x %s --listen 127.0.0.1:%d --db %s/b.db 2>&1",
		 tt_bin("tallyd"), srv.port, srv.dir);
	int status = tt_run(cmd, out, sizeof(out));
	cr_assert_eq(status, 1, "a second tallyd shared port %d: %s", srv.port, out);
	cr_assert(strstr(out, "cannot listen"), "%s", out);
}

Test(ops, logs_are_json_lines, .fini = stop)
{
	tt_server_start(&srv, NULL);
	tt_response r = tt_request(&srv, "GET", "/healthz", NULL, NULL, NULL);
	tt_response_free(&r);
	tt_server_term(&srv);
	FILE *f = fopen(srv.log, "r");
	cr_assert_not_null(f);
	char line[4096];
	int lines = 0, access = 0;
	while (fgets(line, sizeof(line), f)) {
		json_t *j = json_loads(line, 0, NULL);
		cr_expect_not_null(j, "not a JSON line: %s", line);
		const char *msg = json_string_value(json_object_get(j, "msg"));
		if (msg && strcmp(msg, "request") == 0) {
			access++;
			cr_expect_str_eq(json_string_value(json_object_get(j, "path")), "/healthz");
			cr_expect_eq(json_integer_value(json_object_get(j, "status")), 200);
		}
		json_decref(j);
		lines++;
	}
	fclose(f);
	cr_assert_gt(lines, 2);
	cr_assert_eq(access, 1);
}

/* Runs tallyd with no TALLY_ADMIN_TOKEN until it listens; returns stdout. */
static void run_without_admin_token(const char *db, char *out, size_t size)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "env -u TALLY_ADMIN_TOKEN timeout -s TERM 2 %s --listen 127.0.0.1:0 --db %s "
		 "2>/dev/null", tt_bin("tallyd"), db);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	pclose(p);
}

Test(ops, generates_the_admin_token_once_and_keeps_only_its_hash, .fini = stop)
{
	tt_server_start(&srv, NULL);
	tt_server_term(&srv);
	char db[300], out[1024];
	snprintf(db, sizeof(db), "%.250s/fresh.db", srv.dir);
	run_without_admin_token(db, out, sizeof(out));
	const char *token = strstr(out, "tla_");
	cr_assert_not_null(token, "no generated token printed: %s", out);
	char text[80];
	sscanf(token, "%79s", text);
	run_without_admin_token(db, out, sizeof(out));
	cr_assert_null(strstr(out, "tla_"), "the token was printed twice");

	/* the database holds no copy of the token text */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "grep -c %s %s* >/dev/null", text, db);
	cr_assert_neq(system(cmd), 0, "the admin token is stored in clear");

	/* and the generated token works, checked against the stored hash alone */
	snprintf(srv.db, sizeof(srv.db), "%s", db);
	srv.no_admin_env = true;
	tt_server_restart(&srv, NULL);
	tt_response r = tt_request(&srv, "GET", "/v1/accounts", text, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/accounts", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 401, "another token passed as the admin's: %s", r.raw);
	tt_response_free(&r);
}

Test(ops, refuses_a_database_from_a_newer_version, .fini = stop)
{
	tt_server_start(&srv, NULL);
	tt_server_term(&srv);
	sqlite3 *db;
	sqlite3_open(srv.db, &db);
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", tl_store_schema_version() + 5);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s --listen 127.0.0.1:0 --db %s 2>&1", tt_bin("tallyd"),
		 srv.db);
	FILE *p = popen(cmd, "r");
	char out[2048];
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "exit %d: %s", status, out);
	cr_assert(strstr(out, "newer tallyd"), "%s", out);
}

Test(ops, help_documents_every_option)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "%s --help", tt_bin("tallyd"));
	FILE *p = popen(cmd, "r");
	char out[8192];
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	cr_assert_eq(pclose(p), 0);
	const char *expected[] = {"--listen", "TALLY_LISTEN", "--db", "TALLY_DB", "--catalog",
				  "--test-clock", "TALLY_ADMIN_TOKEN", "--backup-dir", "TALLY_BACKUP_DIR",
				  "--idempotency-retention-days",
				  "TALLY_IDEMPOTENCY_RETENTION_DAYS", "--restore"};
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		cr_expect(strstr(out, expected[i]), "--help does not mention %s", expected[i]);
}
