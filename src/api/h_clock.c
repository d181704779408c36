/* h_clock.c: reading and moving the test clock. Routed only under
 * --test-clock; without it these paths do not exist (404). */
#include "api/api.h"
#include "common/timefmt.h"

static json_t *clock_json(tl_clock *clock)
{
	char now[TL_TIME_STR_MAX];
	tl_time_format(tl_clock_now(clock), now);
	return json_pack("{s:s}", "now", now);
}

int tl_h_clock_get(tl_request *req, tl_response *res, tl_error *err)
{
	(void)err;
	tl_respond_json(res, 200, clock_json(req->app->clock));
	return 0;
}

/* Moving the clock is not a change of the books, so it is not a store write
 * and has no audit event; it is logged instead. */
int tl_h_clock_set(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"now", TL_JSON_STRING, false},
		{"advance_seconds", TL_JSON_INTEGER, false},
	};
	json_t *in;
	int rc = tl_json_input(req, fields, 2, &in, err);
	if (rc < 0)
		return rc;
	const char *now = tl_json_str(in, "now");
	json_t *advance = json_object_get(in, "advance_seconds");
	if ((now == NULL) == (advance == NULL)) {
		rc = tl_error_set(err, TL_EINVALID, "invalid_request",
				  "give exactly one of \"now\" and \"advance_seconds\"");
	} else if (now) {
		int64_t t;
		rc = tl_time_parse(now, &t);
		if (rc < 0 || tl_clock_set(req->app->clock, t) < 0)
			rc = tl_error_set(err, TL_EINVALID, "invalid_time",
					  "\"now\" must be an RFC 3339 time from 1970 to 9999");
	} else if (tl_clock_advance(req->app->clock, json_integer_value(advance)) < 0) {
		rc = tl_error_set(err, TL_EINVALID, "invalid_time",
				  "advancing by %lld seconds leaves 1970-9999",
				  (long long)json_integer_value(advance));
	}
	json_decref(in);
	if (rc == 0)
		tl_respond_json(res, 200, clock_json(req->app->clock));
	return rc;
}
