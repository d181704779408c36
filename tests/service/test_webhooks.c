/* Unit tests of webhooks' pure parts: which addresses are refused, the
 * backoff, the audit-to-webhook type map, the URL check and the signature
 * (against a value computed independently, with Python's hmac). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <sodium.h>
#include <string.h>
#include "jobs/webhook_worker.h"
#include "service/webhooks.h"

static bool v4(const char *text)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	cr_assert_eq(inet_pton(AF_INET, text, &a.sin_addr), 1, "%s", text);
	return tl_webhook_addr_forbidden((struct sockaddr *)&a);
}

static bool v6(const char *text)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};
	cr_assert_eq(inet_pton(AF_INET6, text, &a.sin6_addr), 1, "%s", text);
	return tl_webhook_addr_forbidden((struct sockaddr *)&a);
}

Test(webhooks, private_and_special_addresses_are_forbidden)
{
	const char *bad4[] = {"127.0.0.1", "127.255.1.2", "10.0.0.1", "172.16.0.1", "172.31.255.255",
			      "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
			      "224.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.1"};
	for (size_t i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++)
		cr_expect(v4(bad4[i]), "%s allowed", bad4[i]);
	const char *good4[] = {"8.8.8.8", "172.32.0.1", "93.184.216.34", "100.128.0.1"};
	for (size_t i = 0; i < sizeof(good4) / sizeof(good4[0]); i++)
		cr_expect(!v4(good4[i]), "%s refused", good4[i]);
	const char *bad6[] = {"::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
			      "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2001:db8::1"};
	for (size_t i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++)
		cr_expect(v6(bad6[i]), "%s allowed", bad6[i]);
	cr_expect(!v6("2606:4700::1111"));
	cr_expect(!v6("::ffff:8.8.8.8"));
}

Test(webhooks, backoff_doubles_from_30_seconds_to_an_hour)
{
	cr_assert_eq(tl_webhook_backoff_s(1), 30);
	cr_assert_eq(tl_webhook_backoff_s(2), 60);
	cr_assert_eq(tl_webhook_backoff_s(3), 120);
	cr_assert_eq(tl_webhook_backoff_s(7), 1920);
	cr_assert_eq(tl_webhook_backoff_s(8), 3600);
	cr_assert_eq(tl_webhook_backoff_s(1000000), 3600);
}

Test(webhooks, audit_types_map_to_webhook_types)
{
	cr_assert_str_eq(tl_webhook_type_for("resource.suspended"), "resource.suspended");
	cr_assert_str_eq(tl_webhook_type_for("resource.renewal_failed"), "renewal.failed");
	cr_assert_str_eq(tl_webhook_type_for("resource.recovered"), "resource.reactivated");
	cr_assert_null(tl_webhook_type_for("token.created"));
	cr_assert_null(tl_webhook_type_for("clock.moved"));
	for (size_t i = 0; tl_webhook_types[i]; i++)
		cr_assert(tl_webhook_type_known(tl_webhook_types[i]));
	cr_assert(tl_webhook_type_known("*"));
	cr_assert(!tl_webhook_type_known("resource.created"));
}

Test(webhooks, urls_are_checked)
{
	tl_error err = {0};
	cr_assert_eq(tl_webhook_url_check("https://example.com/h?x=1", false, &err), 0);
	cr_assert_eq(tl_webhook_url_check("http://127.0.0.1:8080/h", true, &err), 0);
	cr_assert_eq(tl_webhook_url_check("http://127.0.0.1:8080/h", false, &err), TL_ERULE);
	cr_assert_str_eq(err.code, "webhook_destination_forbidden");
	tl_error_clear(&err);
	cr_assert_eq(tl_webhook_url_check("gopher://example.com/", true, &err), TL_ERULE);
	cr_assert_str_eq(err.code, "invalid_webhook_url");
	tl_error_clear(&err);
	cr_assert_eq(tl_webhook_url_check("http://LOCALHOST/", false, &err), TL_ERULE);
	cr_assert_str_eq(err.code, "webhook_destination_forbidden");
	tl_error_clear(&err);
}

Test(webhooks, the_signature_is_hmac_sha256_of_time_dot_body)
{
	cr_assert_geq(sodium_init(), 0);
	const char *body = "{\"id\":\"evt_1\"}";
	char sig[160];
	tl_webhook_sign("whsec_test", 1700000000, body, strlen(body), sig, sizeof(sig));
	cr_assert_str_eq(sig, "t=1700000000,v1="
			      "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925");
}
