/* store_sqlite_docs.c: the documents table and named counters in the
 * SQLite driver. */
#include "store/store_sqlite_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOC_COLUMNS "kind, id, account_id, key, ref, status, due_at, body, created_at, updated_at"

static void bind_opt(sqlite3_stmt *st, int col, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static int read_doc(sqlite3_stmt *st, tl_doc *d)
{
	tl_sqlite_copy_text(d->kind, sizeof(d->kind), st, 0);
	tl_sqlite_copy_text(d->id, sizeof(d->id), st, 1);
	tl_sqlite_copy_text(d->account_id, sizeof(d->account_id), st, 2);
	tl_sqlite_copy_text(d->key, sizeof(d->key), st, 3);
	tl_sqlite_copy_text(d->ref, sizeof(d->ref), st, 4);
	tl_sqlite_copy_text(d->status, sizeof(d->status), st, 5);
	d->due_at = sqlite3_column_int64(st, 6);
	const unsigned char *body = sqlite3_column_text(st, 7);
	d->body = strdup(body ? (const char *)body : "{}");
	d->created_at = sqlite3_column_int64(st, 8);
	d->updated_at = sqlite3_column_int64(st, 9);
	return d->body ? 0 : TL_EINTERNAL;
}

int tl_sqlite_doc_insert(void *conn, const tl_doc *d, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO documents (" DOC_COLUMNS ")"
					     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "document");
	sqlite3_bind_text(st, 1, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->id, -1, SQLITE_STATIC);
	bind_opt(st, 3, d->account_id);
	bind_opt(st, 4, d->key);
	bind_opt(st, 5, d->ref);
	sqlite3_bind_text(st, 6, d->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, d->due_at);
	sqlite3_bind_text(st, 8, d->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, d->created_at);
	sqlite3_bind_int64(st, 10, d->updated_at);
	return tl_sqlite_step_done(c, st, err, d->kind);
}

int tl_sqlite_doc_update(void *conn, const tl_doc *d, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "UPDATE documents SET status = ?3, due_at = ?4,"
		" body = ?5, updated_at = ?6 WHERE kind = ?1 AND id = ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "document");
	sqlite3_bind_text(st, 1, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->due_at);
	sqlite3_bind_text(st, 5, d->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, d->updated_at);
	int rc = tl_sqlite_step_done(c, st, err, d->kind);
	if (rc == 0 && sqlite3_changes(c->db) != 1)
		return tl_error_set(err, TL_ENOTFOUND, "not_found", "no %s %.64s", d->kind, d->id);
	return rc;
}

/* Steps a statement expected to return at most one document. */
static int one_doc(sqlite_conn *c, sqlite3_stmt *st, const char *kind, const char *what,
		   tl_doc *out, tl_error *err)
{
	int rc = sqlite3_step(st);
	int read_rc = rc == SQLITE_ROW ? read_doc(st, out) : 0;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return read_rc < 0 ? tl_error_set(err, TL_EINTERNAL, NULL, "out of memory") : 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "not_found", "no %s %.64s", kind, what);
	return tl_sqlite_error(c, err, kind);
}

int tl_sqlite_doc_get(void *conn, const char *kind, const char *id, tl_doc *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " DOC_COLUMNS " FROM documents"
					     " WHERE id = ?2 AND kind = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, kind);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	return one_doc(c, st, kind, id, out, err);
}

int tl_sqlite_doc_get_by_key(void *conn, const char *kind, const char *key, tl_doc *out,
			     tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " DOC_COLUMNS " FROM documents"
					     " WHERE kind = ?1 AND key = ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, kind);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	return one_doc(c, st, kind, key, out, err);
}

static int read_docs(sqlite_conn *c, sqlite3_stmt *st, tl_doc *out, size_t max, size_t *count,
		     tl_error *err)
{
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (read_doc(st, &out[n]) < 0) {
			sqlite3_reset(st);
			*count = n;
			return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
		}
		n++;
	}
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "documents");
}

static void bind_query(sqlite3_stmt *st, const tl_doc_query *q)
{
	sqlite3_bind_text(st, 3, q->kind, -1, SQLITE_STATIC);
	bind_opt(st, 4, q->account_id);
	bind_opt(st, 5, q->ref);
	bind_opt(st, 6, q->status);
}

#define QUERY_ANY " (?4 IS NULL OR account_id = ?4)" \
	" AND (?5 IS NULL OR ref = ?5) AND (?6 IS NULL OR status = ?6)"

/* No index serves a "?n IS NULL OR column = ?n" term, so with those alone
 * SQLite reads every document of the kind: every usage record ever, to
 * rate one resource's month. Each statement below also names the most
 * selective filter the query gives as a plain equality, which its index
 * (by ref, by account, due) serves; the rest stay as above. */
enum query_shape { BY_REF, BY_ACCOUNT, BY_STATUS, BY_KIND, QUERY_SHAPES };

#define WHERE_BY_REF " kind = ?3 AND ref = ?5 AND" QUERY_ANY
#define WHERE_BY_ACCOUNT " kind = ?3 AND account_id = ?4 AND" QUERY_ANY
#define WHERE_BY_STATUS " kind = ?3 AND status = ?6 AND" QUERY_ANY
#define WHERE_BY_KIND " kind = ?3 AND" QUERY_ANY

static bool given(const char *filter)
{
	return filter && filter[0]; /* as bind_opt: "" is no filter */
}

static enum query_shape shape_of(const tl_doc_query *q)
{
	return given(q->ref) ? BY_REF : given(q->account_id) ? BY_ACCOUNT
		: given(q->status) ? BY_STATUS : BY_KIND;
}

int tl_sqlite_doc_list(void *conn, const tl_doc_query *q, const tl_page *page, tl_doc *out,
		       size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
#define LIST_SQL(where) "SELECT " DOC_COLUMNS " FROM documents WHERE" where \
	" AND (?1 IS NULL OR seq < (SELECT seq FROM documents WHERE id = ?1))" \
	" ORDER BY seq DESC LIMIT ?2"
	static const char *const sql[QUERY_SHAPES] = {
		[BY_REF] = LIST_SQL(WHERE_BY_REF), [BY_ACCOUNT] = LIST_SQL(WHERE_BY_ACCOUNT),
		[BY_STATUS] = LIST_SQL(WHERE_BY_STATUS), [BY_KIND] = LIST_SQL(WHERE_BY_KIND)};
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql[shape_of(q)]);
	if (st == NULL)
		return tl_sqlite_error(c, err, q->kind);
	tl_sqlite_bind_page(st, 1, page);
	bind_query(st, q);
	return read_docs(c, st, out, (size_t)page->limit, count, err);
}

int tl_sqlite_doc_count(void *conn, const tl_doc_query *q, int64_t *out, tl_error *err)
{
	sqlite_conn *c = conn;
	/* ?1 and ?2 (the page) are not used here; unbound they are NULL */
#define COUNT_SQL(where) "SELECT count(*) FROM documents WHERE" where
	static const char *const sql[QUERY_SHAPES] = {
		[BY_REF] = COUNT_SQL(WHERE_BY_REF), [BY_ACCOUNT] = COUNT_SQL(WHERE_BY_ACCOUNT),
		[BY_STATUS] = COUNT_SQL(WHERE_BY_STATUS), [BY_KIND] = COUNT_SQL(WHERE_BY_KIND)};
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql[shape_of(q)]);
	if (st == NULL)
		return tl_sqlite_error(c, err, q->kind);
	bind_query(st, q);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, q->kind);
}

int tl_sqlite_doc_list_due(void *conn, const char *kind, const char *status, int64_t now,
			   tl_doc *out, size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " DOC_COLUMNS " FROM documents"
		" WHERE kind = ?1 AND status = ?2 AND due_at > 0 AND due_at <= ?3"
		" AND NOT EXISTS (SELECT 1 FROM job_failures f WHERE f.subject = documents.id"
		" AND f.next_retry_at > ?3)" /* one a job failed on waits for its retry */
		" ORDER BY due_at LIMIT ?4");
	if (st == NULL)
		return tl_sqlite_error(c, err, kind);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max);
	return read_docs(c, st, out, max, count, err);
}

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
