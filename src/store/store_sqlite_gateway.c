/*
 * store_sqlite_gateway.c: the gateway_transactions and suspensions tables
 * of the SQLite driver (migration 013; docs/ARCHITECTURE.md, "Schema").
 * Empty texts of the C types are NULL columns.
 */
#include "store/store_sqlite_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* ---- gateway_transactions ---------------------------------------------------- */

#define TXN_COLUMNS                                                                            \
	"id, gateway, txn_id, purpose, coalesce(checkout_id, ''), account_id, amount, currency," \
	" status, coalesce(result, ''), coalesce(top_up_transfer_id, ''),"                      \
	" coalesce(payment_id, ''), coalesce(gateway_ref, ''), coalesce(bank_code, ''),"        \
	" coalesce(reason, ''), coalesce(reason_message, ''), coalesce(notified_at, 0),"        \
	" created_at, updated_at"

static void read_txn(sqlite3_stmt *st, tl_gateway_txn *t)
{
	memset(t, 0, sizeof(*t));
	tl_sqlite_copy_text(t->id, sizeof(t->id), st, 0);
	tl_sqlite_copy_text(t->gateway, sizeof(t->gateway), st, 1);
	tl_sqlite_copy_text(t->txn_id, sizeof(t->txn_id), st, 2);
	tl_sqlite_copy_text(t->purpose, sizeof(t->purpose), st, 3);
	tl_sqlite_copy_text(t->checkout_id, sizeof(t->checkout_id), st, 4);
	tl_sqlite_copy_text(t->account_id, sizeof(t->account_id), st, 5);
	t->amount = sqlite3_column_int64(st, 6);
	tl_sqlite_copy_text(t->currency, sizeof(t->currency), st, 7);
	tl_sqlite_copy_text(t->status, sizeof(t->status), st, 8);
	tl_sqlite_copy_text(t->result, sizeof(t->result), st, 9);
	tl_sqlite_copy_text(t->top_up_transfer_id, sizeof(t->top_up_transfer_id), st, 10);
	tl_sqlite_copy_text(t->payment_id, sizeof(t->payment_id), st, 11);
	tl_sqlite_copy_text(t->gateway_ref, sizeof(t->gateway_ref), st, 12);
	tl_sqlite_copy_text(t->bank_code, sizeof(t->bank_code), st, 13);
	tl_sqlite_copy_text(t->reason, sizeof(t->reason), st, 14);
	tl_sqlite_copy_text(t->reason_message, sizeof(t->reason_message), st, 15);
	t->notified_at = sqlite3_column_int64(st, 16);
	t->created_at = sqlite3_column_int64(st, 17);
	t->updated_at = sqlite3_column_int64(st, 18);
}

/* Binds text, or NULL when empty. */
static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v[0])
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Binds what a notification sets, from ?2 on (?1 is the id). */
static void bind_outcome(sqlite3_stmt *st, const tl_gateway_txn *t)
{
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->status, -1, SQLITE_STATIC);
	bind_opt(st, 3, t->result);
	bind_opt(st, 4, t->top_up_transfer_id);
	bind_opt(st, 5, t->payment_id);
	bind_opt(st, 6, t->gateway_ref);
	bind_opt(st, 7, t->bank_code);
	bind_opt(st, 8, t->reason);
	if (t->reason[0])
		sqlite3_bind_text(st, 9, t->reason_message, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	if (t->notified_at)
		sqlite3_bind_int64(st, 10, t->notified_at);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_int64(st, 11, t->updated_at);
}

int tl_sqlite_gateway_txn_insert(void *conn, const tl_gateway_txn *t, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c,
		"INSERT INTO gateway_transactions (id, status, result, top_up_transfer_id,"
		" payment_id, gateway_ref, bank_code, reason, reason_message, notified_at,"
		" updated_at, gateway, txn_id, purpose, checkout_id, account_id, amount, currency,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
		" ?15, ?16, ?17, ?18, ?19)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "gateway transaction");
	bind_outcome(st, t);
	sqlite3_bind_text(st, 12, t->gateway, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, t->txn_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, t->purpose, -1, SQLITE_STATIC);
	bind_opt(st, 15, t->checkout_id);
	sqlite3_bind_text(st, 16, t->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 17, t->amount);
	sqlite3_bind_text(st, 18, t->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 19, t->created_at);
	return tl_sqlite_step_done(c, st, err, "gateway transaction");
}

int tl_sqlite_gateway_txn_update(void *conn, const tl_gateway_txn *t, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c,
		"UPDATE gateway_transactions SET status = ?2, result = ?3, top_up_transfer_id = ?4,"
		" payment_id = ?5, gateway_ref = ?6, bank_code = ?7, reason = ?8,"
		" reason_message = ?9, notified_at = ?10, updated_at = ?11 WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "gateway transaction");
	bind_outcome(st, t);
	int rc = tl_sqlite_step_done(c, st, err, "gateway transaction");
	if (rc == 0 && sqlite3_changes(c->db) != 1)
		return tl_error_set(err, TL_ENOTFOUND, NULL, "no gateway transaction %.40s", t->id);
	return rc;
}

int tl_sqlite_gateway_txn_get(void *conn, const char *txn_id, tl_gateway_txn *out,
			      tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " TXN_COLUMNS " FROM gateway_transactions"
					     " WHERE txn_id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "gateway transaction");
	sqlite3_bind_text(st, 1, txn_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_txn(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, NULL, "no gateway transaction %.60s",
				    txn_id);
	return tl_sqlite_error(c, err, "gateway transaction");
}

/* Runs a SELECT count(*) with one text parameter. */
static int count_of(sqlite_conn *c, sqlite3_stmt *st, const char *arg, int64_t *out,
		    tl_error *err)
{
	if (st == NULL)
		return tl_sqlite_error(c, err, "gateway transactions");
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "gateway transactions");
}

int tl_sqlite_gateway_txn_count_of_checkout(void *conn, const char *checkout_id, int64_t *out,
					    tl_error *err)
{
	sqlite_conn *c = conn;
	return count_of(c, tl_sqlite_stmt(c, "SELECT count(*) FROM gateway_transactions"
					     " WHERE checkout_id = ?1 AND checkout_id IS NOT NULL"),
			checkout_id, out, err);
}

int tl_sqlite_gateway_top_ups_pending(void *conn, const char *account_id, int64_t *out,
				      tl_error *err)
{
	sqlite_conn *c = conn;
	return count_of(c, tl_sqlite_stmt(c, "SELECT count(*) FROM gateway_transactions"
					     " WHERE account_id = ?1 AND purpose = 'top_up'"
					     " AND status = 'started'"),
			account_id, out, err);
}

/* ---- suspensions ------------------------------------------------------------- */

int tl_sqlite_suspension_insert(void *conn, const tl_suspension *s, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c,
		"INSERT INTO suspensions (id, account_id, resource_id, status, start_at, end_at,"
		" created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "suspension");
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->resource_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, s->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, s->start_at);
	if (strcmp(s->status, "open") == 0)
		sqlite3_bind_null(st, 6);
	else
		sqlite3_bind_int64(st, 6, s->end_at);
	sqlite3_bind_int64(st, 7, s->created_at);
	sqlite3_bind_int64(st, 8, s->updated_at);
	return tl_sqlite_step_done(c, st, err, "suspension");
}

int tl_sqlite_suspension_close(void *conn, const char *resource_id, int64_t end_at,
			       tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c,
		"UPDATE suspensions SET status = 'closed', end_at = ?2, updated_at = ?2"
		" WHERE seq = (SELECT seq FROM suspensions WHERE resource_id = ?1"
		" AND status = 'open' ORDER BY seq DESC LIMIT 1)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "suspension");
	sqlite3_bind_text(st, 1, resource_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, end_at);
	int rc = tl_sqlite_step_done(c, st, err, "suspension");
	return rc < 0 ? rc : sqlite3_changes(c->db) == 1;
}

int tl_sqlite_suspensions_overlapping(void *conn, const char *resource_id, int64_t from,
				      int64_t to, int64_t after_seq, tl_suspension *out,
				      size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c,
		"SELECT seq, id, account_id, resource_id, status, start_at, coalesce(end_at, 0),"
		" created_at, updated_at FROM suspensions WHERE resource_id = ?1 AND seq > ?4"
		" AND start_at < ?3 AND (end_at IS NULL OR end_at > ?2) ORDER BY seq LIMIT ?5");
	if (st == NULL)
		return tl_sqlite_error(c, err, "suspensions");
	sqlite3_bind_text(st, 1, resource_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	sqlite3_bind_int64(st, 4, after_seq);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)max);
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_suspension *s = &out[n++];
		memset(s, 0, sizeof(*s));
		s->seq = sqlite3_column_int64(st, 0);
		tl_sqlite_copy_text(s->id, sizeof(s->id), st, 1);
		tl_sqlite_copy_text(s->account_id, sizeof(s->account_id), st, 2);
		tl_sqlite_copy_text(s->resource_id, sizeof(s->resource_id), st, 3);
		tl_sqlite_copy_text(s->status, sizeof(s->status), st, 4);
		s->start_at = sqlite3_column_int64(st, 5);
		s->end_at = sqlite3_column_int64(st, 6);
		s->created_at = sqlite3_column_int64(st, 7);
		s->updated_at = sqlite3_column_int64(st, 8);
	}
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "suspensions");
}
