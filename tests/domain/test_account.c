/* Unit tests: rules for a new account. */
#include <criterion/criterion.h>
#include <string.h>
#include "domain/account.h"
#include "domain/currency.h"

Test(account, defaults_to_vnd_and_prepaid)
{
	tl_account a;
	tl_error e = {0};
	cr_assert_eq(tl_account_prepare(&a, "Acme", NULL, &e), 0);
	cr_assert_str_eq(a.currency, "VND");
	cr_assert_str_eq(a.type, "prepaid");
	cr_assert_str_eq(a.name, "Acme");
}

Test(account, rejects_bad_names_and_currencies)
{
	tl_account a;
	char long_name[TL_NAME_MAX + 2];
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	struct { const char *name, *currency, *code; } cases[] = {
		{"", NULL, "invalid_name"},
		{"   ", NULL, "invalid_name"},
		{"a\nb", NULL, "invalid_name"},
		{long_name, NULL, "invalid_name"},
		{"Acme", "XXX", "unsupported_currency"},
		{"Acme", "vnd", "unsupported_currency"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tl_error e = {0};
		cr_expect_eq(tl_account_prepare(&a, cases[i].name, cases[i].currency, &e),
			     TL_EINVALID, "case %zu", i);
		cr_expect_str_eq(e.code, cases[i].code, "case %zu", i);
		tl_error_clear(&e);
	}
}

Test(currency, knows_minor_digits)
{
	cr_assert_eq(tl_currency_find("VND")->minor_digits, 0);
	cr_assert_eq(tl_currency_find("USD")->minor_digits, 2);
	cr_assert_null(tl_currency_find("BTC"));
}

Test(account, type_is_prepaid_or_postpaid)
{
	tl_error e = {0};
	cr_expect_eq(tl_account_type_check("prepaid", &e), 0);
	cr_expect_eq(tl_account_type_check("postpaid", &e), 0);
	const char *bad[] = {"", "Prepaid", "postpaid ", "poc", "free"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(tl_account_type_check(bad[i], &e), TL_EINVALID, "%s", bad[i]);
		cr_expect_str_eq(e.code, "invalid_type_value", "%s", bad[i]);
		cr_expect_str_eq(json_string_value(json_object_get(e.details, "field")), "type");
		tl_error_clear(&e);
	}
}
