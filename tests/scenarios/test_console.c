/* Scenario: tallyd serves the web console's files beside the API, with the
 * headers a browser needs, and nothing outside web/. */
#define _GNU_SOURCE /* strcasestr, mkdtemp */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static tt_server srv;
static void stop(void) { tt_server_stop(&srv); }

/* The response headers of GET path, through curl -i. */
static void headers_of(const char *path, char *out, size_t size)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "curl -s -o /dev/null -D - --path-as-is '%s%s'", srv.url, path);
	cr_assert_eq(tt_run(cmd, out, size), 0);
}

Test(console, the_page_and_its_scripts_are_served_at_the_root, .fini = stop)
{
	tt_server_start(&srv, NULL);
	tt_response r = tt_request(&srv, "GET", "/", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.content_type, "text/html; charset=utf-8");
	cr_assert(strstr(r.raw, "<script type=\"module\" src=\"js/app.js\">"));
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/js/app.js", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.content_type, "text/javascript; charset=utf-8");
	tt_response_free(&r);
	char h[4096];
	headers_of("/", h, sizeof(h));
	cr_assert(strstr(h, "Content-Security-Policy: default-src 'self'"), "%s", h);
	cr_assert(strstr(h, "X-Content-Type-Options: nosniff"), "%s", h);
}

Test(console, paths_outside_the_console_are_not_found, .fini = stop)
{
	tt_server_start(&srv, NULL);
	/* Each names a real file of a served type once ".." is resolved: only
	 * the name check can refuse it. */
	const char *paths[] = {"/../web/index.html", "/js/../index.html",
			       "/../docs/images/cluster.png", "/js/../../web/console.css",
			       "/nothing-here.js", "/catalog/default.json", "/.gitignore"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char h[4096];
		headers_of(paths[i], h, sizeof(h));
		cr_expect(strstr(h, "HTTP/1.1 404"), "%s: %s", paths[i], h);
	}
	/* only GET and HEAD reach the files; the API's answers are unchanged */
	tt_response r = tt_request(&srv, "POST", "/", NULL, "{}", NULL);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(tt_error_code(&r), "not_found");
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/nothing", NULL, NULL, NULL);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(tt_error_code(&r), "not_found");
	tt_response_free(&r);
}

Test(console, head_answers_the_headers_of_get_without_a_body, .fini = stop)
{
	tt_server_start(&srv, NULL);
	char get[4096], head[4096], cmd[512];
	headers_of("/console.css", get, sizeof(get));
	snprintf(cmd, sizeof(cmd), "curl -s -I '%s/console.css'", srv.url);
	cr_assert_eq(tt_run(cmd, head, sizeof(head)), 0);
	cr_assert(strstr(head, "HTTP/1.1 200"), "%s", head);
	cr_assert(strstr(head, "Content-Type: text/css; charset=utf-8"), "%s", head);
	const char *length = strstr(get, "Content-Length: ");
	cr_assert_not_null(length, "%s", get);
	char line[64];
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(length, "\r\n"), length);
	cr_assert(strstr(head, line), "HEAD gives GET's %s: %s", line, head);
	snprintf(cmd, sizeof(cmd), "curl -s -X HEAD --max-time 2 '%s/console.css' | wc -c", srv.url);
	char bytes[64];
	tt_run(cmd, bytes, sizeof(bytes));
	cr_assert_eq(strtol(bytes, NULL, 10), 0, "HEAD sent a body of %s bytes", bytes);
}

/* The value of header `name` in curl's -D output, into out ("" if none). */
static void header_value(const char *headers, const char *name, char *out, size_t size)
{
	out[0] = '\0';
	const char *p = strcasestr(headers, name);
	if (p == NULL)
		return;
	p += strlen(name);
	snprintf(out, size, "%.*s", (int)strcspn(p, "\r\n"), p);
}

/* GET path with an If-None-Match header: the status line and headers
 * into out, the body's size returned. */
static long get_if_none_match(const char *path, const char *tags, char *out, size_t size)
{
	char cmd[1024], bytes[64];
	snprintf(cmd, sizeof(cmd), "curl -s -o /dev/null -D - -H 'If-None-Match: %s' '%s%s'", tags,
		 srv.url, path);
	cr_assert_eq(tt_run(cmd, out, size), 0);
	snprintf(cmd, sizeof(cmd), "curl -s -H 'If-None-Match: %s' '%s%s' | wc -c", tags, srv.url,
		 path);
	tt_run(cmd, bytes, sizeof(bytes));
	return strtol(bytes, NULL, 10);
}

static char web_dir[128];
static void stop_and_remove_web(void)
{
	tt_server_stop(&srv);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", web_dir);
	char out[64];
	tt_run(cmd, out, sizeof(out));
}

Test(console, a_file_s_etag_answers_a_revalidation_with_304_until_it_changes,
     .fini = stop_and_remove_web)
{
	snprintf(web_dir, sizeof(web_dir), "/tmp/tally-web-etag-XXXXXX");
	cr_assert_not_null(mkdtemp(web_dir));
	char file[256];
	snprintf(file, sizeof(file), "%s/app.js", web_dir);
	FILE *f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("export const version = 1;\n", f);
	fclose(f);
	const char *args[] = {"--web", web_dir, NULL};
	tt_server_start(&srv, args);

	char h[4096], etag[128], again[128];
	headers_of("/app.js", h, sizeof(h));
	cr_assert(strstr(h, "HTTP/1.1 200"), "%s", h);
	header_value(h, "\nETag: ", etag, sizeof(etag));
	cr_assert(etag[0] == '"' && etag[strlen(etag) - 1] == '"', "a strong ETag: %s", h);
	headers_of("/app.js", h, sizeof(h));
	header_value(h, "\nETag: ", again, sizeof(again));
	cr_assert_str_eq(again, etag, "the same file, the same ETag");

	/* the browser's revalidation: 304, no body, the validator and the
	 * caching rule again */
	cr_assert_eq(get_if_none_match("/app.js", etag, h, sizeof(h)), 0);
	cr_assert(strstr(h, "HTTP/1.1 304"), "%s", h);
	header_value(h, "\nETag: ", again, sizeof(again));
	cr_assert_str_eq(again, etag);
	cr_assert(strstr(h, "Cache-Control: no-cache"), "%s", h);
	char list[300];
	snprintf(list, sizeof(list), "\"other\", W/%s", etag);
	get_if_none_match("/app.js", list, h, sizeof(h));
	cr_assert(strstr(h, "HTTP/1.1 304"), "one of a list, weakly: %s", h);
	cr_assert(get_if_none_match("/app.js", "\"other\"", h, sizeof(h)) > 0);
	cr_assert(strstr(h, "HTTP/1.1 200"), "%s", h);

	/* written again: the old ETag no longer matches, the new file comes */
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("export const version = 22;\n", f);
	fclose(f);
	cr_assert_eq(get_if_none_match("/app.js", etag, h, sizeof(h)),
		     (long)strlen("export const version = 22;\n"));
	cr_assert(strstr(h, "HTTP/1.1 200"), "%s", h);
	header_value(h, "\nETag: ", again, sizeof(again));
	cr_assert_str_neq(again, etag);

	/* the console's own page too, with its CSP on the 304 */
	tt_server_stop(&srv);
	tt_server_start(&srv, NULL);
	headers_of("/", h, sizeof(h));
	header_value(h, "\nETag: ", etag, sizeof(etag));
	cr_assert(etag[0] == '"', "%s", h);
	get_if_none_match("/", etag, h, sizeof(h));
	cr_assert(strstr(h, "HTTP/1.1 304"), "%s", h);
	cr_assert(strstr(h, "Content-Security-Policy: default-src 'self'"), "%s", h);
}

Test(console, an_empty_web_flag_serves_no_console, .fini = stop)
{
	const char *no_web[] = {"--web", "", NULL};
	tt_server_start(&srv, no_web);
	tt_response r = tt_request(&srv, "GET", "/", NULL, NULL, NULL);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(tt_error_code(&r), "not_found");
	tt_response_free(&r);
}

Test(console, wallets_give_the_server_clock_and_what_a_poc_wallet_was_granted, .fini = stop)
{
	tt_server_start(&srv, NULL);
	char acc[64], path[160];
	tt_create_account(&srv, "burn", acc);
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token,
				   "{\"amount\":700000,\"expires_at\":\"2030-01-01T00:00:00Z\"}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "granted")), 700000);
	char wallet[64];
	snprintf(wallet, sizeof(wallet), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/poc-wallets/%s", wallet);
	r = tt_request(&srv, "PATCH", path, srv.admin_token, "{\"add_amount\":300000}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
		       "{\"now\":\"2029-06-01T12:00:00Z\"}", NULL);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/wallets?account_id=%s", acc);
	r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "as_of")), "2029-06-01T12:00:00Z");
	json_t *poc = json_array_get(json_object_get(r.json, "poc"), 0);
	cr_assert_eq(json_integer_value(json_object_get(poc, "granted")), 1000000);
	cr_assert_not_null(json_string_value(json_object_get(poc, "created_at")));
	tt_response_free(&r);
}
