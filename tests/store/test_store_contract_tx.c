/* Store contract: transactions, savepoints, group commit, and the store's
 * own operations (ping, stats, backup). Every driver must pass this file
 * unchanged: it opens its store only through tests/support/store_fixture.h
 * (TALLY_TEST_STORE picks the driver). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"

static tl_store *s;

static void setup(void)
{
	tt_store_open_fresh(&s);
}

static void teardown(void)
{
	tt_store_close_fresh(s);
}

TestSuite(store_tx, .init = setup, .fini = teardown);

static void account(tl_account *a, const char *id)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->name, sizeof(a->name), "name of %s", id);
	snprintf(a->currency, sizeof(a->currency), "VND");
	snprintf(a->type, sizeof(a->type), "prepaid");
	a->created_at = 1795255200;
}

static int insert_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_store_account_insert(tx, arg, err);
}

/* arg: an id; 0 when the account is there, TL_ENOTFOUND when not */
static int exists_tx(tl_tx *tx, void *arg, tl_error *err)
{
	tl_account out;
	return tl_store_account_get(tx, arg, &out, err);
}

static int exists(char *id)
{
	tl_error e = {0};
	int rc = tl_store_read(s, exists_tx, id, &e);
	cr_assert(rc == 0 || rc == TL_ENOTFOUND, "%d %s: %s", rc, e.code, e.message);
	tl_error_clear(&e);
	return rc;
}

Test(store_tx, the_store_answers_and_has_a_schema_version)
{
	tl_error e = {0};
	cr_assert_eq(tl_store_ping(s, &e), 0, "%s", e.message);
	cr_assert_gt(tl_store_schema_version(), 0);
}

Test(store_tx, a_write_is_seen_by_a_later_read)
{
	tl_account a;
	account(&a, "acc_1");
	tt_store_must_write(s, insert_tx, &a);
	cr_assert_eq(exists((char *)"acc_1"), 0);
	cr_assert_eq(exists((char *)"acc_2"), TL_ENOTFOUND);
}

/* Inserts its account, then fails: nothing of it may stay. */
static int insert_then_fail_tx(tl_tx *tx, void *arg, tl_error *err)
{
	int rc = tl_store_account_insert(tx, arg, err);
	return rc ? rc : tl_error_set(err, TL_ERULE, "on_purpose", "fails after its insert");
}

Test(store_tx, a_failed_write_changes_nothing)
{
	tl_account a;
	account(&a, "acc_1");
	tl_error e = {0};
	cr_assert_eq(tl_store_write(s, insert_then_fail_tx, &a, &e), TL_ERULE);
	cr_assert_str_eq(e.code, "on_purpose");
	tl_error_clear(&e);
	cr_assert_eq(exists((char *)"acc_1"), TL_ENOTFOUND);

	/* a refused statement: the duplicate insert fails with its code and
	 * leaves the first row as it was */
	tt_store_must_write(s, insert_tx, &a);
	tl_account again = a;
	snprintf(again.name, sizeof(again.name), "another name");
	cr_assert_eq(tl_store_write(s, insert_tx, &again, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "already_exists");
	tl_error_clear(&e);
	cr_assert_eq(exists((char *)"acc_1"), 0);
}

typedef struct nested_arg {
	tl_account kept, undone, after;
	int nested_rc;
	char nested_code[48];
} nested_arg;

static int nested_tx(tl_tx *tx, void *arg, tl_error *err)
{
	nested_arg *n = arg;
	TT_OK(tl_store_account_insert(tx, &n->kept, TT_E));
	tl_error why = {0};
	n->nested_rc = tl_store_nested(tx, insert_then_fail_tx, &n->undone, &why);
	snprintf(n->nested_code, sizeof(n->nested_code), "%s", why.code);
	tl_error_clear(&why);
	/* the transaction goes on after the savepoint's failure */
	TT_OK(tl_store_account_insert(tx, &n->after, TT_E));
	/* and a savepoint that holds keeps its work */
	tl_account ok;
	account(&ok, "acc_nested_ok");
	TT_OK(tl_store_nested(tx, insert_tx, &ok, TT_E));
	return 0;
}

Test(store_tx, a_failed_savepoint_undoes_only_its_own_work)
{
	nested_arg n;
	account(&n.kept, "acc_kept");
	account(&n.undone, "acc_undone");
	account(&n.after, "acc_after");
	tt_store_must_write(s, nested_tx, &n);
	cr_assert_eq(n.nested_rc, TL_ERULE);
	cr_assert_str_eq(n.nested_code, "on_purpose");
	cr_assert_eq(exists((char *)"acc_kept"), 0);
	cr_assert_eq(exists((char *)"acc_undone"), TL_ENOTFOUND);
	cr_assert_eq(exists((char *)"acc_after"), 0);
	cr_assert_eq(exists((char *)"acc_nested_ok"), 0);
}

/* A savepoint whose statement the database refuses (a duplicate key):
 * the transaction around it goes on and commits (PostgreSQL aborts a whole
 * transaction on an error unless the driver keeps a savepoint). */
static int nested_refused_tx(tl_tx *tx, void *arg, tl_error *err)
{
	nested_arg *n = arg;
	TT_OK(tl_store_account_insert(tx, &n->kept, TT_E));
	TT_FAILS(tl_store_nested(tx, insert_tx, &n->kept, TT_E), TL_ECONFLICT, "already_exists");
	TT_OK(tl_store_account_insert(tx, &n->after, TT_E));
	return 0;
}

Test(store_tx, a_refused_statement_in_a_savepoint_leaves_the_transaction_usable)
{
	nested_arg n;
	account(&n.kept, "acc_kept");
	account(&n.after, "acc_after");
	tt_store_must_write(s, nested_refused_tx, &n);
	cr_assert_eq(exists((char *)"acc_kept"), 0);
	cr_assert_eq(exists((char *)"acc_after"), 0);
}

/* Writers in many threads, every third one failing on purpose: the failures
 * must not take their batch neighbours down, and batches must form. */
#define WRITERS 48
#define WRITES_EACH 20
typedef struct writer_arg {
	int index;
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
	for (int i = 0; i < WRITES_EACH; i++) {
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "acc_w%d_%d", w->index, i);
		account(&w->account, id);
		tl_error e = {0};
		w->rc = tl_store_write(s, insert_or_fail_tx, w, &e);
		tl_error_clear(&e);
		tl_error ge = {0};
		int found = tl_store_read(s, exists_tx, w->account.id, &ge);
		tl_error_clear(&ge);
		if ((w->rc == 0) != (found == 0) || (w->fail != (w->rc != 0))) {
			w->rc = 999;
			return NULL;
		}
	}
	w->rc = 0;
	return NULL;
}

Test(store_tx, group_commit_isolates_failures_and_batches_writes)
{
	tl_store_stats before;
	tl_store_get_stats(s, &before);
	pthread_t threads[WRITERS];
	static writer_arg args[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (writer_arg){.index = i, .fail = i % 3 == 0};
		pthread_create(&threads[i], NULL, writer_main, &args[i]);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		cr_expect_eq(args[i].rc, 0, "writer %d saw a lost or leaked write", i);
	}
	tl_store_stats stats;
	tl_store_get_stats(s, &stats);
	cr_assert_eq(stats.writes - before.writes, WRITERS * WRITES_EACH);
	cr_expect_lt(stats.batches - before.batches, stats.writes - before.writes,
		     "no two writes ever shared a commit");
}

/* ---- backup: what the API promises, whatever the driver ---------------- */

static char backup_dir[64];

static void backup_dir_make(void)
{
	snprintf(backup_dir, sizeof(backup_dir), "/tmp/tally-backup-XXXXXX");
	cr_assert_not_null(mkdtemp(backup_dir));
}

static void backup_dir_remove(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", backup_dir);
	cr_assert_eq(system(cmd), 0);
}

Test(store_tx, a_backup_is_written_once_and_refuses_what_it_cannot_write)
{
	tl_account a;
	account(&a, "acc_1");
	tt_store_must_write(s, insert_tx, &a);
	backup_dir_make();
	char dest[128];
	snprintf(dest, sizeof(dest), "%s/b.db", backup_dir);
	tl_backup_result r = {0};
	tl_error e = {0};
	cr_assert_eq(tl_store_backup(s, dest, &r, &e), 0, "%s: %s", e.code, e.message);
	cr_assert_gt(r.pages, 0);
	cr_assert_gt(r.bytes, 0);
	cr_assert_eq(access(dest, F_OK), 0);

	/* never over something already there */
	tl_backup_result again = {0};
	cr_assert_eq(tl_store_backup(s, dest, &again, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "backup_exists");
	tl_error_clear(&e);

	/* nor where nothing can be created */
	snprintf(dest, sizeof(dest), "%s/no/such/dir/b.db", backup_dir);
	cr_assert_eq(tl_store_backup(s, dest, &again, &e), TL_ERULE);
	cr_assert_str_eq(e.code, "backup_path_unusable");
	tl_error_clear(&e);

	/* the store serves on */
	cr_assert_eq(exists((char *)"acc_1"), 0);
	backup_dir_remove();
}
