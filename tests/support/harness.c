/* harness.c: a real tallyd per test, and a small libcurl client. */
#include "harness.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *tt_bin(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", TALLY_BIN_DIR, name);
	return path;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits for tallyd's {"msg":"listening","url":...} log line. */
static bool wait_for_listening(tt_server *s)
{
	for (int i = 0; i < 300; i++) { /* 15 s: ASan builds start slowly */
		FILE *f = fopen(s->log, "r");
		char line[4096];
		while (f && fgets(line, sizeof(line), f)) {
			if (!strstr(line, "\"listening\""))
				continue;
			json_t *j = json_loads(line, 0, NULL);
			const char *url = j ? json_string_value(json_object_get(j, "url")) : NULL;
			if (url) {
				snprintf(s->url, sizeof(s->url), "%s", url);
				const char *colon = strrchr(url, ':');
				s->port = colon ? (int)strtol(colon + 1, NULL, 10) : 0;
			}
			json_decref(j);
			fclose(f);
			return url != NULL;
		}
		if (f)
			fclose(f);
		int status;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			return false;
		}
		sleep_ms(50);
	}
	return false;
}

static void spawn(tt_server *s, const char *const *extra_args)
{
	const char *argv[32] = {s->bin[0] ? s->bin : tt_bin("tallyd"), "--listen", "127.0.0.1:0", "--db", s->db};
	int argc = 5;
	if (!s->real_clock)
		argv[argc++] = "--test-clock";
	for (int i = 0; extra_args && extra_args[i] && argc < 31; i++)
		argv[argc++] = extra_args[i];
	argv[argc] = NULL;

	s->pid = fork();
	cr_assert(s->pid >= 0, "fork failed");
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, STDERR_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (s->no_admin_env)
			unsetenv("TALLY_ADMIN_TOKEN");
		else
			setenv("TALLY_ADMIN_TOKEN", s->admin_token, 1);
		/* no configuration file but the test's own (--config) */
		if (getenv("TALLY_CONFIG") == NULL)
			setenv("TALLY_CONFIG", "", 1);
		char *exec_argv[32]; /* execv's type; it does not write them */
		memcpy(exec_argv, argv, sizeof(exec_argv));
		execv(exec_argv[0], exec_argv);
		_exit(127);
	}
	if (!wait_for_listening(s)) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "tail -n 20 %s >&2", s->log);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
		cr_assert_fail("tallyd did not start; its log is above");
	}
}

static void prepare(tt_server *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/tally-test-XXXXXX");
	cr_assert_not_null(mkdtemp(s->dir), "mkdtemp failed");
	snprintf(s->db, sizeof(s->db), "%s/tally.db", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/tallyd.log", s->dir);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	snprintf(s->admin_token, sizeof(s->admin_token), "test-admin-%08x%08x", (unsigned)rand(),
		 (unsigned)rand());
}

void tt_server_start(tt_server *s, const char *const *extra_args)
{
	prepare(s);
	spawn(s, extra_args);
}

void tt_server_start_real_clock(tt_server *s, const char *const *extra_args)
{
	prepare(s);
	s->real_clock = true;
	spawn(s, extra_args);
}

void tt_server_start_bin(tt_server *s, const char *bin, const char *const *extra_args)
{
	prepare(s);
	s->real_clock = true;
	snprintf(s->bin, sizeof(s->bin), "%s", bin);
	spawn(s, extra_args);
}

void tt_server_restart(tt_server *s, const char *const *extra_args)
{
	if (s->pid > 0)
		tt_server_term(s);
	/* Start reading the log afresh: the old "listening" line is stale. */
	char old[340];
	snprintf(old, sizeof(old), "%s.%ld", s->log, (long)time(NULL));
	rename(s->log, old);
	spawn(s, extra_args);
}

int tt_server_term(tt_server *s)
{
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	int status = 0;
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void tt_server_kill(tt_server *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

void tt_server_stop(tt_server *s)
{
	if (s->pid > 0) {
		int status = tt_server_term(s);
		cr_expect_eq(status, 0, "tallyd exited with %d on SIGTERM", status);
	}
	if (s->dir[0]) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", s->dir);
	}
}

typedef struct buffer {
	char *data;
	size_t len;
} buffer;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	buffer *b = userdata;
	size_t n = size * nmemb;
	char *grown = realloc(b->data, b->len + n + 1);
	if (grown == NULL)
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static tt_response perform(CURL *curl, const tt_server *s, const char *method,
			   const char *path, const char *const *headers, const char *body,
			   size_t body_len)
{
	tt_response r = {0};
	buffer b = {0};
	char url[1024];
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	struct curl_slist *list = NULL;
	for (int i = 0; headers && headers[i]; i++)
		list = curl_slist_append(list, headers[i]);
	if (body)
		list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (curl_easy_perform(curl) == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
		char *ct = NULL;
		curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(r.content_type, sizeof(r.content_type), "%s", ct ? ct : "");
	}
	curl_slist_free_all(list);
	r.raw = b.data ? b.data : strdup("");
	r.json = json_loads(r.raw, 0, NULL);
	return r;
}

tt_response tt_request_h(const tt_server *s, const char *method, const char *path,
			 const char *const *headers, const char *body, size_t body_len)
{
	CURL *curl = curl_easy_init();
	tt_response r = perform(curl, s, method, path, headers, body, body_len);
	curl_easy_cleanup(curl);
	return r;
}

struct tt_client {
	const tt_server *server;
	CURL *curl;
};

tt_client *tt_client_new(const tt_server *s)
{
	tt_client *c = calloc(1, sizeof(*c));
	c->server = s;
	c->curl = curl_easy_init();
	return c;
}

tt_response tt_client_request(tt_client *c, const char *method, const char *path,
			      const char *token, const char *body)
{
	char auth[200];
	const char *headers[2] = {0};
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		headers[0] = auth;
	}
	/* the handle's options persist: reset the ones a request may leave set */
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c->curl, CURLOPT_NOBODY, 0L);
	return perform(c->curl, c->server, method, path, headers, body, body ? strlen(body) : 0);
}

void tt_client_free(tt_client *c)
{
	curl_easy_cleanup(c->curl);
	free(c);
}

int tt_run(const char *cmd, char *out, size_t out_size)
{
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	size_t n = fread(out, 1, out_size - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

tt_response tt_request(const tt_server *s, const char *method, const char *path,
		       const char *token, const char *body, const char *idem_key)
{
	char auth[200], idem[300];
	const char *headers[3] = {0};
	int n = 0;
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		headers[n++] = auth;
	}
	if (idem_key) {
		snprintf(idem, sizeof(idem), "Idempotency-Key: %s", idem_key);
		headers[n++] = idem;
	}
	return tt_request_h(s, method, path, headers, body, body ? strlen(body) : 0);
}

void tt_response_free(tt_response *r)
{
	free(r->raw);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *tt_error_code(const tt_response *r)
{
	const char *code = json_string_value(
		json_object_get(json_object_get(r->json, "error"), "code"));
	return code ? code : "";
}

void tt_create_account(const tt_server *s, const char *name, char *out)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	tt_response r = tt_request(s, "POST", "/v1/accounts", s->admin_token, body, NULL);
	cr_assert_eq(r.status, 201, "create account: %ld %s", r.status, r.raw);
	snprintf(out, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
}

void tt_create_token(const tt_server *s, const char *account_id, char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/tokens", account_id);
	tt_response r = tt_request(s, "POST", path, s->admin_token, "{}", NULL);
	cr_assert_eq(r.status, 201, "create token: %ld %s", r.status, r.raw);
	snprintf(out, 80, "%s", json_string_value(json_object_get(r.json, "token")));
	tt_response_free(&r);
}
