/* Unit tests: exact, checked money at the int64 edges. */
#include <criterion/criterion.h>
#include <stdint.h>
#include "common/err.h"
#include "domain/money.h"

Test(money, add_and_sub_refuse_overflow_and_leave_out_alone)
{
	int64_t out = 7;
	cr_assert_eq(tl_money_add(INT64_MAX, 1, &out), TL_EINVALID);
	cr_assert_eq(out, 7);
	cr_assert_eq(tl_money_add(INT64_MAX - 1, 1, &out), 0);
	cr_assert_eq(out, INT64_MAX);
	cr_assert_eq(tl_money_sub(INT64_MIN, 1, &out), TL_EINVALID);
	cr_assert_eq(tl_money_sub(0, INT64_MIN, &out), TL_EINVALID);
	cr_assert_eq(tl_money_sub(-1, INT64_MAX, &out), 0);
	cr_assert_eq(out, INT64_MIN);
}

Test(money, mul_refuses_overflow)
{
	int64_t out;
	cr_assert_eq(tl_money_mul(INT64_MAX / 2 + 1, 2, &out), TL_EINVALID);
	cr_assert_eq(tl_money_mul(INT64_MIN, -1, &out), TL_EINVALID);
	cr_assert_eq(tl_money_mul(3037000499, 3037000499, &out), 0);
	cr_assert_eq(tl_money_mul(3037000500, 3037000500, &out), TL_EINVALID);
}

Test(money, percent_rounds_half_away_from_zero)
{
	int64_t out;
	cr_assert_eq(tl_money_percent_bp(1250000, 1000, &out), 0); /* 10% tax */
	cr_assert_eq(out, 125000);
	cr_assert_eq(tl_money_percent_bp(5, 1000, &out), 0); /* 0.5 -> 1 */
	cr_assert_eq(out, 1);
	cr_assert_eq(tl_money_percent_bp(4, 1000, &out), 0); /* 0.4 -> 0 */
	cr_assert_eq(out, 0);
	cr_assert_eq(tl_money_percent_bp(15, 1000, &out), 0); /* 1.5 -> 2 */
	cr_assert_eq(out, 2);
	cr_assert_eq(tl_money_percent_bp(-15, 1000, &out), 0); /* -1.5 -> -2 */
	cr_assert_eq(out, -2);
	cr_assert_eq(tl_money_percent_bp(999999, 3333, &out), 0); /* 333299.6667 */
	cr_assert_eq(out, 333300);
}

Test(money, mul_div_is_exact_where_the_product_exceeds_int64)
{
	int64_t out;
	/* INT64_MAX * 10000 / 10000 needs 128 bits in between */
	cr_assert_eq(tl_money_percent_bp(INT64_MAX, TL_BP_ONE, &out), 0);
	cr_assert_eq(out, INT64_MAX);
	cr_assert_eq(tl_money_percent_bp(INT64_MIN, TL_BP_ONE, &out), 0);
	cr_assert_eq(out, INT64_MIN);
	cr_assert_eq(tl_money_percent_bp(INT64_MAX, TL_BP_ONE + 1, &out), TL_EINVALID);
	/* usage: 43,200 minutes (a month) of a 1,000,000 VND/month item */
	cr_assert_eq(tl_money_mul_div(1000000, 43200, 43200, &out), 0);
	cr_assert_eq(out, 1000000);
	/* one minute of it: 23.148... -> 23 */
	cr_assert_eq(tl_money_mul_div(1000000, 1, 43200, &out), 0);
	cr_assert_eq(out, 23);
	cr_assert_eq(tl_money_mul_div(1, 1, 0, &out), TL_EINVALID);
}

Test(money, formats_and_parses_by_minor_digits)
{
	const tl_currency *vnd = tl_currency_find("VND"), *usd = tl_currency_find("USD");
	char buf[32];
	tl_money_format(1250000, vnd, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1250000");
	tl_money_format(1250, usd, buf, sizeof(buf));
	cr_assert_str_eq(buf, "12.50");
	tl_money_format(-5, usd, buf, sizeof(buf));
	cr_assert_str_eq(buf, "-0.05");
	tl_money_format(INT64_MIN, usd, buf, sizeof(buf));
	cr_assert_str_eq(buf, "-92233720368547758.08");
	int64_t v;
	cr_assert_eq(tl_money_parse("12.5", usd, &v), 0);
	cr_assert_eq(v, 1250);
	cr_assert_eq(tl_money_parse("92233720368547758.07", usd, &v), 0);
	cr_assert_eq(v, INT64_MAX);
	cr_assert_eq(tl_money_parse("92233720368547758.08", usd, &v), TL_EINVALID);
	cr_assert_eq(tl_money_parse("1.234", usd, &v), TL_EINVALID);
	cr_assert_eq(tl_money_parse("1.5", vnd, &v), TL_EINVALID);
	cr_assert_eq(tl_money_parse("1e3", vnd, &v), TL_EINVALID);
	cr_assert_eq(tl_money_parse("", vnd, &v), TL_EINVALID);
	cr_assert_eq(tl_money_parse("12.", usd, &v), TL_EINVALID);
}
