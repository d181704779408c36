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
