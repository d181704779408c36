/* Unit tests: how invoices' PDFs write money in Vietnamese and English. */
#include <criterion/criterion.h>
#include "api/invoice_pdf.h"

static const char *fmt(int64_t amount, const char *currency, bool vi)
{
	static char out[64];
	tl_invoice_pdf_money(amount, currency, vi, out, sizeof(out));
	return out;
}

Test(invoice_pdf_money, vnd_groups_by_dots_with_the_dong_sign_in_vietnamese)
{
	cr_assert_str_eq(fmt(1947000, "VND", true), "1.947.000 ₫");
	cr_assert_str_eq(fmt(1947000, "VND", false), "1,947,000 VND");
	cr_assert_str_eq(fmt(0, "VND", true), "0 ₫");
	cr_assert_str_eq(fmt(999, "VND", true), "999 ₫");
	cr_assert_str_eq(fmt(-48000, "VND", true), "-48.000 ₫");
}

Test(invoice_pdf_money, minor_digits_use_the_languages_decimal_mark)
{
	cr_assert_str_eq(fmt(123456705, "USD", true), "1.234.567,05 USD");
	cr_assert_str_eq(fmt(123456705, "USD", false), "1,234,567.05 USD");
	cr_assert_str_eq(fmt(5, "USD", false), "0.05 USD");
	cr_assert_str_eq(fmt(INT64_MIN, "VND", false), "-9,223,372,036,854,775,808 VND");
}
