/* Unit tests: gateway parameter sets (forms, the canonical string),
 * HMAC-SHA512 signatures against a vector computed elsewhere (Python's
 * hmac), the freshness window, and the sandbox's link and notification. */
#include <criterion/criterion.h>
#include <string.h>
#include "gateway/gateway.h"

#define SECRET "a shared secret of any length"

static tl_gateway_params notification(void)
{
	tl_gateway_params ps = {0};
	tl_error err = {0};
	cr_assert_eq(tl_gateway_params_add(&ps, "txn_id", "gtx_2onut442l2frckou", &err), 0);
	cr_assert_eq(tl_gateway_params_add(&ps, "ts", "1795452250", &err), 0);
	cr_assert_eq(tl_gateway_params_add(&ps, "result", "paid", &err), 0);
	cr_assert_eq(tl_gateway_params_add(&ps, "currency", "VND", &err), 0);
	cr_assert_eq(tl_gateway_params_add(&ps, "checkout_id", "chk_r7vzooxgezygxkez", &err), 0);
	cr_assert_eq(tl_gateway_params_add(&ps, "amount", "528000", &err), 0);
	return ps;
}

Test(gateway, the_canonical_string_is_sorted_encoded_and_unsigned)
{
	tl_gateway_params ps = {0};
	tl_error err = {0};
	char out[256];
	cr_assert_eq(tl_gateway_params_add(&ps, "b", "x y+z", &err), 0);
	cr_assert_eq(tl_gateway_params_add(&ps, "signature", "ab", &err), 0);
	cr_assert_eq(tl_gateway_params_add(&ps, "a", "\xc3\xa4&=/~-._", &err), 0);
	cr_assert_eq(tl_gateway_params_encode(&ps, false, out, sizeof(out), &err), 0);
	cr_assert_str_eq(out, "a=%C3%A4%26%3D%2F~-._&b=x%20y%2Bz");
	cr_assert_eq(tl_gateway_params_encode(&ps, true, out, sizeof(out), &err), 0);
	cr_assert_str_eq(out, "a=%C3%A4%26%3D%2F~-._&b=x%20y%2Bz&signature=ab");
	cr_assert_eq(tl_gateway_params_encode(&ps, true, out, 10, &err), TL_EINTERNAL);
	tl_error_clear(&err);
}

Test(gateway, the_signature_matches_an_independent_hmac_sha512)
{
	tl_gateway_params ps = notification();
	tl_error err = {0};
	cr_assert_eq(tl_gateway_sign(&ps, SECRET, &err), 0);
	cr_assert_str_eq(tl_gateway_params_get(&ps, "signature"),
			 "51cc8bdf0983908d7263126d2e5abe86580bcb7bdf0e67a95555fdc554141a48"
			 "ff5e57184b1f78bc22c428188d3bb26b863e116b451b6d55aeea3f4ab3fc39fe");
	cr_assert_eq(tl_gateway_verify_signature(&ps, SECRET, &err), 0);
	cr_assert_eq(tl_gateway_verify_signature(&ps, SECRET "!", &err), TL_EAUTH);
	cr_assert_str_eq(err.code, "invalid_signature");
	tl_error_clear(&err);
}

Test(gateway, a_changed_missing_or_malformed_signature_is_refused)
{
	tl_gateway_params ps = notification();
	tl_error err = {0};
	cr_assert_eq(tl_gateway_verify_signature(&ps, SECRET, &err), TL_EAUTH);
	tl_error_clear(&err);
	cr_assert_eq(tl_gateway_sign(&ps, SECRET, &err), 0);
	snprintf(ps.items[5].value, sizeof(ps.items[5].value), "528001"); /* amount */
	cr_assert_eq(tl_gateway_verify_signature(&ps, SECRET, &err), TL_EAUTH);
	tl_error_clear(&err);
	tl_gateway_params_remove(&ps, "signature");
	cr_assert_eq(tl_gateway_params_add(&ps, "signature", "zz", &err), 0);
	cr_assert_eq(tl_gateway_verify_signature(&ps, SECRET, &err), TL_EAUTH);
	tl_error_clear(&err);
}

Test(gateway, forms_decode_plus_and_percent_and_refuse_what_is_malformed)
{
	tl_gateway_params ps;
	tl_error err = {0};
	const char *form = "a=1+2&b=%41%42&&c=&d";
	cr_assert_eq(tl_gateway_params_from_form(&ps, form, strlen(form), &err), 0);
	cr_assert_eq(ps.count, 4);
	cr_assert_str_eq(tl_gateway_params_get(&ps, "a"), "1 2");
	cr_assert_str_eq(tl_gateway_params_get(&ps, "b"), "AB");
	cr_assert_str_eq(tl_gateway_params_get(&ps, "c"), "");
	cr_assert_str_eq(tl_gateway_params_get(&ps, "d"), "");
	static const char *const bad[] = {"a=%4", "a=%zz", "a=%00", "a=1&a=2", "A=1",
					  "a=%0A", "a=%FF", "=1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(tl_gateway_params_from_form(&ps, bad[i], strlen(bad[i]), &err),
			     TL_EINVALID, "%s", bad[i]);
		tl_error_clear(&err);
	}
	char many[256] = "";
	size_t len = 0;
	for (int i = 0; i <= (int)TL_GATEWAY_PARAMS_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len, "p%d=1&", i);
	cr_assert_eq(tl_gateway_params_from_form(&ps, many, len, &err), TL_EINVALID);
	tl_error_clear(&err);
}

Test(gateway, json_members_must_be_strings)
{
	tl_gateway_params ps;
	tl_error err = {0};
	json_t *ok = json_pack("{s:s, s:s}", "a", "1", "b", "x");
	cr_assert_eq(tl_gateway_params_from_json(&ps, ok, &err), 0);
	cr_assert_eq(ps.count, 2);
	json_t *bad = json_pack("{s:i}", "a", 1);
	cr_assert_eq(tl_gateway_params_from_json(&ps, bad, &err), TL_EINVALID);
	cr_assert_str_eq(err.code, "invalid_type");
	tl_error_clear(&err);
	json_decref(ok);
	json_decref(bad);
}

static const tl_gateway_config cfg = {.secret = SECRET, .public_url = "http://pay.test"};

/* The query of a started payment, parsed back as the page would. */
static void started_link(tl_gateway_params *link)
{
	tl_error err = {0};
	char url[TL_GATEWAY_URL_MAX];
	tl_gateway_payment p = {.txn_id = "gtx_a", .checkout_id = "chk_b", .amount = 528000,
				.currency = "VND", .return_url = "http://pay.test/?checkout_id=chk_b",
				.now = 5000};
	cr_assert_eq(tl_gateway_sandbox.start(&cfg, &p, url, sizeof(url), &err), 0);
	const char *prefix = "http://pay.test/sandbox-gateway/pay?";
	cr_assert_eq(strncmp(url, prefix, strlen(prefix)), 0, "%s", url);
	const char *query = url + strlen(prefix);
	cr_assert_eq(tl_gateway_params_from_form(link, query, strlen(query), &err), 0);
}

Test(gateway, the_sandbox_link_reads_back_and_its_notification_verifies)
{
	tl_gateway_params link, note;
	tl_error err = {0};
	started_link(&link);
	tl_gateway_payment p;
	cr_assert_eq(tl_sandbox_read_link(&cfg, &link, &p, &err), 0);
	cr_assert_eq(p.amount, 528000);
	cr_assert_str_eq(p.return_url, "http://pay.test/?checkout_id=chk_b");
	cr_assert_eq(tl_sandbox_notification(&cfg, &p, TL_GATEWAY_CANCELLED, 6000, &note, &err), 0);
	tl_gateway_notice n;
	cr_assert_eq(tl_gateway_sandbox.verify(&cfg, &note, &n, &err), 0);
	cr_assert_str_eq(n.txn_id, "gtx_a");
	cr_assert_str_eq(n.checkout_id, "chk_b");
	cr_assert_eq(n.amount, 528000);
	cr_assert_eq(n.result, TL_GATEWAY_CANCELLED);
	cr_assert_eq(n.ts, 6000);
}

Test(gateway, a_signed_link_is_not_a_notification)
{
	tl_gateway_params link;
	tl_error err = {0};
	started_link(&link);
	tl_gateway_notice n;
	cr_assert_eq(tl_gateway_sandbox.verify(&cfg, &link, &n, &err), TL_EINVALID);
	cr_assert_str_eq(err.code, "invalid_notification");
	tl_error_clear(&err);
}
