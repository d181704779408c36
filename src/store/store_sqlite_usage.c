/* store_sqlite_usage.c: metered usage in the SQLite driver: the records
 * (usage_records) and their running monthly totals (usage_months). */
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <string.h>

int tl_sqlite_resource_seq(void *conn, const char *resource_id, int64_t *seq, tl_error *err)
{
	static const char sql[] = "SELECT seq FROM resources WHERE id = ?1";
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql);
	if (st == NULL)
		return tl_sqlite_error(c, err, "resource seq");
	sqlite3_bind_text(st, 1, resource_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "resource_not_found", "no resource %.40s",
				    resource_id);
	return tl_sqlite_error(c, err, "resource seq");
}

/* ON CONFLICT on the key only (not OR IGNORE, which would also pass over
 * a failed CHECK and count it as a duplicate). One statement for the
 * batch, reset between rows. */
int tl_sqlite_usage_insert(void *conn, const tl_usage_row *rows, size_t n, bool *fresh,
			   tl_error *err)
{
	static const char sql[] = "INSERT INTO usage_records (resource_seq, start_at, end_at,"
		" quantity, id, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT (resource_seq, start_at, end_at) DO NOTHING";
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql);
	if (st == NULL)
		return tl_sqlite_error(c, err, "usage record");
	for (size_t i = 0; i < n; i++) {
		const tl_usage_row *r = &rows[i];
		sqlite3_bind_int64(st, 1, r->resource_seq);
		sqlite3_bind_int64(st, 2, r->start);
		sqlite3_bind_int64(st, 3, r->end);
		sqlite3_bind_int64(st, 4, r->quantity);
		sqlite3_bind_text(st, 5, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, r->received_at);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return tl_sqlite_error(c, err, "usage record");
		fresh[i] = sqlite3_changes(c->db) == 1;
	}
	return 0;
}

int tl_sqlite_usage_months_add(void *conn, const tl_usage_month *months, size_t n,
			       tl_error *err)
{
	static const char sql[] = "INSERT INTO usage_months (resource_seq, month, records,"
		" unit_minutes) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (resource_seq, month)"
		" DO UPDATE SET records = records + excluded.records,"
		" unit_minutes = unit_minutes + excluded.unit_minutes";
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql);
	if (st == NULL)
		return tl_sqlite_error(c, err, "usage month");
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, months[i].resource_seq);
		sqlite3_bind_int64(st, 2, months[i].month);
		sqlite3_bind_int64(st, 3, months[i].total.records);
		sqlite3_bind_int64(st, 4, months[i].total.unit_minutes);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return tl_sqlite_error(c, err, "usage month");
	}
	return 0;
}

/* Runs a SELECT of (count, sum) bound to (seq, from, to) into *out. */
static int read_total(sqlite_conn *c, const char *sql, int64_t seq, int64_t from, int64_t to,
		      tl_usage_total *out, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql);
	if (st == NULL)
		return tl_sqlite_error(c, err, "usage total");
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->records = sqlite3_column_int64(st, 0);
		out->unit_minutes = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "usage total");
}

int tl_sqlite_usage_sum(void *conn, int64_t resource_seq, int64_t from, int64_t to,
			tl_usage_total *out, tl_error *err)
{
	/* minutes as tl_usage_minutes counts them: a started minute whole */
	static const char sql[] = "SELECT count(*),"
		" coalesce(sum((end_at - start_at + 59) / 60 * quantity), 0) FROM usage_records"
		" WHERE resource_seq = ?1 AND start_at >= ?2 AND start_at < ?3";
	return read_total(conn, sql, resource_seq, from, to, out, err);
}

int tl_sqlite_usage_months_sum(void *conn, int64_t resource_seq, int64_t from, int64_t to,
			       tl_usage_total *out, tl_error *err)
{
	static const char sql[] = "SELECT coalesce(sum(records), 0), coalesce(sum(unit_minutes), 0)"
		" FROM usage_months WHERE resource_seq = ?1 AND month >= ?2 AND month < ?3";
	return read_total(conn, sql, resource_seq, from, to, out, err);
}
