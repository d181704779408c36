/*
 * make install's layout, installed into a temporary DESTDIR with
 * PREFIX=/usr (cmake --install on the tested build, which is what make
 * install runs: make install itself would reconfigure the build the other
 * tests are using), and the installed tallyd started from there with only
 * --listen, --db and a configuration file: it must find its console and
 * its catalog by itself.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void install(void)
{
	snprintf(root, sizeof(root), "/tmp/tally-install-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	char cmd[1024], out[16384];
	snprintf(cmd, sizeof(cmd), "DESTDIR='%s' cmake --install '%s/..' --prefix /usr 2>&1", root,
		 TALLY_BIN_DIR);
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "cmake --install failed: %s", out);
}

static void uninstall(void)
{
	char cmd[128], out[64];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	tt_run(cmd, out, sizeof(out));
}

TestSuite(install, .init = install, .fini = uninstall);

/* root + path, into a static buffer */
static const char *at(const char *path)
{
	static char full[512];
	snprintf(full, sizeof(full), "%s%s", root, path);
	return full;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot read %s", path);
	static char text[65536];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

Test(install, puts_every_file_where_operators_expect_it)
{
	static const char *const executables[] = {"/usr/bin/tallyd", "/usr/bin/tally"};
	for (size_t i = 0; i < 2; i++)
		cr_expect_eq(access(at(executables[i]), X_OK), 0, "no executable %s", executables[i]);
	static const char *const files[] = {
		"/usr/share/tally/web/index.html",        "/usr/share/tally/web/js/app.js",
		"/usr/share/tally/catalog/default.json",  "/usr/share/tally/tallyd.conf.example",
		"/usr/share/man/man1/tally.1",            "/usr/share/man/man8/tallyd.8",
		"/usr/lib/systemd/system/tallyd.service", "/usr/lib/sysusers.d/tally.conf",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		cr_expect_eq(access(at(files[i]), R_OK), 0, "no %s", files[i]);
	const char *unit = read_text(at("/usr/lib/systemd/system/tallyd.service"));
	cr_expect(strstr(unit, "\nExecStart=/usr/bin/tallyd\n"),
		  "the unit does not run the installed tallyd:\n%s", unit);
	/* nothing is installed outside the prefix (no /etc: the operator's) */
	char cmd[256], out[256];
	snprintf(cmd, sizeof(cmd), "ls -A '%s'", root);
	tt_run(cmd, out, sizeof(out));
	cr_expect_str_eq(out, "usr\n");
}

Test(install, installed_tallyd_serves_its_console_and_catalog)
{
	char conf[300];
	snprintf(conf, sizeof(conf), "%s/tallyd.conf", root);
	FILE *f = fopen(conf, "w");
	cr_assert_not_null(f);
	/* test-clock: proves the installed tallyd read the file */
	fputs("# the operator's file\ntest-clock = true\nno-access-log = true\n", f);
	fclose(f);
	const char *args[] = {"--config", conf, NULL};
	tt_server s;
	tt_server_start_bin(&s, at("/usr/bin/tallyd"), args);

	tt_response page = tt_request(&s, "GET", "/", NULL, NULL, NULL);
	cr_expect_eq(page.status, 200, "GET / %ld", page.status);
	cr_expect_str_eq(page.raw ? page.raw : "", read_text(at("/usr/share/tally/web/index.html")));
	tt_response script = tt_request(&s, "GET", "/js/app.js", NULL, NULL, NULL);
	cr_expect_eq(script.status, 200, "GET /js/app.js %ld", script.status);
	tt_response catalog = tt_request(&s, "GET", "/v1/catalog", s.admin_token, NULL, NULL);
	cr_expect_eq(catalog.status, 200, "GET /v1/catalog %ld %s", catalog.status, catalog.raw);
	cr_expect(catalog.raw && strstr(catalog.raw, "vserver"), "%s", catalog.raw);
	tt_response clock = tt_request(&s, "GET", "/v1/admin/clock", s.admin_token, NULL, NULL);
	cr_expect_eq(clock.status, 200, "the configuration file was not read: %ld", clock.status);

	/* and they are the installed copies, not the source tree's */
	char real[PATH_MAX], want[PATH_MAX + 64];
	cr_assert_not_null(realpath(root, real));
	const char *log = read_text(s.log);
	snprintf(want, sizeof(want), "\"console\":\"%s/usr/share/tally/web\"", real);
	cr_expect(strstr(log, want), "want %s in the log:\n%s", want, log);
	snprintf(want, sizeof(want), "\"catalog\":\"%s/usr/share/tally/catalog/default.json\"",
		 real);
	cr_expect(strstr(log, want), "want %s in the log:\n%s", want, log);

	tt_response_free(&page);
	tt_response_free(&script);
	tt_response_free(&catalog);
	tt_response_free(&clock);
	cr_expect_eq(tt_server_term(&s), 0, "the installed tallyd did not stop cleanly");
	tt_server_stop(&s);
}

Test(install, installed_example_configuration_checks)
{
	char cmd[1024], out[2048];
	snprintf(cmd, sizeof(cmd),
		 "'%s/usr/bin/tallyd' --config '%s/usr/share/tally/tallyd.conf.example' "
		 "--check-config 2>&1", root, root);
	cr_expect_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_expect(strstr(out, "configuration valid"), "%s", out);
	/* without the console beside it, the check says so */
	snprintf(cmd, sizeof(cmd), "mv '%s/usr/share/tally/web' '%s/usr/share/tally/web.moved'",
		 root, root);
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "'%s/usr/bin/tallyd' --config '' --check-config 2>&1", root);
	cr_expect_eq(tt_run(cmd, out, sizeof(out)), 1, "%s", out);
	cr_expect(strstr(out, "no web console"), "%s", out);
}

/* systemd-analyze verify (Debian's systemd package; no running systemd
 * needed) on the installed unit, its ExecStart pointed into DESTDIR and
 * its man page looked up there: no warning at all. */
Test(install, systemd_unit_verifies)
{
	char out[4096];
	if (tt_run("command -v systemd-analyze", out, sizeof(out)) != 0)
		cr_skip_test("systemd-analyze is not installed (Debian package systemd, which "
			     "scripts/install-deps installs)");
	char unit[300], cmd[1536];
	snprintf(unit, sizeof(unit), "%s/tallyd.service", root);
	snprintf(cmd, sizeof(cmd),
		 "sed 's|/usr/bin/tallyd|%s/usr/bin/tallyd|' "
		 "'%s/usr/lib/systemd/system/tallyd.service' > '%s'", root, root, unit);
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0);
	/* Documentation=man:tallyd(8) is looked up with man(1), if there is one */
	bool man = tt_run("command -v man", out, sizeof(out)) == 0;
	snprintf(cmd, sizeof(cmd), "MANPATH='%s/usr/share/man' systemd-analyze verify %s '%s' 2>&1",
		 root, man ? "" : "--man=no", unit);
	cr_expect_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_expect_str_eq(out, "", "systemd-analyze verify warns");
}
