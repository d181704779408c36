/* Unit tests: strict request bodies. */
#include <criterion/criterion.h>
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
