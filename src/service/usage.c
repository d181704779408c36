/* usage.c: recording a batch of usage records in one transaction, and the
 * totals the monthly rating reads. */
#include "service/usage.h"
#include "common/ids.h"
#include "service/audit.h"
#include "service/resources.h"
#include "domain/money.h"

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
	int64_t seq;       /* r's seq in the store, when loaded */
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
	if (rc == 0)
		rc = tl_store_resource_seq(tx, slot->r.id, &slot->seq, &lookup);
	if (rc == TL_ENOTFOUND) {
		tl_error_clear(&lookup);
		tl_resource_release(&slot->r);
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

/* What the batch decided for each record, in the records' order. */
typedef struct judged {
	const char *refused;   /* the rejection's reason, or NULL: a row to insert */
	size_t row;            /* its index in rows when not refused */
	char account_id[TL_ID_MAX];
} judged;

/* Each record judged against its resource; the candidates in rows[]. */
static int judge(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog,
		 const tl_usage_record *records, size_t count, judged *j, tl_usage_row *rows,
		 size_t *nrows, tl_error *err)
{
	resource_slot slot = {0};
	int rc = 0;
	*nrows = 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		const tl_usage_record *rec = &records[i];
		rc = load_resource(tx, ctx, rec->resource_id, &slot, err);
		if (rc < 0)
			break;
		j[i].refused = rc == 1 ? "resource_not_found" : refusal(&slot.r);
		rc = 0;
		if (j[i].refused[0])
			continue;
		j[i].refused = NULL;
		rc = check_metered(catalog, &slot.r, i, err);
		if (rc < 0)
			break;
		tl_usage_row *row = &rows[*nrows];
		j[i].row = (*nrows)++;
		snprintf(j[i].account_id, sizeof(j[i].account_id), "%s", slot.r.account_id);
		*row = (tl_usage_row){.resource_seq = slot.seq, .start = rec->start,
				      .end = rec->end, .received_at = ctx->now,
				      .quantity = rec->quantity ? rec->quantity : slot.r.quantity};
		tl_id_new(row->id, sizeof(row->id), "usg");
	}
	tl_resource_release(&slot.r);
	return rc;
}

static int by_resource_month(const void *a, const void *b)
{
	const tl_usage_month *x = a, *y = b;
	if (x->resource_seq != y->resource_seq)
		return x->resource_seq < y->resource_seq ? -1 : 1;
	return x->month < y->month ? -1 : x->month > y->month;
}

/* The fresh rows' totals per (resource, month), added to the stored ones:
 * one upsert per resource and month rather than one per record. */
static int add_to_months(tl_tx *tx, const tl_usage_row *rows, const bool *fresh, size_t n,
			 tl_error *err)
{
	tl_usage_month *m = calloc(n ? n : 1, sizeof(*m));
	if (m == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	size_t k = 0;
	int64_t month = 0, next = 0; /* the last month computed, [month, next) */
	for (size_t i = 0; i < n; i++) {
		if (!fresh[i])
			continue;
		if (rows[i].start < month || rows[i].start >= next) {
			month = tl_usage_month_of(rows[i].start);
			next = tl_usage_month_after(rows[i].start);
		}
		m[k++] = (tl_usage_month){.resource_seq = rows[i].resource_seq, .month = month,
					  .total = {.records = 1, .unit_minutes = 0}};
		m[k - 1].total.unit_minutes = tl_usage_minutes(rows[i].start, rows[i].end) *
					      rows[i].quantity; /* <= 44,640 x 10^6: no overflow */
	}
	qsort(m, k, sizeof(*m), by_resource_month);
	size_t groups = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < k; i++) {
		if (groups > 0 && m[groups - 1].resource_seq == m[i].resource_seq &&
		    m[groups - 1].month == m[i].month) {
			tl_usage_total *t = &m[groups - 1].total;
			t->records++;
			if (tl_money_add(t->unit_minutes, m[i].total.unit_minutes,
					 &t->unit_minutes) < 0)
				rc = tl_error_set(err, TL_EINVALID, "price_overflow",
						  "the use of a resource overflows");
		} else {
			m[groups++] = m[i];
		}
	}
	rc = rc ? rc : tl_store_usage_months_add(tx, m, groups, err);
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
	judged *j = calloc(count ? count : 1, sizeof(*j));
	tl_usage_row *rows = calloc(count ? count : 1, sizeof(*rows));
	bool *fresh = calloc(count ? count : 1, sizeof(*fresh));
	size_t nrows = 0;
	int rc = out->results && j && rows && fresh
			 ? judge(tx, ctx, catalog, records, count, j, rows, &nrows, err)
			 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	rc = rc ? rc : tl_store_usage_insert(tx, rows, nrows, fresh, err);
	rc = rc ? rc : add_to_months(tx, rows, fresh, nrows, err);
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
			account = j[i].account_id;
		} else if (strcmp(account, j[i].account_id) != 0) {
			one_account = false;
		}
	}
	if (rc == 0 && out->accepted > 0) {
		assert(out->accepted + out->duplicates + out->rejected == count);
		rc = audit(tx, ctx, out, one_account ? account : "", first_id, err);
	}
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
