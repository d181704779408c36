/*
 * ledger.c: moving money. A call loads each ledger account it touches once
 * into a small hash table, applies the domain rules in memory, inserts the
 * transfers as it goes, and writes each touched account's sums once at the
 * end: a batch of 8,190 transfers between a few accounts is 8,190 inserts
 * and a handful of updates.
 */
#include "service/ledger.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/job_failures.h"
#include "common/ids.h"
#include "common/timefmt.h"
#include "domain/currency.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the per-call account table ----------------------------------------- */

typedef struct cached_account {
	bool used;
	bool found;
	bool dirty;
	tl_ledger_account account;
} cached_account;

typedef struct account_cache {
	tl_tx *tx;
	cached_account *slots;
	size_t capacity; /* a power of two, at least twice the accounts it holds */
} account_cache;

static int cache_init(account_cache *c, tl_tx *tx, size_t max_accounts, tl_error *err)
{
	size_t capacity = 16;
	while (capacity < max_accounts * 2)
		capacity *= 2;
	c->tx = tx;
	c->capacity = capacity;
	c->slots = calloc(capacity, sizeof(*c->slots));
	return c->slots ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
}

static void cache_free(account_cache *c)
{
	free(c->slots);
	c->slots = NULL;
}

static size_t hash_id(const char *id)
{
	size_t h = 1469598103934665603u; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return h;
}

/* The account with this id, loaded on first use; NULL (and 0) when it does
 * not exist; NULL and a negative code when the store fails. */
static tl_ledger_account *cache_get(account_cache *c, const char *id, int *rc, tl_error *err)
{
	*rc = 0;
	size_t i = hash_id(id) & (c->capacity - 1);
	while (c->slots[i].used && strcmp(c->slots[i].account.id, id) != 0)
		i = (i + 1) & (c->capacity - 1);
	cached_account *slot = &c->slots[i];
	if (!slot->used) {
		tl_error lookup_err = {0};
		int found = tl_store_ledger_account_get(c->tx, id, &slot->account, &lookup_err);
		if (found < 0 && found != TL_ENOTFOUND) {
			*rc = tl_error_set(err, found, lookup_err.code, "%s", lookup_err.message);
			tl_error_clear(&lookup_err);
			return NULL;
		}
		tl_error_clear(&lookup_err);
		slot->used = true;
		slot->found = found == 0;
		snprintf(slot->account.id, sizeof(slot->account.id), "%s", id);
	}
	return slot->found ? &slot->account : NULL;
}

/* Both accounts of a transfer (either may come back NULL: not found). */
static int cache_get_pair(account_cache *c, const tl_transfer *t, tl_ledger_account **debit,
			  tl_ledger_account **credit, tl_error *err)
{
	int rc;
	*credit = NULL;
	*debit = cache_get(c, t->debit_account, &rc, err);
	if (rc == 0)
		*credit = cache_get(c, t->credit_account, &rc, err);
	return rc;
}

static void cache_mark_dirty(account_cache *c, const tl_ledger_account *a)
{
	cached_account *slot = (cached_account *)((char *)(uintptr_t)a -
						  offsetof(cached_account, account));
	(void)c;
	slot->dirty = true;
}

static int cache_save(account_cache *c, tl_error *err)
{
	for (size_t i = 0; i < c->capacity; i++) {
		if (!c->slots[i].dirty)
			continue;
		int rc = tl_store_ledger_account_save(c->tx, &c->slots[i].account, err);
		if (rc < 0)
			return rc;
		c->slots[i].dirty = false;
	}
	return 0;
}

/* ---- applying one transfer ------------------------------------------------ */

/* A retry of an existing transfer id: EXISTS, EXISTS_WITH_DIFFERENT_FIELDS,
 * or OK when the id is new. */
static int check_existing(tl_tx *tx, const tl_transfer *t, tl_transfer_result *result,
			  tl_error *err)
{
	tl_transfer stored;
	tl_error lookup_err = {0};
	int rc = tl_store_transfer_get(tx, t->id, &stored, &lookup_err);
	if (rc == TL_ENOTFOUND) {
		tl_error_clear(&lookup_err);
		*result = TL_TR_OK;
		return 0;
	}
	if (rc < 0) {
		tl_error_set(err, rc, lookup_err.code, "%s", lookup_err.message);
		tl_error_clear(&lookup_err);
		return rc;
	}
	*result = tl_transfer_same_fields(&stored, t) ? TL_TR_EXISTS
						      : TL_TR_EXISTS_WITH_DIFFERENT_FIELDS;
	return 0;
}

static int apply_new(account_cache *cache, tl_transfer *t, int64_t now,
		     tl_transfer_result *result, tl_error *err)
{
	tl_ledger_account *debit, *credit;
	int rc = cache_get_pair(cache, t, &debit, &credit, err);
	if (rc < 0)
		return rc;
	*result = tl_ledger_apply_new(t, debit, credit, now);
	if (*result != TL_TR_OK)
		return 0;
	cache_mark_dirty(cache, debit);
	cache_mark_dirty(cache, credit);
	return tl_store_transfer_insert(cache->tx, t, err);
}

static int apply_resolution(account_cache *cache, tl_transfer *t, int64_t now,
			    tl_transfer_result *result, tl_error *err)
{
	tl_transfer pending;
	tl_error lookup_err = {0};
	int rc = tl_store_transfer_get(cache->tx, t->pending_id, &pending, &lookup_err);
	tl_error_clear(&lookup_err);
	if (rc < 0 && rc != TL_ENOTFOUND)
		return tl_error_set(err, rc, "store_error", "cannot read pending transfer");
	tl_transfer *p = rc == 0 ? &pending : NULL;
	tl_ledger_account *debit = NULL, *credit = NULL;
	if (p && (rc = cache_get_pair(cache, p, &debit, &credit, err)) < 0)
		return rc;
	*result = tl_ledger_apply_resolution(t, p, debit, credit, now);
	if (*result != TL_TR_OK)
		return 0;
	cache_mark_dirty(cache, debit);
	cache_mark_dirty(cache, credit);
	rc = tl_store_transfer_insert(cache->tx, t, err);
	return rc < 0 ? rc : tl_store_transfer_save_state(cache->tx, p, err);
}

static int apply_one(account_cache *cache, tl_transfer *t, int64_t now,
		     tl_transfer_result *result, tl_error *err)
{
	if (!tl_transfer_id_valid(t->id)) {
		*result = TL_TR_ID_INVALID;
		return 0;
	}
	if (!tl_transfer_code_valid(t->code)) {
		*result = TL_TR_CODE_INVALID;
		return 0;
	}
	int rc = check_existing(cache->tx, t, result, err);
	if (rc < 0 || *result != TL_TR_OK)
		return rc;
	t->created_at = now;
	if (t->kind == TL_TRANSFER_SINGLE || t->kind == TL_TRANSFER_PENDING)
		return apply_new(cache, t, now, result, err);
	return apply_resolution(cache, t, now, result, err);
}

static bool succeeded(tl_transfer_result r)
{
	return r == TL_TR_OK || r == TL_TR_EXISTS;
}

static int fail_linked(const tl_transfer *transfers, size_t count, size_t failed,
		       tl_transfer_result *results, tl_error *err)
{
	tl_transfer_result cause = results[failed];
	for (size_t i = 0; i < count; i++)
		results[i] = i == failed ? cause : TL_TR_LINKED_EVENT_FAILED;
	tl_error_set(err, TL_ERULE, "linked_batch_failed",
		     "transfer %zu (%.64s) failed with %s; none of the linked batch was applied",
		     failed, transfers[failed].id, tl_transfer_result_name(cause));
	tl_error_details(err, json_pack("{s:I, s:s, s:s}", "index", (json_int_t)failed, "id",
					transfers[failed].id, "result",
					tl_transfer_result_name(cause)));
	return TL_ERULE;
}

static int audit_batch(tl_tx *tx, const tl_ctx *ctx, const tl_transfer *transfers,
		       size_t count, bool linked, const tl_transfer_result *results,
		       tl_error *err)
{
	size_t created = 0, existing = 0;
	for (size_t i = 0; i < count; i++) {
		created += results[i] == TL_TR_OK;
		existing += results[i] == TL_TR_EXISTS;
	}
	if (created == 0)
		return 0; /* nothing changed */
	return tl_audit_record(tx, ctx, "ledger.transfers_created", NULL, transfers[0].id, NULL,
			       json_pack("{s:I, s:I, s:I, s:b, s:s, s:s}", "created",
					 (json_int_t)created, "existing", (json_int_t)existing,
					 "failed", (json_int_t)(count - created - existing),
					 "linked", linked, "first_id", transfers[0].id, "last_id",
					 transfers[count - 1].id),
			       err);
}

int tl_ledger_submit(tl_tx *tx, const tl_ctx *ctx, tl_transfer *transfers, size_t count,
		     bool linked, tl_transfer_result *results, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin moves money directly");
	if (count == 0 || count > TL_LEDGER_BATCH_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_batch",
				    "a batch holds 1 to %u transfers", TL_LEDGER_BATCH_MAX);
	account_cache cache;
	int rc = cache_init(&cache, tx, count * 2, err);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		rc = apply_one(&cache, &transfers[i], ctx->now, &results[i], err);
		if (rc == 0 && linked && !succeeded(results[i]))
			rc = fail_linked(transfers, count, i, results, err);
	}
	if (rc == 0)
		rc = cache_save(&cache, err);
	if (rc == 0)
		rc = audit_batch(tx, ctx, transfers, count, linked, results, err);
	cache_free(&cache);
	return rc;
}

/* ---- accounts and wallets ------------------------------------------------- */

int tl_ledger_bootstrap(tl_tx *tx, int64_t now, tl_error *err)
{
	for (size_t c = 0; c < tl_currency_count(); c++) {
		for (size_t k = 0; k < tl_ledger_system_kind_count; k++) {
			tl_ledger_account a = {.created_at = now};
			tl_ledger_system_account_id(a.id, tl_ledger_system_kinds[k],
						    tl_currency_at(c)->code);
			snprintf(a.kind, sizeof(a.kind), "%s", tl_ledger_system_kinds[k]);
			snprintf(a.currency, sizeof(a.currency), "%s", tl_currency_at(c)->code);
			int rc = tl_store_ledger_account_insert(tx, &a, true, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int tl_ledger_open_credit_wallet(tl_tx *tx, const tl_account *account, tl_error *err)
{
	tl_ledger_account a = {.flags = TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS,
			       .created_at = account->created_at};
	tl_ledger_credit_wallet_id(a.id, account->id);
	snprintf(a.account_id, sizeof(a.account_id), "%s", account->id);
	snprintf(a.kind, sizeof(a.kind), "credit");
	snprintf(a.currency, sizeof(a.currency), "%s", account->currency);
	return tl_store_ledger_account_insert(tx, &a, false, err);
}

/* Turns a refused single transfer of a use case into its API error. */
static int transfer_error(tl_transfer_result r, tl_error *err)
{
	if (r == TL_TR_EXCEEDS_CREDITS)
		return tl_error_set(err, TL_EFUNDS, "insufficient_credit",
				    "the wallet's available balance is too low");
	if (r == TL_TR_AMOUNT_MUST_BE_POSITIVE)
		return tl_error_set(err, TL_EINVALID, "invalid_amount",
				    "amount must be a positive integer of minor units");
	if (r == TL_TR_OVERFLOWS)
		return tl_error_set(err, TL_ERULE, "amount_overflows",
				    "the amount would overflow the wallet's balance");
	return tl_error_set(err, TL_ERULE, tl_transfer_result_name(r), "transfer refused: %s",
			    tl_transfer_result_name(r));
}

int tl_ledger_move(tl_tx *tx, const tl_ctx *ctx, tl_transfer *transfers, size_t count,
		   tl_error *err)
{
	tl_transfer_result results[16];
	if (count == 0 || count > sizeof(results) / sizeof(results[0]))
		return tl_error_set(err, TL_EINTERNAL, NULL, "a use case moves 1 to 16 transfers");
	for (size_t i = 0; i < count; i++)
		if (transfers[i].id[0] == '\0')
			tl_id_new(transfers[i].id, sizeof(transfers[i].id), "xfr");
	tl_principal system = {.is_admin = true};
	snprintf(system.actor, sizeof(system.actor), "%s", ctx->who->actor);
	tl_ctx as_system = {.who = &system, .now = ctx->now};
	int rc = tl_ledger_submit(tx, &as_system, transfers, count, true, results, err);
	if (rc != TL_ERULE)
		return rc;
	for (size_t i = 0; i < count; i++) {
		if (results[i] != TL_TR_LINKED_EVENT_FAILED) {
			tl_error_clear(err);
			return transfer_error(results[i], err);
		}
	}
	return rc;
}

static int move(tl_tx *tx, const tl_ctx *ctx, tl_transfer *t, tl_error *err)
{
	return tl_ledger_move(tx, ctx, t, 1, err);
}

static json_t *wallet_json(const tl_ledger_account *a)
{
	return json_pack("{s:s, s:I, s:I, s:I}", "id", a->id, "balance",
			 (json_int_t)tl_ledger_balance(a), "held", (json_int_t)a->pending_debits,
			 "available", (json_int_t)tl_ledger_available(a));
}

int tl_ledger_top_up(tl_tx *tx, const tl_ctx *ctx, const char *account_id, int64_t amount,
		     const char *reference, tl_transfer *out_transfer,
		     tl_ledger_account *out_wallet, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin tops up credit");
	tl_account account;
	int rc = tl_store_account_get(tx, account_id, &account, err);
	if (rc < 0)
		return rc;
	tl_transfer *t = out_transfer;
	memset(t, 0, sizeof(*t));
	t->kind = TL_TRANSFER_SINGLE;
	t->amount = amount;
	tl_ledger_system_account_id(t->debit_account, "gateway_clearing", account.currency);
	tl_ledger_credit_wallet_id(t->credit_account, account.id);
	snprintf(t->code, sizeof(t->code), "top_up");
	snprintf(t->reference, sizeof(t->reference), "%s", reference ? reference : "");
	rc = move(tx, ctx, t, err);
	if (rc == 0)
		rc = tl_store_ledger_account_get(tx, t->credit_account, out_wallet, err);
	if (rc < 0)
		return rc;
	return tl_audit_record(tx, ctx, "credit.topped_up", account.id, t->id, NULL,
			       json_pack("{s:I, s:s, s:s, s:o}", "amount", (json_int_t)amount,
					 "currency", account.currency, "reference", t->reference,
					 "wallet", wallet_json(out_wallet)),
			       err);
}

/* A POC wallet tied to a cluster must name a live cluster of its own
 * account; anything else is 404, as another account's objects always are. */
static int check_grant_cluster(tl_tx *tx, const char *account_id, const char *cluster_id,
			       tl_error *err)
{
	tl_resource r = {0};
	tl_error lookup = {0};
	int rc = tl_store_resource_get(tx, cluster_id, &r, &lookup);
	tl_error_clear(&lookup);
	bool live = rc == 0 && strcmp(r.account_id, account_id) == 0 &&
		    strcmp(r.type, "cluster") == 0 && strcmp(r.status, "deleted") != 0;
	if (rc == 0)
		tl_resource_release(&r);
	if (rc < 0 && rc != TL_ENOTFOUND)
		return tl_error_set(err, rc, "store_error", "cannot read resources");
	if (!live) {
		tl_error_set(err, TL_ENOTFOUND, "cluster_not_found",
			     "account %.40s has no cluster %.40s", account_id, cluster_id);
		tl_error_details(err, json_pack("{s:s}", "field", "cluster_id"));
		return TL_ENOTFOUND;
	}
	return 0;
}

int tl_ledger_grant_poc(tl_tx *tx, const tl_ctx *ctx, const char *account_id, int64_t amount,
			int64_t expires_at, const char *cluster_id, tl_ledger_account *out,
			tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin grants POC credit");
	if (expires_at <= ctx->now)
		return tl_error_set(err, TL_ERULE, "invalid_expiry",
				    "expires_at must be in the future");
	tl_account account;
	int rc = tl_store_account_get(tx, account_id, &account, err);
	if (rc == 0 && cluster_id)
		rc = check_grant_cluster(tx, account.id, cluster_id, err);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	tl_id_new(out->id, sizeof(out->id), "pw");
	snprintf(out->account_id, sizeof(out->account_id), "%s", account.id);
	snprintf(out->kind, sizeof(out->kind), "poc");
	snprintf(out->currency, sizeof(out->currency), "%s", account.currency);
	snprintf(out->cluster_id, sizeof(out->cluster_id), "%s", cluster_id ? cluster_id : "");
	out->flags = TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS;
	out->expires_at = expires_at;
	out->created_at = ctx->now;
	rc = tl_store_ledger_account_insert(tx, out, false, err);
	if (rc < 0)
		return rc;
	tl_transfer t = {.kind = TL_TRANSFER_SINGLE, .amount = amount};
	tl_ledger_system_account_id(t.debit_account, "promotional", account.currency);
	snprintf(t.credit_account, sizeof(t.credit_account), "%s", out->id);
	snprintf(t.code, sizeof(t.code), "poc_grant");
	snprintf(t.reference, sizeof(t.reference), "%s", out->id);
	rc = move(tx, ctx, &t, err);
	if (rc == 0)
		rc = tl_store_ledger_account_get(tx, out->id, out, err);
	if (rc < 0)
		return rc;
	char expires_text[TL_TIME_STR_MAX];
	tl_time_format(expires_at, expires_text);
	return tl_audit_record(tx, ctx, "poc_wallet.granted", account.id, out->id, NULL,
			       json_pack("{s:I, s:s, s:s, s:s?}", "amount", (json_int_t)amount,
					 "currency", account.currency, "expires_at", expires_text,
					 "cluster_id",
					 out->cluster_id[0] ? out->cluster_id : NULL),
			       err);
}

int tl_ledger_change_poc(tl_tx *tx, const tl_ctx *ctx, const char *wallet_id, int64_t expires_at,
			 int64_t add_amount, tl_ledger_account *out, tl_error *err)
{
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin changes POC wallets");
	tl_error lookup = {0};
	int rc = tl_store_ledger_account_get(tx, wallet_id, out, &lookup);
	tl_error_clear(&lookup);
	if (rc < 0 || strcmp(out->kind, "poc") != 0)
		return tl_error_set(err, TL_ENOTFOUND, "poc_wallet_not_found", "no POC wallet %.40s",
				    wallet_id);
	json_t *before = json_pack("{s:I, s:I}", "expires_at", (json_int_t)out->expires_at,
				   "balance", (json_int_t)tl_ledger_available(out));
	/* an expired wallet's credit went back to promotional and its POC
	 * resources were suspended: a new grant, not a change, starts again */
	if (out->expires_at <= ctx->now)
		rc = tl_error_set(err, TL_ERULE, "poc_wallet_expired",
				  "POC wallet %.40s has expired; grant a new one", wallet_id);
	else if (expires_at && expires_at <= ctx->now)
		rc = tl_error_set(err, TL_ERULE, "invalid_expiry", "expires_at must be in the future");
	if (rc == 0 && expires_at)
		rc = tl_store_ledger_account_set_expiry(tx, out->id, expires_at, err);
	if (rc == 0 && add_amount > 0) {
		tl_transfer t = {.kind = TL_TRANSFER_SINGLE, .amount = add_amount};
		tl_ledger_system_account_id(t.debit_account, "promotional", out->currency);
		snprintf(t.credit_account, sizeof(t.credit_account), "%s", out->id);
		snprintf(t.code, sizeof(t.code), "poc_top_up");
		snprintf(t.reference, sizeof(t.reference), "%s", out->id);
		rc = move(tx, ctx, &t, err);
	}
	rc = rc ? rc : tl_store_ledger_account_get(tx, wallet_id, out, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, "poc_wallet.changed", out->account_id, out->id, before,
			       json_pack("{s:I, s:I}", "expires_at", (json_int_t)out->expires_at,
					 "balance", (json_int_t)tl_ledger_available(out)), err);
}

int tl_ledger_wallets(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const char *after,
		      tl_account *out_account, tl_ledger_account *out, size_t *count,
		      tl_error *err)
{
	int rc = tl_accounts_get(tx, ctx, account_id, out_account, err);
	if (rc < 0)
		return rc;
	return tl_store_ledger_account_list_after(tx, account_id, after, out, TL_WALLETS_MAX,
						  count, err);
}

int tl_ledger_holds(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const tl_page *page,
		    tl_transfer *out, size_t *count, tl_error *err)
{
	tl_account account;
	int rc = tl_accounts_get(tx, ctx, account_id, &account, err);
	if (rc < 0)
		return rc;
	char wallet[TL_ID_MAX];
	tl_ledger_credit_wallet_id(wallet, account.id);
	return tl_store_transfer_list(tx, wallet, true, page, out, count, err);
}

int tl_ledger_transfers(tl_tx *tx, const tl_ctx *ctx, const char *ledger_account,
			const tl_page *page, tl_transfer *out, size_t *count, tl_error *err)
{
	*count = 0;
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin reads the ledger");
	return tl_store_transfer_list(tx, ledger_account, false, page, out, count, err);
}

int tl_ledger_accounts(tl_tx *tx, const tl_ctx *ctx, const char *account_id, const char *after,
		       tl_ledger_account *out, size_t *count, tl_error *err)
{
	*count = 0;
	if (!ctx->who->is_admin)
		return tl_error_set(err, TL_EFORBIDDEN, NULL, "only the admin reads the ledger");
	return tl_store_ledger_account_list_after(tx, account_id, after, out, TL_WALLETS_MAX,
						  count, err);
}

/* ---- expiry and checks ---------------------------------------------------- */

static int expire_one(account_cache *cache, const tl_ctx *ctx, tl_transfer *p, tl_error *err)
{
	tl_ledger_account *debit, *credit;
	int rc = cache_get_pair(cache, p, &debit, &credit, err);
	if (rc < 0)
		return rc;
	if (debit == NULL || credit == NULL)
		return tl_error_set(err, TL_EINTERNAL, "ledger_corrupt",
				    "hold %.64s names a missing account", p->id);
	tl_ledger_apply_expiry(p, debit, credit);
	cache_mark_dirty(cache, debit);
	cache_mark_dirty(cache, credit);
	rc = tl_store_transfer_save_state(cache->tx, p, err);
	if (rc < 0)
		return rc;
	return tl_audit_record(cache->tx, ctx, "hold.expired",
			       debit->account_id[0] ? debit->account_id : NULL, p->id, NULL,
			       json_pack("{s:I, s:s, s:s}", "amount", (json_int_t)p->amount,
					 "debit_account", p->debit_account, "credit_account",
					 p->credit_account),
			       err);
}

typedef struct expiry_batch {
	const tl_ctx *ctx;
	tl_transfer *due;
	size_t count;
} expiry_batch;

/* Releases the holds of a batch, loading each account they touch once. */
static int expire_batch_tx(tl_tx *tx, void *arg, tl_error *err)
{
	expiry_batch *b = arg;
	account_cache cache = {0};
	int rc = cache_init(&cache, tx, b->count * 2, err);
	for (size_t i = 0; rc == 0 && i < b->count; i++)
		rc = expire_one(&cache, b->ctx, &b->due[i], err);
	rc = rc ? rc : cache_save(&cache, err);
	cache_free(&cache);
	return rc;
}

/* The whole batch in one savepoint (one load and save per account); when
 * it fails, each hold alone in its own (job "hold_expiry"), so the ones
 * that fail are recorded and retried later and the others are released. */
int tl_ledger_expire_due(tl_tx *tx, const tl_ctx *ctx, size_t *released, tl_error *err)
{
	size_t count = 0;
	*released = 0;
	tl_transfer *due = malloc(TL_EXPIRY_SWEEP_MAX * sizeof(*due));
	if (due == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_store_transfer_list_due(tx, ctx->now, due, TL_EXPIRY_SWEEP_MAX, &count, err);
	expiry_batch all = {.ctx = ctx, .due = due, .count = count};
	tl_error why = {0};
	int batch_rc = rc == 0 && count > 0 ? tl_store_nested(tx, expire_batch_tx, &all, &why) : 0;
	if (batch_rc == TL_EUNAVAILABLE)
		rc = tl_error_set(err, batch_rc, why.code, "%s", why.message);
	tl_error_clear(&why);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		tl_job_subject s = {.job = "hold_expiry", .subject = due[i].id};
		expiry_batch one = {.ctx = ctx, .due = &due[i], .count = 1};
		rc = batch_rc == 0 ? tl_job_subject_succeeded(tx, ctx, &s, err)
				   : tl_job_subject_run(tx, ctx, &s, expire_batch_tx, &one, NULL, err);
	}
	free(due);
	if (rc == 0)
		*released = count;
	return rc;
}

int tl_ledger_check(tl_tx *tx, tl_ledger_totals *totals, char *problem, size_t problem_size,
		    tl_error *err)
{
	int rc = tl_store_ledger_totals(tx, totals, err);
	if (rc < 0)
		return rc;
	tl_ledger_check_totals(totals, problem, problem_size);
	return 0;
}
