/* store_sqlite_resources.c: the resources table in the SQLite driver. */
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESOURCE_COLUMNS "id, account_id, type, name, cluster_id, role, item_id, service," \
	" quantity, spec, status, billing_mode, cluster_poc, poc_wallet_id, cycle_months," \
	" term_start, term_end, auto_renew, open_checkout_id, accrued_until, created_at," \
	" updated_at"

/* Oldest-first lists go on after the row ?3 (NULL: from the first). */
#define AFTER_SEQ " AND (?3 IS NULL OR seq > (SELECT seq FROM resources WHERE id = ?3))"

static void bind_opt(sqlite3_stmt *st, int col, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

/* Binds every column in RESOURCE_COLUMNS order; spec_text stays alive
 * until the statement is stepped. */
static void bind_resource(sqlite3_stmt *st, const tl_resource *r, const char *spec_text)
{
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->name, -1, SQLITE_STATIC);
	bind_opt(st, 5, r->cluster_id);
	bind_opt(st, 6, r->role);
	sqlite3_bind_text(st, 7, r->item_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->service, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, r->quantity);
	sqlite3_bind_text(st, 10, spec_text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, r->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, r->billing_mode, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 13, r->cluster_poc);
	bind_opt(st, 14, r->poc_wallet_id);
	sqlite3_bind_int(st, 15, r->cycle_months);
	sqlite3_bind_int64(st, 16, r->term_start);
	sqlite3_bind_int64(st, 17, r->term_end);
	sqlite3_bind_int(st, 18, r->auto_renew);
	bind_opt(st, 19, r->open_checkout_id);
	sqlite3_bind_int64(st, 20, r->accrued_until);
	sqlite3_bind_int64(st, 21, r->created_at);
	sqlite3_bind_int64(st, 22, r->updated_at);
}

static void read_resource(sqlite3_stmt *st, tl_resource *r)
{
	memset(r, 0, sizeof(*r));
	tl_sqlite_copy_text(r->id, sizeof(r->id), st, 0);
	tl_sqlite_copy_text(r->account_id, sizeof(r->account_id), st, 1);
	tl_sqlite_copy_text(r->type, sizeof(r->type), st, 2);
	tl_sqlite_copy_text(r->name, sizeof(r->name), st, 3);
	tl_sqlite_copy_text(r->cluster_id, sizeof(r->cluster_id), st, 4);
	tl_sqlite_copy_text(r->role, sizeof(r->role), st, 5);
	tl_sqlite_copy_text(r->item_id, sizeof(r->item_id), st, 6);
	tl_sqlite_copy_text(r->service, sizeof(r->service), st, 7);
	r->quantity = sqlite3_column_int64(st, 8);
	const unsigned char *spec = sqlite3_column_text(st, 9);
	r->spec = spec ? json_loads((const char *)spec, 0, NULL) : NULL;
	tl_sqlite_copy_text(r->status, sizeof(r->status), st, 10);
	tl_sqlite_copy_text(r->billing_mode, sizeof(r->billing_mode), st, 11);
	r->cluster_poc = sqlite3_column_int(st, 12) != 0;
	tl_sqlite_copy_text(r->poc_wallet_id, sizeof(r->poc_wallet_id), st, 13);
	r->cycle_months = sqlite3_column_int(st, 14);
	r->term_start = sqlite3_column_int64(st, 15);
	r->term_end = sqlite3_column_int64(st, 16);
	r->auto_renew = sqlite3_column_int(st, 17) != 0;
	tl_sqlite_copy_text(r->open_checkout_id, sizeof(r->open_checkout_id), st, 18);
	r->accrued_until = sqlite3_column_int64(st, 19);
	r->created_at = sqlite3_column_int64(st, 20);
	r->updated_at = sqlite3_column_int64(st, 21);
}

static int write_resource(sqlite_conn *c, const char *sql, const tl_resource *r, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql);
	if (st == NULL)
		return tl_sqlite_error(c, err, "resource");
	/* no spec is stored as {} */
	char *spec = r->spec ? json_dumps(r->spec, JSON_COMPACT) : strdup("{}");
	if (spec == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	bind_resource(st, r, spec);
	int rc = tl_sqlite_step_done(c, st, err, "resource");
	free(spec);
	return rc;
}

int tl_sqlite_resource_insert(void *conn, const tl_resource *r, tl_error *err)
{
	static const char sql[] = "INSERT INTO resources (" RESOURCE_COLUMNS ") VALUES (?1, ?2,"
		" ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
		" ?21, ?22)";
	return write_resource(conn, sql, r, err);
}

int tl_sqlite_resource_update(void *conn, const tl_resource *r, tl_error *err)
{
	/* binds all 22 columns; the ones that never change (?5-?9, ?21) are
	 * simply not used: SQLite numbers parameters up to the highest */
	static const char sql[] = "UPDATE resources SET name = ?4, spec = ?10, status = ?11,"
		" billing_mode = ?12, cluster_poc = ?13, poc_wallet_id = ?14, cycle_months = ?15,"
		" term_start = ?16, term_end = ?17, auto_renew = ?18, open_checkout_id = ?19,"
		" accrued_until = ?20, updated_at = ?22, next_step_at = 0"
		" WHERE id = ?1 AND account_id = ?2 AND type = ?3";
	int rc = write_resource(conn, sql, r, err);
	if (rc == 0 && sqlite3_changes(((sqlite_conn *)conn)->db) != 1)
		return tl_error_set(err, TL_ENOTFOUND, "resource_not_found", "no resource %.40s",
				    r->id);
	return rc;
}

int tl_sqlite_resource_get(void *conn, const char *id, tl_resource *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " RESOURCE_COLUMNS " FROM resources"
					     " WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resource");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_resource(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "resource_not_found", "no resource %.40s", id);
	return tl_sqlite_error(c, err, "resource");
}

static int read_resources(sqlite_conn *c, sqlite3_stmt *st, tl_resource *out, size_t max,
			  size_t *count, tl_error *err)
{
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_resource(st, &out[n++]);
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "resources");
}

int tl_sqlite_resource_list(void *conn, const tl_resource_query *q, const tl_page *page,
			    tl_resource *out, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	/* q matches the whole id, or part of the name (LIKE with its own
	 * wildcards escaped) */
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " RESOURCE_COLUMNS " FROM resources"
		" WHERE account_id = ?3"
		" AND (?4 IS NULL OR id = ?4 OR name LIKE '%' || replace(replace(replace(?4, '\\',"
		"      '\\\\'), '%', '\\%'), '_', '\\_') || '%' ESCAPE '\\')"
		" AND (?5 IS NULL OR type = ?5) AND (?6 IS NULL OR billing_mode = ?6)"
		" AND (?7 IS NULL OR cluster_id = ?7) AND (?8 OR status != 'deleted')"
		" AND (?1 IS NULL OR seq < (SELECT seq FROM resources WHERE id = ?1))"
		" ORDER BY seq DESC LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resources");
	tl_sqlite_bind_page(st, 1, page);
	sqlite3_bind_text(st, 3, q->account_id, -1, SQLITE_STATIC);
	bind_opt(st, 4, q->q);
	bind_opt(st, 5, q->type);
	bind_opt(st, 6, q->billing);
	bind_opt(st, 7, q->cluster_id);
	sqlite3_bind_int(st, 8, q->include_deleted);
	return read_resources(c, st, out, (size_t)page->limit, count, err);
}

int tl_sqlite_resource_members(void *conn, const char *cluster_id, const char *after,
			       tl_resource *out, size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " RESOURCE_COLUMNS " FROM resources"
					     " WHERE cluster_id = ?1" AFTER_SEQ " ORDER BY seq LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resources");
	sqlite3_bind_text(st, 1, cluster_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	bind_opt(st, 3, after);
	return read_resources(c, st, out, max, count, err);
}

int tl_sqlite_resource_list_poc(void *conn, int64_t before, int64_t now, tl_resource *out, size_t max,
				size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " RESOURCE_COLUMNS " FROM resources"
		" WHERE billing_mode = 'poc' AND status = 'active' AND accrued_until < ?1"
		" AND type != 'cluster'" /* a cluster costs what its members cost */
		" AND NOT EXISTS (SELECT 1 FROM job_failures f WHERE f.subject = resources.id"
		" AND f.next_retry_at > ?3)" /* failed: waits for its retry */
		" ORDER BY accrued_until LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resources");
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	sqlite3_bind_int64(st, 3, now);
	return read_resources(c, st, out, max, count, err);
}

/* ---- jobs ---------------------------------------------------------------------- */

int tl_sqlite_job_run_claim(void *conn, const char *job, const char *subject, const char *period,
			    int64_t now, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO job_runs (job, subject, period, done_at)"
					     " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
	if (st == NULL)
		return tl_sqlite_error(c, err, "job run");
	sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	int rc = tl_sqlite_step_done(c, st, err, "job run");
	return rc < 0 ? rc : sqlite3_changes(c->db) == 1;
}

int tl_sqlite_resources_of_wallet(void *conn, const char *wallet_id, const char *after,
				  tl_resource *out, size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " RESOURCE_COLUMNS " FROM resources"
		" WHERE poc_wallet_id = ?1 AND status != 'deleted'" AFTER_SEQ " ORDER BY seq LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resources");
	sqlite3_bind_text(st, 1, wallet_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	bind_opt(st, 3, after);
	return read_resources(c, st, out, max, count, err);
}

int tl_sqlite_resource_next_step(void *conn, const char *id, int64_t at, tl_error *err)
{
	return tl_sqlite_set_next_step(conn, "UPDATE resources SET next_step_at = ?2 WHERE id = ?1",
				       id, at, err);
}

int tl_sqlite_resources_term_due(void *conn, int64_t now, tl_resource *out, size_t max,
				 size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " RESOURCE_COLUMNS " FROM resources"
		" WHERE billing_mode = 'prepaid' AND type != 'cluster'" /* a cluster's term is its members' */
		" AND next_step_at IS NOT NULL AND next_step_at <= ?1"
		" AND status IN ('active', 'suspended') AND term_end > 0"
		" ORDER BY next_step_at, seq LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resources");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return read_resources(c, st, out, max, count, err);
}

int tl_sqlite_postpaid_accounts(void *conn, int64_t before, const char *job, const char *period,
				int64_t now,
				char (*out)[TL_ID_MAX], size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT DISTINCT account_id FROM resources"
		" WHERE billing_mode = 'postpaid' AND type != 'cluster' AND accrued_until < ?1"
		" AND (status != 'deleted' OR accrued_until < updated_at)" /* use left to rate */
		" AND NOT EXISTS (SELECT 1 FROM job_runs WHERE job = ?3"
		" AND subject = resources.account_id AND period = ?4)"
		" AND NOT EXISTS (SELECT 1 FROM job_failures f WHERE f.job = ?3"
		" AND f.subject = resources.account_id AND f.next_retry_at > ?5)"
		" ORDER BY account_id LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resources");
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	sqlite3_bind_text(st, 3, job, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		tl_sqlite_copy_text(out[n++], TL_ID_MAX, st, 0);
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "resources");
}

int tl_sqlite_postpaid_resources(void *conn, const char *account_id, const char *after,
				 tl_resource *out, size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " RESOURCE_COLUMNS " FROM resources"
		" WHERE account_id = ?1 AND billing_mode = 'postpaid' AND type != 'cluster'"
		AFTER_SEQ " ORDER BY seq LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "resources");
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	bind_opt(st, 3, after);
	return read_resources(c, st, out, max, count, err);
}

int tl_sqlite_job_run_exists(void *conn, const char *job, const char *subject,
			     const char *period, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT 1 FROM job_runs WHERE job = ?1"
					     " AND subject = ?2 AND period = ?3");
	if (st == NULL)
		return tl_sqlite_error(c, err, "job run");
	sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "job run");
}
