/* Unit tests: when a coupon applies, and why not. */
#include <criterion/criterion.h>
#include <string.h>
#include "domain/coupon.h"

static tl_coupon base(void)
{
	tl_coupon c = {.percent_off = 10};
	snprintf(c.code, sizeof(c.code), "SAVE10");
	snprintf(c.currency, sizeof(c.currency), "VND");
	return c;
}

static const char *vserver[] = {"vserver"};

static const char *check(const tl_coupon *c, const tl_coupon_use *u)
{
	static char code[48];
	tl_error e = {0};
	code[0] = '\0';
	if (tl_coupon_check(c, u, &e) < 0) {
		snprintf(code, sizeof(code), "%s", e.code);
		cr_expect(strlen(e.message) > 10, "no reason: %s", e.message);
	}
	tl_error_clear(&e);
	return code;
}

Test(coupon, each_rule_has_its_code)
{
	tl_coupon_use use = {.now = 1000, .cycle_months = 12, .currency = "VND",
			     .services = vserver, .service_count = 1};
	tl_coupon c = base();
	cr_assert_str_eq(check(&c, &use), "");
	c = base(); c.disabled = true;
	cr_assert_str_eq(check(&c, &use), "coupon_not_applicable");
	c = base(); c.starts_at = 1001;
	cr_assert_str_eq(check(&c, &use), "coupon_not_applicable");
	c = base(); c.expires_at = 1000;
	cr_assert_str_eq(check(&c, &use), "coupon_expired", "it expires at its expiry time");
	c = base(); c.expires_at = 1001;
	cr_assert_str_eq(check(&c, &use), "");
	c = base(); c.max_redemptions = 2; c.redemptions = 2;
	cr_assert_str_eq(check(&c, &use), "coupon_exhausted");
	c = base(); c.max_per_account = 1;
	use.account_redemptions = 1;
	cr_assert_str_eq(check(&c, &use), "coupon_exhausted");
	use.account_redemptions = 0;
	c = base(); c.min_cycle_months = 24;
	cr_assert_str_eq(check(&c, &use), "coupon_not_applicable");
	c = base(); c.service_count = 1; snprintf(c.services[0], sizeof(c.services[0]), "vks");
	cr_assert_str_eq(check(&c, &use), "coupon_not_applicable");
	c = base(); c.first_purchase_only = true;
	use.account_has_purchased = true;
	cr_assert_str_eq(check(&c, &use), "coupon_not_applicable");
	use.account_has_purchased = false;
	cr_assert_str_eq(check(&c, &use), "");
	c = base(); c.percent_off = 0; c.amount_off = 5; snprintf(c.currency, 4, "USD");
	cr_assert_str_eq(check(&c, &use), "coupon_not_applicable");
}

Test(coupon, codes_are_case_insensitive_and_checked)
{
	char out[TL_COUPON_CODE_MAX];
	cr_assert_eq(tl_coupon_normalize_code("welcome-20_x", out), 0);
	cr_assert_str_eq(out, "WELCOME-20_X");
	cr_assert_lt(tl_coupon_normalize_code("", out), 0);
	cr_assert_lt(tl_coupon_normalize_code("with space", out), 0);
	cr_assert_lt(tl_coupon_normalize_code("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", out), 0);
}
