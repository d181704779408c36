/* ids.c: random ids and secrets in lower-case base32 (RFC 4648 alphabet). */
#include "common/ids.h"
#include "common/limits.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void tl_random_base32(char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = base32_alphabet[randombytes_uniform(32)];
	out[n] = '\0';
}

void tl_id_new(char *out, size_t out_size, const char *prefix)
{
	char random[TL_ID_RANDOM_CHARS + 1];
	tl_random_base32(random, TL_ID_RANDOM_CHARS);
	snprintf(out, out_size, "%s_%s", prefix, random);
}

bool tl_id_valid(const char *id, const char *prefix)
{
	size_t plen = strlen(prefix);
	if (strncmp(id, prefix, plen) != 0 || id[plen] != '_')
		return false;
	const char *rest = id + plen + 1;
	if (strlen(rest) != TL_ID_RANDOM_CHARS)
		return false;
	for (const char *p = rest; *p; p++)
		if (strchr(base32_alphabet, *p) == NULL)
			return false;
	return true;
}
