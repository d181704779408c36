/* Store contract: resources and the sweeps' queries over them (term steps,
 * POC accrual, postpaid rating, a wallet's or a cluster's resources).
 * Opens its store only through tests/support/store_fixture.h, so every
 * driver runs it unchanged (TALLY_TEST_STORE picks one). */
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

TestSuite(store_resources, .init = setup, .fini = teardown);

#define T0 1795255200 /* when everything was made */

/* A server of acc_1 billed `billing`, active. */
static void resource(tl_resource *r, const char *id, const char *billing)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->account_id, sizeof(r->account_id), "acc_1");
	snprintf(r->type, sizeof(r->type), "server");
	snprintf(r->name, sizeof(r->name), "web %s", id);
	snprintf(r->item_id, sizeof(r->item_id), "s.general.1c2g");
	snprintf(r->service, sizeof(r->service), "vserver");
	r->quantity = 1;
	snprintf(r->status, sizeof(r->status), "active");
	snprintf(r->billing_mode, sizeof(r->billing_mode), "%s", billing);
	r->created_at = r->updated_at = T0;
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

static void accounts(void)
{
	tt_store_must_write(s, account_tx, "acc_1");
	tt_store_must_write(s, account_tx, "acc_2");
}

static int roundtrip_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource r;
	resource(&r, "res_1", "prepaid");
	snprintf(r.cluster_id, sizeof(r.cluster_id), "res_cl");
	snprintf(r.role, sizeof(r.role), "node");
	r.quantity = 3;
	r.spec = json_pack("{s:s, s:i}", "flavor", "s.general.1c2g", "disk", 40);
	r.cycle_months = 12;
	r.term_start = T0;
	r.term_end = T0 + 365 * 86400;
	r.auto_renew = true;
	snprintf(r.open_checkout_id, sizeof(r.open_checkout_id), "chk_1");
	r.accrued_until = T0 + 60;
	r.updated_at = T0 + 1;
	int rc = tl_store_resource_insert(tx, &r, err);
	json_decref(r.spec);
	if (rc)
		return rc;

	tl_resource got;
	TT_OK(tl_store_resource_get(tx, "res_1", &got, TT_E));
	bool spec_ok = got.spec && json_integer_value(json_object_get(got.spec, "disk")) == 40 &&
		       strcmp(json_string_value(json_object_get(got.spec, "flavor")),
			      "s.general.1c2g") == 0;
	tl_resource_release(&got);
	TT_CHECK(spec_ok);
	TT_CHECK(strcmp(got.account_id, "acc_1") == 0 && strcmp(got.type, "server") == 0);
	TT_CHECK(strcmp(got.name, "web res_1") == 0);
	TT_CHECK(strcmp(got.cluster_id, "res_cl") == 0 && strcmp(got.role, "node") == 0);
	TT_CHECK(strcmp(got.item_id, "s.general.1c2g") == 0);
	TT_CHECK(strcmp(got.service, "vserver") == 0 && got.quantity == 3);
	TT_CHECK(strcmp(got.status, "active") == 0 && strcmp(got.billing_mode, "prepaid") == 0);
	TT_CHECK(!got.cluster_poc && got.poc_wallet_id[0] == '\0');
	TT_CHECK(got.cycle_months == 12 && got.term_start == T0);
	TT_CHECK(got.term_end == T0 + 365 * 86400 && got.auto_renew);
	TT_CHECK(strcmp(got.open_checkout_id, "chk_1") == 0);
	TT_CHECK(got.accrued_until == T0 + 60);
	TT_CHECK(got.created_at == T0 && got.updated_at == T0 + 1);
	TT_FAILS(tl_store_resource_get(tx, "res_none", &got, TT_E), TL_ENOTFOUND,
		 "resource_not_found");

	/* an update writes every mutable field */
	TT_OK(tl_store_resource_get(tx, "res_1", &got, TT_E));
	snprintf(got.name, sizeof(got.name), "renamed");
	snprintf(got.status, sizeof(got.status), "suspended");
	got.term_end += 86400;
	got.auto_renew = false;
	got.open_checkout_id[0] = '\0';
	got.accrued_until = T0 + 120;
	got.updated_at = T0 + 2;
	json_object_set_new(got.spec, "disk", json_integer(80));
	rc = tl_store_resource_update(tx, &got, err);
	tl_resource_release(&got);
	if (rc)
		return rc;
	TT_OK(tl_store_resource_get(tx, "res_1", &got, TT_E));
	int64_t disk = json_integer_value(json_object_get(got.spec, "disk"));
	tl_resource_release(&got);
	TT_CHECK(disk == 80);
	TT_CHECK(strcmp(got.name, "renamed") == 0 && strcmp(got.status, "suspended") == 0);
	TT_CHECK(got.term_end == T0 + 366 * 86400 && !got.auto_renew);
	TT_CHECK(got.open_checkout_id[0] == '\0' && got.accrued_until == T0 + 120);
	TT_CHECK(got.updated_at == T0 + 2 && got.created_at == T0);

	/* an update of no such resource */
	resource(&r, "res_none", "prepaid");
	TT_FAILS(tl_store_resource_update(tx, &r, TT_E), TL_ENOTFOUND, "resource_not_found");
	return 0;
}

Test(store_resources, a_resource_reads_back_as_written_and_updated)
{
	accounts();
	tt_store_must_write(s, roundtrip_tx, NULL);
}

static int insert_dup_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource r;
	resource(&r, "res_1", "prepaid");
	return tl_store_resource_insert(tx, &r, err);
}

Test(store_resources, a_resource_id_is_used_once)
{
	accounts();
	tt_store_must_write(s, insert_dup_tx, NULL);
	tl_error e = {0};
	cr_assert_eq(tl_store_write(s, insert_dup_tx, NULL, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "already_exists");
	tl_error_clear(&e);
}

/* ---- lists ----------------------------------------------------------------- */

/* acc_1: res_01..res_12 servers (res_05 deleted, res_07 a volume, res_09
 * postpaid, res_03 named "100%_off"), res_cl a cluster with res_10..12 as
 * members; acc_2: res_x1. */
static int many_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource r;
	resource(&r, "res_cl", "prepaid");
	snprintf(r.type, sizeof(r.type), "cluster");
	TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	for (int i = 1; i <= 12; i++) {
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "res_%02d", i);
		resource(&r, id, i == 9 ? "postpaid" : "prepaid");
		if (i == 5)
			snprintf(r.status, sizeof(r.status), "deleted");
		if (i == 7)
			snprintf(r.type, sizeof(r.type), "volume");
		if (i == 3)
			snprintf(r.name, sizeof(r.name), "100%%_off");
		if (i >= 10)
			snprintf(r.cluster_id, sizeof(r.cluster_id), "res_cl");
		TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	}
	resource(&r, "res_x1", "prepaid");
	snprintf(r.account_id, sizeof(r.account_id), "acc_2");
	TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	return 0;
}

typedef struct listing {
	tl_resource_query q;
	int limit;
	char ids[32][TL_ID_MAX];
	int n;
	int pages;
} listing;

/* Every page of q, newest first, until a short page. */
static int list_all_tx(tl_tx *tx, void *arg, tl_error *err)
{
	listing *l = arg;
	tl_page page = {.limit = l->limit};
	tl_resource out[32];
	l->n = l->pages = 0;
	for (;;) {
		size_t count = 0;
		TT_OK(tl_store_resource_list(tx, &l->q, &page, out, &count, TT_E));
		TT_CHECK(count <= (size_t)l->limit);
		l->pages++;
		for (size_t i = 0; i < count; i++) {
			TT_CHECK(l->n < 32);
			memcpy(l->ids[l->n++], out[i].id, TL_ID_MAX);
			tl_resource_release(&out[i]);
		}
		if (count < (size_t)l->limit)
			return 0;
		snprintf(page.after, sizeof(page.after), "%s", l->ids[l->n - 1]);
	}
}

static void list_all(listing *l)
{
	tt_store_must_read(s, list_all_tx, l);
}

static void expect_ids(const listing *l, const char *const *want, int n)
{
	cr_assert_eq(l->n, n, "%d resources listed, wanted %d", l->n, n);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(l->ids[i], want[i], "at %d", i);
}

Test(store_resources, a_list_pages_newest_first_past_a_page_boundary)
{
	accounts();
	tt_store_must_write(s, many_tx, NULL);
	listing l = {.q = {.account_id = "acc_1"}, .limit = 5};
	list_all(&l);
	const char *live[] = {"res_12", "res_11", "res_10", "res_09", "res_08", "res_07",
			      "res_06", "res_04", "res_03", "res_02", "res_01", "res_cl"};
	expect_ids(&l, live, 12);
	cr_assert_eq(l.pages, 3);

	l = (listing){.q = {.account_id = "acc_1", .include_deleted = true}, .limit = 13};
	list_all(&l);
	cr_assert_eq(l.n, 13);
	cr_assert_eq(l.pages, 2);
	cr_assert_str_eq(l.ids[7], "res_05");

	l = (listing){.q = {.account_id = "acc_2"}, .limit = 5};
	list_all(&l);
	const char *other[] = {"res_x1"};
	expect_ids(&l, other, 1);
}

Test(store_resources, a_list_filters_by_name_id_type_billing_and_cluster)
{
	accounts();
	tt_store_must_write(s, many_tx, NULL);
	/* part of the name; LIKE's wildcards in it are plain characters */
	listing l = {.q = {.account_id = "acc_1", .q = "0%_"}, .limit = 10};
	list_all(&l);
	const char *percent[] = {"res_03"};
	expect_ids(&l, percent, 1);
	l = (listing){.q = {.account_id = "acc_1", .q = "web res_1"}, .limit = 10};
	list_all(&l);
	const char *named[] = {"res_12", "res_11", "res_10"};
	expect_ids(&l, named, 3);
	/* the whole id */
	l = (listing){.q = {.account_id = "acc_1", .q = "res_cl"}, .limit = 10};
	list_all(&l);
	const char *by_id[] = {"res_cl"};
	expect_ids(&l, by_id, 1);
	/* not another account's */
	l = (listing){.q = {.account_id = "acc_1", .q = "res_x1"}, .limit = 10};
	list_all(&l);
	cr_assert_eq(l.n, 0);

	l = (listing){.q = {.account_id = "acc_1", .type = "volume"}, .limit = 10};
	list_all(&l);
	const char *volumes[] = {"res_07"};
	expect_ids(&l, volumes, 1);
	l = (listing){.q = {.account_id = "acc_1", .billing = "postpaid"}, .limit = 10};
	list_all(&l);
	const char *postpaid[] = {"res_09"};
	expect_ids(&l, postpaid, 1);
	l = (listing){.q = {.account_id = "acc_1", .cluster_id = "res_cl"}, .limit = 2};
	list_all(&l);
	expect_ids(&l, named, 3);
}

typedef struct members {
	const char *cluster; /* or the wallet, or the account */
	int which;           /* 0 members, 1 wallet, 2 postpaid */
	char ids[32][TL_ID_MAX];
	int n;
} members;

/* Pages of 2 with the _after forms; the first page of the plain form
 * must be the same. */
static int members_tx(tl_tx *tx, void *arg, tl_error *err)
{
	members *m = arg;
	tl_resource out[2];
	size_t count = 0;
	char last[TL_ID_MAX] = "";
	m->n = 0;
	for (const char *after = NULL;; after = last) {
		if (m->which == 0)
			TT_OK(tl_store_resource_members_after(tx, m->cluster, after, out, 2, &count,
							      TT_E));
		else if (m->which == 1)
			TT_OK(tl_store_resources_of_wallet_after(tx, m->cluster, after, out, 2,
								 &count, TT_E));
		else
			TT_OK(tl_store_postpaid_resources_after(tx, m->cluster, after, out, 2,
								&count, TT_E));
		for (size_t i = 0; i < count; i++) {
			TT_CHECK(m->n < 32);
			memcpy(m->ids[m->n++], out[i].id, TL_ID_MAX);
			tl_resource_release(&out[i]);
		}
		if (count < 2)
			break;
		snprintf(last, sizeof(last), "%s", m->ids[m->n - 1]);
	}
	if (m->which == 0)
		TT_OK(tl_store_resource_members(tx, m->cluster, out, 2, &count, TT_E));
	else if (m->which == 1)
		TT_OK(tl_store_resources_of_wallet(tx, m->cluster, out, 2, &count, TT_E));
	else
		TT_OK(tl_store_postpaid_resources(tx, m->cluster, out, 2, &count, TT_E));
	TT_CHECK(count == (size_t)(m->n < 2 ? m->n : 2));
	for (size_t i = 0; i < count; i++) {
		TT_CHECK(strcmp(out[i].id, m->ids[i]) == 0);
		tl_resource_release(&out[i]);
	}
	return 0;
}

static int cluster_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource r;
	resource(&r, "res_c", "prepaid");
	snprintf(r.type, sizeof(r.type), "cluster");
	TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	for (int i = 1; i <= 5; i++) {
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "res_m%d", i);
		resource(&r, id, "prepaid");
		snprintf(r.cluster_id, sizeof(r.cluster_id), "res_c");
		if (i == 2)
			snprintf(r.status, sizeof(r.status), "deleted");
		TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	}
	resource(&r, "res_alone", "prepaid");
	TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	return 0;
}

Test(store_resources, a_clusters_members_page_oldest_first_deleted_ones_included)
{
	accounts();
	tt_store_must_write(s, cluster_tx, NULL);
	members m = {.cluster = "res_c", .which = 0};
	tt_store_must_read(s, members_tx, &m);
	cr_assert_eq(m.n, 5);
	for (int i = 0; i < 5; i++) {
		char want[TL_ID_MAX];
		snprintf(want, sizeof(want), "res_m%d", i + 1);
		cr_assert_str_eq(m.ids[i], want);
	}
	m = (members){.cluster = "res_none", .which = 0};
	tt_store_must_read(s, members_tx, &m);
	cr_assert_eq(m.n, 0);
}

static int wallet_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource r;
	for (int i = 1; i <= 5; i++) {
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "res_p%d", i);
		resource(&r, id, "poc");
		snprintf(r.poc_wallet_id, sizeof(r.poc_wallet_id), "%s", i == 4 ? "pw_2" : "pw_1");
		if (i == 3)
			snprintf(r.status, sizeof(r.status), "deleted");
		r.accrued_until = T0 + 3600 * (10 - i); /* the last one is behind most */
		TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	}
	return 0;
}

Test(store_resources, a_poc_wallets_live_resources_page_oldest_first)
{
	accounts();
	tt_store_must_write(s, wallet_tx, NULL);
	members m = {.cluster = "pw_1", .which = 1};
	tt_store_must_read(s, members_tx, &m);
	cr_assert_eq(m.n, 3);
	cr_assert_str_eq(m.ids[0], "res_p1");
	cr_assert_str_eq(m.ids[1], "res_p2");
	cr_assert_str_eq(m.ids[2], "res_p5");
}

/* ---- the sweeps' queries ------------------------------------------------- */

static int poc_due_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource out[8];
	size_t count = 0;
	/* active POC resources charged only up to before `before`, the one
	 * furthest behind first */
	TT_OK(tl_store_resource_list_poc(tx, T0 + 3600 * 7, T0, out, 8, &count, TT_E));
	TT_CHECK(count == 2);
	TT_CHECK(strcmp(out[0].id, "res_p5") == 0 && strcmp(out[1].id, "res_p4") == 0);
	for (size_t i = 0; i < count; i++)
		tl_resource_release(&out[i]);
	TT_OK(tl_store_resource_list_poc(tx, T0 + 3600 * 100, T0, out, 3, &count, TT_E));
	TT_CHECK(count == 3); /* max cuts; res_p3 is deleted */
	for (size_t i = 0; i < count; i++) {
		TT_CHECK(strcmp(out[i].id, "res_p3") != 0);
		tl_resource_release(&out[i]);
	}
	/* one the accrual failed on waits for its retry */
	tl_job_failure f = {.attempts = 1, .first_failed_at = T0, .last_failed_at = T0,
			    .next_retry_at = T0 + 600};
	snprintf(f.job, sizeof(f.job), "poc_accrual");
	snprintf(f.subject, sizeof(f.subject), "res_p5");
	snprintf(f.code, sizeof(f.code), "insufficient_funds");
	TT_OK(tl_store_job_failure_put(tx, &f, TT_E));
	TT_OK(tl_store_resource_list_poc(tx, T0 + 3600 * 7, T0, out, 8, &count, TT_E));
	TT_CHECK(count == 1 && strcmp(out[0].id, "res_p4") == 0);
	tl_resource_release(&out[0]);
	TT_OK(tl_store_resource_list_poc(tx, T0 + 3600 * 7, T0 + 600, out, 8, &count, TT_E));
	TT_CHECK(count == 2);
	for (size_t i = 0; i < count; i++)
		tl_resource_release(&out[i]);
	return 0;
}

Test(store_resources, poc_resources_behind_their_accrual_are_listed_furthest_behind_first)
{
	accounts();
	tt_store_must_write(s, wallet_tx, NULL);
	tt_store_must_write(s, poc_due_tx, NULL);
}

/* Prepaid res_t1..t3 with terms ending at T0 + 10, 20, 30 days, a
 * postpaid one, a cluster and a deleted one. */
static int terms_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource r;
	for (int i = 1; i <= 3; i++) {
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "res_t%d", i);
		resource(&r, id, "prepaid");
		r.cycle_months = 1;
		r.term_start = T0;
		r.term_end = T0 + i * 10 * 86400;
		TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	}
	resource(&r, "res_post", "postpaid");
	TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	resource(&r, "res_tc", "prepaid");
	snprintf(r.type, sizeof(r.type), "cluster");
	r.term_end = T0 + 86400;
	TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	resource(&r, "res_td", "prepaid");
	snprintf(r.status, sizeof(r.status), "deleted");
	r.term_end = T0 + 86400;
	TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	return 0;
}

static int term_due_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource out[8];
	size_t count = 0;
	/* new ones are due at once; not clusters, postpaid or deleted ones */
	TT_OK(tl_store_resources_term_due(tx, T0, out, 8, &count, TT_E));
	TT_CHECK(count == 3);
	for (size_t i = 0; i < count; i++) {
		char want[TL_ID_MAX];
		snprintf(want, sizeof(want), "res_t%zu", i + 1);
		TT_CHECK(strcmp(out[i].id, want) == 0);
		tl_resource_release(&out[i]);
	}
	/* each at its next step, the longest due first */
	TT_OK(tl_store_resource_next_step(tx, "res_t1", T0 + 5 * 86400, TT_E));
	TT_OK(tl_store_resource_next_step(tx, "res_t2", T0 + 3 * 86400, TT_E));
	TT_OK(tl_store_resource_next_step(tx, "res_t3", -1, TT_E)); /* none left */
	TT_OK(tl_store_resources_term_due(tx, T0 + 3 * 86400 - 1, out, 8, &count, TT_E));
	TT_CHECK(count == 0);
	TT_OK(tl_store_resources_term_due(tx, T0 + 10 * 86400, out, 8, &count, TT_E));
	TT_CHECK(count == 2);
	TT_CHECK(strcmp(out[0].id, "res_t2") == 0 && strcmp(out[1].id, "res_t1") == 0);
	for (size_t i = 0; i < count; i++)
		tl_resource_release(&out[i]);
	TT_OK(tl_store_resources_term_due(tx, T0 + 10 * 86400, out, 1, &count, TT_E));
	TT_CHECK(count == 1 && strcmp(out[0].id, "res_t2") == 0);
	tl_resource_release(&out[0]);
	/* any update makes it due at once */
	tl_resource r;
	TT_OK(tl_store_resource_get(tx, "res_t3", &r, TT_E));
	r.auto_renew = true;
	int rc = tl_store_resource_update(tx, &r, err);
	tl_resource_release(&r);
	if (rc)
		return rc;
	TT_OK(tl_store_resources_term_due(tx, T0, out, 8, &count, TT_E));
	TT_CHECK(count == 1 && strcmp(out[0].id, "res_t3") == 0);
	tl_resource_release(&out[0]);
	return 0;
}

Test(store_resources, prepaid_terms_are_due_at_their_next_step_longest_due_first)
{
	accounts();
	tt_store_must_write(s, terms_tx, NULL);
	tt_store_must_write(s, term_due_tx, NULL);
}

/* acc_1: postpaid res_q1 (rated to T0 + 100), res_q2 (to T0 + 50), res_q3
 * deleted after being rated in full; acc_2: postpaid res_q4 (to T0 + 10). */
static int postpaid_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_resource r;
	const int64_t rated[] = {100, 50, 200, 10};
	for (int i = 1; i <= 4; i++) {
		char id[TL_ID_MAX];
		snprintf(id, sizeof(id), "res_q%d", i);
		resource(&r, id, "postpaid");
		r.accrued_until = T0 + rated[i - 1];
		if (i == 3) {
			snprintf(r.status, sizeof(r.status), "deleted");
			r.updated_at = T0 + 200;
		}
		if (i == 4)
			snprintf(r.account_id, sizeof(r.account_id), "acc_2");
		TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	}
	resource(&r, "res_pre", "prepaid");
	TT_OK(tl_store_resource_insert(tx, &r, TT_E));
	return 0;
}

static int postpaid_read_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	int64_t since = 0;
	TT_OK(tl_store_postpaid_unrated_since(tx, "acc_1", &since, TT_E));
	TT_CHECK(since == T0 + 50);
	TT_OK(tl_store_postpaid_unrated_since(tx, "acc_none", &since, TT_E));
	TT_CHECK(since == -1);

	char ids[4][TL_ID_MAX];
	size_t count = 0;
	TT_OK(tl_store_postpaid_accounts(tx, T0 + 1000, "reconcile", "2026-11", T0, ids, 4, &count,
					 TT_E));
	TT_CHECK(count == 2);
	TT_CHECK(strcmp(ids[0], "acc_1") == 0 && strcmp(ids[1], "acc_2") == 0);
	/* only use rated up to before `before` */
	TT_OK(tl_store_postpaid_accounts(tx, T0 + 50, "reconcile", "2026-11", T0, ids, 4, &count,
					 TT_E));
	TT_CHECK(count == 1 && strcmp(ids[0], "acc_2") == 0);
	/* max cuts */
	TT_OK(tl_store_postpaid_accounts(tx, T0 + 1000, "reconcile", "2026-11", T0, ids, 1, &count,
					 TT_E));
	TT_CHECK(count == 1 && strcmp(ids[0], "acc_1") == 0);
	return 0;
}

static int postpaid_claims_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	char ids[4][TL_ID_MAX];
	size_t count = 0;
	/* an account claimed for the period is left out; another period's
	 * claim does not count */
	TT_CHECK(tl_store_job_run_claim(tx, "reconcile", "acc_1", "2026-11", T0, err) == 1);
	TT_CHECK(tl_store_job_run_claim(tx, "reconcile", "acc_2", "2026-10", T0, err) == 1);
	TT_OK(tl_store_postpaid_accounts(tx, T0 + 1000, "reconcile", "2026-11", T0, ids, 4, &count,
					 TT_E));
	TT_CHECK(count == 1 && strcmp(ids[0], "acc_2") == 0);
	/* and one the job failed on, until its retry */
	tl_job_failure f = {.attempts = 2, .first_failed_at = T0, .last_failed_at = T0,
			    .next_retry_at = T0 + 600};
	snprintf(f.job, sizeof(f.job), "reconcile");
	snprintf(f.subject, sizeof(f.subject), "acc_2");
	TT_OK(tl_store_job_failure_put(tx, &f, TT_E));
	TT_OK(tl_store_postpaid_accounts(tx, T0 + 1000, "reconcile", "2026-11", T0, ids, 4, &count,
					 TT_E));
	TT_CHECK(count == 0);
	TT_OK(tl_store_postpaid_accounts(tx, T0 + 1000, "reconcile", "2026-11", T0 + 600, ids, 4,
					 &count, TT_E));
	TT_CHECK(count == 1);
	return 0;
}

Test(store_resources, postpaid_accounts_with_use_to_rate_unless_claimed_or_waiting)
{
	accounts();
	tt_store_must_write(s, postpaid_tx, NULL);
	tt_store_must_read(s, postpaid_read_tx, NULL);
	tt_store_must_write(s, postpaid_claims_tx, NULL);
	members m = {.cluster = "acc_1", .which = 2};
	tt_store_must_read(s, members_tx, &m);
	cr_assert_eq(m.n, 3);
	cr_assert_str_eq(m.ids[0], "res_q1");
	cr_assert_str_eq(m.ids[2], "res_q3");
}
