/* admin.c: setting up and checking the admin token. */
#include "service/admin.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "common/ids.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define ADMIN_HASH_KEY "admin_token_hash"
#define ADMIN_SECRET_CHARS 40u /* 200 bits */

typedef struct setup_job {
	unsigned char *hash;
	char *generated;
	int64_t now;
	bool found;
} setup_job;

/* Runs in one write transaction so two tallyd starting on one new database
 * cannot both generate a token. */
static int setup_in_tx(tl_tx *tx, void *arg, tl_error *err)
{
	setup_job *job = arg;
	char hex[TL_TOKEN_HASH_BYTES * 2 + 1];
	tl_error lookup_err = {0};
	int rc = tl_store_meta_get(tx, ADMIN_HASH_KEY, hex, sizeof(hex), &lookup_err);
	tl_error_clear(&lookup_err);
	if (rc == 0) {
		size_t len = 0;
		if (sodium_hex2bin(job->hash, TL_TOKEN_HASH_BYTES, hex, strlen(hex), NULL, &len,
				   NULL) != 0 || len != TL_TOKEN_HASH_BYTES)
			return tl_error_set(err, TL_EINTERNAL, "corrupt_admin_token",
					    "the stored admin token hash is corrupt");
		job->found = true;
		job->generated[0] = '\0';
		return 0;
	}
	if (rc != TL_ENOTFOUND)
		return tl_error_set(err, rc, NULL, "cannot read the admin token hash");
	char secret[ADMIN_SECRET_CHARS + 1];
	tl_random_base32(secret, ADMIN_SECRET_CHARS);
	snprintf(job->generated, TL_ADMIN_TOKEN_STR_MAX, "tla_%s", secret);
	sodium_memzero(secret, sizeof(secret));
	tl_token_hash(job->generated, job->hash);
	sodium_bin2hex(hex, sizeof(hex), job->hash, TL_TOKEN_HASH_BYTES);
	rc = tl_store_meta_put(tx, ADMIN_HASH_KEY, hex, err);
	if (rc < 0)
		return rc;
	tl_principal system = {.is_admin = true, .actor = "tallyd"};
	tl_ctx ctx = {.who = &system, .now = job->now};
	return tl_audit_record(tx, &ctx, "admin_token.generated", NULL, "admin", NULL, NULL, err);
}

int tl_admin_token_setup(tl_store *store, const char *env_token, int64_t now,
			 unsigned char hash_out[TL_TOKEN_HASH_BYTES], char *generated,
			 tl_error *err)
{
	generated[0] = '\0';
	if (env_token && env_token[0]) {
		tl_token_hash(env_token, hash_out);
		return 0;
	}
	setup_job job = {.hash = hash_out, .generated = generated, .now = now};
	return tl_store_write(store, setup_in_tx, &job, err);
}

bool tl_admin_token_matches(const unsigned char hash[TL_TOKEN_HASH_BYTES],
			    const char *presented)
{
	unsigned char presented_hash[TL_TOKEN_HASH_BYTES];
	tl_token_hash(presented, presented_hash);
	return sodium_memcmp(presented_hash, hash, TL_TOKEN_HASH_BYTES) == 0;
}
