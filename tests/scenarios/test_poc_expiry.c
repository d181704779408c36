/*
 * Scenario: the end of a POC (DESIGN.md rule 9), by the test clock:
 * reminders 7, 3 and 1 days before the POC wallet expires (once each),
 * suspension at expiry or when the wallet is used up, unused credit back to
 * the promotional account, deletion after 7 days unless converted.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static char acc[64], token[80];

static void start(void)
{
	tt_server_start(&srv, NULL);
	tt_create_account(&srv, "Trial", acc);
	tt_create_token(&srv, acc, token);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(poc_expiry, .init = start, .fini = stop);

static tt_response as_admin(const char *path, const char *body)
{
	return tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
}

/* An admin call whose answer is not needed. */
static void admin_do(const char *path, const char *body)
{
	tt_response r = as_admin(path, body);
	cr_assert_lt(r.status, 300, "%s -> %s", path, r.raw);
	tt_response_free(&r);
}

static json_t *jobs(const char *path, const char *body)
{
	tt_response r = as_admin(path, body);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *j = json_incref(json_object_get(r.json, "jobs"));
	tt_response_free(&r);
	return j;
}

static int64_t count_events(const char *type)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/events?limit=500&account_id=%s", acc);
	tt_response r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
	json_t *e;
	size_t i;
	int64_t n = 0;
	json_array_foreach(json_object_get(r.json, "data"), i, e)
		n += strcmp(json_string_value(json_object_get(e, "type")), type) == 0;
	tt_response_free(&r);
	return n;
}

static const char *status_of(const char *id)
{
	static char status[16];
	char path[128];
	snprintf(path, sizeof(path), "/v1/resources/%s", id);
	tt_response r = tt_request(&srv, "GET", path, token, NULL, NULL);
	snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(r.json, "status")));
	tt_response_free(&r);
	return status;
}

static void create(const char *body, char *id)
{
	tt_response r = tt_request(&srv, "POST", "/v1/resources", token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(id, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
}

Test(poc_expiry, rule_09_reminders_suspension_credit_expiry_and_deletion)
{
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-01T00:00:00Z\"}");
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = as_admin(path, "{\"amount\":90000000,\"expires_at\":\"2026-12-11T00:00:00Z\"}");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	char keep[64], drop[64];
	create("{\"type\":\"server\",\"name\":\"keep\",\"poc\":true,\"spec\":{\"flavor\":\"s.general.1c2g\"}}",
	       keep);
	create("{\"type\":\"server\",\"name\":\"drop\",\"poc\":true,\"spec\":{\"flavor\":\"s.general.1c2g\"}}",
	       drop);

	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-04T00:00:00Z\"}");
	cr_assert_eq(count_events("poc_wallet.expiring"), 1, "7 days before");
	json_t *j = jobs("/v1/admin/jobs/run", NULL);
	cr_assert_eq(json_integer_value(json_object_get(j, "poc_reminders")), 0, "reminded twice");
	json_decref(j);
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-08T00:00:00Z\"}");
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-10T00:00:00Z\"}");
	cr_assert_eq(count_events("poc_wallet.expiring"), 3, "7, 3 and 1 days before");
	cr_assert_str_eq(status_of(keep), "active");

	j = jobs("/v1/admin/clock", "{\"now\":\"2026-12-11T00:00:00Z\"}");
	cr_assert_eq(json_integer_value(json_object_get(j, "poc_resources_suspended")), 2);
	json_decref(j);
	cr_assert_str_eq(status_of(keep), "suspended");
	r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "poc"),
									0), "balance")), 0,
		     "unused POC credit did not expire: %s", r.raw);
	tt_response_free(&r);

	/* converted in the retention period, it survives; the other is deleted */
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	r = as_admin(path, "{\"amount\":10000000}");
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc", keep);
	r = tt_request(&srv, "POST", path, token, "{\"cycle_months\":1}", NULL);
	cr_assert_eq(r.status, 201, "a suspended POC resource could not be converted: %s", r.raw);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&srv, "POST", path, token, "{\"method\":\"credit\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_str_eq(status_of(keep), "active");

	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-17T23:59:59Z\"}");
	cr_assert_str_eq(status_of(drop), "suspended", "deleted before the retention ended");
	j = jobs("/v1/admin/clock", "{\"now\":\"2026-12-18T00:00:00Z\"}");
	cr_assert_eq(json_integer_value(json_object_get(j, "poc_resources_deleted")), 1);
	json_decref(j);
	cr_assert_str_eq(status_of(drop), "deleted");
	cr_assert_str_eq(status_of(keep), "active");
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

Test(poc_expiry, rule_09_a_used_up_wallet_suspends_its_resources)
{
	char path[128], id[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = as_admin(path, "{\"amount\":1000,\"expires_at\":\"2099-01-01T00:00:00Z\"}");
	tt_response_free(&r);
	/* 480,000 a month: 667 the first hour, 666 the second: 1,000 runs out */
	create("{\"type\":\"server\",\"name\":\"hungry\",\"poc\":true,\"spec\":{\"flavor\":\"s.general.2c4g\"}}",
	       id);
	admin_do("/v1/admin/clock", "{\"advance_seconds\":3600}");
	cr_assert_str_eq(status_of(id), "active");
	admin_do("/v1/admin/clock", "{\"advance_seconds\":3600}");
	cr_assert_str_eq(status_of(id), "suspended");
	cr_assert_eq(count_events("poc_wallet.used_up"), 1);
	r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "poc"),
									0), "balance")), 0);
	tt_response_free(&r);
	/* a suspended resource is not charged any more */
	admin_do("/v1/admin/clock", "{\"advance_seconds\":7200}");
	r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/resources", token, "{\"type\":\"server\",\"name\":\"more\","
		       "\"poc\":true,\"spec\":{\"flavor\":\"s.general.2c4g\"}}", NULL);
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "poc_wallet_required");
	tt_response_free(&r);

	/* topped up, it runs again; the hours it was suspended are not charged */
	r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	char wallet[64];
	snprintf(wallet, sizeof(wallet), "%s", json_string_value(json_object_get(
		json_array_get(json_object_get(r.json, "poc"), 0), "id")));
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/poc-wallets/%s", wallet);
	r = tt_request(&srv, "PATCH", path, srv.admin_token, "{\"add_amount\":1000}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_str_eq(status_of(id), "active");
	cr_assert_eq(count_events("resource.reactivated"), 1);
	admin_do("/v1/admin/clock", "{\"advance_seconds\":3600}");
	r = tt_request(&srv, "GET", "/v1/wallets", token, NULL, NULL);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "poc"),
									0), "balance")), 1000 - 666,
		     "one hour charged since the top-up (hour 5 of its life: 3,333 - 2,667), "
		     "none for the two suspended: %s", r.raw);
	tt_response_free(&r);
	/* and used up again, it is suspended again */
	admin_do("/v1/admin/clock", "{\"advance_seconds\":3600}");
	cr_assert_str_eq(status_of(id), "suspended");
	cr_assert_eq(count_events("poc_wallet.used_up"), 2);
}

Test(poc_expiry, an_extended_wallet_moves_its_reminders_and_suspension)
{
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-01T00:00:00Z\"}");
	char path[128], id[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = as_admin(path, "{\"amount\":5000000,\"expires_at\":\"2026-12-11T00:00:00Z\"}");
	char wallet[64];
	snprintf(wallet, sizeof(wallet), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	create("{\"type\":\"server\",\"name\":\"s\",\"poc\":true,\"spec\":{\"flavor\":\"s.general.1c2g\"}}",
	       id);
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-04T00:00:00Z\"}");
	cr_assert_eq(count_events("poc_wallet.expiring"), 1);
	snprintf(path, sizeof(path), "/v1/poc-wallets/%s", wallet);
	r = tt_request(&srv, "PATCH", path, srv.admin_token,
		       "{\"expires_at\":\"2026-12-31T00:00:00Z\",\"add_amount\":1000000}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "expires_at")),
			 "2026-12-31T00:00:00Z");
	tt_response_free(&r);
	r = tt_request(&srv, "PATCH", path, token, "{\"add_amount\":1}", NULL);
	cr_assert_eq(r.status, 403, "an account extended its own wallet: %s", r.raw);
	tt_response_free(&r);
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-11T00:00:00Z\"}");
	cr_assert_str_eq(status_of(id), "active", "suspended at the old expiry");
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-24T00:00:00Z\"}");
	cr_assert_eq(count_events("poc_wallet.expiring"), 2, "the new expiry's 7-day reminder");
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-31T00:00:00Z\"}");
	cr_assert_str_eq(status_of(id), "suspended");
	r = tt_request(&srv, "PATCH", path, srv.admin_token,
		       "{\"expires_at\":\"2027-01-31T00:00:00Z\"}", NULL);
	cr_assert_eq(r.status, 422, "an expired wallet was changed: %s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "poc_wallet_expired");
	tt_response_free(&r);
}

/* More wallets in their expiry window than one pass takes (500): a wallet
 * that expires after them is still suspended on time. The sweep used to
 * take the 500 soonest-expiring unfinished wallets, and a wallet stays
 * unfinished for 7 days after its expiry, so the later one waited a week. */
Test(poc_expiry, a_wallet_behind_more_than_a_pass_of_expired_ones_is_suspended_on_time)
{
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-01T00:00:00Z\"}");
	char other[64], path[128];
	tt_create_account(&srv, "Crowd", other);
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", other);
	for (int i = 0; i < 520; i++)
		admin_do(path, "{\"amount\":1000,\"expires_at\":\"2026-12-05T00:00:00Z\"}");
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	admin_do(path, "{\"amount\":100000000,\"expires_at\":\"2026-12-05T06:00:00Z\"}");
	char id[64];
	create("{\"type\":\"server\",\"name\":\"late\",\"poc\":true,\"spec\":{\"flavor\":\"s.general.1c2g\"}}",
	       id);
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-05T00:00:01Z\"}"); /* the crowd expires */
	cr_assert_str_eq(status_of(id), "active");
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-05T06:00:00Z\"}");
	cr_assert_str_eq(status_of(id), "suspended", "suspended at its wallet's expiry");
	cr_assert_eq(count_events("poc_wallet.expiring"), 3, "reminded 7, 3 and 1 days ahead");
}

static int64_t promotional(const char *member)
{
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/accounts", srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	int64_t sum = 0;
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(r.json, "data"), i, a)
		if (strcmp(json_string_value(json_object_get(a, "kind")), "promotional") == 0)
			sum += json_integer_value(json_object_get(a, member));
	tt_response_free(&r);
	return sum;
}

/* Found by the lifecycle simulation (seed 1): jobs that run late (tallyd
 * down, or the clock moved a day at once) charged the POC use of the hours
 * after the wallet's expiry before the expiry suspended its resources; at
 * expiry they are suspended, so nothing after it is the wallet's to pay. */
Test(poc_expiry, no_poc_use_is_charged_after_the_wallet_expires_even_when_the_jobs_run_late)
{
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-01T00:00:00Z\"}");
	char path[128], id[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	admin_do(path, "{\"amount\":9000000,\"expires_at\":\"2026-12-01T10:30:00Z\"}");
	create("{\"type\":\"server\",\"name\":\"late\",\"poc\":true,\"spec\":{\"flavor\":\"s.general.1c2g\"}}",
	       id);
	admin_do("/v1/admin/clock", "{\"now\":\"2026-12-02T00:00:00Z\"}"); /* one late pass */
	cr_assert_str_eq(status_of(id), "suspended");
	/* 10 whole hours before the expiry: 600 minutes x 250,000 / 43,200 = 3,472 */
	cr_assert_eq(promotional("posted_credits"), 9000000 - 3472,
		     "the unused credit back to promotional is what 10 hours left");
}

/* Found while modelling POC use for the lifecycle simulation: the accrual
 * pass reads its resources first and charges them one by one; when the
 * first one's charge used the wallet up and suspended them all, saving the
 * second one (read before, still active) made it active again, on a wallet
 * with nothing left, for ever (the wallet is used up only once). */
Test(poc_expiry, a_wallet_used_up_in_one_pass_suspends_every_resource_it_pays_for)
{
	char path[128], ids[3][64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	admin_do(path, "{\"amount\":1000,\"expires_at\":\"2099-01-01T00:00:00Z\"}");
	/* 667 each for their first hour: the second one uses the 1,000 up, and
	 * the third is charged after that */
	for (int i = 0; i < 3; i++)
		create("{\"type\":\"server\",\"name\":\"one\",\"poc\":true,"
		       "\"spec\":{\"flavor\":\"s.general.2c4g\"}}", ids[i]);
	admin_do("/v1/admin/clock", "{\"advance_seconds\":3600}");
	for (int i = 0; i < 3; i++)
		cr_assert_str_eq(status_of(ids[i]), "suspended", "resource %d of 3 is active", i + 1);
	cr_assert_eq(count_events("poc_wallet.used_up"), 1);
}
