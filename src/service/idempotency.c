/* idempotency.c: stored answers to Idempotency-Keys; see idempotency.h. */
#include "service/idempotency.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *scope_of(const tl_ctx *ctx)
{
	return ctx->who->is_admin ? "admin" : ctx->who->account_id;
}

int tl_idempotency_find(tl_tx *tx, const tl_ctx *ctx, const char *key,
			const unsigned char fingerprint[TL_FINGERPRINT_BYTES], unsigned *status,
			char **body, tl_error *err)
{
	*status = 0;
	*body = NULL;
	tl_idem_record stored = {0};
	tl_error lookup = {0};
	int rc = tl_store_idem_get(tx, scope_of(ctx), key, &stored, &lookup);
	if (rc == TL_ENOTFOUND) {
		tl_error_clear(&lookup);
		return 0;
	}
	if (rc < 0) {
		tl_error_set(err, lookup.err, lookup.code, "%s", lookup.message);
		tl_error_clear(&lookup);
		return rc;
	}
	if (sodium_memcmp(stored.fingerprint, fingerprint, TL_FINGERPRINT_BYTES) != 0) {
		free(stored.body);
		return tl_error_set(err, TL_ERULE, "idempotency_key_reused",
				    "Idempotency-Key \"%.64s\" was used for a different request",
				    key);
	}
	*status = stored.status;
	*body = stored.body;
	return 1;
}

int tl_idempotency_store(tl_tx *tx, const tl_ctx *ctx, const char *key,
			 const unsigned char fingerprint[TL_FINGERPRINT_BYTES], unsigned status,
			 const char *body, tl_error *err)
{
	tl_idem_record rec = {.status = status, .created_at = ctx->now, .body = strdup(body)};
	if (rec.body == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	snprintf(rec.scope, sizeof(rec.scope), "%s", scope_of(ctx));
	snprintf(rec.key, sizeof(rec.key), "%s", key);
	memcpy(rec.fingerprint, fingerprint, TL_FINGERPRINT_BYTES);
	int rc = tl_store_idem_put(tx, &rec, err);
	free(rec.body);
	return rc;
}

int tl_idempotency_purge(tl_tx *tx, int64_t before, size_t max, size_t *deleted,
			 tl_error *err)
{
	return tl_store_idem_purge(tx, before, max, deleted, err);
}
