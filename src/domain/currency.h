/*
 * currency.h: the ISO 4217 currencies tally books in, with their minor
 * digits (VND has none, USD two). Money is always an int64 of minor units.
 */
#ifndef TL_CURRENCY_H
#define TL_CURRENCY_H

#include <stddef.h>

typedef struct tl_currency {
	const char *code;  /* "VND" */
	int minor_digits;  /* 0 for VND, 2 for USD */
} tl_currency;

/* The currency with this ISO code, or NULL when tally does not support it. */
const tl_currency *tl_currency_find(const char *code);

/* The supported currencies, for iteration: index 0 .. tl_currency_count()-1. */
size_t tl_currency_count(void);
const tl_currency *tl_currency_at(size_t i);

#define TL_DEFAULT_CURRENCY "VND"

#endif
