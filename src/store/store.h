/*
 * store.h: the one interface to persistent state. All SQL lives behind it,
 * in one driver per database (store_sqlite.c today; PostgreSQL next).
 *
 * Transactions. Callers never open or commit transactions themselves: they
 * hand a function to tl_store_write or tl_store_read, which runs it inside
 * one transaction and commits (or rolls back) around it.
 *
 * Group commit. tl_store_write queues the function for the single writer
 * thread. The writer takes every queued function (up to
 * TL_GROUP_COMMIT_MAX), runs each in its own savepoint inside one
 * transaction, and commits them with one fsync. A function that fails is
 * rolled back to its savepoint alone; its neighbours still commit.
 * tl_store_write returns only after the batch is durable, so whatever a
 * caller acknowledges survives a crash.
 *
 * Rules for a write function:
 *   1. All its effects go through the tx; nothing outside the store changes
 *      until tl_store_write returns, because it may be rolled back.
 *   2. It may be run again from the start (when a batch's commit fails the
 *      writer retries each function alone), so it overwrites its outputs
 *      rather than appending to them.
 *   3. It is short: it holds up every other writer in its batch.
 */
#ifndef TL_STORE_H
#define TL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "domain/account.h"
#include "domain/checkout.h"
#include "domain/ledger.h"
#include "domain/resource.h"
#include "domain/gateway_txn.h"
#include "domain/suspension.h"
#include "domain/usage.h"

typedef struct tl_store tl_store;
typedef struct tl_tx tl_tx;

typedef int (*tl_tx_fn)(tl_tx *tx, void *arg, tl_error *err);

/* Opens the store at `url` (a file path for SQLite), applies migrations, and
 * starts the writer thread. Refuses a database written by a newer tally. */
int tl_store_open(tl_store **out, const char *url, tl_error *err);

/* Finishes queued writes, stops the writer and closes every connection. */
void tl_store_close(tl_store *store);

int tl_store_write(tl_store *store, tl_tx_fn fn, void *arg, tl_error *err);
int tl_store_read(tl_store *store, tl_tx_fn fn, void *arg, tl_error *err);

/* Runs fn inside a savepoint of tx: on failure only fn's changes are undone
 * and its error is returned; the transaction goes on. */
int tl_store_nested(tl_tx *tx, tl_tx_fn fn, void *arg, tl_error *err);

/* 0 when the database answers a trivial query. */
int tl_store_ping(tl_store *store, tl_error *err);

/* The schema version this build writes. */
int tl_store_schema_version(void);

/* Online backup: copies the live database into dest_path, a new file
 * (created here; 409 backup_exists when something is there, 422
 * backup_path_unusable when it cannot be created), from one consistent
 * snapshot, in small steps, while the store goes on serving. The file is
 * a complete database: tl_store_restore (tallyd --restore) or a plain copy
 * into place while tallyd is stopped brings it back. */
typedef struct tl_backup_result {
	int64_t pages;
	int64_t bytes;
} tl_backup_result;
int tl_store_backup(tl_store *store, const char *dest_path, tl_backup_result *out,
		    tl_error *err);

/* Restores a backup into db_url, which must not exist yet (nor its -wal or
 * -shm files): checks the backup (integrity, a schema this build knows)
 * and copies it there. For a stopped tallyd; the next tl_store_open
 * applies newer migrations as usual. */
int tl_store_restore(const char *backup_path, const char *db_url, tl_error *err);

/* Cumulative group-commit figures, for /metrics. */
typedef struct tl_store_stats {
	uint64_t batches;
	uint64_t writes;
} tl_store_stats;
void tl_store_get_stats(tl_store *store, tl_store_stats *out);

/* ---- data ---------------------------------------------------------------
 * Every function returns 0 or a negative tl_err with err filled.
 * Lookups return TL_ENOTFOUND when there is no such row. */

/* Settings and secrets that live in the database (the admin token's hash). */
int tl_store_meta_get(tl_tx *tx, const char *key, char *out, size_t out_size,
		      tl_error *err);
int tl_store_meta_put(tl_tx *tx, const char *key, const char *value, tl_error *err);

/* Paging: newest first; `after` is the id of the last row of the previous
 * page (empty for the first page). */
typedef struct tl_page {
	int limit;
	char after[TL_CURSOR_MAX];
} tl_page;

int tl_store_account_insert(tl_tx *tx, const tl_account *a, tl_error *err);
int tl_store_account_get(tl_tx *tx, const char *id, tl_account *out, tl_error *err);
/* Sets the account's type; TL_ENOTFOUND "account_not_found" when none. */
int tl_store_account_set_type(tl_tx *tx, const char *id, const char *type, tl_error *err);
/* Fills out[0..*count) with up to page->limit accounts. */
int tl_store_account_list(tl_tx *tx, const tl_page *page, tl_account *out,
			  size_t *count, tl_error *err);

int tl_store_token_insert(tl_tx *tx, const tl_token *t, tl_error *err);
int tl_store_token_get(tl_tx *tx, const char *id, tl_token *out, tl_error *err);

/* The audit trail. `before` and `after` are JSON texts (may be NULL). */
typedef struct tl_event {
	char id[TL_ID_MAX];
	char account_id[TL_ID_MAX]; /* empty for events of no account */
	char actor[TL_ID_MAX];      /* "admin" or the acting token's id */
	char type[64];              /* "account.created" */
	char subject_id[TL_CURSOR_MAX]; /* ids, and client-chosen transfer ids */
	char *before;               /* owned, may be NULL */
	char *after;                /* owned, may be NULL */
	int64_t created_at;
} tl_event;
void tl_event_free_fields(tl_event *e);

int tl_store_event_insert(tl_tx *tx, const tl_event *e, tl_error *err);
/* account_id NULL lists every account's events (admin). */
int tl_store_event_list(tl_tx *tx, const char *account_id, const tl_page *page,
			tl_event *out, size_t *count, tl_error *err);

/* The ledger. */
/* if_absent: an account with this id already there is success, unchanged. */
int tl_store_ledger_account_insert(tl_tx *tx, const tl_ledger_account *a, bool if_absent,
				   tl_error *err);
int tl_store_ledger_account_get(tl_tx *tx, const char *id, tl_ledger_account *out,
				tl_error *err);
/* account_id NULL lists the system accounts. Oldest first (few rows). */
int tl_store_ledger_account_list(tl_tx *tx, const char *account_id, tl_ledger_account *out,
				 size_t max, size_t *count, tl_error *err);
/* The same after the ledger account `after` (NULL: from the first), to
 * page through an account's wallets: an admin may grant any number. */
int tl_store_ledger_account_list_after(tl_tx *tx, const char *account_id, const char *after,
				       tl_ledger_account *out, size_t max, size_t *count,
				       tl_error *err);
/* Moves a POC wallet's expiry. */
int tl_store_ledger_account_set_expiry(tl_tx *tx, const char *id, int64_t expires_at,
				       tl_error *err);
/* Writes the four running sums of a. */
int tl_store_ledger_account_save(tl_tx *tx, const tl_ledger_account *a, tl_error *err);

int tl_store_transfer_insert(tl_tx *tx, const tl_transfer *t, tl_error *err);
int tl_store_transfer_get(tl_tx *tx, const char *id, tl_transfer *out, tl_error *err);
/* Writes a pending transfer's state and resolved amount. */
int tl_store_transfer_save_state(tl_tx *tx, const tl_transfer *t, tl_error *err);
/* Transfers debiting or crediting a ledger account, newest first. With
 * holds_only, only the pending transfers debiting it. */
int tl_store_transfer_list(tl_tx *tx, const char *ledger_account, bool holds_only,
			   const tl_page *page, tl_transfer *out, size_t *count, tl_error *err);
/* Pending transfers whose expires_at has come, oldest expiry first. */
int tl_store_transfer_list_due(tl_tx *tx, int64_t now, tl_transfer *out, size_t max,
			       size_t *count, tl_error *err);
int tl_store_ledger_totals(tl_tx *tx, tl_ledger_totals *out, tl_error *err);

/* Job runs: 1 when (job, subject, period) is claimed now, 0 when it was
 * done before (nothing to do). */
int tl_store_job_run_claim(tl_tx *tx, const char *job, const char *subject, const char *period,
			   int64_t now, tl_error *err);
/* How many subjects (job, *, period) has claimed: for /metrics. */
int tl_store_job_run_count(tl_tx *tx, const char *job, const char *period, int64_t *out,
			   tl_error *err);
/* 1 when (job, subject, period) was done, 0 when not. */
int tl_store_job_run_exists(tl_tx *tx, const char *job, const char *subject, const char *period,
			    tl_error *err);
/* A subject (account, wallet, resource...) a job failed on: its last
 * error, how many times in a row, and when the job tries it again. */
typedef struct tl_job_failure {
	int64_t seq;                          /* paging cursor */
	char job[32];                         /* "reconcile", "renew", ... */
	char subject[TL_CURSOR_MAX];
	char account_id[TL_ID_MAX];           /* empty: none */
	char code[64];
	char message[TL_ERROR_MESSAGE_MAX];
	int64_t attempts;
	int64_t first_failed_at, last_failed_at, next_retry_at;
} tl_job_failure;
/* TL_ENOTFOUND when the job has no failure recorded for the subject. */
int tl_store_job_failure_get(tl_tx *tx, const char *job, const char *subject,
			     tl_job_failure *out, tl_error *err);
/* Inserts or replaces the failure of (f->job, f->subject). */
int tl_store_job_failure_put(tl_tx *tx, const tl_job_failure *f, tl_error *err);
/* 1 when a failure of (job, subject) was removed, 0 when there was none. */
int tl_store_job_failure_clear(tl_tx *tx, const char *job, const char *subject,
			       tl_error *err);
/* Newest first; job NULL: every job's. page->after is a failure's seq. */
int tl_store_job_failure_list(tl_tx *tx, const char *job, const tl_page *page,
			      tl_job_failure *out, size_t *count, tl_error *err);
/* Failing subjects per job, for /metrics. */
typedef struct tl_job_failure_count {
	char job[32];
	int64_t subjects;
} tl_job_failure_count;
int tl_store_job_failure_counts(tl_tx *tx, tl_job_failure_count *out, size_t max,
				size_t *count, tl_error *err);
/* The earliest time up to which the account's postpaid use is rated, among
 * its resources with use left to rate; -1 when none has any. */
int tl_store_postpaid_unrated_since(tl_tx *tx, const char *account_id, int64_t *out,
				    tl_error *err);
/* POC wallets whose next expiry step is due by `now`, the longest due
 * first. A new wallet, or one whose expiry moved, is due at once. */
int tl_store_poc_wallets_due(tl_tx *tx, int64_t now, tl_ledger_account *out, size_t max,
			     size_t *count, tl_error *err);
/* When the wallet's next expiry step is due; at < 0: it has none left. */
int tl_store_poc_wallet_next_step(tl_tx *tx, const char *id, int64_t at, tl_error *err);
/* Prepaid resources (not clusters: a cluster's term is its members'),
 * active or suspended, whose next term step is due by `now`, the longest
 * due first. Any update of a resource makes it due at once. */
int tl_store_resources_term_due(tl_tx *tx, int64_t now, tl_resource *out, size_t max,
				size_t *count, tl_error *err);
/* When the resource's next term step is due; at < 0: none is left. */
int tl_store_resource_next_step(tl_tx *tx, const char *id, int64_t at, tl_error *err);
/* Accounts with postpaid resources whose use is rated only up to before
 * `before` and with no job run (job, account, period) yet, nor a failure of
 * the job whose retry has not come by `now`, by id: a job
 * that claims each account it visits gets the next ones on its next pass. */
int tl_store_postpaid_accounts(tl_tx *tx, int64_t before, const char *job, const char *period,
			       int64_t now, char (*out)[TL_ID_MAX], size_t max, size_t *count,
			       tl_error *err);
/* An account's postpaid resources, deleted ones included, oldest first.
 * The _after forms go on after the resource `after` (NULL: from the
 * first): a caller pages until a page comes back short, since an account,
 * wallet or cluster may have any number of them. */
int tl_store_postpaid_resources(tl_tx *tx, const char *account_id, tl_resource *out, size_t max,
				size_t *count, tl_error *err);
int tl_store_postpaid_resources_after(tl_tx *tx, const char *account_id, const char *after,
				      tl_resource *out, size_t max, size_t *count, tl_error *err);
/* The live resources a POC wallet pays for, oldest first. */
int tl_store_resources_of_wallet(tl_tx *tx, const char *wallet_id, tl_resource *out, size_t max,
				 size_t *count, tl_error *err);
int tl_store_resources_of_wallet_after(tl_tx *tx, const char *wallet_id, const char *after,
				       tl_resource *out, size_t max, size_t *count, tl_error *err);

/* Resources. */
typedef struct tl_resource_query {
	const char *account_id;  /* required */
	const char *q;           /* part of the name, or the whole id */
	const char *type;
	const char *billing;     /* billing mode */
	const char *cluster_id;
	bool include_deleted;
} tl_resource_query;

int tl_store_resource_insert(tl_tx *tx, const tl_resource *r, tl_error *err);
/* Writes every mutable field of r (status, billing, flags, spec...). */
int tl_store_resource_update(tl_tx *tx, const tl_resource *r, tl_error *err);
int tl_store_resource_get(tl_tx *tx, const char *id, tl_resource *out, tl_error *err);
/* Newest first. Each out[i] owns its spec (tl_resource_release). */
int tl_store_resource_list(tl_tx *tx, const tl_resource_query *q, const tl_page *page,
			   tl_resource *out, size_t *count, tl_error *err);
/* A cluster's members, oldest first, deleted ones included. */
int tl_store_resource_members(tl_tx *tx, const char *cluster_id, tl_resource *out, size_t max,
			      size_t *count, tl_error *err);
int tl_store_resource_members_after(tl_tx *tx, const char *cluster_id, const char *after,
				    tl_resource *out, size_t max, size_t *count, tl_error *err);
/* Active POC resources whose usage is charged only up to before `before`,
 * but for those the accrual failed on whose retry has not come by `now`. */
int tl_store_resource_list_poc(tl_tx *tx, int64_t before, int64_t now, tl_resource *out, size_t max,
			       size_t *count, tl_error *err);

/* Named counters (invoice numbers): incremented in the caller's transaction,
 * so the numbers they give have no gaps. */
/* Increments a named counter (starting at 1) and returns the new value. */
int tl_store_counter_next(tl_tx *tx, const char *name, int64_t *out, tl_error *err);

/* Stored answers to requests that carried an Idempotency-Key. */
#define TL_FINGERPRINT_BYTES 32u
typedef struct tl_idem_record {
	char scope[TL_ID_MAX];   /* "admin" or the account id */
	char key[TL_IDEMPOTENCY_KEY_MAX + 1];
	unsigned char fingerprint[TL_FINGERPRINT_BYTES];
	unsigned status;
	char *body;              /* owned */
	int64_t created_at;
} tl_idem_record;

int tl_store_idem_get(tl_tx *tx, const char *scope, const char *key,
		      tl_idem_record *out, tl_error *err);
int tl_store_idem_put(tl_tx *tx, const tl_idem_record *r, tl_error *err);
/* Retention: deletes up to max records created before `before`;
 * *deleted says how many. */
int tl_store_idem_purge(tl_tx *tx, int64_t before, size_t max, size_t *deleted,
			tl_error *err);

/* Gateway transactions (issue 16: the gateway_transactions table). */
/* TL_ECONFLICT "already_exists" when the id or the txn_id is taken. */
int tl_store_gateway_txn_insert(tl_tx *tx, const tl_gateway_txn *t, tl_error *err);
/* Rewrites what a notification sets: status, result, top_up_transfer_id,
 * payment_id, gateway_ref, bank_code, reason, reason_message,
 * notified_at and updated_at (TL_ENOTFOUND when t->id is not stored). */
int tl_store_gateway_txn_update(tl_tx *tx, const tl_gateway_txn *t, tl_error *err);
/* By the gateway's transaction id: TL_ENOTFOUND when none. */
int tl_store_gateway_txn_get(tl_tx *tx, const char *txn_id, tl_gateway_txn *out,
			     tl_error *err);
/* How many payments were started for the checkout, whatever became of them. */
int tl_store_gateway_txn_count_of_checkout(tl_tx *tx, const char *checkout_id, int64_t *out,
					   tl_error *err);
/* How many of the account's top-ups are still started. */
int tl_store_gateway_top_ups_pending(tl_tx *tx, const char *account_id, int64_t *out,
				     tl_error *err);

/* Suspensions (issue 16: the suspensions table). */
int tl_store_suspension_insert(tl_tx *tx, const tl_suspension *s, tl_error *err);
/* Closes the resource's newest open suspension at end_at; 1 when one was
 * closed, 0 when it had none open. */
int tl_store_suspension_close(tl_tx *tx, const char *resource_id, int64_t end_at,
			      tl_error *err);
/* The resource's suspensions that overlap [from, to) (an open one runs
 * until now), oldest first, after the one whose seq is after_seq (0: from
 * the first). */
int tl_store_suspensions_overlapping(tl_tx *tx, const char *resource_id, int64_t from,
				     int64_t to, int64_t after_seq, tl_suspension *out,
				     size_t max, size_t *count, tl_error *err);
/* ---- metered usage (tables usage_records and usage_months) ---- */

/* The seq of the resource with this id (usage rows name their resource by
 * it); TL_ENOTFOUND when there is none. */
int tl_store_resource_seq(tl_tx *tx, const char *resource_id, int64_t *seq, tl_error *err);
/* Inserts rows[0..n) in order; fresh[i] says whether rows[i] was stored
 * (false: a record of the same (resource, start, end) is already there, a
 * duplicate, and nothing changed). An earlier row of the same call counts:
 * the second of two equal rows is a duplicate. */
int tl_store_usage_insert(tl_tx *tx, const tl_usage_row *rows, size_t n, bool *fresh,
			  tl_error *err);
/* Adds each of months[0..n) to its (resource, month) total. */
int tl_store_usage_months_add(tl_tx *tx, const tl_usage_month *months, size_t n,
			      tl_error *err);
/* The total of the resource's records that start in [from, to), summed
 * from the records themselves. */
int tl_store_usage_sum(tl_tx *tx, int64_t resource_seq, int64_t from, int64_t to,
		       tl_usage_total *out, tl_error *err);
/* The total of the resource's monthly totals for the months that start in
 * [from, to) (month starts, as tl_usage_month_of gives). */
int tl_store_usage_months_sum(tl_tx *tx, int64_t resource_seq, int64_t from, int64_t to,
			      tl_usage_total *out, tl_error *err);
/* Invoices (with their lines and transfers) and payments (with their
 * invoices): store_sqlite_invoices.c. Each insert or update is checked by
 * the database too (amounts >= 0, known statuses, unique numbers). */
#include "domain/invoice.h"
/* TL_ECONFLICT "already_exists" when the id or the number is taken. */
int tl_store_invoice_insert(tl_tx *tx, const tl_invoice *inv, tl_error *err);
/* Rewrites what changes as an invoice is paid: amount_paid, status,
 * payment_id, due_at, updated_at and its transfers. */
int tl_store_invoice_update(tl_tx *tx, const tl_invoice *inv, tl_error *err);
/* TL_ENOTFOUND "not_found" when there is none. *out is released with
 * tl_invoice_release. */
int tl_store_invoice_get(tl_tx *tx, const char *id, tl_invoice *out, tl_error *err);
typedef struct tl_invoice_query {
	const char *account_id;  /* NULL: any */
	const char *resource_id; /* NULL: any */
} tl_invoice_query;
/* Newest first; at least one of the query's filters is given. */
int tl_store_invoice_list(tl_tx *tx, const tl_invoice_query *q, const tl_page *page,
			  tl_invoice *out, size_t *count, tl_error *err);
/* Invoices in `status` that are due by `now` and whose account's credit
 * wallet has credit available: the debts a collection can pay something
 * of. Leaving out the others keeps invoices no credit stands behind from
 * filling every batch. Oldest due first; one a job failed on waits for its
 * retry. */
int tl_store_invoices_payable(tl_tx *tx, const char *status, int64_t now, tl_invoice *out,
			      size_t max, size_t *count, tl_error *err);
/* How many of the account's invoices are unpaid or partial_paid. */
int tl_store_invoices_open_count(tl_tx *tx, const char *account_id, int64_t *out,
				 tl_error *err);
/* TL_ECONFLICT "already_exists" when the id is taken. */
int tl_store_payment_insert(tl_tx *tx, const tl_payment *p, tl_error *err);
int tl_store_payment_get(tl_tx *tx, const char *id, tl_payment *out, tl_error *err);
/* The account's payments, newest first. */
int tl_store_payment_list(tl_tx *tx, const char *account_id, const tl_page *page,
			  tl_payment *out, size_t *count, tl_error *err);
int tl_store_payment_count(tl_tx *tx, const char *account_id, int64_t *out, tl_error *err);
/* ---- checkouts and coupons (store_sqlite_checkouts.c) -------------------------
 * Tables checkouts + checkout_lines and coupons + coupon_redemptions
 * (docs/ARCHITECTURE.md, Schema). What the rows hold is the domain's types;
 * the API's JSON is made from them, never stored. */

/* A checkout and its lines, as they are. insert: TL_ECONFLICT
 * "already_exists" when the id is taken; a refused CHECK (a status or kind
 * not in the lifecycle, a negative amount) is TL_EINTERNAL "store_error".
 * update rewrites what a checkout's life changes (status, term, coupon,
 * prices, payment) and its lines; TL_ENOTFOUND "checkout_not_found". */
int tl_store_checkout_insert(tl_tx *tx, const tl_checkout *c, int64_t now, tl_error *err);
int tl_store_checkout_update(tl_tx *tx, const tl_checkout *c, int64_t now, tl_error *err);
/* TL_ENOTFOUND "checkout_not_found"; TL_EINTERNAL "corrupt_row" when a
 * stored spec or term list does not parse. out owns its lines' specs
 * (tl_checkout_release), except on failure. */
int tl_store_checkout_get(tl_tx *tx, const char *id, tl_checkout *out, tl_error *err);
/* Open checkouts whose expires_at has come, soonest first, leaving out one
 * a job failed on until its retry is due. */
typedef struct tl_checkout_due {
	char id[TL_ID_MAX];
	char account_id[TL_ID_MAX];
} tl_checkout_due;
int tl_store_checkouts_due(tl_tx *tx, int64_t now, tl_checkout_due *out, size_t max,
			   size_t *count, tl_error *err);

/* A coupon. insert: TL_ECONFLICT "already_exists" when the code (or id)
 * is taken. update: its disabled flag and redemption count (its terms never
 * change); TL_ENOTFOUND "coupon_not_found". */
int tl_store_coupon_insert(tl_tx *tx, const tl_coupon *c, int64_t now, tl_error *err);
int tl_store_coupon_update(tl_tx *tx, const tl_coupon *c, int64_t now, tl_error *err);
/* TL_ENOTFOUND "coupon_not_found". code: normalized (upper case). */
int tl_store_coupon_get(tl_tx *tx, const char *id, tl_coupon *out, tl_error *err);
int tl_store_coupon_get_by_code(tl_tx *tx, const char *code, tl_coupon *out, tl_error *err);
/* Newest first. */
int tl_store_coupon_list(tl_tx *tx, const tl_page *page, tl_coupon *out, size_t *count,
			 tl_error *err);
/* Records checkout_id's redemption of coupon_id: TL_ECONFLICT
 * "already_exists" when that checkout has redeemed one already. */
int tl_store_coupon_redemption_insert(tl_tx *tx, const char *id, const char *coupon_id,
				      const char *account_id, const char *checkout_id,
				      int64_t now, tl_error *err);
/* How many times account_id has redeemed coupon_id. */
int tl_store_coupon_redemptions_count(tl_tx *tx, const char *coupon_id,
				      const char *account_id, int64_t *out, tl_error *err);
/* ---- webhooks (issue 18): endpoints, the outbox and its deliveries ---- */
typedef struct tl_webhook_endpoint {
	char id[TL_ID_MAX];
	char url[TL_WEBHOOK_URL_MAX + 1];
	char event_types[TL_WEBHOOK_TYPES_MAX * (TL_WEBHOOK_TYPE_MAX + 4) + 8]; /* JSON array */
	bool enabled;
	char description[TL_WEBHOOK_DESCRIPTION_MAX + 1];
	char secret[80];
	char disabled_reason[32]; /* "" or "failing" */
	int64_t failing_since;    /* 0: the last attempt did not fail */
	int64_t created_at;
	int64_t updated_at;
} tl_webhook_endpoint;

typedef struct tl_webhook_event {
	int64_t seq;
	char id[TL_ID_MAX];
	char type[TL_WEBHOOK_TYPE_MAX];
	char account_id[TL_ID_MAX]; /* "" for events of no account */
	char subject_id[TL_CURSOR_MAX];
	char *data;                 /* JSON text, owned */
	int64_t created_at;
} tl_webhook_event;
void tl_webhook_event_free_fields(tl_webhook_event *e);

typedef struct tl_webhook_delivery {
	int64_t seq;
	char id[TL_ID_MAX];
	int64_t event_seq;
	char event_id[TL_ID_MAX];
	char event_type[TL_WEBHOOK_TYPE_MAX];
	char endpoint_id[TL_ID_MAX];
	char subject_id[TL_CURSOR_MAX];
	char status[16];            /* pending, delivered, failed */
	int64_t attempts;
	int64_t next_attempt_at;
	int64_t last_attempt_at;    /* 0: never tried */
	int64_t last_status;        /* HTTP status of the last attempt, 0: none */
	char last_error[160];
	int64_t last_latency_ms;    /* -1: never tried */
	int64_t created_at;
	int64_t delivered_at;       /* 0: not delivered */
} tl_webhook_delivery;

typedef struct tl_webhook_stats {
	int64_t pending;
	int64_t oldest_pending_at; /* created_at of the oldest pending delivery, 0: none */
	int64_t delivered;
	int64_t failed;
	int64_t endpoints_disabled;
} tl_webhook_stats;

int tl_store_webhook_endpoint_insert(tl_tx *tx, const tl_webhook_endpoint *e, tl_error *err);
/* TL_ENOTFOUND "webhook_endpoint_not_found" when none. */
int tl_store_webhook_endpoint_get(tl_tx *tx, const char *id, tl_webhook_endpoint *out,
				  tl_error *err);
int tl_store_webhook_endpoint_list(tl_tx *tx, const tl_page *page, tl_webhook_endpoint *out,
				   size_t *count, tl_error *err);
int tl_store_webhook_endpoint_update(tl_tx *tx, const tl_webhook_endpoint *e, tl_error *err);
/* Deletes the endpoint and its deliveries. */
int tl_store_webhook_endpoint_delete(tl_tx *tx, const char *id, tl_error *err);
/* Writes the event into the outbox and a pending delivery (due at
 * e->created_at) for each enabled endpoint subscribed to its type. */
int tl_store_webhook_event_insert(tl_tx *tx, const tl_webhook_event *e, tl_error *err);
/* Newest first; type NULL: every type. */
int tl_store_webhook_event_list(tl_tx *tx, const char *type, const tl_page *page,
				tl_webhook_event *out, size_t *count, tl_error *err);
int tl_store_webhook_event_get(tl_tx *tx, int64_t seq, tl_webhook_event *out, tl_error *err);
/* An endpoint's deliveries, newest first. */
int tl_store_webhook_delivery_list(tl_tx *tx, const char *endpoint_id, const tl_page *page,
				   tl_webhook_delivery *out, size_t *count, tl_error *err);
int tl_store_webhook_delivery_get(tl_tx *tx, const char *id, tl_webhook_delivery *out,
				  tl_error *err);
/* Pending deliveries due by now to enabled endpoints, oldest first, each
 * the first still pending of its (endpoint, subject): order per object. */
int tl_store_webhook_delivery_due(tl_tx *tx, int64_t now, tl_webhook_delivery *out, size_t max,
				  size_t *count, tl_error *err);
/* The first pending delivery's next_attempt_at (0: none), for the worker's sleep. */
int tl_store_webhook_delivery_next_at(tl_tx *tx, int64_t *out, tl_error *err);
/* Saves status, attempts, next_attempt_at, last_*, delivered_at and
 * created_at (a redelivery starts its retry window again). */
int tl_store_webhook_delivery_save(tl_tx *tx, const tl_webhook_delivery *d, tl_error *err);
int tl_store_webhook_stats(tl_tx *tx, tl_webhook_stats *out, tl_error *err);
/* Retention: deletes up to max outbox events created before `before` that
 * have no pending delivery left (their deliveries go with them). */
int tl_store_webhook_purge(tl_tx *tx, int64_t before, size_t max, size_t *deleted,
			   tl_error *err);

#endif
