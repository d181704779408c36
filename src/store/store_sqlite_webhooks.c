/* store_sqlite_webhooks.c: the SQLite side of webhooks (issue 18): the
 * endpoints, the outbox (webhook_events) and one delivery row per event
 * and endpoint (migration 017_webhooks.sql). */
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static void bind_time_or_null(sqlite3_stmt *st, int col, int64_t t)
{
	if (t)
		sqlite3_bind_int64(st, col, t);
	else
		sqlite3_bind_null(st, col);
}

/* ---- endpoints ------------------------------------------------------------ */

#define ENDPOINT_COLUMNS                                                                  \
	"id, url, event_types, enabled, description, secret, disabled_reason, failing_since," \
	" created_at, updated_at"

static void read_endpoint(sqlite3_stmt *st, tl_webhook_endpoint *e)
{
	*e = (tl_webhook_endpoint){0};
	tl_sqlite_copy_text(e->id, sizeof(e->id), st, 0);
	tl_sqlite_copy_text(e->url, sizeof(e->url), st, 1);
	tl_sqlite_copy_text(e->event_types, sizeof(e->event_types), st, 2);
	e->enabled = sqlite3_column_int(st, 3) != 0;
	tl_sqlite_copy_text(e->description, sizeof(e->description), st, 4);
	tl_sqlite_copy_text(e->secret, sizeof(e->secret), st, 5);
	tl_sqlite_copy_text(e->disabled_reason, sizeof(e->disabled_reason), st, 6);
	e->failing_since = sqlite3_column_int64(st, 7);
	e->created_at = sqlite3_column_int64(st, 8);
	e->updated_at = sqlite3_column_int64(st, 9);
}

static void bind_endpoint(sqlite3_stmt *st, const tl_webhook_endpoint *e)
{
	sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->event_types, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, e->enabled ? 1 : 0);
	sqlite3_bind_text(st, 5, e->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e->secret, -1, SQLITE_STATIC);
	bind_text_or_null(st, 7, e->disabled_reason);
	bind_time_or_null(st, 8, e->failing_since);
	sqlite3_bind_int64(st, 9, e->created_at);
	sqlite3_bind_int64(st, 10, e->updated_at);
}

int tl_sqlite_webhook_endpoint_insert(void *conn, const tl_webhook_endpoint *e, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO webhook_endpoints (" ENDPOINT_COLUMNS
					     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook endpoint");
	bind_endpoint(st, e);
	return tl_sqlite_step_done(c, st, err, "webhook endpoint");
}

int tl_sqlite_webhook_endpoint_update(void *conn, const tl_webhook_endpoint *e, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "UPDATE webhook_endpoints SET url = ?2, event_types = ?3, enabled = ?4,"
		   " description = ?5, secret = ?6, disabled_reason = ?7, failing_since = ?8,"
		   " created_at = ?9, updated_at = ?10 WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook endpoint");
	bind_endpoint(st, e);
	return tl_sqlite_step_done(c, st, err, "webhook endpoint");
}

int tl_sqlite_webhook_endpoint_get(void *conn, const char *id, tl_webhook_endpoint *out,
				   tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " ENDPOINT_COLUMNS
					     " FROM webhook_endpoints WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook endpoint");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_endpoint(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "webhook_endpoint_not_found",
				    "no webhook endpoint %s", id);
	return tl_sqlite_error(c, err, "webhook endpoint");
}

int tl_sqlite_webhook_endpoint_list(void *conn, const tl_page *page, tl_webhook_endpoint *out,
				    size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints"
		   " WHERE (?1 IS NULL OR rowid < (SELECT rowid FROM webhook_endpoints WHERE id = ?1))"
		   " ORDER BY rowid DESC LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook endpoints");
	tl_sqlite_bind_page(st, 1, page);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (size_t)page->limit)
		read_endpoint(st, &out[n++]);
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
						     : tl_sqlite_error(c, err, "webhook endpoints");
}

int tl_sqlite_webhook_endpoint_delete(void *conn, const char *id, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "DELETE FROM webhook_endpoints WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook endpoint");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = tl_sqlite_step_done(c, st, err, "webhook endpoint");
	if (rc == 0 && sqlite3_changes(c->db) == 0)
		return tl_error_set(err, TL_ENOTFOUND, "webhook_endpoint_not_found",
				    "no webhook endpoint %s", id);
	return rc;
}

/* ---- the outbox ------------------------------------------------------------ */

int tl_sqlite_webhook_event_insert(void *conn, const tl_webhook_event *e, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "INSERT INTO webhook_events (id, type, account_id, subject_id, data, created_at)"
		   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook event");
	sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->type, -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, e->account_id);
	sqlite3_bind_text(st, 4, e->subject_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->data, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, e->created_at);
	int rc = tl_sqlite_step_done(c, st, err, "webhook event");
	if (rc < 0)
		return rc;
	int64_t seq = sqlite3_last_insert_rowid(c->db);
	/* fan out to the endpoints subscribed now, in the same transaction */
	st = tl_sqlite_stmt(
		c, "INSERT INTO webhook_deliveries (id, event_seq, endpoint_id, subject_id, status,"
		   " next_attempt_at, created_at)"
		   " SELECT 'whd_' || lower(hex(randomblob(10))), ?1, id, ?2, 'pending', ?3, ?3"
		   " FROM webhook_endpoints WHERE enabled = 1 AND EXISTS"
		   " (SELECT 1 FROM json_each(event_types) WHERE value IN (?4, '*'))"
		   " ORDER BY rowid");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook deliveries");
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, e->subject_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, e->created_at);
	sqlite3_bind_text(st, 4, e->type, -1, SQLITE_STATIC);
	return tl_sqlite_step_done(c, st, err, "webhook deliveries");
}

static void read_event(sqlite3_stmt *st, tl_webhook_event *e)
{
	*e = (tl_webhook_event){0};
	e->seq = sqlite3_column_int64(st, 0);
	tl_sqlite_copy_text(e->id, sizeof(e->id), st, 1);
	tl_sqlite_copy_text(e->type, sizeof(e->type), st, 2);
	tl_sqlite_copy_text(e->account_id, sizeof(e->account_id), st, 3);
	tl_sqlite_copy_text(e->subject_id, sizeof(e->subject_id), st, 4);
	const unsigned char *data = sqlite3_column_text(st, 5);
	e->data = strdup(data ? (const char *)data : "null");
	e->created_at = sqlite3_column_int64(st, 6);
}

int tl_sqlite_webhook_event_list(void *conn, const char *type, const tl_page *page,
				 tl_webhook_event *out, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "SELECT seq, id, type, account_id, subject_id, data, created_at FROM webhook_events"
		   " WHERE (?1 IS NULL OR seq < (SELECT seq FROM webhook_events WHERE id = ?1))"
		   " AND (?3 IS NULL OR type = ?3) ORDER BY seq DESC LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook events");
	tl_sqlite_bind_page(st, 1, page);
	bind_text_or_null(st, 3, type);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (size_t)page->limit)
		read_event(st, &out[n++]);
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "webhook events");
}

int tl_sqlite_webhook_event_get(void *conn, int64_t seq, tl_webhook_event *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT seq, id, type, account_id, subject_id, data,"
					     " created_at FROM webhook_events WHERE seq = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook event");
	sqlite3_bind_int64(st, 1, seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_event(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "webhook_event_not_found",
				    "no webhook event %lld", (long long)seq);
	return tl_sqlite_error(c, err, "webhook event");
}

/* ---- deliveries ------------------------------------------------------------- */

#define DELIVERY_COLUMNS                                                                   \
	"d.seq, d.id, d.event_seq, e.id, e.type, d.endpoint_id, d.subject_id, d.status,"  \
	" d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error," \
	" d.last_latency_ms, d.created_at, d.delivered_at"

static void read_delivery(sqlite3_stmt *st, tl_webhook_delivery *d)
{
	*d = (tl_webhook_delivery){0};
	d->seq = sqlite3_column_int64(st, 0);
	tl_sqlite_copy_text(d->id, sizeof(d->id), st, 1);
	d->event_seq = sqlite3_column_int64(st, 2);
	tl_sqlite_copy_text(d->event_id, sizeof(d->event_id), st, 3);
	tl_sqlite_copy_text(d->event_type, sizeof(d->event_type), st, 4);
	tl_sqlite_copy_text(d->endpoint_id, sizeof(d->endpoint_id), st, 5);
	tl_sqlite_copy_text(d->subject_id, sizeof(d->subject_id), st, 6);
	tl_sqlite_copy_text(d->status, sizeof(d->status), st, 7);
	d->attempts = sqlite3_column_int64(st, 8);
	d->next_attempt_at = sqlite3_column_int64(st, 9);
	d->last_attempt_at = sqlite3_column_int64(st, 10);
	d->last_status = sqlite3_column_int64(st, 11);
	tl_sqlite_copy_text(d->last_error, sizeof(d->last_error), st, 12);
	d->last_latency_ms = sqlite3_column_type(st, 13) == SQLITE_NULL
				     ? -1
				     : sqlite3_column_int64(st, 13);
	d->created_at = sqlite3_column_int64(st, 14);
	d->delivered_at = sqlite3_column_int64(st, 15);
}

static int read_deliveries(sqlite_conn *c, sqlite3_stmt *st, size_t max,
			   tl_webhook_delivery *out, size_t *count, tl_error *err)
{
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		read_delivery(st, &out[n++]);
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
						     : tl_sqlite_error(c, err, "webhook deliveries");
}

int tl_sqlite_webhook_delivery_list(void *conn, const char *endpoint_id, const tl_page *page,
				    tl_webhook_delivery *out, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries d"
		   " JOIN webhook_events e ON e.seq = d.event_seq WHERE d.endpoint_id = ?3"
		   " AND (?1 IS NULL OR d.seq < (SELECT seq FROM webhook_deliveries WHERE id = ?1))"
		   " ORDER BY d.seq DESC LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook deliveries");
	tl_sqlite_bind_page(st, 1, page);
	sqlite3_bind_text(st, 3, endpoint_id, -1, SQLITE_STATIC);
	return read_deliveries(c, st, (size_t)page->limit, out, count, err);
}

int tl_sqlite_webhook_delivery_get(void *conn, const char *id, tl_webhook_delivery *out,
				   tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries d"
					     " JOIN webhook_events e ON e.seq = d.event_seq"
					     " WHERE d.id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook delivery");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = read_deliveries(c, st, 1, out, &n, err);
	if (rc == 0 && n == 0)
		return tl_error_set(err, TL_ENOTFOUND, "webhook_delivery_not_found",
				    "no webhook delivery %s", id);
	return rc;
}

int tl_sqlite_webhook_delivery_due(void *conn, int64_t now, tl_webhook_delivery *out,
				   size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries d"
		   " JOIN webhook_events e ON e.seq = d.event_seq"
		   " JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.enabled = 1"
		   " WHERE d.status = 'pending' AND d.next_attempt_at <= ?1"
		   " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE"
		   "  p.endpoint_id = d.endpoint_id AND p.subject_id = d.subject_id"
		   "  AND p.status = 'pending' AND p.seq < d.seq)"
		   " ORDER BY d.next_attempt_at, d.seq LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook deliveries");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return read_deliveries(c, st, max, out, count, err);
}

int tl_sqlite_webhook_delivery_next_at(void *conn, int64_t *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT min(next_attempt_at) FROM webhook_deliveries"
					     " WHERE status = 'pending'");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook deliveries");
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "webhook deliveries");
}

int tl_sqlite_webhook_delivery_save(void *conn, const tl_webhook_delivery *d, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, next_attempt_at = ?4,"
		   " last_attempt_at = ?5, last_status = ?6, last_error = ?7, last_latency_ms = ?8,"
		   " delivered_at = ?9, created_at = ?10 WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook delivery");
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d->attempts);
	sqlite3_bind_int64(st, 4, d->next_attempt_at);
	bind_time_or_null(st, 5, d->last_attempt_at);
	sqlite3_bind_int64(st, 6, d->last_status);
	bind_text_or_null(st, 7, d->last_error);
	if (d->last_latency_ms >= 0)
		sqlite3_bind_int64(st, 8, d->last_latency_ms);
	else
		sqlite3_bind_null(st, 8);
	bind_time_or_null(st, 9, d->delivered_at);
	sqlite3_bind_int64(st, 10, d->created_at);
	int rc = tl_sqlite_step_done(c, st, err, "webhook delivery");
	if (rc == 0 && sqlite3_changes(c->db) == 0)
		return tl_error_set(err, TL_ENOTFOUND, "webhook_delivery_not_found",
				    "no webhook delivery %s", d->id);
	return rc;
}

int tl_sqlite_webhook_stats(void *conn, tl_webhook_stats *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'),"
		   " (SELECT min(created_at) FROM webhook_deliveries WHERE status = 'pending'),"
		   " (SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'),"
		   " (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed'),"
		   " (SELECT count(*) FROM webhook_endpoints WHERE enabled = 0"
		   "  AND disabled_reason IS NOT NULL)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook stats");
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = (tl_webhook_stats){.pending = sqlite3_column_int64(st, 0),
					  .oldest_pending_at = sqlite3_column_int64(st, 1),
					  .delivered = sqlite3_column_int64(st, 2),
					  .failed = sqlite3_column_int64(st, 3),
					  .endpoints_disabled = sqlite3_column_int64(st, 4)};
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "webhook stats");
}

int tl_sqlite_webhook_purge(void *conn, int64_t before, size_t max, size_t *deleted,
			    tl_error *err)
{
	sqlite_conn *c = conn;
	*deleted = 0;
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "DELETE FROM webhook_events WHERE seq IN (SELECT seq FROM webhook_events e"
		   " WHERE created_at < ?1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d"
		   "  WHERE d.event_seq = e.seq AND d.status = 'pending') LIMIT ?2)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "webhook retention");
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	int rc = tl_sqlite_step_done(c, st, err, "webhook retention");
	if (rc == 0)
		*deleted = (size_t)sqlite3_changes(c->db);
	return rc;
}
