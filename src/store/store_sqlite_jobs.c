/*
 * store_sqlite_jobs.c: the job_failures table of the SQLite driver: the
 * subjects a job failed on, kept until the job succeeds for them. The
 * sweeps' own queries (in the other store_sqlite_*.c files) leave out a
 * subject whose next_retry_at has not come, so a failing subject waits for
 * its retry without taking a place in any batch.
 */
#include "store/store_sqlite_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#define FAILURE_COLUMNS                                                                        \
	"seq, job, subject, coalesce(account_id, ''), code, message, attempts,"                 \
	" first_failed_at, last_failed_at, next_retry_at"

static void read_failure(sqlite3_stmt *st, tl_job_failure *f)
{
	f->seq = sqlite3_column_int64(st, 0);
	tl_sqlite_copy_text(f->job, sizeof(f->job), st, 1);
	tl_sqlite_copy_text(f->subject, sizeof(f->subject), st, 2);
	tl_sqlite_copy_text(f->account_id, sizeof(f->account_id), st, 3);
	tl_sqlite_copy_text(f->code, sizeof(f->code), st, 4);
	tl_sqlite_copy_text(f->message, sizeof(f->message), st, 5);
	f->attempts = sqlite3_column_int64(st, 6);
	f->first_failed_at = sqlite3_column_int64(st, 7);
	f->last_failed_at = sqlite3_column_int64(st, 8);
	f->next_retry_at = sqlite3_column_int64(st, 9);
}

int tl_sqlite_job_failure_get(void *conn, const char *job, const char *subject,
			      tl_job_failure *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " FAILURE_COLUMNS " FROM job_failures"
					     " WHERE job = ?1 AND subject = ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "job failure");
	sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_failure(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, NULL, "no failure of %.32s for %.40s", job,
				    subject);
	return tl_sqlite_error(c, err, "job failure");
}

int tl_sqlite_job_failure_put(void *conn, const tl_job_failure *f, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c,
		"INSERT INTO job_failures (job, subject, account_id, code, message, attempts,"
		" first_failed_at, last_failed_at, next_retry_at)"
		" VALUES (?1, ?2, nullif(?3, ''), ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT (job, subject) DO UPDATE SET account_id = excluded.account_id,"
		" code = excluded.code, message = excluded.message, attempts = excluded.attempts,"
		" last_failed_at = excluded.last_failed_at, next_retry_at = excluded.next_retry_at");
	if (st == NULL)
		return tl_sqlite_error(c, err, "job failure");
	sqlite3_bind_text(st, 1, f->job, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, f->attempts);
	sqlite3_bind_int64(st, 7, f->first_failed_at);
	sqlite3_bind_int64(st, 8, f->last_failed_at);
	sqlite3_bind_int64(st, 9, f->next_retry_at);
	return tl_sqlite_step_done(c, st, err, "job failure");
}

int tl_sqlite_job_failure_clear(void *conn, const char *job, const char *subject,
				tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "DELETE FROM job_failures WHERE job = ?1"
					     " AND subject = ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "job failure");
	sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	int rc = tl_sqlite_step_done(c, st, err, "job failure");
	return rc < 0 ? rc : sqlite3_changes(c->db) == 1;
}

int tl_sqlite_job_failure_list(void *conn, const char *job, const tl_page *page,
			       tl_job_failure *out, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " FAILURE_COLUMNS " FROM job_failures"
		" WHERE (?1 IS NULL OR job = ?1) AND (?2 = '' OR seq < CAST(?2 AS INTEGER))"
		" ORDER BY seq DESC LIMIT ?3");
	if (st == NULL)
		return tl_sqlite_error(c, err, "job failures");
	if (job)
		sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, page->after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, page->limit);
	size_t n = 0;
	int rc;
	while (n < (size_t)page->limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_failure(st, &out[n++]);
	if (n == (size_t)page->limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "job failures");
}

int tl_sqlite_job_failure_counts(void *conn, tl_job_failure_count *out, size_t max,
				 size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT job, count(*) FROM job_failures"
					     " GROUP BY job ORDER BY job LIMIT ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "job failures");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_sqlite_copy_text(out[n].job, sizeof(out[n].job), st, 0);
		out[n++].subjects = sqlite3_column_int64(st, 1);
	}
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "job failures");
}

int tl_sqlite_postpaid_unrated_since(void *conn, const char *account_id, int64_t *out,
				     tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT min(accrued_until) FROM resources"
		" WHERE account_id = ?1 AND billing_mode = 'postpaid' AND type != 'cluster'"
		" AND (status != 'deleted' OR accrued_until < updated_at)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resources");
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "resources");
}
