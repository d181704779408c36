/* currency.c: the supported currencies. Adding one is a row here. */
#include "domain/currency.h"

#include <string.h>

static const tl_currency currencies[] = {
	{"VND", 0},
	{"USD", 2},
	{"EUR", 2},
	{"JPY", 0},
	{"SGD", 2},
};

const tl_currency *tl_currency_find(const char *code)
{
	for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (strcmp(currencies[i].code, code) == 0)
			return &currencies[i];
	return NULL;
}

size_t tl_currency_count(void)
{
	return sizeof(currencies) / sizeof(currencies[0]);
}

const tl_currency *tl_currency_at(size_t i)
{
	return i < tl_currency_count() ? &currencies[i] : NULL;
}
