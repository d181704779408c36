/*
 * fuzz_money.c: the CLI's money parsing (src/cli/money.c), what turns an
 * amount a person types ("1,250,000", "12.50") into minor units. Strict and
 * in integers only: no sign, no exponent, nothing over 64 bits.
 *
 * The first byte picks the currency (its minor digits); the rest is the
 * text. An amount that parses must format back (grouped, with the
 * currency) to text that parses to the same amount.
 */
#include "fuzz.h"

#include "cli/cli.h"

#include <string.h>

static const char *const codes[] = {"VND", "USD", "EUR", "JPY", "SGD"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const tl_cli_currency *cur = tl_cli_currency_find(codes[data[0] % 5]);
	FUZZ_ASSERT(cur != NULL);
	char *text = fuzz_strdup(data + 1, size - 1);
	if (text == NULL)
		return 0;
	long long minor;
	const char *why;
	if (tl_cli_money_parse(text, cur, &minor, &why) == 0) {
		FUZZ_ASSERT(minor >= 0 && why == NULL);
		char shown[TL_CLI_MONEY_MAX];
		tl_cli_money_format(minor, cur->code, shown);
		/* "1,250,000 VND": the number is what precedes the space. */
		char *space = strchr(shown, ' ');
		FUZZ_ASSERT(space != NULL);
		*space = '\0';
		long long back = -1;
		FUZZ_ASSERT(tl_cli_money_parse(shown, cur, &back, &why) == 0 && back == minor);
	} else {
		FUZZ_ASSERT(why != NULL);
	}
	/* Any 64-bit amount formats without overflowing the buffer. */
	if (size >= 9) {
		long long any;
		memcpy(&any, data + 1, sizeof(any));
		char shown[TL_CLI_MONEY_MAX];
		tl_cli_money_format(any, cur->code, shown);
		FUZZ_ASSERT(memchr(shown, '\0', sizeof(shown)) != NULL);
	}
	free(text);
	return 0;
}
