/* store_sqlite_counters.c: named counters in the SQLite driver (invoice
 * numbers: one row per year's series, incremented in the caller's
 * transaction, so a rolled-back invoice leaves no gap). */
#include "store/store_sqlite_internal.h"

int tl_sqlite_counter_next(void *conn, const char *name, int64_t *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO counters (name, value) VALUES (?1, 1)"
		" ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value");
	if (st == NULL)
		return tl_sqlite_error(c, err, "counter");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st); /* finish the statement so its write completes */
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "counter");
}
