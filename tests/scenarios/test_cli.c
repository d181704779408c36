/*
 * test_cli.c: the `tally` command-line client against a real tallyd.
 *
 * Each test starts tallyd (test clock, random port) and runs build/bin/tally
 * as a subprocess, as a person or a script would: TALLY_URL and TALLY_TOKEN
 * in its environment, stdout and stderr captured, the exit status checked.
 * What the client claims is checked against the server over HTTP where it
 * matters (the account really exists, the clock really moved, the top-up
 * really is 1250 minor units).
 *
 * The client never sees the tester's own configuration: XDG_CONFIG_HOME
 * points nowhere, TALLY_ENDPOINT and TALLY_PROFILE are unset, unless a
 * test sets them (CLI_ENV).
 */
#include "harness.h"
#include "common/timefmt.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Output kept from one run; far more than any command here prints. */
#define CLI_OUTPUT_MAX (1024 * 1024)

typedef struct cli_run {
	int status;   /* exit status; 128 + signal when killed */
	char *out;    /* stdout, NUL-terminated */
	char *err;    /* stderr, NUL-terminated */
	json_t *json; /* stdout parsed, or NULL */
} cli_run;

static char *slurp(int fd)
{
	char *text = calloc(1, CLI_OUTPUT_MAX + 1);
	cr_assert_not_null(text);
	size_t len = 0;
	lseek(fd, 0, SEEK_SET);
	for (;;) {
		ssize_t n = read(fd, text + len, CLI_OUTPUT_MAX - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return text;
}

static int temp_file(void)
{
	char path[] = "/tmp/tally-cli-out-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp failed");
	unlink(path);
	return fd;
}

/* Where the client looks for a config file unless a test says otherwise. */
#define NO_CONFIG_HOME "/nonexistent/tally-test-config"

/* env: "NAME=VALUE" sets, "NAME" unsets; applied last, NULL-terminated. */
static void set_env(const char *url, const char *token, const char *const *env)
{
	unsetenv("TALLY_ENDPOINT");
	unsetenv("TALLY_PROFILE");
	setenv("XDG_CONFIG_HOME", NO_CONFIG_HOME, 1);
	if (url)
		setenv("TALLY_URL", url, 1);
	else
		unsetenv("TALLY_URL");
	if (token)
		setenv("TALLY_TOKEN", token, 1);
	else
		unsetenv("TALLY_TOKEN");
	for (int i = 0; env && env[i]; i++) {
		char name[128];
		snprintf(name, sizeof(name), "%s", env[i]);
		char *eq = strchr(name, '=');
		if (eq == NULL) {
			unsetenv(name);
			continue;
		}
		*eq = '\0';
		setenv(name, strchr(env[i], '=') + 1, 1);
	}
}

/* Standard input is /dev/null: no terminal, so a command that would ask
 * a question must be told --yes (and a test never hangs on a prompt). */
static void exec_cli(const char *url, const char *token, const char *const *env,
		     const char *const *args, int out_fd, int err_fd)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = strdup("tally");
	for (int i = 0; args[i] && argc < 31; i++)
		argv[argc++] = strdup(args[i]);
	argv[argc] = NULL;
	int in_fd = open("/dev/null", O_RDONLY);
	if (in_fd >= 0)
		dup2(in_fd, STDIN_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	dup2(err_fd, STDERR_FILENO);
	set_env(url, token, env);
	execv(tt_bin("tally"), argv);
	_exit(127);
}

/* A tally started and not yet waited for. */
typedef struct cli_started {
	pid_t pid;
	int out_fd, err_fd;
} cli_started;

static cli_started start_cli(const char *url, const char *token, const char *const *env,
			     const char *const *args)
{
	cli_started c = {.out_fd = temp_file(), .err_fd = temp_file()};
	c.pid = fork();
	cr_assert(c.pid >= 0, "fork failed");
	if (c.pid == 0)
		exec_cli(url, token, env, args, c.out_fd, c.err_fd);
	return c;
}

static cli_run finish_cli(cli_started *c)
{
	int status = 0;
	cr_assert_eq(waitpid(c->pid, &status, 0), c->pid);
	cli_run r = {0};
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r.out = slurp(c->out_fd);
	r.err = slurp(c->err_fd);
	r.json = json_loads(r.out, 0, NULL);
	return r;
}

/* Runs tally with TALLY_URL=url and TALLY_TOKEN=token (NULL: unset), then
 * env's changes (may be NULL). */
static cli_run run_cli(const char *url, const char *token, const char *const *env,
		       const char *const *args)
{
	cli_started c = start_cli(url, token, env, args);
	return finish_cli(&c);
}

#define CLI(url, token, ...) \
	run_cli((url), (token), NULL, (const char *const[]){__VA_ARGS__, NULL})
#define CLI_ENV(env, url, token, ...) \
	run_cli((url), (token), (env), (const char *const[]){__VA_ARGS__, NULL})

static void cli_free(cli_run *r)
{
	free(r->out);
	free(r->err);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static void expect_status(const cli_run *r, int status)
{
	cr_assert_eq(r->status, status, "exit %d, wanted %d\nstdout: %s\nstderr: %s", r->status,
		     status, r->out, r->err);
}

static const char *json_str(const json_t *object, const char *key)
{
	const char *v = json_string_value(json_object_get(object, key));
	cr_assert_not_null(v, "no string \"%s\" in the answer", key);
	return v;
}

/* Creates an account through the CLI and returns its id in out (64 bytes). */
static void cli_create_account(const tt_server *s, const char *name, char *out)
{
	cli_run r = CLI(s->url, s->admin_token, "--json", "accounts", "create", "--name", name);
	expect_status(&r, 0);
	snprintf(out, 64, "%s", json_str(r.json, "id"));
	cli_free(&r);
}

/* The clock's now from the CLI's one-line output, as unix seconds. */
static int64_t parse_now(const char *line)
{
	char text[64];
	snprintf(text, sizeof(text), "%s", line);
	text[strcspn(text, "\n")] = '\0';
	int64_t t = 0;
	cr_assert_eq(tl_time_parse(text, &t), 0, "not an RFC 3339 time: '%s'", text);
	return t;
}

static int64_t server_now(const tt_server *s)
{
	tt_response r = tt_request(s, "GET", "/v1/admin/clock", s->admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "GET clock: %ld %s", r.status, r.raw);
	int64_t t = parse_now(json_str(r.json, "now"));
	tt_response_free(&r);
	return t;
}

Test(cli, accounts_create_prints_a_table_and_json)
{
	tt_server s;
	tt_server_start(&s, NULL);

	cli_run table = CLI(s.url, s.admin_token, "accounts", "create", "--name", "Table Co");
	expect_status(&table, 0);
	cr_expect(strncmp(table.out, "ID", 2) == 0, "no header: %s", table.out);
	cr_expect_not_null(strstr(table.out, "CURRENCY"));
	cr_expect_not_null(strstr(table.out, "Table Co"));
	cr_expect_not_null(strstr(table.out, "\nacc_"), "no account row: %s", table.out);
	cli_free(&table);

	cli_run json = CLI(s.url, s.admin_token, "--json", "accounts", "create", "--name",
			   "Json Co", "--currency", "VND");
	expect_status(&json, 0);
	cr_assert(json_is_object(json.json), "not JSON: %s", json.out);
	const char *id = json_str(json.json, "id");
	cr_expect(strncmp(id, "acc_", 4) == 0, "id %s", id);
	cr_expect_str_eq(json_str(json.json, "name"), "Json Co");
	cr_expect_str_eq(json_str(json.json, "currency"), "VND");

	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s", id);
	tt_response r = tt_request(&s, "GET", path, s.admin_token, NULL, NULL);
	cr_expect_eq(r.status, 200, "the account is not on the server: %ld %s", r.status, r.raw);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "name")), "Json Co");
	tt_response_free(&r);
	cli_free(&json);
	tt_server_stop(&s);
}

Test(cli, a_token_from_the_cli_shows_its_own_account)
{
	tt_server s;
	tt_server_start(&s, NULL);
	char id[64];
	cli_create_account(&s, "Token Co", id);

	cli_run table = CLI(s.url, s.admin_token, "tokens", "create", id);
	expect_status(&table, 0);
	cr_expect_not_null(strstr(table.out, "TOKEN"));
	cr_expect_not_null(strstr(table.out, id), "no account id: %s", table.out);
	cr_expect_not_null(strstr(table.err, "once"), "no shown-once note: %s", table.err);
	cli_free(&table);

	cli_run issued = CLI(s.url, s.admin_token, "--json", "tokens", "create", id);
	expect_status(&issued, 0);
	char token[256];
	snprintf(token, sizeof(token), "%s", json_str(issued.json, "token"));
	cr_expect_str_eq(json_str(issued.json, "account_id"), id);
	cli_free(&issued);

	/* The account's token, given with --token over an admin TALLY_TOKEN. */
	cli_run own = CLI(s.url, s.admin_token, "--token", token, "accounts", "show", id);
	expect_status(&own, 0);
	cr_expect_not_null(strstr(own.out, id));
	cr_expect_not_null(strstr(own.out, "Token Co"));
	cli_free(&own);

	cli_run wrong = CLI(s.url, "tly_not_a_real_token", "accounts", "show", id);
	expect_status(&wrong, 1);
	cr_expect(strstr(wrong.err, "unauthorized") || strstr(wrong.err, "invalid_token"),
		  "stderr: %s", wrong.err);
	cr_expect_str_eq(wrong.out, "");
	cli_free(&wrong);

	/* A metering token: it submits usage only, so it cannot show the account. */
	cli_run meter = CLI(s.url, s.admin_token, "--json", "tokens", "create", id, "--scope",
			    "metering");
	expect_status(&meter, 0);
	cr_expect_str_eq(json_str(meter.json, "scope"), "metering");
	snprintf(token, sizeof(token), "%s", json_str(meter.json, "token"));
	cli_free(&meter);
	cli_run refused = CLI(s.url, token, "accounts", "show", id);
	expect_status(&refused, 1);
	cli_free(&refused);
	cli_run bad = CLI(s.url, s.admin_token, "tokens", "create", id, "--scope", "root");
	expect_status(&bad, 1);
	cr_expect_not_null(strstr(bad.err, "invalid_scope"), "stderr: %s", bad.err);
	cli_free(&bad);
	tt_server_stop(&s);
}

Test(cli, an_error_answer_with_json_prints_the_body_and_exits_1)
{
	tt_server s;
	tt_server_start(&s, NULL);
	cli_run r = CLI(s.url, s.admin_token, "--json", "accounts", "show", "acc_nosuchaccount00");
	expect_status(&r, 1);
	json_t *error = json_object_get(r.json, "error");
	cr_assert(json_is_object(error), "stdout: %s", r.out);
	const char *code = json_str(error, "code");
	char expected[128];
	snprintf(expected, sizeof(expected), "error: %s: ", code);
	cr_expect_not_null(strstr(r.err, expected), "stderr: %s", r.err);
	cli_free(&r);
	tt_server_stop(&s);
}

Test(cli, usage_errors_exit_2)
{
	/* Nothing listens on port 1: a client that tried to connect would exit 3. */
	const char *url = "http://127.0.0.1:1";
	cli_run noun = CLI(url, "x", "bogus", "list");
	expect_status(&noun, 2);
	cr_expect_not_null(strstr(noun.err, "bogus"), "stderr: %s", noun.err);
	cr_expect_str_eq(noun.out, "");
	cli_free(&noun);

	cli_run verb = CLI(url, "x", "accounts", "frob");
	expect_status(&verb, 2);
	cr_expect_not_null(strstr(verb.err, "usage"), "stderr: %s", verb.err);
	cr_expect_not_null(strstr(verb.err, "tally accounts create"), "stderr: %s", verb.err);
	cli_free(&verb);

	cli_run missing = CLI(url, "x", "accounts", "create");
	expect_status(&missing, 2);
	cr_expect_not_null(strstr(missing.err, "--name"), "stderr: %s", missing.err);
	cli_free(&missing);

	cli_run option = CLI(url, "x", "--no-such-option", "health");
	expect_status(&option, 2);
	cli_free(&option);

	cli_run seconds = CLI(url, "x", "clock", "advance", "5x");
	expect_status(&seconds, 2);
	cli_free(&seconds);

	cli_run limit = CLI(url, "x", "accounts", "list", "--limit", "0");
	expect_status(&limit, 2);
	cli_free(&limit);
}

Test(cli, an_unreachable_server_exits_3_and_names_the_url)
{
	cli_run flag = CLI(NULL, "x", "--url", "http://127.0.0.1:1", "health");
	expect_status(&flag, 3);
	cr_expect_not_null(strstr(flag.err, "http://127.0.0.1:1"), "stderr: %s", flag.err);
	cli_free(&flag);

	cli_run env = CLI("http://127.0.0.1:1", "x", "accounts", "list");
	expect_status(&env, 3);
	cr_expect_not_null(strstr(env.err, "http://127.0.0.1:1"), "stderr: %s", env.err);
	cli_free(&env);
}

Test(cli, clock_advance_moves_the_clock_by_exactly_that_much)
{
	tt_server s;
	tt_server_start(&s, NULL);
	cli_run shown = CLI(s.url, s.admin_token, "--json", "clock", "show");
	expect_status(&shown, 0);
	int64_t start = parse_now(json_str(shown.json, "now"));
	cli_free(&shown);

	static const struct {
		const char *arg;
		int64_t seconds;
	} steps[] = {{"90", 90}, {"30s", 30}, {"15m", 900}, {"2h", 7200}, {"3d", 259200}};
	int64_t expected = start;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		cli_run r = CLI(s.url, s.admin_token, "clock", "advance", steps[i].arg);
		expect_status(&r, 0);
		expected += steps[i].seconds;
		cr_expect_eq(parse_now(r.out), expected, "after advance %s: %s", steps[i].arg,
			     r.out);
		cr_expect_eq(server_now(&s), expected, "server clock after advance %s",
			     steps[i].arg);
		cli_free(&r);
	}

	cli_run set = CLI(s.url, s.admin_token, "clock", "set", "2027-01-01T00:00:00Z");
	expect_status(&set, 0);
	cr_expect_str_eq(set.out, "2027-01-01T00:00:00Z\n");
	cli_free(&set);
	cli_run table = CLI(s.url, s.admin_token, "clock", "show");
	expect_status(&table, 0);
	cr_expect_str_eq(table.out, "2027-01-01T00:00:00Z\n");
	cli_free(&table);
	tt_server_stop(&s);
}

Test(cli, events_list_shows_account_created)
{
	tt_server s;
	tt_server_start(&s, NULL);
	char id[64];
	cli_create_account(&s, "Audited Co", id);

	cli_run table = CLI(s.url, s.admin_token, "events", "list", "--account", id);
	expect_status(&table, 0);
	cr_expect(strncmp(table.out, "CREATED", 7) == 0, "no header: %s", table.out);
	const char *line = strstr(table.out, "account.created");
	cr_assert_not_null(line, "stdout: %s", table.out);
	cr_expect_not_null(strstr(line, id), "the event's subject is not %s: %s", id, table.out);
	cli_free(&table);

	cli_run json = CLI(s.url, s.admin_token, "--json", "events", "list", "--account", id);
	expect_status(&json, 0);
	json_t *data = json_object_get(json.json, "data");
	cr_assert(json_is_array(data), "stdout: %s", json.out);
	bool found = false;
	for (size_t i = 0; i < json_array_size(data); i++) {
		json_t *e = json_array_get(data, i);
		if (strcmp(json_str(e, "type"), "account.created") != 0)
			continue;
		found = true;
		cr_expect_str_eq(json_str(e, "subject_id"), id);
		cr_expect(strlen(json_str(e, "actor")) > 0);
	}
	cr_expect(found, "no account.created event: %s", json.out);
	cli_free(&json);
	tt_server_stop(&s);
}

Test(cli, accounts_list_pages_with_after)
{
	tt_server s;
	tt_server_start(&s, NULL);
	char ids[3][64];
	cli_create_account(&s, "Page One", ids[0]);
	cli_create_account(&s, "Page Two", ids[1]);
	cli_create_account(&s, "Page Three", ids[2]);

	cli_run table = CLI(s.url, s.admin_token, "accounts", "list", "--limit", "2");
	expect_status(&table, 0);
	cr_expect_not_null(strstr(table.err, "--after"), "no next-page hint: %s", table.err);
	cli_free(&table);

	cli_run first = CLI(s.url, s.admin_token, "--json", "accounts", "list", "--limit", "2");
	expect_status(&first, 0);
	cr_assert_eq(json_array_size(json_object_get(first.json, "data")), 2, "%s", first.out);
	cli_run second = CLI(s.url, s.admin_token, "--json", "accounts", "list", "--limit", "2",
			     "--after", json_str(first.json, "next"));
	expect_status(&second, 0);
	json_t *rest = json_object_get(second.json, "data");
	cr_assert_eq(json_array_size(rest), 1, "%s", second.out);
	cr_expect(json_is_null(json_object_get(second.json, "next")), "%s", second.out);

	for (int k = 0; k < 3; k++) { /* each account on exactly one page */
		int seen = (strstr(first.out, ids[k]) != NULL) + (strstr(second.out, ids[k]) != NULL);
		cr_expect_eq(seen, 1, "%s seen %d times", ids[k], seen);
	}
	cli_free(&first);
	cli_free(&second);
	tt_server_stop(&s);
}

Test(cli, idempotency_key_returns_the_first_answer)
{
	tt_server s;
	tt_server_start(&s, NULL);
	cli_run a = CLI(s.url, s.admin_token, "--idempotency-key", "cli-key-1", "--json",
			"accounts", "create", "--name", "Once Co");
	cli_run b = CLI(s.url, s.admin_token, "--idempotency-key", "cli-key-1", "--json",
			"accounts", "create", "--name", "Once Co");
	expect_status(&a, 0);
	expect_status(&b, 0);
	cr_expect_str_eq(json_str(a.json, "id"), json_str(b.json, "id"));

	cli_run c = CLI(s.url, s.admin_token, "--idempotency-key", "cli-key-1", "accounts",
			"create", "--name", "Other Co");
	expect_status(&c, 1);
	cr_expect_not_null(strstr(c.err, "idempotency_key_reused"), "stderr: %s", c.err);
	cli_free(&a);
	cli_free(&b);
	cli_free(&c);
	tt_server_stop(&s);
}

Test(cli, health_version_and_help)
{
	tt_server s;
	tt_server_start(&s, NULL);
	cli_run health = CLI(s.url, NULL, "health");
	expect_status(&health, 0);
	cr_expect_str_eq(health.out, "ok\n");
	cli_free(&health);
	cli_run json = CLI(s.url, NULL, "--json", "health");
	expect_status(&json, 0);
	cr_expect(json_is_object(json.json), "stdout: %s", json.out);
	cli_free(&json);
	tt_server_stop(&s);

	cli_run version = CLI(NULL, NULL, "--version");
	expect_status(&version, 0);
	cr_expect_str_eq(version.out, "tally 0.1.0\n");
	cli_free(&version);
	cli_run help = CLI(NULL, NULL, "--help");
	expect_status(&help, 0);
	cr_expect_not_null(strstr(help.out, "exit status"), "stdout: %s", help.out);
	cr_expect_not_null(strstr(help.out, "could not reach the server"));
	cli_free(&help);
}

/* ---- money, profiles, endpoints ------------------------------------------- */

/* Creates an account in currency through the CLI; its id into out (64). */
static void cli_create_account_in(const tt_server *s, const char *name, const char *currency,
				  char *out)
{
	cli_run r = CLI(s->url, s->admin_token, "--output", "json", "accounts", "create", "--name",
			name, "--currency", currency);
	expect_status(&r, 0);
	snprintf(out, 64, "%s", json_str(r.json, "id"));
	cli_free(&r);
}

/* GET /v1/wallets?account_id=id as the admin; the caller frees. */
static tt_response api_wallets(const tt_server *s, const char *id)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/wallets?account_id=%s", id);
	tt_response r = tt_request(s, "GET", path, s->admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "GET %s: %ld %s", path, r.status, r.raw);
	return r;
}

static json_int_t credit_balance(const tt_server *s, const char *id)
{
	tt_response r = api_wallets(s, id);
	json_int_t balance =
		json_integer_value(json_object_get(json_object_get(r.json, "credit"), "balance"));
	tt_response_free(&r);
	return balance;
}

Test(cli, wallets_after_a_top_up_in_table_and_json)
{
	tt_server s;
	tt_server_start(&s, NULL);
	char id[64];
	cli_create_account_in(&s, "Wallet Co", "VND", id);
	cli_run top = CLI(s.url, s.admin_token, "credit", "top-up", id, "--amount", "1,250,000",
			  "--reference", "bank-1");
	expect_status(&top, 0);
	cr_expect_not_null(strstr(top.out, "1,250,000 VND"), "stdout: %s", top.out);
	cli_free(&top);

	cli_run table = CLI(s.url, s.admin_token, "wallets", "--account", id);
	expect_status(&table, 0);
	cr_expect(strncmp(table.out, "WALLET", 6) == 0, "no header: %s", table.out);
	const char *row = strstr(table.out, "\ncw_");
	cr_assert_not_null(row, "no credit wallet row: %s", table.out);
	cr_expect_not_null(strstr(row, "credit"), "stdout: %s", table.out);
	cr_expect_not_null(strstr(row, "1,250,000 VND"), "stdout: %s", table.out);
	cr_expect_null(strstr(table.out, "1250000"), "unformatted money: %s", table.out);
	cli_free(&table);

	/* --output json is the API's answer, unchanged; --json is the same. */
	tt_response api = api_wallets(&s, id);
	cli_run json = CLI(s.url, s.admin_token, "--output", "json", "wallets", "--account", id);
	expect_status(&json, 0);
	cr_assert(json_equal(json.json, api.json), "cli: %s\napi: %s", json.out, api.raw);
	json_t *credit = json_object_get(json.json, "credit");
	cr_expect_eq(json_integer_value(json_object_get(credit, "balance")), 1250000);
	cli_run old = CLI(s.url, s.admin_token, "--json", "wallets", "--account", id);
	expect_status(&old, 0);
	cr_expect_str_eq(old.out, json.out);
	cli_free(&old);
	cli_free(&json);
	tt_response_free(&api);
	tt_server_stop(&s);
}

Test(cli, a_decimal_top_up_is_exact_minor_units)
{
	tt_server s;
	tt_server_start(&s, NULL);
	char id[64];
	cli_create_account_in(&s, "Dollar Co", "USD", id);

	cli_run top = CLI(s.url, s.admin_token, "credit", "top-up", id, "--amount", "12.50");
	expect_status(&top, 0);
	cr_expect_not_null(strstr(top.out, "12.50 USD"), "stdout: %s", top.out);
	cli_free(&top);
	cr_expect_eq(credit_balance(&s, id), 1250);

	/* More decimals than USD has, nothing, zero: usage errors, nothing moves. */
	static const char *const bad[] = {"12.505", "12.", "0", "-5", "1e3", "1,25"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cli_run r = CLI(s.url, s.admin_token, "credit", "top-up", id, "--amount", bad[i]);
		expect_status(&r, 2);
		cr_expect_not_null(strstr(r.err, "--amount"), "%s: %s", bad[i], r.err);
		cli_free(&r);
	}
	cr_expect_eq(credit_balance(&s, id), 1250);

	cli_run minor = CLI(s.url, s.admin_token, "--output", "json", "credit", "top-up", id,
			    "--amount", "7", "--minor");
	expect_status(&minor, 0);
	cr_expect_eq(json_integer_value(json_object_get(minor.json, "amount")), 7);
	cli_free(&minor);
	cli_run cents = CLI(s.url, s.admin_token, "credit", "top-up", id, "--amount", "0.05");
	expect_status(&cents, 0);
	cli_free(&cents);
	cr_expect_eq(credit_balance(&s, id), 1262);

	cli_run table = CLI(s.url, s.admin_token, "wallets", "--account", id);
	expect_status(&table, 0);
	cr_expect_not_null(strstr(table.out, "12.62 USD"), "stdout: %s", table.out);
	cli_free(&table);
	tt_server_stop(&s);
}

Test(cli, poc_grant_holds_and_transfers)
{
	tt_server s;
	tt_server_start(&s, NULL);
	char id[64], file[] = "/tmp/tally-cli-batch-XXXXXX";
	cli_create_account_in(&s, "Hold Co", "VND", id);
	cli_run top = CLI(s.url, s.admin_token, "credit", "top-up", id, "--amount", "1000000");
	expect_status(&top, 0);
	cli_free(&top);
	cli_run grant = CLI(s.url, s.admin_token, "poc-wallets", "grant", id, "--amount", "50000",
			    "--expires-at", "2030-01-01T00:00:00Z");
	expect_status(&grant, 0);
	cr_expect_not_null(strstr(grant.out, "50,000 VND"), "stdout: %s", grant.out);
	cli_free(&grant);

	/* A hold and one transfer too large: exit 1, the hold is made. */
	int fd = mkstemp(file);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "[{\"id\": \"hold-1\", \"debit_account\": \"cw_%s\", \"credit_account\": "
		   "\"sys_revenue_vnd\", \"amount\": 400000, \"code\": \"checkout_hold\", "
		   "\"pending\": true},\n {\"id\": \"big\", \"debit_account\": \"cw_%s\", "
		   "\"credit_account\": \"sys_revenue_vnd\", \"amount\": 99000000, \"code\": "
		   "\"pay\"}]\n", id + 4, id + 4);
	fclose(f);
	cli_run batch = CLI(s.url, s.admin_token, "transfers", "create", "--file", file);
	expect_status(&batch, 1);
	cr_expect_not_null(strstr(batch.out, "exceeds_credits"), "stdout: %s", batch.out);
	cr_expect_not_null(strstr(batch.err, "failed"), "stderr: %s", batch.err);
	cli_free(&batch);
	unlink(file);

	cli_run holds = CLI(s.url, s.admin_token, "holds", "--account", id);
	expect_status(&holds, 0);
	const char *row = strstr(holds.out, "hold-1");
	cr_assert_not_null(row, "stdout: %s", holds.out);
	cr_expect_not_null(strstr(row, "pending"), "stdout: %s", holds.out);
	cr_expect_not_null(strstr(row, "400,000 VND"), "stdout: %s", holds.out);
	cli_free(&holds);

	cli_run wallets = CLI(s.url, s.admin_token, "wallets", "--account", id);
	expect_status(&wallets, 0);
	cr_expect_not_null(strstr(wallets.out, "600,000 VND"), "available: %s", wallets.out);
	cr_expect_not_null(strstr(wallets.out, "\npw_"), "no POC row: %s", wallets.out);
	cli_free(&wallets);

	char cw[64];
	snprintf(cw, sizeof(cw), "cw_%s", id + 4);
	cli_run list = CLI(s.url, s.admin_token, "transfers", "list", "--account", cw);
	expect_status(&list, 0);
	cr_expect_not_null(strstr(list.out, "1,000,000 VND"), "stdout: %s", list.out);
	cr_expect_not_null(strstr(list.out, "hold-1"), "stdout: %s", list.out);
	cli_free(&list);
	tt_server_stop(&s);
}

Test(cli, ledger_check_is_ok_in_table_and_json)
{
	tt_server s;
	tt_server_start(&s, NULL);
	char id[64];
	cli_create_account_in(&s, "Checked Co", "EUR", id);
	cli_run top = CLI(s.url, s.admin_token, "credit", "top-up", id, "--amount", "3.25");
	expect_status(&top, 0);
	cli_free(&top);

	cli_run table = CLI(s.url, s.admin_token, "ledger", "check");
	expect_status(&table, 0);
	cr_expect(strncmp(table.out, "OK", 2) == 0, "stdout: %s", table.out);
	cr_expect_not_null(strstr(table.out, "true"), "stdout: %s", table.out);
	cli_free(&table);
	cli_run json = CLI(s.url, s.admin_token, "--output", "json", "ledger", "check");
	expect_status(&json, 0);
	cr_expect(json_is_true(json_object_get(json.json, "ok")), "stdout: %s", json.out);
	cli_free(&json);

	/* An account token may not check the ledger: the API's 403, exit 1. */
	char token[80];
	tt_create_token(&s, id, token);
	cli_run denied = CLI(s.url, token, "ledger", "check");
	expect_status(&denied, 1);
	cr_expect_not_null(strstr(denied.err, "error: "), "stderr: %s", denied.err);
	cli_free(&denied);

	/* The account's own token sees its wallet without --account. */
	cli_run own = CLI(s.url, token, "wallets");
	expect_status(&own, 0);
	cr_expect_not_null(strstr(own.out, "3.25 EUR"), "stdout: %s", own.out);
	cli_free(&own);
	tt_server_stop(&s);
}

/* A temporary XDG_CONFIG_HOME, its setting in env_out (for CLI_ENV). */
typedef struct config_home {
	char dir[64];
	char env[96];
	char file[128];
} config_home;

static void config_home_make(config_home *h)
{
	snprintf(h->dir, sizeof(h->dir), "/tmp/tally-cli-cfg-XXXXXX");
	cr_assert_not_null(mkdtemp(h->dir));
	snprintf(h->env, sizeof(h->env), "XDG_CONFIG_HOME=%s", h->dir);
	snprintf(h->file, sizeof(h->file), "%s/tally/config", h->dir);
}

static void config_home_remove(const config_home *h)
{
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/tally", h->dir);
	unlink(h->file);
	rmdir(dir);
	rmdir(h->dir);
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "no %s", path);
	return (unsigned)(st.st_mode & 0777);
}

/* Saves profile `name` with tally configure, without TALLY_* in the way. */
static void configure(const config_home *h, const char *name, const char *url,
		      const char *token)
{
	const char *const env[] = {h->env, NULL};
	cli_run r = CLI_ENV(env, NULL, NULL, "configure", "--profile", name, "--endpoint", url,
			    "--token", token);
	expect_status(&r, 0);
	cr_expect_null(strstr(r.out, token), "the token was echoed: %s", r.out);
	cr_expect_null(strstr(r.err, token), "the token was echoed: %s", r.err);
	cli_free(&r);
}

Test(cli, profiles_from_tally_configure)
{
	tt_server s;
	tt_server_start(&s, NULL);
	config_home h;
	config_home_make(&h);
	configure(&h, "ops", s.url, s.admin_token);
	configure(&h, "default", "http://127.0.0.1:1", "tly_not_a_real_token");
	cr_expect_eq(mode_of(h.file), 0600u, "config mode %o", mode_of(h.file));
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/tally", h.dir);
	cr_expect_eq(mode_of(dir), 0700u, "directory mode %o", mode_of(dir));

	const char *const env[] = {h.env, NULL};
	cli_run named = CLI_ENV(env, NULL, NULL, "--profile", "ops", "ledger", "check");
	expect_status(&named, 0);
	cli_free(&named);
	const char *const env_profile[] = {h.env, "TALLY_PROFILE=ops", NULL};
	cli_run by_env = CLI_ENV(env_profile, NULL, NULL, "ledger", "check");
	expect_status(&by_env, 0);
	cli_free(&by_env);
	cli_run fallback = CLI_ENV(env, NULL, NULL, "ledger", "check"); /* "default" */
	expect_status(&fallback, 3);
	cli_free(&fallback);

	/* Precedence: the option, then the environment, then the profile. */
	cli_run flag = CLI_ENV(env, NULL, NULL, "--profile", "ops", "--endpoint",
			       "http://127.0.0.1:1", "ledger", "check");
	expect_status(&flag, 3);
	cli_free(&flag);
	cli_run token_env = CLI_ENV(env, NULL, "tly_not_a_real_token", "--profile", "ops",
				    "ledger", "check");
	expect_status(&token_env, 1);
	cli_free(&token_env);
	cli_run url_env = CLI_ENV(env, s.url, NULL, "ledger", "check"); /* default's token */
	expect_status(&url_env, 1);
	cli_free(&url_env);

	cli_run missing = CLI_ENV(env, NULL, NULL, "--profile", "nope", "health");
	expect_status(&missing, 2);
	cr_expect_not_null(strstr(missing.err, "nope"), "stderr: %s", missing.err);
	cli_free(&missing);

	/* Updating one key keeps the other and the other profiles. */
	cli_run update = CLI_ENV(env, NULL, NULL, "configure", "--profile", "ops", "--endpoint",
				 s.url);
	expect_status(&update, 0);
	cli_free(&update);
	cli_run again = CLI_ENV(env, NULL, NULL, "--profile", "ops", "ledger", "check");
	expect_status(&again, 0);
	cli_free(&again);
	cr_expect_eq(mode_of(h.file), 0600u);
	config_home_remove(&h);
	tt_server_stop(&s);
}

Test(cli, tally_endpoint_and_the_old_names)
{
	tt_server s;
	tt_server_start(&s, NULL);
	const char *const env[] = {"TALLY_URL", NULL};
	char endpoint[128];
	snprintf(endpoint, sizeof(endpoint), "TALLY_ENDPOINT=%s", s.url);
	const char *const env_endpoint[] = {endpoint, NULL};

	cli_run by_env = CLI_ENV(env_endpoint, NULL, s.admin_token, "ledger", "check");
	expect_status(&by_env, 0);
	cli_free(&by_env);
	/* TALLY_ENDPOINT wins over TALLY_URL. */
	cli_run both = CLI_ENV(env_endpoint, "http://127.0.0.1:1", s.admin_token, "health");
	expect_status(&both, 0);
	cli_free(&both);
	cli_run flag = CLI_ENV(env, NULL, NULL, "--endpoint", s.url, "health");
	expect_status(&flag, 0);
	cli_free(&flag);
	cli_run old = CLI_ENV(env, NULL, NULL, "--url", s.url, "--json", "health");
	expect_status(&old, 0);
	cr_expect(json_is_object(old.json), "stdout: %s", old.out);
	cli_free(&old);
	tt_server_stop(&s);

	cli_run gone = CLI_ENV(env_endpoint, NULL, "x", "wallets");
	expect_status(&gone, 3);
	cr_expect_not_null(strstr(gone.err, s.url), "stderr: %s", gone.err);
	cli_free(&gone);
	cli_run bad = CLI(NULL, NULL, "--output", "yaml", "health");
	expect_status(&bad, 2);
	cli_free(&bad);
}

Test(cli, money_commands_with_a_wrong_token_or_no_server)
{
	tt_server s;
	tt_server_start(&s, NULL);
	char id[64];
	cli_create_account_in(&s, "Locked Co", "VND", id);
	cli_run wallets = CLI(s.url, "tly_not_a_real_token", "wallets", "--account", id);
	expect_status(&wallets, 1);
	cr_expect_not_null(strstr(wallets.err, "invalid_token"), "stderr: %s", wallets.err);
	cr_expect_str_eq(wallets.out, "");
	cli_free(&wallets);
	cli_run top = CLI(s.url, "tly_not_a_real_token", "credit", "top-up", id, "--amount", "5");
	expect_status(&top, 1);
	cli_free(&top);
	cr_expect_eq(credit_balance(&s, id), 0);
	tt_server_stop(&s);

	cli_run check = CLI(NULL, "x", "--endpoint", "http://127.0.0.1:1", "ledger", "check");
	expect_status(&check, 3);
	cli_free(&check);
	cli_run holds = CLI("http://127.0.0.1:1", "x", "holds", "--account", id);
	expect_status(&holds, 3);
	cli_free(&holds);
}

/* ---- resources, Stop POC, checkouts, billing history ------------------------ */

/* An account (VND) and its token, made over HTTP as the admin. */
typedef struct customer {
	char account[64];
	char token[80];
} customer;

static tt_response api(const tt_server *s, const char *token, const char *method,
		       const char *body, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static tt_response api(const tt_server *s, const char *token, const char *method,
		       const char *body, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return tt_request(s, method, path, token, body, NULL);
}

/* The answer's JSON, once its status is checked; the caller decrefs. */
static json_t *answer(tt_response r, long status)
{
	cr_assert_eq(r.status, status, "HTTP %ld, wanted %ld: %s", r.status, status, r.raw);
	json_t *j = json_incref(r.json);
	tt_response_free(&r);
	return j;
}

/* A customer with a POC wallet of 100,000,000 VND and `credit` of credit. */
static void customer_new(const tt_server *s, customer *c, long long credit)
{
	tt_create_account(s, "Cluster Co", c->account);
	tt_create_token(s, c->account, c->token);
	json_decref(answer(api(s, s->admin_token, "POST",
			       "{\"amount\":100000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}",
			       "/v1/accounts/%s/poc-wallets", c->account),
			   201));
	if (credit <= 0)
		return;
	char body[64];
	snprintf(body, sizeof(body), "{\"amount\":%lld}", credit);
	json_decref(answer(api(s, s->admin_token, "POST", body, "/v1/accounts/%s/credit",
			       c->account),
			   201));
}

/* A POC VKS cluster of 2 nodes and their 2 boot volumes; its id into out. */
static void make_cluster(const tt_server *s, const customer *c, const char *name, char *out)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"type\":\"cluster\",\"name\":\"%s\",\"poc\":true,\"spec\":{\"service\":\"vks\","
		 "\"node_flavor\":\"s.general.2c4g\",\"node_count\":2}}", name);
	json_t *cluster = answer(api(s, c->token, "POST", body, "/v1/resources"), 201);
	snprintf(out, 64, "%s", json_str(cluster, "id"));
	cr_assert_eq(json_array_size(json_object_get(cluster, "members")), 4, "members of %s",
		     out);
	json_decref(cluster);
}

static json_t *get_resource(const tt_server *s, const customer *c, const char *id)
{
	return answer(api(s, c->token, "GET", NULL, "/v1/resources/%s", id), 200);
}

/* How many of cluster id's members are billed as `mode`; how many are in
 * an open checkout into *in_checkout. */
static size_t members_billed(const tt_server *s, const customer *c, const char *id,
			     const char *mode, size_t *in_checkout)
{
	json_t *cluster = get_resource(s, c, id), *m;
	size_t i, n = 0, open = 0;
	json_array_foreach(json_object_get(cluster, "members"), i, m) {
		json_t *billing = json_object_get(m, "billing");
		n += strcmp(json_str(billing, "mode"), mode) == 0;
		open += json_is_string(json_object_get(m, "open_checkout_id"));
	}
	json_decref(cluster);
	if (in_checkout)
		*in_checkout = open;
	return n;
}

/* The open checkout the cluster's first member is in, into out (64). */
static void open_checkout_of(const tt_server *s, const customer *c, const char *id, char *out)
{
	json_t *cluster = get_resource(s, c, id);
	json_t *first = json_array_get(json_object_get(cluster, "members"), 0);
	snprintf(out, 64, "%s", json_str(first, "open_checkout_id"));
	json_decref(cluster);
}

/* minor VND units as people read them, written here independently of the
 * client: 11975040 -> "11,975,040 VND". */
static void vnd(long long minor, char out[48])
{
	char digits[32];
	snprintf(digits, sizeof(digits), "%lld", minor);
	size_t n = strlen(digits), k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	memcpy(out + k, " VND", 5);
}

/* The first line of text holding `label` is checked to hold `want` too. */
static void expect_line_has(const char *text, const char *label, const char *want)
{
	const char *at = strstr(text, label);
	cr_assert_not_null(at, "no \"%s\" in: %s", label, text);
	const char *line = at;
	while (line > text && line[-1] != '\n')
		line--;
	size_t len = (size_t)(at - line) + strcspn(at, "\n");
	const char *found = strstr(line, want);
	cr_expect(found && (size_t)(found - line) < len, "\"%s\" line lacks %s: %s", label, want,
		  text);
}

Test(cli, resources_list_and_show_in_table_and_json)
{
	tt_server s;
	tt_server_start(&s, NULL);
	customer c;
	customer_new(&s, &c, 0);
	char cluster[64];
	make_cluster(&s, &c, "k8s-demo", cluster);

	cli_run table = CLI(s.url, c.token, "resources", "list");
	expect_status(&table, 0);
	cr_expect(strncmp(table.out, "ID", 2) == 0, "no header: %s", table.out);
	static const char *const titles[] = {"TYPE", "NAME", "ROLE", "BILLING", "STATUS",
					     "TERM_END"};
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		cr_expect_not_null(strstr(table.out, titles[i]), "no %s: %s", titles[i], table.out);
	expect_line_has(table.out, cluster, "k8s-demo");
	expect_line_has(table.out, cluster, "poc");
	expect_line_has(table.out, "k8s-demo-node-1", "node");
	expect_line_has(table.out, "k8s-demo-boot-2", "boot_volume");
	cli_free(&table);

	/* The admin names the account; JSON is the API's answer, unchanged. */
	json_t *listed = answer(api(&s, s.admin_token, "GET", NULL, "/v1/resources?account_id=%s",
				    c.account), 200);
	cli_run json = CLI(s.url, s.admin_token, "--json", "resources", "list", "--account",
			   c.account);
	expect_status(&json, 0);
	cr_expect(json_equal(json.json, listed), "cli: %s", json.out);
	cr_expect_eq(json_array_size(json_object_get(json.json, "data")), 5, "%s", json.out);
	json_decref(listed);
	cli_free(&json);

	cli_run clusters = CLI(s.url, c.token, "--json", "resources", "list", "--type", "cluster");
	expect_status(&clusters, 0);
	json_t *data = json_object_get(clusters.json, "data");
	cr_assert_eq(json_array_size(data), 1, "%s", clusters.out);
	cr_expect_str_eq(json_str(json_array_get(data, 0), "id"), cluster);
	cli_free(&clusters);
	cli_run found = CLI(s.url, c.token, "--json", "resources", "list", "--search", "node-2");
	expect_status(&found, 0);
	data = json_object_get(found.json, "data");
	cr_assert_eq(json_array_size(data), 1, "%s", found.out);
	cr_expect_str_eq(json_str(json_array_get(data, 0), "name"), "k8s-demo-node-2");
	cli_free(&found);

	/* show: the cluster, then its members by role. */
	json_t *api_cluster = get_resource(&s, &c, cluster);
	cli_run shown = CLI(s.url, c.token, "resources", "show", cluster);
	expect_status(&shown, 0);
	cr_expect_not_null(strstr(shown.out, "Nodes (2)"), "%s", shown.out);
	cr_expect_not_null(strstr(shown.out, "Boot volumes (2)"), "%s", shown.out);
	cr_expect_not_null(strstr(shown.out, "Stop POC available: yes"), "%s", shown.out);
	cr_expect(strstr(shown.out, "Nodes (2)") < strstr(shown.out, "Boot volumes (2)"));
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(api_cluster, "members"), i, m)
		cr_expect_not_null(strstr(shown.out, json_str(m, "id")), "%s", shown.out);
	cli_free(&shown);
	cli_run shown_json = CLI(s.url, c.token, "--json", "resources", "show", cluster);
	expect_status(&shown_json, 0);
	cr_expect(json_equal(shown_json.json, api_cluster), "cli: %s", shown_json.out);
	cli_free(&shown_json);

	const char *node = json_str(json_array_get(json_object_get(api_cluster, "members"), 0),
				    "id");
	cli_run member = CLI(s.url, c.token, "resources", "show", node);
	expect_status(&member, 0);
	expect_line_has(member.out, "Cluster:", cluster);
	expect_line_has(member.out, "Cluster:", "role node");
	cli_free(&member);
	json_decref(api_cluster);

	cli_run missing = CLI(s.url, c.token, "resources", "show", "res_nosuchresource0");
	expect_status(&missing, 1);
	cr_expect_not_null(strstr(missing.err, "resource_not_found"), "%s", missing.err);
	cli_free(&missing);
	tt_server_stop(&s);
}

Test(cli, stop_poc_preview_lists_nodes_and_boot_volumes_and_changes_nothing)
{
	tt_server s;
	tt_server_start(&s, NULL);
	customer c;
	customer_new(&s, &c, 0);
	char cluster[64];
	make_cluster(&s, &c, "k8s-preview", cluster);

	cli_run preview = CLI(s.url, c.token, "stop-poc", cluster, "--preview");
	expect_status(&preview, 0);
	expect_line_has(preview.out, "k8s-preview-node-1", "node");
	expect_line_has(preview.out, "k8s-preview-node-1", "480,000 VND");
	expect_line_has(preview.out, "k8s-preview-node-2", "node");
	expect_line_has(preview.out, "k8s-preview-boot-1", "boot_volume");
	expect_line_has(preview.out, "k8s-preview-boot-2", "boot_volume");
	cr_expect_null(strstr(preview.out, "480000"), "unformatted money: %s", preview.out);
	cli_free(&preview);
	size_t open = 9;
	cr_expect_eq(members_billed(&s, &c, cluster, "poc", &open), 4);
	cr_expect_eq(open, 0, "the preview opened a checkout");

	json_t *api_preview = answer(api(&s, c.token, "POST", "{}",
					 "/v1/resources/%s/stop-poc/preview", cluster), 200);
	cli_run json = CLI(s.url, c.token, "--output", "json", "stop-poc", cluster, "--preview");
	expect_status(&json, 0);
	cr_expect(json_equal(json.json, api_preview), "cli: %s", json.out);
	json_decref(api_preview);
	cli_free(&json);
	tt_server_stop(&s);
}

Test(cli, stop_poc_paid_by_credit_makes_the_members_prepaid)
{
	tt_server s;
	tt_server_start(&s, NULL);
	customer c;
	customer_new(&s, &c, 50000000);
	char cluster[64];
	make_cluster(&s, &c, "k8s-paid", cluster);

	cli_run r = CLI(s.url, c.token, "stop-poc", cluster, "--cycle", "12", "--auto-renew",
			"--pay", "credit", "--yes");
	expect_status(&r, 0);
	cr_expect_eq(members_billed(&s, &c, cluster, "prepaid", NULL), 4);
	json_t *got = get_resource(&s, &c, cluster), *m;
	size_t i;
	json_array_foreach(json_object_get(got, "members"), i, m) {
		json_t *billing = json_object_get(m, "billing");
		cr_expect_eq(json_integer_value(json_object_get(billing, "cycle_months")), 12);
		cr_expect(json_is_true(json_object_get(billing, "auto_renew")), "%s",
			  json_str(m, "id"));
	}
	json_decref(got);

	/* The total shown is what was paid, formatted. */
	json_t *payments = answer(api(&s, c.token, "GET", NULL, "/v1/payments"), 200);
	json_t *payment = json_array_get(json_object_get(payments, "data"), 0);
	cr_assert_not_null(payment, "no payment");
	char total[48];
	vnd(json_integer_value(json_object_get(payment, "amount")), total);
	cr_expect_str_eq(total, "11,975,040 VND"); /* 2 x 480,000 + 2 x 20 GB x 1,200, 12
						     * months, -10%, +10% tax */
	expect_line_has(r.out, "Total:", total);
	cr_expect_not_null(strstr(r.out, json_str(payment, "id")), "%s", r.out);
	cli_free(&r);

	cli_run invoices = CLI(s.url, c.token, "invoices", "list");
	expect_status(&invoices, 0);
	cr_expect(strncmp(invoices.out, "ID", 2) == 0, "no header: %s", invoices.out);
	json_t *api_invoices = answer(api(&s, c.token, "GET", NULL, "/v1/invoices"), 200), *inv;
	cr_assert_eq(json_array_size(json_object_get(api_invoices, "data")), 4);
	json_array_foreach(json_object_get(api_invoices, "data"), i, inv) {
		char money[48];
		vnd(json_integer_value(json_object_get(inv, "total")), money);
		expect_line_has(invoices.out, json_str(inv, "id"), json_str(inv, "number"));
		expect_line_has(invoices.out, json_str(inv, "id"), money);
		expect_line_has(invoices.out, json_str(inv, "id"), "conversion");
	}
	cli_free(&invoices);
	cli_run invoices_json = CLI(s.url, c.token, "--json", "invoices", "list");
	expect_status(&invoices_json, 0);
	cr_expect(json_equal(invoices_json.json, api_invoices), "%s", invoices_json.out);
	cli_free(&invoices_json);

	inv = json_array_get(json_object_get(api_invoices, "data"), 0);
	char money[48];
	vnd(json_integer_value(json_object_get(inv, "total")), money);
	cli_run one = CLI(s.url, c.token, "invoices", "show", json_str(inv, "id"));
	expect_status(&one, 0);
	expect_line_has(one.out, "Invoice:", json_str(inv, "number"));
	expect_line_has(one.out, "Resource:", json_str(inv, "resource_id"));
	expect_line_has(one.out, "Total:", money);
	cr_expect_not_null(strstr(one.out, "Period:"), "%s", one.out);
	cli_free(&one);
	json_decref(api_invoices);

	cli_run paid = CLI(s.url, c.token, "payments", "list");
	expect_status(&paid, 0);
	expect_line_has(paid.out, json_str(payment, "id"), total);
	expect_line_has(paid.out, json_str(payment, "id"), "credit");
	cli_free(&paid);
	cli_run shown = CLI(s.url, c.token, "payments", "show", json_str(payment, "id"));
	expect_status(&shown, 0);
	expect_line_has(shown.out, "Amount:", total);
	cr_expect_not_null(strstr(shown.out, "Invoices (4)"), "%s", shown.out);
	cli_free(&shown);
	json_decref(payments);
	tt_server_stop(&s);
}

Test(cli, a_change_without_a_terminal_needs_yes)
{
	tt_server s;
	tt_server_start(&s, NULL);
	customer c;
	customer_new(&s, &c, 50000000);
	char cluster[64];
	make_cluster(&s, &c, "k8s-script", cluster);

	/* Standard input is not a terminal (tests run tally with /dev/null). */
	cli_run stop = CLI(s.url, c.token, "stop-poc", cluster, "--cycle", "12", "--pay",
			   "credit");
	expect_status(&stop, 2);
	cr_expect_not_null(strstr(stop.err, "--yes"), "stderr: %s", stop.err);
	cr_expect_str_eq(stop.out, "");
	cli_free(&stop);
	size_t open = 9;
	cr_expect_eq(members_billed(&s, &c, cluster, "poc", &open), 4);
	cr_expect_eq(open, 0);
	cr_expect_eq(credit_balance(&s, c.account), 50000000);

	cli_run keep = CLI(s.url, c.token, "resources", "delete", cluster);
	expect_status(&keep, 2);
	cr_expect_not_null(strstr(keep.err, "--yes"), "stderr: %s", keep.err);
	json_t *still = get_resource(&s, &c, cluster);
	cr_expect_str_eq(json_str(still, "status"), "active");
	json_decref(still);
	cli_free(&keep);

	cli_run gone = CLI(s.url, c.token, "resources", "delete", cluster, "--yes");
	expect_status(&gone, 0);
	expect_line_has(gone.out, cluster, "deleted");
	cli_free(&gone);
	json_t *deleted = get_resource(&s, &c, cluster);
	cr_expect_str_eq(json_str(deleted, "status"), "deleted");
	json_decref(deleted);
	tt_server_stop(&s);
}

/* Runs `tally <args>` on a pseudo-terminal (util-linux script) with
 * `typed` and a newline as what the person types; the terminal's output
 * (stdout, stderr and the echo) into out. */
static int run_at_terminal(const tt_server *s, const char *token, const char *typed,
			   const char *args, char *out, size_t cap)
{
	set_env(s->url, token, NULL); /* inherited by the shell and by tally */
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "printf '%s\\n' | script -qec \"'%s' %s\" /dev/null 2>&1", typed,
		 tt_bin("tally"), args);
	return tt_run(cmd, out, cap);
}

Test(cli, stop_poc_asks_at_a_terminal)
{
	char found[256];
	if (tt_run("command -v script", found, sizeof(found)) != 0)
		cr_skip_test("no `script` (util-linux) to give tally a terminal");
	tt_server s;
	tt_server_start(&s, NULL);
	customer c;
	customer_new(&s, &c, 50000000);
	char cluster[64], args[256];
	make_cluster(&s, &c, "k8s-asked", cluster);
	snprintf(args, sizeof(args), "stop-poc %s --cycle 12 --pay credit", cluster);
	static char out[65536];

	int rc = run_at_terminal(&s, c.token, "n", args, out, sizeof(out));
	cr_expect_eq(rc, 1, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out, "[y/N]"), "no question: %s", out);
	cr_expect_not_null(strstr(out, "nothing was changed"), "%s", out);
	size_t open = 9;
	cr_expect_eq(members_billed(&s, &c, cluster, "poc", &open), 4);
	cr_expect_eq(open, 0);

	rc = run_at_terminal(&s, c.token, "y", args, out, sizeof(out));
	cr_expect_eq(rc, 0, "exit %d: %s", rc, out);
	cr_expect_not_null(strstr(out, "[y/N]"), "no question: %s", out);
	cr_expect(strstr(out, "k8s-asked-node-1") < strstr(out, "[y/N]"),
		  "the preview comes before the question: %s", out);
	expect_line_has(out, "Total:", "11,975,040 VND");
	cr_expect_eq(members_billed(&s, &c, cluster, "prepaid", NULL), 4);
	tt_server_stop(&s);
}

Test(cli, checkouts_show_change_and_cancel)
{
	tt_server s;
	tt_server_start(&s, NULL);
	customer c;
	customer_new(&s, &c, 0);
	char cluster[64], chk[64];
	make_cluster(&s, &c, "k8s-cart", cluster);

	/* Confirmed without --pay: a checkout to pay later. */
	cli_run stop = CLI(s.url, c.token, "stop-poc", cluster, "--cycle", "12", "--yes");
	expect_status(&stop, 0);
	open_checkout_of(&s, &c, cluster, chk);
	cr_expect_not_null(strstr(stop.err, "tally checkouts pay"), "stderr: %s", stop.err);
	cr_expect_not_null(strstr(stop.err, chk), "stderr: %s", stop.err);
	cli_free(&stop);

	json_t *api_chk = answer(api(&s, c.token, "GET", NULL, "/v1/checkouts/%s", chk), 200);
	char total[48];
	vnd(json_integer_value(json_object_get(api_chk, "total")), total);
	cli_run shown = CLI(s.url, c.token, "checkouts", "show", chk);
	expect_status(&shown, 0);
	expect_line_has(shown.out, "Kind:", "conversion, open");
	expect_line_has(shown.out, "Total:", total);
	expect_line_has(shown.out, "k8s-cart-node-1", "480,000 VND");
	cr_expect_not_null(strstr(shown.out, "UNIT_PRICE"), "%s", shown.out);
	cr_expect_not_null(strstr(shown.out, "Subtotal:"), "%s", shown.out);
	cr_expect_not_null(strstr(shown.out, "Tax:"), "%s", shown.out);
	cli_free(&shown);
	cli_run json = CLI(s.url, c.token, "--json", "checkouts", "show", chk);
	expect_status(&json, 0);
	cr_expect(json_equal(json.json, api_chk), "cli: %s", json.out);
	cli_free(&json);
	json_decref(api_chk);

	cli_run changed = CLI(s.url, c.token, "checkouts", "change", chk, "--cycle", "1",
			      "--auto-renew", "on");
	expect_status(&changed, 0);
	expect_line_has(changed.out, "Term:", "1 month, auto-renew on");
	cli_free(&changed);
	api_chk = answer(api(&s, c.token, "GET", NULL, "/v1/checkouts/%s", chk), 200);
	cr_expect_eq(json_integer_value(json_object_get(api_chk, "cycle_months")), 1);
	cr_expect(json_is_true(json_object_get(api_chk, "auto_renew")));
	json_decref(api_chk);

	cli_run cancel = CLI(s.url, c.token, "checkouts", "cancel", chk);
	expect_status(&cancel, 0);
	expect_line_has(cancel.out, "Kind:", "cancelled");
	cli_free(&cancel);
	api_chk = answer(api(&s, c.token, "GET", NULL, "/v1/checkouts/%s", chk), 200);
	cr_expect_str_eq(json_str(api_chk, "status"), "cancelled");
	json_decref(api_chk);
	size_t open = 9;
	cr_expect_eq(members_billed(&s, &c, cluster, "poc", &open), 4, "resources stay POC");
	cr_expect_eq(open, 0);

	cli_run again = CLI(s.url, c.token, "checkouts", "cancel", chk);
	expect_status(&again, 1);
	cli_free(&again);
	cli_run none = CLI(s.url, c.token, "checkouts", "show", "chk_nosuchcheckout0");
	expect_status(&none, 1);
	cli_free(&none);
	tt_server_stop(&s);
}

/* Waits (up to 10 s) for a whole "Pay at: URL" line in c's output; the
 * URL's query into out. */
static void wait_for_pay_link(const cli_started *c, char *out, size_t cap)
{
	static char text[8192];
	for (int i = 0; i < 100; i++) {
		ssize_t n = pread(c->out_fd, text, sizeof(text) - 1, 0);
		text[n > 0 ? n : 0] = '\0';
		const char *line = strstr(text, "Pay at: ");
		const char *q = line ? strchr(line, '?') : NULL;
		if (q && strchr(q, '\n')) {
			snprintf(out, cap, "%.*s", (int)strcspn(q + 1, "\n"), q + 1);
			return;
		}
		usleep(100 * 1000);
	}
	cr_assert_fail("no payment link from tally: %s", text);
}

Test(cli, stop_poc_by_gateway_waits_for_the_payment)
{
	setenv("TALLY_GATEWAY_SECRET", "a secret for the CLI tests", 1);
	const char *const sandbox[] = {"--sandbox-gateway", NULL};
	tt_server s;
	tt_server_start(&s, sandbox);
	customer c;
	customer_new(&s, &c, 0);
	char cluster[64], query[4096], form[4200];
	make_cluster(&s, &c, "k8s-gateway", cluster);

	cli_started waiting = start_cli(s.url, c.token, NULL,
					(const char *const[]){"stop-poc", cluster, "--cycle", "1",
							      "--pay", "gateway", "--yes", NULL});
	wait_for_pay_link(&waiting, query, sizeof(query));
	snprintf(form, sizeof(form), "%s&action=pay", query);
	const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	tt_response page = tt_request_h(&s, "POST", "/sandbox-gateway/pay", headers, form,
					strlen(form));
	cr_assert_eq(page.status, 200, "%s", page.raw);
	tt_response_free(&page);
	cli_run paid = finish_cli(&waiting);
	expect_status(&paid, 0);
	expect_line_has(paid.out, "Status:", "paid");
	cli_free(&paid);
	cr_expect_eq(members_billed(&s, &c, cluster, "prepaid", NULL), 4);

	/* Nobody pays: the wait runs out, exit 1, the checkout stays open. */
	char second[64], chk[64];
	make_cluster(&s, &c, "k8s-unpaid", second);
	cli_run stop = CLI(s.url, c.token, "stop-poc", second, "--yes");
	expect_status(&stop, 0);
	cli_free(&stop);
	open_checkout_of(&s, &c, second, chk);
	cli_run late = CLI(s.url, c.token, "checkouts", "pay", chk, "--method", "gateway",
			   "--wait", "1");
	expect_status(&late, 1);
	cr_expect_not_null(strstr(late.out, "Pay at: http"), "%s", late.out);
	cr_expect_not_null(strstr(late.err, "not paid"), "stderr: %s", late.err);
	cli_free(&late);
	json_t *api_chk = answer(api(&s, c.token, "GET", NULL, "/v1/checkouts/%s", chk), 200);
	cr_expect_str_eq(json_str(api_chk, "status"), "open");
	json_decref(api_chk);
	tt_server_stop(&s);
}

Test(cli, catalog_coupons_and_a_purchase)
{
	tt_server s;
	tt_server_start(&s, NULL);
	cli_run catalog = CLI(s.url, s.admin_token, "catalog");
	expect_status(&catalog, 0);
	expect_line_has(catalog.out, "s.general.2c4g", "480,000 VND");
	expect_line_has(catalog.out, "Tax rate:", "10%");
	cr_expect_not_null(strstr(catalog.out, "MONTHS"), "%s", catalog.out);
	cli_free(&catalog);
	json_t *api_catalog = answer(api(&s, s.admin_token, "GET", NULL, "/v1/catalog"), 200);
	cli_run catalog_json = CLI(s.url, s.admin_token, "--json", "catalog");
	expect_status(&catalog_json, 0);
	cr_expect(json_equal(catalog_json.json, api_catalog), "%s", catalog_json.out);
	cli_free(&catalog_json);
	json_decref(api_catalog);

	cli_run pct = CLI(s.url, s.admin_token, "coupons", "create", "--code", "SAVE10",
			  "--percent-off", "10", "--services", "vserver,vks");
	expect_status(&pct, 0);
	expect_line_has(pct.out, "SAVE10", "10%");
	cli_free(&pct);
	cli_run flat = CLI(s.url, s.admin_token, "--json", "coupons", "create", "--code", "FLAT",
			   "--amount-off", "50,000", "--max-redemptions", "5");
	expect_status(&flat, 0);
	cr_expect_eq(json_integer_value(json_object_get(flat.json, "amount_off")), 50000);
	char flat_id[64];
	snprintf(flat_id, sizeof(flat_id), "%s", json_str(flat.json, "id"));
	cli_free(&flat);
	cli_run list = CLI(s.url, s.admin_token, "coupons", "list");
	expect_status(&list, 0);
	expect_line_has(list.out, "FLAT", "50,000 VND");
	expect_line_has(list.out, "SAVE10", "vserver,vks");
	cli_free(&list);

	customer c;
	customer_new(&s, &c, 10000000);
	char file[] = "/tmp/tally-cli-items-XXXXXX";
	int fd = mkstemp(file);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("[{\"type\": \"server\", \"name\": \"web\", \"spec\": {\"flavor\": "
	      "\"s.general.2c4g\"}}]\n", f);
	fclose(f);
	cli_run created = CLI(s.url, c.token, "--json", "checkouts", "create", "--file", file,
			      "--cycle", "1", "--coupon", "SAVE10");
	unlink(file);
	expect_status(&created, 0);
	cr_expect_eq(json_integer_value(json_object_get(created.json, "total")), 475200,
		     "480,000 - 10%% + 10%% tax: %s", created.out);
	char chk[64];
	snprintf(chk, sizeof(chk), "%s", json_str(created.json, "id"));
	cli_free(&created);
	cli_run off = CLI(s.url, c.token, "checkouts", "change", chk, "--no-coupon");
	expect_status(&off, 0);
	expect_line_has(off.out, "Total:", "528,000 VND");
	cli_free(&off);
	cli_run pay = CLI(s.url, c.token, "checkouts", "pay", chk, "--method", "credit");
	expect_status(&pay, 0);
	expect_line_has(pay.out, "Invoices:", "inv_");
	cli_free(&pay);
	cr_expect_eq(credit_balance(&s, c.account), 10000000 - 528000);

	cli_run denied = CLI(s.url, c.token, "coupons", "list");
	expect_status(&denied, 1);
	cli_free(&denied);
	cli_run disabled = CLI(s.url, s.admin_token, "coupons", "disable", flat_id);
	expect_status(&disabled, 0);
	expect_line_has(disabled.out, "FLAT", "disabled");
	cli_free(&disabled);
	tt_server_stop(&s);
}

Test(cli, billing_commands_with_a_wrong_token_or_no_server)
{
	tt_server s;
	tt_server_start(&s, NULL);
	static const char *const commands[][4] = {
		{"resources", "list", NULL},
		{"stop-poc", "res_x", "--yes", NULL},
		{"invoices", "list", NULL},
		{"checkouts", "show", "chk_x", NULL},
		{"catalog", NULL},
	};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		cli_run r = run_cli(s.url, "tly_not_a_real_token", NULL, commands[i]);
		expect_status(&r, 1);
		cr_expect_not_null(strstr(r.err, "invalid_token"), "%s: %s", commands[i][0], r.err);
		cr_expect_str_eq(r.out, "");
		cli_free(&r);
	}
	tt_server_stop(&s);

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		cli_run r = run_cli("http://127.0.0.1:1", "x", NULL, commands[i]);
		expect_status(&r, 3);
		cr_expect_not_null(strstr(r.err, "http://127.0.0.1:1"), "%s: %s", commands[i][0],
				   r.err);
		cli_free(&r);
	}
}

Test(cli, billing_usage_errors_exit_2_before_any_request)
{
	const char *url = "http://127.0.0.1:1"; /* a request would exit 3 */
	static const char *const bad[][12] = {
		{"resources", "list", "--billing", "monthly", NULL},
		{"resources", "create", "--type", "cluster", NULL},
		{"resources", "create", "--type", "server", "--name", "x", "--spec", "[1]", NULL},
		{"resources", "create", "--type", "volume", "--name", "x", "--role", "pvc", NULL},
		{"resources", "delete", "res_x", NULL},
		{"stop-poc", "res_x", "--preview", "--yes", NULL},
		{"stop-poc", "res_x", "--pay", "cash", "--yes", NULL},
		{"stop-poc", "res_x", "--cycle", "0", "--yes", NULL},
		{"stop-poc", "res_x", "--pay", "credit", "--wait", "5", "--yes", NULL},
		{"checkouts", "pay", "chk_x", "--method", "credit", "--wait", "5", NULL},
		{"checkouts", "change", "chk_x", NULL},
		{"checkouts", "change", "chk_x", "--coupon", "A", "--no-coupon", NULL},
		{"checkouts", "create", "--cycle", "1", NULL},
		{"coupons", "create", "--code", "X", "--percent-off", "10", "--amount-off", "5", NULL},
		{"coupons", "create", "--code", "X", "--percent-off", "101", NULL},
		{"coupons", "create", "--code", "X", "--percent-off", "5", "--services", "a,,b", NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cli_run r = run_cli(url, "x", NULL, bad[i]);
		expect_status(&r, 2);
		cr_expect(strncmp(r.err, "error: ", 7) == 0, "%s %s: %s", bad[i][0], bad[i][1], r.err);
		cli_free(&r);
	}
}

/* Writes text to a new temporary file whose name ends in suffix (".csv");
 * the name into path (64 bytes). */
static void write_temp(char *path, const char *suffix, const char *text)
{
	snprintf(path, 64, "/tmp/tally-cli-usage-XXXXXX%s", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	cr_assert(fd >= 0, "mkstemps failed");
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

/* An account with a token, a metering token (usage is the provider's word:
 * the account's own token cannot submit it), a postpaid snapshot (a metered
 * item: takes usage; its id in `lb`) and a POC server (does not), for the
 * usage import tests. */
typedef struct metered {
	char acc[64], token[80], meter[80], lb[64], server[64];
} metered;

static void metered_new(const tt_server *s, metered *m)
{
	tt_create_account(s, "Metered", m->acc);
	tt_create_token(s, m->acc, m->token);
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/tokens", m->acc);
	tt_response t = tt_request(s, "POST", path, s->admin_token, "{\"scope\":\"metering\"}",
				   NULL);
	cr_assert_eq(t.status, 201, "%s", t.raw);
	snprintf(m->meter, sizeof(m->meter), "%s", json_str(t.json, "token"));
	tt_response_free(&t);
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", m->acc);
	tt_response r = tt_request(s, "POST", path, s->admin_token,
				   "{\"amount\":100000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}",
				   NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	const char *bodies[2] = {
		"{\"type\":\"snapshot\",\"name\":\"edge\",\"poc\":false,\"spec\":{\"size_gb\":1}}",
		"{\"type\":\"server\",\"name\":\"vm\",\"poc\":true,"
		"\"spec\":{\"flavor\":\"s.general.2c4g\"}}"};
	char *ids[2] = {m->lb, m->server};
	for (int i = 0; i < 2; i++) {
		r = tt_request(s, "POST", "/v1/resources", m->token, bodies[i], NULL);
		cr_assert_eq(r.status, 201, "%s", r.raw);
		snprintf(ids[i], 64, "%s", json_str(r.json, "id"));
		tt_response_free(&r);
	}
}

Test(cli, usage_import_streams_ndjson_in_batches_and_names_refused_lines)
{
	tt_server s;
	tt_server_start(&s, NULL);
	metered m;
	metered_new(&s, &m);
	char text[1024], file[64];
	snprintf(text, sizeof(text),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"}\n"
		 "\n"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T01:00:00Z\",\"end\":\"2026-11-01T02:00:00Z\"}\n"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-01T00:00:00Z\",\"end\":\"2026-11-01T01:00:00Z\"}\n",
		 m.lb, m.lb, m.server);
	write_temp(file, ".ndjson", text);

	cli_run first = CLI(s.url, m.meter, "usage", "import", file, "--batch", "2");
	expect_status(&first, 1);
	expect_line_has(first.out, "accepted:", "2");
	expect_line_has(first.out, "rejected:", "1");
	expect_line_has(first.out, m.server, "not_postpaid");
	expect_line_has(first.out, "   4  ", "not_postpaid");
	cr_expect(strstr(first.err, "not recorded: 1 of the file's records") != NULL, "%s",
		  first.err);
	cli_free(&first);

	cli_run again = CLI(s.url, m.meter, "--output", "json", "usage", "import", file);
	unlink(file);
	expect_status(&again, 1);
	cr_expect_eq(json_integer_value(json_object_get(again.json, "accepted")), 0, "%s",
		     again.out);
	cr_expect_eq(json_integer_value(json_object_get(again.json, "duplicates")), 2, "%s",
		     again.out);
	json_t *refused = json_array_get(json_object_get(again.json, "results"), 0);
	cr_expect_eq(json_integer_value(json_object_get(refused, "line")), 4, "%s", again.out);
	cr_expect_str_eq(json_str(refused, "result"), "not_postpaid");
	cli_free(&again);

	tt_response r = tt_request(&s, "GET", "/v1/events?limit=100", s.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_expect(strstr(r.raw, "usage.recorded") != NULL, "the server recorded the usage");
	tt_response_free(&r);
	tt_server_stop(&s);
}

Test(cli, usage_import_reads_csv_and_reports_bad_lines_by_number)
{
	tt_server s;
	tt_server_start(&s, NULL);
	metered m;
	metered_new(&s, &m);
	char text[1024], file[64];
	snprintf(text, sizeof(text),
		 "start,end,resource_id,quantity\n"
		 "2026-11-02T00:00:00Z,2026-11-02T01:00:00Z,%s,2\n"
		 "2026-11-02T01:00:00Z,2026-11-02T02:00:00Z,%s,\n",
		 m.lb, m.lb);
	write_temp(file, ".csv", text);
	cli_run ok = CLI(s.url, m.meter, "--json", "usage", "import", file);
	unlink(file);
	expect_status(&ok, 0);
	cr_expect_eq(json_integer_value(json_object_get(ok.json, "accepted")), 2, "%s", ok.out);
	cli_free(&ok);

	/* the client cannot read line 4: two records were already sent */
	snprintf(text, sizeof(text),
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-03T00:00:00Z\",\"end\":\"2026-11-03T01:00:00Z\"}\n"
		 "{\"resource_id\":\"%s\",\"start\":\"2026-11-03T01:00:00Z\",\"end\":\"2026-11-03T02:00:00Z\"}\n"
		 "\n"
		 "{\"resource_id\": \n",
		 m.lb, m.lb);
	write_temp(file, ".ndjson", text);
	cli_run bad = CLI(s.url, m.meter, "usage", "import", file, "--batch", "2");
	unlink(file);
	expect_status(&bad, 2);
	cr_expect(strstr(bad.err, "error: line 4: not JSON") != NULL, "%s", bad.err);
	cr_expect(strstr(bad.err, "2 records were sent before this") != NULL, "%s", bad.err);
	cli_free(&bad);

	/* the server refuses line 3's period: nothing of that batch is recorded */
	snprintf(text, sizeof(text),
		 "resource_id,start,end\n"
		 "%s,2026-11-04T00:00:00Z,2026-11-04T01:00:00Z\n"
		 "%s,2026-11-04T02:00:00Z,2026-11-04T01:00:00Z\n",
		 m.lb, m.lb);
	write_temp(file, ".csv", text);
	cli_run refused = CLI(s.url, m.meter, "usage", "import", file);
	unlink(file);
	expect_status(&refused, 1);
	cr_expect(strstr(refused.err, "error: line 3:") != NULL, "%s", refused.err);
	cli_free(&refused);

	write_temp(file, ".csv", "\xEF\xBB\xBFresource_id,start\nx,y\n");
	cli_run no_end = CLI(s.url, m.meter, "usage", "import", file);
	unlink(file);
	expect_status(&no_end, 2);
	cr_expect(strstr(no_end.err, "line 1: the header has no 'end' column"), "%s", no_end.err);
	cli_free(&no_end);

	write_temp(file, ".csv", "resource_id,start,finish\nx,y,z\n");
	cli_run header = CLI(s.url, m.meter, "usage", "import", file);
	unlink(file);
	expect_status(&header, 2);
	cr_expect(strstr(header.err, "line 1: the header names an unknown column 'finish'"),
		  "%s", header.err);
	cli_free(&header);

	cli_run missing = CLI(s.url, m.meter, "usage", "import", "/nonexistent/usage.csv");
	expect_status(&missing, 2);
	cli_free(&missing);
	tt_server_stop(&s);
}

Test(cli, jobs_run_and_poc_wallets_change)
{
	tt_server s;
	tt_server_start(&s, NULL);
	cli_run jobs = CLI(s.url, s.admin_token, "jobs", "run");
	expect_status(&jobs, 0);
	expect_line_has(jobs.out, "holds_expired:", "0");
	expect_line_has(jobs.out, "accounts_reconciled:", "0");
	cli_free(&jobs);
	cli_run as_json = CLI(s.url, s.admin_token, "--json", "jobs", "run");
	expect_status(&as_json, 0);
	cr_expect(json_is_object(json_object_get(as_json.json, "jobs")), "%s", as_json.out);
	cli_free(&as_json);

	metered m;
	metered_new(&s, &m);
	cli_run forbidden = CLI(s.url, m.token, "jobs", "run");
	expect_status(&forbidden, 1);
	cli_free(&forbidden);

	tt_response w = tt_request(&s, "GET", "/v1/wallets", m.token, NULL, NULL);
	cr_assert_eq(w.status, 200, "%s", w.raw);
	char wallet[64];
	snprintf(wallet, sizeof(wallet), "%s",
		 json_str(json_array_get(json_object_get(w.json, "poc"), 0), "id"));
	tt_response_free(&w);
	cli_run nothing = CLI(s.url, s.admin_token, "poc-wallets", "change", wallet);
	expect_status(&nothing, 2);
	cli_free(&nothing);
	cli_run changed = CLI(s.url, s.admin_token, "--json", "poc-wallets", "change", wallet,
			      "--add", "1000", "--minor", "--expires-at", "2099-06-01T00:00:00Z");
	expect_status(&changed, 0);
	cr_expect_eq(json_integer_value(json_object_get(changed.json, "balance")), 100001000,
		     "%s", changed.out);
	cr_expect_str_eq(json_str(changed.json, "expires_at"), "2099-06-01T00:00:00Z");
	cli_free(&changed);
	cli_run table = CLI(s.url, s.admin_token, "poc-wallets", "change", wallet, "--add", "500");
	expect_status(&table, 0);
	expect_line_has(table.out, wallet, "100,001,500 VND");
	cli_free(&table);
	tt_server_stop(&s);
}

Test(cli, resources_renew_and_accounts_change)
{
	tt_server s;
	tt_server_start(&s, NULL);
	customer c;
	customer_new(&s, &c, 10000000);
	tt_response chk = api(&s, c.token, "POST",
			      "{\"kind\":\"purchase\",\"cycle_months\":1,\"items\":[{\"type\":"
			      "\"server\",\"name\":\"web\",\"spec\":{\"flavor\":"
			      "\"s.general.2c4g\"}}]}",
			      "/v1/checkouts");
	cr_assert_eq(chk.status, 201, "%s", chk.raw);
	tt_response paid = api(&s, c.token, "POST", "{\"method\":\"credit\"}",
			       "/v1/checkouts/%s/pay", json_str(chk.json, "id"));
	cr_assert_eq(paid.status, 200, "%s", paid.raw);
	tt_response_free(&paid);
	tt_response_free(&chk);
	tt_response list = api(&s, c.token, "GET", NULL, "/v1/resources");
	cr_assert_eq(list.status, 200, "%s", list.raw);
	char res[64];
	snprintf(res, sizeof(res), "%s",
		 json_str(json_array_get(json_object_get(list.json, "data"), 0), "id"));
	tt_response_free(&list);

	cli_run renew_json = CLI(s.url, c.token, "--json", "resources", "renew", res, "--cycle",
				 "1");
	expect_status(&renew_json, 0);
	cr_expect_str_eq(json_str(renew_json.json, "kind"), "renewal");
	cr_expect_eq(json_integer_value(json_object_get(renew_json.json, "cycle_months")), 1);
	char open_chk[64];
	snprintf(open_chk, sizeof(open_chk), "%s", json_str(renew_json.json, "id"));
	cli_free(&renew_json);
	cli_run twice = CLI(s.url, c.token, "resources", "renew", res, "--cycle", "3");
	expect_status(&twice, 1);
	cr_expect(strstr(twice.err, "checkout_open") != NULL, "%s", twice.err);
	cli_free(&twice);
	cli_run cancel = CLI(s.url, c.token, "checkouts", "cancel", open_chk);
	expect_status(&cancel, 0);
	cli_free(&cancel);
	cli_run renew = CLI(s.url, c.token, "resources", "renew", res, "--cycle", "3");
	expect_status(&renew, 0);
	expect_line_has(renew.out, "Kind:", "renewal");
	cr_expect(strstr(renew.err, "tally checkouts pay") != NULL, "%s", renew.err);
	cli_free(&renew);
	cli_run no_cycle = CLI(s.url, c.token, "resources", "renew", res);
	expect_status(&no_cycle, 2);
	cli_free(&no_cycle);

	cli_run bad_type = CLI(s.url, s.admin_token, "accounts", "change", c.account, "--type",
			       "monthly");
	expect_status(&bad_type, 2);
	cli_free(&bad_type);
	cli_run not_admin = CLI(s.url, c.token, "accounts", "change", c.account, "--type",
				"postpaid");
	expect_status(&not_admin, 1);
	cli_free(&not_admin);
	cli_run changed = CLI(s.url, s.admin_token, "accounts", "change", c.account, "--type",
			      "postpaid");
	expect_status(&changed, 0);
	expect_line_has(changed.out, c.account, "postpaid");
	cli_free(&changed);
	tt_response acc = api(&s, s.admin_token, "GET", NULL, "/v1/accounts/%s", c.account);
	cr_expect_str_eq(json_str(acc.json, "type"), "postpaid");
	tt_response_free(&acc);
	tt_server_stop(&s);
}
