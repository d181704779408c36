/*
 * store_sqlite_ops.c: the SQLite driver's whole-database operations
 * (online backup and restore) and the retention purge.
 *
 * Backup. A connection of its own opens a read transaction on the live
 * database and keeps it for the whole copy, so every page comes from one
 * snapshot: the copy is consistent, and in WAL mode a reader never blocks
 * the writer (nor does the writer's commit restart the copy, which it
 * would do between steps without the open transaction). sqlite3_backup_step
 * copies TL_BACKUP_STEP_PAGES pages at a time with a pause between, so
 * the copy takes its share of the disk and nothing more.
 *
 * The destination is created with O_CREAT | O_EXCL | O_NOFOLLOW: a backup
 * never overwrites a file, nor follows a link someone left at its name. A
 * failed copy removes the file it created.
 *
 * Restore is the same copy the other way, into a database file that does
 * not exist yet, after the backup passed an integrity check and its schema
 * is one this build knows.
 */
#include "store/store_sqlite_internal.h"
#include "common/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sqlite_failed(sqlite3 *db, tl_error *err, const char *what)
{
	return tl_error_set(err, TL_EINTERNAL, "store_error", "%s: %s", what,
			    db ? sqlite3_errmsg(db) : "out of memory");
}

/* Creates path as a new, empty file of the owner only. */
static int create_new_file(const char *path, tl_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST || errno == ELOOP)
		return tl_error_set(err, TL_ECONFLICT, "backup_exists",
				    "%s already exists; a backup never overwrites a file", path);
	return tl_error_set(err, TL_ERULE, "backup_path_unusable", "cannot create %s: %s", path,
			    strerror(errno));
}

/* Copies src's main database into dst in steps; src's transaction (if one
 * is open) fixes the snapshot. */
static int copy_pages(sqlite3 *dst, sqlite3 *src, tl_backup_result *out, tl_error *err)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL)
		return sqlite_failed(dst, err, "starting the backup");
	int rc;
	/* bounded: each step copies pages or waits on a lock for at most the
	 * busy timeout; a database of N pages is done in N / step steps */
	unsigned busy_waits = 0;
	do {
		rc = sqlite3_backup_step(b, TL_BACKUP_STEP_PAGES);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			busy_waits++;
		if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(TL_BACKUP_PAUSE_MS);
	} while ((rc == SQLITE_OK || ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
				      busy_waits * TL_BACKUP_PAUSE_MS < TL_STORE_BUSY_TIMEOUT_MS)));
	out->pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return tl_error_set(err, rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? TL_EUNAVAILABLE
										  : TL_EINTERNAL,
				    rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? "store_busy"
									      : "store_error",
				    "backup: %s", sqlite3_errstr(rc));
	return sqlite3_errcode(dst) == SQLITE_OK ? 0 : sqlite_failed(dst, err, "backup");
}

static int open_db(const char *path, int flags, sqlite3 **out, tl_error *err)
{
	if (sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int rc = tl_error_set(err, TL_EUNAVAILABLE, "store_unavailable",
				      "cannot open %s: %s", path,
				      *out ? sqlite3_errmsg(*out) : "out of memory");
		sqlite3_close(*out);
		*out = NULL;
		return rc;
	}
	sqlite3_busy_timeout(*out, TL_STORE_BUSY_TIMEOUT_MS);
	return 0;
}

int tl_sqlite_backup(const char *path, const char *dest, tl_backup_result *out, tl_error *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = create_new_file(dest, err);
	if (rc < 0)
		return rc;
	rc = open_db(path, SQLITE_OPEN_READONLY, &src, err);
	/* the read transaction that pins the snapshot for every step */
	if (rc == 0 && sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_master;", NULL, NULL,
				    NULL) != SQLITE_OK)
		rc = sqlite_failed(src, err, "opening the backup's snapshot");
	rc = rc ? rc : open_db(dest, SQLITE_OPEN_READWRITE, &dst, err);
	rc = rc ? rc : copy_pages(dst, src, out, err);
	if (src) {
		sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(src);
	}
	if (dst && sqlite3_close(dst) != SQLITE_OK && rc == 0)
		rc = tl_error_set(err, TL_EINTERNAL, "store_error", "closing the backup failed");
	struct stat st;
	if (rc == 0 && stat(dest, &st) == 0)
		out->bytes = (int64_t)st.st_size;
	if (rc < 0)
		unlink(dest);
	return rc;
}

/* The backup answers an integrity check and has a schema this build can
 * open (it may be older: migrations bring it up on the next start). */
static int check_backup(sqlite3 *db, const char *backup, tl_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL);
	const unsigned char *verdict = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW
					       ? sqlite3_column_text(st, 0)
					       : NULL;
	int out = 0;
	if (verdict == NULL || strcmp((const char *)verdict, "ok") != 0)
		out = tl_error_set(err, TL_ERULE, "backup_invalid",
				   "%s is not a sound tally database: %s", backup,
				   verdict ? (const char *)verdict : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (out < 0)
		return out;
	int version = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 1 || version > tl_store_schema_version())
		return tl_error_set(err, TL_ERULE, "backup_invalid",
				    "%s has schema version %d; this tallyd knows 1 to %d", backup,
				    version, tl_store_schema_version());
	return 0;
}

/* The database and SQLite's side files must all be absent: a -wal file
 * left beside a restored database would be replayed into it. */
static int check_target_absent(const char *path, tl_error *err)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char name[4096];
		struct stat st;
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, suffixes[i]) >= sizeof(name))
			return tl_error_set(err, TL_EINVALID, "invalid_path", "path too long");
		if (lstat(name, &st) == 0)
			return tl_error_set(err, TL_ECONFLICT, "database_exists",
					    "%s exists; restore only into a new database file "
					    "(move the old one and its -wal and -shm away first)",
					    name);
	}
	return 0;
}

int tl_sqlite_restore(const char *backup, const char *path, tl_error *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	bool created = false;
	int rc = check_target_absent(path, err);
	rc = rc ? rc : open_db(backup, SQLITE_OPEN_READONLY, &src, err);
	rc = rc ? rc : check_backup(src, backup, err);
	/* O_EXCL again: something may have appeared there since the check */
	rc = rc ? rc : create_new_file(path, err);
	created = rc == 0;
	rc = rc ? rc : open_db(path, SQLITE_OPEN_READWRITE, &dst, err);
	tl_backup_result ignored = {0};
	rc = rc ? rc : copy_pages(dst, src, &ignored, err);
	sqlite3_close(src);
	if (dst && sqlite3_close(dst) != SQLITE_OK && rc == 0)
		rc = tl_error_set(err, TL_EINTERNAL, "store_error", "closing %s failed", path);
	if (rc < 0 && created)
		unlink(path);
	return rc;
}

int tl_sqlite_idem_purge(void *conn, int64_t before, size_t max, size_t *deleted,
			 tl_error *err)
{
	sqlite_conn *c = conn;
	*deleted = 0;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "DELETE FROM idempotency WHERE rowid IN"
					     " (SELECT rowid FROM idempotency WHERE created_at < ?1"
					     "  LIMIT ?2)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "idempotency retention");
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	int rc = tl_sqlite_step_done(c, st, err, "idempotency retention");
	if (rc == 0)
		*deleted = (size_t)sqlite3_changes(c->db);
	return rc;
}

/* Reads the primary key's (job, ...) prefix: every row of the job, of any
 * period. Fine for what /metrics counts (hold.warned: a row per short
 * account and day); a job with millions of rows would want an index on
 * (job, period). */
int tl_sqlite_job_run_count(void *conn, const char *job, const char *period, int64_t *out,
			    tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT count(*) FROM job_runs WHERE job = ?1"
					     " AND period = ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "job runs");
	sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "job runs");
}
