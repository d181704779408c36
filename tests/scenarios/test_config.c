/*
 * tallyd's configuration file (--config, TALLY_CONFIG): its settings reach
 * a real server, a flag wins over the environment and the environment over
 * the file, every option of --help is a key, mistakes name the file and the
 * line, and --check-config validates without opening the listener or the
 * database.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tally-config-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128], out[64];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	tt_run(cmd, out, sizeof(out));
}

TestSuite(config, .init = make_dir, .fini = remove_dir);

/* Writes text to dir/name; the path into path (256 bytes). */
static void write_file(const char *name, const char *text, char *path)
{
	snprintf(path, 256, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* A copy of the shipped catalog at dir/name. */
static void copy_catalog(const char *name, char *path)
{
	snprintf(path, 256, "%s/%s", dir, name);
	char cmd[700], out[256];
	snprintf(cmd, sizeof(cmd), "cp '%s/catalog/default.json' '%s' 2>&1", TALLY_SOURCE_DIR,
		 path);
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
}

/* A console directory (an index.html) at dir/name. */
static void make_console(const char *name, char *path)
{
	snprintf(path, 256, "%s/%s", dir, name);
	cr_assert_eq(mkdir(path, 0700), 0);
	char index[300];
	snprintf(index, sizeof(index), "%s/index.html", name);
	char ignored[256];
	write_file(index, "<!doctype html><title>t</title>\n", ignored);
}

/* Runs tallyd with env (shell assignments, may be "") and args; its exit
 * status, stdout and stderr into out. */
static int tallyd(const char *env, const char *args, char *out, size_t size)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "env -u TALLY_CONFIG -u TALLY_WEB -u TALLY_CATALOG %s '%s' %s 2>&1",
		 env, tt_bin("tallyd"), args);
	return tt_run(cmd, out, size);
}

Test(config, file_settings_reach_the_server_and_the_environment_wins_over_them)
{
	char conf[256], body[512];
	/* test-clock: the server is started with the real clock; web: the
	 * console is on by default; admin-token: the harness sets
	 * TALLY_ADMIN_TOKEN, which must win over the file's. */
	snprintf(body, sizeof(body),
		 "# tallyd.conf written by test_config\n"
		 "\n"
		 "  test-clock = true\n"
		 "web = \"\"\n"
		 "admin-token = file-token-that-the-environment-overrides\n");
	write_file("tallyd.conf", body, conf);
	const char *args[] = {"--config", conf, NULL};
	tt_server s;
	tt_server_start_real_clock(&s, args);

	tt_response clock = tt_request(&s, "GET", "/v1/admin/clock", s.admin_token, NULL, NULL);
	cr_expect_eq(clock.status, 200, "test-clock = true in the file: GET /v1/admin/clock %ld",
		     clock.status);
	tt_response page = tt_request(&s, "GET", "/", NULL, NULL, NULL);
	cr_expect_eq(page.status, 404, "web = \"\" in the file still serves a console: %ld",
		     page.status);
	tt_response file_token = tt_request(&s, "GET", "/v1/admin/clock",
					    "file-token-that-the-environment-overrides", NULL,
					    NULL);
	cr_expect_eq(file_token.status, 401,
		     "the file's admin-token won over TALLY_ADMIN_TOKEN: %ld", file_token.status);
	tt_response_free(&clock);
	tt_response_free(&page);
	tt_response_free(&file_token);
	cr_expect_eq(tt_server_term(&s), 0);
	tt_server_stop(&s);
}

Test(config, secrets_can_come_from_the_file)
{
	char conf[256];
	write_file("tallyd.conf", "admin-token = admin-from-the-file-0123456789\n", conf);
	const char *args[] = {"--config", conf, NULL};
	tt_server s;
	tt_server_start(&s, NULL);
	tt_server_term(&s);
	s.no_admin_env = true;
	tt_server_restart(&s, args);
	tt_response r = tt_request(&s, "GET", "/v1/admin/clock", "admin-from-the-file-0123456789",
				   NULL, NULL);
	cr_expect_eq(r.status, 200, "admin-token from the file: %ld %s", r.status, r.raw);
	tt_response_free(&r);
	tt_server_stop(&s);
}

Test(config, a_flag_wins_over_the_environment_which_wins_over_the_file)
{
	char cat_file[256], cat_env[256], cat_flag[256], web_file[256], web_env[256];
	char conf[256], body[1024], env[1024], args[1024], out[4096];
	copy_catalog("file.json", cat_file);
	copy_catalog("env.json", cat_env);
	copy_catalog("flag.json", cat_flag);
	make_console("web-file", web_file);
	make_console("web-env", web_env);
	/* the file's checkout-ttl is invalid, but the environment's replaces it */
	snprintf(body, sizeof(body), "catalog = %s\nweb = %s\ncheckout-ttl = 5\n", cat_file,
		 web_file);
	write_file("tallyd.conf", body, conf);
	snprintf(env, sizeof(env), "TALLY_CATALOG='%s' TALLY_WEB='%s' TALLY_CHECKOUT_TTL=600",
		 cat_env, web_env);
	snprintf(args, sizeof(args), "--config '%s' --catalog '%s' --check-config", conf,
		 cat_flag);
	cr_assert_eq(tallyd(env, args, out, sizeof(out)), 0, "%s", out);
	char want[600];
	snprintf(want, sizeof(want), "catalog %s;", cat_flag);
	cr_expect(strstr(out, want), "the flag's catalog did not win: %s", out);
	snprintf(want, sizeof(want), "console %s)", web_env);
	cr_expect(strstr(out, want), "the environment's console did not win over the file's: %s",
		  out);

	/* without the environment, the file's settings apply */
	snprintf(args, sizeof(args), "--config '%s' --check-config", conf);
	cr_expect_eq(tallyd("TALLY_CHECKOUT_TTL=600", args, out, sizeof(out)), 0, "%s", out);
	snprintf(want, sizeof(want), "catalog %s; console %s)", cat_file, web_file);
	cr_expect(strstr(out, want), "the file's catalog and console: %s", out);
}

Test(config, an_unknown_key_names_the_file_and_the_line)
{
	char conf[256], args[512], out[2048], want[400];
	write_file("tallyd.conf", "# a comment\nlisten = 127.0.0.1:0\nlisne = 127.0.0.1:0\n", conf);
	snprintf(args, sizeof(args), "--config '%s'", conf);
	cr_expect_eq(tallyd("", args, out, sizeof(out)), 2, "%s", out);
	snprintf(want, sizeof(want), "%s:3: unknown key \"lisne\"", conf);
	cr_expect(strstr(out, want), "want %s, got: %s", want, out);
	cr_expect_null(strstr(out, "listening"), "tallyd started: %s", out);

	snprintf(args, sizeof(args), "--config '%s' --check-config", conf);
	cr_expect_eq(tallyd("", args, out, sizeof(out)), 1, "%s", out);
	cr_expect(strstr(out, want), "--check-config: want %s, got: %s", want, out);
}

Test(config, bad_lines_and_values_name_the_file_and_the_line)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{"listen = 127.0.0.1:0\nhttp-threads = lots\n", ":2: http-threads must be 0 to 256"},
		{"\n\nheader-timeout = 5\n", ":3: header-timeout must be 100 to 3600000"},
		{"test-clock = maybe\n", ":1: test-clock must be true or false"},
		{"db\n", ":1: expected key = value"},
		{"db = a.db\ndb = b.db\n", ":2: db is set twice"},
		{"listen = nowhere\n", ":1: listen must be HOST:PORT"},
		/* --config is a flag and an environment variable only */
		{"config = other.conf\n", ":1: unknown key \"config\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char conf[256], args[512], out[2048], want[400];
		write_file("bad.conf", cases[i].text, conf);
		snprintf(args, sizeof(args), "--config '%s' --check-config", conf);
		cr_expect_eq(tallyd("", args, out, sizeof(out)), 1, "case %zu: %s", i, out);
		snprintf(want, sizeof(want), "%s%s", conf, cases[i].error);
		cr_expect(strstr(out, want), "case %zu: want %s, got: %s", i, want, out);
	}
	/* a secret is a key, not a flag: no --admin-token for ps to show */
	char out[2048];
	cr_expect_eq(tallyd("", "--admin-token secret --check-config", out, sizeof(out)), 2,
		     "--admin-token must not be a flag: %s", out);
}

/* Every option --help lists (a setting someone adds later too) is a key
 * of the file: a junk value may be refused, but never as an unknown key. */
Test(config, every_option_of_help_is_a_file_key)
{
	char help[8192];
	cr_assert_eq(tallyd("", "--help", help, sizeof(help)), 0);
	static const char *const not_settings[] = {"config", "check-config", "restore", "help",
						    "version"};
	int keys = 0;
	for (const char *p = strstr(help, "  --"); p != NULL; p = strstr(p + 1, "--")) {
		char name[64];
		if (sscanf(p + 2, "%63[a-z-]", name) != 1 || name[0] == '-')
			continue;
		bool skip = false;
		for (size_t i = 0; i < sizeof(not_settings) / sizeof(not_settings[0]); i++)
			skip = skip || strcmp(name, not_settings[i]) == 0;
		if (skip)
			continue;
		char conf[256], body[128], args[512], out[2048];
		snprintf(body, sizeof(body), "%s = 1\n", name);
		write_file("key.conf", body, conf);
		snprintf(args, sizeof(args), "--config '%s' --check-config", conf);
		int status = tallyd("", args, out, sizeof(out));
		cr_expect(status != 2 && strstr(out, "unknown key") == NULL,
			  "--%s is not a file key (exit %d): %s", name, status, out);
		keys++;
	}
	cr_expect_geq(keys, 12, "found only %d options in --help:\n%s", keys, help);
}

Test(config, check_config_validates_without_opening_the_store_or_the_listener)
{
	char conf[256], db[256], args[1024], out[2048];
	snprintf(db, sizeof(db), "%s/never.db", dir);
	write_file("tallyd.conf", "listen = 127.0.0.1:0\ncheckout-ttl = 900\n", conf);
	snprintf(args, sizeof(args), "--config '%s' --db '%s' --check-config", conf, db);
	cr_expect_eq(tallyd("", args, out, sizeof(out)), 0, "%s", out);
	cr_expect(strstr(out, "configuration valid"), "%s", out);
	cr_expect(strstr(out, conf), "the file checked is not named: %s", out);
	cr_expect_null(strstr(out, "listening"), "--check-config started the server: %s", out);
	cr_expect_neq(access(db, F_OK), 0, "--check-config created the database");

	/* a bad catalog */
	char catalog[256];
	write_file("broken.json", "{\"products\": [\n", catalog);
	snprintf(args, sizeof(args), "--config '%s' --catalog '%s' --check-config", conf, catalog);
	cr_expect_eq(tallyd("", args, out, sizeof(out)), 1, "%s", out);
	cr_expect(strstr(out, "invalid catalog"), "%s", out);

	/* a console directory without a console */
	snprintf(args, sizeof(args), "--config '%s' --web '%s' --check-config", conf, dir);
	cr_expect_eq(tallyd("", args, out, sizeof(out)), 1, "%s", out);
	cr_expect(strstr(out, "no web console"), "%s", out);

	/* a file named by --config or TALLY_CONFIG must exist */
	snprintf(args, sizeof(args), "--config '%s/missing.conf' --check-config", dir);
	cr_expect_eq(tallyd("", args, out, sizeof(out)), 1, "%s", out);
	cr_expect(strstr(out, "missing.conf"), "%s", out);
}

Test(config, tally_config_names_the_file)
{
	char conf[256], env[512], out[2048], want[400];
	write_file("env.conf", "web = \"\"\n", conf);
	snprintf(env, sizeof(env), "TALLY_CONFIG='%s'", conf);
	cr_expect_eq(tallyd(env, "--check-config", out, sizeof(out)), 0, "%s", out);
	snprintf(want, sizeof(want), "file %s;", conf);
	cr_expect(strstr(out, want), "TALLY_CONFIG was not read: %s", out);
	cr_expect(strstr(out, "console none"), "the file's web = \"\" did not apply: %s", out);
	/* --config '' reads no file at all */
	snprintf(env, sizeof(env), "TALLY_CONFIG='%s/missing.conf'", dir);
	cr_expect_eq(tallyd(env, "--config '' --check-config", out, sizeof(out)), 0, "%s", out);
	cr_expect(strstr(out, "file none"), "%s", out);
}
