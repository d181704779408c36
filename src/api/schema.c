/* schema.c: the shapes of the objects nested in request bodies, so that a
 * wrong type or an unknown key is refused at every depth (400 invalid_type
 * or unknown_field naming the path, "spec.service", "items[0].nmae") and
 * nothing unread is stored. What the values mean (catalog ids, ranges) is
 * for the use cases (service/resources.c, service/checkout.c) to judge;
 * these lists are exactly the members they read. */
#include "api/api.h"

#include <string.h>

static const tl_field server_spec[] = {
	{"flavor", TL_JSON_STRING, false},
};

static const tl_field volume_spec[] = {
	{"volume_type", TL_JSON_STRING, false},
	{"size_gb", TL_JSON_INTEGER, false},
};

static const tl_field cluster_spec[] = {
	{"service", TL_JSON_STRING, false},        {"cluster_item", TL_JSON_STRING, false},
	{"node_flavor", TL_JSON_STRING, false},    {"node_count", TL_JSON_INTEGER, false},
	{"boot_volume_type", TL_JSON_STRING, false}, {"boot_volume_gb", TL_JSON_INTEGER, false},
};

/* Load balancers and snapshots name their catalog item; an item priced per
 * GB-month (snapshot.standard) also takes its size. */
static const tl_field item_spec[] = {
	{"item", TL_JSON_STRING, false},
	{"size_gb", TL_JSON_INTEGER, false},
};

static const struct {
	const char *type;
	const tl_field *fields;
	size_t count;
} specs[] = {
	{"server", server_spec, sizeof(server_spec) / sizeof(server_spec[0])},
	{"volume", volume_spec, sizeof(volume_spec) / sizeof(volume_spec[0])},
	{"cluster", cluster_spec, sizeof(cluster_spec) / sizeof(cluster_spec[0])},
	{"load_balancer", item_spec, sizeof(item_spec) / sizeof(item_spec[0])},
	{"snapshot", item_spec, sizeof(item_spec) / sizeof(item_spec[0])},
};

const tl_field *tl_spec_fields(const char *type, size_t *count)
{
	for (size_t i = 0; type && i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (strcmp(specs[i].type, type) == 0) {
			*count = specs[i].count;
			return specs[i].fields;
		}
	}
	*count = 0;
	return NULL;
}

int tl_spec_check(const json_t *spec, const char *type, const char *prefix, tl_error *err)
{
	size_t count;
	const tl_field *fields = tl_spec_fields(type, &count);
	if (fields == NULL)
		return 0; /* the use case refuses the type itself */
	return tl_json_check_at(spec, prefix, fields, count, err);
}
