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
	static const char *const bad[] = {"a=%4", "a=%zz", "a=%00", "a=1&a=2", "a-b=1",
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

/* ---- VNPay ---------------------------------------------------------------- */

/* A payment URL's parameters, with text that needs encoding: Vietnamese,
 * spaces, '&', '=', '~' and '*' (PHP's urlencode encodes both). */
static tl_gateway_params vnpay_vector(void)
{
	static const char *const pairs[][2] = {
		{"vnp_Version", "2.1.0"},
		{"vnp_Command", "pay"},
		{"vnp_TmnCode", "TALLYSBX"},
		{"vnp_Amount", "52800000"},
		{"vnp_CurrCode", "VND"},
		{"vnp_TxnRef", "gtx_2onut442l2frckou"},
		{"vnp_OrderInfo", "Thanh to\xc3\xa1n \xc4\x91\xc6\xa1n h\xc3\xa0ng a&b=c ~*"},
		{"vnp_ReturnUrl", "https://tally.example/v1/gateway/vnpay/return"},
		{"vnp_CreateDate", "20261206094500"},
		{"vnp_Locale", "vn"},
		{"vnp_SecureHashType", "HmacSHA512"},
	};
	tl_gateway_params ps = {0};
	tl_error err = {0};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		cr_assert_eq(tl_gateway_params_add(&ps, pairs[i][0], pairs[i][1], &err), 0, "%s",
			     err.message);
	return ps;
}

/* The hash data and hash below were computed outside tally: Python's
 * quote_plus(safe='') with '~' as %7E (PHP's urlencode, which VNPay's
 * reference code uses) and hmac.new(key, data, sha512), and the hash
 * again with `openssl dgst -sha512 -hmac`. */
Test(vnpay, the_hash_data_and_hash_match_vnpays_reference_signing)
{
	tl_gateway_params ps = vnpay_vector();
	tl_error err = {0};
	char data[1024];
	cr_assert_eq(tl_vnpay_canonical(&ps, data, sizeof(data), &err), 0);
	cr_assert_str_eq(data,
			 "vnp_Amount=52800000&vnp_Command=pay&vnp_CreateDate=20261206094500"
			 "&vnp_CurrCode=VND&vnp_Locale=vn&vnp_OrderInfo=Thanh+to%C3%A1n+%C4%91"
			 "%C6%A1n+h%C3%A0ng+a%26b%3Dc+%7E%2A&vnp_ReturnUrl=https%3A%2F%2F"
			 "tally.example%2Fv1%2Fgateway%2Fvnpay%2Freturn&vnp_TmnCode=TALLYSBX"
			 "&vnp_TxnRef=gtx_2onut442l2frckou&vnp_Version=2.1.0");
	cr_assert_eq(tl_vnpay_sign(&ps, "VNPay secret", &err), 0);
	const char *hash = "65e7307433862f016243bda64dd67566bd00b3611d80864d05a1572fe339eb23"
			   "49b49fc00083553d2f2e2d26d31e1cba0295eb2509892cbc40efe192356f32f1";
	cr_assert_str_eq(tl_gateway_params_get(&ps, "vnp_SecureHash"), hash);
	/* signed again, the hash is not signed over */
	cr_assert_eq(tl_vnpay_sign(&ps, "VNPay secret", &err), 0);
	cr_assert_str_eq(tl_gateway_params_get(&ps, "vnp_SecureHash"), hash);
	cr_assert_eq(tl_vnpay_verify_signature(&ps, "VNPay secret", &err), 0);
	/* upper-case hex is the same hash */
	char upper[129];
	for (size_t i = 0; i <= 128; i++)
		upper[i] = (char)(hash[i] >= 'a' && hash[i] <= 'f' ? hash[i] - 32 : hash[i]);
	tl_gateway_params_remove(&ps, "vnp_SecureHash");
	cr_assert_eq(tl_gateway_params_add(&ps, "vnp_SecureHash", upper, &err), 0);
	cr_assert_eq(tl_vnpay_verify_signature(&ps, "VNPay secret", &err), 0);
	/* a non-vnp_ parameter is neither signed nor believed */
	cr_assert_eq(tl_gateway_params_add(&ps, "action", "pay", &err), 0);
	cr_assert_eq(tl_vnpay_verify_signature(&ps, "VNPay secret", &err), 0);
	/* a changed value or key is refused */
	cr_assert_eq(tl_vnpay_verify_signature(&ps, "VNPay secret!", &err), TL_EAUTH);
	cr_assert_str_eq(err.code, "invalid_signature");
	tl_error_clear(&err);
	tl_gateway_params_remove(&ps, "vnp_Amount");
	cr_assert_eq(tl_gateway_params_add(&ps, "vnp_Amount", "100", &err), 0);
	cr_assert_eq(tl_vnpay_verify_signature(&ps, "VNPay secret", &err), TL_EAUTH);
	tl_error_clear(&err);
}

Test(vnpay, times_are_yyyymmddhhmmss_in_gmt_plus_7)
{
	char text[15];
	tl_vnpay_format_time(1796523900, text); /* 2026-12-06T02:25:00Z */
	cr_assert_str_eq(text, "20261206092500");
	int64_t t;
	cr_assert(tl_vnpay_parse_time("20261206092500", &t));
	cr_assert_eq(t, 1796523900);
	tl_vnpay_format_time(1796506800, text); /* 2026-12-05T21:40:00Z: the next day */
	cr_assert_str_eq(text, "20261206044000");
	cr_assert(!tl_vnpay_parse_time("2026120609250", &t));
	cr_assert(!tl_vnpay_parse_time("2026120609250x", &t));
	cr_assert(!tl_vnpay_parse_time("20261306092500", &t));
}
