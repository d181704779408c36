/* Scenario: what the fuzzers in tests/fuzz/ found, driven over HTTP against
 * a real tallyd, so each stays fixed where a caller would meet it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char acc[64];

static void start(void)
{
	tt_server_start(&srv, NULL);
	tt_create_account(&srv, "Fuzz Found Co", acc);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(fuzz_found, .init = start, .fini = stop);

/* fuzz_timefmt: an offset moved 9999-12-31T23:59:59 into year 10000 UTC;
 * the time parsed, and the answer's expires_at overran its buffer. */
Test(fuzz_found, a_time_past_year_9999_utc_is_refused)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token,
				   "{\"amount\":1000,\"expires_at\":\"9999-12-31T23:59:59-01:00\"}",
				   NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "invalid_time");
	tt_response_free(&r);

	/* the last second in range is still a time */
	r = tt_request(&srv, "POST", path, srv.admin_token,
		       "{\"amount\":1000,\"expires_at\":\"9999-12-31T22:59:59-01:00\"}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "expires_at")),
			 "9999-12-31T23:59:59Z");
	tt_response_free(&r);
}
