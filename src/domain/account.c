/* account.c: rules for a new account and for its type. */
#include "domain/account.h"
#include "domain/currency.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <string.h>

/* Names are shown in lists and invoices: no control characters, not blank. */
int tl_name_check(const char *name, tl_error *err)
{
	size_t len = strlen(name);
	if (len == 0 || len > TL_NAME_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_name",
				    "name must be 1 to %u bytes", TL_NAME_MAX);
	bool blank = true;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return tl_error_set(err, TL_EINVALID, "invalid_name",
					    "name must not contain control characters");
		if (*p != ' ')
			blank = false;
	}
	if (blank)
		return tl_error_set(err, TL_EINVALID, "invalid_name", "name must not be blank");
	return 0;
}

int tl_account_prepare(tl_account *out, const char *name, const char *currency,
		       tl_error *err)
{
	int rc = tl_name_check(name, err);
	if (rc < 0)
		return rc;
	if (currency == NULL)
		currency = TL_DEFAULT_CURRENCY;
	if (tl_currency_find(currency) == NULL)
		return tl_error_set(err, TL_EINVALID, "unsupported_currency",
				    "currency %.8s is not supported", currency);
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->currency, sizeof(out->currency), "%s", currency);
	snprintf(out->type, sizeof(out->type), "prepaid");
	return 0;
}

int tl_account_type_check(const char *type, tl_error *err)
{
	if (strcmp(type, "prepaid") == 0 || strcmp(type, "postpaid") == 0)
		return 0;
	tl_error_set(err, TL_EINVALID, "invalid_type_value",
		     "type must be \"prepaid\" or \"postpaid\", not \"%.32s\"", type);
	tl_error_details(err, json_pack("{s:s}", "field", "type"));
	return TL_EINVALID;
}

int tl_token_scope_check(const char *scope, tl_error *err)
{
	if (strcmp(scope, "account") == 0 || strcmp(scope, "metering") == 0)
		return 0;
	tl_error_set(err, TL_EINVALID, "invalid_scope",
		     "scope must be \"account\" or \"metering\", not \"%.32s\"", scope);
	tl_error_details(err, json_pack("{s:s}", "field", "scope"));
	return TL_EINVALID;
}

json_t *tl_account_to_json(const tl_account *a)
{
	char created[TL_TIME_STR_MAX];
	tl_time_format(a->created_at, created);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", a->id, "name", a->name, "currency",
			 a->currency, "type", a->type, "created_at", created);
}
