/* Store contract: accounts, tokens, the audit trail, meta settings and
 * counters. Opens its store only through tests/support/store_fixture.h,
 * so every driver runs it unchanged (TALLY_TEST_STORE picks one). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"

static tl_store *s;

static void setup(void)
{
	tt_store_open_fresh(&s);
}

static void teardown(void)
{
	tt_store_close_fresh(s);
}

TestSuite(store_accounts, .init = setup, .fini = teardown);

static void account(tl_account *a, const char *id, int64_t created_at)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->name, sizeof(a->name), "name of %s", id);
	snprintf(a->currency, sizeof(a->currency), "VND");
	snprintf(a->type, sizeof(a->type), "prepaid");
	a->created_at = created_at;
}

static int insert_accounts_tx(tl_tx *tx, void *arg, tl_error *err)
{
	int n = *(int *)arg;
	for (int i = 1; i <= n; i++) {
		tl_account a;
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "acc_%03d", i);
		account(&a, id, 1795255200 + i);
		TT_OK(tl_store_account_insert(tx, &a, TT_E));
	}
	return 0;
}

static int account_roundtrip_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_account a;
	TT_OK(tl_store_account_get(tx, "acc_002", &a, TT_E));
	TT_CHECK(strcmp(a.id, "acc_002") == 0);
	TT_CHECK(strcmp(a.name, "name of acc_002") == 0);
	TT_CHECK(strcmp(a.currency, "VND") == 0);
	TT_CHECK(strcmp(a.type, "prepaid") == 0);
	TT_CHECK(a.created_at == 1795255202);
	TT_FAILS(tl_store_account_get(tx, "acc_none", &a, TT_E), TL_ENOTFOUND, "account_not_found");
	return 0;
}

static int set_type_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	TT_OK(tl_store_account_set_type(tx, "acc_002", "postpaid", TT_E));
	TT_FAILS(tl_store_account_set_type(tx, "acc_none", "postpaid", TT_E), TL_ENOTFOUND,
		 "account_not_found");
	tl_account a;
	TT_OK(tl_store_account_get(tx, "acc_002", &a, TT_E));
	TT_CHECK(strcmp(a.type, "postpaid") == 0);
	TT_OK(tl_store_account_get(tx, "acc_001", &a, TT_E));
	TT_CHECK(strcmp(a.type, "prepaid") == 0);
	return 0;
}

Test(store_accounts, an_account_reads_back_as_written_and_changes_type)
{
	int n = 3;
	tt_store_must_write(s, insert_accounts_tx, &n);
	tt_store_must_read(s, account_roundtrip_tx, NULL);
	tt_store_must_write(s, set_type_tx, NULL);
}

/* Pages of `limit` newest first until a page comes back short: every
 * account once, in order. */
static int account_pages_tx(tl_tx *tx, void *arg, tl_error *err)
{
	int total = *(int *)arg;
	tl_page page = {.limit = 4};
	tl_account out[4];
	int seen = 0, pages = 0;
	for (;;) {
		size_t count = 99;
		TT_OK(tl_store_account_list(tx, &page, out, &count, TT_E));
		TT_CHECK(count <= 4);
		pages++;
		for (size_t i = 0; i < count; i++) {
			char want[TL_ID_MAX];
			snprintf(want, sizeof(want), "acc_%03d", total - seen);
			TT_CHECK(strcmp(out[i].id, want) == 0);
			seen++;
		}
		if (count < 4)
			break;
		snprintf(page.after, sizeof(page.after), "%s", out[count - 1].id);
	}
	TT_CHECK(seen == total);
	TT_CHECK(pages == total / 4 + 1);
	return 0;
}

Test(store_accounts, accounts_page_newest_first_past_a_page_boundary)
{
	int n = 10;
	tt_store_must_write(s, insert_accounts_tx, &n);
	tt_store_must_read(s, account_pages_tx, &n);
}

static int tokens_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_token t = {.created_at = 1795255300};
	snprintf(t.id, sizeof(t.id), "tok_1");
	snprintf(t.account_id, sizeof(t.account_id), "acc_001");
	snprintf(t.scope, sizeof(t.scope), "metering");
	for (unsigned i = 0; i < TL_TOKEN_HASH_BYTES; i++)
		t.secret_hash[i] = (unsigned char)(i * 7 + 1);
	TT_OK(tl_store_token_insert(tx, &t, TT_E));
	tl_token plain = t;
	snprintf(plain.id, sizeof(plain.id), "tok_2");
	plain.scope[0] = '\0'; /* "account" by default */
	TT_OK(tl_store_token_insert(tx, &plain, TT_E));

	tl_token got;
	TT_OK(tl_store_token_get(tx, "tok_1", &got, TT_E));
	TT_CHECK(strcmp(got.id, "tok_1") == 0);
	TT_CHECK(strcmp(got.account_id, "acc_001") == 0);
	TT_CHECK(strcmp(got.scope, "metering") == 0);
	TT_CHECK(memcmp(got.secret_hash, t.secret_hash, TL_TOKEN_HASH_BYTES) == 0);
	TT_CHECK(got.created_at == 1795255300);
	TT_OK(tl_store_token_get(tx, "tok_2", &got, TT_E));
	TT_CHECK(strcmp(got.scope, "account") == 0);
	TT_FAILS(tl_store_token_get(tx, "tok_none", &got, TT_E), TL_ENOTFOUND, "not_found");
	return 0;
}

static int token_of_no_account_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_token t = {.created_at = 1795255300};
	snprintf(t.id, sizeof(t.id), "tok_3");
	snprintf(t.account_id, sizeof(t.account_id), "acc_none");
	return tl_store_token_insert(tx, &t, err);
}

Test(store_accounts, a_token_keeps_its_hash_and_scope_and_needs_its_account)
{
	int n = 1;
	tt_store_must_write(s, insert_accounts_tx, &n);
	tt_store_must_write(s, tokens_tx, NULL);
	tl_error e = {0};
	cr_assert_lt(tl_store_write(s, token_of_no_account_tx, NULL, &e), 0,
		     "a token of no account was stored");
	tl_error_clear(&e);
}

/* ---- events --------------------------------------------------------------- */

static int events_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	for (int i = 1; i <= 7; i++) {
		tl_event e = {.created_at = 1795255400 + i};
		snprintf(e.id, sizeof(e.id), "evt_%02d", i);
		/* odd ones: acc_001's; even ones: acc_002's, but evt_06 of none */
		if (i != 6)
			snprintf(e.account_id, sizeof(e.account_id), "%s",
				 i % 2 ? "acc_001" : "acc_002");
		snprintf(e.actor, sizeof(e.actor), "admin");
		snprintf(e.type, sizeof(e.type), "account.updated");
		snprintf(e.subject_id, sizeof(e.subject_id), "sub_%d", i);
		e.before = i == 1 ? NULL : "{\"n\":0}";
		e.after = "{\"n\":1}";
		TT_OK(tl_store_event_insert(tx, &e, TT_E));
	}
	return 0;
}

static int event_list_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_event out[3];
	size_t count = 0;
	/* acc_001's: 7, 5, 3 then 1 on the next page */
	tl_page page = {.limit = 3};
	TT_OK(tl_store_event_list(tx, "acc_001", &page, out, &count, TT_E));
	TT_CHECK(count == 3);
	TT_CHECK(strcmp(out[0].id, "evt_07") == 0 && strcmp(out[2].id, "evt_03") == 0);
	TT_CHECK(strcmp(out[0].account_id, "acc_001") == 0);
	TT_CHECK(strcmp(out[0].actor, "admin") == 0);
	TT_CHECK(strcmp(out[0].type, "account.updated") == 0);
	TT_CHECK(strcmp(out[0].subject_id, "sub_7") == 0);
	TT_CHECK(out[0].before && strcmp(out[0].before, "{\"n\":0}") == 0);
	TT_CHECK(out[0].after && strcmp(out[0].after, "{\"n\":1}") == 0);
	TT_CHECK(out[0].created_at == 1795255407);
	snprintf(page.after, sizeof(page.after), "%s", out[2].id);
	for (size_t i = 0; i < count; i++)
		tl_event_free_fields(&out[i]);
	TT_OK(tl_store_event_list(tx, "acc_001", &page, out, &count, TT_E));
	TT_CHECK(count == 1);
	TT_CHECK(strcmp(out[0].id, "evt_01") == 0);
	TT_CHECK(out[0].before == NULL);
	tl_event_free_fields(&out[0]);

	/* every account's (NULL): all 7, the one of no account included */
	tl_page all = {.limit = 3};
	int seen = 0;
	bool none_seen = false;
	for (;;) {
		TT_OK(tl_store_event_list(tx, NULL, &all, out, &count, TT_E));
		for (size_t i = 0; i < count; i++) {
			char want[TL_ID_MAX];
			snprintf(want, sizeof(want), "evt_%02d", 7 - seen);
			TT_CHECK(strcmp(out[i].id, want) == 0);
			if (strcmp(out[i].id, "evt_06") == 0)
				none_seen = out[i].account_id[0] == '\0';
			seen++;
			tl_event_free_fields(&out[i]);
		}
		if (count < 3)
			break;
		snprintf(all.after, sizeof(all.after), "evt_%02d", 7 - seen + 1);
	}
	TT_CHECK(seen == 7);
	TT_CHECK(none_seen);
	/* an account with none */
	tl_page first = {.limit = 3};
	TT_OK(tl_store_event_list(tx, "acc_none", &first, out, &count, TT_E));
	TT_CHECK(count == 0);
	return 0;
}

Test(store_accounts, events_list_newest_first_by_account_or_all_with_paging)
{
	int n = 2;
	tt_store_must_write(s, insert_accounts_tx, &n);
	tt_store_must_write(s, events_tx, NULL);
	tt_store_must_read(s, event_list_tx, NULL);
}

/* ---- meta and counters ------------------------------------------------------ */

static int meta_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	char value[64];
	TT_FAILS(tl_store_meta_get(tx, "admin_token_hash", value, sizeof(value), TT_E),
		 TL_ENOTFOUND, "not_found");
	TT_OK(tl_store_meta_put(tx, "admin_token_hash", "first", TT_E));
	TT_OK(tl_store_meta_get(tx, "admin_token_hash", value, sizeof(value), TT_E));
	TT_CHECK(strcmp(value, "first") == 0);
	/* a put over a key replaces its value */
	TT_OK(tl_store_meta_put(tx, "admin_token_hash", "second", TT_E));
	TT_OK(tl_store_meta_put(tx, "other", "x", TT_E));
	TT_OK(tl_store_meta_get(tx, "admin_token_hash", value, sizeof(value), TT_E));
	TT_CHECK(strcmp(value, "second") == 0);
	return 0;
}

static int meta_read_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	char value[64];
	TT_OK(tl_store_meta_get(tx, "admin_token_hash", value, sizeof(value), TT_E));
	TT_CHECK(strcmp(value, "second") == 0);
	TT_OK(tl_store_meta_get(tx, "other", value, sizeof(value), TT_E));
	TT_CHECK(strcmp(value, "x") == 0);
	return 0;
}

Test(store_accounts, a_setting_is_stored_replaced_and_missing_until_put)
{
	tt_store_must_write(s, meta_tx, NULL);
	tt_store_must_read(s, meta_read_tx, NULL);
}

static int counter_tx(tl_tx *tx, void *arg, tl_error *err)
{
	int64_t *last = arg;
	TT_OK(tl_store_counter_next(tx, "invoice:2027", last, TT_E));
	return 0;
}

static int counters_apart_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	int64_t v = 0;
	TT_OK(tl_store_counter_next(tx, "invoice:2028", &v, TT_E));
	TT_CHECK(v == 1);
	return 0;
}

static int counter_undone_tx(tl_tx *tx, void *arg, tl_error *err)
{
	int64_t v;
	int rc = tl_store_counter_next(tx, "invoice:2027", &v, err);
	(void)arg;
	return rc ? rc : tl_error_set(err, TL_ERULE, "on_purpose", "undone");
}

Test(store_accounts, a_counter_starts_at_one_and_counts_each_name_apart)
{
	int64_t v = 0;
	tt_store_must_write(s, counter_tx, &v);
	cr_assert_eq(v, 1);
	tt_store_must_write(s, counter_tx, &v);
	cr_assert_eq(v, 2);
	/* a rolled-back increment is not counted */
	tl_error e = {0};
	cr_assert_eq(tl_store_write(s, counter_undone_tx, NULL, &e), TL_ERULE);
	tl_error_clear(&e);
	tt_store_must_write(s, counter_tx, &v);
	cr_assert_eq(v, 3);
	tt_store_must_write(s, counters_apart_tx, NULL);
}
