/* Store contract tests: checkouts with their lines, coupons and their
 * redemptions (tables of migration 013). The store is opened only through
 * tests/support/store_fixture.h, so another driver runs these unchanged. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/ids.h"
#include "store/store.h"
#include "store_fixture.h"

static tl_store *store;
static tl_account acc;

static int account_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_store_account_insert(tx, arg, err);
}

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	tt_store_open_fresh(&store);
	memset(&acc, 0, sizeof(acc));
	tl_id_new(acc.id, sizeof(acc.id), "acc");
	snprintf(acc.name, sizeof(acc.name), "A");
	snprintf(acc.currency, sizeof(acc.currency), "VND");
	snprintf(acc.type, sizeof(acc.type), "prepaid");
	acc.created_at = 1795255200;
	tt_store_must_write(store, account_tx, &acc);
}

static void teardown(void)
{
	tt_store_close_fresh(store);
}

TestSuite(store_checkouts, .init = setup, .fini = teardown);

static tl_coupon coupon(const char *code)
{
	tl_coupon c = {.percent_off = 10, .max_redemptions = 5, .max_per_account = 1,
		       .created_at = 1795255200};
	tl_id_new(c.id, sizeof(c.id), "cpn");
	snprintf(c.code, sizeof(c.code), "%s", code);
	snprintf(c.currency, sizeof(c.currency), "VND");
	c.service_count = 2;
	snprintf(c.services[0], sizeof(c.services[0]), "vks");
	snprintf(c.services[1], sizeof(c.services[1]), "vserver");
	return c;
}

/* An open purchase of a server and a volume, priced by the domain. */
static tl_checkout *checkout(const tl_coupon *cpn)
{
	tl_checkout *c = calloc(1, sizeof(*c));
	tl_id_new(c->id, sizeof(c->id), "chk");
	snprintf(c->account_id, sizeof(c->account_id), "%s", acc.id);
	snprintf(c->kind, sizeof(c->kind), "purchase");
	snprintf(c->status, sizeof(c->status), "open");
	snprintf(c->currency, sizeof(c->currency), "VND");
	c->cycle_months = 3;
	c->auto_renew = true;
	c->tax_rate_bp = 1000;
	c->hold_days = 3;
	c->cycle_count = 2;
	c->cycles[0] = (tl_catalog_cycle){1, 0};
	c->cycles[1] = (tl_catalog_cycle){3, 300};
	c->created_at = 1795255200;
	c->expires_at = 1795255200 + 1800;
	c->line_count = 2;
	const char *types[2] = {"server", "volume"}, *items[2] = {"s.general.2c4g", "v.ssd"};
	for (int i = 0; i < 2; i++) {
		tl_checkout_line *l = &c->lines[i];
		tl_id_new(l->resource_id, sizeof(l->resource_id), "res");
		snprintf(l->resource_type, sizeof(l->resource_type), "%s", types[i]);
		snprintf(l->resource_name, sizeof(l->resource_name), "%s-1", types[i]);
		snprintf(l->item_id, sizeof(l->item_id), "%s", items[i]);
		snprintf(l->item_name, sizeof(l->item_name), "Item %d", i);
		snprintf(l->service, sizeof(l->service), "vserver");
	}
	c->lines[0].unit = TL_UNIT_MONTH;
	c->lines[0].spec = json_pack("{s:s}", "flavor", "s.general.2c4g");
	c->lines[0].price = (tl_price_line){.unit_price = 480000, .quantity = 1};
	c->lines[1].unit = TL_UNIT_GB_MONTH;
	c->lines[1].spec = NULL; /* a spec may be absent: kept as null */
	c->lines[1].price = (tl_price_line){.unit_price = 3000, .quantity = 100};
	tl_checkout_set_coupon(c, cpn);
	tl_error e = {0};
	cr_assert_eq(tl_checkout_price(c, &e), 0, "%s", e.message);
	return c;
}

static void destroy(tl_checkout *c)
{
	tl_checkout_release(c);
	free(c);
}

static int coupon_insert_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_store_coupon_insert(tx, arg, 1795255200, err);
}

static int checkout_insert_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_store_checkout_insert(tx, arg, 1795255200, err);
}

static int checkout_update_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_store_checkout_update(tx, arg, 1795255300, err);
}

typedef struct getting {
	const char *id;
	tl_checkout *out;
	int rc;
} getting;

static int checkout_get_tx(tl_tx *tx, void *arg, tl_error *err)
{
	getting *g = arg;
	g->rc = tl_store_checkout_get(tx, g->id, g->out, err);
	return 0;
}

static int get_checkout(const char *id, tl_checkout *out)
{
	getting g = {.id = id, .out = out};
	tl_error e = {0};
	cr_assert_eq(tl_store_read(store, checkout_get_tx, &g, &e), 0);
	tl_error_clear(&e);
	return g.rc;
}

/* The same API answer from what was stored as from what was given. */
static void assert_same(const tl_checkout *a, const tl_checkout *b)
{
	json_t *ja = tl_checkout_to_json(a), *jb = tl_checkout_to_json(b);
	char *ta = json_dumps(ja, JSON_COMPACT), *tb = json_dumps(jb, JSON_COMPACT);
	cr_assert_str_eq(tb, ta);
	free(ta);
	free(tb);
	json_decref(ja);
	json_decref(jb);
}

Test(store_checkouts, a_checkout_round_trips_with_its_lines)
{
	tl_coupon cpn = coupon("WELCOME10");
	tt_store_must_write(store, coupon_insert_tx, &cpn);
	tl_checkout *c = checkout(&cpn), *back = calloc(1, sizeof(*back));
	tt_store_must_write(store, checkout_insert_tx, c);

	cr_assert_eq(get_checkout(c->id, back), 0);
	cr_assert_eq(back->line_count, 2);
	cr_assert_eq(back->lines[1].unit, TL_UNIT_GB_MONTH);
	cr_assert_null(back->lines[1].spec);
	cr_assert_str_eq(json_string_value(json_object_get(back->lines[0].spec, "flavor")),
			 "s.general.2c4g");
	cr_assert_eq(back->cycle_count, 2);
	cr_assert_eq(back->cycles[1].discount_bp, 300);
	cr_assert_str_eq(back->coupon_id, cpn.id);
	cr_assert_eq(back->coupon_percent_off, 10);
	cr_assert_eq(back->totals.total, c->totals.total);
	assert_same(c, back);
	tl_checkout_release(back);

	/* paid, with a new term and no coupon: every changing column and the
	 * lines' prices are rewritten */
	c->cycle_months = 1;
	tl_checkout_set_coupon(c, NULL);
	tl_error e = {0};
	cr_assert_eq(tl_checkout_price(c, &e), 0);
	cr_assert_eq(tl_checkout_transition(c, "paid", 1795255300, &e), 0);
	snprintf(c->payment_id, sizeof(c->payment_id), "pay_x");
	tt_store_must_write(store, checkout_update_tx, c);
	cr_assert_eq(get_checkout(c->id, back), 0);
	cr_assert_str_eq(back->status, "paid");
	cr_assert_eq(back->paid_at, 1795255300);
	cr_assert_str_eq(back->payment_id, "pay_x");
	cr_assert_str_eq(back->coupon_code, "");
	cr_assert_eq(back->lines[0].price.coupon_discount, 0);
	assert_same(c, back);
	destroy(back);
	destroy(c);
}

Test(store_checkouts, an_unknown_checkout_is_not_found)
{
	tl_checkout *out = calloc(1, sizeof(*out));
	cr_assert_eq(get_checkout("chk_none", out), TL_ENOTFOUND);
	free(out);
}

typedef struct coupon_get {
	const char *code;
	tl_coupon out;
	int rc;
	tl_coupon list[4];
	size_t listed;
} coupon_get;

static int coupon_get_tx(tl_tx *tx, void *arg, tl_error *err)
{
	coupon_get *g = arg;
	g->rc = tl_store_coupon_get_by_code(tx, g->code, &g->out, err);
	tl_page page = {.limit = 4};
	return tl_store_coupon_list(tx, &page, g->list, &g->listed, err);
}

Test(store_checkouts, a_coupon_is_found_by_its_unique_code)
{
	tl_coupon a = coupon("WELCOME10"), b = coupon("FLAT50K"), twin = coupon("WELCOME10");
	b.percent_off = 0;
	b.amount_off = 50000;
	b.service_count = 0;
	tt_store_must_write(store, coupon_insert_tx, &a);
	tt_store_must_write(store, coupon_insert_tx, &b);
	tl_error e = {0};
	cr_assert_eq(tl_store_write(store, coupon_insert_tx, &twin, &e), TL_ECONFLICT,
		     "a second coupon took code WELCOME10");
	tl_error_clear(&e);

	coupon_get g = {.code = "FLAT50K"};
	cr_assert_eq(tl_store_read(store, coupon_get_tx, &g, &e), 0);
	cr_assert_eq(g.rc, 0);
	cr_assert_str_eq(g.out.id, b.id);
	cr_assert_eq(g.out.amount_off, 50000);
	cr_assert_eq(g.out.service_count, 0);
	cr_assert_eq(g.listed, 2);
	cr_assert_str_eq(g.list[0].id, b.id, "coupons are listed newest first");
	cr_assert_eq(g.list[1].service_count, 2);
	cr_assert_str_eq(g.list[1].services[1], "vserver");
	cr_assert_eq(g.list[1].max_per_account, 1);

	g.code = "NOPE";
	cr_assert_eq(tl_store_read(store, coupon_get_tx, &g, &e), 0);
	cr_assert_eq(g.rc, TL_ENOTFOUND);
	tl_error_clear(&e);
}

typedef struct redeeming {
	const char *coupon_id, *checkout_id;
	int64_t count;
} redeeming;

static int redeem_tx(tl_tx *tx, void *arg, tl_error *err)
{
	redeeming *r = arg;
	char id[TL_ID_MAX];
	tl_id_new(id, sizeof(id), "rdm");
	return tl_store_coupon_redemption_insert(tx, id, r->coupon_id, acc.id, r->checkout_id,
						 1795255300, err);
}

static int count_tx(tl_tx *tx, void *arg, tl_error *err)
{
	redeeming *r = arg;
	return tl_store_coupon_redemptions_count(tx, r->coupon_id, acc.id, &r->count, err);
}

Test(store_checkouts, a_checkout_redeems_a_coupon_once)
{
	tl_coupon cpn = coupon("WELCOME10");
	tt_store_must_write(store, coupon_insert_tx, &cpn);
	tl_checkout *one = checkout(&cpn), *two = checkout(&cpn);
	tt_store_must_write(store, checkout_insert_tx, one);
	tt_store_must_write(store, checkout_insert_tx, two);

	redeeming r = {.coupon_id = cpn.id, .checkout_id = one->id};
	tt_store_must_write(store, redeem_tx, &r);
	tl_error e = {0};
	cr_assert_eq(tl_store_write(store, redeem_tx, &r, &e), TL_ECONFLICT,
		     "a checkout redeemed its coupon twice");
	tl_error_clear(&e);
	cr_assert_eq(tl_store_read(store, count_tx, &r, &e), 0);
	cr_assert_eq(r.count, 1);

	r.checkout_id = two->id;
	tt_store_must_write(store, redeem_tx, &r);
	cr_assert_eq(tl_store_read(store, count_tx, &r, &e), 0);
	cr_assert_eq(r.count, 2);
	destroy(one);
	destroy(two);
}

Test(store_checkouts, checks_refuse_a_bad_status_or_a_negative_amount)
{
	tl_checkout *c = checkout(NULL), *out = calloc(1, sizeof(*out));
	tl_error e = {0};
	snprintf(c->status, sizeof(c->status), "refunded");
	cr_assert_lt(tl_store_write(store, checkout_insert_tx, c, &e), 0,
		     "a status not in the lifecycle was stored");
	tl_error_clear(&e);
	cr_assert_eq(get_checkout(c->id, out), TL_ENOTFOUND);

	snprintf(c->status, sizeof(c->status), "open");
	c->lines[1].price.total = -1;
	cr_assert_lt(tl_store_write(store, checkout_insert_tx, c, &e), 0,
		     "a negative line total was stored");
	tl_error_clear(&e);
	cr_assert_eq(get_checkout(c->id, out), TL_ENOTFOUND, "the checkout stayed without its line");

	c->lines[1].price.total = 0;
	c->totals.total = -5;
	cr_assert_lt(tl_store_write(store, checkout_insert_tx, c, &e), 0,
		     "a negative checkout total was stored");
	tl_error_clear(&e);

	tl_coupon bad = coupon("MINUS");
	bad.percent_off = 0;
	bad.amount_off = -100;
	cr_assert_lt(tl_store_write(store, coupon_insert_tx, &bad, &e), 0,
		     "a negative coupon amount was stored");
	tl_error_clear(&e);
	free(out);
	destroy(c);
}

typedef struct due {
	int64_t now;
	tl_checkout_due out[4];
	size_t count;
} due;

static int due_tx(tl_tx *tx, void *arg, tl_error *err)
{
	due *d = arg;
	return tl_store_checkouts_due(tx, d->now, d->out, 4, &d->count, err);
}

Test(store_checkouts, only_open_checkouts_past_their_time_are_due)
{
	tl_checkout *open = checkout(NULL), *later = checkout(NULL), *paid = checkout(NULL);
	later->expires_at += 3600;
	tl_error e = {0};
	cr_assert_eq(tl_checkout_transition(paid, "paid", 1795255300, &e), 0);
	snprintf(paid->payment_id, sizeof(paid->payment_id), "pay_x");
	tt_store_must_write(store, checkout_insert_tx, open);
	tt_store_must_write(store, checkout_insert_tx, later);
	tt_store_must_write(store, checkout_insert_tx, paid);

	due d = {.now = open->expires_at - 1};
	cr_assert_eq(tl_store_read(store, due_tx, &d, &e), 0);
	cr_assert_eq(d.count, 0);
	d.now = open->expires_at;
	cr_assert_eq(tl_store_read(store, due_tx, &d, &e), 0);
	cr_assert_eq(d.count, 1);
	cr_assert_str_eq(d.out[0].id, open->id);
	cr_assert_str_eq(d.out[0].account_id, acc.id);
	destroy(open);
	destroy(later);
	destroy(paid);
}
