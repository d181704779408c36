/* Store contract: ledger accounts, transfers, the CHECKs that refuse an
 * overdraft, totals and POC wallets' steps. Opens its store only through
 * tests/support/store_fixture.h, so every driver runs it unchanged. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"

static tl_store *s;

static int seed_tx(tl_tx *tx, void *arg, tl_error *err);

static void setup(void)
{
	tt_store_open_fresh(&s);
	tt_store_must_write(s, seed_tx, NULL);
}

static void teardown(void)
{
	tt_store_close_fresh(s);
}

TestSuite(store_ledger, .init = setup, .fini = teardown);

static void ledger_account(tl_ledger_account *a, const char *id, const char *account_id,
			   const char *kind, uint32_t flags)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->account_id, sizeof(a->account_id), "%s", account_id ? account_id : "");
	snprintf(a->kind, sizeof(a->kind), "%s", kind);
	snprintf(a->currency, sizeof(a->currency), "VND");
	a->flags = flags;
	a->created_at = 1795255200;
}

static void transfer(tl_transfer *t, const char *id, const char *debit, const char *credit,
		     int64_t amount, tl_transfer_kind kind)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	snprintf(t->debit_account, sizeof(t->debit_account), "%s", debit);
	snprintf(t->credit_account, sizeof(t->credit_account), "%s", credit);
	t->amount = amount;
	snprintf(t->code, sizeof(t->code), "top_up");
	snprintf(t->reference, sizeof(t->reference), "ref of %s", id);
	t->kind = kind;
	if (kind == TL_TRANSFER_PENDING)
		snprintf(t->state, sizeof(t->state), "pending");
	t->created_at = 1795255300;
}

/* acc_1 with a constrained credit wallet cw_1 and a POC wallet pw_1; the
 * system accounts sys_a (unconstrained) and sys_b. */
static int seed_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_account acc = {.created_at = 1795255200};
	snprintf(acc.id, sizeof(acc.id), "acc_1");
	snprintf(acc.name, sizeof(acc.name), "one");
	snprintf(acc.currency, sizeof(acc.currency), "VND");
	snprintf(acc.type, sizeof(acc.type), "prepaid");
	TT_OK(tl_store_account_insert(tx, &acc, TT_E));
	tl_ledger_account a;
	ledger_account(&a, "sys_a", NULL, "gateway_clearing", 0);
	TT_OK(tl_store_ledger_account_insert(tx, &a, false, TT_E));
	ledger_account(&a, "sys_b", NULL, "revenue", 0);
	TT_OK(tl_store_ledger_account_insert(tx, &a, false, TT_E));
	ledger_account(&a, "cw_1", "acc_1", "credit", TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS);
	TT_OK(tl_store_ledger_account_insert(tx, &a, false, TT_E));
	ledger_account(&a, "pw_1", "acc_1", "poc", TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS);
	a.expires_at = 1800000000;
	snprintf(a.cluster_id, sizeof(a.cluster_id), "res_cluster");
	TT_OK(tl_store_ledger_account_insert(tx, &a, false, TT_E));
	return 0;
}

static int accounts_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_ledger_account a;
	TT_OK(tl_store_ledger_account_get(tx, "pw_1", &a, TT_E));
	TT_CHECK(strcmp(a.account_id, "acc_1") == 0 && strcmp(a.kind, "poc") == 0);
	TT_CHECK(strcmp(a.currency, "VND") == 0);
	TT_CHECK(a.flags == TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS);
	TT_CHECK(a.expires_at == 1800000000);
	TT_CHECK(strcmp(a.cluster_id, "res_cluster") == 0);
	TT_CHECK(a.posted_debits == 0 && a.posted_credits == 0);
	TT_CHECK(a.created_at == 1795255200);
	TT_OK(tl_store_ledger_account_get(tx, "sys_a", &a, TT_E));
	TT_CHECK(a.account_id[0] == '\0' && a.cluster_id[0] == '\0');
	TT_FAILS(tl_store_ledger_account_get(tx, "cw_none", &a, TT_E), TL_ENOTFOUND,
		 "ledger_account_not_found");

	/* if_absent: the same id again is success and changes nothing */
	tl_ledger_account again;
	ledger_account(&again, "sys_a", NULL, "revenue", 1);
	TT_OK(tl_store_ledger_account_insert(tx, &again, true, TT_E));
	TT_OK(tl_store_ledger_account_get(tx, "sys_a", &a, TT_E));
	TT_CHECK(strcmp(a.kind, "gateway_clearing") == 0 && a.flags == 0);
	return 0;
}

static int insert_again_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_ledger_account again;
	ledger_account(&again, "sys_a", NULL, "revenue", 1);
	return tl_store_ledger_account_insert(tx, &again, false, err);
}

Test(store_ledger, a_ledger_account_reads_back_and_is_inserted_once)
{
	tt_store_must_write(s, accounts_tx, NULL);
	tl_error e = {0};
	cr_assert_eq(tl_store_write(s, insert_again_tx, NULL, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "already_exists");
	tl_error_clear(&e);
}

/* 12 wallets more for acc_1: with cw_1 and pw_1, 14 to page through. */
static int wallets_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	for (int i = 1; i <= 12; i++) {
		tl_ledger_account a;
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "pw_x%02d", i);
		ledger_account(&a, id, "acc_1", "poc", TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS);
		TT_OK(tl_store_ledger_account_insert(tx, &a, false, TT_E));
	}
	return 0;
}

static int list_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_ledger_account out[20];
	size_t count = 0;
	/* system accounts: oldest first */
	TT_OK(tl_store_ledger_account_list(tx, NULL, out, 20, &count, TT_E));
	TT_CHECK(count == 2);
	TT_CHECK(strcmp(out[0].id, "sys_a") == 0 && strcmp(out[1].id, "sys_b") == 0);
	/* max cuts the list */
	TT_OK(tl_store_ledger_account_list(tx, "acc_1", out, 5, &count, TT_E));
	TT_CHECK(count == 5);
	TT_CHECK(strcmp(out[0].id, "cw_1") == 0 && strcmp(out[1].id, "pw_1") == 0);
	TT_CHECK(strcmp(out[2].id, "pw_x01") == 0);
	/* paging with _after: every wallet once, in order */
	const char *after = NULL;
	char last[TL_ID_MAX] = "";
	int seen = 0;
	for (;;) {
		TT_OK(tl_store_ledger_account_list_after(tx, "acc_1", after, out, 5, &count, TT_E));
		for (size_t i = 0; i < count; i++) {
			char want[TL_ID_MAX];
			if (seen == 0)
				snprintf(want, sizeof(want), "cw_1");
			else if (seen == 1)
				snprintf(want, sizeof(want), "pw_1");
			else
				snprintf(want, sizeof(want), "pw_x%02d", seen - 1);
			TT_CHECK(strcmp(out[i].id, want) == 0);
			seen++;
		}
		if (count < 5)
			break;
		snprintf(last, sizeof(last), "%s", out[count - 1].id);
		after = last;
	}
	TT_CHECK(seen == 14);
	TT_OK(tl_store_ledger_account_list(tx, "acc_none", out, 5, &count, TT_E));
	TT_CHECK(count == 0);
	return 0;
}

Test(store_ledger, ledger_accounts_list_oldest_first_and_page_past_a_page_boundary)
{
	tt_store_must_write(s, wallets_tx, NULL);
	tt_store_must_read(s, list_tx, NULL);
}

static int expiry_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	TT_OK(tl_store_ledger_account_set_expiry(tx, "pw_1", 1810000000, TT_E));
	tl_ledger_account a;
	TT_OK(tl_store_ledger_account_get(tx, "pw_1", &a, TT_E));
	TT_CHECK(a.expires_at == 1810000000);
	/* only a POC wallet has an expiry to move */
	TT_FAILS(tl_store_ledger_account_set_expiry(tx, "cw_1", 1810000000, TT_E), TL_ENOTFOUND,
		 "poc_wallet_not_found");
	TT_FAILS(tl_store_ledger_account_set_expiry(tx, "pw_none", 1810000000, TT_E),
		 TL_ENOTFOUND, "poc_wallet_not_found");
	return 0;
}

Test(store_ledger, a_poc_wallets_expiry_moves_and_no_other_accounts)
{
	tt_store_must_write(s, expiry_tx, NULL);
}

/* A top-up of 1,000 into cw_1, a hold of 300 on it and a payment of 200:
 * the sums as the ledger service writes them. */
static int transfers_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_transfer t;
	transfer(&t, "xfr_top_up", "sys_a", "cw_1", 1000, TL_TRANSFER_SINGLE);
	TT_OK(tl_store_transfer_insert(tx, &t, TT_E));
	transfer(&t, "xfr_hold", "cw_1", "sys_b", 300, TL_TRANSFER_PENDING);
	t.expires_at = 1795300000;
	TT_OK(tl_store_transfer_insert(tx, &t, TT_E));
	transfer(&t, "xfr_pay", "cw_1", "sys_b", 200, TL_TRANSFER_SINGLE);
	TT_OK(tl_store_transfer_insert(tx, &t, TT_E));
	tl_ledger_account a;
	TT_OK(tl_store_ledger_account_get(tx, "cw_1", &a, TT_E));
	a.posted_credits = 1000;
	a.posted_debits = 200;
	a.pending_debits = 300;
	TT_OK(tl_store_ledger_account_save(tx, &a, TT_E));
	TT_OK(tl_store_ledger_account_get(tx, "sys_a", &a, TT_E));
	a.posted_debits = 1000;
	TT_OK(tl_store_ledger_account_save(tx, &a, TT_E));
	TT_OK(tl_store_ledger_account_get(tx, "sys_b", &a, TT_E));
	a.posted_credits = 200;
	a.pending_credits = 300;
	TT_OK(tl_store_ledger_account_save(tx, &a, TT_E));
	return 0;
}

static int transfers_read_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_ledger_account a;
	TT_OK(tl_store_ledger_account_get(tx, "cw_1", &a, TT_E));
	TT_CHECK(a.posted_credits == 1000 && a.posted_debits == 200 && a.pending_debits == 300 &&
		 a.pending_credits == 0);
	tl_transfer t;
	TT_OK(tl_store_transfer_get(tx, "xfr_hold", &t, TT_E));
	TT_CHECK(strcmp(t.debit_account, "cw_1") == 0 && strcmp(t.credit_account, "sys_b") == 0);
	TT_CHECK(t.amount == 300 && t.kind == TL_TRANSFER_PENDING);
	TT_CHECK(strcmp(t.code, "top_up") == 0 && strcmp(t.reference, "ref of xfr_hold") == 0);
	TT_CHECK(t.pending_id[0] == '\0' && t.expires_at == 1795300000);
	TT_CHECK(strcmp(t.state, "pending") == 0 && t.resolved_amount == 0);
	TT_CHECK(t.created_at == 1795255300);
	TT_FAILS(tl_store_transfer_get(tx, "xfr_none", &t, TT_E), TL_ENOTFOUND,
		 "transfer_not_found");

	/* cw_1's transfers newest first, two to a page */
	tl_transfer out[2];
	size_t count = 0;
	tl_page page = {.limit = 2};
	TT_OK(tl_store_transfer_list(tx, "cw_1", false, &page, out, &count, TT_E));
	TT_CHECK(count == 2);
	TT_CHECK(strcmp(out[0].id, "xfr_pay") == 0 && strcmp(out[1].id, "xfr_hold") == 0);
	snprintf(page.after, sizeof(page.after), "%s", out[1].id);
	TT_OK(tl_store_transfer_list(tx, "cw_1", false, &page, out, &count, TT_E));
	TT_CHECK(count == 1 && strcmp(out[0].id, "xfr_top_up") == 0);
	/* holds only: the pending ones debiting it */
	tl_page first = {.limit = 2};
	TT_OK(tl_store_transfer_list(tx, "cw_1", true, &first, out, &count, TT_E));
	TT_CHECK(count == 1 && strcmp(out[0].id, "xfr_hold") == 0);
	TT_OK(tl_store_transfer_list(tx, "sys_b", true, &first, out, &count, TT_E));
	TT_CHECK(count == 0);

	/* the hold is due at its expiry, not before */
	tl_transfer due[4];
	TT_OK(tl_store_transfer_list_due(tx, 1795299999, due, 4, &count, TT_E));
	TT_CHECK(count == 0);
	TT_OK(tl_store_transfer_list_due(tx, 1795300000, due, 4, &count, TT_E));
	TT_CHECK(count == 1 && strcmp(due[0].id, "xfr_hold") == 0);

	tl_ledger_totals tot;
	TT_OK(tl_store_ledger_totals(tx, &tot, TT_E));
	TT_CHECK(tot.accounts == 4);
	TT_CHECK(tot.posted_debits == 1200 && tot.posted_credits == 1200);
	TT_CHECK(tot.pending_debits == 300 && tot.pending_credits == 300);
	TT_CHECK(tot.constrained_overdrawn == 0 && tot.accounts_out_of_step == 0);
	return 0;
}

/* The hold posted (200 of its 300): state and resolved amount stay. */
static int post_hold_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_transfer t;
	TT_OK(tl_store_transfer_get(tx, "xfr_hold", &t, TT_E));
	snprintf(t.state, sizeof(t.state), "posted");
	t.resolved_amount = 200;
	TT_OK(tl_store_transfer_save_state(tx, &t, TT_E));
	tl_transfer post;
	transfer(&post, "xfr_post", "cw_1", "sys_b", 200, TL_TRANSFER_POST);
	snprintf(post.pending_id, sizeof(post.pending_id), "xfr_hold");
	TT_OK(tl_store_transfer_insert(tx, &post, TT_E));
	tl_ledger_account a;
	TT_OK(tl_store_ledger_account_get(tx, "cw_1", &a, TT_E));
	a.pending_debits = 0;
	a.posted_debits = 400;
	TT_OK(tl_store_ledger_account_save(tx, &a, TT_E));
	TT_OK(tl_store_ledger_account_get(tx, "sys_b", &a, TT_E));
	a.pending_credits = 0;
	a.posted_credits = 400;
	TT_OK(tl_store_ledger_account_save(tx, &a, TT_E));
	return 0;
}

static int posted_read_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_transfer t;
	TT_OK(tl_store_transfer_get(tx, "xfr_hold", &t, TT_E));
	TT_CHECK(strcmp(t.state, "posted") == 0 && t.resolved_amount == 200 && t.amount == 300);
	TT_OK(tl_store_transfer_get(tx, "xfr_post", &t, TT_E));
	TT_CHECK(strcmp(t.pending_id, "xfr_hold") == 0 && t.kind == TL_TRANSFER_POST);
	size_t count = 9;
	tl_transfer due[4];
	TT_OK(tl_store_transfer_list_due(tx, 1795300000, due, 4, &count, TT_E));
	TT_CHECK(count == 0);
	tl_ledger_totals tot;
	TT_OK(tl_store_ledger_totals(tx, &tot, TT_E));
	TT_CHECK(tot.posted_debits == 1400 && tot.posted_credits == 1400);
	TT_CHECK(tot.pending_debits == 0 && tot.accounts_out_of_step == 0);
	return 0;
}

Test(store_ledger, transfers_and_sums_read_back_and_list_by_account_holds_and_expiry)
{
	tt_store_must_write(s, transfers_tx, NULL);
	tt_store_must_read(s, transfers_read_tx, NULL);
	tt_store_must_write(s, post_hold_tx, NULL);
	tt_store_must_read(s, posted_read_tx, NULL);
}

static int transfer_again_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_transfer t;
	transfer(&t, "xfr_top_up", "sys_a", "cw_1", 5, TL_TRANSFER_SINGLE);
	return tl_store_transfer_insert(tx, &t, err);
}

static int top_up_amount_tx(tl_tx *tx, void *arg, tl_error *err)
{
	tl_transfer t;
	TT_OK(tl_store_transfer_get(tx, "xfr_top_up", &t, TT_E));
	*(int64_t *)arg = t.amount;
	return 0;
}

Test(store_ledger, a_transfer_id_is_used_once)
{
	tt_store_must_write(s, transfers_tx, NULL);
	tl_error e = {0};
	cr_assert_eq(tl_store_write(s, transfer_again_tx, NULL, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "already_exists");
	tl_error_clear(&e);
	int64_t amount = 0;
	tt_store_must_read(s, top_up_amount_tx, &amount);
	cr_assert_eq(amount, 1000);
}

/* ---- the database's own guard: the CHECKs ----------------------------- */

/* arg: which wrong sums to write into cw_1 (constrained: debits may not
 * exceed credits) */
static int overdraw_tx(tl_tx *tx, void *arg, tl_error *err)
{
	int which = *(int *)arg;
	tl_ledger_account a;
	int rc = tl_store_ledger_account_get(tx, which == 2 ? "sys_a" : "cw_1", &a, err);
	if (rc)
		return rc;
	if (which == 0) {        /* posted debits over credits */
		a.posted_credits = 100;
		a.posted_debits = 101;
	} else if (which == 1) { /* a hold over credits */
		a.posted_credits = 100;
		a.pending_debits = 101;
	} else {                 /* unconstrained, but negative */
		a.posted_debits = -1;
	}
	return tl_store_ledger_account_save(tx, &a, err);
}

static int sums_tx(tl_tx *tx, void *arg, tl_error *err)
{
	tl_ledger_account *out = arg;
	TT_OK(tl_store_ledger_account_get(tx, "cw_1", &out[0], TT_E));
	TT_OK(tl_store_ledger_account_get(tx, "sys_a", &out[1], TT_E));
	return 0;
}

static int unconstrained_overdraw_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_ledger_account a;
	TT_OK(tl_store_ledger_account_get(tx, "sys_a", &a, TT_E));
	a.posted_debits = 500; /* a system account may go below zero */
	TT_OK(tl_store_ledger_account_save(tx, &a, TT_E));
	return 0;
}

static int negative_transfer_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_transfer t;
	transfer(&t, "xfr_negative", "sys_a", "cw_1", -5, TL_TRANSFER_SINGLE);
	return tl_store_transfer_insert(tx, &t, err);
}

Test(store_ledger, the_database_refuses_an_overdraft_and_negative_sums)
{
	for (int which = 0; which < 3; which++) {
		tl_error e = {0};
		int rc = tl_store_write(s, overdraw_tx, &which, &e);
		cr_assert_lt(rc, 0, "case %d: the store took an overdraft", which);
		cr_assert_neq(rc, TL_ENOTFOUND, "case %d: %s", which, e.message);
		tl_error_clear(&e);
	}
	tl_ledger_account sums[2];
	tt_store_must_read(s, sums_tx, sums);
	cr_assert_eq(sums[0].posted_debits + sums[0].pending_debits + sums[0].posted_credits, 0);
	cr_assert_eq(sums[1].posted_debits, 0);
	tt_store_must_write(s, unconstrained_overdraw_tx, NULL);

	tl_error e = {0};
	cr_assert_lt(tl_store_write(s, negative_transfer_tx, NULL, &e), 0,
		     "a negative transfer amount was stored");
	tl_error_clear(&e);
}

/* ---- POC wallets' steps --------------------------------------------------- */

static int poc_steps_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_ledger_account out[4];
	size_t count = 0;
	/* a new wallet is due at once */
	TT_OK(tl_store_poc_wallets_due(tx, 1795255200, out, 4, &count, TT_E));
	TT_CHECK(count == 1 && strcmp(out[0].id, "pw_1") == 0);
	TT_CHECK(out[0].expires_at == 1800000000);
	/* its next step: due then, not before */
	TT_OK(tl_store_poc_wallet_next_step(tx, "pw_1", 1799000000, TT_E));
	TT_OK(tl_store_poc_wallets_due(tx, 1798999999, out, 4, &count, TT_E));
	TT_CHECK(count == 0);
	TT_OK(tl_store_poc_wallets_due(tx, 1799000000, out, 4, &count, TT_E));
	TT_CHECK(count == 1);
	/* none left: never due again */
	TT_OK(tl_store_poc_wallet_next_step(tx, "pw_1", -1, TT_E));
	TT_OK(tl_store_poc_wallets_due(tx, INT64_MAX, out, 4, &count, TT_E));
	TT_CHECK(count == 0);
	/* a moved expiry makes it due at once */
	TT_OK(tl_store_ledger_account_set_expiry(tx, "pw_1", 1810000000, TT_E));
	TT_OK(tl_store_poc_wallets_due(tx, 1795255200, out, 4, &count, TT_E));
	TT_CHECK(count == 1 && out[0].expires_at == 1810000000);

	/* the longest due first, and max cuts */
	for (int i = 1; i <= 3; i++) {
		tl_ledger_account a;
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "pw_d%d", i);
		ledger_account(&a, id, "acc_1", "poc", TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS);
		TT_OK(tl_store_ledger_account_insert(tx, &a, false, TT_E));
		TT_OK(tl_store_poc_wallet_next_step(tx, id, 1796000000 - i * 1000, TT_E));
	}
	TT_OK(tl_store_poc_wallet_next_step(tx, "pw_1", 1796000000, TT_E));
	TT_OK(tl_store_poc_wallets_due(tx, 1796000000, out, 3, &count, TT_E));
	TT_CHECK(count == 3);
	TT_CHECK(strcmp(out[0].id, "pw_d3") == 0 && strcmp(out[2].id, "pw_d1") == 0);
	/* a credit wallet has no steps */
	TT_OK(tl_store_poc_wallet_next_step(tx, "cw_1", 1, TT_E));
	TT_OK(tl_store_poc_wallets_due(tx, INT64_MAX, out, 4, &count, TT_E));
	TT_CHECK(count == 4);
	for (size_t i = 0; i < count; i++)
		TT_CHECK(strcmp(out[i].kind, "poc") == 0);
	return 0;
}

Test(store_ledger, poc_wallets_are_due_at_their_next_step_longest_due_first)
{
	tt_store_must_write(s, poc_steps_tx, NULL);
}
