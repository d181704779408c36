/* json_in.c: strict parsing of request bodies. A body is one JSON object;
 * every member must be known, of the right type, and the required ones
 * present. Each failure names the field, so a client can fix its call. */
#include "api/api.h"
#include "common/utf8.h"

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

/* How deeply arrays and objects nest in text, found in one pass over its
 * bytes without recursion; stops counting past TL_JSON_DEPTH_MAX. Brackets
 * inside strings do not count. Not a validator: the parser judges the rest. */
static size_t nesting_depth(const char *text, size_t len)
{
	size_t depth = 0, deepest = 0;
	bool in_string = false;
	for (size_t i = 0; i < len && deepest <= TL_JSON_DEPTH_MAX; i++) {
		char ch = text[i];
		if (in_string) {
			if (ch == '\\')
				i++; /* the escaped byte cannot end the string */
			else if (ch == '"')
				in_string = false;
		} else if (ch == '"') {
			in_string = true;
		} else if (ch == '[' || ch == '{') {
			depth++;
			deepest = depth > deepest ? depth : deepest;
		} else if ((ch == ']' || ch == '}') && depth > 0) {
			depth--;
		}
	}
	return deepest;
}

int tl_json_body(const tl_request *req, json_t **out, tl_error *err)
{
	*out = NULL; /* callers free *out on every path, failures included */
	if (req->body_len == 0) {
		*out = json_object();
		return 0;
	}
	if (nesting_depth(req->body, req->body_len) > TL_JSON_DEPTH_MAX) {
		tl_error_set(err, TL_EINVALID, "json_too_deep",
			     "the body nests arrays and objects deeper than %u levels",
			     TL_JSON_DEPTH_MAX);
		tl_error_details(err, json_pack("{s:i}", "max_depth", (int)TL_JSON_DEPTH_MAX));
		return TL_EINVALID;
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

/* "prefix.name", or "name" with no prefix: how errors name a field. */
static void field_path(char *out, size_t size, const char *prefix, const char *name)
{
	snprintf(out, size, "%s%s%.64s", prefix ? prefix : "", prefix ? "." : "", name);
	tl_utf8_sanitize(out); /* a client's key cut at 64 bytes */
}

/* 400 code: field "path" what. */
static int field_error(tl_error *err, const char *code, const char *path, const char *what)
{
	tl_error_set(err, TL_EINVALID, code, "field \"%s\" %s", path, what);
	tl_error_details(err, json_pack("{s:s}", "field", path));
	return TL_EINVALID;
}

/* Strings tally reads are ids, codes, names, times and references: short,
 * and never with control characters (which would cut or garble logs,
 * documents and the console's text). */
static int check_string(const json_t *value, const char *path, tl_error *err)
{
	size_t len = json_string_length(value);
	const unsigned char *s = (const unsigned char *)json_string_value(value);
	if (len > TL_JSON_STRING_MAX) {
		tl_error_set(err, TL_EINVALID, "invalid_value",
			     "field \"%s\" is longer than %u bytes", path, TL_JSON_STRING_MAX);
		tl_error_details(err, json_pack("{s:s, s:i}", "field", path, "max_bytes",
						(int)TL_JSON_STRING_MAX));
		return TL_EINVALID;
	}
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return field_error(err, "invalid_value", path,
					   "must not contain control characters");
	return 0;
}

int tl_json_check_at(const json_t *obj, const char *prefix, const tl_field *fields,
		     size_t count, tl_error *err)
{
	char path[TL_FIELD_PATH_MAX];
	const char *key;
	json_t *value;
	if (!json_is_object(obj))
		return field_error(err, "invalid_type", prefix ? prefix : "", "must be an object");
	json_object_foreach((json_t *)(uintptr_t)obj, key, value) {
		const tl_field *f = NULL;
		for (size_t i = 0; i < count && f == NULL; i++)
			if (strcmp(fields[i].name, key) == 0)
				f = &fields[i];
		field_path(path, sizeof(path), prefix, key);
		if (f == NULL)
			return field_error(err, "unknown_field", path, "is not a known field");
		if (!has_type(value, f->type)) {
			tl_error_set(err, TL_EINVALID, "invalid_type", "field \"%s\" must be a %s",
				     path, type_name(f->type));
			tl_error_details(err, json_pack("{s:s, s:s}", "field", path,
							"expected", type_name(f->type)));
			return TL_EINVALID;
		}
		if (f->type == TL_JSON_STRING && check_string(value, path, err) < 0)
			return TL_EINVALID;
	}
	for (size_t i = 0; i < count; i++) {
		if (fields[i].required && json_object_get(obj, fields[i].name) == NULL) {
			field_path(path, sizeof(path), prefix, fields[i].name);
			return field_error(err, "missing_field", path, "is required");
		}
	}
	return 0;
}

int tl_json_check(const json_t *obj, const tl_field *fields, size_t count, tl_error *err)
{
	return tl_json_check_at(obj, NULL, fields, count, err);
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

int tl_json_int_range(const json_t *obj, const char *name, int64_t min, int64_t max,
		      int64_t *out, tl_error *err)
{
	const json_t *v = json_object_get(obj, name);
	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return field_error(err, "invalid_type", name, "must be an integer");
	json_int_t n = json_integer_value(v);
	if (n < min || n > max) {
		tl_error_set(err, TL_EINVALID, "invalid_value",
			     "field \"%s\" must be from %lld to %lld", name, (long long)min,
			     (long long)max);
		tl_error_details(err, json_pack("{s:s, s:I, s:I}", "field", name, "min",
						(json_int_t)min, "max", (json_int_t)max));
		return TL_EINVALID;
	}
	*out = n;
	return 0;
}

int tl_json_amount(const json_t *obj, const char *name, int64_t *out, tl_error *err)
{
	const json_t *v = json_object_get(obj, name);
	if (v == NULL)
		return 0;
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*out = json_integer_value(v);
		return 0;
	}
	tl_error_set(err, TL_EINVALID, "invalid_amount",
		     "%s must be a positive integer of minor units", name);
	tl_error_details(err, json_pack("{s:s}", "field", name));
	return TL_EINVALID;
}
