/* utf8.c: UTF-8 validation by the table of RFC 3629 section 4 (no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
#include "common/utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Length of the valid sequence at p (1-4), or 0 when none starts there; *cut
 * is set when the text ends inside a sequence that was valid so far. */
static size_t valid_sequence(const unsigned char *p, bool *cut)
{
	*cut = false;
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		unsigned char b = p[i];
		if (b == 0) {
			*cut = true;
			return 0;
		}
		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF))
			return 0;
	}
	return len;
}

void tl_utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		bool cut;
		size_t len = valid_sequence(p, &cut);
		if (cut) {
			*p = '\0';
			return;
		}
		if (len == 0) {
			*p = '?';
			len = 1;
		}
		p += len;
	}
}
