/*
 * store_sqlite_internal.h: what the SQLite driver's files share. Private to
 * src/store/.
 */
#ifndef TL_STORE_SQLITE_INTERNAL_H
#define TL_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include "store/store_driver.h"

/* Prepared statements are cached per connection, keyed by the address of
 * the SQL text (every statement is a string literal in this file). */
#define STMT_CACHE_MAX 256

typedef struct sqlite_conn {
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[STMT_CACHE_MAX];
	int cached;
} sqlite_conn;

/* Maps the connection's last error to a tl_err (unique violations are
 * TL_ECONFLICT, lock waits TL_EUNAVAILABLE). */
int tl_sqlite_error(sqlite_conn *c, tl_error *err, const char *what);

/* A reset statement for sql (a string literal), prepared once per
 * connection; NULL when it does not prepare. */
sqlite3_stmt *tl_sqlite_stmt(sqlite_conn *c, const char *sql);

/* Steps a statement that returns no rows, and resets it. */
int tl_sqlite_step_done(sqlite_conn *c, sqlite3_stmt *st, tl_error *err, const char *what);

void tl_sqlite_copy_text(char *out, size_t size, sqlite3_stmt *st, int col);

/* Binds a page's cursor at `first` and its limit at first + 1. */
void tl_sqlite_bind_page(sqlite3_stmt *st, int first, const tl_page *page);

/* The ledger's part of the driver (store_sqlite_ledger.c). */
int tl_sqlite_ledger_account_insert(void *conn, const tl_ledger_account *a, bool if_absent,
				    tl_error *err);
int tl_sqlite_ledger_account_get(void *conn, const char *id, tl_ledger_account *out,
				 tl_error *err);
int tl_sqlite_ledger_account_list(void *conn, const char *account_id, const char *after,
				  tl_ledger_account *out, size_t max, size_t *count, tl_error *err);
int tl_sqlite_ledger_account_set_expiry(void *conn, const char *id, int64_t expires_at,
					tl_error *err);
int tl_sqlite_ledger_account_save(void *conn, const tl_ledger_account *a, tl_error *err);
int tl_sqlite_transfer_insert(void *conn, const tl_transfer *t, tl_error *err);
int tl_sqlite_transfer_get(void *conn, const char *id, tl_transfer *out, tl_error *err);
int tl_sqlite_transfer_save_state(void *conn, const tl_transfer *t, tl_error *err);
int tl_sqlite_transfer_list(void *conn, const char *ledger_account, bool holds_only,
			    const tl_page *page, tl_transfer *out, size_t *count, tl_error *err);
int tl_sqlite_transfer_list_due(void *conn, int64_t now, tl_transfer *out, size_t max,
				size_t *count, tl_error *err);
int tl_sqlite_ledger_totals(void *conn, tl_ledger_totals *out, tl_error *err);

/* Jobs (store_sqlite_resources.c). */
int tl_sqlite_job_run_claim(void *conn, const char *job, const char *subject, const char *period,
			    int64_t now, tl_error *err);
int tl_sqlite_job_run_exists(void *conn, const char *job, const char *subject,
			     const char *period, tl_error *err);
/* Job failures (store_sqlite_jobs.c). */
int tl_sqlite_job_failure_get(void *conn, const char *job, const char *subject,
			      tl_job_failure *out, tl_error *err);
int tl_sqlite_job_failure_put(void *conn, const tl_job_failure *f, tl_error *err);
int tl_sqlite_job_failure_clear(void *conn, const char *job, const char *subject,
				tl_error *err);
int tl_sqlite_job_failure_list(void *conn, const char *job, const tl_page *page,
			       tl_job_failure *out, size_t *count, tl_error *err);
int tl_sqlite_job_failure_counts(void *conn, tl_job_failure_count *out, size_t max,
				 size_t *count, tl_error *err);
int tl_sqlite_postpaid_unrated_since(void *conn, const char *account_id, int64_t *out,
				     tl_error *err);
/* Runs sql, an UPDATE of next_step_at (?2) for the row with id ?1; at < 0
 * stores NULL: no step left. */
int tl_sqlite_set_next_step(void *conn, const char *sql, const char *id, int64_t at,
			    tl_error *err);
int tl_sqlite_poc_wallet_next_step(void *conn, const char *id, int64_t at, tl_error *err);
int tl_sqlite_poc_wallets_due(void *conn, int64_t before, tl_ledger_account *out, size_t max,
			      size_t *count, tl_error *err);
int tl_sqlite_resource_next_step(void *conn, const char *id, int64_t at, tl_error *err);
int tl_sqlite_resources_term_due(void *conn, int64_t before, tl_resource *out, size_t max,
				 size_t *count, tl_error *err);
int tl_sqlite_postpaid_accounts(void *conn, int64_t before, const char *job, const char *period,
				int64_t now,
				char (*out)[TL_ID_MAX], size_t max,
				size_t *count, tl_error *err);
int tl_sqlite_postpaid_resources(void *conn, const char *account_id, const char *after,
				tl_resource *out,
				 size_t max, size_t *count, tl_error *err);
int tl_sqlite_resources_of_wallet(void *conn, const char *wallet_id, const char *after,
				tl_resource *out,
				  size_t max, size_t *count, tl_error *err);

/* Resources (store_sqlite_resources.c). */
int tl_sqlite_resource_insert(void *conn, const tl_resource *r, tl_error *err);
int tl_sqlite_resource_update(void *conn, const tl_resource *r, tl_error *err);
int tl_sqlite_resource_get(void *conn, const char *id, tl_resource *out, tl_error *err);
int tl_sqlite_resource_list(void *conn, const tl_resource_query *q, const tl_page *page,
			    tl_resource *out, size_t *count, tl_error *err);
int tl_sqlite_resource_members(void *conn, const char *cluster_id, const char *after,
				tl_resource *out,
			       size_t max, size_t *count, tl_error *err);
int tl_sqlite_resource_list_poc(void *conn, int64_t before, int64_t now, tl_resource *out, size_t max,
				size_t *count, tl_error *err);

/* Named counters (store_sqlite_counters.c). */
int tl_sqlite_counter_next(void *conn, const char *name, int64_t *out, tl_error *err);

/* Whole-database operations and retention (store_sqlite_ops.c). */
int tl_sqlite_backup(const char *path, const char *dest, tl_backup_result *out, tl_error *err);
int tl_sqlite_restore(const char *backup, const char *path, tl_error *err);
int tl_sqlite_idem_purge(void *conn, int64_t before, size_t max, size_t *deleted,
			 tl_error *err);
int tl_sqlite_job_run_count(void *conn, const char *job, const char *period, int64_t *out,
			    tl_error *err);

/* Gateway transactions and suspensions (store_sqlite_gateway.c). */
int tl_sqlite_gateway_txn_insert(void *conn, const tl_gateway_txn *t, tl_error *err);
int tl_sqlite_gateway_txn_update(void *conn, const tl_gateway_txn *t, tl_error *err);
int tl_sqlite_gateway_txn_get(void *conn, const char *txn_id, tl_gateway_txn *out,
			      tl_error *err);
int tl_sqlite_gateway_txn_count_of_checkout(void *conn, const char *checkout_id, int64_t *out,
					    tl_error *err);
int tl_sqlite_gateway_top_ups_pending(void *conn, const char *account_id, int64_t *out,
				      tl_error *err);
int tl_sqlite_suspension_insert(void *conn, const tl_suspension *s, tl_error *err);
int tl_sqlite_suspension_close(void *conn, const char *resource_id, int64_t end_at,
			       tl_error *err);
int tl_sqlite_suspensions_overlapping(void *conn, const char *resource_id, int64_t from,
				      int64_t to, int64_t after_seq, tl_suspension *out,
				      size_t max, size_t *count, tl_error *err);
/* Metered usage (store_sqlite_usage.c). */
int tl_sqlite_resource_seq(void *conn, const char *resource_id, int64_t *seq, tl_error *err);
int tl_sqlite_usage_insert(void *conn, const tl_usage_row *rows, size_t n, bool *fresh,
			   tl_error *err);
int tl_sqlite_usage_months_add(void *conn, const tl_usage_month *months, size_t n,
			       tl_error *err);
int tl_sqlite_usage_sum(void *conn, int64_t resource_seq, int64_t from, int64_t to,
			tl_usage_total *out, tl_error *err);
int tl_sqlite_usage_months_sum(void *conn, int64_t resource_seq, int64_t from, int64_t to,
			       tl_usage_total *out, tl_error *err);
/* Invoices and payments (store_sqlite_invoices.c). */
int tl_sqlite_invoice_insert(void *conn, const tl_invoice *inv, tl_error *err);
int tl_sqlite_invoice_update(void *conn, const tl_invoice *inv, tl_error *err);
int tl_sqlite_invoice_get(void *conn, const char *id, tl_invoice *out, tl_error *err);
int tl_sqlite_invoice_list(void *conn, const tl_invoice_query *q, const tl_page *page,
			   tl_invoice *out, size_t *count, tl_error *err);
int tl_sqlite_invoices_payable(void *conn, const char *status, int64_t now, tl_invoice *out,
			       size_t max, size_t *count, tl_error *err);
int tl_sqlite_invoices_open_count(void *conn, const char *account_id, int64_t *out,
				  tl_error *err);
int tl_sqlite_payment_insert(void *conn, const tl_payment *p, tl_error *err);
int tl_sqlite_payment_get(void *conn, const char *id, tl_payment *out, tl_error *err);
int tl_sqlite_payment_list(void *conn, const char *account_id, const tl_page *page,
			   tl_payment *out, size_t *count, tl_error *err);
int tl_sqlite_payment_count(void *conn, const char *account_id, int64_t *out, tl_error *err);
/* Checkouts and coupons (store_sqlite_checkouts.c). */
int tl_sqlite_checkout_insert(void *conn, const tl_checkout *k, int64_t now, tl_error *err);
int tl_sqlite_checkout_update(void *conn, const tl_checkout *k, int64_t now, tl_error *err);
int tl_sqlite_checkout_get(void *conn, const char *id, tl_checkout *out, tl_error *err);
int tl_sqlite_checkouts_due(void *conn, int64_t now, tl_checkout_due *out, size_t max,
			   size_t *count, tl_error *err);
int tl_sqlite_coupon_insert(void *conn, const tl_coupon *k, int64_t now, tl_error *err);
int tl_sqlite_coupon_update(void *conn, const tl_coupon *k, int64_t now, tl_error *err);
int tl_sqlite_coupon_get(void *conn, const char *id, tl_coupon *out, tl_error *err);
int tl_sqlite_coupon_get_by_code(void *conn, const char *code, tl_coupon *out, tl_error *err);
int tl_sqlite_coupon_list(void *conn, const tl_page *page, tl_coupon *out, size_t *count,
			  tl_error *err);
int tl_sqlite_coupon_redemption_insert(void *conn, const char *id, const char *coupon_id,
				       const char *account_id, const char *checkout_id,
				       int64_t now, tl_error *err);
int tl_sqlite_coupon_redemptions_count(void *conn, const char *coupon_id,
				       const char *account_id, int64_t *out, tl_error *err);
/* Webhooks (store_sqlite_webhooks.c, issue 18). */
int tl_sqlite_webhook_endpoint_insert(void *conn, const tl_webhook_endpoint *e, tl_error *err);
int tl_sqlite_webhook_endpoint_get(void *conn, const char *id, tl_webhook_endpoint *out,
				   tl_error *err);
int tl_sqlite_webhook_endpoint_list(void *conn, const tl_page *page, tl_webhook_endpoint *out,
				    size_t *count, tl_error *err);
int tl_sqlite_webhook_endpoint_update(void *conn, const tl_webhook_endpoint *e, tl_error *err);
int tl_sqlite_webhook_endpoint_delete(void *conn, const char *id, tl_error *err);
int tl_sqlite_webhook_event_insert(void *conn, const tl_webhook_event *e, tl_error *err);
int tl_sqlite_webhook_event_list(void *conn, const char *type, const tl_page *page,
				 tl_webhook_event *out, size_t *count, tl_error *err);
int tl_sqlite_webhook_event_get(void *conn, int64_t seq, tl_webhook_event *out, tl_error *err);
int tl_sqlite_webhook_delivery_list(void *conn, const char *endpoint_id, const tl_page *page,
				    tl_webhook_delivery *out, size_t *count, tl_error *err);
int tl_sqlite_webhook_delivery_get(void *conn, const char *id, tl_webhook_delivery *out,
				   tl_error *err);
int tl_sqlite_webhook_delivery_due(void *conn, int64_t now, tl_webhook_delivery *out,
				   size_t max, size_t *count, tl_error *err);
int tl_sqlite_webhook_delivery_next_at(void *conn, int64_t *out, tl_error *err);
int tl_sqlite_webhook_delivery_save(void *conn, const tl_webhook_delivery *d, tl_error *err);
int tl_sqlite_webhook_stats(void *conn, tl_webhook_stats *out, tl_error *err);
int tl_sqlite_webhook_purge(void *conn, int64_t before, size_t max, size_t *deleted,
			    tl_error *err);

#endif
