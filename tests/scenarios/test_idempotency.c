/* Scenario: Idempotency-Key on writes. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static tt_server srv;
static void start(void) { tt_server_start(&srv, NULL); }
static void stop(void) { tt_server_stop(&srv); }
TestSuite(idempotency, .init = start, .fini = stop);

static size_t count_accounts(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/accounts?limit=500", srv.admin_token, NULL,
				   NULL);
	size_t n = json_array_size(json_object_get(r.json, "data"));
	tt_response_free(&r);
	return n;
}

Test(idempotency, a_replay_returns_the_identical_response_and_creates_nothing)
{
	const char *body = "{\"name\":\"Once\"}";
	tt_response first = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, body, "k-1");
	cr_assert_eq(first.status, 201);
	tt_response again = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, body, "k-1");
	cr_assert_eq(again.status, 201);
	cr_assert_str_eq(again.raw, first.raw);
	cr_assert_eq(count_accounts(), 1);
	tt_response_free(&first);
	tt_response_free(&again);
}

Test(idempotency, the_same_key_with_another_body_is_422)
{
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				   "{\"name\":\"One\"}", "k-2");
	cr_assert_eq(r.status, 201);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, "{\"name\":\"Two\"}", "k-2");
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "idempotency_key_reused");
	tt_response_free(&r);
	cr_assert_eq(count_accounts(), 1);
}

Test(idempotency, an_error_answer_is_replayed_too)
{
	tt_response first = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				       "{\"name\":\"x\",\"currency\":\"XXX\"}", "k-3");
	cr_assert_eq(first.status, 400, "%s", first.raw);
	tt_response again = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				       "{\"name\":\"x\",\"currency\":\"XXX\"}", "k-3");
	cr_assert_eq(again.status, 400);
	cr_assert_str_eq(again.raw, first.raw);
	tt_response_free(&first);
	tt_response_free(&again);
}

Test(idempotency, keys_are_scoped_to_the_caller)
{
	char a[64], b[64], token_a[80], token_b[80];
	tt_create_account(&srv, "A", a);
	tt_create_account(&srv, "B", b);
	tt_create_token(&srv, a, token_a);
	tt_create_token(&srv, b, token_b);
	/* a's key does not collide with b's; each sees its own answer */
	tt_response ra = tt_request(&srv, "POST", "/v1/accounts", token_a, "{\"name\":\"x\"}", "same");
	tt_response rb = tt_request(&srv, "POST", "/v1/accounts", token_b, "{\"name\":\"x\"}", "same");
	cr_assert_eq(ra.status, 403);
	cr_assert_eq(rb.status, 403);
	tt_response_free(&ra);
	tt_response_free(&rb);
	/* and the admin's use of the same key is a fresh request */
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				   "{\"name\":\"x\"}", "same");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
}

Test(idempotency, concurrent_retries_create_one_account)
{
	/* Fire the same keyed request from forked clients at once. */
	enum { CLIENTS = 8 };
	pid_t pids[CLIENTS];
	for (int i = 0; i < CLIENTS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
						   "{\"name\":\"Race\"}", "race-key");
			_exit(r.status == 201 ? 0 : 1);
		}
	}
	for (int i = 0; i < CLIENTS; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "client %d failed", i);
	}
	cr_assert_eq(count_accounts(), 1);
}

Test(idempotency, an_oversized_key_is_rejected)
{
	char key[300];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				   "{\"name\":\"x\"}", key);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_idempotency_key");
	tt_response_free(&r);
	cr_assert_eq(count_accounts(), 0);
}

Test(idempotency, a_retried_token_request_never_shows_the_secret_again)
{
	char acc[64], path[128];
	tt_create_account(&srv, "T", acc);
	snprintf(path, sizeof(path), "/v1/accounts/%s/tokens", acc);
	tt_response first = tt_request(&srv, "POST", path, srv.admin_token, "{}", "tok-key");
	cr_assert_eq(first.status, 201);
	const char *token = json_string_value(json_object_get(first.json, "token"));
	const char *id = json_string_value(json_object_get(first.json, "id"));
	tt_response again = tt_request(&srv, "POST", path, srv.admin_token, "{}", "tok-key");
	cr_assert_eq(again.status, 409, "%s", again.raw);
	cr_assert_str_eq(tt_error_code(&again), "token_already_issued");
	cr_assert_null(strstr(again.raw, token + 21), "the secret was replayed");
	cr_assert(strstr(again.raw, id), "the retry does not name the token: %s", again.raw);
	/* the secret is nowhere in the database files */
	char cmd[600], out[64];
	snprintf(cmd, sizeof(cmd), "cat %s* | grep -c -a %s", srv.db, token + 21);
	tt_run(cmd, out, sizeof(out));
	cr_assert_str_eq(out, "0\n", "the token secret is stored");
	tt_response_free(&first);
	tt_response_free(&again);
}

Test(idempotency, a_retried_clock_move_moves_the_clock_once)
{
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
				   "{\"now\":\"2030-01-01T00:00:00Z\"}", NULL);
	tt_response_free(&r);
	for (int i = 0; i < 3; i++) {
		r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
			       "{\"advance_seconds\":3600}", "clock-key");
		cr_assert_eq(r.status, 200);
		cr_assert(strstr(r.raw, "2030-01-01T01:00:00Z"), "try %d: %s", i, r.raw);
		tt_response_free(&r);
	}
	r = tt_request(&srv, "GET", "/v1/admin/clock", srv.admin_token, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "now")), "2030-01-01T01:00:00Z");
	tt_response_free(&r);
}

static tt_response advance_days(int days)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"advance_seconds\":%d}", days * 86400);
	return tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token, body, NULL);
}

/* Retention (default 7 days): a key used 8 days ago is purged by the jobs,
 * so a retry with it is a new request; one used 6 days ago still replays. */
Test(idempotency, answers_older_than_the_retention_window_are_purged)
{
	const char *old_body = "{\"name\":\"Old\"}", *young_body = "{\"name\":\"Young\"}";
	tt_response old = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, old_body,
				     "k-old");
	cr_assert_eq(old.status, 201, "%s", old.raw);
	tt_response moved = advance_days(2);
	cr_assert_eq(moved.status, 200, "%s", moved.raw);
	tt_response_free(&moved);
	tt_response young = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, young_body,
				       "k-young");
	cr_assert_eq(young.status, 201, "%s", young.raw);
	moved = advance_days(6); /* k-old is 8 days old now, k-young 6 */
	cr_assert_eq(moved.status, 200, "%s", moved.raw);
	json_t *purged = json_object_get(json_object_get(moved.json, "jobs"), "idempotency_purged");
	cr_expect_eq(json_integer_value(purged), 1, "%s", moved.raw);
	tt_response_free(&moved);

	tt_response again = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, young_body,
				       "k-young");
	cr_expect_eq(again.status, 201);
	cr_expect_str_eq(again.raw, young.raw, "a 6-day-old key still replays");
	tt_response_free(&again);
	cr_expect_eq(count_accounts(), 2);

	again = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, old_body, "k-old");
	cr_expect_eq(again.status, 201, "%s", again.raw);
	cr_expect_str_neq(json_string_value(json_object_get(again.json, "id")),
			  json_string_value(json_object_get(old.json, "id")),
			  "an 8-day-old key is forgotten: the retry is a new request");
	cr_expect_eq(count_accounts(), 3);
	tt_response_free(&again);
	tt_response_free(&old);
	tt_response_free(&young);
}

/* The window is tallyd's to set; the audit trail is never purged. */
Test(idempotency, the_retention_window_is_configurable_and_events_stay)
{
	const char *args[] = {"--idempotency-retention-days", "1", NULL};
	tt_server_restart(&srv, args);
	tt_response first = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token,
				       "{\"name\":\"Short\"}", "k-short");
	cr_assert_eq(first.status, 201, "%s", first.raw);
	tt_response moved = advance_days(2);
	cr_assert_eq(moved.status, 200, "%s", moved.raw);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(moved.json, "jobs"),
							"idempotency_purged")),
		     1, "%s", moved.raw);
	tt_response_free(&moved);
	tt_response events = tt_request(&srv, "GET", "/v1/events", srv.admin_token, NULL, NULL);
	cr_expect_str_neq(strstr(events.raw, "account.created") ? "found" : "", "",
			  "the account's event is kept: %s", events.raw);
	tt_response_free(&events);
	tt_response_free(&first);
}
