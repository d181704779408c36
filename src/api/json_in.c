/* json_in.c: strict parsing of request bodies. A body is one JSON object;
 * every member must be known, of the right type, and the required ones
 * present. Each failure names the field, so a client can fix its call. */
#include "api/api.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *type_name(tl_json_type t)
{
	switch (t) {
	case TL_JSON_STRING: return "string";
	case TL_JSON_INTEGER: return "integer";
	case TL_JSON_BOOLEAN: return "boolean";
	case TL_JSON_OBJECT: return "object";
	case TL_JSON_ARRAY: return "array";
	}
	return "value";
}

static bool has_type(const json_t *v, tl_json_type t)
{
	switch (t) {
	case TL_JSON_STRING: return json_is_string(v);
	case TL_JSON_INTEGER: return json_is_integer(v);
	case TL_JSON_BOOLEAN: return json_is_boolean(v);
	case TL_JSON_OBJECT: return json_is_object(v);
	case TL_JSON_ARRAY: return json_is_array(v);
	}
	return false;
}

int tl_json_body(const tl_request *req, json_t **out, tl_error *err)
{
	if (req->body_len == 0) {
		*out = json_object();
		return 0;
	}
	json_error_t jerr;
	json_t *root = json_loadb(req->body, req->body_len,
				  JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		tl_error_set(err, TL_EINVALID, "invalid_json",
			     "the body is not valid JSON at byte %d: %s", jerr.position, jerr.text);
		tl_error_details(err, json_pack("{s:i, s:i, s:i}", "offset", jerr.position,
						"line", jerr.line, "column", jerr.column));
		return TL_EINVALID;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return tl_error_set(err, TL_EINVALID, "invalid_type",
				    "the body must be a JSON object");
	}
	*out = root;
	return 0;
}

int tl_json_check(const json_t *obj, const tl_field *fields, size_t count, tl_error *err)
{
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)(uintptr_t)obj, key, value) {
		const tl_field *f = NULL;
		for (size_t i = 0; i < count && f == NULL; i++)
			if (strcmp(fields[i].name, key) == 0)
				f = &fields[i];
		if (f == NULL) {
			tl_error_set(err, TL_EINVALID, "unknown_field", "unknown field \"%.64s\"", key);
			tl_error_details(err, json_pack("{s:s}", "field", key));
			return TL_EINVALID;
		}
		if (!has_type(value, f->type)) {
			tl_error_set(err, TL_EINVALID, "invalid_type", "field \"%s\" must be a %s",
				     f->name, type_name(f->type));
			tl_error_details(err, json_pack("{s:s, s:s}", "field", f->name,
							"expected", type_name(f->type)));
			return TL_EINVALID;
		}
	}
	for (size_t i = 0; i < count; i++) {
		if (fields[i].required && json_object_get(obj, fields[i].name) == NULL) {
			tl_error_set(err, TL_EINVALID, "missing_field", "field \"%s\" is required",
				     fields[i].name);
			tl_error_details(err, json_pack("{s:s}", "field", fields[i].name));
			return TL_EINVALID;
		}
	}
	return 0;
}

int tl_json_input(const tl_request *req, const tl_field *fields, size_t count, json_t **out,
		  tl_error *err)
{
	int rc = tl_json_body(req, out, err);
	if (rc < 0)
		return rc;
	rc = tl_json_check(*out, fields, count, err);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

const char *tl_json_str(const json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}
