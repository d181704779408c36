/*
 * store_driver.h: what a database driver provides to store.c. Private to
 * src/store/. store.c owns transactions, the writer thread and the reader
 * pool; a driver owns connections and SQL.
 */
#ifndef TL_STORE_DRIVER_H
#define TL_STORE_DRIVER_H

#include "store/store.h"

typedef struct tl_store_driver {
	const char *name;
	/* Statements that open a write and a read transaction. */
	const char *begin_write_sql;
	const char *begin_read_sql;

	int (*connect)(void **out, const char *url, tl_error *err);
	void (*disconnect)(void *conn);
	/* Brings the schema to tl_store_schema_version(); run once, on the
	 * writer connection, before anything else. */
	int (*migrate)(void *conn, tl_error *err);
	/* Runs one statement without results (BEGIN, SAVEPOINT, COMMIT...). */
	int (*exec)(void *conn, const char *sql, tl_error *err);
	/* True while a transaction is open on the connection. */
	bool (*in_transaction)(void *conn);

	int (*meta_get)(void *conn, const char *key, char *out, size_t out_size,
			tl_error *err);
	int (*meta_put)(void *conn, const char *key, const char *value, tl_error *err);
	int (*account_insert)(void *conn, const tl_account *a, tl_error *err);
	int (*account_get)(void *conn, const char *id, tl_account *out, tl_error *err);
	int (*account_set_type)(void *conn, const char *id, const char *type, tl_error *err);
	int (*account_list)(void *conn, const tl_page *page, tl_account *out,
			    size_t *count, tl_error *err);
	int (*token_insert)(void *conn, const tl_token *t, tl_error *err);
	int (*token_get)(void *conn, const char *id, tl_token *out, tl_error *err);
	int (*event_insert)(void *conn, const tl_event *e, tl_error *err);
	int (*event_list)(void *conn, const char *account_id, const tl_page *page,
			  tl_event *out, size_t *count, tl_error *err);
	int (*ledger_account_insert)(void *conn, const tl_ledger_account *a, bool if_absent,
				     tl_error *err);
	int (*ledger_account_get)(void *conn, const char *id, tl_ledger_account *out,
				  tl_error *err);
	int (*ledger_account_list)(void *conn, const char *account_id, const char *after,
				   tl_ledger_account *out, size_t max, size_t *count, tl_error *err);
	int (*ledger_account_set_expiry)(void *conn, const char *id, int64_t expires_at,
					 tl_error *err);
	int (*ledger_account_save)(void *conn, const tl_ledger_account *a, tl_error *err);
	int (*transfer_insert)(void *conn, const tl_transfer *t, tl_error *err);
	int (*transfer_get)(void *conn, const char *id, tl_transfer *out, tl_error *err);
	int (*transfer_save_state)(void *conn, const tl_transfer *t, tl_error *err);
	int (*transfer_list)(void *conn, const char *ledger_account, bool holds_only,
			     const tl_page *page, tl_transfer *out, size_t *count, tl_error *err);
	int (*transfer_list_due)(void *conn, int64_t now, tl_transfer *out, size_t max,
				 size_t *count, tl_error *err);
	int (*ledger_totals)(void *conn, tl_ledger_totals *out, tl_error *err);
	int (*job_run_claim)(void *conn, const char *job, const char *subject, const char *period,
			     int64_t now, tl_error *err);
	int (*job_run_exists)(void *conn, const char *job, const char *subject, const char *period,
			      tl_error *err);
	int (*job_failure_get)(void *conn, const char *job, const char *subject,
			       tl_job_failure *out, tl_error *err);
	int (*job_failure_put)(void *conn, const tl_job_failure *f, tl_error *err);
	int (*job_failure_clear)(void *conn, const char *job, const char *subject, tl_error *err);
	int (*job_failure_list)(void *conn, const char *job, const tl_page *page,
				tl_job_failure *out, size_t *count, tl_error *err);
	int (*job_failure_counts)(void *conn, tl_job_failure_count *out, size_t max,
				  size_t *count, tl_error *err);
	int (*postpaid_unrated_since)(void *conn, const char *account_id, int64_t *out,
				      tl_error *err);
	int (*poc_wallets_due)(void *conn, int64_t before, tl_ledger_account *out, size_t max,
			       size_t *count, tl_error *err);
	int (*poc_wallet_next_step)(void *conn, const char *id, int64_t at, tl_error *err);
	int (*resource_next_step)(void *conn, const char *id, int64_t at, tl_error *err);
	int (*resources_term_due)(void *conn, int64_t before, tl_resource *out, size_t max,
				  size_t *count, tl_error *err);
	int (*postpaid_accounts)(void *conn, int64_t before, const char *job, const char *period,
				 int64_t now,
				 char (*out)[TL_ID_MAX], size_t max, size_t *count, tl_error *err);
	int (*postpaid_resources)(void *conn, const char *account_id, const char *after,
				tl_resource *out, size_t max,
				  size_t *count, tl_error *err);
	int (*resources_of_wallet)(void *conn, const char *wallet_id, const char *after,
				tl_resource *out, size_t max,
				   size_t *count, tl_error *err);
	int (*resource_insert)(void *conn, const tl_resource *r, tl_error *err);
	int (*resource_update)(void *conn, const tl_resource *r, tl_error *err);
	int (*resource_get)(void *conn, const char *id, tl_resource *out, tl_error *err);
	int (*resource_list)(void *conn, const tl_resource_query *q, const tl_page *page,
			     tl_resource *out, size_t *count, tl_error *err);
	int (*resource_members)(void *conn, const char *cluster_id, const char *after,
				tl_resource *out, size_t max,
				size_t *count, tl_error *err);
	int (*resource_list_poc)(void *conn, int64_t before, int64_t now, tl_resource *out, size_t max,
				 size_t *count, tl_error *err);
	int (*counter_next)(void *conn, const char *name, int64_t *out, tl_error *err);
	int (*idem_get)(void *conn, const char *scope, const char *key,
			tl_idem_record *out, tl_error *err);
	int (*idem_put)(void *conn, const tl_idem_record *r, tl_error *err);
	int (*idem_purge)(void *conn, int64_t before, size_t max, size_t *deleted,
			  tl_error *err);
	/* Operations on the database as a whole (url: what connect takes). */
	int (*backup)(const char *url, const char *dest, tl_backup_result *out, tl_error *err);
	int (*restore)(const char *backup, const char *url, tl_error *err);
	int (*job_run_count)(void *conn, const char *job, const char *period, int64_t *out,
			     tl_error *err);
	/* Gateway transactions and suspensions (issue 16). */
	int (*gateway_txn_insert)(void *conn, const tl_gateway_txn *t, tl_error *err);
	int (*gateway_txn_update)(void *conn, const tl_gateway_txn *t, tl_error *err);
	int (*gateway_txn_get)(void *conn, const char *txn_id, tl_gateway_txn *out,
			       tl_error *err);
	int (*gateway_txn_count_of_checkout)(void *conn, const char *checkout_id, int64_t *out,
					     tl_error *err);
	int (*gateway_top_ups_pending)(void *conn, const char *account_id, int64_t *out,
				       tl_error *err);
	int (*suspension_insert)(void *conn, const tl_suspension *s, tl_error *err);
	int (*suspension_close)(void *conn, const char *resource_id, int64_t end_at,
				tl_error *err);
	int (*suspensions_overlapping)(void *conn, const char *resource_id, int64_t from,
				       int64_t to, int64_t after_seq, tl_suspension *out,
				       size_t max, size_t *count, tl_error *err);
	/* Metered usage (store_sqlite_usage.c). */
	int (*resource_seq)(void *conn, const char *resource_id, int64_t *seq, tl_error *err);
	int (*usage_insert)(void *conn, const tl_usage_row *rows, size_t n, bool *fresh,
			    tl_error *err);
	int (*usage_months_add)(void *conn, const tl_usage_month *months, size_t n,
				tl_error *err);
	int (*usage_sum)(void *conn, int64_t resource_seq, int64_t from, int64_t to,
			 tl_usage_total *out, tl_error *err);
	int (*usage_months_sum)(void *conn, int64_t resource_seq, int64_t from, int64_t to,
				tl_usage_total *out, tl_error *err);
	/* invoices and payments (store.h) */
	int (*invoice_insert)(void *conn, const tl_invoice *inv, tl_error *err);
	int (*invoice_update)(void *conn, const tl_invoice *inv, tl_error *err);
	int (*invoice_get)(void *conn, const char *id, tl_invoice *out, tl_error *err);
	int (*invoice_list)(void *conn, const tl_invoice_query *q, const tl_page *page,
			    tl_invoice *out, size_t *count, tl_error *err);
	int (*invoices_payable)(void *conn, const char *status, int64_t now, tl_invoice *out,
				size_t max, size_t *count, tl_error *err);
	int (*invoices_open_count)(void *conn, const char *account_id, int64_t *out,
				   tl_error *err);
	int (*payment_insert)(void *conn, const tl_payment *p, tl_error *err);
	int (*payment_get)(void *conn, const char *id, tl_payment *out, tl_error *err);
	int (*payment_list)(void *conn, const char *account_id, const tl_page *page,
			    tl_payment *out, size_t *count, tl_error *err);
	int (*payment_count)(void *conn, const char *account_id, int64_t *out, tl_error *err);
	/* Checkouts and coupons (issue 16). */
	int (*checkout_insert)(void *conn, const tl_checkout *k, int64_t now, tl_error *err);
	int (*checkout_update)(void *conn, const tl_checkout *k, int64_t now, tl_error *err);
	int (*checkout_get)(void *conn, const char *id, tl_checkout *out, tl_error *err);
	int (*checkouts_due)(void *conn, int64_t now, tl_checkout_due *out, size_t max,
			     size_t *count, tl_error *err);
	int (*coupon_insert)(void *conn, const tl_coupon *k, int64_t now, tl_error *err);
	int (*coupon_update)(void *conn, const tl_coupon *k, int64_t now, tl_error *err);
	int (*coupon_get)(void *conn, const char *id, tl_coupon *out, tl_error *err);
	int (*coupon_get_by_code)(void *conn, const char *code, tl_coupon *out, tl_error *err);
	int (*coupon_list)(void *conn, const tl_page *page, tl_coupon *out, size_t *count,
			   tl_error *err);
	int (*coupon_redemption_insert)(void *conn, const char *id, const char *coupon_id,
					const char *account_id, const char *checkout_id,
					int64_t now, tl_error *err);
	int (*coupon_redemptions_count)(void *conn, const char *coupon_id,
					const char *account_id, int64_t *out, tl_error *err);
	/* webhooks (issue 18) */
	int (*webhook_endpoint_insert)(void *conn, const tl_webhook_endpoint *e, tl_error *err);
	int (*webhook_endpoint_get)(void *conn, const char *id, tl_webhook_endpoint *out,
				    tl_error *err);
	int (*webhook_endpoint_list)(void *conn, const tl_page *page, tl_webhook_endpoint *out,
				     size_t *count, tl_error *err);
	int (*webhook_endpoint_update)(void *conn, const tl_webhook_endpoint *e, tl_error *err);
	int (*webhook_endpoint_delete)(void *conn, const char *id, tl_error *err);
	int (*webhook_event_insert)(void *conn, const tl_webhook_event *e, tl_error *err);
	int (*webhook_event_list)(void *conn, const char *type, const tl_page *page,
				  tl_webhook_event *out, size_t *count, tl_error *err);
	int (*webhook_event_get)(void *conn, int64_t seq, tl_webhook_event *out, tl_error *err);
	int (*webhook_delivery_list)(void *conn, const char *endpoint_id, const tl_page *page,
				     tl_webhook_delivery *out, size_t *count, tl_error *err);
	int (*webhook_delivery_get)(void *conn, const char *id, tl_webhook_delivery *out,
				    tl_error *err);
	int (*webhook_delivery_due)(void *conn, int64_t now, tl_webhook_delivery *out, size_t max,
				    size_t *count, tl_error *err);
	int (*webhook_delivery_next_at)(void *conn, int64_t *out, tl_error *err);
	int (*webhook_delivery_save)(void *conn, const tl_webhook_delivery *d, tl_error *err);
	int (*webhook_stats)(void *conn, tl_webhook_stats *out, tl_error *err);
	int (*webhook_purge)(void *conn, int64_t before, size_t max, size_t *deleted,
			     tl_error *err);
} tl_store_driver;

extern const tl_store_driver tl_store_sqlite_driver;

#endif
