/*
 * catalog.c: reading and checking the product catalog, and the lookups the
 * rest of tally makes in it.
 *
 * The parser is strict because a catalog mistake is a pricing mistake: every
 * member must be known, of its type and within its bounds, and the first
 * failure stops the load with the JSON path of the field at fault
 * ("items[3].monthly_price") in the message and in details.field. Errors in
 * the document as a whole (not JSON, not an object, file unreadable) carry
 * the empty path "".
 *
 * Rules beyond types, each checked here once:
 *   1. version is 1; currency is one tally supports; currencies (default
 *      [currency]) are supported ones, each once, currency among them.
 *   2. cycles: 1..8 terms, months in {1, 3, 6, 12, 24, 36}, each once.
 *   3. services: known ids, each once; vcontainer settles by hold, vserver
 *      and vks are prepaid (vlb and snapshot may be either).
 *   4. items: unique ids of [a-z0-9._-]; type and service fit (type_rules);
 *      load balancers and snapshots are never POC; volumes and snapshots are
 *      priced per GB-month, everything else per month.
 *   5. prices: an item is priced by monthly_price (in currency) or by
 *      prices (per currency of currencies), not both; a cluster item by
 *      neither (no flow charges a cluster: it costs what its members
 *      cost), every other item by one of them.
 *   6. billing: running_time (default) or metered; metered only for types
 *      never POC-billed (their use is rated on nothing else).
 */
#include "domain/catalog.h"
#include "domain/currency.h"
#include "domain/money.h"

#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PATH_MAX_LEN 128
#define MINUTES_PER_HOUR 60
#define MINUTES_PER_MONTH 43200 /* a 30-day month, as billing counts it */
#define DEFAULT_TAX_RATE_BP 1000
#define DEFAULT_HOLD_DAYS 3
#define HOLD_DAYS_MAX 31
#define DISCOUNT_BP_MAX 9999
#define ANY_SETTLEMENT (-1)

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const int cycle_months_allowed[] = {1, 3, 6, 12, 24, 36};

static const char *const settlement_names[] = {"prepaid", "hold"};
static const char *const unit_names[] = {"month", "gb_month"};
static const char *const billing_names[] = {"running_time", "metered"};

/* The services, and the settlement each must use (rule 3). */
static const char *const service_ids[] = {"vserver", "vks", "vcontainer", "vlb", "snapshot"};
static const int service_settlement[] = {TL_SETTLE_PREPAID, TL_SETTLE_PREPAID,
					 TL_SETTLE_HOLD, ANY_SETTLEMENT, ANY_SETTLEMENT};
_Static_assert(COUNT(service_ids) == COUNT(service_settlement), "one rule per service");

/* The item types; type_rules[i] holds the rules of item_types[i]: the
 * services it may belong to, its price unit, and whether it may be
 * POC-billed (DESIGN.md rule 8). */
static const char *const item_types[] = {"server", "volume", "cluster", "load_balancer",
					 "snapshot"};
static const struct {
	const char *services[2];
	tl_price_unit unit;
	bool poc_allowed;
	bool charged; /* false: no flow charges it, so it has no price (rule 5) */
} type_rules[] = {
	{{"vserver", NULL}, TL_UNIT_MONTH, true, true},
	{{"vserver", NULL}, TL_UNIT_GB_MONTH, true, true},
	{{"vks", "vcontainer"}, TL_UNIT_MONTH, true, false},
	{{"vlb", NULL}, TL_UNIT_MONTH, false, true},
	{{"snapshot", NULL}, TL_UNIT_GB_MONTH, false, true},
};
_Static_assert(COUNT(item_types) == COUNT(type_rules), "one rule per item type");

static const char *const top_keys[] = {"version", "currency", "currencies", "tax_rate_bp",
				       "hold_days", "cycles", "services", "items"};
static const char *const cycle_keys[] = {"months", "discount_bp"};
static const char *const service_keys[] = {"id", "settlement"};
static const char *const item_keys[] = {"id", "type", "service", "name", "poc_eligible",
					"monthly_price", "prices", "unit", "billing"};

/* Every failure goes through here: one code, the path in the message and in
 * details, so tallyd's start-up error and a test can both name the field. */
static int fail(tl_error *err, const char *path, const char *reason)
{
	if (err == NULL || err->err != 0)
		return TL_EINVALID; /* the first failure's message and details stay */
	if (path[0] == '\0')
		tl_error_set(err, TL_EINVALID, "invalid_catalog", "%s", reason);
	else
		tl_error_set(err, TL_EINVALID, "invalid_catalog", "%s: %s", path, reason);
	tl_error_details(err, json_pack("{s:s}", "field", path));
	return TL_EINVALID;
}

static void path_key(char *out, const char *base, const char *key)
{
	if (base[0] == '\0')
		snprintf(out, PATH_MAX_LEN, "%s", key);
	else
		snprintf(out, PATH_MAX_LEN, "%s.%s", base, key);
}

/* Keys are compared with their length, so "id\u0000x" is not "id". */
static int check_keys(const json_t *obj, const char *const *allowed, size_t count,
		      const char *base, tl_error *err)
{
	const char *key;
	size_t key_len;
	json_t *value;
	json_object_keylen_foreach((json_t *)(uintptr_t)obj, key, key_len, value) {
		(void)value;
		bool known = false;
		for (size_t i = 0; i < count && !known; i++)
			known = strlen(allowed[i]) == key_len && memcmp(allowed[i], key, key_len) == 0;
		if (!known) {
			char path[PATH_MAX_LEN];
			path_key(path, base, key);
			return fail(err, path, "unknown field");
		}
	}
	return 0;
}

/* An integer member in [lo, hi]; when absent, dflt unless required. */
static int get_int(const json_t *obj, const char *base, const char *key, bool required,
		   int64_t dflt, int64_t lo, int64_t hi, int64_t *out, tl_error *err)
{
	char path[PATH_MAX_LEN];
	path_key(path, base, key);
	const json_t *v = json_object_get(obj, key);
	if (v == NULL && !required) {
		*out = dflt;
		return 0;
	}
	if (v == NULL)
		return fail(err, path, "is required");
	int64_t n = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	if (json_is_integer(v) && n >= lo && n <= hi) {
		*out = n;
		return 0;
	}
	if (lo == 0 && hi == INT64_MAX)
		return fail(err, path, "must be a non-negative integer");
	char reason[96];
	snprintf(reason, sizeof(reason), "must be an integer from %" PRId64 " to %" PRId64, lo,
		 hi);
	return fail(err, path, reason);
}

/* A required string of min_len..out_size-1 bytes with no NUL inside. */
static int get_str(const json_t *obj, const char *base, const char *key, size_t min_len,
		   char *out, size_t out_size, tl_error *err)
{
	char path[PATH_MAX_LEN];
	path_key(path, base, key);
	const json_t *v = json_object_get(obj, key);
	if (v == NULL)
		return fail(err, path, "is required");
	if (!json_is_string(v))
		return fail(err, path, "must be a string");
	size_t len = json_string_length(v);
	const char *s = json_string_value(v);
	if (len < min_len || len >= out_size || memchr(s, '\0', len) != NULL) {
		char reason[64];
		snprintf(reason, sizeof(reason), "must be %zu to %zu bytes", min_len,
			 out_size - 1);
		return fail(err, path, reason);
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* A required string that is one of names[0..count-1]; *out is its index. */
static int get_enum(const json_t *obj, const char *base, const char *key,
		    const char *const *names, size_t count, int *out, tl_error *err)
{
	char path[PATH_MAX_LEN];
	path_key(path, base, key);
	const json_t *v = json_object_get(obj, key);
	if (v == NULL)
		return fail(err, path, "is required");
	const char *s = json_string_value(v); /* NULL when not a string */
	for (size_t i = 0; s != NULL && i < count; i++) {
		if (strcmp(names[i], s) == 0 && strlen(s) == json_string_length(v)) {
			*out = (int)i;
			return 0;
		}
	}
	char reason[160];
	size_t used = (size_t)snprintf(reason, sizeof(reason), "must be one of");
	for (size_t i = 0; i < count && used < sizeof(reason); i++)
		used += (size_t)snprintf(reason + used, sizeof(reason) - used, "%s %s",
					 i ? "," : "", names[i]);
	return fail(err, path, reason);
}

static int get_bool(const json_t *obj, const char *base, const char *key, bool *out,
		    tl_error *err)
{
	char path[PATH_MAX_LEN];
	path_key(path, base, key);
	const json_t *v = json_object_get(obj, key);
	if (v == NULL)
		return fail(err, path, "is required");
	if (!json_is_boolean(v))
		return fail(err, path, "must be true or false");
	*out = json_is_true(v);
	return 0;
}

/* The array member `key` with min..max entries, each an object. */
static int get_array(const json_t *root, const char *key, size_t min, size_t max,
		     const json_t **out, tl_error *err)
{
	const json_t *v = json_object_get(root, key);
	if (v == NULL)
		return fail(err, key, "is required");
	char reason[64];
	snprintf(reason, sizeof(reason), "must be an array of %zu to %zu objects", min, max);
	if (!json_is_array(v) || json_array_size(v) < min || json_array_size(v) > max)
		return fail(err, key, reason);
	for (size_t i = 0; i < json_array_size(v); i++) {
		if (!json_is_object(json_array_get(v, i))) {
			char path[PATH_MAX_LEN];
			snprintf(path, sizeof(path), "%s[%zu]", key, i);
			return fail(err, path, "must be an object");
		}
	}
	*out = v;
	return 0;
}

static int currency_index(const tl_catalog *c, const char *code)
{
	for (size_t i = 0; code != NULL && i < c->currency_count; i++)
		if (strcmp(c->currencies[i], code) == 0)
			return (int)i;
	return -1;
}

/* Rule 1: the currencies priced, the default first. */
static int parse_currencies(const json_t *root, tl_catalog *c, tl_error *err)
{
	memcpy(c->currencies[0], c->currency, sizeof(c->currency));
	c->currency_count = 1;
	const json_t *list = json_object_get(root, "currencies");
	if (list == NULL)
		return 0;
	char reason[96];
	snprintf(reason, sizeof(reason), "must be an array of 1 to %d currency codes",
		 TL_CATALOG_CURRENCIES_MAX);
	if (!json_is_array(list) || json_array_size(list) < 1 ||
	    json_array_size(list) > TL_CATALOG_CURRENCIES_MAX)
		return fail(err, "currencies", reason);
	bool has_default = false;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *v = json_array_get(list, i);
		const char *code = json_string_value(v);
		char path[PATH_MAX_LEN];
		snprintf(path, sizeof(path), "currencies[%zu]", i);
		if (code == NULL || strlen(code) != json_string_length(v) ||
		    strlen(code) >= sizeof(c->currency) || tl_currency_find(code) == NULL)
			return fail(err, path, "unsupported currency");
		if (strcmp(code, c->currency) == 0) {
			if (has_default)
				return fail(err, path, "duplicate currency");
			has_default = true;
			continue;
		}
		if (currency_index(c, code) >= 0)
			return fail(err, path, "duplicate currency");
		snprintf(c->currencies[c->currency_count++], sizeof(c->currencies[0]), "%s", code);
	}
	if (!has_default)
		return fail(err, "currencies", "must include the catalog's currency");
	return 0;
}

static int parse_header(const json_t *root, tl_catalog *c, tl_error *err)
{
	int64_t version = 0, hold_days = 0;
	int rc = get_int(root, "", "version", true, 0, 0, INT64_MAX, &version, err);
	if (rc == 0 && version != 1)
		rc = fail(err, "version", "unsupported version: this tally reads version 1");
	char currency[TL_CATALOG_ID_MAX] = "";
	if (rc == 0)
		rc = get_str(root, "", "currency", 1, currency, sizeof(currency), err);
	if (rc == 0 && (strlen(currency) >= sizeof(c->currency) ||
			tl_currency_find(currency) == NULL))
		rc = fail(err, "currency", "unsupported currency");
	if (rc == 0)
		rc = get_int(root, "", "tax_rate_bp", false, DEFAULT_TAX_RATE_BP, 0, TL_BP_ONE,
			     &c->tax_rate_bp, err);
	if (rc == 0)
		rc = get_int(root, "", "hold_days", false, DEFAULT_HOLD_DAYS, 1, HOLD_DAYS_MAX,
			     &hold_days, err);
	if (rc < 0)
		return rc;
	c->version = (int)version;
	memcpy(c->currency, currency, strlen(currency) + 1); /* fits: checked above */
	c->hold_days = (int)hold_days;
	return parse_currencies(root, c, err);
}

static bool cycle_months_ok(int64_t months)
{
	for (size_t i = 0; i < COUNT(cycle_months_allowed); i++)
		if (cycle_months_allowed[i] == months)
			return true;
	return false;
}

static int parse_cycle(const json_t *obj, const char *base, tl_catalog *c, tl_error *err)
{
	int64_t months = 0, discount_bp = 0;
	int rc = check_keys(obj, cycle_keys, COUNT(cycle_keys), base, err);
	if (rc == 0)
		rc = get_int(obj, base, "months", true, 0, 1, 36, &months, err);
	if (rc == 0)
		rc = get_int(obj, base, "discount_bp", true, 0, 0, DISCOUNT_BP_MAX, &discount_bp,
			     err);
	if (rc < 0)
		return rc;
	char path[PATH_MAX_LEN];
	path_key(path, base, "months");
	if (!cycle_months_ok(months))
		return fail(err, path, "must be one of 1, 3, 6, 12, 24, 36");
	if (tl_catalog_cycle_find(c, (int)months) != NULL)
		return fail(err, path, "duplicate term");
	c->cycles[c->cycle_count].months = (int)months;
	c->cycles[c->cycle_count].discount_bp = discount_bp;
	c->cycle_count++;
	return 0;
}

static int parse_service(const json_t *obj, const char *base, tl_catalog *c, tl_error *err)
{
	int id = 0, settlement = 0;
	int rc = check_keys(obj, service_keys, COUNT(service_keys), base, err);
	if (rc == 0)
		rc = get_enum(obj, base, "id", service_ids, COUNT(service_ids), &id, err);
	if (rc == 0)
		rc = get_enum(obj, base, "settlement", settlement_names,
			      COUNT(settlement_names), &settlement, err);
	if (rc < 0)
		return rc;
	char path[PATH_MAX_LEN];
	path_key(path, base, "id");
	if (tl_catalog_service_find(c, service_ids[id]) != NULL)
		return fail(err, path, "duplicate service");
	int required = service_settlement[id];
	if (required != ANY_SETTLEMENT && required != settlement) {
		char reason[64];
		snprintf(reason, sizeof(reason), "must be %s for %s", settlement_names[required],
			 service_ids[id]);
		path_key(path, base, "settlement");
		return fail(err, path, reason);
	}
	tl_catalog_service *s = &c->services[c->service_count++];
	snprintf(s->id, sizeof(s->id), "%s", service_ids[id]);
	s->settlement = (tl_settlement)settlement;
	return 0;
}

/* Ids go into URLs, logs and invoices unquoted: a short, safe alphabet. */
static int check_item_id(const tl_catalog *c, const char *id, const char *base,
			 tl_error *err)
{
	char path[PATH_MAX_LEN];
	path_key(path, base, "id");
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return fail(err, path, "must use only a-z, 0-9, '.', '_' and '-'");
	if (tl_catalog_item_find(c, id) != NULL)
		return fail(err, path, "duplicate item id");
	return 0;
}

/* Names are printed on invoices: no control characters. */
static int check_item_name(const char *name, const char *base, tl_error *err)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			char path[PATH_MAX_LEN];
			path_key(path, base, "name");
			return fail(err, path, "must not contain control characters");
		}
	}
	return 0;
}

/* Rule 4: the type decides the service, the unit and whether POC is allowed. */
static int check_item_rules(const tl_catalog *c, const tl_catalog_item *it, int type,
			    const char *base, tl_error *err)
{
	char path[PATH_MAX_LEN], reason[96];
	const char *const *allowed = type_rules[type].services;
	path_key(path, base, "service");
	if (tl_catalog_service_find(c, it->service) == NULL)
		return fail(err, path, "is not a service listed in services");
	if (strcmp(it->service, allowed[0]) != 0 &&
	    (allowed[1] == NULL || strcmp(it->service, allowed[1]) != 0)) {
		snprintf(reason, sizeof(reason), "a %s item must belong to %s%s%s", it->type,
			 allowed[0], allowed[1] ? " or " : "", allowed[1] ? allowed[1] : "");
		return fail(err, path, reason);
	}
	path_key(path, base, "poc_eligible");
	if (it->poc_eligible && !type_rules[type].poc_allowed)
		return fail(err, path, "must be false: load balancers and snapshots are never POC");
	path_key(path, base, "unit");
	if (it->unit != type_rules[type].unit) {
		snprintf(reason, sizeof(reason), "must be %s for a %s item",
			 unit_names[type_rules[type].unit], it->type);
		return fail(err, path, reason);
	}
	return 0;
}

/* Rule 5: monthly_price (in the default currency) or prices (per
 * currency), or for a type no flow charges, neither. */
static int parse_prices(const json_t *obj, const char *base, const tl_catalog *c, int type,
			tl_catalog_item *it, tl_error *err)
{
	char path[PATH_MAX_LEN];
	const json_t *single = json_object_get(obj, "monthly_price");
	const json_t *many = json_object_get(obj, "prices");
	if (!type_rules[type].charged && (single || many)) {
		path_key(path, base, single ? "monthly_price" : "prices");
		return fail(err, path, "no flow charges a cluster (it costs what its servers and "
				       "volumes cost): a cluster item has no price");
	}
	if (!type_rules[type].charged)
		return 0;
	if (single && many) {
		path_key(path, base, "prices");
		return fail(err, path, "give monthly_price or prices, not both");
	}
	if (many == NULL) {
		it->offered[0] = true;
		return get_int(obj, base, "monthly_price", true, 0, 0, INT64_MAX, &it->prices[0],
			       err);
	}
	path_key(path, base, "prices");
	if (!json_is_object(many) || json_object_size(many) == 0)
		return fail(err, path, "must be an object of one or more currency: monthly price");
	const char *code;
	json_t *value;
	json_object_foreach((json_t *)(uintptr_t)many, code, value) {
		char key_path[PATH_MAX_LEN];
		snprintf(key_path, sizeof(key_path), "%.80s.%.16s", path, code);
		int i = currency_index(c, code);
		if (i < 0)
			return fail(err, key_path, "is not one of the catalog's currencies");
		if (!json_is_integer(value) || json_integer_value(value) < 0)
			return fail(err, key_path, "must be a non-negative integer");
		it->prices[i] = (int64_t)json_integer_value(value);
		it->offered[i] = true;
	}
	return 0;
}

/* Rule 6: the billing kind, metered only where nothing else rates use. */
static int parse_billing(const json_t *obj, const char *base, int type, tl_catalog_item *it,
			 tl_error *err)
{
	int billing = TL_BILLING_RUNNING_TIME;
	if (json_object_get(obj, "billing") != NULL &&
	    get_enum(obj, base, "billing", billing_names, COUNT(billing_names), &billing, err) < 0)
		return TL_EINVALID;
	it->billing = (tl_billing_kind)billing;
	if (it->billing == TL_BILLING_METERED && type_rules[type].poc_allowed) {
		char path[PATH_MAX_LEN];
		path_key(path, base, "billing");
		return fail(err, path, "must be running_time: a POC-billed or term-bought item is "
				       "rated on its running time (only load balancers and "
				       "snapshots may be metered)");
	}
	return 0;
}

static int parse_item(const json_t *obj, const char *base, tl_catalog *c, tl_error *err)
{
	tl_catalog_item *it = &c->items[c->item_count];
	memset(it, 0, sizeof(*it));
	int type = 0, unit = 0;
	int rc = check_keys(obj, item_keys, COUNT(item_keys), base, err);
	if (rc == 0)
		rc = get_str(obj, base, "id", 1, it->id, sizeof(it->id), err);
	if (rc == 0)
		rc = check_item_id(c, it->id, base, err);
	if (rc == 0)
		rc = get_enum(obj, base, "type", item_types, COUNT(item_types), &type, err);
	if (rc == 0)
		rc = get_str(obj, base, "service", 1, it->service, sizeof(it->service), err);
	if (rc == 0)
		rc = get_str(obj, base, "name", 1, it->name, sizeof(it->name), err);
	if (rc == 0)
		rc = check_item_name(it->name, base, err);
	if (rc == 0)
		rc = get_bool(obj, base, "poc_eligible", &it->poc_eligible, err);
	if (rc == 0)
		rc = parse_prices(obj, base, c, type, it, err);
	if (rc == 0)
		rc = get_enum(obj, base, "unit", unit_names, COUNT(unit_names), &unit, err);
	if (rc == 0)
		rc = parse_billing(obj, base, type, it, err);
	if (rc < 0)
		return rc;
	snprintf(it->type, sizeof(it->type), "%s", item_types[type]);
	it->unit = (tl_price_unit)unit;
	rc = check_item_rules(c, it, type, base, err);
	if (rc == 0)
		c->item_count++;
	return rc;
}

typedef int (*parse_entry_fn)(const json_t *obj, const char *base, tl_catalog *c,
			      tl_error *err);

/* Parses each object of the array `key` (min..max entries) with fn. */
static int parse_list(const json_t *root, const char *key, size_t min, size_t max,
		      parse_entry_fn fn, tl_catalog *c, tl_error *err)
{
	const json_t *arr = NULL;
	int rc = get_array(root, key, min, max, &arr, err);
	for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
		char base[PATH_MAX_LEN];
		snprintf(base, sizeof(base), "%s[%zu]", key, i);
		rc = fn(json_array_get(arr, i), base, c, err);
	}
	return rc;
}

int tl_catalog_parse(const json_t *root, tl_catalog *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(root))
		return fail(err, "", "the catalog must be a JSON object");
	int rc = check_keys(root, top_keys, COUNT(top_keys), "", err);
	if (rc == 0)
		rc = parse_header(root, out, err);
	if (rc == 0)
		rc = parse_list(root, "cycles", 1, TL_CATALOG_CYCLES_MAX, parse_cycle, out, err);
	if (rc == 0)
		rc = parse_list(root, "services", 1, TL_CATALOG_SERVICES_MAX, parse_service, out,
				err);
	if (rc == 0)
		rc = parse_list(root, "items", 1, TL_CATALOG_ITEMS_MAX, parse_item, out, err);
	return rc;
}

/* Errors before parsing (unreadable file, bad JSON, duplicate keys) have the
 * empty field path, plus line and column when jansson knows them. */
static int load_error(tl_error *err, const char *path, const json_error_t *jerr)
{
	if (err == NULL || err->err != 0)
		return TL_EINVALID;
	json_t *details = json_pack("{s:s}", "field", "");
	if (jerr->line > 0) {
		tl_error_set(err, TL_EINVALID, "invalid_catalog", "%s:%d:%d: %s", path,
			     jerr->line, jerr->column, jerr->text);
		json_object_set_new(details, "line", json_integer(jerr->line));
		json_object_set_new(details, "column", json_integer(jerr->column));
	} else {
		tl_error_set(err, TL_EINVALID, "invalid_catalog", "%s: %s", path, jerr->text);
	}
	tl_error_details(err, details);
	return TL_EINVALID;
}

int tl_catalog_load(const char *path, tl_catalog *out, tl_error *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return load_error(err, path, &jerr);
	tl_error inner = {0};
	int rc = tl_catalog_parse(root, out, &inner);
	json_decref(root);
	if (rc < 0 && err != NULL && err->err == 0) {
		tl_error_set(err, inner.err, inner.code, "%s: %s", path, inner.message);
		tl_error_details(err, json_incref(inner.details));
	}
	tl_error_clear(&inner);
	return rc;
}

const tl_catalog_item *tl_catalog_item_find(const tl_catalog *c, const char *id)
{
	for (size_t i = 0; id != NULL && i < c->item_count; i++)
		if (strcmp(c->items[i].id, id) == 0)
			return &c->items[i];
	return NULL;
}

const tl_catalog_service *tl_catalog_service_find(const tl_catalog *c, const char *id)
{
	for (size_t i = 0; id != NULL && i < c->service_count; i++)
		if (strcmp(c->services[i].id, id) == 0)
			return &c->services[i];
	return NULL;
}

const tl_catalog_cycle *tl_catalog_cycle_find(const tl_catalog *c, int months)
{
	for (size_t i = 0; i < c->cycle_count; i++)
		if (c->cycles[i].months == months)
			return &c->cycles[i];
	return NULL;
}

int tl_catalog_price(const tl_catalog *c, const tl_catalog_item *item, const char *currency,
		     int64_t *out, tl_error *err)
{
	int i = currency_index(c, currency);
	if (i >= 0 && item->offered[i]) {
		*out = item->prices[i];
		return 0;
	}
	*out = 0;
	tl_error_set(err, TL_ERULE, "currency_not_offered",
		     "%.48s is not offered in %.8s: an account is priced only in its own currency",
		     item->id, currency ? currency : "");
	tl_error_details(err, json_pack("{s:s, s:s}", "item_id", item->id, "currency",
					currency ? currency : ""));
	return TL_ERULE;
}

bool tl_catalog_has_currency(const tl_catalog *c, const char *currency)
{
	return currency_index(c, currency) >= 0;
}

int64_t tl_catalog_hourly_price(int64_t monthly_price)
{
	int64_t hourly = 0;
	int rc = tl_money_mul_div(monthly_price, MINUTES_PER_HOUR, MINUTES_PER_MONTH, &hourly);
	assert(rc == 0); /* smaller than the monthly price, so it always fits */
	(void)rc;
	return hourly;
}

static json_t *cycles_to_json(const tl_catalog *c)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < c->cycle_count; i++)
		json_array_append_new(arr, json_pack("{s:i, s:I}", "months", c->cycles[i].months,
						     "discount_bp",
						     (json_int_t)c->cycles[i].discount_bp));
	return arr;
}

static json_t *services_to_json(const tl_catalog *c)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < c->service_count; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "id", c->services[i].id,
						     "settlement",
						     tl_settlement_name(c->services[i].settlement)));
	return arr;
}

/* An item with its prices in `currency` (null where it has none); with
 * all_prices, also its `prices` in every currency. */
static json_t *item_to_json(const tl_catalog *c, const tl_catalog_item *it,
			    const char *currency, bool all_prices)
{
	int i = currency_index(c, currency);
	bool offered = i >= 0 && it->offered[i];
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id", it->id, "type",
			      it->type, "service", it->service, "name", it->name, "poc_eligible",
			      it->poc_eligible, "unit", tl_price_unit_name(it->unit), "billing",
			      tl_billing_kind_name(it->billing));
	json_object_set_new(j, "monthly_price",
			    offered ? json_integer(it->prices[i]) : json_null());
	json_object_set_new(j, "hourly_price",
			    offered ? json_integer(tl_catalog_hourly_price(it->prices[i]))
				    : json_null());
	bool priced = false;
	for (size_t k = 0; k < c->currency_count; k++)
		priced = priced || it->offered[k];
	if (all_prices && priced) {
		json_t *prices = json_object();
		for (size_t k = 0; k < c->currency_count; k++)
			if (it->offered[k])
				json_object_set_new(prices, c->currencies[k],
						    json_integer(it->prices[k]));
		json_object_set_new(j, "prices", prices);
	}
	return j;
}

json_t *tl_catalog_to_json(const tl_catalog *c, const char *currency)
{
	bool all = currency == NULL;
	currency = all ? c->currency : currency;
	json_t *items = json_array();
	for (size_t i = 0; i < c->item_count; i++)
		json_array_append_new(items, item_to_json(c, &c->items[i], currency, all));
	json_t *currencies = json_array();
	for (size_t i = 0; i < c->currency_count; i++)
		json_array_append_new(currencies, json_string(c->currencies[i]));
	return json_pack("{s:i, s:s, s:o, s:I, s:i, s:o, s:o, s:o}", "version", c->version,
			 "currency", currency, "currencies", currencies, "tax_rate_bp",
			 (json_int_t)c->tax_rate_bp, "hold_days", c->hold_days, "cycles",
			 cycles_to_json(c), "services", services_to_json(c), "items", items);
}

const char *tl_settlement_name(tl_settlement s)
{
	return (size_t)s < COUNT(settlement_names) ? settlement_names[s] : "unknown";
}

const char *tl_price_unit_name(tl_price_unit u)
{
	return (size_t)u < COUNT(unit_names) ? unit_names[u] : "unknown";
}

const char *tl_billing_kind_name(tl_billing_kind b)
{
	return (size_t)b < COUNT(billing_names) ? billing_names[b] : "unknown";
}
