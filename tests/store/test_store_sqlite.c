/* Store tests on a real SQLite file: migrations, transactions, group commit. */
#include <criterion/criterion.h>
#include <pthread.h>
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

Test(store, a_failed_write_changes_nothing)
{
	tl_store *s;
	tl_error e = {0};
	cr_assert_eq(tl_store_open(&s, path, &e), 0);
	tl_account a;
	account(&a, "one");
	cr_assert_eq(tl_store_write(s, insert_tx, &a, &e), 0);
	cr_assert_eq(tl_store_write(s, insert_tx, &a, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "already_exists");
	tl_error_clear(&e);
	cr_assert_eq(tl_store_read(s, get_tx, &a, &e), 0);
	tl_store_close(s);
}

/* Writers in many threads, every third one failing on purpose: the failures
 * must not take their batch neighbours down, and batches must form. */
#define WRITERS 48
typedef struct writer_arg {
	tl_store *store;
	tl_account account;
	bool fail;
	int rc;
} writer_arg;

static int insert_or_fail_tx(tl_tx *tx, void *arg, tl_error *err)
{
	writer_arg *w = arg;
	int rc = tl_store_account_insert(tx, &w->account, err);
	if (rc == 0 && w->fail)
		return tl_error_set(err, TL_ERULE, "on_purpose", "fails after its insert");
	return rc;
}

static void *writer_main(void *arg)
{
	writer_arg *w = arg;
	tl_error e = {0};
	for (int i = 0; i < 20; i++) {
		account(&w->account, "w");
		w->rc = tl_store_write(w->store, insert_or_fail_tx, w, &e);
		tl_error_clear(&e);
		tl_error ge = {0};
		int found = tl_store_read(w->store, get_tx, &w->account, &ge);
		tl_error_clear(&ge);
		if ((w->rc == 0) != (found == 0) || (w->fail != (w->rc != 0))) {
			w->rc = 999;
			return NULL;
		}
	}
	w->rc = 0;
	return NULL;
}

Test(store, group_commit_isolates_failures_and_batches_writes)
{
	tl_store *s;
	tl_error e = {0};
	cr_assert_eq(tl_store_open(&s, path, &e), 0);
	pthread_t threads[WRITERS];
	static writer_arg args[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (writer_arg){.store = s, .fail = i % 3 == 0};
		pthread_create(&threads[i], NULL, writer_main, &args[i]);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		cr_expect_eq(args[i].rc, 0, "writer %d saw a lost or leaked write", i);
	}
	tl_store_stats stats;
	tl_store_get_stats(s, &stats);
	cr_assert_eq(stats.writes, WRITERS * 20);
	cr_expect_lt(stats.batches, stats.writes, "no two writes ever shared a commit");
	tl_store_close(s);
}
