/* respond.c: turning results and errors into response bodies. Errors always
 * have API.md's shape: {"error": {"code", "message", "details"?}}. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

void tl_response_reset(tl_response *res)
{
	json_decref(res->json);
	json_decref(res->retry_json);
	free(res->text);
	memset(res, 0, sizeof(*res));
}

void tl_respond_json(tl_response *res, unsigned status, json_t *body)
{
	tl_response_reset(res);
	res->status = status;
	res->json = body;
}

void tl_respond_error(tl_response *res, const tl_error *err)
{
	int kind = err->err ? err->err : TL_EINTERNAL;
	const char *code = err->code[0] ? err->code : tl_err_default_code(kind);
	const char *message = err->message[0] ? err->message : "unexpected error";
	json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);
	if (e == NULL) /* not UTF-8 after all: never answer with an empty body */
		e = json_pack("{s:s, s:s}", "code", code, "message", "(message not printable)");
	if (err->details)
		json_object_set(e, "details", err->details);
	tl_respond_json(res, tl_err_http_status(kind), json_pack("{s:o}", "error", e));
}

char *tl_response_body_text(const tl_response *res)
{
	if (res->text && res->text_len) { /* binary: may hold NULs */
		char *copy = malloc(res->text_len + 1);
		if (copy) {
			memcpy(copy, res->text, res->text_len);
			copy[res->text_len] = '\0';
		}
		return copy;
	}
	if (res->text)
		return strdup(res->text);
	if (res->json)
		return json_dumps(res->json, JSON_COMPACT);
	return strdup("");
}
