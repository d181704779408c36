/*
 * account.h: the customer account (tenant) and its API tokens, and the pure
 * rules for creating them.
 */
#ifndef TL_ACCOUNT_H
#define TL_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include "common/err.h"
#include "common/limits.h"

typedef struct tl_account {
	char id[TL_ID_MAX];
	char name[TL_NAME_MAX + 1];
	char currency[4];
	char type[16]; /* "prepaid" (default) or "postpaid" */
	int64_t created_at;
} tl_account;

/* An API token as stored: its id and the hash of its secret, never the
 * secret itself. Its scope says what it may do: "account" (the default)
 * acts for the account in every call but usage intake; "metering" is the
 * provider's metering of that account and only submits usage
 * (POST /v1/usage), since metered usage is the provider's word, not the
 * customer's (DESIGN.md, hardening round). */
#define TL_TOKEN_HASH_BYTES 32u
#define TL_TOKEN_SCOPE_MAX 16u
typedef struct tl_token {
	char id[TL_ID_MAX];
	char account_id[TL_ID_MAX];
	char scope[TL_TOKEN_SCOPE_MAX]; /* "account" or "metering" */
	unsigned char secret_hash[TL_TOKEN_HASH_BYTES];
	int64_t created_at;
} tl_token;

/* A display name (accounts, resources): 1 to TL_NAME_MAX bytes, no control
 * characters, not blank. TL_EINVALID "invalid_name" otherwise. */
int tl_name_check(const char *name, tl_error *err);

/* Checks a new account's name and currency (NULL means the default) and
 * fills `out` with them; id and created_at are the caller's. */
int tl_account_prepare(tl_account *out, const char *name, const char *currency,
		       tl_error *err);

/* An account type the admin may set: "prepaid" or "postpaid". TL_EINVALID
 * "invalid_type_value" otherwise. */
int tl_account_type_check(const char *type, tl_error *err);

/* A token scope: "account" or "metering". TL_EINVALID "invalid_scope"
 * otherwise. */
int tl_token_scope_check(const char *scope, tl_error *err);

/* The API's and the audit trail's form of an account. */
json_t *tl_account_to_json(const tl_account *a);

#endif
