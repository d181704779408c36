/*
 * http.c: request paths with escaped values, and one HTTP exchange with
 * tallyd through libcurl.
 *
 * Bounds: connect within TL_CLI_CONNECT_TIMEOUT_S, finish within
 * TL_CLI_TOTAL_TIMEOUT_S, read at most TL_CLI_MAX_RESPONSE_BYTES. No
 * redirects are followed and only http and https are spoken.
 *
 * Failures and their exit status: no answer (refused, unresolvable, timed
 * out) is TL_CLI_EXIT_UNREACHABLE and names the URL; an answer too large to
 * keep is TL_CLI_EXIT_SERVER. Any status the server sends is a success here;
 * call.c decides what a status means.
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* The growing body of one answer; never above TL_CLI_MAX_RESPONSE_BYTES. */
typedef struct body_buf {
	char *data;
	size_t len;
	size_t cap;
	bool too_big;
	bool no_memory;
} body_buf;

static void path_put(tl_cli_path *p, const char *text)
{
	size_t n = strlen(text);
	if (p->failed || n >= sizeof(p->text) - p->len) {
		p->failed = true;
		return;
	}
	memcpy(p->text + p->len, text, n + 1);
	p->len += n;
}

static void path_put_escaped(tl_cli_path *p, const char *value)
{
	/* libcurl >= 7.82 needs no handle to escape. */
	char *escaped = curl_easy_escape(NULL, value, 0);
	if (escaped == NULL) {
		p->failed = true;
		return;
	}
	path_put(p, escaped);
	curl_free(escaped);
}

void tl_cli_path_init(tl_cli_path *p, const char *literal)
{
	memset(p, 0, sizeof(*p));
	path_put(p, literal);
}

void tl_cli_path_literal(tl_cli_path *p, const char *literal)
{
	path_put(p, literal);
}

void tl_cli_path_segment(tl_cli_path *p, const char *value)
{
	path_put(p, "/");
	path_put_escaped(p, value);
}

void tl_cli_path_param(tl_cli_path *p, const char *key, const char *value)
{
	if (value == NULL)
		return;
	path_put(p, p->has_query ? "&" : "?");
	p->has_query = true;
	path_put(p, key);
	path_put(p, "=");
	path_put_escaped(p, value);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	body_buf *b = userdata;
	size_t n = size * nmemb;
	if (n > TL_CLI_MAX_RESPONSE_BYTES - b->len) {
		b->too_big = true;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		while (cap < b->len + n + 1) /* ends: len + n + 1 <= 64 MiB + 1 */
			cap *= 2;
		char *grown = realloc(b->data, cap);
		if (grown == NULL) {
			b->no_memory = true;
			return 0;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static bool add_header(struct curl_slist **list, const char *line)
{
	struct curl_slist *grown = curl_slist_append(*list, line);
	if (grown == NULL)
		return false;
	*list = grown;
	return true;
}

static bool changes_state(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0 ||
	       strcmp(method, "DELETE") == 0;
}

/* Header values were checked for length and control characters when the
 * options were read, so each line fits and cannot split. */
static bool make_headers(const tl_cli_opts *o, const tl_cli_request *req,
			 struct curl_slist **out)
{
	char line[TL_CLI_TOKEN_MAX + 64];
	bool ok = add_header(out, "Accept: application/json") && add_header(out, "Expect:");
	if (ok && req->body)
		ok = add_header(out, "Content-Type: application/json");
	if (ok && req->auth && o->token) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", o->token);
		ok = add_header(out, line);
	}
	if (ok && o->idem_key && changes_state(req->method)) {
		snprintf(line, sizeof(line), "Idempotency-Key: %s", o->idem_key);
		ok = add_header(out, line);
	}
	return ok;
}

static void set_options(CURL *curl, const char *url, const tl_cli_request *req,
			const char *body_text)
{
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, TL_CLI_CONNECT_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, TL_CLI_TOTAL_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)TL_CLI_MAX_RESPONSE_BYTES);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "tally/" TL_CLI_VERSION);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	if (body_text) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_text);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body_text));
	}
}

static int report_failure(const tl_cli_opts *o, CURLcode rc, const body_buf *b,
			  const char *errbuf)
{
	if (b->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		fprintf(stderr, "error: the answer from %s is larger than %u MiB\n", o->url,
			TL_CLI_MAX_RESPONSE_BYTES / (1024u * 1024u));
		return TL_CLI_EXIT_SERVER;
	}
	if (b->no_memory || rc == CURLE_OUT_OF_MEMORY) {
		fprintf(stderr, "error: out of memory reading the answer from %s\n", o->url);
		return TL_CLI_EXIT_SERVER;
	}
	fprintf(stderr, "error: could not reach tallyd at %s: %s\n", o->url,
		errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return TL_CLI_EXIT_UNREACHABLE;
}

static int perform(const tl_cli_opts *o, CURL *curl, tl_cli_response *out)
{
	body_buf b = {0};
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(curl);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	if (rc != CURLE_OK) {
		free(b.data);
		return report_failure(o, rc, &b, errbuf);
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = b.data ? b.data : calloc(1, 1);
	if (out->body == NULL) {
		fprintf(stderr, "error: out of memory\n");
		return TL_CLI_EXIT_SERVER;
	}
	out->len = b.len;
	out->json = json_loadb(out->body, out->len, 0, NULL);
	return TL_CLI_EXIT_OK;
}

int tl_cli_http(const tl_cli_opts *o, const tl_cli_request *req, tl_cli_response *out)
{
	memset(out, 0, sizeof(*out));
	char url[TL_CLI_URL_MAX + TL_CLI_PATH_MAX];
	snprintf(url, sizeof(url), "%s%s", o->url, req->path->text);
	char *body_text = req->body ? json_dumps(req->body, JSON_COMPACT) : NULL;
	struct curl_slist *headers = NULL;
	CURL *curl = curl_easy_init();
	int rc = TL_CLI_EXIT_SERVER;
	if (curl == NULL || (req->body && body_text == NULL) ||
	    !make_headers(o, req, &headers)) {
		fprintf(stderr, "error: out of memory\n");
		goto done;
	}
	set_options(curl, url, req, body_text);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	rc = perform(o, curl, out);
done:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(body_text);
	return rc;
}

void tl_cli_response_free(tl_cli_response *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}
