/*
 * store_sqlite.c: the embedded SQLite driver, tally's default store.
 *
 * Durability: WAL journal with synchronous=FULL, so a committed transaction
 * is on disk (WAL fsynced) before tl_store_write returns and an acknowledged
 * write survives power loss. Readers use their own connections and never
 * block the writer.
 *
 * Schema versions live in PRAGMA user_version. Migrations are applied in
 * order, each in its own transaction; a database whose version is newer than
 * this build's is refused rather than guessed at.
 */
#include "store/store_sqlite_internal.h"
#include "store/migrations.h"
#include "common/limits.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The schema's history: src/store/migrations/sqlite/NNN_name.sql. */
#define MIGRATION_COUNT tl_sqlite_migration_count

int tl_store_schema_version(void)
{
	return MIGRATION_COUNT;
}

int tl_sqlite_error(sqlite_conn *c, tl_error *err, const char *what)
{
	int code = sqlite3_extended_errcode(c->db);
	if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
		return tl_error_set(err, TL_ECONFLICT, "already_exists", "%.60s: already exists",
				    what);
	if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		return tl_error_set(err, TL_EUNAVAILABLE, "store_busy",
				    "database is busy: %s (in %.60s)", sqlite3_errmsg(c->db), what);
	return tl_error_set(err, TL_EINTERNAL, "store_error", "%s (in %.60s)",
			    sqlite3_errmsg(c->db), what);
}

sqlite3_stmt *tl_sqlite_stmt(sqlite_conn *c, const char *sql)
{
	for (int i = 0; i < c->cached; i++)
		if (c->cache[i].sql == sql) {
			sqlite3_reset(c->cache[i].stmt);
			sqlite3_clear_bindings(c->cache[i].stmt);
			return c->cache[i].stmt;
		}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	if (c->cached < STMT_CACHE_MAX) {
		c->cache[c->cached].sql = sql;
		c->cache[c->cached].stmt = st;
		c->cached++;
	}
	/* A full cache would leak st; STMT_CACHE_MAX is above the statement count
	 * of this file, which the tests exercise. */
	return st;
}

static int sqlite_exec(void *conn, const char *sql, tl_error *err)
{
	sqlite_conn *c = conn;
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return tl_sqlite_error(c, err, sql);
	return 0;
}

/* Switching to WAL takes an exclusive lock and does not wait on the busy
 * handler, so another process opening the same new database at the same
 * moment makes it fail; it is retried for up to the busy timeout. */
static int enter_wal(sqlite_conn *c, tl_error *err)
{
	for (int waited_ms = 0;; waited_ms += 50) {
		if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) == SQLITE_OK)
			return 0;
		if ((sqlite3_errcode(c->db) & 0xff) != SQLITE_BUSY ||
		    waited_ms >= TL_STORE_BUSY_TIMEOUT_MS)
			return tl_sqlite_error(c, err, "entering WAL mode");
		struct timespec pause = {0, 50 * 1000000L};
		nanosleep(&pause, NULL);
	}
}

static bool sqlite_in_transaction(void *conn)
{
	return sqlite3_get_autocommit(((sqlite_conn *)conn)->db) == 0;
}

static int sqlite_connect(void **out, const char *path, tl_error *err)
{
	sqlite_conn *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		int rc = tl_error_set(err, TL_EUNAVAILABLE, "store_unavailable",
				      "cannot open database %s: %s", path,
				      c->db ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		free(c);
		return rc;
	}
	sqlite3_busy_timeout(c->db, TL_STORE_BUSY_TIMEOUT_MS);
	int rc = enter_wal(c, err);
	if (rc == 0)
		rc = sqlite_exec(c, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err);
	if (rc == 0) {
		char cache[64];
		snprintf(cache, sizeof(cache), "PRAGMA cache_size=-%d", TL_STORE_CACHE_KIB);
		rc = sqlite_exec(c, cache, err);
	}
	if (rc < 0) {
		sqlite3_close(c->db);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void sqlite_disconnect(void *conn)
{
	sqlite_conn *c = conn;
	for (int i = 0; i < c->cached; i++)
		sqlite3_finalize(c->cache[i].stmt);
	sqlite3_close(c->db);
	free(c);
}

static int read_user_version(sqlite_conn *c, int *out, tl_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return tl_sqlite_error(c, err, "reading schema version");
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "reading schema version");
}

/* The migrations table says which migration made each version and when,
 * for an operator (SELECT * FROM schema_migrations). PRAGMA user_version
 * stays the version that counts: it is read and bumped in the
 * migration's own transaction. A database migrated before this table
 * existed gets rows for its earlier versions with no time. */
static const char create_migrations_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL, applied_at INTEGER)";

static int record_migration(sqlite_conn *c, int version, bool now, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(
		c, "INSERT OR IGNORE INTO schema_migrations (version, name, applied_at)"
		   " VALUES (?, ?, CASE WHEN ? THEN CAST(strftime('%s', 'now') AS INTEGER) END)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "recording a migration");
	sqlite3_bind_int(st, 1, version);
	sqlite3_bind_text(st, 2, tl_sqlite_migrations[version - 1].name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, now);
	return tl_sqlite_step_done(c, st, err, "recording a migration");
}

/* Applies migration v (to version v + 1) if the database is still at v.
 * The version is read inside the write transaction, so two tallyd starting
 * on one new database cannot both apply it. */
static int migrate_one(sqlite_conn *c, int v, tl_error *err)
{
	int version;
	int rc = sqlite_exec(c, "BEGIN IMMEDIATE", err);
	if (rc == 0)
		rc = read_user_version(c, &version, err);
	if (rc == 0 && version <= MIGRATION_COUNT)
		rc = sqlite_exec(c, create_migrations_table_sql, err);
	for (int known = 1; rc == 0 && version <= MIGRATION_COUNT && known <= version; known++)
		rc = record_migration(c, known, false, err);
	if (rc == 0 && version > MIGRATION_COUNT)
		rc = tl_error_set(err, TL_EUNAVAILABLE, "schema_too_new",
				  "the database has schema version %d but this tallyd knows "
				  "versions up to %d; run a newer tallyd (refusing to touch it)",
				  version, MIGRATION_COUNT);
	if (rc == 0 && version == v && v < MIGRATION_COUNT) {
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version=%d;", v + 1);
		rc = sqlite_exec(c, tl_sqlite_migrations[v].sql, err);
		if (rc == 0)
			rc = sqlite_exec(c, bump, err);
		if (rc == 0)
			rc = record_migration(c, v + 1, true, err);
	}
	if (rc == 0)
		rc = sqlite_exec(c, "COMMIT", err);
	if (rc < 0)
		sqlite_exec(c, "ROLLBACK", NULL);
	return rc;
}

static int sqlite_migrate(void *conn, tl_error *err)
{
	sqlite_conn *c = conn;
	for (int v = 0; v < MIGRATION_COUNT; v++) {
		int rc = migrate_one(c, v, err);
		if (rc < 0)
			return rc;
	}
	/* a database with no migration left to apply may still be too new */
	return migrate_one(c, MIGRATION_COUNT, err);
}

int tl_sqlite_step_done(sqlite_conn *c, sqlite3_stmt *st, tl_error *err, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		int out = tl_sqlite_error(c, err, what);
		sqlite3_reset(st);
		return out;
	}
	sqlite3_reset(st);
	return 0;
}

int tl_sqlite_set_next_step(void *conn, const char *sql, const char *id, int64_t at,
			    tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql);
	if (st == NULL)
		return tl_sqlite_error(c, err, "next step");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (at < 0)
		sqlite3_bind_null(st, 2);
	else
		sqlite3_bind_int64(st, 2, at);
	return tl_sqlite_step_done(c, st, err, "next step");
}

void tl_sqlite_copy_text(char *out, size_t size, sqlite3_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(st, col);
	snprintf(out, size, "%s", text ? (const char *)text : "");
}

static char *dup_text_or_null(sqlite3_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(st, col);
	return text ? strdup((const char *)text) : NULL;
}

void tl_sqlite_bind_page(sqlite3_stmt *st, int first, const tl_page *page)
{
	if (page->after[0])
		sqlite3_bind_text(st, first, page->after, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, first);
	sqlite3_bind_int(st, first + 1, page->limit);
}

/* ---- meta ---------------------------------------------------------------- */

static int sqlite_meta_get(void *conn, const char *key, char *out, size_t out_size,
			   tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT value FROM meta WHERE key = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		tl_sqlite_copy_text(out, out_size, st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, NULL, "no setting %s", key);
	return tl_sqlite_error(c, err, "meta");
}

static int sqlite_meta_put(void *conn, const char *key, const char *value, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO meta (key, value) VALUES (?1, ?2)"
				   " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
	if (st == NULL)
		return tl_sqlite_error(c, err, "meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return tl_sqlite_step_done(c, st, err, "meta");
}

/* ---- accounts ------------------------------------------------------------ */

#define ACCOUNT_COLUMNS "id, name, currency, type, created_at"

static void read_account(sqlite3_stmt *st, tl_account *a)
{
	tl_sqlite_copy_text(a->id, sizeof(a->id), st, 0);
	tl_sqlite_copy_text(a->name, sizeof(a->name), st, 1);
	tl_sqlite_copy_text(a->currency, sizeof(a->currency), st, 2);
	tl_sqlite_copy_text(a->type, sizeof(a->type), st, 3);
	a->created_at = sqlite3_column_int64(st, 4);
}

static int sqlite_account_insert(void *conn, const tl_account *a, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO accounts (" ACCOUNT_COLUMNS ")"
				   " VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "account");
	sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->currency, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, a->created_at);
	return tl_sqlite_step_done(c, st, err, "account");
}

static int sqlite_account_get(void *conn, const char *id, tl_account *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "account");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_account(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "account_not_found", "no account %s", id);
	return tl_sqlite_error(c, err, "account");
}

static int sqlite_account_set_type(void *conn, const char *id, const char *type, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "UPDATE accounts SET type = ?2 WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "account");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	int rc = tl_sqlite_step_done(c, st, err, "account");
	if (rc == 0 && sqlite3_changes(c->db) != 1)
		return tl_error_set(err, TL_ENOTFOUND, "account_not_found", "no account %.40s", id);
	return rc;
}

static int sqlite_account_list(void *conn, const tl_page *page, tl_account *out,
			       size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " ACCOUNT_COLUMNS " FROM accounts"
				   " WHERE ?1 IS NULL OR seq < (SELECT seq FROM accounts WHERE id = ?1)"
				   " ORDER BY seq DESC LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "accounts");
	tl_sqlite_bind_page(st, 1, page);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (size_t)page->limit)
		read_account(st, &out[n++]);
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "accounts");
}

/* ---- tokens -------------------------------------------------------------- */

static int sqlite_token_insert(void *conn, const tl_token *t, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO tokens (id, account_id, secret_hash, created_at,"
				   " scope) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "token");
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, t->secret_hash, TL_TOKEN_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, t->created_at);
	sqlite3_bind_text(st, 5, t->scope[0] ? t->scope : "account", -1, SQLITE_STATIC);
	return tl_sqlite_step_done(c, st, err, "token");
}

static int sqlite_token_get(void *conn, const char *id, tl_token *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT id, account_id, secret_hash, created_at,"
				   " scope FROM tokens WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "token");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		tl_sqlite_copy_text(out->id, sizeof(out->id), st, 0);
		tl_sqlite_copy_text(out->account_id, sizeof(out->account_id), st, 1);
		const void *hash = sqlite3_column_blob(st, 2);
		int len = sqlite3_column_bytes(st, 2);
		memset(out->secret_hash, 0, TL_TOKEN_HASH_BYTES);
		if (hash && len == (int)TL_TOKEN_HASH_BYTES)
			memcpy(out->secret_hash, hash, TL_TOKEN_HASH_BYTES);
		out->created_at = sqlite3_column_int64(st, 3);
		tl_sqlite_copy_text(out->scope, sizeof(out->scope), st, 4);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, NULL, "no token %s", id);
	return tl_sqlite_error(c, err, "token");
}

/* ---- events -------------------------------------------------------------- */

static int sqlite_event_insert(void *conn, const tl_event *e, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO events (id, account_id, actor, type, subject_id,"
				   " before, after, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "event");
	sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
	if (e->account_id[0])
		sqlite3_bind_text(st, 2, e->account_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, e->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->subject_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e->before, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e->after, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, e->created_at);
	return tl_sqlite_step_done(c, st, err, "event");
}

static int sqlite_event_list(void *conn, const char *account_id, const tl_page *page,
			     tl_event *out, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT id, account_id, actor, type, subject_id, before, after,"
				   " created_at FROM events"
				   " WHERE (?1 IS NULL OR seq < (SELECT seq FROM events WHERE id = ?1))"
				   " AND (?3 IS NULL OR account_id = ?3)"
				   " ORDER BY seq DESC LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "events");
	tl_sqlite_bind_page(st, 1, page);
	if (account_id)
		sqlite3_bind_text(st, 3, account_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (size_t)page->limit) {
		tl_event *e = &out[n++];
		tl_sqlite_copy_text(e->id, sizeof(e->id), st, 0);
		tl_sqlite_copy_text(e->account_id, sizeof(e->account_id), st, 1);
		tl_sqlite_copy_text(e->actor, sizeof(e->actor), st, 2);
		tl_sqlite_copy_text(e->type, sizeof(e->type), st, 3);
		tl_sqlite_copy_text(e->subject_id, sizeof(e->subject_id), st, 4);
		e->before = dup_text_or_null(st, 5);
		e->after = dup_text_or_null(st, 6);
		e->created_at = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	*count = n;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "events");
}

/* ---- idempotency --------------------------------------------------------- */

static int sqlite_idem_get(void *conn, const char *scope, const char *key,
			   tl_idem_record *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT fingerprint, status, body, created_at"
				   " FROM idempotency WHERE scope = ?1 AND key = ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "idempotency");
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out->scope, sizeof(out->scope), "%s", scope);
		snprintf(out->key, sizeof(out->key), "%s", key);
		memset(out->fingerprint, 0, TL_FINGERPRINT_BYTES);
		const void *fp = sqlite3_column_blob(st, 0);
		if (fp && sqlite3_column_bytes(st, 0) == (int)TL_FINGERPRINT_BYTES)
			memcpy(out->fingerprint, fp, TL_FINGERPRINT_BYTES);
		out->status = (unsigned)sqlite3_column_int(st, 1);
		out->body = dup_text_or_null(st, 2);
		out->created_at = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return out->body ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, NULL, "no stored response");
	return tl_sqlite_error(c, err, "idempotency");
}

static int sqlite_idem_put(void *conn, const tl_idem_record *r, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO idempotency (scope, key, fingerprint, status,"
				   " body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "idempotency");
	sqlite3_bind_text(st, 1, r->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, r->fingerprint, TL_FINGERPRINT_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)r->status);
	sqlite3_bind_text(st, 5, r->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->created_at);
	return tl_sqlite_step_done(c, st, err, "idempotency");
}

const tl_store_driver tl_store_sqlite_driver = {
	.name = "sqlite",
	.begin_write_sql = "BEGIN IMMEDIATE",
	.begin_read_sql = "BEGIN",
	.connect = sqlite_connect,
	.disconnect = sqlite_disconnect,
	.migrate = sqlite_migrate,
	.exec = sqlite_exec,
	.in_transaction = sqlite_in_transaction,
	.meta_get = sqlite_meta_get,
	.meta_put = sqlite_meta_put,
	.account_insert = sqlite_account_insert,
	.account_get = sqlite_account_get,
	.account_set_type = sqlite_account_set_type,
	.account_list = sqlite_account_list,
	.token_insert = sqlite_token_insert,
	.token_get = sqlite_token_get,
	.event_insert = sqlite_event_insert,
	.event_list = sqlite_event_list,
	.ledger_account_insert = tl_sqlite_ledger_account_insert,
	.ledger_account_get = tl_sqlite_ledger_account_get,
	.ledger_account_list = tl_sqlite_ledger_account_list,
	.ledger_account_save = tl_sqlite_ledger_account_save,
	.ledger_account_set_expiry = tl_sqlite_ledger_account_set_expiry,
	.transfer_insert = tl_sqlite_transfer_insert,
	.transfer_get = tl_sqlite_transfer_get,
	.transfer_save_state = tl_sqlite_transfer_save_state,
	.transfer_list = tl_sqlite_transfer_list,
	.transfer_list_due = tl_sqlite_transfer_list_due,
	.ledger_totals = tl_sqlite_ledger_totals,
	.job_run_claim = tl_sqlite_job_run_claim,
	.poc_wallets_due = tl_sqlite_poc_wallets_due,
	.poc_wallet_next_step = tl_sqlite_poc_wallet_next_step,
	.job_run_exists = tl_sqlite_job_run_exists,
	.job_failure_get = tl_sqlite_job_failure_get,
	.job_failure_put = tl_sqlite_job_failure_put,
	.job_failure_clear = tl_sqlite_job_failure_clear,
	.job_failure_list = tl_sqlite_job_failure_list,
	.job_failure_counts = tl_sqlite_job_failure_counts,
	.postpaid_unrated_since = tl_sqlite_postpaid_unrated_since,
	.resources_of_wallet = tl_sqlite_resources_of_wallet,
	.postpaid_accounts = tl_sqlite_postpaid_accounts,
	.postpaid_resources = tl_sqlite_postpaid_resources,
	.resources_term_due = tl_sqlite_resources_term_due,
	.resource_next_step = tl_sqlite_resource_next_step,
	.resource_insert = tl_sqlite_resource_insert,
	.resource_update = tl_sqlite_resource_update,
	.resource_get = tl_sqlite_resource_get,
	.resource_list = tl_sqlite_resource_list,
	.resource_members = tl_sqlite_resource_members,
	.resource_list_poc = tl_sqlite_resource_list_poc,
	.counter_next = tl_sqlite_counter_next,
	.idem_get = sqlite_idem_get,
	.idem_put = sqlite_idem_put,
	.idem_purge = tl_sqlite_idem_purge,
	.backup = tl_sqlite_backup,
	.restore = tl_sqlite_restore,
	.job_run_count = tl_sqlite_job_run_count,
	/* Gateway transactions and suspensions (issue 16). */
	.gateway_txn_insert = tl_sqlite_gateway_txn_insert,
	.gateway_txn_update = tl_sqlite_gateway_txn_update,
	.gateway_txn_get = tl_sqlite_gateway_txn_get,
	.gateway_txn_count_of_checkout = tl_sqlite_gateway_txn_count_of_checkout,
	.gateway_top_ups_pending = tl_sqlite_gateway_top_ups_pending,
	.suspension_insert = tl_sqlite_suspension_insert,
	.suspension_close = tl_sqlite_suspension_close,
	.suspensions_overlapping = tl_sqlite_suspensions_overlapping,
	.resource_seq = tl_sqlite_resource_seq,
	.usage_insert = tl_sqlite_usage_insert,
	.usage_months_add = tl_sqlite_usage_months_add,
	.usage_sum = tl_sqlite_usage_sum,
	.usage_months_sum = tl_sqlite_usage_months_sum,
	.invoice_insert = tl_sqlite_invoice_insert,
	.invoice_update = tl_sqlite_invoice_update,
	.invoice_get = tl_sqlite_invoice_get,
	.invoice_list = tl_sqlite_invoice_list,
	.invoices_payable = tl_sqlite_invoices_payable,
	.invoices_open_count = tl_sqlite_invoices_open_count,
	.payment_insert = tl_sqlite_payment_insert,
	.payment_get = tl_sqlite_payment_get,
	.payment_list = tl_sqlite_payment_list,
	.payment_count = tl_sqlite_payment_count,
	.checkout_insert = tl_sqlite_checkout_insert,
	.checkout_update = tl_sqlite_checkout_update,
	.checkout_get = tl_sqlite_checkout_get,
	.checkouts_due = tl_sqlite_checkouts_due,
	.coupon_insert = tl_sqlite_coupon_insert,
	.coupon_update = tl_sqlite_coupon_update,
	.coupon_get = tl_sqlite_coupon_get,
	.coupon_get_by_code = tl_sqlite_coupon_get_by_code,
	.coupon_list = tl_sqlite_coupon_list,
	.coupon_redemption_insert = tl_sqlite_coupon_redemption_insert,
	.coupon_redemptions_count = tl_sqlite_coupon_redemptions_count,
	/* webhooks (issue 18) */
	.webhook_endpoint_insert = tl_sqlite_webhook_endpoint_insert,
	.webhook_endpoint_get = tl_sqlite_webhook_endpoint_get,
	.webhook_endpoint_list = tl_sqlite_webhook_endpoint_list,
	.webhook_endpoint_update = tl_sqlite_webhook_endpoint_update,
	.webhook_endpoint_delete = tl_sqlite_webhook_endpoint_delete,
	.webhook_event_insert = tl_sqlite_webhook_event_insert,
	.webhook_event_list = tl_sqlite_webhook_event_list,
	.webhook_event_get = tl_sqlite_webhook_event_get,
	.webhook_delivery_list = tl_sqlite_webhook_delivery_list,
	.webhook_delivery_get = tl_sqlite_webhook_delivery_get,
	.webhook_delivery_due = tl_sqlite_webhook_delivery_due,
	.webhook_delivery_next_at = tl_sqlite_webhook_delivery_next_at,
	.webhook_delivery_save = tl_sqlite_webhook_delivery_save,
	.webhook_stats = tl_sqlite_webhook_stats,
	.webhook_purge = tl_sqlite_webhook_purge,
};
