/* Store contract tests for metered usage: the records (unique on
 * resource, start, end) and their monthly totals. Opens its store only
 * through tests/support/store_fixture.h, so a second driver runs them
 * unchanged. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "common/ids.h"
#include "store/store.h"
#include "store_fixture.h"

#define JAN 1798761600 /* 2027-01-01T00:00:00Z */
#define FEB 1801440000 /* 2027-02-01T00:00:00Z */
#define MAR 1803859200 /* 2027-03-01T00:00:00Z */

static tl_store *store;
static tl_resource res;
static int64_t seq;

static int make_resource(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_account a = {.created_at = JAN};
	tl_id_new(a.id, sizeof(a.id), "acc");
	snprintf(a.name, sizeof(a.name), "usage");
	snprintf(a.currency, sizeof(a.currency), "VND");
	snprintf(a.type, sizeof(a.type), "postpaid");
	memset(&res, 0, sizeof(res));
	tl_id_new(res.id, sizeof(res.id), "res");
	snprintf(res.account_id, sizeof(res.account_id), "%s", a.id);
	snprintf(res.type, sizeof(res.type), "snapshot");
	snprintf(res.name, sizeof(res.name), "snap");
	snprintf(res.item_id, sizeof(res.item_id), "snapshot.standard");
	snprintf(res.service, sizeof(res.service), "snapshot");
	snprintf(res.status, sizeof(res.status), "active");
	snprintf(res.billing_mode, sizeof(res.billing_mode), "postpaid");
	res.quantity = 10;
	res.created_at = res.updated_at = res.accrued_until = JAN;
	int rc = tl_store_account_insert(tx, &a, err);
	rc = rc ? rc : tl_store_resource_insert(tx, &res, err);
	return rc ? rc : tl_store_resource_seq(tx, res.id, &seq, err);
}

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	tt_store_open_fresh(&store);
	tt_store_must_write(store, make_resource, NULL);
}

static void teardown(void)
{
	tt_store_close_fresh(store);
}

TestSuite(store_usage, .init = setup, .fini = teardown);

static tl_usage_row row(int64_t start, int64_t end, int64_t quantity)
{
	tl_usage_row r = {.resource_seq = seq, .start = start, .end = end, .quantity = quantity,
			  .received_at = start};
	tl_id_new(r.id, sizeof(r.id), "usg");
	return r;
}

typedef struct insert_call {
	const tl_usage_row *rows;
	size_t n;
	bool fresh[8];
} insert_call;

static int insert_tx(tl_tx *tx, void *arg, tl_error *err)
{
	insert_call *c = arg;
	return tl_store_usage_insert(tx, c->rows, c->n, c->fresh, err);
}

typedef struct sum_call {
	bool months;
	int64_t from, to;
	tl_usage_total out;
} sum_call;

static int sum_tx(tl_tx *tx, void *arg, tl_error *err)
{
	sum_call *c = arg;
	return c->months ? tl_store_usage_months_sum(tx, seq, c->from, c->to, &c->out, err)
			 : tl_store_usage_sum(tx, seq, c->from, c->to, &c->out, err);
}

static tl_usage_total sum(bool months, int64_t from, int64_t to)
{
	sum_call c = {.months = months, .from = from, .to = to};
	tl_error e = {0};
	cr_assert_eq(tl_store_read(store, sum_tx, &c, &e), 0, "%s", e.message);
	return c.out;
}

Test(store_usage, a_record_of_the_same_resource_and_period_is_a_duplicate)
{
	tl_usage_row rows[4] = {row(JAN, JAN + 3600, 2), row(JAN + 3600, JAN + 7200, 1),
				row(JAN, JAN + 3600, 5), /* same period, other quantity */
				row(JAN, JAN + 3601, 1)}; /* another end: another record */
	insert_call c = {.rows = rows, .n = 4};
	tt_store_must_write(store, insert_tx, &c);
	cr_expect(c.fresh[0] && c.fresh[1] && !c.fresh[2] && c.fresh[3]);
	/* and in a later call, as in a resent batch */
	insert_call again = {.rows = rows, .n = 2};
	tt_store_must_write(store, insert_tx, &again);
	cr_expect(!again.fresh[0] && !again.fresh[1]);
	/* the duplicate changed nothing: quantity 2, not 5 */
	tl_usage_total t = sum(false, JAN, FEB);
	cr_expect_eq(t.records, 3);
	cr_expect_eq(t.unit_minutes, 60 * 2 + 60 * 1 + 61 * 1);
}

Test(store_usage, sums_the_records_that_start_in_the_period_counting_a_started_minute)
{
	tl_usage_row rows[3] = {row(JAN - 60, JAN + 60, 1), /* starts in December */
				row(JAN + 10, JAN + 40, 3),  /* 30 s: one minute */
				row(FEB - 60, FEB + 3600, 2)}; /* starts in January */
	insert_call c = {.rows = rows, .n = 3};
	tt_store_must_write(store, insert_tx, &c);
	tl_usage_total t = sum(false, JAN, FEB);
	cr_expect_eq(t.records, 2);
	cr_expect_eq(t.unit_minutes, 1 * 3 + 61 * 2);
	t = sum(false, JAN + 11, FEB);
	cr_expect_eq(t.records, 1);
	t = sum(false, FEB, MAR);
	cr_expect_eq(t.records, 0);
	cr_expect_eq(t.unit_minutes, 0);
}

typedef struct months_call {
	const tl_usage_month *m;
	size_t n;
} months_call;

static int months_tx(tl_tx *tx, void *arg, tl_error *err)
{
	months_call *c = arg;
	return tl_store_usage_months_add(tx, c->m, c->n, err);
}

Test(store_usage, monthly_totals_add_up_per_resource_and_month)
{
	tl_usage_month m[3] = {{.resource_seq = seq, .month = JAN, .total = {2, 120}},
			       {.resource_seq = seq, .month = FEB, .total = {1, 7}},
			       {.resource_seq = seq, .month = JAN, .total = {3, 30}}};
	months_call c = {.m = m, .n = 3};
	tt_store_must_write(store, months_tx, &c);
	tt_store_must_write(store, months_tx, &c); /* adds again, never replaces */
	tl_usage_total t = sum(true, JAN, FEB);
	cr_expect_eq(t.records, 10);
	cr_expect_eq(t.unit_minutes, 300);
	t = sum(true, JAN, MAR);
	cr_expect_eq(t.records, 12);
	cr_expect_eq(t.unit_minutes, 314);
	t = sum(true, MAR, MAR + 31 * 86400);
	cr_expect_eq(t.records, 0);
	cr_expect_eq(t.unit_minutes, 0);
}

static int bad_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_usage_row r = row(JAN + 60, JAN, 1); /* ends before it starts */
	bool fresh = false;
	return tl_store_usage_insert(tx, &r, 1, &fresh, err);
}

Test(store_usage, a_row_against_the_tables_checks_is_an_error_not_a_duplicate)
{
	tl_error e = {0};
	cr_expect_lt(tl_store_write(store, bad_tx, NULL, &e), 0);
	tl_error_clear(&e);
	cr_expect_eq(sum(false, 0, MAR).records, 0);
}

static int seq_tx(tl_tx *tx, void *arg, tl_error *err)
{
	int64_t *out = arg;
	return tl_store_resource_seq(tx, "res_nosuchresource00", out, err);
}

Test(store_usage, an_unknown_resource_has_no_seq)
{
	int64_t s = 0;
	tl_error e = {0};
	cr_expect_eq(tl_store_read(store, seq_tx, &s, &e), TL_ENOTFOUND);
	tl_error_clear(&e);
	cr_expect_gt(seq, 0);
}
