/*
 * fuzz_usage_batch.c: the fast path of POST /v1/usage's body
 * (tl_usage_batch_parse_fast) against the general one (jansson, then
 * tl_usage_batch_parse). Whatever the body, the fast path either leaves
 * it to the general one (1), or reads exactly the records the general one
 * reads from it: it may never accept a body the general path refuses, nor
 * read one differently.
 */
#include "fuzz.h"

#include <jansson.h>
#include "domain/usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl_usage_record *fast = NULL;
	size_t nf = 0;
	char *text = NULL;
	int rc = tl_usage_batch_parse_fast((const char *)data, size, &fast, &nf, &text);
	FUZZ_ASSERT(rc == 0 || rc == 1 || rc < 0);
	if (rc != 0)
		return 0;
	/* as tl_json_body reads it: an object, no duplicate keys */
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	FUZZ_ASSERT(json_is_object(in) && json_object_size(in) == 1);
	tl_usage_record *slow = NULL;
	size_t ns = 0;
	tl_error err = {0};
	FUZZ_ASSERT(tl_usage_batch_parse(json_object_get(in, "records"), &slow, &ns, &err) == 0);
	FUZZ_ASSERT(nf == ns);
	for (size_t i = 0; i < nf; i++) {
		FUZZ_ASSERT(strcmp(fast[i].resource_id, slow[i].resource_id) == 0);
		FUZZ_ASSERT(fast[i].start == slow[i].start && fast[i].end == slow[i].end);
		FUZZ_ASSERT(fast[i].quantity == slow[i].quantity);
	}
	tl_error_clear(&err);
	free(slow);
	json_decref(in);
	free(fast);
	free(text);
	return 0;
}
