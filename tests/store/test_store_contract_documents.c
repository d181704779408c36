/* Store contract: the documents table's API (tl_store_doc_*) and the debts
 * query over invoice documents. Issue 16 moves each billing object out of
 * documents into a table of its own and then drops the table and this API:
 * this file goes with them. Until then every driver must pass it; it opens
 * its store only through tests/support/store_fixture.h. */
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

TestSuite(store_documents, .init = setup, .fini = teardown);

#define T0 1795255200

static void doc(tl_doc *d, const char *kind, const char *id, const char *account_id,
		const char *status)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->kind, sizeof(d->kind), "%s", kind);
	snprintf(d->id, sizeof(d->id), "%s", id);
	snprintf(d->account_id, sizeof(d->account_id), "%s", account_id ? account_id : "");
	snprintf(d->status, sizeof(d->status), "%s", status);
	d->body = "{\"n\":1}";
	d->created_at = d->updated_at = T0;
}

static int account_tx(tl_tx *tx, void *arg, tl_error *err)
{
	const char *id = arg;
	tl_account a = {.created_at = T0};
	snprintf(a.id, sizeof(a.id), "%s", id);
	snprintf(a.name, sizeof(a.name), "%s", id);
	snprintf(a.currency, sizeof(a.currency), "VND");
	snprintf(a.type, sizeof(a.type), "prepaid");
	TT_OK(tl_store_account_insert(tx, &a, TT_E));
	return 0;
}

static int roundtrip_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_doc d, got = {0};
	doc(&d, "invoice", "inv_1", "acc_1", "open");
	snprintf(d.key, sizeof(d.key), "INV-2026-000001");
	snprintf(d.ref, sizeof(d.ref), "res_1");
	d.due_at = T0 + 86400;
	TT_OK(tl_store_doc_insert(tx, &d, TT_E));
	doc(&d, "coupon", "cpn_1", NULL, "active");
	snprintf(d.key, sizeof(d.key), "SAVE10");
	TT_OK(tl_store_doc_insert(tx, &d, TT_E));

	TT_OK(tl_store_doc_get(tx, "invoice", "inv_1", &got, TT_E));
	bool body_ok = strcmp(got.body, "{\"n\":1}") == 0;
	tl_doc_free(&got);
	TT_CHECK(body_ok);
	TT_CHECK(strcmp(got.kind, "invoice") == 0 && strcmp(got.account_id, "acc_1") == 0);
	TT_CHECK(strcmp(got.key, "INV-2026-000001") == 0 && strcmp(got.ref, "res_1") == 0);
	TT_CHECK(strcmp(got.status, "open") == 0 && got.due_at == T0 + 86400);
	TT_CHECK(got.created_at == T0 && got.updated_at == T0);
	/* by id only within its kind */
	TT_FAILS(tl_store_doc_get(tx, "payment", "inv_1", &got, TT_E), TL_ENOTFOUND, "not_found");
	TT_FAILS(tl_store_doc_get(tx, "invoice", "inv_none", &got, TT_E), TL_ENOTFOUND,
		 "not_found");
	TT_OK(tl_store_doc_get_by_key(tx, "coupon", "SAVE10", &got, TT_E));
	TT_CHECK(strcmp(got.id, "cpn_1") == 0 && got.account_id[0] == '\0');
	tl_doc_free(&got);
	TT_FAILS(tl_store_doc_get_by_key(tx, "coupon", "NONE", &got, TT_E), TL_ENOTFOUND,
		 "not_found");

	/* an update rewrites status, due_at, body and updated_at */
	doc(&d, "invoice", "inv_1", "acc_1", "paid");
	d.body = "{\"n\":2}";
	d.due_at = 0;
	d.updated_at = T0 + 5;
	TT_OK(tl_store_doc_update(tx, &d, TT_E));
	TT_OK(tl_store_doc_get(tx, "invoice", "inv_1", &got, TT_E));
	body_ok = strcmp(got.body, "{\"n\":2}") == 0;
	tl_doc_free(&got);
	TT_CHECK(body_ok);
	TT_CHECK(strcmp(got.status, "paid") == 0 && got.due_at == 0 && got.updated_at == T0 + 5);
	TT_CHECK(strcmp(got.key, "INV-2026-000001") == 0 && got.created_at == T0);
	doc(&d, "invoice", "inv_none", "acc_1", "paid");
	TT_FAILS(tl_store_doc_update(tx, &d, TT_E), TL_ENOTFOUND, "not_found");
	return 0;
}

static int doc_insert_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_store_doc_insert(tx, arg, err);
}

/* The id, and the kind's key, are taken: refused with already_exists, and
 * the transaction goes on (store.h promises it). */
static int taken_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_doc d;
	doc(&d, "invoice", "inv_1", "acc_1", "open");
	TT_FAILS(tl_store_nested(tx, doc_insert_tx, &d, TT_E), TL_ECONFLICT,
		 "already_exists");
	doc(&d, "invoice", "inv_2", "acc_1", "open");
	snprintf(d.key, sizeof(d.key), "INV-2026-000001");
	TT_FAILS(tl_store_nested(tx, doc_insert_tx, &d, TT_E), TL_ECONFLICT,
		 "already_exists");
	/* the same key in another kind is free */
	doc(&d, "payment", "pay_1", "acc_1", "succeeded");
	snprintf(d.key, sizeof(d.key), "INV-2026-000001");
	TT_OK(tl_store_doc_insert(tx, &d, TT_E));
	return 0;
}

Test(store_documents, a_document_reads_back_by_id_or_key_and_updates)
{
	tt_store_must_write(s, account_tx, "acc_1");
	tt_store_must_write(s, roundtrip_tx, NULL);
	tt_store_must_write(s, taken_tx, NULL);
}

/* 9 invoices: acc_1's inv_1..inv_6 (inv_2 and inv_5 of res_a, the even
 * ones paid), acc_2's inv_7..inv_9 (open) */
static int many_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	for (int i = 1; i <= 9; i++) {
		tl_doc d;
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "inv_%d", i);
		doc(&d, "invoice", id, i <= 6 ? "acc_1" : "acc_2", i % 2 || i > 6 ? "open" : "paid");
		if (i == 2 || i == 5)
			snprintf(d.ref, sizeof(d.ref), "res_a");
		d.due_at = T0 + (10 - i) * 100;
		TT_OK(tl_store_doc_insert(tx, &d, TT_E));
	}
	tl_doc other;
	doc(&other, "payment", "pay_1", "acc_1", "open");
	TT_OK(tl_store_doc_insert(tx, &other, TT_E));
	return 0;
}

typedef struct doc_pages {
	tl_doc_query q;
	char ids[16][TL_ID_MAX];
	int n, pages;
	int64_t count;
} doc_pages;

static int doc_pages_tx(tl_tx *tx, void *arg, tl_error *err)
{
	doc_pages *p = arg;
	tl_page page = {.limit = 2};
	tl_doc out[2];
	p->n = p->pages = 0;
	for (;;) {
		size_t count = 0;
		TT_OK(tl_store_doc_list(tx, &p->q, &page, out, &count, TT_E));
		p->pages++;
		for (size_t i = 0; i < count; i++) {
			bool ok = p->n < 16 && strcmp(out[i].kind, p->q.kind) == 0;
			if (ok)
				memcpy(p->ids[p->n++], out[i].id, TL_ID_MAX);
			tl_doc_free(&out[i]);
			TT_CHECK(ok);
		}
		if (count < 2)
			break;
		snprintf(page.after, sizeof(page.after), "%s", p->ids[p->n - 1]);
	}
	TT_OK(tl_store_doc_count(tx, &p->q, &p->count, TT_E));
	return 0;
}

static void expect(doc_pages *p, const char *const *want, int n)
{
	tt_store_must_read(s, doc_pages_tx, p);
	cr_assert_eq(p->n, n, "%d listed, wanted %d", p->n, n);
	cr_assert_eq(p->count, n);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(p->ids[i], want[i]);
}

Test(store_documents, documents_list_and_count_by_account_ref_and_status_with_paging)
{
	tt_store_must_write(s, account_tx, "acc_1");
	tt_store_must_write(s, account_tx, "acc_2");
	tt_store_must_write(s, many_tx, NULL);
	doc_pages p = {.q = {.kind = "invoice"}};
	const char *all[] = {"inv_9", "inv_8", "inv_7", "inv_6", "inv_5",
			     "inv_4", "inv_3", "inv_2", "inv_1"};
	expect(&p, all, 9);
	cr_assert_eq(p.pages, 5);
	p = (doc_pages){.q = {.kind = "invoice", .account_id = "acc_1", .status = "paid"}};
	const char *paid[] = {"inv_6", "inv_4", "inv_2"};
	expect(&p, paid, 3);
	p = (doc_pages){.q = {.kind = "invoice", .ref = "res_a"}};
	const char *of_res[] = {"inv_5", "inv_2"};
	expect(&p, of_res, 2);
	p = (doc_pages){.q = {.kind = "invoice", .status = "open", .account_id = "acc_2"}};
	const char *open2[] = {"inv_9", "inv_8", "inv_7"};
	expect(&p, open2, 3);
	p = (doc_pages){.q = {.kind = "checkout"}};
	expect(&p, NULL, 0);
}

static int due_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_doc out[8];
	size_t count = 0;
	/* open invoices due by T0 + 300: inv_9 (T0 + 100), inv_8 (T0 + 200),
	 * inv_7 (T0 + 300), the earliest due first */
	TT_OK(tl_store_doc_list_due(tx, "invoice", "open", T0 + 300, out, 8, &count, TT_E));
	TT_CHECK(count == 3);
	bool order = strcmp(out[0].id, "inv_9") == 0 && strcmp(out[1].id, "inv_8") == 0 &&
		     strcmp(out[2].id, "inv_7") == 0;
	for (size_t i = 0; i < count; i++)
		tl_doc_free(&out[i]);
	TT_CHECK(order);
	TT_OK(tl_store_doc_list_due(tx, "invoice", "open", T0 + 300, out, 1, &count, TT_E));
	TT_CHECK(count == 1);
	tl_doc_free(&out[0]);

	/* debts: only where the account's credit wallet has credit available */
	TT_OK(tl_store_debts_payable(tx, "open", T0 + 10000, out, 8, &count, TT_E));
	TT_CHECK(count == 0);
	tl_ledger_account w = {.flags = TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS,
			       .posted_credits = 100, .pending_debits = 100,
			       .created_at = T0};
	snprintf(w.id, sizeof(w.id), "cw_2");
	snprintf(w.account_id, sizeof(w.account_id), "acc_2");
	snprintf(w.kind, sizeof(w.kind), "credit");
	snprintf(w.currency, sizeof(w.currency), "VND");
	TT_OK(tl_store_ledger_account_insert(tx, &w, false, TT_E));
	TT_OK(tl_store_debts_payable(tx, "open", T0 + 10000, out, 8, &count, TT_E));
	TT_CHECK(count == 0); /* all of it held */
	w.pending_debits = 99;
	TT_OK(tl_store_ledger_account_save(tx, &w, TT_E));
	TT_OK(tl_store_debts_payable(tx, "open", T0 + 10000, out, 8, &count, TT_E));
	TT_CHECK(count == 3);
	order = strcmp(out[0].id, "inv_9") == 0 && strcmp(out[2].id, "inv_7") == 0;
	for (size_t i = 0; i < count; i++)
		tl_doc_free(&out[i]);
	TT_CHECK(order);

	/* one a job failed on waits for its retry, in both */
	tl_job_failure f = {.attempts = 1, .first_failed_at = T0, .last_failed_at = T0,
			    .next_retry_at = T0 + 5000};
	snprintf(f.job, sizeof(f.job), "collect");
	snprintf(f.subject, sizeof(f.subject), "inv_9");
	TT_OK(tl_store_job_failure_put(tx, &f, TT_E));
	TT_OK(tl_store_debts_payable(tx, "open", T0 + 1000, out, 8, &count, TT_E));
	TT_CHECK(count == 2);
	for (size_t i = 0; i < count; i++)
		tl_doc_free(&out[i]);
	TT_OK(tl_store_doc_list_due(tx, "invoice", "open", T0 + 300, out, 8, &count, TT_E));
	TT_CHECK(count == 2);
	order = strcmp(out[0].id, "inv_8") == 0;
	for (size_t i = 0; i < count; i++)
		tl_doc_free(&out[i]);
	TT_CHECK(order);
	return 0;
}

Test(store_documents, due_documents_and_payable_debts_come_earliest_due_first)
{
	tt_store_must_write(s, account_tx, "acc_1");
	tt_store_must_write(s, account_tx, "acc_2");
	tt_store_must_write(s, many_tx, NULL);
	tt_store_must_write(s, due_tx, NULL);
}
