/* money.c: checked arithmetic on minor units. */
#include "domain/money.h"
#include "common/err.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int tl_money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return TL_EINVALID;
	*out = r;
	return 0;
}

int tl_money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return TL_EINVALID;
	*out = r;
	return 0;
}

int tl_money_mul(int64_t amount, int64_t factor, int64_t *out)
{
	int64_t r;
	if (__builtin_mul_overflow(amount, factor, &r))
		return TL_EINVALID;
	*out = r;
	return 0;
}

int tl_money_mul_div(int64_t amount, int64_t numerator, int64_t denominator, int64_t *out)
{
	if (denominator <= 0)
		return TL_EINVALID;
	__int128 product = (__int128)amount * numerator;
	bool negative = product < 0;
	unsigned __int128 magnitude = negative ? -(unsigned __int128)product
					       : (unsigned __int128)product;
	unsigned __int128 q = magnitude / (unsigned __int128)denominator;
	unsigned __int128 rem = magnitude % (unsigned __int128)denominator;
	if (rem * 2 >= (unsigned __int128)denominator) /* half away from zero */
		q++;
	if (q > (unsigned __int128)INT64_MAX + (negative ? 1 : 0))
		return TL_EINVALID;
	*out = negative ? (int64_t)(-(__int128)q) : (int64_t)q;
	return 0;
}

int tl_money_percent_bp(int64_t amount, int64_t bp, int64_t *out)
{
	return tl_money_mul_div(amount, bp, TL_BP_ONE, out);
}

void tl_money_format(int64_t amount, const tl_currency *cur, char *out, size_t out_size)
{
	int digits = cur ? cur->minor_digits : 0;
	/* the magnitude as unsigned, so INT64_MIN formats too */
	uint64_t mag = amount < 0 ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
	if (digits == 0) {
		snprintf(out, out_size, "%s%llu", amount < 0 ? "-" : "", (unsigned long long)mag);
		return;
	}
	uint64_t scale = 1;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	snprintf(out, out_size, "%s%llu.%0*llu", amount < 0 ? "-" : "",
		 (unsigned long long)(mag / scale), digits, (unsigned long long)(mag % scale));
}

int tl_money_parse(const char *text, const tl_currency *cur, int64_t *out)
{
	int digits = cur ? cur->minor_digits : 0;
	const char *p = text;
	bool negative = *p == '-';
	if (negative)
		p++;
	if (!isdigit((unsigned char)*p))
		return TL_EINVALID;
	int64_t value = 0;
	for (; isdigit((unsigned char)*p); p++)
		if (tl_money_mul(value, 10, &value) < 0 || tl_money_add(value, *p - '0', &value) < 0)
			return TL_EINVALID;
	int fraction_digits = 0;
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++, fraction_digits++)
			if (fraction_digits >= digits || tl_money_mul(value, 10, &value) < 0 ||
			    tl_money_add(value, *p - '0', &value) < 0)
				return TL_EINVALID;
		if (fraction_digits == 0)
			return TL_EINVALID;
	}
	if (*p != '\0')
		return TL_EINVALID;
	for (; fraction_digits < digits; fraction_digits++)
		if (tl_money_mul(value, 10, &value) < 0)
			return TL_EINVALID;
	*out = negative ? -value : value;
	return 0;
}
