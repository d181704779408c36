/* ids.c: random ids and secrets in lower-case base32 (RFC 4648 alphabet). */
#include "common/ids.h"
#include "common/limits.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* Each random byte gives one character (its low 5 bits): 32 divides 256,
 * so every character is equally likely. */
static void encode(const unsigned char *bytes, char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = base32_alphabet[bytes[i] & 31];
	out[n] = '\0';
}

void tl_random_base32(char *out, size_t n)
{
	unsigned char bytes[256];
	while (n > 0) {
		size_t chunk = n < sizeof(bytes) ? n : sizeof(bytes);
		randombytes_buf(bytes, chunk);
		encode(bytes, out, chunk);
		out += chunk;
		n -= chunk;
	}
	*out = '\0';
	sodium_memzero(bytes, sizeof(bytes));
}

/* Ids are made on every write: each thread draws random bytes in blocks
 * (one getrandom call per 32 ids instead of one per character). Ids are not
 * secrets; token secrets use tl_random_base32, drawn fresh each time. */
#define ID_POOL_BYTES (32u * TL_ID_RANDOM_CHARS)
static __thread unsigned char id_pool[ID_POOL_BYTES];
static __thread size_t id_pool_used = ID_POOL_BYTES;

void tl_id_new(char *out, size_t out_size, const char *prefix)
{
	if (id_pool_used + TL_ID_RANDOM_CHARS > ID_POOL_BYTES) {
		randombytes_buf(id_pool, ID_POOL_BYTES);
		id_pool_used = 0;
	}
	char random[TL_ID_RANDOM_CHARS + 1];
	encode(id_pool + id_pool_used, random, TL_ID_RANDOM_CHARS);
	id_pool_used += TL_ID_RANDOM_CHARS;
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
