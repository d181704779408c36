/* accounts.c: creating accounts, setting their type, issuing and checking
 * their tokens. */
#include "service/accounts.h"
#include "service/audit.h"
#include "service/ledger.h"
#include "common/ids.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int tl_accounts_create(tl_tx *tx, const tl_ctx *ctx, const char *name, const char *currency,
		       tl_account *out, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin creates accounts");
	int rc = tl_account_prepare(out, name, currency, err);
	if (rc < 0)
		return rc;
	tl_id_new(out->id, sizeof(out->id), "acc");
	out->created_at = ctx->now;
	rc = tl_store_account_insert(tx, out, err);
	if (rc == 0)
		rc = tl_ledger_open_credit_wallet(tx, out, err);
	if (rc < 0)
		return rc;
	return tl_audit_record(tx, ctx, "account.created", out->id, out->id, NULL,
			       tl_account_to_json(out), err);
}

int tl_accounts_get(tl_tx *tx, const tl_ctx *ctx, const char *id, tl_account *out,
		    tl_error *err)
{
	if (!tl_ctx_may_see(ctx, id))
		return tl_error_set(err, TL_ENOTFOUND, "account_not_found", "no account %s", id);
	return tl_store_account_get(tx, id, out, err);
}

int tl_accounts_list(tl_tx *tx, const tl_ctx *ctx, const tl_page *page, tl_account *out,
		     size_t *count, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin lists accounts");
	return tl_store_account_list(tx, page, out, count, err);
}

int tl_accounts_set_type(tl_tx *tx, const tl_ctx *ctx, const char *id, const char *type,
			 tl_account *out, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin sets an account's type");
	int rc = tl_account_type_check(type, err);
	rc = rc ? rc : tl_store_account_get(tx, id, out, err);
	if (rc < 0 || strcmp(out->type, type) == 0)
		return rc;
	json_t *before = tl_account_to_json(out);
	snprintf(out->type, sizeof(out->type), "%s", type);
	rc = tl_store_account_set_type(tx, id, type, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "account.type_changed", out->id, out->id, before,
			       tl_account_to_json(out), err);
}

void tl_token_hash(const char *secret, unsigned char out[TL_TOKEN_HASH_BYTES])
{
	crypto_generichash(out, TL_TOKEN_HASH_BYTES, (const unsigned char *)secret,
			   strlen(secret), NULL, 0);
}

int tl_tokens_issue(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const char *scope,
		    char *token_text, tl_token *out, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin issues tokens");
	scope = scope ? scope : "account";
	tl_account account;
	int rc = tl_token_scope_check(scope, err);
	rc = rc ? rc : tl_store_account_get(tx, account_id, &account, err);
	if (rc < 0)
		return rc;
	char secret[TL_TOKEN_SECRET_CHARS + 1];
	tl_random_base32(secret, TL_TOKEN_SECRET_CHARS);
	memset(out, 0, sizeof(*out));
	tl_id_new(out->id, sizeof(out->id), "tok");
	snprintf(out->account_id, sizeof(out->account_id), "%s", account_id);
	snprintf(out->scope, sizeof(out->scope), "%s", scope);
	tl_token_hash(secret, out->secret_hash);
	out->created_at = ctx->now;
	/* "tok_abc..." becomes "tly_abc..._<secret>" */
	snprintf(token_text, TL_TOKEN_STR_MAX, "tly_%s_%s", out->id + 4, secret);
	sodium_memzero(secret, sizeof(secret));
	rc = tl_store_token_insert(tx, out, err);
	if (rc < 0)
		return rc;
	return tl_audit_record(tx, ctx, "token.created", account_id, out->id, NULL,
			       json_pack("{s:s, s:s, s:s}", "id", out->id, "account_id", account_id,
					 "scope", out->scope),
			       err);
}

int tl_tokens_authenticate(tl_tx *tx, const char *text, tl_principal *out, tl_error *err)
{
	/* "tly_" + 16 id chars + "_" + secret */
	size_t len = strlen(text);
	if (len != 4 + TL_ID_RANDOM_CHARS + 1 + TL_TOKEN_SECRET_CHARS ||
	    strncmp(text, "tly_", 4) != 0 || text[4 + TL_ID_RANDOM_CHARS] != '_')
		return tl_error_set(err, TL_EAUTH, "invalid_token", "the bearer token is not valid");
	char id[TL_ID_MAX];
	snprintf(id, sizeof(id), "tok_%.*s", (int)TL_ID_RANDOM_CHARS, text + 4);
	const char *secret = text + 4 + TL_ID_RANDOM_CHARS + 1;

	tl_token token;
	tl_error lookup_err = {0};
	int rc = tl_store_token_get(tx, id, &token, &lookup_err);
	if (rc == TL_ENOTFOUND) {
		tl_error_clear(&lookup_err);
		return tl_error_set(err, TL_EAUTH, "invalid_token", "the bearer token is not valid");
	}
	if (rc < 0) {
		tl_error_set(err, lookup_err.err, lookup_err.code, "%s", lookup_err.message);
		tl_error_clear(&lookup_err);
		return rc;
	}
	unsigned char hash[TL_TOKEN_HASH_BYTES];
	tl_token_hash(secret, hash);
	if (sodium_memcmp(hash, token.secret_hash, TL_TOKEN_HASH_BYTES) != 0)
		return tl_error_set(err, TL_EAUTH, "invalid_token", "the bearer token is not valid");
	out->is_admin = false;
	out->metering = strcmp(token.scope, "metering") == 0;
	snprintf(out->account_id, sizeof(out->account_id), "%s", token.account_id);
	snprintf(out->actor, sizeof(out->actor), "%s", token.id);
	return 0;
}
