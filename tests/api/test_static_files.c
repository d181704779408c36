/* Unit tests: which URL paths may name a web console file. */
#include <criterion/criterion.h>
#include <string.h>
#include "api/static_files.h"

static bool names(const char *url, const char *expected)
{
	char out[TL_STATIC_PATH_MAX];
	if (!tl_static_file_name(url, out, sizeof(out)))
		return false;
	cr_expect_str_eq(out, expected);
	return true;
}

Test(static_files, root_is_the_console_page)
{
	cr_assert(names("/", "index.html"));
}

Test(static_files, plain_names_in_folders_are_files)
{
	cr_assert(names("/console.css", "console.css"));
	cr_assert(names("/js/views/checkout.js", "js/views/checkout.js"));
	cr_assert(names("/favicon.svg", "favicon.svg"));
}

Test(static_files, no_path_can_climb_out_or_reach_hidden_files)
{
	const char *refused[] = {
		"/../CMakeLists.txt", "/js/../../etc/passwd.js", "/..", "/.", "/.git/config.js",
		"/js/.hidden.js", "//etc/passwd.js", "/js//app.js", "/js/", "", "index.html",
		"/js/app.js?x=1", "/a b.js", "/%2e%2e/x.js", "/js\\app.js",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char out[TL_STATIC_PATH_MAX];
		cr_expect_not(tl_static_file_name(refused[i], out, sizeof(out)), "%s", refused[i]);
	}
	cr_assert_not(tl_static_file_name(NULL, (char[8]){0}, 8));
}

Test(static_files, only_the_console_s_file_types_are_served)
{
	char out[TL_STATIC_PATH_MAX];
	cr_assert_not(tl_static_file_name("/tally.db", out, sizeof(out)));
	cr_assert_not(tl_static_file_name("/Makefile", out, sizeof(out)));
	cr_assert_not(tl_static_file_name("/admin-token", out, sizeof(out)));
	cr_assert_str_eq(tl_static_content_type("x.js"), "text/javascript; charset=utf-8");
	cr_assert_str_eq(tl_static_content_type("index.html"), "text/html; charset=utf-8");
	cr_assert_str_eq(tl_static_content_type("a.css"), "text/css; charset=utf-8");
	cr_assert_null(tl_static_content_type("a.json"));
}

Test(static_files, over_long_paths_are_refused)
{
	char url[TL_STATIC_PATH_MAX + 8], out[TL_STATIC_PATH_MAX];
	url[0] = '/';
	memset(url + 1, 'a', sizeof(url) - 5);
	memcpy(url + sizeof(url) - 4, ".js", 4);
	cr_assert_not(tl_static_file_name(url, out, sizeof(out)));
	cr_assert_not(tl_static_file_name("/abc.js", out, 4)); /* out too small */
}

Test(static_files, an_etag_names_the_file_s_inode_size_and_modification_time)
{
	char a[TL_STATIC_ETAG_MAX], b[TL_STATIC_ETAG_MAX];
	tl_static_etag(0x1234, 300, 1700000000, 5, a, sizeof(a));
	cr_expect_str_eq(a, "\"1234-12c-17979cfe362a0005\"");
	tl_static_etag(0x1234, 300, 1700000000, 6, b, sizeof(b)); /* written again */
	cr_expect_str_neq(a, b);
	tl_static_etag(0x1235, 300, 1700000000, 5, b, sizeof(b)); /* replaced */
	cr_expect_str_neq(a, b);
	tl_static_etag(~0ULL, 0x7fffffffffffffffLL, 0x7fffffff, 999999999, b, sizeof(b));
	cr_expect_lt(strlen(b), sizeof(b) - 1, "the largest fits");
}

Test(static_files, if_none_match_compares_entity_tags_weakly)
{
	const char *etag = "\"1-2-3\"";
	cr_expect(tl_static_etag_matches("\"1-2-3\"", etag));
	cr_expect(tl_static_etag_matches("W/\"1-2-3\"", etag));
	cr_expect(tl_static_etag_matches("\"x\", \"1-2-3\"", etag));
	cr_expect(tl_static_etag_matches("\"x\",W/\"1-2-3\" ,\"y\"", etag));
	cr_expect(tl_static_etag_matches("*", etag));
	cr_expect(tl_static_etag_matches(" * ", etag));
	cr_expect_not(tl_static_etag_matches(NULL, etag));
	cr_expect_not(tl_static_etag_matches("", etag));
	cr_expect_not(tl_static_etag_matches("\"1-2-4\"", etag));
	cr_expect_not(tl_static_etag_matches("\"1-2-3", etag), "unterminated");
	cr_expect_not(tl_static_etag_matches("\"1-2-3\"x", etag));
	cr_expect_not(tl_static_etag_matches("1-2-3", etag), "unquoted");
	cr_expect_not(tl_static_etag_matches("\"1-2\"", etag));
	cr_expect_not(tl_static_etag_matches("*x", etag));
	cr_expect_not(tl_static_etag_matches(",,,", etag));
}
