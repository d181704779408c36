/* store_sqlite_ledger.c: the ledger's tables in the SQLite driver: ledger
 * accounts with their running sums, and transfers. */
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <string.h>

#define LA_COLUMNS "id, account_id, kind, currency, flags, expires_at, cluster_id," \
	" posted_debits, posted_credits, pending_debits, pending_credits, created_at"

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static void read_ledger_account(sqlite3_stmt *st, tl_ledger_account *a)
{
	tl_sqlite_copy_text(a->id, sizeof(a->id), st, 0);
	tl_sqlite_copy_text(a->account_id, sizeof(a->account_id), st, 1);
	tl_sqlite_copy_text(a->kind, sizeof(a->kind), st, 2);
	tl_sqlite_copy_text(a->currency, sizeof(a->currency), st, 3);
	a->flags = (uint32_t)sqlite3_column_int64(st, 4);
	a->expires_at = sqlite3_column_int64(st, 5);
	tl_sqlite_copy_text(a->cluster_id, sizeof(a->cluster_id), st, 6);
	a->posted_debits = sqlite3_column_int64(st, 7);
	a->posted_credits = sqlite3_column_int64(st, 8);
	a->pending_debits = sqlite3_column_int64(st, 9);
	a->pending_credits = sqlite3_column_int64(st, 10);
	a->created_at = sqlite3_column_int64(st, 11);
}

int tl_sqlite_ledger_account_insert(void *conn, const tl_ledger_account *a, bool if_absent,
				    tl_error *err)
{
	sqlite_conn *c = conn;
	static const char insert[] = "INSERT INTO ledger_accounts (" LA_COLUMNS ") VALUES"
				     " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	static const char insert_if_absent[] = "INSERT INTO ledger_accounts (" LA_COLUMNS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
		" ON CONFLICT (id) DO NOTHING";
	sqlite3_stmt *st = tl_sqlite_stmt(c, if_absent ? insert_if_absent : insert);
	if (st == NULL)
		return tl_sqlite_error(c, err, "ledger account");
	sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
	bind_text_or_null(st, 2, a->account_id);
	sqlite3_bind_text(st, 3, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, a->flags);
	sqlite3_bind_int64(st, 6, a->expires_at);
	bind_text_or_null(st, 7, a->cluster_id);
	sqlite3_bind_int64(st, 8, a->posted_debits);
	sqlite3_bind_int64(st, 9, a->posted_credits);
	sqlite3_bind_int64(st, 10, a->pending_debits);
	sqlite3_bind_int64(st, 11, a->pending_credits);
	sqlite3_bind_int64(st, 12, a->created_at);
	return tl_sqlite_step_done(c, st, err, "ledger account");
}

int tl_sqlite_ledger_account_get(void *conn, const char *id, tl_ledger_account *out,
				 tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " LA_COLUMNS " FROM ledger_accounts"
					     " WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "ledger account");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_ledger_account(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "ledger_account_not_found",
				    "no ledger account %.64s", id);
	return tl_sqlite_error(c, err, "ledger account");
}

int tl_sqlite_ledger_account_list(void *conn, const char *account_id, const char *after,
				  tl_ledger_account *out, size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " LA_COLUMNS " FROM ledger_accounts"
		" WHERE account_id IS ?1"
		" AND (?2 IS NULL OR seq > (SELECT seq FROM ledger_accounts WHERE id = ?2))"
		" ORDER BY seq");
	if (st == NULL)
		return tl_sqlite_error(c, err, "ledger accounts");
	bind_text_or_null(st, 1, account_id);
	bind_text_or_null(st, 2, after);
	size_t n = 0;
	int rc;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_ledger_account(st, &out[n++]);
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "ledger accounts");
}

int tl_sqlite_ledger_account_set_expiry(void *conn, const char *id, int64_t expires_at,
					tl_error *err)
{
	sqlite_conn *c = conn;
	/* a new expiry has new steps: due at once, the sweep schedules them */
	sqlite3_stmt *st = tl_sqlite_stmt(c, "UPDATE ledger_accounts SET expires_at = ?2,"
					     " next_step_at = 0 WHERE id = ?1 AND kind = 'poc'");
	if (st == NULL)
		return tl_sqlite_error(c, err, "ledger account");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, expires_at);
	int rc = tl_sqlite_step_done(c, st, err, "ledger account");
	if (rc == 0 && sqlite3_changes(c->db) != 1)
		return tl_error_set(err, TL_ENOTFOUND, "poc_wallet_not_found", "no POC wallet %.40s",
				    id);
	return rc;
}

int tl_sqlite_ledger_account_save(void *conn, const tl_ledger_account *a, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "UPDATE ledger_accounts SET posted_debits = ?2,"
		" posted_credits = ?3, pending_debits = ?4, pending_credits = ?5 WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "ledger account");
	sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->posted_debits);
	sqlite3_bind_int64(st, 3, a->posted_credits);
	sqlite3_bind_int64(st, 4, a->pending_debits);
	sqlite3_bind_int64(st, 5, a->pending_credits);
	int rc = tl_sqlite_step_done(c, st, err, "ledger account");
	if (rc == 0 && sqlite3_changes(c->db) != 1)
		return tl_error_set(err, TL_EINTERNAL, "store_error",
				    "ledger account %.64s vanished", a->id);
	return rc;
}

#define TRANSFER_COLUMNS "id, debit_account, credit_account, amount, code, reference, kind," \
	" pending_id, expires_at, state, resolved_amount, created_at"

static void read_transfer(sqlite3_stmt *st, tl_transfer *t)
{
	tl_sqlite_copy_text(t->id, sizeof(t->id), st, 0);
	tl_sqlite_copy_text(t->debit_account, sizeof(t->debit_account), st, 1);
	tl_sqlite_copy_text(t->credit_account, sizeof(t->credit_account), st, 2);
	t->amount = sqlite3_column_int64(st, 3);
	tl_sqlite_copy_text(t->code, sizeof(t->code), st, 4);
	tl_sqlite_copy_text(t->reference, sizeof(t->reference), st, 5);
	t->kind = (tl_transfer_kind)sqlite3_column_int(st, 6);
	tl_sqlite_copy_text(t->pending_id, sizeof(t->pending_id), st, 7);
	t->expires_at = sqlite3_column_int64(st, 8);
	tl_sqlite_copy_text(t->state, sizeof(t->state), st, 9);
	t->resolved_amount = sqlite3_column_int64(st, 10);
	t->created_at = sqlite3_column_int64(st, 11);
}

int tl_sqlite_transfer_insert(void *conn, const tl_transfer *t, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO transfers (" TRANSFER_COLUMNS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "transfer");
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->debit_account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->credit_account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, t->amount);
	sqlite3_bind_text(st, 5, t->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, t->reference, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, (int)t->kind);
	bind_text_or_null(st, 8, t->pending_id);
	sqlite3_bind_int64(st, 9, t->expires_at);
	sqlite3_bind_text(st, 10, t->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, t->resolved_amount);
	sqlite3_bind_int64(st, 12, t->created_at);
	return tl_sqlite_step_done(c, st, err, "transfer");
}

int tl_sqlite_transfer_get(void *conn, const char *id, tl_transfer *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " TRANSFER_COLUMNS " FROM transfers"
					     " WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "transfer");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_transfer(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "transfer_not_found", "no transfer %.64s", id);
	return tl_sqlite_error(c, err, "transfer");
}

int tl_sqlite_transfer_save_state(void *conn, const tl_transfer *t, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "UPDATE transfers SET state = ?2,"
					     " resolved_amount = ?3 WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "transfer");
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t->resolved_amount);
	return tl_sqlite_step_done(c, st, err, "transfer");
}

static int read_transfers(sqlite_conn *c, sqlite3_stmt *st, tl_transfer *out, size_t max,
			  size_t *count, tl_error *err)
{
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_transfer(st, &out[n++]);
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "transfers");
}

int tl_sqlite_transfer_list(void *conn, const char *ledger_account, bool holds_only,
			    const tl_page *page, tl_transfer *out, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	static const char all[] = "SELECT " TRANSFER_COLUMNS " FROM transfers"
		" WHERE (debit_account = ?3 OR credit_account = ?3)"
		" AND (?1 IS NULL OR seq < (SELECT seq FROM transfers WHERE id = ?1))"
		" ORDER BY seq DESC LIMIT ?2";
	static const char holds[] = "SELECT " TRANSFER_COLUMNS " FROM transfers"
		" WHERE debit_account = ?3 AND kind = 1"
		" AND (?1 IS NULL OR seq < (SELECT seq FROM transfers WHERE id = ?1))"
		" ORDER BY seq DESC LIMIT ?2";
	sqlite3_stmt *st = tl_sqlite_stmt(c, holds_only ? holds : all);
	if (st == NULL)
		return tl_sqlite_error(c, err, "transfers");
	tl_sqlite_bind_page(st, 1, page);
	sqlite3_bind_text(st, 3, ledger_account, -1, SQLITE_STATIC);
	return read_transfers(c, st, out, (size_t)page->limit, count, err);
}

int tl_sqlite_transfer_list_due(void *conn, int64_t now, tl_transfer *out, size_t max,
				size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " TRANSFER_COLUMNS " FROM transfers"
		" WHERE state = 'pending' AND expires_at > 0 AND expires_at <= ?1"
		" AND NOT EXISTS (SELECT 1 FROM job_failures f WHERE f.subject = transfers.id"
		" AND f.next_retry_at > ?1)" /* a hold the expiry failed on waits for its retry */
		" ORDER BY expires_at LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "transfers");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return read_transfers(c, st, out, max, count, err);
}

/* Invariant 3 is checked by summing every account's transfers again. */
int tl_sqlite_ledger_totals(void *conn, tl_ledger_totals *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c,
		"SELECT count(*), coalesce(sum(posted_debits), 0), coalesce(sum(posted_credits), 0),"
		" coalesce(sum(pending_debits), 0), coalesce(sum(pending_credits), 0),"
		" coalesce(sum((flags & 1) = 1 AND posted_debits + pending_debits > posted_credits), 0),"
		" coalesce(sum("
		"  posted_debits != (SELECT coalesce(sum(amount), 0) FROM transfers"
		"                    WHERE debit_account = la.id AND kind IN (0, 2))"
		"  OR posted_credits != (SELECT coalesce(sum(amount), 0) FROM transfers"
		"                    WHERE credit_account = la.id AND kind IN (0, 2))"
		"  OR pending_debits != (SELECT coalesce(sum(amount), 0) FROM transfers"
		"                    WHERE debit_account = la.id AND kind = 1 AND state = 'pending')"
		"  OR pending_credits != (SELECT coalesce(sum(amount), 0) FROM transfers"
		"                    WHERE credit_account = la.id AND kind = 1 AND state = 'pending')"
		" ), 0) FROM ledger_accounts la");
	if (st == NULL)
		return tl_sqlite_error(c, err, "ledger totals");
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->accounts = sqlite3_column_int64(st, 0);
		out->posted_debits = sqlite3_column_int64(st, 1);
		out->posted_credits = sqlite3_column_int64(st, 2);
		out->pending_debits = sqlite3_column_int64(st, 3);
		out->pending_credits = sqlite3_column_int64(st, 4);
		out->constrained_overdrawn = sqlite3_column_int64(st, 5);
		out->accounts_out_of_step = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "ledger totals");
}

int tl_sqlite_poc_wallet_next_step(void *conn, const char *id, int64_t at, tl_error *err)
{
	return tl_sqlite_set_next_step(conn, "UPDATE ledger_accounts SET next_step_at = ?2"
					     " WHERE id = ?1 AND kind = 'poc'", id, at, err);
}

int tl_sqlite_poc_wallets_due(void *conn, int64_t now, tl_ledger_account *out, size_t max,
			      size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " LA_COLUMNS " FROM ledger_accounts"
		" WHERE kind = 'poc' AND next_step_at IS NOT NULL AND next_step_at <= ?1"
		" ORDER BY next_step_at, id LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "ledger accounts");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_ledger_account(st, &out[n++]);
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "ledger accounts");
}
