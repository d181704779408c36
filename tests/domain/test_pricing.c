/* Unit tests: pricing to the last đồng. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "common/err.h"
#include "domain/pricing.h"

static const struct {
	int months;
	int64_t discount_bp;
} cycles[] = {{1, 0}, {3, 300}, {6, 500}, {12, 1000}, {24, 1500}, {36, 2000}};

Test(pricing, every_cycle_of_one_server)
{
	/* 900,000 VND/month; expected gross, discount, tax (10%), total per term */
	static const int64_t expected[][4] = {
		{900000, 0, 90000, 990000},
		{2700000, 81000, 261900, 2880900},
		{5400000, 270000, 513000, 5643000},
		{10800000, 1080000, 972000, 10692000},
		{21600000, 3240000, 1836000, 20196000},
		{32400000, 6480000, 2592000, 28512000},
	};
	for (size_t c = 0; c < sizeof(cycles) / sizeof(cycles[0]); c++) {
		tl_price_line line = {.unit_price = 900000, .quantity = 1};
		tl_price_terms terms = {.cycle_months = cycles[c].months,
					.cycle_discount_bp = cycles[c].discount_bp,
					.tax_rate_bp = 1000};
		tl_price_totals t;
		cr_assert_eq(tl_pricing_price(&line, 1, &terms, &t), 0);
		cr_expect_eq(line.gross, expected[c][0], "%d months gross", cycles[c].months);
		cr_expect_eq(line.cycle_discount, expected[c][1], "%d months", cycles[c].months);
		cr_expect_eq(line.tax, expected[c][2], "%d months tax", cycles[c].months);
		cr_expect_eq(line.total, expected[c][3], "%d months total", cycles[c].months);
		cr_expect_eq(t.total, line.total);
		cr_expect_eq(t.subtotal, line.gross - line.cycle_discount);
	}
}

Test(pricing, volumes_are_priced_per_gb_month)
{
	tl_price_line line = {.unit_price = 3000, .quantity = 100}; /* 100 GB of SSD */
	tl_price_terms terms = {.cycle_months = 3, .cycle_discount_bp = 300, .tax_rate_bp = 1000};
	tl_price_totals t;
	cr_assert_eq(tl_pricing_price(&line, 1, &terms, &t), 0);
	cr_assert_eq(line.gross, 900000);
	cr_assert_eq(line.cycle_discount, 27000);
	cr_assert_eq(line.tax, 87300);
	cr_assert_eq(line.total, 960300);
}

Test(pricing, rounding_is_half_up_per_line)
{
	/* 5 VND of tax base at 10% is 0.5: rounds to 1 on each line */
	tl_price_line lines[2] = {{.unit_price = 5, .quantity = 1}, {.unit_price = 5, .quantity = 1}};
	tl_price_terms terms = {.cycle_months = 1, .tax_rate_bp = 1000};
	tl_price_totals t;
	cr_assert_eq(tl_pricing_price(lines, 2, &terms, &t), 0);
	cr_assert_eq(lines[0].tax, 1);
	cr_assert_eq(t.tax, 2, "tax is rounded per line (per invoice), not on the sum");
	cr_assert_eq(t.total, 12);
	/* 3 months at 3% of 333 = 29.97 -> 30 */
	tl_price_line l = {.unit_price = 333, .quantity = 1};
	terms = (tl_price_terms){.cycle_months = 3, .cycle_discount_bp = 300, .tax_rate_bp = 0};
	cr_assert_eq(tl_pricing_price(&l, 1, &terms, &t), 0);
	cr_assert_eq(l.cycle_discount, 30);
}

Test(pricing, a_coupon_spread_over_seven_lines_adds_up_exactly)
{
	tl_price_line lines[7];
	const int64_t prices[7] = {100003, 7, 33333, 1, 250000, 99999, 12345};
	for (int i = 0; i < 7; i++)
		lines[i] = (tl_price_line){.unit_price = prices[i], .quantity = 1};
	tl_price_terms terms = {.cycle_months = 1, .tax_rate_bp = 1000, .coupon_amount_off = 100000};
	tl_price_totals t;
	cr_assert_eq(tl_pricing_price(lines, 7, &terms, &t), 0);
	int64_t coupon = 0, total = 0, tax = 0;
	for (int i = 0; i < 7; i++) {
		coupon += lines[i].coupon_discount;
		total += lines[i].total;
		tax += lines[i].tax;
		cr_expect_leq(lines[i].coupon_discount, lines[i].amount);
		cr_expect_eq(lines[i].taxable, lines[i].amount - lines[i].coupon_discount);
	}
	cr_assert_eq(coupon, 100000, "the coupon's parts add up to %lld", (long long)coupon);
	cr_assert_eq(t.discount, 100000);
	cr_assert_eq(t.total, total);
	cr_assert_eq(t.tax, tax);
	cr_assert_eq(t.total, t.subtotal - t.discount + t.tax);
	/* the biggest line carries the biggest share */
	cr_assert_gt(lines[4].coupon_discount, lines[0].coupon_discount);
}

Test(pricing, largest_remainder_goes_to_the_largest_fractions)
{
	int64_t parts[3];
	const int64_t w[3] = {1, 1, 1};
	cr_assert_eq(tl_pricing_spread(10, w, 3, parts), 0);
	cr_assert_eq(parts[0], 4); /* ties: the earlier line */
	cr_assert_eq(parts[1], 3);
	cr_assert_eq(parts[2], 3);
	const int64_t w2[3] = {2, 5, 3};
	cr_assert_eq(tl_pricing_spread(7, w2, 3, parts), 0);
	/* 1.4, 3.5, 2.1 -> 1, 3, 2 and the 1 left goes to .5 */
	cr_assert_eq(parts[0], 1);
	cr_assert_eq(parts[1], 4);
	cr_assert_eq(parts[2], 2);
	const int64_t zero[2] = {0, 0};
	cr_assert_eq(tl_pricing_spread(0, zero, 2, parts), 0);
	cr_assert_eq(tl_pricing_spread(1, zero, 2, parts), TL_EINVALID);
}

Test(pricing, coupon_kinds_and_caps)
{
	tl_price_line line = {.unit_price = 1000000, .quantity = 1};
	tl_price_totals t;
	tl_price_terms pct = {.cycle_months = 12, .cycle_discount_bp = 1000, .tax_rate_bp = 1000,
			      .coupon_percent_bp = 2000};
	cr_assert_eq(tl_pricing_price(&line, 1, &pct, &t), 0);
	cr_assert_eq(t.subtotal, 10800000);
	cr_assert_eq(t.discount, 2160000, "20%% of the subtotal after the cycle discount");
	cr_assert_eq(t.tax, 864000);
	cr_assert_eq(t.total, 9504000);
	tl_price_terms big = {.cycle_months = 1, .tax_rate_bp = 1000, .coupon_amount_off = 5000000};
	cr_assert_eq(tl_pricing_price(&line, 1, &big, &t), 0);
	cr_assert_eq(t.discount, 1000000, "a coupon never goes below zero");
	cr_assert_eq(t.total, 0);
	tl_price_terms full = {.cycle_months = 1, .tax_rate_bp = 1000, .coupon_percent_bp = 10000};
	cr_assert_eq(tl_pricing_price(&line, 1, &full, &t), 0);
	cr_assert_eq(t.total, 0);
}

Test(pricing, refuses_overflow_and_bad_terms)
{
	tl_price_totals t;
	tl_price_line line = {.unit_price = INT64_MAX / 2, .quantity = 1};
	tl_price_terms terms = {.cycle_months = 3, .tax_rate_bp = 1000};
	cr_assert_eq(tl_pricing_price(&line, 1, &terms, &t), TL_EINVALID);
	tl_price_line two[2] = {{.unit_price = INT64_MAX / 2 + 1, .quantity = 1},
				{.unit_price = INT64_MAX / 2 + 1, .quantity = 1}};
	terms.cycle_months = 1;
	cr_assert_eq(tl_pricing_price(two, 2, &terms, &t), TL_EINVALID, "subtotal overflow");
	tl_price_line ok = {.unit_price = 1, .quantity = 1};
	const tl_price_terms bad[] = {
		{.cycle_months = 0}, {.cycle_months = 37}, {.cycle_months = 1, .cycle_discount_bp = 10000},
		{.cycle_months = 1, .tax_rate_bp = -1}, {.cycle_months = 1, .coupon_percent_bp = 10001},
		{.cycle_months = 1, .coupon_percent_bp = 10, .coupon_amount_off = 10},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(tl_pricing_price(&ok, 1, &bad[i], &t), TL_EINVALID, "terms %zu", i);
	tl_price_line negative = {.unit_price = -1, .quantity = 1};
	cr_assert_eq(tl_pricing_price(&negative, 1, &terms, &t), TL_EINVALID);
	cr_assert_eq(tl_pricing_price(&ok, 0, &terms, &t), TL_EINVALID);
}

Test(pricing, usage_by_the_minute)
{
	int64_t out;
	/* a whole 30-day month of use costs the monthly price */
	cr_assert_eq(tl_pricing_usage_cost(43200, 900000, 1, 0, &out), 0);
	cr_assert_eq(out, 900000);
	/* 600,000 VND a day, as DESIGN.md's hold example: 18,000,000 a month */
	cr_assert_eq(tl_pricing_usage_cost(1440, 18000000, 1, 0, &out), 0);
	cr_assert_eq(out, 600000);
	/* 61 minutes of 100 GB at 3,000/GB-month: 423.6 -> 424 */
	cr_assert_eq(tl_pricing_usage_cost(61, 3000, 100, 0, &out), 0);
	cr_assert_eq(out, 424);
	/* with a 10% discount: 381.25 -> 381 */
	cr_assert_eq(tl_pricing_usage_cost(61, 3000, 100, 1000, &out), 0);
	cr_assert_eq(out, 381);
	cr_assert_eq(tl_pricing_usage_cost(INT64_MAX, 2, INT64_MAX, 0, &out), TL_EINVALID);
}

Test(pricing, a_hold_is_three_days_of_use_with_tax)
{
	/* DESIGN.md: 600,000 VND a day of use -> 1,800,000 held (before tax) */
	tl_price_line line = {.unit_price = 18000000, .quantity = 1};
	int64_t hold;
	cr_assert_eq(tl_pricing_hold_amount(&line, 1, 3, 0, &hold), 0);
	cr_assert_eq(hold, 1800000);
	cr_assert_eq(tl_pricing_hold_amount(&line, 1, 3, 1000, &hold), 0);
	cr_assert_eq(hold, 1980000);
}
