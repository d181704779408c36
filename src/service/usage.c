/* usage.c: recording a batch of usage records in one transaction, and the
 * totals the monthly rating reads. */
#include "service/usage.h"
#include "common/ids.h"
#include "service/audit.h"
#include "service/resources.h"
#include "domain/money.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a batch needs of one resource, looked up once per batch: records
 * come interleaved across resources (a collector sends one interval for
 * every resource), so a cache of only the last one would load a resource
 * for nearly every record. */
typedef struct resource_slot {
	char id[TL_ID_MAX];        /* "" : an empty slot of the table */
	const char *refused;       /* why it takes no usage, NULL when it does */
	char item_id[TL_CATALOG_ID_MAX];
	bool metered;              /* its item is billed on metered records */
	char account_id[TL_ID_MAX];
	int64_t seq, quantity;
	/* the batch's new records of the month [month, next), not yet added
	 * to the stored total */
	int64_t month, next;
	tl_usage_total added;
} resource_slot;

/* The batch's resources in order of first use, and an open-addressing
 * table of their ids (indexes + 1, 0 empty), kept at most half full. Both
 * start small and double: a batch names few resources, usually. */
typedef struct resource_cache {
	resource_slot *slots;
	size_t n, cap;
	uint32_t *table;
	size_t mask;               /* the table's size - 1, a power of two */
} resource_cache;

static size_t hash_id(const char *id);

static int cache_init(resource_cache *c)
{
	c->cap = 64;
	c->mask = 127;
	c->slots = malloc(c->cap * sizeof(*c->slots));
	c->table = calloc(c->mask + 1, sizeof(*c->table));
	return c->slots && c->table ? 0 : -1;
}

static void cache_free(resource_cache *c)
{
	free(c->slots);
	free(c->table);
}

static size_t cache_probe(const resource_cache *c, const char *id)
{
	size_t i = hash_id(id) & c->mask;
	while (c->table[i] && strcmp(c->slots[c->table[i] - 1].id, id) != 0)
		i = (i + 1) & c->mask;
	return i;
}

/* Room for one more resource: -1 when out of memory. */
static int cache_grow(resource_cache *c)
{
	if (c->n == c->cap) {
		resource_slot *grown = realloc(c->slots, 2 * c->cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		c->slots = grown;
		c->cap *= 2;
	}
	if (2 * (c->n + 1) <= c->mask + 1)
		return 0;
	uint32_t *old = c->table;
	size_t old_size = c->mask + 1;
	c->table = calloc(2 * old_size, sizeof(*c->table));
	if (c->table == NULL) {
		c->table = old;
		return -1;
	}
	c->mask = 2 * old_size - 1;
	for (size_t i = 0; i < old_size; i++)
		if (old[i])
			c->table[cache_probe(c, c->slots[old[i] - 1].id)] = old[i];
	free(old);
	return 0;
}

static size_t hash_id(const char *id)
{
	size_t h = 1469598103934665603u; /* FNV-1a */
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211u;
	return h;
}

static const char *refusal(const tl_resource *r);

/* Fills slot for id: refused "resource_not_found" when it is not there
 * (or not the caller's), or a negative error from the store. */
static int load_resource(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, const char *id,
			 resource_slot *slot, tl_error *err)
{
	tl_resource r;
	memset(&r, 0, sizeof(r));
	tl_error lookup = {0};
	int rc = tl_resources_load(tx, ctx, id, &r, &lookup);
	if (rc == 0)
		rc = tl_store_resource_seq(tx, r.id, &slot->seq, &lookup);
	if (rc == TL_ENOTFOUND) {
		slot->refused = "resource_not_found";
		rc = 0;
	} else if (rc < 0) {
		tl_error_set(err, lookup.err, lookup.code, "%s", lookup.message);
	} else {
		const char *why = refusal(&r);
		slot->refused = why[0] ? why : NULL;
		const tl_catalog_item *item = tl_catalog_item_find(cat, r.item_id);
		slot->metered = item != NULL && item->billing == TL_BILLING_METERED;
		snprintf(slot->item_id, sizeof(slot->item_id), "%s", r.item_id);
		snprintf(slot->account_id, sizeof(slot->account_id), "%s", r.account_id);
		slot->quantity = r.quantity;
	}
	tl_error_clear(&lookup);
	tl_resource_release(&r);
	return rc;
}

/* The slot of id (*out, an index into c->slots), loaded on its first use
 * in the batch; an id too long to be one of tally's is never there
 * (*out is SIZE_MAX). */
static int find_resource(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat,
			 resource_cache *c, const char *id, size_t *out, tl_error *err)
{
	*out = SIZE_MAX;
	if (strlen(id) >= TL_ID_MAX)
		return 0;
	size_t i = cache_probe(c, id);
	if (c->table[i]) {
		*out = c->table[i] - 1;
		return 0;
	}
	if (cache_grow(c) < 0)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	i = cache_probe(c, id); /* the table may have grown */
	resource_slot *slot = &c->slots[c->n];
	memset(slot, 0, sizeof(*slot));
	snprintf(slot->id, sizeof(slot->id), "%s", id);
	c->table[i] = (uint32_t)++c->n;
	*out = c->n - 1;
	return load_resource(tx, ctx, cat, id, slot, err);
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
static int check_metered(const resource_slot *r, size_t index, tl_error *err)
{
	if (r->metered)
		return 0;
	tl_error_set(err, TL_ERULE, "usage_not_metered",
		     "records[%zu]: %.40s is a %.40s, billed on its running time, not on metered "
		     "records", index, r->id, r->item_id);
	tl_error_details(err, json_pack("{s:I, s:s, s:s}", "index", (json_int_t)index,
					"resource_id", r->id, "item_id", r->item_id));
	return TL_ERULE;
}

/* What the batch decided for each record, in the records' order. */
typedef struct judged {
	const char *refused;        /* the rejection's reason, or NULL: a row to insert */
	size_t row;                 /* its index in rows when not refused */
	size_t res;                 /* its resource in the cache, when not refused */
} judged;

/* Each record judged against its resource; the candidates in rows[]. */
static int judge(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
		 const tl_usage_record *records, size_t count, resource_cache *cache, judged *j,
		 tl_usage_row *rows, size_t *nrows, tl_error *err)
{
	*nrows = 0;
	for (size_t i = 0; i < count; i++) {
		const tl_usage_record *rec = &records[i];
		size_t at = SIZE_MAX;
		int rc = find_resource(tx, ctx, catalog, cache, rec->resource_id, &at, err);
		if (rc < 0)
			return rc;
		j[i].refused = at == SIZE_MAX ? "resource_not_found" : cache->slots[at].refused;
		if (j[i].refused)
			continue;
		const resource_slot *slot = &cache->slots[at];
		rc = check_metered(slot, i, err);
		if (rc < 0)
			return rc;
		j[i].res = at;
		tl_usage_row *row = &rows[*nrows];
		j[i].row = (*nrows)++;
		*row = (tl_usage_row){.resource_seq = slot->seq, .start = rec->start,
				      .end = rec->end, .received_at = ctx->now,
				      .quantity = rec->quantity ? rec->quantity : slot->quantity};
		tl_id_new(row->id, sizeof(row->id), "usg");
	}
	return 0;
}

/* Appends slot's added total, if any, to m[*k] and clears it. */
static void take_added(resource_slot *slot, tl_usage_month *m, size_t *k)
{
	if (slot->added.records == 0)
		return;
	m[(*k)++] = (tl_usage_month){.resource_seq = slot->seq, .month = slot->month,
				     .total = slot->added};
	slot->added = (tl_usage_total){0};
}

/* The new records' totals per resource and month, added to the stored
 * ones: one upsert per resource and month of the batch, not per record. */
static int add_to_months(tl_tx *tx, resource_cache *cache, const judged *j, size_t count,
			 const tl_usage_row *rows, const bool *fresh, tl_error *err)
{
	size_t n = 0;
	for (size_t i = 0; i < count; i++)
		n += !j[i].refused && fresh[j[i].row];
	tl_usage_month *m = malloc((n ? n : 1) * sizeof(*m));
	if (m == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	size_t k = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (j[i].refused || !fresh[j[i].row])
			continue;
		const tl_usage_row *row = &rows[j[i].row];
		resource_slot *slot = &cache->slots[j[i].res];
		if (row->start < slot->month || row->start >= slot->next) {
			take_added(slot, m, &k);
			slot->month = tl_usage_month_of(row->start);
			slot->next = tl_usage_month_after(row->start);
		}
		rc = tl_usage_total_add(&slot->added, row->start, row->end, row->quantity, err);
	}
	for (size_t i = 0; i < cache->n; i++)
		take_added(&cache->slots[i], m, &k);
	rc = rc ? rc : tl_store_usage_months_add(tx, m, k, err);
	free(m);
	return rc;
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
	judged *j = malloc((count ? count : 1) * sizeof(*j));
	tl_usage_row *rows = malloc((count ? count : 1) * sizeof(*rows));
	bool *fresh = malloc((count ? count : 1) * sizeof(*fresh));
	resource_cache cache = {0};
	size_t nrows = 0;
	int rc = out->results && j && rows && fresh && cache_init(&cache) == 0
			 ? judge(tx, ctx, catalog, records, count, &cache, j, rows, &nrows, err)
			 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	rc = rc ? rc : tl_store_usage_insert(tx, rows, nrows, fresh, err);
	rc = rc ? rc : add_to_months(tx, &cache, j, count, rows, fresh, err);
	const char *first_id = NULL, *account = "";
	bool one_account = true;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		const char *result = j[i].refused;
		if (result)
			out->rejected++;
		else if (!fresh[j[i].row])
			result = "duplicate", out->duplicates++;
		if (result) {
			rc = add_result(out, i, records[i].resource_id, result, err);
			continue;
		}
		if (out->accepted++ == 0) {
			first_id = rows[j[i].row].id;
			account = cache.slots[j[i].res].account_id;
		} else if (strcmp(account, cache.slots[j[i].res].account_id) != 0) {
			one_account = false;
		}
	}
	if (rc == 0 && out->accepted > 0) {
		assert(out->accepted + out->duplicates + out->rejected == count);
		rc = audit(tx, ctx, out, one_account ? account : "", first_id, err);
	}
	cache_free(&cache);
	free(j);
	free(rows);
	free(fresh);
	return rc;
}

int tl_usage_rated(tl_tx *tx, const char *resource_id, int64_t from, int64_t to,
		   tl_usage_total *out, tl_error *err)
{
	*out = (tl_usage_total){0};
	if (to <= from)
		return 0;
	int64_t seq = 0;
	int rc = tl_store_resource_seq(tx, resource_id, &seq, err);
	if (rc < 0)
		return rc;
	/* [from, first) and [last, to) are partial months, [first, last) whole */
	int64_t first = tl_usage_month_of(from) == from ? from : tl_usage_month_after(from);
	int64_t last = tl_usage_month_of(to);
	tl_usage_total part[3] = {{0}};
	if (first >= last) {
		rc = tl_store_usage_sum(tx, seq, from, to, &part[0], err);
	} else {
		rc = tl_store_usage_months_sum(tx, seq, first, last, &part[0], err);
		if (rc == 0 && from < first)
			rc = tl_store_usage_sum(tx, seq, from, first, &part[1], err);
		if (rc == 0 && last < to)
			rc = tl_store_usage_sum(tx, seq, last, to, &part[2], err);
	}
	for (int i = 0; rc == 0 && i < 3; i++) {
		out->records += part[i].records;
		if (tl_money_add(out->unit_minutes, part[i].unit_minutes, &out->unit_minutes) < 0)
			rc = tl_error_set(err, TL_EINVALID, "price_overflow",
					  "the use of %.40s overflows", resource_id);
	}
	return rc;
}
