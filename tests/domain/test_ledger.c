/* Unit tests: the ledger's rules on in-memory accounts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "domain/ledger.h"

static tl_ledger_account wallet, revenue, usd;

static void setup(void)
{
	memset(&wallet, 0, sizeof(wallet));
	snprintf(wallet.id, sizeof(wallet.id), "cw_a");
	snprintf(wallet.currency, sizeof(wallet.currency), "VND");
	wallet.flags = TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS;
	wallet.posted_credits = 1000;
	revenue = (tl_ledger_account){0};
	snprintf(revenue.id, sizeof(revenue.id), "sys_revenue_vnd");
	snprintf(revenue.currency, sizeof(revenue.currency), "VND");
	revenue.posted_debits = 1000; /* it funded the wallet, so the books balance */
	usd = revenue;
	snprintf(usd.id, sizeof(usd.id), "sys_revenue_usd");
	snprintf(usd.currency, sizeof(usd.currency), "USD");
}

static tl_transfer xfer(tl_transfer_kind kind, int64_t amount)
{
	tl_transfer t = {.kind = kind, .amount = amount};
	snprintf(t.id, sizeof(t.id), "t1");
	snprintf(t.code, sizeof(t.code), "charge");
	snprintf(t.debit_account, sizeof(t.debit_account), "cw_a");
	snprintf(t.credit_account, sizeof(t.credit_account), "sys_revenue_vnd");
	return t;
}

TestSuite(ledger, .init = setup);

Test(ledger, a_single_transfer_moves_posted_sums)
{
	tl_transfer t = xfer(TL_TRANSFER_SINGLE, 400);
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &revenue, 100), TL_TR_OK);
	cr_assert_eq(wallet.posted_debits, 400);
	cr_assert_eq(revenue.posted_credits, 400);
	cr_assert_eq(tl_ledger_balance(&wallet), 600);
	cr_assert_eq(tl_ledger_available(&wallet), 600);
}

Test(ledger, a_wallet_never_goes_below_zero_counting_holds)
{
	tl_transfer hold = xfer(TL_TRANSFER_PENDING, 700);
	cr_assert_eq(tl_ledger_apply_new(&hold, &wallet, &revenue, 100), TL_TR_OK);
	cr_assert_eq(tl_ledger_balance(&wallet), 1000);
	cr_assert_eq(tl_ledger_available(&wallet), 300);
	tl_transfer t = xfer(TL_TRANSFER_SINGLE, 301);
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &revenue, 100), TL_TR_EXCEEDS_CREDITS);
	cr_assert_eq(wallet.posted_debits, 0, "a refused transfer changed the wallet");
	t.amount = 300;
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &revenue, 100), TL_TR_OK);
	cr_assert_eq(tl_ledger_available(&wallet), 0);
}

Test(ledger, refuses_bad_transfers_without_touching_accounts)
{
	tl_ledger_account before = wallet;
	tl_transfer t = xfer(TL_TRANSFER_SINGLE, 0);
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &revenue, 1), TL_TR_AMOUNT_MUST_BE_POSITIVE);
	t.amount = -5;
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &revenue, 1), TL_TR_AMOUNT_MUST_BE_POSITIVE);
	t.amount = 5;
	cr_assert_eq(tl_ledger_apply_new(&t, NULL, &revenue, 1), TL_TR_DEBIT_ACCOUNT_NOT_FOUND);
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, NULL, 1), TL_TR_CREDIT_ACCOUNT_NOT_FOUND);
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &usd, 1), TL_TR_CURRENCY_MISMATCH);
	snprintf(t.credit_account, sizeof(t.credit_account), "cw_a");
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &wallet, 1), TL_TR_ACCOUNTS_MUST_BE_DIFFERENT);
	tl_transfer hold = xfer(TL_TRANSFER_PENDING, 5);
	hold.expires_at = 10;
	cr_assert_eq(tl_ledger_apply_new(&hold, &wallet, &revenue, 10),
		     TL_TR_EXPIRES_AT_NOT_IN_FUTURE);
	cr_assert_eq(memcmp(&before, &wallet, sizeof(before)), 0);
}

Test(ledger, sums_refuse_to_overflow)
{
	revenue.flags = 0;
	revenue.posted_credits = INT64_MAX - 10;
	tl_transfer t = xfer(TL_TRANSFER_SINGLE, 11);
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &revenue, 1), TL_TR_OVERFLOWS);
	cr_assert_eq(wallet.posted_debits, 0);
	wallet.posted_credits = INT64_MAX;
	wallet.pending_debits = INT64_MAX;
	t.amount = 1;
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &revenue, 1), TL_TR_EXCEEDS_CREDITS);
}

Test(ledger, a_hold_posts_partly_and_releases_the_rest_once)
{
	tl_transfer hold = xfer(TL_TRANSFER_PENDING, 600);
	hold.expires_at = 1000;
	cr_assert_eq(tl_ledger_apply_new(&hold, &wallet, &revenue, 100), TL_TR_OK);
	tl_transfer post = {.kind = TL_TRANSFER_POST, .amount = 250};
	snprintf(post.pending_id, sizeof(post.pending_id), "t1");
	cr_assert_eq(tl_ledger_apply_resolution(&post, &hold, &wallet, &revenue, 200), TL_TR_OK);
	cr_assert_str_eq(hold.state, "posted");
	cr_assert_eq(hold.resolved_amount, 250);
	cr_assert_eq(wallet.pending_debits, 0);
	cr_assert_eq(wallet.posted_debits, 250);
	cr_assert_eq(revenue.pending_credits, 0);
	cr_assert_eq(revenue.posted_credits, 250);
	cr_assert_str_eq(post.debit_account, "cw_a"); /* filled from the hold */
	tl_transfer again = {.kind = TL_TRANSFER_VOID};
	cr_assert_eq(tl_ledger_apply_resolution(&again, &hold, &wallet, &revenue, 200),
		     TL_TR_ALREADY_POSTED);
}

Test(ledger, post_defaults_to_the_whole_hold_and_cannot_exceed_it)
{
	tl_transfer hold = xfer(TL_TRANSFER_PENDING, 600);
	cr_assert_eq(tl_ledger_apply_new(&hold, &wallet, &revenue, 100), TL_TR_OK);
	tl_transfer post = {.kind = TL_TRANSFER_POST, .amount = 601};
	cr_assert_eq(tl_ledger_apply_resolution(&post, &hold, &wallet, &revenue, 200),
		     TL_TR_EXCEEDS_PENDING_AMOUNT);
	post.amount = -1;
	cr_assert_eq(tl_ledger_apply_resolution(&post, &hold, &wallet, &revenue, 200),
		     TL_TR_AMOUNT_MUST_BE_POSITIVE);
	post.amount = TL_AMOUNT_WHOLE;
	cr_assert_eq(tl_ledger_apply_resolution(&post, &hold, &wallet, &revenue, 200), TL_TR_OK);
	cr_assert_eq(post.amount, 600);
	cr_assert_eq(wallet.posted_debits, 600);
}

Test(ledger, void_expiry_and_their_second_resolutions)
{
	tl_transfer hold = xfer(TL_TRANSFER_PENDING, 600);
	hold.expires_at = 500;
	cr_assert_eq(tl_ledger_apply_new(&hold, &wallet, &revenue, 100), TL_TR_OK);
	tl_transfer v = {.kind = TL_TRANSFER_VOID};
	cr_assert_eq(tl_ledger_apply_resolution(&v, &hold, &wallet, &revenue, 200), TL_TR_OK);
	cr_assert_eq(tl_ledger_available(&wallet), 1000);
	cr_assert_eq(tl_ledger_apply_resolution(&v, &hold, &wallet, &revenue, 200),
		     TL_TR_ALREADY_VOIDED);

	tl_transfer h2 = xfer(TL_TRANSFER_PENDING, 100);
	h2.expires_at = 500;
	cr_assert_eq(tl_ledger_apply_new(&h2, &wallet, &revenue, 100), TL_TR_OK);
	tl_transfer post = {.kind = TL_TRANSFER_POST, .amount = TL_AMOUNT_WHOLE};
	cr_assert_eq(tl_ledger_apply_resolution(&post, &h2, &wallet, &revenue, 500),
		     TL_TR_EXPIRED, "a hold is dead at its expiry time");
	tl_ledger_apply_expiry(&h2, &wallet, &revenue);
	cr_assert_str_eq(h2.state, "expired");
	cr_assert_eq(wallet.pending_debits, 0);
	cr_assert_eq(tl_ledger_apply_resolution(&post, &h2, &wallet, &revenue, 100), TL_TR_EXPIRED);
	cr_assert_eq(tl_ledger_apply_resolution(&post, NULL, &wallet, &revenue, 100),
		     TL_TR_PENDING_TRANSFER_NOT_FOUND);
}

Test(ledger, only_a_pending_transfer_can_be_resolved)
{
	tl_transfer t = xfer(TL_TRANSFER_SINGLE, 10);
	cr_assert_eq(tl_ledger_apply_new(&t, &wallet, &revenue, 1), TL_TR_OK);
	tl_transfer post = {.kind = TL_TRANSFER_POST, .amount = TL_AMOUNT_WHOLE};
	cr_assert_eq(tl_ledger_apply_resolution(&post, &t, &wallet, &revenue, 2),
		     TL_TR_PENDING_TRANSFER_NOT_PENDING);
}

Test(ledger, retries_match_on_every_field)
{
	tl_transfer a = xfer(TL_TRANSFER_SINGLE, 10), b = a;
	cr_assert(tl_transfer_same_fields(&a, &b));
	b.amount = 11;
	cr_assert_not(tl_transfer_same_fields(&a, &b));
	b = a;
	snprintf(b.reference, sizeof(b.reference), "other");
	cr_assert_not(tl_transfer_same_fields(&a, &b));
	b = a;
	b.kind = TL_TRANSFER_PENDING;
	cr_assert_not(tl_transfer_same_fields(&a, &b));
}

Test(ledger, ids_and_codes_are_checked)
{
	cr_assert(tl_transfer_id_valid("order-42:capture.1_a"));
	cr_assert_not(tl_transfer_id_valid(""));
	cr_assert_not(tl_transfer_id_valid("has space"));
	char long_id[80];
	memset(long_id, 'a', 65);
	long_id[65] = '\0';
	cr_assert_not(tl_transfer_id_valid(long_id));
	cr_assert(tl_transfer_code_valid("top_up"));
	cr_assert_not(tl_transfer_code_valid("Top-Up"));
}

Test(ledger, totals_check_names_the_broken_invariant)
{
	char problem[128];
	tl_ledger_totals t = {.posted_debits = 5, .posted_credits = 5};
	cr_assert_eq(tl_ledger_check_totals(&t, problem, sizeof(problem)), 0);
	t.posted_credits = 6;
	cr_assert_eq(tl_ledger_check_totals(&t, problem, sizeof(problem)), -1);
	cr_assert(strstr(problem, "posted"));
	t = (tl_ledger_totals){.pending_debits = 1};
	cr_assert_eq(tl_ledger_check_totals(&t, problem, sizeof(problem)), -1);
	t = (tl_ledger_totals){.constrained_overdrawn = 1};
	cr_assert_eq(tl_ledger_check_totals(&t, problem, sizeof(problem)), -1);
	cr_assert(strstr(problem, "below zero"));
	t = (tl_ledger_totals){.accounts_out_of_step = 2};
	cr_assert_eq(tl_ledger_check_totals(&t, problem, sizeof(problem)), -1);
}

Test(ledger, system_and_wallet_ids)
{
	char id[TL_ID_MAX];
	tl_ledger_system_account_id(id, "gateway_clearing", "VND");
	cr_assert_str_eq(id, "sys_gateway_clearing_vnd");
	tl_ledger_credit_wallet_id(id, "acc_abcdefghijklmnop");
	cr_assert_str_eq(id, "cw_abcdefghijklmnop");
}
