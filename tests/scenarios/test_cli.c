/*
 * test_cli.c: the `tally` command-line client against a real tallyd.
 *
 * Each test starts tallyd (test clock, random port) and runs build/bin/tally
 * as a subprocess, as a person or a script would: TALLY_URL and TALLY_TOKEN
 * in its environment, stdout and stderr captured, the exit status checked.
 * What the client claims is checked against the server over HTTP where it
 * matters (the account really exists, the clock really moved).
 */
#include "harness.h"
#include "common/timefmt.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void exec_cli(const char *url, const char *token, const char *const *args, int out_fd,
		     int err_fd)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = strdup("tally");
	for (int i = 0; args[i] && argc < 31; i++)
		argv[argc++] = strdup(args[i]);
	argv[argc] = NULL;
	dup2(out_fd, STDOUT_FILENO);
	dup2(err_fd, STDERR_FILENO);
	if (url)
		setenv("TALLY_URL", url, 1);
	else
		unsetenv("TALLY_URL");
	if (token)
		setenv("TALLY_TOKEN", token, 1);
	else
		unsetenv("TALLY_TOKEN");
	execv(tt_bin("tally"), argv);
	_exit(127);
}

/* Runs tally with TALLY_URL=url and TALLY_TOKEN=token (NULL: unset). */
static cli_run run_cli(const char *url, const char *token, const char *const *args)
{
	int out_fd = temp_file(), err_fd = temp_file();
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork failed");
	if (pid == 0)
		exec_cli(url, token, args, out_fd, err_fd);
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cli_run r = {0};
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r.out = slurp(out_fd);
	r.err = slurp(err_fd);
	r.json = json_loads(r.out, 0, NULL);
	return r;
}

#define CLI(url, token, ...) run_cli((url), (token), (const char *const[]){__VA_ARGS__, NULL})

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
