/*
 * store.c: transactions, group commit and the reader pool, common to every
 * driver. See store.h for the contract.
 *
 * Writer thread state machine, per batch:
 *
 *   IDLE --queue not empty--> BEGIN --for each job: SAVEPOINT, run,
 *   RELEASE (or ROLLBACK TO + RELEASE on failure)--> COMMIT --ok--> wake all
 *                                                       \--fails--> ROLLBACK,
 *   then each job again alone in its own transaction (so one bad job cannot
 *   lose its neighbours), then wake all.
 *
 * Invariants:
 *   1. A job's submitter is woken only after the transaction that holds its
 *      changes has committed, or after it has failed and been rolled back.
 *   2. At most TL_GROUP_COMMIT_MAX jobs share a transaction.
 *   3. The queue holds at most TL_WRITE_QUEUE_MAX jobs; submitters wait.
 *   4. On close the writer drains the queue before it stops.
 */
#include "store/store.h"
#include "store/store_driver.h"
#include "common/limits.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

struct tl_tx {
	const tl_store_driver *drv;
	void *conn;
	int savepoint_depth;
};

typedef struct write_job {
	tl_tx_fn fn;
	void *arg;
	tl_error *err;
	int rc;
	bool done;
	pthread_cond_t done_cond; /* its own, so a commit wakes only its jobs */
	struct write_job *next;
} write_job;

struct tl_store {
	const tl_store_driver *drv;
	char *url; /* for whole-database operations (backup) */
	void *writer_conn;
	pthread_t writer;
	pthread_mutex_t lock;
	pthread_cond_t job_ready;   /* writer waits: queue not empty or stopping */
	pthread_cond_t queue_space; /* submitters wait: queue has room */
	write_job *head, *tail;
	size_t queued;
	bool stopping;
	tl_store_stats stats;

	void *readers[TL_STORE_READERS];
	bool reader_busy[TL_STORE_READERS];
	pthread_cond_t reader_free;
};

/* ---- running functions in transactions ---------------------------------- */

static int run_in_transaction(const tl_store_driver *drv, void *conn, const char *begin,
			      tl_tx_fn fn, void *arg, tl_error *err)
{
	tl_tx tx = {.drv = drv, .conn = conn};
	int rc = drv->exec(conn, begin, err);
	if (rc < 0)
		return rc;
	rc = fn(&tx, arg, err);
	if (rc < 0) {
		drv->exec(conn, "ROLLBACK", NULL);
		return rc;
	}
	rc = drv->exec(conn, "COMMIT", err);
	if (rc < 0)
		drv->exec(conn, "ROLLBACK", NULL);
	return rc;
}

/* SQLite (and PostgreSQL) may end a transaction on their own after some
 * failures (disk full, I/O error). A SAVEPOINT issued then would open a new
 * transaction and its RELEASE commit it; so a lost transaction is checked
 * for before and after every nested function, and reported. */
static int transaction_lost(tl_error *err)
{
	return tl_error_set(err, TL_EUNAVAILABLE, "transaction_lost",
			    "the database ended the transaction after a failure");
}

static void undo_savepoint(tl_tx *tx, int depth)
{
	char sql[48];
	snprintf(sql, sizeof(sql), "ROLLBACK TO sp%d", depth);
	tx->drv->exec(tx->conn, sql, NULL);
	snprintf(sql, sizeof(sql), "RELEASE sp%d", depth);
	tx->drv->exec(tx->conn, sql, NULL);
}

int tl_store_nested(tl_tx *tx, tl_tx_fn fn, void *arg, tl_error *err)
{
	if (!tx->drv->in_transaction(tx->conn))
		return transaction_lost(err);
	char sql[48];
	int depth = ++tx->savepoint_depth;
	snprintf(sql, sizeof(sql), "SAVEPOINT sp%d", depth);
	int rc = tx->drv->exec(tx->conn, sql, err);
	if (rc == 0) {
		rc = fn(tx, arg, err);
		if (rc == 0 && tx->drv->in_transaction(tx->conn)) {
			snprintf(sql, sizeof(sql), "RELEASE sp%d", depth);
			rc = tx->drv->exec(tx->conn, sql, err);
		}
		if (rc < 0 && tx->drv->in_transaction(tx->conn))
			undo_savepoint(tx, depth);
	}
	tx->savepoint_depth--;
	if (!tx->drv->in_transaction(tx->conn))
		return rc < 0 ? rc : transaction_lost(err);
	return rc;
}

/* ---- the writer thread --------------------------------------------------- */

/* Runs a batch of jobs in one transaction. Returns false when the commit
 * failed, so the caller retries the jobs one by one. */
static bool run_batch(tl_store *s, write_job *batch)
{
	tl_tx tx = {.drv = s->drv, .conn = s->writer_conn};
	tl_error begin_err = {0};
	if (s->drv->exec(s->writer_conn, s->drv->begin_write_sql, &begin_err) < 0) {
		tl_error_clear(&begin_err);
		return false;
	}
	for (write_job *j = batch; j; j = j->next) {
		j->rc = tl_store_nested(&tx, j->fn, j->arg, j->err);
		/* Lost: nothing of the batch committed; every job runs again alone. */
		if (!s->drv->in_transaction(s->writer_conn)) {
			tl_log("error", "a write lost its group's transaction; retrying one by one",
			       NULL);
			return false;
		}
	}
	tl_error commit_err = {0};
	if (s->drv->exec(s->writer_conn, "COMMIT", &commit_err) < 0) {
		tl_log("error", "group commit failed; retrying its jobs one by one",
		       json_pack("{s:s}", "reason", commit_err.message));
		tl_error_clear(&commit_err);
		s->drv->exec(s->writer_conn, "ROLLBACK", NULL);
		return false;
	}
	return true;
}

static void run_jobs_alone(tl_store *s, write_job *batch)
{
	for (write_job *j = batch; j; j = j->next) {
		tl_error_clear(j->err);
		j->rc = run_in_transaction(s->drv, s->writer_conn, s->drv->begin_write_sql,
					   j->fn, j->arg, j->err);
	}
}

/* Takes up to TL_GROUP_COMMIT_MAX jobs off the queue; lock held. */
static write_job *take_batch(tl_store *s, size_t *count)
{
	write_job *batch = s->head, *last = s->head;
	size_t n = 1;
	while (last->next && n < TL_GROUP_COMMIT_MAX) {
		last = last->next;
		n++;
	}
	s->head = last->next;
	if (s->head == NULL)
		s->tail = NULL;
	last->next = NULL;
	s->queued -= n;
	*count = n;
	return batch;
}

static void *writer_main(void *arg)
{
	tl_store *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->head == NULL && !s->stopping)
			pthread_cond_wait(&s->job_ready, &s->lock);
		if (s->head == NULL && s->stopping)
			break;
		size_t count;
		write_job *batch = take_batch(s, &count);
		pthread_cond_broadcast(&s->queue_space);
		pthread_mutex_unlock(&s->lock);

		if (!run_batch(s, batch))
			run_jobs_alone(s, batch);

		pthread_mutex_lock(&s->lock);
		s->stats.batches++;
		s->stats.writes += count;
		for (write_job *j = batch, *next; j; j = next) {
			next = j->next; /* j lives on its submitter's stack: read it first */
			j->done = true;
			pthread_cond_signal(&j->done_cond);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int tl_store_write(tl_store *s, tl_tx_fn fn, void *arg, tl_error *err)
{
	write_job job = {.fn = fn, .arg = arg, .err = err};
	pthread_cond_init(&job.done_cond, NULL);
	pthread_mutex_lock(&s->lock);
	while (s->queued >= TL_WRITE_QUEUE_MAX && !s->stopping)
		pthread_cond_wait(&s->queue_space, &s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		pthread_cond_destroy(&job.done_cond);
		return tl_error_set(err, TL_EUNAVAILABLE, "shutting_down",
				    "tallyd is shutting down; retry against another instance");
	}
	if (s->tail)
		s->tail->next = &job;
	else
		s->head = &job;
	s->tail = &job;
	s->queued++;
	pthread_cond_signal(&s->job_ready);
	while (!job.done)
		pthread_cond_wait(&job.done_cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	pthread_cond_destroy(&job.done_cond);
	return job.rc;
}

/* ---- readers -------------------------------------------------------------- */

int tl_store_read(tl_store *s, tl_tx_fn fn, void *arg, tl_error *err)
{
	size_t slot = 0;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		for (slot = 0; slot < TL_STORE_READERS && s->reader_busy[slot]; slot++)
			;
		if (slot < TL_STORE_READERS)
			break;
		pthread_cond_wait(&s->reader_free, &s->lock);
	}
	s->reader_busy[slot] = true;
	pthread_mutex_unlock(&s->lock);

	int rc = run_in_transaction(s->drv, s->readers[slot], s->drv->begin_read_sql, fn,
				    arg, err);

	pthread_mutex_lock(&s->lock);
	s->reader_busy[slot] = false;
	pthread_cond_signal(&s->reader_free);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int ping_fn(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	return tx->drv->exec(tx->conn, "SELECT 1", err);
}

int tl_store_ping(tl_store *s, tl_error *err)
{
	return tl_store_read(s, ping_fn, NULL, err);
}

void tl_store_get_stats(tl_store *s, tl_store_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->lock);
}

/* ---- open and close ------------------------------------------------------- */

static void close_connections(tl_store *s)
{
	for (size_t i = 0; i < TL_STORE_READERS; i++)
		if (s->readers[i])
			s->drv->disconnect(s->readers[i]);
	if (s->writer_conn)
		s->drv->disconnect(s->writer_conn);
}

int tl_store_open(tl_store **out, const char *url, tl_error *err)
{
	tl_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	s->drv = &tl_store_sqlite_driver;
	s->url = strdup(url);
	int rc = s->url ? s->drv->connect(&s->writer_conn, url, err)
			: tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	if (rc == 0)
		rc = s->drv->migrate(s->writer_conn, err);
	for (size_t i = 0; rc == 0 && i < TL_STORE_READERS; i++)
		rc = s->drv->connect(&s->readers[i], url, err);
	if (rc < 0) {
		close_connections(s);
		free(s->url);
		free(s);
		return rc;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->job_ready, NULL);
	pthread_cond_init(&s->queue_space, NULL);
	pthread_cond_init(&s->reader_free, NULL);
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
		close_connections(s);
		free(s->url);
		free(s);
		return tl_error_set(err, TL_EINTERNAL, NULL, "cannot start the writer thread");
	}
	*out = s;
	return 0;
}

void tl_store_close(tl_store *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->job_ready);
	pthread_cond_broadcast(&s->queue_space);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->writer, NULL);
	close_connections(s);
	pthread_cond_destroy(&s->job_ready);
	pthread_cond_destroy(&s->queue_space);
	pthread_cond_destroy(&s->reader_free);
	pthread_mutex_destroy(&s->lock);
	free(s->url);
	free(s);
}

int tl_store_backup(tl_store *s, const char *dest_path, tl_backup_result *out, tl_error *err)
{
	*out = (tl_backup_result){0};
	return s->drv->backup(s->url, dest_path, out, err);
}

int tl_store_restore(const char *backup_path, const char *db_url, tl_error *err)
{
	return tl_store_sqlite_driver.restore(backup_path, db_url, err);
}

/* ---- data: one line each, to the driver ----------------------------------- */

int tl_store_meta_get(tl_tx *tx, const char *key, char *out, size_t out_size, tl_error *err)
{
	return tx->drv->meta_get(tx->conn, key, out, out_size, err);
}
int tl_store_meta_put(tl_tx *tx, const char *key, const char *value, tl_error *err)
{
	return tx->drv->meta_put(tx->conn, key, value, err);
}
int tl_store_account_insert(tl_tx *tx, const tl_account *a, tl_error *err)
{
	return tx->drv->account_insert(tx->conn, a, err);
}
int tl_store_account_get(tl_tx *tx, const char *id, tl_account *out, tl_error *err)
{
	return tx->drv->account_get(tx->conn, id, out, err);
}
int tl_store_account_set_type(tl_tx *tx, const char *id, const char *type, tl_error *err)
{
	return tx->drv->account_set_type(tx->conn, id, type, err);
}
int tl_store_account_list(tl_tx *tx, const tl_page *page, tl_account *out, size_t *count,
			  tl_error *err)
{
	return tx->drv->account_list(tx->conn, page, out, count, err);
}
int tl_store_token_insert(tl_tx *tx, const tl_token *t, tl_error *err)
{
	return tx->drv->token_insert(tx->conn, t, err);
}
int tl_store_token_get(tl_tx *tx, const char *id, tl_token *out, tl_error *err)
{
	return tx->drv->token_get(tx->conn, id, out, err);
}
int tl_store_event_insert(tl_tx *tx, const tl_event *e, tl_error *err)
{
	return tx->drv->event_insert(tx->conn, e, err);
}
int tl_store_event_list(tl_tx *tx, const char *account_id, const tl_page *page,
			tl_event *out, size_t *count, tl_error *err)
{
	return tx->drv->event_list(tx->conn, account_id, page, out, count, err);
}
int tl_store_idem_get(tl_tx *tx, const char *scope, const char *key, tl_idem_record *out,
		      tl_error *err)
{
	return tx->drv->idem_get(tx->conn, scope, key, out, err);
}
int tl_store_idem_put(tl_tx *tx, const tl_idem_record *r, tl_error *err)
{
	return tx->drv->idem_put(tx->conn, r, err);
}
int tl_store_idem_purge(tl_tx *tx, int64_t before, size_t max, size_t *deleted,
			tl_error *err)
{
	return tx->drv->idem_purge(tx->conn, before, max, deleted, err);
}
int tl_store_job_run_count(tl_tx *tx, const char *job, const char *period, int64_t *out,
			   tl_error *err)
{
	return tx->drv->job_run_count(tx->conn, job, period, out, err);
}

int tl_store_ledger_account_insert(tl_tx *tx, const tl_ledger_account *a, bool if_absent,
				   tl_error *err)
{
	return tx->drv->ledger_account_insert(tx->conn, a, if_absent, err);
}
int tl_store_ledger_account_get(tl_tx *tx, const char *id, tl_ledger_account *out,
				tl_error *err)
{
	return tx->drv->ledger_account_get(tx->conn, id, out, err);
}
int tl_store_ledger_account_list(tl_tx *tx, const char *account_id, tl_ledger_account *out,
				 size_t max, size_t *count, tl_error *err)
{
	return tx->drv->ledger_account_list(tx->conn, account_id, NULL, out, max, count, err);
}
int tl_store_ledger_account_list_after(tl_tx *tx, const char *account_id, const char *after,
				       tl_ledger_account *out, size_t max, size_t *count,
				       tl_error *err)
{
	return tx->drv->ledger_account_list(tx->conn, account_id, after, out, max, count, err);
}
int tl_store_ledger_account_set_expiry(tl_tx *tx, const char *id, int64_t expires_at,
				       tl_error *err)
{
	return tx->drv->ledger_account_set_expiry(tx->conn, id, expires_at, err);
}
int tl_store_ledger_account_save(tl_tx *tx, const tl_ledger_account *a, tl_error *err)
{
	return tx->drv->ledger_account_save(tx->conn, a, err);
}
int tl_store_transfer_insert(tl_tx *tx, const tl_transfer *t, tl_error *err)
{
	return tx->drv->transfer_insert(tx->conn, t, err);
}
int tl_store_transfer_get(tl_tx *tx, const char *id, tl_transfer *out, tl_error *err)
{
	return tx->drv->transfer_get(tx->conn, id, out, err);
}
int tl_store_transfer_save_state(tl_tx *tx, const tl_transfer *t, tl_error *err)
{
	return tx->drv->transfer_save_state(tx->conn, t, err);
}
int tl_store_transfer_list(tl_tx *tx, const char *ledger_account, bool holds_only,
			   const tl_page *page, tl_transfer *out, size_t *count, tl_error *err)
{
	return tx->drv->transfer_list(tx->conn, ledger_account, holds_only, page, out, count,
				      err);
}
int tl_store_transfer_list_due(tl_tx *tx, int64_t now, tl_transfer *out, size_t max,
			       size_t *count, tl_error *err)
{
	return tx->drv->transfer_list_due(tx->conn, now, out, max, count, err);
}
int tl_store_ledger_totals(tl_tx *tx, tl_ledger_totals *out, tl_error *err)
{
	return tx->drv->ledger_totals(tx->conn, out, err);
}

int tl_store_job_run_claim(tl_tx *tx, const char *job, const char *subject, const char *period,
			   int64_t now, tl_error *err)
{
	return tx->drv->job_run_claim(tx->conn, job, subject, period, now, err);
}
int tl_store_job_run_exists(tl_tx *tx, const char *job, const char *subject, const char *period,
			    tl_error *err)
{
	return tx->drv->job_run_exists(tx->conn, job, subject, period, err);
}
int tl_store_job_failure_get(tl_tx *tx, const char *job, const char *subject,
			     tl_job_failure *out, tl_error *err)
{
	return tx->drv->job_failure_get(tx->conn, job, subject, out, err);
}
int tl_store_job_failure_put(tl_tx *tx, const tl_job_failure *f, tl_error *err)
{
	return tx->drv->job_failure_put(tx->conn, f, err);
}
int tl_store_job_failure_clear(tl_tx *tx, const char *job, const char *subject,
			       tl_error *err)
{
	return tx->drv->job_failure_clear(tx->conn, job, subject, err);
}
int tl_store_job_failure_list(tl_tx *tx, const char *job, const tl_page *page,
			      tl_job_failure *out, size_t *count, tl_error *err)
{
	return tx->drv->job_failure_list(tx->conn, job, page, out, count, err);
}
int tl_store_job_failure_counts(tl_tx *tx, tl_job_failure_count *out, size_t max,
				size_t *count, tl_error *err)
{
	return tx->drv->job_failure_counts(tx->conn, out, max, count, err);
}
int tl_store_postpaid_unrated_since(tl_tx *tx, const char *account_id, int64_t *out,
				    tl_error *err)
{
	return tx->drv->postpaid_unrated_since(tx->conn, account_id, out, err);
}
int tl_store_poc_wallets_due(tl_tx *tx, int64_t before, tl_ledger_account *out, size_t max,
			     size_t *count, tl_error *err)
{
	return tx->drv->poc_wallets_due(tx->conn, before, out, max, count, err);
}
int tl_store_poc_wallet_next_step(tl_tx *tx, const char *id, int64_t at, tl_error *err)
{
	return tx->drv->poc_wallet_next_step(tx->conn, id, at, err);
}
int tl_store_resource_next_step(tl_tx *tx, const char *id, int64_t at, tl_error *err)
{
	return tx->drv->resource_next_step(tx->conn, id, at, err);
}
int tl_store_resources_term_due(tl_tx *tx, int64_t before, tl_resource *out, size_t max,
				size_t *count, tl_error *err)
{
	return tx->drv->resources_term_due(tx->conn, before, out, max, count, err);
}
int tl_store_postpaid_accounts(tl_tx *tx, int64_t before, const char *job, const char *period,
			       int64_t now, char (*out)[TL_ID_MAX], size_t max, size_t *count,
			       tl_error *err)
{
	return tx->drv->postpaid_accounts(tx->conn, before, job, period, now, out, max, count, err);
}
int tl_store_postpaid_resources(tl_tx *tx, const char *account_id, tl_resource *out, size_t max,
				size_t *count, tl_error *err)
{
	return tx->drv->postpaid_resources(tx->conn, account_id, NULL, out, max, count, err);
}
int tl_store_postpaid_resources_after(tl_tx *tx, const char *account_id, const char *after,
				      tl_resource *out, size_t max, size_t *count, tl_error *err)
{
	return tx->drv->postpaid_resources(tx->conn, account_id, after, out, max, count, err);
}
int tl_store_resources_of_wallet(tl_tx *tx, const char *wallet_id, tl_resource *out, size_t max,
				 size_t *count, tl_error *err)
{
	return tx->drv->resources_of_wallet(tx->conn, wallet_id, NULL, out, max, count, err);
}
int tl_store_resources_of_wallet_after(tl_tx *tx, const char *wallet_id, const char *after,
				       tl_resource *out, size_t max, size_t *count, tl_error *err)
{
	return tx->drv->resources_of_wallet(tx->conn, wallet_id, after, out, max, count, err);
}

int tl_store_resource_insert(tl_tx *tx, const tl_resource *r, tl_error *err)
{
	return tx->drv->resource_insert(tx->conn, r, err);
}
int tl_store_resource_update(tl_tx *tx, const tl_resource *r, tl_error *err)
{
	return tx->drv->resource_update(tx->conn, r, err);
}
int tl_store_resource_get(tl_tx *tx, const char *id, tl_resource *out, tl_error *err)
{
	return tx->drv->resource_get(tx->conn, id, out, err);
}
int tl_store_resource_list(tl_tx *tx, const tl_resource_query *q, const tl_page *page,
			   tl_resource *out, size_t *count, tl_error *err)
{
	return tx->drv->resource_list(tx->conn, q, page, out, count, err);
}
int tl_store_resource_members(tl_tx *tx, const char *cluster_id, tl_resource *out, size_t max,
			      size_t *count, tl_error *err)
{
	return tx->drv->resource_members(tx->conn, cluster_id, NULL, out, max, count, err);
}
int tl_store_resource_members_after(tl_tx *tx, const char *cluster_id, const char *after,
				    tl_resource *out, size_t max, size_t *count, tl_error *err)
{
	return tx->drv->resource_members(tx->conn, cluster_id, after, out, max, count, err);
}
int tl_store_resource_list_poc(tl_tx *tx, int64_t before, int64_t now, tl_resource *out,
			       size_t max, size_t *count, tl_error *err)
{
	return tx->drv->resource_list_poc(tx->conn, before, now, out, max, count, err);
}

int tl_store_counter_next(tl_tx *tx, const char *name, int64_t *out, tl_error *err)
{
	return tx->drv->counter_next(tx->conn, name, out, err);
}

/* Metered usage. */
int tl_store_resource_seq(tl_tx *tx, const char *resource_id, int64_t *seq, tl_error *err)
{
	return tx->drv->resource_seq(tx->conn, resource_id, seq, err);
}
int tl_store_usage_insert(tl_tx *tx, const tl_usage_row *rows, size_t n, bool *fresh,
			  tl_error *err)
{
	return tx->drv->usage_insert(tx->conn, rows, n, fresh, err);
}
int tl_store_usage_months_add(tl_tx *tx, const tl_usage_month *months, size_t n,
			      tl_error *err)
{
	return tx->drv->usage_months_add(tx->conn, months, n, err);
}
int tl_store_usage_sum(tl_tx *tx, int64_t resource_seq, int64_t from, int64_t to,
		       tl_usage_total *out, tl_error *err)
{
	return tx->drv->usage_sum(tx->conn, resource_seq, from, to, out, err);
}
int tl_store_usage_months_sum(tl_tx *tx, int64_t resource_seq, int64_t from, int64_t to,
			      tl_usage_total *out, tl_error *err)
{
	return tx->drv->usage_months_sum(tx->conn, resource_seq, from, to, out, err);
}

void tl_event_free_fields(tl_event *e)
{
	free(e->before);
	free(e->after);
	e->before = e->after = NULL;
}

/* Gateway transactions and suspensions (issue 16). */
int tl_store_gateway_txn_insert(tl_tx *tx, const tl_gateway_txn *t, tl_error *err)
{
	return tx->drv->gateway_txn_insert(tx->conn, t, err);
}
int tl_store_gateway_txn_update(tl_tx *tx, const tl_gateway_txn *t, tl_error *err)
{
	return tx->drv->gateway_txn_update(tx->conn, t, err);
}
int tl_store_gateway_txn_get(tl_tx *tx, const char *txn_id, tl_gateway_txn *out,
			     tl_error *err)
{
	return tx->drv->gateway_txn_get(tx->conn, txn_id, out, err);
}
int tl_store_gateway_txn_count_of_checkout(tl_tx *tx, const char *checkout_id, int64_t *out,
					   tl_error *err)
{
	return tx->drv->gateway_txn_count_of_checkout(tx->conn, checkout_id, out, err);
}
int tl_store_gateway_top_ups_pending(tl_tx *tx, const char *account_id, int64_t *out,
				     tl_error *err)
{
	return tx->drv->gateway_top_ups_pending(tx->conn, account_id, out, err);
}
int tl_store_suspension_insert(tl_tx *tx, const tl_suspension *s, tl_error *err)
{
	return tx->drv->suspension_insert(tx->conn, s, err);
}
int tl_store_suspension_close(tl_tx *tx, const char *resource_id, int64_t end_at,
			      tl_error *err)
{
	return tx->drv->suspension_close(tx->conn, resource_id, end_at, err);
}
int tl_store_suspensions_overlapping(tl_tx *tx, const char *resource_id, int64_t from,
				     int64_t to, int64_t after_seq, tl_suspension *out,
				     size_t max, size_t *count, tl_error *err)
{
	return tx->drv->suspensions_overlapping(tx->conn, resource_id, from, to, after_seq, out,
						max, count, err);
}

/* ---- invoices and payments ---- */
int tl_store_invoice_insert(tl_tx *tx, const tl_invoice *inv, tl_error *err)
{
	return tx->drv->invoice_insert(tx->conn, inv, err);
}
int tl_store_invoice_update(tl_tx *tx, const tl_invoice *inv, tl_error *err)
{
	return tx->drv->invoice_update(tx->conn, inv, err);
}
int tl_store_invoice_get(tl_tx *tx, const char *id, tl_invoice *out, tl_error *err)
{
	return tx->drv->invoice_get(tx->conn, id, out, err);
}
int tl_store_invoice_list(tl_tx *tx, const tl_invoice_query *q, const tl_page *page,
			  tl_invoice *out, size_t *count, tl_error *err)
{
	return tx->drv->invoice_list(tx->conn, q, page, out, count, err);
}
int tl_store_invoices_payable(tl_tx *tx, const char *status, int64_t now, tl_invoice *out,
			      size_t max, size_t *count, tl_error *err)
{
	return tx->drv->invoices_payable(tx->conn, status, now, out, max, count, err);
}
int tl_store_invoices_open_count(tl_tx *tx, const char *account_id, int64_t *out,
				 tl_error *err)
{
	return tx->drv->invoices_open_count(tx->conn, account_id, out, err);
}
int tl_store_payment_insert(tl_tx *tx, const tl_payment *p, tl_error *err)
{
	return tx->drv->payment_insert(tx->conn, p, err);
}
int tl_store_payment_get(tl_tx *tx, const char *id, tl_payment *out, tl_error *err)
{
	return tx->drv->payment_get(tx->conn, id, out, err);
}
int tl_store_payment_list(tl_tx *tx, const char *account_id, const tl_page *page,
			  tl_payment *out, size_t *count, tl_error *err)
{
	return tx->drv->payment_list(tx->conn, account_id, page, out, count, err);
}
int tl_store_payment_count(tl_tx *tx, const char *account_id, int64_t *out, tl_error *err)
{
	return tx->drv->payment_count(tx->conn, account_id, out, err);
}

/* ---- checkouts and coupons ------------------------------------------------- */

int tl_store_checkout_insert(tl_tx *tx, const tl_checkout *c, int64_t now, tl_error *err)
{
	return tx->drv->checkout_insert(tx->conn, c, now, err);
}
int tl_store_checkout_update(tl_tx *tx, const tl_checkout *c, int64_t now, tl_error *err)
{
	return tx->drv->checkout_update(tx->conn, c, now, err);
}
int tl_store_checkout_get(tl_tx *tx, const char *id, tl_checkout *out, tl_error *err)
{
	return tx->drv->checkout_get(tx->conn, id, out, err);
}
int tl_store_checkouts_due(tl_tx *tx, int64_t now, tl_checkout_due *out, size_t max,
			   size_t *count, tl_error *err)
{
	return tx->drv->checkouts_due(tx->conn, now, out, max, count, err);
}
int tl_store_coupon_insert(tl_tx *tx, const tl_coupon *c, int64_t now, tl_error *err)
{
	return tx->drv->coupon_insert(tx->conn, c, now, err);
}
int tl_store_coupon_update(tl_tx *tx, const tl_coupon *c, int64_t now, tl_error *err)
{
	return tx->drv->coupon_update(tx->conn, c, now, err);
}
int tl_store_coupon_get(tl_tx *tx, const char *id, tl_coupon *out, tl_error *err)
{
	return tx->drv->coupon_get(tx->conn, id, out, err);
}
int tl_store_coupon_get_by_code(tl_tx *tx, const char *code, tl_coupon *out, tl_error *err)
{
	return tx->drv->coupon_get_by_code(tx->conn, code, out, err);
}
int tl_store_coupon_list(tl_tx *tx, const tl_page *page, tl_coupon *out, size_t *count,
			 tl_error *err)
{
	return tx->drv->coupon_list(tx->conn, page, out, count, err);
}
int tl_store_coupon_redemption_insert(tl_tx *tx, const char *id, const char *coupon_id,
				      const char *account_id, const char *checkout_id,
				      int64_t now, tl_error *err)
{
	return tx->drv->coupon_redemption_insert(tx->conn, id, coupon_id, account_id, checkout_id,
						 now, err);
}
int tl_store_coupon_redemptions_count(tl_tx *tx, const char *coupon_id,
				      const char *account_id, int64_t *out, tl_error *err)
{
	return tx->drv->coupon_redemptions_count(tx->conn, coupon_id, account_id, out, err);
}

/* ---- webhooks (issue 18) ---- */
int tl_store_webhook_endpoint_insert(tl_tx *tx, const tl_webhook_endpoint *e, tl_error *err)
{
	return tx->drv->webhook_endpoint_insert(tx->conn, e, err);
}
int tl_store_webhook_endpoint_get(tl_tx *tx, const char *id, tl_webhook_endpoint *out,
				  tl_error *err)
{
	return tx->drv->webhook_endpoint_get(tx->conn, id, out, err);
}
int tl_store_webhook_endpoint_list(tl_tx *tx, const tl_page *page, tl_webhook_endpoint *out,
				   size_t *count, tl_error *err)
{
	return tx->drv->webhook_endpoint_list(tx->conn, page, out, count, err);
}
int tl_store_webhook_endpoint_update(tl_tx *tx, const tl_webhook_endpoint *e, tl_error *err)
{
	return tx->drv->webhook_endpoint_update(tx->conn, e, err);
}
int tl_store_webhook_endpoint_delete(tl_tx *tx, const char *id, tl_error *err)
{
	return tx->drv->webhook_endpoint_delete(tx->conn, id, err);
}
int tl_store_webhook_event_insert(tl_tx *tx, const tl_webhook_event *e, tl_error *err)
{
	return tx->drv->webhook_event_insert(tx->conn, e, err);
}
int tl_store_webhook_event_list(tl_tx *tx, const char *type, const tl_page *page,
				tl_webhook_event *out, size_t *count, tl_error *err)
{
	return tx->drv->webhook_event_list(tx->conn, type, page, out, count, err);
}
int tl_store_webhook_event_get(tl_tx *tx, int64_t seq, tl_webhook_event *out, tl_error *err)
{
	return tx->drv->webhook_event_get(tx->conn, seq, out, err);
}
int tl_store_webhook_delivery_list(tl_tx *tx, const char *endpoint_id, const tl_page *page,
				   tl_webhook_delivery *out, size_t *count, tl_error *err)
{
	return tx->drv->webhook_delivery_list(tx->conn, endpoint_id, page, out, count, err);
}
int tl_store_webhook_delivery_get(tl_tx *tx, const char *id, tl_webhook_delivery *out,
				  tl_error *err)
{
	return tx->drv->webhook_delivery_get(tx->conn, id, out, err);
}
int tl_store_webhook_delivery_due(tl_tx *tx, int64_t now, tl_webhook_delivery *out, size_t max,
				  size_t *count, tl_error *err)
{
	return tx->drv->webhook_delivery_due(tx->conn, now, out, max, count, err);
}
int tl_store_webhook_delivery_next_at(tl_tx *tx, int64_t *out, tl_error *err)
{
	return tx->drv->webhook_delivery_next_at(tx->conn, out, err);
}
int tl_store_webhook_delivery_save(tl_tx *tx, const tl_webhook_delivery *d, tl_error *err)
{
	return tx->drv->webhook_delivery_save(tx->conn, d, err);
}
int tl_store_webhook_stats(tl_tx *tx, tl_webhook_stats *out, tl_error *err)
{
	return tx->drv->webhook_stats(tx->conn, out, err);
}
int tl_store_webhook_purge(tl_tx *tx, int64_t before, size_t max, size_t *deleted,
			   tl_error *err)
{
	return tx->drv->webhook_purge(tx->conn, before, max, deleted, err);
}
void tl_webhook_event_free_fields(tl_webhook_event *e)
{
	free(e->data);
	e->data = NULL;
}
