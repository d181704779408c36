/*
 * Contract tests of the gateway_transactions and suspensions tables
 * (issue 16): what the store keeps, finds, counts and refuses. Opened only
 * through tests/support/store_fixture.h, so a second driver runs them
 * unchanged.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "common/ids.h"
#include "store/store.h"
#include "store_fixture.h"

#define T0 1795255200

typedef struct world {
	tl_account account, other;
	tl_resource resource;
	tl_gateway_txn txn, got;
	tl_suspension sus;
	const char *key;
	int64_t n;
	int64_t from, to, after;
	tl_suspension page[4];
	size_t count;
	int rc;
	tl_error e;
} world;

static tl_store *store;
static world w;

static void account(tl_account *a)
{
	tl_id_new(a->id, sizeof(a->id), "acc");
	snprintf(a->name, sizeof(a->name), "a");
	snprintf(a->currency, sizeof(a->currency), "VND");
	snprintf(a->type, sizeof(a->type), "postpaid");
	a->created_at = T0;
}

static int setup_tx(tl_tx *tx, void *arg, tl_error *err)
{
	world *x = arg;
	int rc = tl_store_account_insert(tx, &x->account, err);
	rc = rc ? rc : tl_store_account_insert(tx, &x->other, err);
	return rc ? rc : tl_store_resource_insert(tx, &x->resource, err);
}

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	memset(&w, 0, sizeof(w));
	account(&w.account);
	account(&w.other);
	tl_resource *r = &w.resource;
	tl_id_new(r->id, sizeof(r->id), "res");
	snprintf(r->account_id, sizeof(r->account_id), "%s", w.account.id);
	snprintf(r->type, sizeof(r->type), "server");
	snprintf(r->name, sizeof(r->name), "web");
	snprintf(r->item_id, sizeof(r->item_id), "srv-1");
	snprintf(r->service, sizeof(r->service), "compute");
	r->quantity = 1;
	r->spec = json_object();
	snprintf(r->status, sizeof(r->status), "active");
	snprintf(r->billing_mode, sizeof(r->billing_mode), "postpaid");
	r->created_at = r->updated_at = T0;
	tt_store_open_fresh(&store);
	tt_store_must_write(store, setup_tx, &w);
}

static void teardown(void)
{
	json_decref(w.resource.spec);
	tt_store_close_fresh(store);
}

/* A started payment of checkout (or a top-up when checkout is ""). */
static void started(tl_gateway_txn *t, const char *account_id, const char *checkout)
{
	memset(t, 0, sizeof(*t));
	tl_id_new(t->id, sizeof(t->id), "gwt");
	tl_id_new(t->txn_id, sizeof(t->txn_id), "gtx");
	snprintf(t->gateway, sizeof(t->gateway), "sandbox");
	snprintf(t->purpose, sizeof(t->purpose), "%s", checkout[0] ? "checkout" : "top_up");
	snprintf(t->checkout_id, sizeof(t->checkout_id), "%s", checkout);
	snprintf(t->account_id, sizeof(t->account_id), "%s", account_id);
	t->amount = 528000;
	snprintf(t->currency, sizeof(t->currency), "VND");
	snprintf(t->status, sizeof(t->status), "started");
	t->created_at = t->updated_at = T0;
}

/* Each step keeps its outcome in w and commits what it did. */
static int insert_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)err;
	world *x = arg;
	tl_error_clear(&x->e);
	x->rc = tl_store_gateway_txn_insert(tx, &x->txn, &x->e);
	return 0;
}

static int update_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)err;
	world *x = arg;
	tl_error_clear(&x->e);
	x->rc = tl_store_gateway_txn_update(tx, &x->txn, &x->e);
	return 0;
}

static int get_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)err;
	world *x = arg;
	tl_error_clear(&x->e);
	memset(&x->got, 0, sizeof(x->got));
	x->rc = tl_store_gateway_txn_get(tx, x->key, &x->got, &x->e);
	return 0;
}

static int count_checkout_tx(tl_tx *tx, void *arg, tl_error *err)
{
	world *x = arg;
	return tl_store_gateway_txn_count_of_checkout(tx, x->key, &x->n, err);
}

static int count_top_ups_tx(tl_tx *tx, void *arg, tl_error *err)
{
	world *x = arg;
	return tl_store_gateway_top_ups_pending(tx, x->key, &x->n, err);
}

static void assert_same(const tl_gateway_txn *a, const tl_gateway_txn *b)
{
	cr_assert_str_eq(a->id, b->id);
	cr_assert_str_eq(a->gateway, b->gateway);
	cr_assert_str_eq(a->txn_id, b->txn_id);
	cr_assert_str_eq(a->purpose, b->purpose);
	cr_assert_str_eq(a->checkout_id, b->checkout_id);
	cr_assert_str_eq(a->account_id, b->account_id);
	cr_assert_eq(a->amount, b->amount);
	cr_assert_str_eq(a->currency, b->currency);
	cr_assert_str_eq(a->status, b->status);
	cr_assert_str_eq(a->result, b->result);
	cr_assert_str_eq(a->top_up_transfer_id, b->top_up_transfer_id);
	cr_assert_str_eq(a->payment_id, b->payment_id);
	cr_assert_str_eq(a->gateway_ref, b->gateway_ref);
	cr_assert_str_eq(a->bank_code, b->bank_code);
	cr_assert_str_eq(a->reason, b->reason);
	cr_assert_str_eq(a->reason_message, b->reason_message);
	cr_assert_eq(a->notified_at, b->notified_at);
	cr_assert_eq(a->created_at, b->created_at);
	cr_assert_eq(a->updated_at, b->updated_at);
}

static void insert(const tl_gateway_txn *t)
{
	w.txn = *t;
	tt_store_must_write(store, insert_tx, &w);
}

TestSuite(store_gateway, .init = setup, .fini = teardown);

Test(store_gateway, keeps_a_started_payment_and_finds_it_by_the_gateway_transaction_id)
{
	started(&w.txn, w.account.id, "chk_a");
	tl_gateway_txn t = w.txn;
	insert(&t);
	cr_assert_eq(w.rc, 0, "%s", w.e.message);
	w.key = t.txn_id;
	tt_store_must_write(store, get_tx, &w);
	cr_assert_eq(w.rc, 0, "%s", w.e.message);
	assert_same(&w.got, &t);
	cr_assert_str_eq(w.got.checkout_id, "chk_a");
	cr_assert_str_eq(w.got.result, "");
	cr_assert_eq(w.got.notified_at, 0);
}

Test(store_gateway, rewrites_what_the_notification_set)
{
	started(&w.txn, w.account.id, "chk_a");
	tl_gateway_txn t = w.txn;
	insert(&t);
	snprintf(t.status, sizeof(t.status), "kept_as_credit");
	snprintf(t.result, sizeof(t.result), "paid");
	snprintf(t.gateway_ref, sizeof(t.gateway_ref), "14422574");
	snprintf(t.bank_code, sizeof(t.bank_code), "NCB");
	snprintf(t.reason, sizeof(t.reason), "checkout_expired");
	snprintf(t.reason_message, sizeof(t.reason_message), "checkout chk_a expired");
	t.notified_at = t.updated_at = T0 + 60;
	w.txn = t;
	tt_store_must_write(store, update_tx, &w);
	cr_assert_eq(w.rc, 0, "%s", w.e.message);
	w.key = t.txn_id;
	tt_store_must_write(store, get_tx, &w);
	assert_same(&w.got, &t);
	cr_assert_eq(w.got.created_at, T0, "the start stays");
}

Test(store_gateway, refuses_a_second_record_of_one_gateway_transaction)
{
	started(&w.txn, w.account.id, "chk_a");
	tl_gateway_txn t = w.txn;
	insert(&t);
	tl_gateway_txn again;
	started(&again, w.account.id, "chk_b");
	snprintf(again.txn_id, sizeof(again.txn_id), "%s", t.txn_id);
	insert(&again);
	cr_assert_eq(w.rc, TL_ECONFLICT);
	cr_assert_str_eq(w.e.code, "already_exists");
	w.key = t.txn_id;
	tt_store_must_write(store, get_tx, &w);
	cr_assert_str_eq(w.got.checkout_id, "chk_a", "the first record stays");
}

Test(store_gateway, an_unknown_transaction_or_update_is_not_found)
{
	w.key = "gtx_nobody";
	tt_store_must_write(store, get_tx, &w);
	cr_assert_eq(w.rc, TL_ENOTFOUND);
	started(&w.txn, w.account.id, "chk_a");
	tt_store_must_write(store, update_tx, &w);
	cr_assert_eq(w.rc, TL_ENOTFOUND);
}

Test(store_gateway, refuses_what_the_schema_forbids)
{
	tl_gateway_txn t;
	started(&t, w.account.id, "chk_a");
	t.amount = 0;
	insert(&t);
	cr_assert_lt(w.rc, 0, "an amount of 0");
	started(&t, w.account.id, "chk_a");
	snprintf(t.status, sizeof(t.status), "paid");
	insert(&t);
	cr_assert_lt(w.rc, 0, "a status the code does not use");
	started(&t, "acc_nobody", "chk_a");
	insert(&t);
	cr_assert_lt(w.rc, 0, "an account that does not exist");
	started(&t, w.account.id, "");
	snprintf(t.purpose, sizeof(t.purpose), "checkout");
	insert(&t);
	cr_assert_lt(w.rc, 0, "a checkout's payment with no checkout");
	started(&t, w.account.id, "chk_a");
	snprintf(t.result, sizeof(t.result), "paid");
	insert(&t);
	cr_assert_lt(w.rc, 0, "a started payment with a result");
	w.key = "chk_a";
	tt_store_must_write(store, count_checkout_tx, &w);
	cr_assert_eq(w.n, 0, "nothing refused was kept");
}

Test(store_gateway, counts_the_payments_a_checkout_started_whatever_became_of_them)
{
	tl_gateway_txn t;
	for (int i = 0; i < 3; i++) {
		started(&t, w.account.id, "chk_a");
		if (i == 0) {
			snprintf(t.status, sizeof(t.status), "cancelled");
			snprintf(t.result, sizeof(t.result), "cancelled");
			t.notified_at = T0 + 1;
		}
		insert(&t);
		cr_assert_eq(w.rc, 0, "%s", w.e.message);
	}
	started(&t, w.account.id, "chk_b");
	insert(&t);
	started(&t, w.account.id, "");
	insert(&t);
	w.key = "chk_a";
	tt_store_must_write(store, count_checkout_tx, &w);
	cr_assert_eq(w.n, 3);
	w.key = "chk_none";
	tt_store_must_write(store, count_checkout_tx, &w);
	cr_assert_eq(w.n, 0);
}

Test(store_gateway, counts_only_the_accounts_top_ups_still_started)
{
	tl_gateway_txn t;
	started(&t, w.account.id, "");
	insert(&t);
	started(&t, w.account.id, "");
	insert(&t);
	started(&t, w.account.id, "");
	snprintf(t.status, sizeof(t.status), "applied");
	snprintf(t.result, sizeof(t.result), "paid");
	t.notified_at = T0 + 1;
	insert(&t);
	cr_assert_eq(w.rc, 0, "%s", w.e.message);
	started(&t, w.account.id, "chk_a"); /* a checkout's, not a top-up */
	insert(&t);
	started(&t, w.other.id, ""); /* another account's */
	insert(&t);
	w.key = w.account.id;
	tt_store_must_write(store, count_top_ups_tx, &w);
	cr_assert_eq(w.n, 2);
	w.key = w.other.id;
	tt_store_must_write(store, count_top_ups_tx, &w);
	cr_assert_eq(w.n, 1);
}

/* ---- suspensions ---------------------------------------------------------- */

static int open_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)err;
	world *x = arg;
	tl_error_clear(&x->e);
	x->rc = tl_store_suspension_insert(tx, &x->sus, &x->e);
	return 0;
}

static int close_tx(tl_tx *tx, void *arg, tl_error *err)
{
	world *x = arg;
	x->rc = tl_store_suspension_close(tx, x->resource.id, x->to, err);
	return x->rc < 0 ? x->rc : 0;
}

static int overlapping_tx(tl_tx *tx, void *arg, tl_error *err)
{
	world *x = arg;
	return tl_store_suspensions_overlapping(tx, x->resource.id, x->from, x->to, x->after,
						x->page, 4, &x->count, err);
}

static void open_at(int64_t at)
{
	memset(&w.sus, 0, sizeof(w.sus));
	tl_id_new(w.sus.id, sizeof(w.sus.id), "sus");
	snprintf(w.sus.account_id, sizeof(w.sus.account_id), "%s", w.account.id);
	snprintf(w.sus.resource_id, sizeof(w.sus.resource_id), "%s", w.resource.id);
	snprintf(w.sus.status, sizeof(w.sus.status), "open");
	w.sus.start_at = w.sus.created_at = w.sus.updated_at = at;
	tt_store_must_write(store, open_tx, &w);
	cr_assert_eq(w.rc, 0, "%s", w.e.message);
}

static void close_at(int64_t at, int closed)
{
	w.to = at;
	tt_store_must_write(store, close_tx, &w);
	cr_assert_eq(w.rc, closed);
}

static size_t overlapping(int64_t from, int64_t to, int64_t after)
{
	w.from = from;
	w.to = to;
	w.after = after;
	tt_store_must_write(store, overlapping_tx, &w);
	return w.count;
}

TestSuite(store_suspensions, .init = setup, .fini = teardown);

Test(store_suspensions, closing_ends_the_open_suspension_and_only_it)
{
	close_at(T0, 0); /* none open: nothing */
	open_at(T0 + 100);
	close_at(T0 + 200, 1);
	close_at(T0 + 300, 0);
	open_at(T0 + 400);
	cr_assert_eq(overlapping(T0, T0 + 1000, 0), 2);
	cr_assert_str_eq(w.page[0].status, "closed");
	cr_assert_eq(w.page[0].start_at, T0 + 100);
	cr_assert_eq(w.page[0].end_at, T0 + 200);
	cr_assert_eq(w.page[0].updated_at, T0 + 200);
	cr_assert_str_eq(w.page[1].status, "open");
	cr_assert_eq(w.page[1].start_at, T0 + 400);
	cr_assert_eq(w.page[1].end_at, 0, "open: no end");
	cr_assert_str_eq(w.page[1].account_id, w.account.id);
	cr_assert_lt(w.page[0].seq, w.page[1].seq, "oldest first");
}

Test(store_suspensions, lists_only_those_that_overlap_the_period_in_pages)
{
	open_at(T0);
	close_at(T0 + 100, 1);
	open_at(T0 + 200);
	close_at(T0 + 300, 1);
	open_at(T0 + 400); /* open: runs until now */
	cr_assert_eq(overlapping(T0 + 100, T0 + 200, 0), 0, "ends and starts touch the edges");
	cr_assert_eq(overlapping(T0 + 250, T0 + 10000, 0), 2);
	cr_assert_eq(w.page[0].start_at, T0 + 200);
	cr_assert_eq(overlapping(T0 + 250, T0 + 10000, w.page[0].seq), 1, "after the cursor");
	cr_assert_eq(w.page[0].start_at, T0 + 400);
	cr_assert_eq(overlapping(T0 + 99, T0 + 401, 0), 3);
}

Test(store_suspensions, refuses_a_resource_that_does_not_exist)
{
	memset(&w.sus, 0, sizeof(w.sus));
	tl_id_new(w.sus.id, sizeof(w.sus.id), "sus");
	snprintf(w.sus.account_id, sizeof(w.sus.account_id), "%s", w.account.id);
	snprintf(w.sus.resource_id, sizeof(w.sus.resource_id), "res_nobody");
	snprintf(w.sus.status, sizeof(w.sus.status), "open");
	w.sus.start_at = T0;
	tt_store_must_write(store, open_tx, &w);
	cr_assert_lt(w.rc, 0);
}
