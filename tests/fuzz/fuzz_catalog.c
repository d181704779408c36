/*
 * fuzz_catalog.c: the catalog loader (src/domain/catalog.c). A catalog is
 * an operator's file, not a caller's, but a wrong one must stop tallyd
 * with the field and the reason, never crash it or load half of it.
 *
 * The bytes are read as tl_catalog_load reads its file; a catalog that
 * loads must render (GET /v1/catalog) and find each of its own items.
 */
#include "fuzz.h"

#include "domain/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (root == NULL)
		return 0;
	tl_catalog *c = malloc(sizeof(*c)); /* ~100 KiB */
	tl_error err = {0};
	if (c && tl_catalog_parse(root, c, &err) == 0) {
		for (size_t i = 0; i < c->item_count; i++) {
			const tl_catalog_item *it = tl_catalog_item_find(c, c->items[i].id);
			FUZZ_ASSERT(it != NULL);
			int64_t monthly = 0;
			tl_error no_price = {0};
			if (tl_catalog_price(c, it, c->currency, &monthly, &no_price) == 0)
				(void)tl_catalog_hourly_price(monthly);
			tl_error_clear(&no_price);
			FUZZ_ASSERT(tl_catalog_service_find(c, it->service) != NULL);
		}
		json_decref(tl_catalog_to_json(c, NULL));
		json_decref(tl_catalog_to_json(c, c->currency));
	} else {
		/* a refusal names the field (JSON path) it is about */
		FUZZ_ASSERT(err.err != 0 && err.message[0] != '\0');
	}
	tl_error_clear(&err);
	free(c);
	json_decref(root);
	return 0;
}
