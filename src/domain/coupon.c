/* coupon.c: coupon fields and applicability. */
#include "domain/coupon.h"
#include "common/timefmt.h"
#include "domain/currency.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int tl_coupon_normalize_code(const char *code, char out[TL_COUPON_CODE_MAX])
{
	size_t len = strlen(code);
	if (len == 0 || len >= TL_COUPON_CODE_MAX)
		return TL_EINVALID;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)code[i];
		if (!isalnum(ch) && ch != '_' && ch != '-')
			return TL_EINVALID;
		out[i] = (char)toupper(ch);
	}
	out[len] = '\0';
	return 0;
}

static int field_error(tl_error *err, const char *field, const char *message)
{
	tl_error_set(err, TL_EINVALID, "invalid_coupon", "%s: %s", field, message);
	tl_error_details(err, json_pack("{s:s}", "field", field));
	return TL_EINVALID;
}

static int read_time(const json_t *in, const char *field, int64_t *out, tl_error *err)
{
	const char *text = json_string_value(json_object_get(in, field));
	*out = 0;
	if (text && tl_time_parse(text, out) < 0)
		return field_error(err, field, "must be an RFC 3339 time");
	return 0;
}

static int read_discount(const json_t *in, tl_coupon *c, tl_error *err)
{
	json_t *pct = json_object_get(in, "percent_off"), *amt = json_object_get(in, "amount_off");
	if ((pct == NULL) == (amt == NULL))
		return field_error(err, "percent_off", "give exactly one of percent_off, amount_off");
	c->percent_off = pct ? json_integer_value(pct) : 0;
	c->amount_off = amt ? json_integer_value(amt) : 0;
	if (pct && (c->percent_off < 1 || c->percent_off > 100))
		return field_error(err, "percent_off", "must be 1 to 100");
	if (amt && c->amount_off < 1)
		return field_error(err, "amount_off", "must be a positive integer of minor units");
	return 0;
}

static int read_limits(const json_t *in, const tl_catalog *cat, tl_coupon *c, tl_error *err)
{
	json_t *v;
	if ((v = json_object_get(in, "max_redemptions")) &&
	    (c->max_redemptions = json_integer_value(v)) < 1)
		return field_error(err, "max_redemptions", "must be at least 1");
	if ((v = json_object_get(in, "max_per_account")) &&
	    (c->max_per_account = json_integer_value(v)) < 1)
		return field_error(err, "max_per_account", "must be at least 1");
	if ((v = json_object_get(in, "min_cycle_months"))) {
		json_int_t months = json_integer_value(v);
		if (months < 1 || months > 36 || tl_catalog_cycle_find(cat, (int)months) == NULL)
			return field_error(err, "min_cycle_months", "must be a term of the catalog");
		c->min_cycle_months = (int)months;
	}
	c->first_purchase_only = json_is_true(json_object_get(in, "first_purchase_only"));
	return 0;
}

static int read_services(const json_t *in, const tl_catalog *cat, tl_coupon *c, tl_error *err)
{
	json_t *list = json_object_get(in, "services"), *s;
	size_t i;
	if (list == NULL)
		return 0;
	if (json_array_size(list) == 0 || json_array_size(list) > TL_COUPON_SERVICES_MAX)
		return field_error(err, "services", "must list 1 to 8 services");
	json_array_foreach(list, i, s) {
		const char *id = json_string_value(s);
		if (id == NULL || tl_catalog_service_find(cat, id) == NULL)
			return field_error(err, "services", "names a service the catalog does not have");
		snprintf(c->services[i], sizeof(c->services[i]), "%s", id);
	}
	c->service_count = json_array_size(list);
	return 0;
}

int tl_coupon_from_request(const json_t *in, const tl_catalog *catalog, tl_coupon *out,
			   tl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (tl_coupon_normalize_code(json_string_value(json_object_get(in, "code")), out->code) < 0)
		return field_error(err, "code", "must be 1 to 32 of A-Z, 0-9, _ and -");
	snprintf(out->currency, sizeof(out->currency), "%s", catalog->currency);
	int rc = read_discount(in, out, err);
	rc = rc ? rc : read_time(in, "starts_at", &out->starts_at, err);
	rc = rc ? rc : read_time(in, "expires_at", &out->expires_at, err);
	if (rc == 0 && out->starts_at && out->expires_at && out->expires_at <= out->starts_at)
		rc = field_error(err, "expires_at", "must be after starts_at");
	rc = rc ? rc : read_limits(in, catalog, out, err);
	return rc ? rc : read_services(in, catalog, out, err);
}


static json_t *positive_or_null(int64_t v)
{
	return v > 0 ? json_integer(v) : json_null();
}

json_t *tl_coupon_to_json(const tl_coupon *c)
{
	json_t *services = json_array();
	for (size_t i = 0; i < c->service_count; i++)
		json_array_append_new(services, json_string(c->services[i]));
	return json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:I, s:o}",
			 "id", c->id, "code", c->code, "percent_off", positive_or_null(c->percent_off),
			 "amount_off", positive_or_null(c->amount_off), "currency", c->currency,
			 "starts_at", tl_time_to_json(c->starts_at), "expires_at",
			 tl_time_to_json(c->expires_at), "max_redemptions",
			 positive_or_null(c->max_redemptions), "max_per_account",
			 positive_or_null(c->max_per_account), "services",
			 c->service_count ? services : (json_decref(services), json_null()),
			 "min_cycle_months", positive_or_null(c->min_cycle_months),
			 "first_purchase_only", c->first_purchase_only, "disabled", c->disabled,
			 "redemptions", (json_int_t)c->redemptions, "created_at",
			 tl_time_to_json(c->created_at));
}

static int not_applicable(const tl_coupon *c, tl_error *err, const char *why)
{
	return tl_error_set(err, TL_ERULE, "coupon_not_applicable", "coupon %s %s", c->code, why);
}

static bool service_allowed(const tl_coupon *c, const char *service)
{
	for (size_t i = 0; i < c->service_count; i++)
		if (strcmp(c->services[i], service) == 0)
			return true;
	return c->service_count == 0;
}

int tl_coupon_check(const tl_coupon *c, const tl_coupon_use *u, tl_error *err)
{
	if (c->disabled)
		return not_applicable(c, err, "has been disabled");
	if (c->starts_at && u->now < c->starts_at)
		return not_applicable(c, err, "is not valid yet");
	if (c->expires_at && u->now >= c->expires_at)
		return tl_error_set(err, TL_ERULE, "coupon_expired", "coupon %s has expired", c->code);
	if (c->max_redemptions && c->redemptions >= c->max_redemptions)
		return tl_error_set(err, TL_ERULE, "coupon_exhausted",
				    "coupon %s has been used its %lld times", c->code,
				    (long long)c->max_redemptions);
	if (c->max_per_account && u->account_redemptions >= c->max_per_account)
		return tl_error_set(err, TL_ERULE, "coupon_exhausted",
				    "coupon %s has been used its %lld times by this account", c->code,
				    (long long)c->max_per_account);
	if (c->min_cycle_months && u->cycle_months < c->min_cycle_months) {
		tl_error_set(err, TL_ERULE, "coupon_not_applicable",
			     "coupon %s needs a term of at least %d months", c->code,
			     c->min_cycle_months);
		return TL_ERULE;
	}
	for (size_t i = 0; i < u->service_count; i++)
		if (!service_allowed(c, u->services[i]))
			return not_applicable(c, err, "does not apply to every service bought here");
	if (c->first_purchase_only && u->account_has_purchased)
		return not_applicable(c, err, "is for an account's first purchase only");
	if (c->amount_off && strcmp(c->currency, u->currency) != 0)
		return not_applicable(c, err, "is in another currency");
	return 0;
}
