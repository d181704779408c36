/* Scenario: the test clock moves only when told, and exists only when
 * tallyd is started with --test-clock. */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>
#include "harness.h"

static tt_server srv;
static void stop(void) { tt_server_stop(&srv); }

static char *clock_now(void)
{
	static char now[32];
	tt_response r = tt_request(&srv, "GET", "/v1/admin/clock", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	snprintf(now, sizeof(now), "%s", json_string_value(json_object_get(r.json, "now")));
	tt_response_free(&r);
	return now;
}

Test(clock, moves_only_when_told, .fini = stop)
{
	tt_server_start(&srv, NULL);
	char before[32];
	snprintf(before, sizeof(before), "%s", clock_now());
	struct timespec pause = {1, 200000000};
	nanosleep(&pause, NULL);
	cr_assert_str_eq(clock_now(), before, "the test clock moved by itself");

	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
				   "{\"now\":\"2026-11-22T10:00:00Z\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_str_eq(clock_now(), "2026-11-22T10:00:00Z");

	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
		       "{\"advance_seconds\":90061}", NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "now")), "2026-11-23T11:01:01Z");
	tt_response_free(&r);

	/* what the clock says is what new objects are stamped with */
	r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, "{\"name\":\"t\"}", NULL);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "created_at")),
			 "2026-11-23T11:01:01Z");
	tt_response_free(&r);
}

Test(clock, rejects_bad_moves, .fini = stop)
{
	tt_server_start(&srv, NULL);
	const char *bad[] = {"{}", "{\"now\":\"yesterday\"}", "{\"advance_seconds\":1.5}",
			     "{\"now\":\"2026-11-22T10:00:00Z\",\"advance_seconds\":1}",
			     "{\"advance_seconds\":9223372036854775807}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token, bad[i],
					   NULL);
		cr_expect_eq(r.status, 400, "%s -> %ld %s", bad[i], r.status, r.raw);
		tt_response_free(&r);
	}
}

Test(clock, is_404_without_the_flag, .fini = stop)
{
	tt_server_start_real_clock(&srv, NULL);
	tt_response r = tt_request(&srv, "GET", "/v1/admin/clock", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
		       "{\"advance_seconds\":60}", NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	tt_response_free(&r);
}
