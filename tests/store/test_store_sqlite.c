/* The SQLite driver's own tests, on a real SQLite file: its migrations
 * (PRAGMA user_version, schema_migrations), WAL, and restoring a backup
 * into a path. What every driver must do (transactions, group commit, the
 * data functions) is the contract suite, tests/store/test_store_contract_*.c,
 * which names no driver. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/ids.h"
#include "store/store.h"

static char dir[64], path[128];

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/tally-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void account(tl_account *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	tl_id_new(a->id, sizeof(a->id), "acc");
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->currency, sizeof(a->currency), "VND");
	snprintf(a->type, sizeof(a->type), "prepaid");
	a->created_at = 1795255200;
}

static int insert_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_store_account_insert(tx, arg, err);
}

static int get_tx(tl_tx *tx, void *arg, tl_error *err)
{
	tl_account *a = arg, out;
	return tl_store_account_get(tx, a->id, &out, err);
}

TestSuite(store, .init = setup, .fini = teardown);

Test(store, migrates_a_new_database_to_the_current_version)
{
	tl_store *s;
	tl_error e = {0};
	cr_assert_eq(tl_store_open(&s, path, &e), 0, "%s", e.message);
	tl_store_close(s);
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), tl_store_schema_version());
	sqlite3_finalize(st);
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void migrations_summary(int *rows, int *untimed, char *first, size_t first_size)
{
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db,
			   "SELECT count(*), count(*) - count(applied_at),"
			   " (SELECT name FROM schema_migrations WHERE version = 1)"
			   " FROM schema_migrations",
			   -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	*rows = sqlite3_column_int(st, 0);
	*untimed = sqlite3_column_int(st, 1);
	snprintf(first, first_size, "%s", (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* schema_migrations names the file that made each version, and when; a
 * database migrated before the table existed (the 2026-12 release) gets
 * rows for its versions, with no time. */
Test(store, records_each_migration_by_name)
{
	tl_store *s;
	tl_error e = {0};
	cr_assert_eq(tl_store_open(&s, path, &e), 0, "%s", e.message);
	tl_store_close(s);
	int rows, untimed;
	char first[64];
	migrations_summary(&rows, &untimed, first, sizeof(first));
	cr_assert_eq(rows, tl_store_schema_version());
	cr_assert_eq(untimed, 0);
	cr_assert_str_eq(first, "001_foundation");

	sqlite3 *db;
	sqlite3_open(path, &db);
	cr_assert_eq(sqlite3_exec(db, "DROP TABLE schema_migrations", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(tl_store_open(&s, path, &e), 0, "%s", e.message);
	tl_store_close(s);
	migrations_summary(&rows, &untimed, first, sizeof(first));
	cr_assert_eq(rows, tl_store_schema_version());
	cr_assert_eq(untimed, tl_store_schema_version());
}

/* Migration 18 drops the documents table only when migrations 13-16 left
 * nothing in it: a document of a kind none of them knows stops it, and the
 * database stays at version 17 with the row in place. */
Test(store, keeps_a_document_no_migration_moved)
{
	tl_store *s;
	tl_error e = {0};
	cr_assert_eq(tl_store_open(&s, path, &e), 0, "%s", e.message);
	tl_store_close(s);
	sqlite3 *db;
	sqlite3_open(path, &db);
	cr_assert_eq(sqlite3_exec(db,
				  "CREATE TABLE documents (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
				  " id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);"
				  "INSERT INTO documents (kind, id, body) VALUES ('mystery', 'x_1', '{}');"
				  "DELETE FROM schema_migrations WHERE version = 18;"
				  "PRAGMA user_version = 17;",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(db);
	cr_assert_lt(tl_store_open(&s, path, &e), 0);
	cr_assert(strstr(e.message, "CHECK constraint failed"), "%s", e.message);
	tl_error_clear(&e);
	sqlite3_open(path, &db);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "SELECT (SELECT kind FROM documents), user_version FROM pragma_user_version",
			   -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "mystery");
	cr_assert_eq(sqlite3_column_int(st, 1), 17);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

Test(store, refuses_a_database_from_a_newer_tally)
{
	sqlite3 *db;
	sqlite3_open(path, &db);
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", tl_store_schema_version() + 1);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	tl_store *s;
	tl_error e = {0};
	cr_assert_lt(tl_store_open(&s, path, &e), 0);
	cr_assert_str_eq(e.code, "schema_too_new");
	cr_assert(strstr(e.message, "newer tallyd"), "%s", e.message);
	tl_error_clear(&e);
}

/* A backup restored into a new path opens as the store it was taken from;
 * restore refuses a path where a database is, and a file that is no
 * backup. */
Test(store, a_backup_restores_into_a_new_path_and_nowhere_else)
{
	tl_store *s;
	tl_error e = {0};
	cr_assert_eq(tl_store_open(&s, path, &e), 0, "%s", e.message);
	tl_account a;
	account(&a, "kept");
	cr_assert_eq(tl_store_write(s, insert_tx, &a, &e), 0, "%s", e.message);
	char backup[160], restored[160], junk[160];
	snprintf(backup, sizeof(backup), "%s/backup.db", dir);
	snprintf(restored, sizeof(restored), "%s/restored.db", dir);
	snprintf(junk, sizeof(junk), "%s/junk.db", dir);
	tl_backup_result r;
	cr_assert_eq(tl_store_backup(s, backup, &r, &e), 0, "%s", e.message);
	tl_store_close(s);

	cr_assert_eq(tl_store_restore(backup, restored, &e), 0, "%s: %s", e.code, e.message);
	cr_assert_eq(tl_store_open(&s, restored, &e), 0, "%s", e.message);
	cr_assert_eq(tl_store_read(s, get_tx, &a, &e), 0, "%s", e.message);
	tl_store_close(s);

	cr_assert_eq(tl_store_restore(backup, restored, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "database_exists");
	tl_error_clear(&e);
	FILE *f = fopen(junk, "w");
	cr_assert_not_null(f);
	fputs("not a database, not even close to one, but long enough to read", f);
	fclose(f);
	snprintf(restored, sizeof(restored), "%s/restored2.db", dir);
	cr_assert_lt(tl_store_restore(junk, restored, &e), 0);
	cr_assert_str_eq(e.code, "backup_invalid");
	tl_error_clear(&e);
}
