/* h_ops.c: liveness and metrics for operators. */
#include "api/api.h"
#include "api/metrics.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int tl_h_healthz(tl_request *req, tl_response *res, tl_error *err)
{
	(void)err;
	tl_error ping_err = {0};
	if (tl_store_ping(req->app->store, &ping_err) < 0) {
		tl_respond_json(res, 503, json_pack("{s:s, s:s, s:s}", "status", "unavailable",
						    "database", "unreachable", "reason",
						    ping_err.message));
		tl_error_clear(&ping_err);
		return 0;
	}
	tl_respond_json(res, 200, json_pack("{s:s, s:s}", "status", "ok", "database", "ok"));
	return 0;
}

int tl_h_metrics(tl_request *req, tl_response *res, tl_error *err)
{
	char *text = tl_metrics_render(req->app->metrics, req->app->store,
				       tl_clock_now(req->app->clock));
	if (text == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_respond_json(res, 200, NULL);
	res->text = text;
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return 0;
}

/* A backup's name is one plain file name: the admin token may create a new
 * file in the backup directory and nowhere else (no "/", no "..", no
 * hidden file), and never a name SQLite would take for a database's side
 * file (-wal, -shm, -journal) and replay. */
static bool backup_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > TL_BACKUP_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return false;
	static const char *const side_files[] = {"-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof(side_files) / sizeof(side_files[0]); i++) {
		size_t k = strlen(side_files[i]);
		if (n >= k && strcmp(name + n - k, side_files[i]) == 0)
			return false;
	}
	return true;
}

/* POST /v1/admin/backup {file}: an online backup of the store into a new
 * file of the backup directory (tallyd --backup-dir), while requests go
 * on. Not a change of the books, so no idempotency record and no audit
 * event: a retry with the same name is 409 backup_exists. */
int tl_h_admin_backup(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {{"file", TL_JSON_STRING, true}};
	json_t *in = NULL;
	int rc = tl_json_input(req, fields, 1, &in, err);
	const char *name = rc == 0 ? tl_json_str(in, "file") : NULL;
	char path[4096];
	if (rc == 0 && !backup_name_ok(name))
		rc = tl_error_set(err, TL_EINVALID, "invalid_backup_name",
				  "\"file\" must be a plain file name of 1 to %u letters, digits, "
				  "'.', '_' or '-', not starting with '.' or '-' and not ending in "
				  "-wal, -shm or -journal; it is created in the backup directory",
				  TL_BACKUP_NAME_MAX);
	if (rc == 0 && (req->app->backup_dir == NULL || req->app->backup_dir[0] == '\0'))
		rc = tl_error_set(err, TL_ERULE, "backups_disabled",
				  "this tallyd has no backup directory (--backup-dir)");
	if (rc == 0 && (size_t)snprintf(path, sizeof(path), "%s/%s", req->app->backup_dir, name) >=
			       sizeof(path))
		rc = tl_error_set(err, TL_EINVALID, "invalid_backup_name", "path too long");
	tl_backup_result done = {0};
	rc = rc ? rc : tl_store_backup(req->app->store, path, &done, err);
	if (rc == 0) {
		char at[TL_TIME_STR_MAX];
		tl_time_format(tl_clock_now(req->app->clock), at);
		tl_log("info", "backup written",
		       json_pack("{s:s, s:I, s:I}", "path", path, "pages", (json_int_t)done.pages,
				 "bytes", (json_int_t)done.bytes));
		tl_respond_json(res, 201,
				json_pack("{s:s, s:s, s:I, s:I, s:s}", "file", name, "path", path,
					  "pages", (json_int_t)done.pages, "bytes",
					  (json_int_t)done.bytes, "created_at", at));
	}
	json_decref(in);
	return rc;
}
