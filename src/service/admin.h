/*
 * admin.h: the admin token. Given by TALLY_ADMIN_TOKEN, or generated on the
 * first start of a database, printed once and kept only as its hash.
 */
#ifndef TL_ADMIN_H
#define TL_ADMIN_H

#include <stdbool.h>
#include "domain/account.h"
#include "store/store.h"

#define TL_ADMIN_TOKEN_STR_MAX 64u

/* Fills hash_out with the admin token's hash. When env_token is NULL or empty
 * and the database has no admin token yet, generates one, stores its hash and
 * writes its text to generated (TL_ADMIN_TOKEN_STR_MAX bytes); otherwise
 * generated is left empty. */
int tl_admin_token_setup(tl_store *store, const char *env_token, int64_t now,
			 unsigned char hash_out[TL_TOKEN_HASH_BYTES], char *generated,
			 tl_error *err);

/* Constant-time check of a presented token against the admin hash. */
bool tl_admin_token_matches(const unsigned char hash[TL_TOKEN_HASH_BYTES],
			    const char *presented);

#endif
