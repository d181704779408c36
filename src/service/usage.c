/* usage.c: recording a batch of usage records in one transaction. */
#include "service/usage.h"
#include "common/ids.h"
#include "service/audit.h"
#include "service/resources.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The resource of the record being judged. Records usually come grouped by
 * resource, so the last one loaded is kept for the next record. */
typedef struct resource_slot {
	bool loaded;       /* r holds a resource */
	bool missing;      /* the id in r.id was looked up and is not visible */
	tl_resource r;
} resource_slot;

/* 0 with slot filled, 1 when the resource is not there (or not the
 * caller's), or a negative error from the store. */
static int load_resource(tl_tx *tx, const tl_ctx *ctx, const char *id, resource_slot *slot,
			 tl_error *err)
{
	if (strcmp(slot->r.id, id) == 0 && (slot->loaded || slot->missing))
		return slot->loaded ? 0 : 1;
	tl_resource_release(&slot->r);
	memset(slot, 0, sizeof(*slot));
	tl_error lookup = {0};
	int rc = tl_resources_load(tx, ctx, id, &slot->r, &lookup);
	if (rc == TL_ENOTFOUND) {
		tl_error_clear(&lookup);
		memset(&slot->r, 0, sizeof(slot->r));
		snprintf(slot->r.id, sizeof(slot->r.id), "%s", id);
		slot->missing = strlen(id) < sizeof(slot->r.id); /* a longer id: never cached */
		return 1;
	}
	if (rc < 0) {
		tl_error_set(err, lookup.err, lookup.code, "%s", lookup.message);
		tl_error_clear(&lookup);
		return rc;
	}
	slot->loaded = true;
	return 0;
}

/* Why a visible resource takes no usage ("" when it does). */
static const char *refusal(const tl_resource *r)
{
	if (strcmp(r->status, "deleted") == 0)
		return "resource_deleted";
	if (strcmp(r->billing_mode, "postpaid") != 0)
		return "not_postpaid";
	return "";
}

_Static_assert(sizeof(((tl_doc *)0)->key) >= TL_USAGE_KEY_MAX, "a usage key fits tl_doc.key");

typedef struct usage_insert {
	const tl_usage_record *rec;
	const tl_resource *resource;
	int64_t now;
	char id[TL_ID_MAX];
} usage_insert;

static int insert_doc(tl_tx *tx, usage_insert *u, tl_error *err)
{
	tl_doc d = {.created_at = u->now, .updated_at = u->now};
	snprintf(d.kind, sizeof(d.kind), "usage");
	tl_id_new(u->id, sizeof(u->id), "usg");
	snprintf(d.id, sizeof(d.id), "%s", u->id);
	snprintf(d.account_id, sizeof(d.account_id), "%s", u->resource->account_id);
	snprintf(d.ref, sizeof(d.ref), "%s", u->resource->id);
	snprintf(d.status, sizeof(d.status), "recorded");
	int rc = tl_usage_key(u->rec, d.key, err);
	if (rc < 0)
		return rc;
	int64_t quantity = u->rec->quantity ? u->rec->quantity : u->resource->quantity;
	json_t *body = tl_usage_to_json(u->rec, quantity, u->now);
	d.body = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	rc = d.body ? tl_store_doc_insert(tx, &d, err)
		    : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_doc_free(&d);
	return rc;
}

/* Inserts one accepted record: 0, 1 when its key is already recorded
 * (a duplicate), or a negative error. No savepoint per record: a refused
 * insert changes nothing and leaves the transaction usable (store.h), and
 * 10,000 savepoints would make the batch hold the writer twice as long. */
static int insert_record(tl_tx *tx, usage_insert *u, tl_error *err)
{
	tl_error insert_err = {0};
	int rc = insert_doc(tx, u, &insert_err);
	if (rc == TL_ECONFLICT) {
		tl_error_clear(&insert_err);
		return 1;
	}
	if (rc < 0)
		tl_error_set(err, insert_err.err, insert_err.code, "%s", insert_err.message);
	tl_error_clear(&insert_err);
	return rc;
}

static int add_result(tl_usage_outcome *out, size_t index, const char *resource_id,
		      const char *result, tl_error *err)
{
	json_t *j = json_pack("{s:I, s:s, s:s}", "index", (json_int_t)index, "resource_id",
			      resource_id, "result", result);
	if (j == NULL || json_array_append_new(out->results, j) < 0)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	return 0;
}

/* One event for the call: on the account whose usage it is (for the admin,
 * when every accepted record is one account's), the first accepted record
 * as subject. */
static int audit(tl_tx *tx, const tl_ctx *ctx, const tl_usage_outcome *out,
		 const char *account_id, const char *first_id, tl_error *err)
{
	assert(out->accepted > 0);
	json_t *after = json_pack("{s:I, s:I, s:I}", "accepted", (json_int_t)out->accepted,
				  "duplicates", (json_int_t)out->duplicates, "rejected",
				  (json_int_t)out->rejected);
	return tl_audit_record(tx, ctx, "usage.recorded", account_id[0] ? account_id : NULL,
			       first_id, NULL, after, err);
}

/* 422 usage_not_metered when r's item is billed on its running time: a
 * record would be a second source for the same use (never a mix). */
static int check_metered(const tl_catalog *cat, const tl_resource *r, size_t index,
			 tl_error *err)
{
	const tl_catalog_item *item = tl_catalog_item_find(cat, r->item_id);
	if (item != NULL && item->billing == TL_BILLING_METERED)
		return 0;
	tl_error_set(err, TL_ERULE, "usage_not_metered",
		     "records[%zu]: %.40s is a %.40s, billed on its running time, not on metered "
		     "records", index, r->id, r->item_id);
	tl_error_details(err, json_pack("{s:I, s:s, s:s}", "index", (json_int_t)index,
					"resource_id", r->id, "item_id", r->item_id));
	return TL_ERULE;
}

int tl_usage_submit(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
		    const tl_usage_record *records, size_t count, tl_usage_outcome *out,
		    tl_error *err)
{
	json_decref(out->results);
	memset(out, 0, sizeof(*out));
	if (!ctx->who->is_admin && !ctx->who->metering) /* the provider's word only */
		return tl_error_set(err, TL_EFORBIDDEN, "forbidden",
				    "usage is submitted with the admin token or a metering token");
	out->results = json_array();
	if (out->results == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	resource_slot slot = {0};
	char account[TL_ID_MAX] = "", first_id[TL_ID_MAX] = "";
	bool one_account = true;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		const tl_usage_record *rec = &records[i];
		rc = load_resource(tx, ctx, rec->resource_id, &slot, err);
		const char *why = rc == 1 ? "resource_not_found" : rc == 0 ? refusal(&slot.r) : "";
		if (rc < 0)
			break;
		if (why[0]) {
			out->rejected++;
			rc = add_result(out, i, rec->resource_id, why, err);
			continue;
		}
		rc = check_metered(catalog, &slot.r, i, err);
		if (rc < 0)
			break;
		usage_insert u = {.rec = rec, .resource = &slot.r, .now = ctx->now};
		rc = insert_record(tx, &u, err);
		if (rc == 1) {
			out->duplicates++;
			rc = add_result(out, i, rec->resource_id, "duplicate", err);
			continue;
		}
		if (rc < 0)
			break;
		if (out->accepted++ == 0) {
			snprintf(first_id, sizeof(first_id), "%s", u.id);
			snprintf(account, sizeof(account), "%s", slot.r.account_id);
		} else if (strcmp(account, slot.r.account_id) != 0) {
			one_account = false;
		}
	}
	tl_resource_release(&slot.r);
	if (rc < 0)
		return rc;
	assert(out->accepted + out->duplicates + out->rejected == count);
	if (out->accepted == 0)
		return 0;
	return audit(tx, ctx, out, one_account ? account : "", first_id, err);
}
