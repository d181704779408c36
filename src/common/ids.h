/*
 * ids.h: prefixed random ids ("acc_", "evt_", ...) and secrets, from
 * libsodium's CSPRNG. 16 base32 characters carry 80 random bits: collisions
 * are not a practical concern, and the store's unique keys catch one anyway.
 */
#ifndef TL_IDS_H
#define TL_IDS_H

#include <stdbool.h>
#include <stddef.h>

/* Writes "<prefix>_<16 base32 chars>" into out (at least TL_ID_MAX bytes). */
void tl_id_new(char *out, size_t out_size, const char *prefix);

/* True when id is "<prefix>_" followed by exactly 16 base32 characters. */
bool tl_id_valid(const char *id, const char *prefix);

/* Writes n random base32 characters and a NUL into out (n + 1 bytes). */
void tl_random_base32(char *out, size_t n);

#endif
