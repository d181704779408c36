/*
 * Scenario: an online backup of a serving tallyd (POST /v1/admin/backup and
 * `tally admin backup`), restored with `tallyd --restore` into a fresh
 * tallyd that serves every kind of record back; and the backup's refusals
 * (an existing file, a name that is a path).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

static tt_server srv;
static char backup_dir[] = "/tmp/tally-backups-XXXXXX";

static void start(void)
{
	cr_assert_not_null(mkdtemp(backup_dir));
	const char *args[] = {"--backup-dir", backup_dir, NULL};
	tt_server_start(&srv, args);
}

static void stop(void)
{
	tt_server_stop(&srv);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", backup_dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(backup, .init = start, .fini = stop);

static tt_response admin(const tt_server *s, const char *method, const char *path,
			 const char *body)
{
	return tt_request(s, method, path, s->admin_token, body, NULL);
}

static void expect_status(tt_response r, long status)
{
	cr_assert_eq(r.status, status, "%ld %s", r.status, r.raw);
	tt_response_free(&r);
}

/* Writes while the backup runs: accounts created one after another. */
typedef struct writer {
	atomic_bool stop;
	atomic_int created;
} writer;

static void *write_accounts(void *arg)
{
	writer *w = arg;
	for (int i = 0; i < 2000 && !atomic_load(&w->stop); i++) {
		char body[64];
		snprintf(body, sizeof(body), "{\"name\":\"during-%d\"}", i);
		tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, body,
					   NULL);
		if (r.status == 201)
			atomic_fetch_add(&w->created, 1);
		tt_response_free(&r);
	}
	return NULL;
}

static int64_t account_count(const tt_server *s)
{
	int64_t n = 0;
	char path[128] = "/v1/accounts?limit=500";
	for (;;) {
		tt_response r = admin(s, "GET", path, NULL);
		cr_assert_eq(r.status, 200, "%s", r.raw);
		n += (int64_t)json_array_size(json_object_get(r.json, "data"));
		const char *next = json_string_value(json_object_get(r.json, "next"));
		if (next == NULL) {
			tt_response_free(&r);
			return n;
		}
		snprintf(path, sizeof(path), "/v1/accounts?limit=500&after=%s", next);
		tt_response_free(&r);
	}
}

static char *get_raw(const tt_server *s, const char *path, const char *token)
{
	tt_response r = tt_request(s, "GET", path, token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s: %s", path, r.raw);
	char *raw = strdup(r.raw);
	tt_response_free(&r);
	return raw;
}

Test(backup, a_backup_taken_while_serving_restores_into_a_tallyd_that_serves_it_all,
     .timeout = 120)
{
	/* data of several kinds: an account and its token, credit (ledger
	 * transfers), a coupon, a paid purchase (checkout, invoice, payment),
	 * a POC wallet, events */
	char acc[64], token[80], path[160];
	tt_create_account(&srv, "Kept", acc);
	tt_create_token(&srv, acc, token);
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	expect_status(admin(&srv, "POST", path, "{\"amount\":50000000,\"reference\":\"t\"}"), 201);
	expect_status(admin(&srv, "POST", "/v1/coupons",
			    "{\"code\":\"KEEP10\",\"percent_off\":10}"),
		      201);
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	expect_status(admin(&srv, "POST", path,
			    "{\"amount\":1000000,\"expires_at\":\"2030-01-01T00:00:00Z\"}"),
		      201);
	tt_response co = tt_request(&srv, "POST", "/v1/checkouts", token,
				    "{\"kind\":\"purchase\",\"items\":[{\"type\":\"server\","
				    "\"name\":\"web-1\",\"spec\":{\"flavor\":\"s.general.2c4g\"}}],"
				    "\"cycle_months\":1,\"auto_renew\":true,\"coupon\":\"KEEP10\"}",
				    NULL);
	cr_assert_eq(co.status, 201, "%s", co.raw);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(co.json, "id")));
	tt_response_free(&co);
	expect_status(tt_request(&srv, "POST", path, token, "{\"method\":\"credit\"}", NULL), 200);

	char *wallets = get_raw(&srv, "/v1/wallets", token);
	char *invoices = get_raw(&srv, "/v1/invoices", token);
	char *payments = get_raw(&srv, "/v1/payments", token);
	char *resources = get_raw(&srv, "/v1/resources", token);
	char *coupons = get_raw(&srv, "/v1/coupons", srv.admin_token);
	int64_t before = account_count(&srv);

	/* the backup, with writes going on beside it */
	writer w = {0};
	pthread_t thread;
	cr_assert_eq(pthread_create(&thread, NULL, write_accounts, &w), 0);
	while (atomic_load(&w.created) < 20)
		usleep(1000);
	tt_response b = admin(&srv, "POST", "/v1/admin/backup", "{\"file\":\"tally-1.db\"}");
	int during_backup = atomic_load(&w.created);
	usleep(50 * 1000);
	atomic_store(&w.stop, true);
	pthread_join(thread, NULL);
	cr_assert_eq(b.status, 201, "%s", b.raw);
	cr_expect_gt(json_integer_value(json_object_get(b.json, "pages")), 0);
	char file[300];
	snprintf(file, sizeof(file), "%s/tally-1.db", backup_dir);
	cr_assert_str_eq(json_string_value(json_object_get(b.json, "path")), file);
	tt_response_free(&b);
	cr_assert_gt(atomic_load(&w.created), during_backup, "writes went on after the backup");
	int64_t after = account_count(&srv);

	/* restore into a fresh tallyd: stopped, its database replaced */
	tt_server fresh = {0};
	tt_server_start(&fresh, NULL);
	snprintf(fresh.admin_token, sizeof(fresh.admin_token), "%s", srv.admin_token);
	cr_assert_eq(tt_server_term(&fresh), 0);
	char cmd[1200], out[512];
	snprintf(cmd, sizeof(cmd), "'%s' --restore '%s' --db '%s' 2>&1", tt_bin("tallyd"), file,
		 fresh.db);
	cr_assert_neq(tt_run(cmd, out, sizeof(out)), 0, "restored over a database: %s", out);
	cr_expect_not_null(strstr(out, "exists"), "%s", out);
	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm'", fresh.db, fresh.db, fresh.db);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "'%s' --restore '%s' --db '%s' 2>&1", tt_bin("tallyd"), file,
		 fresh.db);
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	tt_server_restart(&fresh, NULL);
	/* the same test-clock time, so "as_of" fields compare */
	tt_response now = admin(&srv, "GET", "/v1/admin/clock", NULL);
	char set[96];
	snprintf(set, sizeof(set), "{\"now\":\"%s\"}",
		 json_string_value(json_object_get(now.json, "now")));
	tt_response_free(&now);
	expect_status(admin(&fresh, "POST", "/v1/admin/clock", set), 200);

	/* everything the backup held, read back through the API */
	char *w2 = get_raw(&fresh, "/v1/wallets", token);
	char *i2 = get_raw(&fresh, "/v1/invoices", token);
	char *p2 = get_raw(&fresh, "/v1/payments", token);
	char *r2 = get_raw(&fresh, "/v1/resources", token);
	char *c2 = get_raw(&fresh, "/v1/coupons", fresh.admin_token);
	cr_expect_str_eq(w2, wallets);
	cr_expect_str_eq(i2, invoices);
	cr_expect_str_eq(p2, payments);
	cr_expect_str_eq(r2, resources);
	cr_expect_str_eq(c2, coupons);
	tt_response events = tt_request(&fresh, "GET", "/v1/events", token, NULL, NULL);
	cr_expect_eq(events.status, 200);
	cr_expect_gt(json_array_size(json_object_get(events.json, "data")), 0, "%s", events.raw);
	tt_response_free(&events);
	/* one snapshot: some of the accounts written beside it, not all */
	int64_t restored = account_count(&fresh);
	cr_expect_geq(restored, before + 20 - 1, "%lld %lld", (long long)restored,
		      (long long)before);
	cr_expect_leq(restored, after);
	tt_response check = admin(&fresh, "GET", "/v1/ledger/check", NULL);
	cr_expect(json_is_true(json_object_get(check.json, "ok")), "%s", check.raw);
	tt_response_free(&check);
	/* and the restored tallyd takes writes */
	expect_status(admin(&fresh, "POST", "/v1/accounts", "{\"name\":\"after\"}"), 201);

	free(wallets), free(invoices), free(payments), free(resources), free(coupons);
	free(w2), free(i2), free(p2), free(r2), free(c2);
	tt_server_stop(&fresh);
}

Test(backup, never_overwrites_and_takes_only_a_plain_name)
{
	expect_status(admin(&srv, "POST", "/v1/admin/backup", "{\"file\":\"a.db\"}"), 201);
	tt_response r = admin(&srv, "POST", "/v1/admin/backup", "{\"file\":\"a.db\"}");
	cr_expect_eq(r.status, 409, "%s", r.raw);
	cr_expect_str_eq(tt_error_code(&r), "backup_exists");
	tt_response_free(&r);
	static const char *const bad[] = {"../a.db", "/tmp/a.db", ".hidden", "x/y", "",
					   "tally.db-wal", "b.db-journal", "-rf"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[128];
		snprintf(body, sizeof(body), "{\"file\":\"%s\"}", bad[i]);
		r = admin(&srv, "POST", "/v1/admin/backup", body);
		cr_expect_eq(r.status, 400, "%s: %s", bad[i], r.raw);
		cr_expect_str_eq(tt_error_code(&r), "invalid_backup_name", "%s", bad[i]);
		tt_response_free(&r);
	}
	/* a link planted at the name is not followed */
	char target[300], link[300];
	snprintf(target, sizeof(target), "%s/target", backup_dir);
	snprintf(link, sizeof(link), "%s/link.db", backup_dir);
	cr_assert_eq(symlink(target, link), 0);
	r = admin(&srv, "POST", "/v1/admin/backup", "{\"file\":\"link.db\"}");
	cr_expect_eq(r.status, 409, "%s", r.raw);
	tt_response_free(&r);
	cr_expect_neq(access(target, F_OK), 0, "the backup followed the link");
	/* account tokens cannot back up */
	char acc[64], token[80];
	tt_create_account(&srv, "C", acc);
	tt_create_token(&srv, acc, token);
	r = tt_request(&srv, "POST", "/v1/admin/backup", token, "{\"file\":\"c.db\"}", NULL);
	cr_expect_eq(r.status, 403, "%s", r.raw);
	tt_response_free(&r);
}

Test(backup, the_cli_backs_up_and_names_the_file)
{
	char cmd[1024], out[1024];
	snprintf(cmd, sizeof(cmd), "env -u TALLY_ENDPOINT -u TALLY_PROFILE XDG_CONFIG_HOME=/nonexistent"
		 " TALLY_URL='%s' TALLY_TOKEN='%s' '%s' admin backup cli.db 2>&1",
		 srv.url, srv.admin_token, tt_bin("tally"));
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	char file[300];
	snprintf(file, sizeof(file), "%s/cli.db", backup_dir);
	cr_expect_not_null(strstr(out, file), "%s", out);
	cr_expect_eq(access(file, R_OK), 0);
	cr_expect_neq(tt_run(cmd, out, sizeof(out)), 0, "a second backup overwrote the first");
	cr_expect_not_null(strstr(out, "backup_exists"), "%s", out);
}
