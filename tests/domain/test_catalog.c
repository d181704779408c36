/* Unit tests: loading, checking and presenting the product catalog. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "domain/catalog.h"

#define DEFAULT_CATALOG TALLY_SOURCE_DIR "/catalog/default.json"

/* The smallest catalog the cases below mutate: three services, one item of
 * each kind of rule (a server, a GB-priced volume, a never-POC balancer). */
static const char *const base_catalog =
	"{\"version\": 1, \"currency\": \"VND\","
	" \"cycles\": [{\"months\": 1, \"discount_bp\": 0}, {\"months\": 12, \"discount_bp\": 1000}],"
	" \"services\": [{\"id\": \"vserver\", \"settlement\": \"prepaid\"},"
	"                {\"id\": \"vlb\", \"settlement\": \"hold\"},"
	"                {\"id\": \"vcontainer\", \"settlement\": \"hold\"}],"
	" \"items\": ["
	"  {\"id\": \"s.a\", \"type\": \"server\", \"service\": \"vserver\", \"name\": \"A\","
	"   \"poc_eligible\": true, \"monthly_price\": 900000, \"unit\": \"month\"},"
	"  {\"id\": \"v.ssd\", \"type\": \"volume\", \"service\": \"vserver\", \"name\": \"SSD\","
	"   \"poc_eligible\": true, \"monthly_price\": 3000, \"unit\": \"gb_month\"},"
	"  {\"id\": \"lb.a\", \"type\": \"load_balancer\", \"service\": \"vlb\", \"name\": \"LB\","
	"   \"poc_eligible\": false, \"monthly_price\": 400000, \"unit\": \"month\"}]}";

static tl_catalog *new_catalog(void)
{
	tl_catalog *c = calloc(1, sizeof(*c)); /* ~120 KiB: not on the stack */
	cr_assert_not_null(c);
	return c;
}

static json_t *load_base(void)
{
	json_error_t jerr;
	json_t *root = json_loads(base_catalog, JSON_REJECT_DUPLICATES, &jerr);
	cr_assert_not_null(root, "base catalog: %s", jerr.text);
	return root;
}

static const char *error_field(const tl_error *e)
{
	return json_string_value(json_object_get(e->details, "field"));
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, true);
	cr_assert_eq(fclose(f), 0);
}

Test(catalog, base_catalog_parses_with_defaults)
{
	tl_catalog *c = new_catalog();
	json_t *root = load_base();
	tl_error e = {0};
	cr_assert_eq(tl_catalog_parse(root, c, &e), 0, "%s", e.message);
	cr_expect_eq(c->version, 1);
	cr_expect_str_eq(c->currency, "VND");
	cr_expect_eq(c->tax_rate_bp, 1000);
	cr_expect_eq(c->hold_days, 3);
	cr_expect_eq(c->cycle_count, 2);
	cr_expect_eq(c->service_count, 3);
	cr_expect_eq(c->item_count, 3);
	cr_expect_eq(c->items[1].unit, TL_UNIT_GB_MONTH);
	cr_expect_eq(c->services[1].settlement, TL_SETTLE_HOLD);
	json_decref(root);
	free(c);
}

Test(catalog, default_catalog_loads)
{
	tl_catalog *c = new_catalog();
	tl_error e = {0};
	cr_assert_eq(tl_catalog_load(DEFAULT_CATALOG, c, &e), 0, "%s", e.message);
	cr_expect_str_eq(c->currency, "VND");
	cr_expect_eq(c->tax_rate_bp, 1000);
	cr_expect_eq(c->hold_days, 3);
	cr_expect_eq(c->cycle_count, 6);
	cr_assert_not_null(tl_catalog_cycle_find(c, 12));
	cr_expect_eq(tl_catalog_cycle_find(c, 12)->discount_bp, 1000);
	cr_expect_eq(tl_catalog_cycle_find(c, 36)->discount_bp, 2000);
	cr_expect_null(tl_catalog_cycle_find(c, 2));
	cr_assert_not_null(tl_catalog_service_find(c, "vcontainer"));
	cr_expect_eq(tl_catalog_service_find(c, "vcontainer")->settlement, TL_SETTLE_HOLD);
	cr_expect_eq(tl_catalog_service_find(c, "vks")->settlement, TL_SETTLE_PREPAID);
	cr_expect_null(tl_catalog_service_find(c, "nope"));
	const tl_catalog_item *s = tl_catalog_item_find(c, "s.general.1c2g");
	cr_assert_not_null(s);
	int64_t price = 0;
	cr_expect_eq(tl_catalog_price(c, s, "VND", &price, &e), 0);
	cr_expect_eq(price, 250000);
	cr_expect_eq(c->currency_count, 1);
	cr_expect_null(tl_catalog_item_find(c, "nope"));
	cr_expect_null(tl_catalog_item_find(c, NULL));
	for (size_t i = 0; i < c->item_count; i++) {
		const tl_catalog_item *it = &c->items[i];
		bool never_poc = strcmp(it->service, "vlb") == 0 ||
				 strcmp(it->service, "snapshot") == 0;
		cr_expect(!(never_poc && it->poc_eligible), "%s is POC-eligible", it->id);
	}
	free(c);
}

/* Each case sets one member (value NULL: deletes it) of the root (array
 * NULL) or of array[index], and names the field the error must point at. */
typedef struct {
	const char *array;
	size_t index;
	const char *key;
	const char *value;
	const char *field;
} bad_case;

static const bad_case bad_cases[] = {
	{NULL, 0, "colour", "\"red\"", "colour"},
	{NULL, 0, "version", "\"1\"", "version"},
	{NULL, 0, "version", "2", "version"},
	{NULL, 0, "version", NULL, "version"},
	{NULL, 0, "currency", "\"XXX\"", "currency"},
	{NULL, 0, "currency", "\"vnd\"", "currency"},
	{NULL, 0, "currency", "704", "currency"},
	{NULL, 0, "tax_rate_bp", "10001", "tax_rate_bp"},
	{NULL, 0, "tax_rate_bp", "-1", "tax_rate_bp"},
	{NULL, 0, "tax_rate_bp", "10.5", "tax_rate_bp"},
	{NULL, 0, "hold_days", "0", "hold_days"},
	{NULL, 0, "hold_days", "32", "hold_days"},
	{NULL, 0, "hold_days", "true", "hold_days"},
	{NULL, 0, "cycles", "{}", "cycles"},
	{NULL, 0, "cycles", "[]", "cycles"},
	{NULL, 0, "cycles", "[{},{},{},{},{},{},{},{},{}]", "cycles"},
	{NULL, 0, "services", NULL, "services"},
	{NULL, 0, "items", "[]", "items"},
	{NULL, 0, "items", "[1]", "items[0]"},
	{"cycles", 0, "months", "5", "cycles[0].months"},
	{"cycles", 0, "months", "48", "cycles[0].months"},
	{"cycles", 0, "months", "\"1\"", "cycles[0].months"},
	{"cycles", 1, "months", "1", "cycles[1].months"},
	{"cycles", 0, "discount_bp", "10000", "cycles[0].discount_bp"},
	{"cycles", 0, "discount_bp", "-1", "cycles[0].discount_bp"},
	{"cycles", 1, "extra", "0", "cycles[1].extra"},
	{"services", 0, "id", "\"vfoo\"", "services[0].id"},
	{"services", 1, "id", "\"vserver\"", "services[1].id"},
	{"services", 2, "settlement", "\"prepaid\"", "services[2].settlement"},
	{"services", 0, "settlement", "\"hold\"", "services[0].settlement"},
	{"services", 1, "settlement", "\"later\"", "services[1].settlement"},
	{"items", 0, "colour", "\"red\"", "items[0].colour"},
	{"items", 0, "monthly_price", "-1", "items[0].monthly_price"},
	{"items", 0, "monthly_price", "\"100\"", "items[0].monthly_price"},
	{"items", 0, "monthly_price", "1.5", "items[0].monthly_price"},
	{"items", 0, "monthly_price", NULL, "items[0].monthly_price"},
	{"items", 1, "id", "\"s.a\"", "items[1].id"},
	{"items", 0, "id", "\"S.A\"", "items[0].id"},
	{"items", 0, "id", "\"a b\"", "items[0].id"},
	{"items", 0, "id", "\"\"", "items[0].id"},
	{"items", 0, "id", "\"abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh\"", "items[0].id"},
	{"items", 0, "id", "7", "items[0].id"},
	{"items", 0, "type", "\"gpu\"", "items[0].type"},
	{"items", 0, "service", "\"vfoo\"", "items[0].service"},
	{"items", 0, "service", "\"vlb\"", "items[0].service"},
	{"items", 2, "poc_eligible", "true", "items[2].poc_eligible"},
	{"items", 0, "poc_eligible", "1", "items[0].poc_eligible"},
	{"items", 0, "poc_eligible", NULL, "items[0].poc_eligible"},
	{"items", 1, "unit", "\"month\"", "items[1].unit"},
	{"items", 0, "unit", "\"gb_month\"", "items[0].unit"},
	{"items", 0, "unit", "\"hour\"", "items[0].unit"},
	{"items", 0, "name", NULL, "items[0].name"},
	{NULL, 0, "currencies", "[\"USD\"]", "currencies"},
	{NULL, 0, "currencies", "[]", "currencies"},
	{NULL, 0, "currencies", "\"VND\"", "currencies"},
	{NULL, 0, "currencies", "[\"VND\", \"XXX\"]", "currencies[1]"},
	{NULL, 0, "currencies", "[\"VND\", \"USD\", \"USD\"]", "currencies[2]"},
	{NULL, 0, "currencies", "[\"VND\", 1]", "currencies[1]"},
	{"items", 0, "prices", "{\"VND\": 1}", "items[0].prices"}, /* and monthly_price */
	{"items", 1, "billing", "\"hourly\"", "items[1].billing"},
	{"items", 2, "billing", "7", "items[2].billing"},
	{"items", 0, "billing", "\"metered\"", "items[0].billing"}, /* a POC-able server */
	{"items", 1, "billing", "\"metered\"", "items[1].billing"},
	{"items", 0, "name", "\"\"", "items[0].name"},
	{"items", 0, "name", "\"a\\u0000b\"", "items[0].name"},
	{"items", 0, "name", "\"tab\\there\"", "items[0].name"},
	{"items", 0, "name",
	 "\"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
	 "abcdefghijabcdef\"",
	 "items[0].name"},
};

static void apply_case(json_t *root, const bad_case *bc)
{
	json_t *target = root;
	if (bc->array != NULL)
		target = json_array_get(json_object_get(root, bc->array), bc->index);
	cr_assert_not_null(target);
	if (bc->value == NULL) {
		json_object_del(target, bc->key);
		return;
	}
	json_error_t jerr;
	json_t *v = json_loads(bc->value, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	cr_assert_not_null(v, "case value %s: %s", bc->value, jerr.text);
	json_object_set_new(target, bc->key, v);
}

Test(catalog, rejects_invalid_catalogs_naming_the_field)
{
	tl_catalog *c = new_catalog();
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const bad_case *bc = &bad_cases[i];
		json_t *root = load_base();
		apply_case(root, bc);
		tl_error e = {0};
		cr_expect_eq(tl_catalog_parse(root, c, &e), TL_EINVALID, "case %zu (%s)", i,
			     bc->field);
		cr_expect_str_eq(e.code, "invalid_catalog", "case %zu", i);
		const char *field = error_field(&e);
		cr_expect_not_null(field, "case %zu: no details.field", i);
		if (field != NULL)
			cr_expect_str_eq(field, bc->field, "case %zu: %s", i, e.message);
		cr_expect_eq(strncmp(e.message, bc->field, strlen(bc->field)), 0,
			     "case %zu: message \"%s\"", i, e.message);
		tl_error_clear(&e);
		json_decref(root);
	}
	free(c);
}

Test(catalog, rejects_a_document_that_is_not_an_object)
{
	tl_catalog *c = new_catalog();
	json_t *root = json_array();
	tl_error e = {0};
	cr_assert_eq(tl_catalog_parse(root, c, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_catalog");
	cr_expect_str_eq(error_field(&e), "");
	tl_error_clear(&e);
	json_decref(root);
	free(c);
}

Test(catalog, load_prefixes_errors_with_the_path)
{
	char path[] = "/tmp/tally-catalog-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	json_t *root = load_base();
	json_object_set_new(json_array_get(json_object_get(root, "items"), 1), "monthly_price",
			    json_integer(-5));
	cr_assert_eq(json_dump_file(root, path, 0), 0);
	json_decref(root);

	tl_catalog *c = new_catalog();
	tl_error e = {0};
	cr_assert_eq(tl_catalog_load(path, c, &e), TL_EINVALID);
	char want[256];
	snprintf(want, sizeof(want), "%s: items[1].monthly_price: must be a non-negative integer",
		 path);
	cr_expect_str_eq(e.message, want);
	cr_expect_str_eq(e.code, "invalid_catalog");
	cr_expect_str_eq(error_field(&e), "items[1].monthly_price");
	tl_error_clear(&e);
	unlink(path);
	free(c);
}

Test(catalog, load_rejects_duplicate_keys)
{
	char path[] = "/tmp/tally-catalog-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	/* The second "version" would silently win without the check. */
	char text[4096];
	snprintf(text, sizeof(text), "{\"version\": 2, %s", base_catalog + 1);
	write_file(path, text);

	tl_catalog *c = new_catalog();
	tl_error e = {0};
	cr_assert_eq(tl_catalog_load(path, c, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_catalog");
	cr_expect_str_eq(error_field(&e), "");
	cr_expect_eq(strncmp(e.message, path, strlen(path)), 0, "%s", e.message);
	cr_expect_not_null(strstr(e.message, "duplicate"), "%s", e.message);
	cr_expect_eq(json_integer_value(json_object_get(e.details, "line")), 1);
	tl_error_clear(&e);
	unlink(path);
	free(c);
}

Test(catalog, load_reports_a_missing_file)
{
	const char *path = "/nonexistent/tally/catalog.json";
	tl_catalog *c = new_catalog();
	tl_error e = {0};
	cr_assert_eq(tl_catalog_load(path, c, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "invalid_catalog");
	cr_expect_str_eq(error_field(&e), "");
	cr_expect_eq(strncmp(e.message, path, strlen(path)), 0, "%s", e.message);
	tl_error_clear(&e);
	free(c);
}

Test(catalog, load_keeps_an_error_already_set)
{
	tl_catalog *c = new_catalog();
	tl_error e = {0};
	tl_error_set(&e, TL_ENOTFOUND, "first", "the first failure");
	cr_assert_eq(tl_catalog_load("/nonexistent/x.json", c, &e), TL_EINVALID);
	cr_expect_str_eq(e.code, "first");
	cr_expect_null(e.details);
	tl_error_clear(&e);
	free(c);
}

Test(catalog, hourly_price_rounds_half_up)
{
	struct { int64_t monthly, hourly; } cases[] = {
		{900000, 1250}, /* exact: 900,000 / 720 */
		{1000, 1},      /* 1.39 */
		{1, 0},         /* 0.0014 */
		{360, 1},       /* 0.5 rounds up */
		{359, 0},       /* 0.4986 */
		{0, 0},
		{250000, 347},  /* 347.2 */
		{INT64_MAX, 12810238940076078}, /* 12810238940076077.51 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(tl_catalog_hourly_price(cases[i].monthly), cases[i].hourly,
			     "case %zu: %lld", i,
			     (long long)tl_catalog_hourly_price(cases[i].monthly));
	}
}

Test(catalog, to_json_has_the_api_shape)
{
	tl_catalog *c = new_catalog();
	tl_error e = {0};
	cr_assert_eq(tl_catalog_load(DEFAULT_CATALOG, c, &e), 0, "%s", e.message);
	json_t *j = tl_catalog_to_json(c, "VND");
	cr_assert_not_null(j);
	cr_expect_eq(json_integer_value(json_object_get(j, "version")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(j, "currency")), "VND");
	cr_expect_eq(json_integer_value(json_object_get(j, "tax_rate_bp")), 1000);
	cr_expect_eq(json_integer_value(json_object_get(j, "hold_days")), 3);
	cr_expect_eq(json_array_size(json_object_get(j, "cycles")), 6);
	cr_expect_eq(json_array_size(json_object_get(j, "services")), c->service_count);
	json_t *items = json_object_get(j, "items");
	cr_assert_eq(json_array_size(items), c->item_count);
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));
		const tl_catalog_item *it = tl_catalog_item_find(c, id);
		cr_assert_not_null(it, "item %zu", i);
		cr_expect_eq(json_object_size(item), 9, "%s", id);
		int64_t price = 0;
		if (strcmp(it->type, "cluster") == 0) { /* no fee of its own */
			cr_expect(json_is_null(json_object_get(item, "monthly_price")), "%s", id);
			cr_expect(json_is_null(json_object_get(item, "hourly_price")), "%s", id);
		} else {
			cr_assert_eq(tl_catalog_price(c, it, "VND", &price, &e), 0, "%s", id);
			cr_expect_eq(json_integer_value(json_object_get(item, "hourly_price")),
				     tl_catalog_hourly_price(price), "%s", id);
		}
		cr_expect_str_eq(json_string_value(json_object_get(item, "billing")),
				 tl_billing_kind_name(it->billing));
		cr_expect(json_is_boolean(json_object_get(item, "poc_eligible")), "%s", id);
		cr_expect_str_eq(json_string_value(json_object_get(item, "unit")),
				 tl_price_unit_name(it->unit));
	}
	json_t *ssd = NULL;
	json_array_foreach(items, i, item)
		if (strcmp(json_string_value(json_object_get(item, "id")), "v.ssd") == 0)
			ssd = item;
	cr_assert_not_null(ssd);
	cr_expect_str_eq(json_string_value(json_object_get(ssd, "unit")), "gb_month");
	cr_expect_eq(json_integer_value(json_object_get(ssd, "monthly_price")), 3000);
	json_t *svc;
	json_array_foreach(json_object_get(j, "services"), i, svc)
		if (strcmp(json_string_value(json_object_get(svc, "id")), "vcontainer") == 0)
			cr_expect_str_eq(json_string_value(json_object_get(svc, "settlement")),
					 "hold");
	json_decref(j);
	free(c);
}

/* Without the derived hourly_price, the API shape is the file format: parse
 * it again and the catalog comes out the same. */
Test(catalog, to_json_round_trips)
{
	tl_catalog *c = new_catalog();
	tl_catalog *again = new_catalog();
	tl_error e = {0};
	cr_assert_eq(tl_catalog_load(DEFAULT_CATALOG, c, &e), 0, "%s", e.message);
	json_t *j = tl_catalog_to_json(c, NULL); /* the admin's: every price */
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(j, "items"), i, item) {
		json_object_del(item, "hourly_price");
		json_object_del(item, "monthly_price"); /* the file form is `prices` */
	}
	cr_assert_eq(tl_catalog_parse(j, again, &e), 0, "%s", e.message);
	json_t *j2 = tl_catalog_to_json(again, NULL);
	json_t *j1 = tl_catalog_to_json(c, NULL);
	cr_expect(json_equal(j1, j2));
	json_decref(j);
	json_decref(j1);
	json_decref(j2);
	free(c);
	free(again);
}

/* No flow charges a cluster (the VKS page lists servers and volumes as
 * what is paid): a price on a cluster item is refused, in either form,
 * naming the file's field. */
Test(catalog, refuses_a_price_on_a_cluster_item)
{
	static const char *const forms[][2] = {
		{"monthly_price", "1500000"},
		{"prices", "{\"VND\": 1500000}"},
		{"monthly_price", "0"},
	};
	tl_catalog *c = new_catalog();
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		json_t *root = load_base();
		json_t *cluster = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "id", "k.c", "type",
					    "cluster", "service", "vcontainer", "name", "K",
					    "poc_eligible", 1, "unit", "month");
		json_object_set_new(cluster, forms[i][0], json_loads(forms[i][1], JSON_DECODE_ANY, NULL));
		json_array_append_new(json_object_get(root, "items"), cluster);
		tl_error e = {0};
		cr_expect_eq(tl_catalog_parse(root, c, &e), TL_EINVALID, "%s", forms[i][0]);
		char want[64];
		snprintf(want, sizeof(want), "items[3].%s", forms[i][0]);
		cr_expect_str_eq(error_field(&e), want);
		cr_expect(strstr(e.message, "cluster") != NULL, "%s", e.message);
		tl_error_clear(&e);
		json_decref(root);
	}
	/* without a price it loads, priced in no currency */
	json_t *root = load_base();
	json_array_append_new(json_object_get(root, "items"),
			      json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "id", "k.c", "type",
					"cluster", "service", "vcontainer", "name", "K",
					"poc_eligible", 1, "unit", "month"));
	tl_error e = {0};
	cr_assert_eq(tl_catalog_parse(root, c, &e), 0, "%s", e.message);
	int64_t price = -1;
	cr_expect_eq(tl_catalog_price(c, tl_catalog_item_find(c, "k.c"), "VND", &price, &e),
		     TL_ERULE);
	cr_expect_str_eq(e.code, "currency_not_offered");
	tl_error_clear(&e);
	json_decref(root);
	/* and the default catalog has no cluster price left */
	cr_assert_eq(tl_catalog_load(DEFAULT_CATALOG, c, &e), 0, "%s", e.message);
	for (size_t i = 0; i < c->item_count; i++)
		for (size_t k = 0; strcmp(c->items[i].type, "cluster") == 0 && k < c->currency_count;
		     k++)
			cr_expect(!c->items[i].offered[k], "%s is priced", c->items[i].id);
	free(c);
}

Test(catalog, billing_kind_defaults_to_running_time_and_is_read)
{
	tl_catalog *c = new_catalog();
	json_t *root = load_base();
	json_object_set_new(json_array_get(json_object_get(root, "items"), 2), "billing",
			    json_string("metered"));
	tl_error e = {0};
	cr_assert_eq(tl_catalog_parse(root, c, &e), 0, "%s", e.message);
	cr_expect_eq(tl_catalog_item_find(c, "s.a")->billing, TL_BILLING_RUNNING_TIME);
	cr_expect_eq(tl_catalog_item_find(c, "lb.a")->billing, TL_BILLING_METERED);
	json_decref(root);
	cr_assert_eq(tl_catalog_load(DEFAULT_CATALOG, c, &e), 0, "%s", e.message);
	cr_expect_eq(tl_catalog_item_find(c, "vlb.basic")->billing, TL_BILLING_RUNNING_TIME);
	cr_expect_eq(tl_catalog_item_find(c, "snapshot.standard")->billing, TL_BILLING_METERED);
	free(c);
}

/* Several currencies: each item priced in some of them; an account's
 * currency without a price is currency_not_offered, never another price. */
Test(catalog, parses_prices_in_several_currencies)
{
	tl_catalog *c = new_catalog();
	json_t *root = load_base();
	json_object_set_new(root, "currencies", json_pack("[s, s]", "USD", "VND"));
	json_t *items = json_object_get(root, "items");
	json_t *server = json_array_get(items, 0);
	json_object_del(server, "monthly_price");
	json_object_set_new(server, "prices", json_pack("{s:i, s:i}", "VND", 900000, "USD", 3600));
	json_t *lb = json_array_get(items, 2);
	json_object_del(lb, "monthly_price");
	json_object_set_new(lb, "prices", json_pack("{s:i}", "USD", 1600));
	tl_error e = {0};
	cr_assert_eq(tl_catalog_parse(root, c, &e), 0, "%s", e.message);
	cr_expect_str_eq(c->currency, "VND");
	cr_expect_eq(c->currency_count, 2);
	cr_expect(tl_catalog_has_currency(c, "USD"));
	cr_expect(!tl_catalog_has_currency(c, "EUR"));
	int64_t p = 0;
	const tl_catalog_item *s = tl_catalog_item_find(c, "s.a"), *v = tl_catalog_item_find(c, "v.ssd"),
			      *l = tl_catalog_item_find(c, "lb.a");
	cr_expect_eq(tl_catalog_price(c, s, "VND", &p, &e), 0);
	cr_expect_eq(p, 900000);
	cr_expect_eq(tl_catalog_price(c, s, "USD", &p, &e), 0);
	cr_expect_eq(p, 3600);
	cr_expect_eq(tl_catalog_price(c, l, "USD", &p, &e), 0);
	cr_expect_eq(p, 1600);
	cr_expect_eq(tl_catalog_price(c, v, "VND", &p, &e), 0); /* monthly_price: the default */
	cr_expect_eq(p, 3000);
	cr_expect_eq(tl_catalog_price(c, v, "USD", &p, &e), TL_ERULE);
	cr_expect_eq(p, 0);
	cr_expect_str_eq(e.code, "currency_not_offered");
	cr_expect_str_eq(json_string_value(json_object_get(e.details, "item_id")), "v.ssd");
	cr_expect_str_eq(json_string_value(json_object_get(e.details, "currency")), "USD");
	tl_error_clear(&e);
	cr_expect_eq(tl_catalog_price(c, l, "VND", &p, &e), TL_ERULE);
	tl_error_clear(&e);
	cr_expect_eq(tl_catalog_price(c, s, "EUR", &p, &e), TL_ERULE);
	tl_error_clear(&e);

	/* the API shows one currency's prices: USD for a USD account */
	json_t *j = tl_catalog_to_json(c, "USD");
	cr_expect_str_eq(json_string_value(json_object_get(j, "currency")), "USD");
	json_t *ji = json_object_get(j, "items");
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(ji, 0), "monthly_price")),
		     3600);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(ji, 0), "hourly_price")), 5);
	cr_expect(json_is_null(json_object_get(json_array_get(ji, 1), "monthly_price")));
	cr_expect_null(json_object_get(json_array_get(ji, 0), "prices"));
	json_decref(j);
	/* the admin's: the default currency, and every price */
	j = tl_catalog_to_json(c, NULL);
	cr_expect_str_eq(json_string_value(json_object_get(j, "currency")), "VND");
	ji = json_object_get(j, "items");
	cr_expect(json_is_null(json_object_get(json_array_get(ji, 2), "monthly_price")));
	cr_expect_eq(json_integer_value(json_object_get(
			     json_object_get(json_array_get(ji, 2), "prices"), "USD")), 1600);
	json_decref(j);
	json_decref(root);

	/* a price in a currency the catalog does not name, a negative one */
	root = load_base();
	json_t *first = json_array_get(json_object_get(root, "items"), 0);
	json_object_del(first, "monthly_price");
	json_object_set_new(first, "prices", json_pack("{s:i}", "USD", 1));
	cr_expect_eq(tl_catalog_parse(root, c, &e), TL_EINVALID);
	cr_expect_str_eq(error_field(&e), "items[0].prices.USD");
	tl_error_clear(&e);
	json_object_set_new(first, "prices", json_pack("{s:i}", "VND", -1));
	cr_expect_eq(tl_catalog_parse(root, c, &e), TL_EINVALID);
	cr_expect_str_eq(error_field(&e), "items[0].prices.VND");
	tl_error_clear(&e);
	json_object_set_new(first, "prices", json_object());
	cr_expect_eq(tl_catalog_parse(root, c, &e), TL_EINVALID);
	cr_expect_str_eq(error_field(&e), "items[0].prices");
	tl_error_clear(&e);
	json_decref(root);
	free(c);
}

Test(catalog, names)
{
	cr_expect_str_eq(tl_settlement_name(TL_SETTLE_PREPAID), "prepaid");
	cr_expect_str_eq(tl_settlement_name(TL_SETTLE_HOLD), "hold");
	cr_expect_str_eq(tl_price_unit_name(TL_UNIT_MONTH), "month");
	cr_expect_str_eq(tl_price_unit_name(TL_UNIT_GB_MONTH), "gb_month");
	cr_expect_str_eq(tl_billing_kind_name(TL_BILLING_RUNNING_TIME), "running_time");
	cr_expect_str_eq(tl_billing_kind_name(TL_BILLING_METERED), "metered");
}
