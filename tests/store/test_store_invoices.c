/*
 * Store contract tests: invoices (with lines and transfers) and payments
 * (with their invoices). The store is opened only through
 * tests/support/store_fixture.h, so another driver runs these unchanged.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store_fixture.h"

static tl_store *store;

static void open_store(void)
{
	cr_assert_geq(sodium_init(), 0);
	tt_store_open_fresh(&store);
}

static void close_store(void)
{
	tt_store_close_fresh(store);
}

TestSuite(store_invoices, .init = open_store, .fini = close_store);

/* An account acc_<n>, its resource res_<n>, and transfers xfr_<n>_0..1. */
static int seed_tx(tl_tx *tx, void *arg, tl_error *err)
{
	const char *n = arg;
	tl_account a = {.created_at = 1795255200};
	snprintf(a.id, sizeof(a.id), "acc_%s", n);
	snprintf(a.name, sizeof(a.name), "Account %s", n);
	snprintf(a.currency, sizeof(a.currency), "VND");
	snprintf(a.type, sizeof(a.type), "prepaid");
	tl_resource r = {.quantity = 1, .cycle_months = 1, .created_at = 1795255200,
			 .updated_at = 1795255200};
	snprintf(r.id, sizeof(r.id), "res_%s", n);
	snprintf(r.account_id, sizeof(r.account_id), "acc_%s", n);
	snprintf(r.type, sizeof(r.type), "server");
	snprintf(r.name, sizeof(r.name), "web-%s", n);
	snprintf(r.item_id, sizeof(r.item_id), "s.general.2c4g");
	snprintf(r.service, sizeof(r.service), "vserver");
	snprintf(r.status, sizeof(r.status), "active");
	snprintf(r.billing_mode, sizeof(r.billing_mode), "prepaid");
	r.spec = json_object();
	int rc = tl_store_account_insert(tx, &a, err);
	rc = rc ? rc : tl_store_resource_insert(tx, &r, err);
	json_decref(r.spec);
	for (int i = 0; rc == 0 && i < 2; i++) {
		tl_transfer t = {.kind = TL_TRANSFER_SINGLE, .amount = 100,
				 .created_at = 1795255200};
		snprintf(t.id, sizeof(t.id), "xfr_%s_%d", n, i);
		snprintf(t.debit_account, sizeof(t.debit_account), "wallet");
		snprintf(t.credit_account, sizeof(t.credit_account), "revenue");
		snprintf(t.code, sizeof(t.code), "purchase");
		snprintf(t.state, sizeof(t.state), "posted");
		rc = tl_store_transfer_insert(tx, &t, err);
	}
	return rc;
}

/* A paid purchase invoice inv_<id> numbered INV-2027-<seq> of acc_<n>'s
 * resource. */
static tl_invoice invoice(const char *n, const char *id, int seq)
{
	tl_invoice v = {.period_start = 1798761600, .period_end = 1801440000, .subtotal = 1000,
			.discount = 100, .tax = 90, .total = 990, .amount_paid = 990,
			.issued_at = 1798761600, .updated_at = 1798761600, .line_count = 1};
	snprintf(v.id, sizeof(v.id), "inv_%s", id);
	snprintf(v.number, sizeof(v.number), "INV-2027-%06d", seq);
	snprintf(v.account_id, sizeof(v.account_id), "acc_%s", n);
	snprintf(v.resource_id, sizeof(v.resource_id), "res_%s", n);
	snprintf(v.resource_name, sizeof(v.resource_name), "web-%s", n);
	snprintf(v.service, sizeof(v.service), "vserver");
	snprintf(v.kind, sizeof(v.kind), "purchase");
	snprintf(v.currency, sizeof(v.currency), "VND");
	snprintf(v.coupon_code, sizeof(v.coupon_code), "WELCOME10");
	snprintf(v.status, sizeof(v.status), "paid");
	snprintf(v.payment_id, sizeof(v.payment_id), "pay_%s", id);
	snprintf(v.checkout_id, sizeof(v.checkout_id), "chk_%s", id);
	tl_invoice_line *l = &v.lines[0];
	*l = (tl_invoice_line){.unit_price = 1000, .quantity = 1, .cycle_months = 1,
			       .gross = 1000, .coupon_discount = 100, .tax_rate_bp = 1000,
			       .tax = 90, .total = 990};
	snprintf(l->item_id, sizeof(l->item_id), "s.general.2c4g");
	snprintf(l->description, sizeof(l->description), "General 2 vCPU 4 GiB");
	snprintf(l->unit, sizeof(l->unit), "month");
	snprintf(l->coupon_code, sizeof(l->coupon_code), "WELCOME10");
	char t[TL_TRANSFER_ID_MAX];
	for (int i = 0; i < 2; i++) {
		snprintf(t, sizeof(t), "xfr_%s_%d", n, i);
		cr_assert_eq(tl_id_list_add(&v.transfer_ids, t), 0);
	}
	return v;
}

typedef struct call {
	tl_invoice *inv;
	tl_payment *pay;
	const char *id;
	tl_invoice_query q;
	tl_page page;
	tl_invoice list[8];
	tl_payment plist[8];
	size_t n;
	int64_t count;
	tl_error err;
	int rc;
} call;

static void seed(const char *n)
{
	char name[8];
	snprintf(name, sizeof(name), "%s", n);
	tt_store_must_write(store, seed_tx, name);
}

static int insert_tx(tl_tx *tx, void *arg, tl_error *err)
{
	call *c = arg;
	return tl_store_invoice_insert(tx, c->inv, err);
}

/* Inserts in its own transaction; the refusal's code, or 0. */
static int try_insert(tl_invoice *inv, tl_error *err)
{
	call c = {.inv = inv};
	return tl_store_write(store, insert_tx, &c, err);
}

static void must_insert(tl_invoice *inv)
{
	call c = {.inv = inv};
	tt_store_must_write(store, insert_tx, &c);
}

static int get_tx(tl_tx *tx, void *arg, tl_error *err)
{
	call *c = arg;
	return tl_store_invoice_get(tx, c->id, c->inv, err);
}

static int list_tx(tl_tx *tx, void *arg, tl_error *err)
{
	call *c = arg;
	return tl_store_invoice_list(tx, &c->q, &c->page, c->list, &c->n, err);
}

static void release_list(call *c)
{
	for (size_t i = 0; i < c->n; i++)
		tl_invoice_release(&c->list[i]);
}

Test(store_invoices, an_invoice_reads_back_as_written)
{
	seed("a");
	tl_invoice v = invoice("a", "1", 1);
	must_insert(&v);
	tl_invoice got;
	call c = {.inv = &got, .id = "inv_1"};
	tt_store_must_write(store, get_tx, &c);
	json_t *want = tl_invoice_to_json(&v), *have = tl_invoice_to_json(&got);
	cr_assert(json_equal(want, have), "%s", json_dumps(have, JSON_COMPACT));
	cr_assert_eq(got.line_count, 1);
	cr_assert_eq(got.transfer_ids.count, 2);
	cr_assert_str_eq(got.transfer_ids.ids[1], "xfr_a_1");
	json_decref(want);
	json_decref(have);
	tl_invoice_release(&got);
	c.id = "inv_none";
	cr_assert_eq(tl_store_write(store, get_tx, &c, &c.err), TL_ENOTFOUND);
	tl_invoice_release(&v);
}

Test(store_invoices, lists_by_account_and_by_resource_newest_first)
{
	seed("a");
	seed("b");
	tl_invoice v[3] = {invoice("a", "1", 1), invoice("b", "2", 2), invoice("a", "3", 3)};
	for (int i = 0; i < 3; i++)
		must_insert(&v[i]);
	call c = {.q = {.account_id = "acc_a"}, .page = {.limit = 8}};
	tt_store_must_write(store, list_tx, &c);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.list[0].id, "inv_3");
	cr_assert_str_eq(c.list[1].id, "inv_1");
	cr_assert_eq(c.list[1].transfer_ids.count, 2, "each with its transfers");
	release_list(&c);
	/* a page after inv_3 */
	c = (call){.q = {.account_id = "acc_a"}, .page = {.limit = 8}};
	snprintf(c.page.after, sizeof(c.page.after), "inv_3");
	tt_store_must_write(store, list_tx, &c);
	cr_assert_eq(c.n, 1);
	cr_assert_str_eq(c.list[0].id, "inv_1");
	release_list(&c);
	c = (call){.q = {.resource_id = "res_b"}, .page = {.limit = 8}};
	tt_store_must_write(store, list_tx, &c);
	cr_assert_eq(c.n, 1);
	cr_assert_str_eq(c.list[0].id, "inv_2");
	release_list(&c);
	c = (call){.q = {.account_id = "acc_a", .resource_id = "res_b"}, .page = {.limit = 8}};
	tt_store_must_write(store, list_tx, &c);
	cr_assert_eq(c.n, 0, "another account's resource lists nothing");
	for (int i = 0; i < 3; i++)
		tl_invoice_release(&v[i]);
}

Test(store_invoices, a_number_is_unique)
{
	seed("a");
	tl_invoice v = invoice("a", "1", 7), w = invoice("a", "2", 7);
	must_insert(&v);
	tl_error e = {0};
	cr_assert_eq(try_insert(&w, &e), TL_ECONFLICT, "%s", e.message);
	cr_assert_str_eq(e.code, "already_exists");
	tl_invoice_release(&v);
	tl_invoice_release(&w);
}

Test(store_invoices, the_database_refuses_a_negative_amount_or_an_unknown_status)
{
	seed("a");
	tl_invoice v = invoice("a", "1", 1);
	tl_error e = {0};
	v.subtotal = -1000;
	v.discount = 0;
	v.tax = 0;
	v.total = -1000;
	v.amount_paid = -1000;
	cr_assert_lt(try_insert(&v, &e), 0, "a negative amount is stored");
	tl_error_clear(&e);
	tl_invoice_release(&v);
	v = invoice("a", "2", 2);
	snprintf(v.status, sizeof(v.status), "overdue");
	cr_assert_lt(try_insert(&v, &e), 0, "an unknown status is stored");
	tl_error_clear(&e);
	tl_invoice_release(&v);
	v = invoice("a", "3", 3);
	v.lines[0].quantity = -1;
	cr_assert_lt(try_insert(&v, &e), 0, "a line's negative quantity is stored");
	tl_error_clear(&e);
	tl_invoice_release(&v);
	v = invoice("a", "4", 4);
	snprintf(v.account_id, sizeof(v.account_id), "acc_nobody");
	cr_assert_lt(try_insert(&v, &e), 0, "an invoice of no account is stored");
	tl_error_clear(&e);
	tl_invoice_release(&v);
	/* none of them left anything behind */
	call c = {.q = {.resource_id = "res_a"}, .page = {.limit = 8}};
	tt_store_must_write(store, list_tx, &c);
	cr_assert_eq(c.n, 0);
}

static int update_tx(tl_tx *tx, void *arg, tl_error *err)
{
	call *c = arg;
	return tl_store_invoice_update(tx, c->inv, err);
}

static int payable_tx(tl_tx *tx, void *arg, tl_error *err)
{
	call *c = arg;
	int rc = tl_store_invoices_payable(tx, c->id, 1801440000, c->list, 8, &c->n, err);
	return rc ? rc : tl_store_invoices_open_count(tx, "acc_a", &c->count, err);
}

Test(store_invoices, an_open_invoice_is_paid_by_updates)
{
	seed("a");
	tl_invoice v = invoice("a", "1", 1);
	v.amount_paid = 0;
	snprintf(v.status, sizeof(v.status), "unpaid");
	v.payment_id[0] = '\0';
	v.due_at = 1798761600;
	tl_id_list_release(&v.transfer_ids);
	must_insert(&v);
	call c = {.id = "unpaid"};
	tt_store_must_write(store, payable_tx, &c);
	cr_assert_eq(c.count, 1);
	cr_assert_eq(c.n, 0, "not payable: the account has no credit wallet");
	/* part paid, with one transfer more */
	v.amount_paid = 500;
	snprintf(v.status, sizeof(v.status), "partial_paid");
	snprintf(v.payment_id, sizeof(v.payment_id), "pay_x");
	cr_assert_eq(tl_id_list_add(&v.transfer_ids, "xfr_a_0"), 0);
	c = (call){.inv = &v};
	tt_store_must_write(store, update_tx, &c);
	cr_assert_eq(tl_id_list_add(&v.transfer_ids, "xfr_a_1"), 0);
	v.amount_paid = 990;
	snprintf(v.status, sizeof(v.status), "paid");
	v.due_at = 0;
	tt_store_must_write(store, update_tx, &c);
	tl_invoice got;
	c = (call){.inv = &got, .id = "inv_1"};
	tt_store_must_write(store, get_tx, &c);
	cr_assert_str_eq(got.status, "paid");
	cr_assert_eq(got.amount_paid, 990);
	cr_assert_eq(got.transfer_ids.count, 2);
	cr_assert_str_eq(got.transfer_ids.ids[0], "xfr_a_0");
	tl_invoice_release(&got);
	c = (call){.id = "unpaid"};
	tt_store_must_write(store, payable_tx, &c);
	cr_assert_eq(c.count, 0);
	/* paid past the total: refused */
	v.amount_paid = 991;
	c = (call){.inv = &v};
	tl_error e = {0};
	cr_assert_lt(tl_store_write(store, update_tx, &c, &e), 0);
	tl_invoice_release(&v);
}

static int pay_tx(tl_tx *tx, void *arg, tl_error *err)
{
	call *c = arg;
	return tl_store_payment_insert(tx, c->pay, err);
}

static int pay_read_tx(tl_tx *tx, void *arg, tl_error *err)
{
	call *c = arg;
	int rc = tl_store_payment_list(tx, "acc_a", &c->page, c->plist, &c->n, err);
	return rc ? rc : tl_store_payment_count(tx, "acc_a", &c->count, err);
}

Test(store_invoices, payments_read_back_with_their_invoices)
{
	seed("a");
	tl_invoice v = invoice("a", "1", 1);
	must_insert(&v);
	tl_payment p = {.amount = 990, .created_at = 1798761600};
	snprintf(p.id, sizeof(p.id), "pay_1");
	snprintf(p.account_id, sizeof(p.account_id), "acc_a");
	snprintf(p.method, sizeof(p.method), "credit");
	snprintf(p.currency, sizeof(p.currency), "VND");
	snprintf(p.checkout_id, sizeof(p.checkout_id), "chk_1");
	snprintf(p.status, sizeof(p.status), "succeeded");
	cr_assert_eq(tl_id_list_add(&p.invoice_ids, "inv_1"), 0);
	call c = {.pay = &p};
	tt_store_must_write(store, pay_tx, &c);
	c = (call){.page = {.limit = 8}};
	tt_store_must_write(store, pay_read_tx, &c);
	cr_assert_eq(c.count, 1);
	cr_assert_eq(c.n, 1);
	json_t *want = tl_payment_to_json(&p), *have = tl_payment_to_json(&c.plist[0]);
	cr_assert(json_equal(want, have), "%s", json_dumps(have, JSON_COMPACT));
	json_decref(want);
	json_decref(have);
	tl_payment_release(&c.plist[0]);
	/* a negative amount, an unknown method, an invoice that does not exist */
	tl_error e = {0};
	snprintf(p.id, sizeof(p.id), "pay_2");
	p.amount = -1;
	c = (call){.pay = &p};
	cr_assert_lt(tl_store_write(store, pay_tx, &c, &e), 0);
	tl_error_clear(&e);
	p.amount = 1;
	snprintf(p.method, sizeof(p.method), "cash");
	cr_assert_lt(tl_store_write(store, pay_tx, &c, &e), 0);
	tl_error_clear(&e);
	snprintf(p.method, sizeof(p.method), "credit");
	snprintf(p.invoice_ids.ids[0], sizeof(p.invoice_ids.ids[0]), "inv_none");
	cr_assert_lt(tl_store_write(store, pay_tx, &c, &e), 0);
	tl_error_clear(&e);
	tl_payment_release(&p);
	tl_invoice_release(&v);
}
