/*
 * idempotency.h: stored answers to writes that carried an Idempotency-Key
 * (api/transact.c), scoped to the caller: "admin" or the account id, so
 * one caller's key never finds another's answer. An answer is stored in
 * the same transaction as the write's changes, so a retry finds both or
 * neither; retention (jobs.c) deletes the old ones.
 */
#ifndef TL_IDEMPOTENCY_H
#define TL_IDEMPOTENCY_H

#include "service/context.h"
#include "store/store.h"

/* The answer stored for the caller's key: 1 with *status and *body (the
 * caller frees it) when there is one, 0 when there is none, TL_ERULE
 * "idempotency_key_reused" when the key answered a different request (its
 * fingerprint differs). */
int tl_idempotency_find(tl_tx *tx, const tl_ctx *ctx, const char *key,
			const unsigned char fingerprint[TL_FINGERPRINT_BYTES], unsigned *status,
			char **body, tl_error *err);

/* Stores the answer to the caller's key, now. */
int tl_idempotency_store(tl_tx *tx, const tl_ctx *ctx, const char *key,
			 const unsigned char fingerprint[TL_FINGERPRINT_BYTES], unsigned status,
			 const char *body, tl_error *err);

/* Retention: deletes up to max answers stored before `before`; *deleted
 * says how many. */
int tl_idempotency_purge(tl_tx *tx, int64_t before, size_t max, size_t *deleted,
			 tl_error *err);

#endif
