/*
 * accounts.h: use cases for customer accounts and their API tokens, and
 * authentication of a bearer token.
 *
 * Token format: "tly_" + token id's random part (16 chars) + "_" + secret
 * (32 base32 chars, 160 bits). The id finds the row; the secret is checked
 * against its stored BLAKE2b hash in constant time. Secrets are never stored.
 */
#ifndef TL_ACCOUNTS_H
#define TL_ACCOUNTS_H

#include "domain/account.h"
#include "service/context.h"
#include "store/store.h"

#define TL_TOKEN_SECRET_CHARS 32u
#define TL_TOKEN_STR_MAX 64u

int tl_accounts_create(tl_tx *tx, const tl_ctx *ctx, const char *name, const char *currency,
		       tl_account *out, tl_error *err);

/* The account, if the principal may see it; otherwise TL_ENOTFOUND. */
int tl_accounts_get(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_account *out,
		    tl_error *err);

/* The admin sets the account's type ("prepaid" or "postpaid"); *out is
 * the account after. Setting the type it already has changes nothing and
 * records no event. */
int tl_accounts_set_type(tl_tx *tx, const tl_ctx *ctx, const char *id, const char *type,
			 tl_account *out, tl_error *err);

int tl_accounts_list(tl_tx *tx, const tl_ctx *ctx, const tl_page *page, tl_account *out,
		     size_t *count, tl_error *err);

/* Issues a token of `scope` ("account" or "metering"; NULL: "account")
 * for account_id; the only time its text exists is in token_text
 * (TL_TOKEN_STR_MAX bytes). */
int tl_tokens_issue(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const char *scope,
		    char *token_text, tl_token *out, tl_error *err);

/* Finds the account token `text` belongs to (a metering token sets
 * out->metering). TL_EAUTH when it is unknown,
 * malformed or its secret does not match. */
int tl_tokens_authenticate(tl_tx *tx, const char *text, tl_principal *out, tl_error *err);

/* Hash of a secret as stored (BLAKE2b-256). */
void tl_token_hash(const char *secret, unsigned char out[TL_TOKEN_HASH_BYTES]);

#endif
