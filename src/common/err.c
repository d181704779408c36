/* err.c: recording an error once, and mapping error kinds to HTTP. */
#include "common/err.h"
#include "common/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int tl_error_set(tl_error *e, int err, const char *code, const char *fmt, ...)
{
	if (e == NULL || e->err != 0)
		return err;
	e->err = err;
	snprintf(e->code, sizeof(e->code), "%s", code ? code : tl_err_default_code(err));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	tl_utf8_sanitize(e->message); /* it may quote client text, cut anywhere */
	return err;
}

void tl_error_details(tl_error *e, json_t *details)
{
	if (e == NULL || details == NULL) {
		json_decref(details);
		return;
	}
	json_decref(e->details);
	e->details = details;
}

void tl_error_clear(tl_error *e)
{
	json_decref(e->details);
	memset(e, 0, sizeof(*e));
}

static const struct {
	int err;
	unsigned status;
	const char *code;
} err_table[] = {
	{TL_EINVALID, 400, "invalid_request"},
	{TL_EAUTH, 401, "unauthorized"},
	{TL_EFORBIDDEN, 403, "forbidden"},
	{TL_ENOTFOUND, 404, "not_found"},
	{TL_EMETHOD, 405, "method_not_allowed"},
	{TL_ECONFLICT, 409, "conflict"},
	{TL_ETOOLARGE, 413, "body_too_large"},
	{TL_ERULE, 422, "rule_violation"},
	{TL_EFUNDS, 422, "insufficient_credit"},
	{TL_ELIMIT, 429, "too_many_requests"},
	{TL_EINTERNAL, 500, "internal_error"},
	{TL_EUNAVAILABLE, 503, "unavailable"},
};

unsigned tl_err_http_status(int err)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].err == err)
			return err_table[i].status;
	return 500;
}

const char *tl_err_default_code(int err)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].err == err)
			return err_table[i].code;
	return "internal_error";
}
