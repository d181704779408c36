/*
 * fuzz_json_body.c: strict request bodies (src/api/json_in.c), the first
 * thing every POST and PATCH handler does with a caller's bytes.
 *
 * The body is parsed (tl_json_body) and checked (tl_json_check) against a
 * schema with each member type, and through tl_json_input as handlers call
 * it. A refusal must carry its API code; an accepted body must be an
 * object whose members all are in the schema, of their type.
 */
#include "fuzz.h"

#include "api/api.h"

static const tl_field schema[] = {
	{"name", TL_JSON_STRING, true},     {"amount", TL_JSON_INTEGER, false},
	{"confirm", TL_JSON_BOOLEAN, false}, {"metadata", TL_JSON_OBJECT, false},
	{"transfers", TL_JSON_ARRAY, false},
};
#define SCHEMA_COUNT (sizeof(schema) / sizeof(schema[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_strdup(data, size);
	if (body == NULL)
		return 0;
	tl_request req = {.method = "POST", .path = "/fuzz", .body = body, .body_len = size};
	tl_error err = {0};
	json_t *in = NULL;
	if (tl_json_body(&req, &in, &err) == 0) {
		FUZZ_ASSERT(json_is_object(in));
		if (tl_json_check(in, schema, SCHEMA_COUNT, &err) == 0) {
			FUZZ_ASSERT(json_is_string(json_object_get(in, "name")));
			FUZZ_ASSERT(json_object_size(in) <= SCHEMA_COUNT);
		} else {
			FUZZ_ASSERT(err.code[0] != '\0');
		}
		json_decref(in);
	} else {
		FUZZ_ASSERT(err.err == TL_EINVALID && err.code[0] != '\0');
	}
	tl_error_clear(&err);

	/* As the handlers call it: on failure there is nothing to free. */
	in = NULL;
	if (tl_json_input(&req, schema, SCHEMA_COUNT, &in, &err) == 0)
		json_decref(in);
	tl_error_clear(&err);
	free(body);
	return 0;
}
