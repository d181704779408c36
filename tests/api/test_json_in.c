/* Unit tests: strict request bodies. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"

static const tl_field fields[] = {
	{"name", TL_JSON_STRING, true},
	{"count", TL_JSON_INTEGER, false},
	{"flag", TL_JSON_BOOLEAN, false},
};

static int check(const char *body, tl_error *e)
{
	tl_request req = {.body = body, .body_len = strlen(body)};
	json_t *out = NULL;
	int rc = tl_json_input(&req, fields, 3, &out, e);
	json_decref(out);
	return rc;
}

Test(json_in, accepts_a_valid_body)
{
	tl_error e = {0};
	cr_assert_eq(check("{\"name\":\"x\",\"count\":3,\"flag\":true}", &e), 0);
}

Test(json_in, reports_the_byte_offset_of_bad_json)
{
	tl_error e = {0};
	cr_assert_eq(check("{\"name\": }", &e), TL_EINVALID);
	cr_assert_str_eq(e.code, "invalid_json");
	cr_assert_eq(json_integer_value(json_object_get(e.details, "offset")), 10);
	tl_error_clear(&e);
}

Test(json_in, names_unknown_missing_and_mistyped_fields)
{
	struct { const char *body, *code, *field; } cases[] = {
		{"{\"name\":\"x\",\"extra\":1}", "unknown_field", "extra"},
		{"{\"count\":1}", "missing_field", "name"},
		{"{\"name\":1}", "invalid_type", "name"},
		{"{\"name\":\"x\",\"count\":1.5}", "invalid_type", "count"},
		{"{\"name\":\"x\",\"count\":\"1\"}", "invalid_type", "count"},
		{"{\"name\":\"x\",\"flag\":1}", "invalid_type", "flag"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tl_error e = {0};
		cr_expect_eq(check(cases[i].body, &e), TL_EINVALID, "%s", cases[i].body);
		cr_expect_str_eq(e.code, cases[i].code, "%s", cases[i].body);
		cr_expect_str_eq(json_string_value(json_object_get(e.details, "field")),
				 cases[i].field, "%s", cases[i].body);
		tl_error_clear(&e);
	}
}

Test(json_in, rejects_non_objects_duplicates_and_huge_integers)
{
	const char *bad[] = {"[1]", "\"x\"", "{\"name\":\"a\",\"name\":\"b\"}",
			     "{\"name\":\"x\",\"count\":99999999999999999999}",
			     "{\"name\":\"a\\u0000b\"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tl_error e = {0};
		cr_expect_eq(check(bad[i], &e), TL_EINVALID, "%s", bad[i]);
		tl_error_clear(&e);
	}
}

Test(json_in, empty_body_is_an_empty_object)
{
	tl_error e = {0};
	cr_assert_eq(check("", &e), TL_EINVALID);
	cr_assert_str_eq(e.code, "missing_field");
	tl_error_clear(&e);
}

Test(json_in, out_is_null_after_any_failure)
{
	const char *bad[] = {"{", "null", "[]", "\"x\"", "1", "[[[["};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tl_request req = {.body = bad[i], .body_len = strlen(bad[i])};
		json_t *out = (json_t *)&req; /* garbage, as an uninitialised local would hold */
		tl_error e = {0};
		cr_expect_eq(tl_json_body(&req, &out, &e), TL_EINVALID, "%s", bad[i]);
		cr_expect_null(out, "%s left *out set", bad[i]);
		tl_error_clear(&e);
		out = (json_t *)&req;
		cr_expect_eq(tl_json_input(&req, NULL, 0, &out, &e), TL_EINVALID, "%s", bad[i]);
		cr_expect_null(out, "%s left *out set", bad[i]);
		tl_error_clear(&e);
	}
}

static char *nest(size_t depth)
{
	size_t size = 2 * depth + 16, n = 0;
	char *s = malloc(size);
	n += (size_t)snprintf(s, size, "{\"name\":");
	for (size_t i = 0; i < depth - 1; i++)
		s[n++] = '[';
	for (size_t i = 0; i < depth - 1; i++)
		s[n++] = ']';
	snprintf(s + n, size - n, "}");
	return s;
}

Test(json_in, nesting_deeper_than_the_limit_is_json_too_deep)
{
	/* TL_JSON_DEPTH_MAX levels parse (and fail the field's type); one more does not */
	char *ok = nest(TL_JSON_DEPTH_MAX), *deep = nest(TL_JSON_DEPTH_MAX + 1);
	tl_error e = {0};
	cr_expect_eq(check(ok, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_type");
	tl_error_clear(&e);
	cr_expect_eq(check(deep, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "json_too_deep");
	tl_error_clear(&e);
	free(ok);
	free(deep);
	/* brackets in strings, escaped quotes included, are not nesting */
	char text[200];
	snprintf(text, sizeof(text), "{\"name\":\"\\\"%.100s\"}",
		 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
	cr_expect_eq(check(text, &e), 0, "%s", e.message);
	tl_error_clear(&e);
}

Test(json_in, strings_with_control_characters_or_over_the_limit_are_invalid_value)
{
	tl_error e = {0};
	cr_expect_eq(check("{\"name\":\"a\\u0001b\"}", &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_value");
	cr_expect_str_eq(json_string_value(json_object_get(e.details, "field")), "name");
	tl_error_clear(&e);
	cr_expect_eq(check("{\"name\":\"a\\u007f\"}", &e), TL_EINVALID);
	tl_error_clear(&e);
	char body[TL_JSON_STRING_MAX + 32] = "{\"name\":\"";
	size_t n = strlen(body);
	memset(body + n, 'x', TL_JSON_STRING_MAX + 1);
	memcpy(body + n + TL_JSON_STRING_MAX + 1, "\"}", 3);
	cr_expect_eq(check(body, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_value");
	tl_error_clear(&e);
	cr_expect_eq(check("{\"name\":\"caf\\u00e9 \\u4e2d\"}", &e), 0, "UTF-8 text is fine");
}

Test(json_in, nested_checks_name_the_path)
{
	json_t *items = json_loads("[{\"flavor\":\"a\",\"nmae\":1}]", 0, NULL);
	static const tl_field spec[] = {{"flavor", TL_JSON_STRING, true}};
	tl_error e = {0};
	cr_expect_eq(tl_json_check_at(json_array_get(items, 0), "items[0].spec", spec, 1, &e),
		     TL_EINVALID);
	cr_expect_str_eq(e.code, "unknown_field");
	cr_expect_str_eq(json_string_value(json_object_get(e.details, "field")),
			 "items[0].spec.nmae");
	tl_error_clear(&e);
	cr_expect_eq(tl_json_check_at(items, "items", spec, 1, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_type");
	tl_error_clear(&e);
	cr_expect_eq(tl_spec_check(json_array_get(items, 0), "server", "spec", &e), TL_EINVALID);
	cr_expect_str_eq(json_string_value(json_object_get(e.details, "field")), "spec.nmae");
	tl_error_clear(&e);
	json_decref(items);
}

Test(json_in, bounded_integers_are_never_cast_unchecked)
{
	json_t *in = json_loads("{\"m\":4294967308,\"n\":12,\"s\":\"1\",\"a\":0,\"b\":7}", 0, NULL);
	int64_t v = -1;
	tl_error e = {0};
	cr_expect_eq(tl_json_int_range(in, "m", 1, 36, &v, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_value");
	cr_expect_str_eq(json_string_value(json_object_get(e.details, "field")), "m");
	cr_expect_eq(v, -1, "untouched on failure");
	tl_error_clear(&e);
	cr_expect_eq(tl_json_int_range(in, "n", 1, 36, &v, &e), 0);
	cr_expect_eq(v, 12);
	cr_expect_eq(tl_json_int_range(in, "absent", 1, 36, &v, &e), 0);
	cr_expect_eq(v, 12, "absent leaves the default");
	cr_expect_eq(tl_json_int_range(in, "s", 1, 36, &v, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_type");
	tl_error_clear(&e);
	cr_expect_eq(tl_json_amount(in, "a", &v, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_amount");
	tl_error_clear(&e);
	cr_expect_eq(tl_json_amount(in, "b", &v, &e), 0);
	cr_expect_eq(v, 7);
	json_decref(in);
}
