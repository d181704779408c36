/* Store contract: job runs and claims, job failures, idempotency records.
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

TestSuite(store_jobs, .init = setup, .fini = teardown);

#define T0 1795255200

static int claims_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	TT_CHECK(tl_store_job_run_exists(tx, "renew", "res_1", "p1", err) == 0);
	TT_CHECK(tl_store_job_run_claim(tx, "renew", "res_1", "p1", T0, err) == 1);
	/* claimed once: the second claim finds it done */
	TT_CHECK(tl_store_job_run_claim(tx, "renew", "res_1", "p1", T0 + 1, err) == 0);
	TT_CHECK(tl_store_job_run_exists(tx, "renew", "res_1", "p1", err) == 1);
	/* each of job, subject and period makes another claim */
	TT_CHECK(tl_store_job_run_claim(tx, "renew", "res_1", "p2", T0, err) == 1);
	TT_CHECK(tl_store_job_run_claim(tx, "renew", "res_2", "p1", T0, err) == 1);
	TT_CHECK(tl_store_job_run_claim(tx, "suspend", "res_1", "p1", T0, err) == 1);
	TT_CHECK(tl_store_job_run_exists(tx, "suspend", "res_2", "p1", err) == 0);
	int64_t n = -1;
	TT_OK(tl_store_job_run_count(tx, "renew", "p1", &n, TT_E));
	TT_CHECK(n == 2);
	TT_OK(tl_store_job_run_count(tx, "renew", "p9", &n, TT_E));
	TT_CHECK(n == 0);
	return 0;
}

static int claim_undone_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	TT_CHECK(tl_store_job_run_claim(tx, "renew", "res_3", "p1", T0, err) == 1);
	return tl_error_set(err, TL_ERULE, "on_purpose", "undone");
}

static int claim_again_tx(tl_tx *tx, void *arg, tl_error *err)
{
	int *claimed = arg;
	*claimed = tl_store_job_run_claim(tx, "renew", "res_3", "p1", T0, err);
	return *claimed < 0 ? *claimed : 0;
}

Test(store_jobs, a_job_run_is_claimed_once_per_job_subject_and_period)
{
	tt_store_must_write(s, claims_tx, NULL);
	/* a claim in a write that fails is not kept */
	tl_error e = {0};
	cr_assert_eq(tl_store_write(s, claim_undone_tx, NULL, &e), TL_ERULE);
	tl_error_clear(&e);
	int claimed = -1;
	tt_store_must_write(s, claim_again_tx, &claimed);
	cr_assert_eq(claimed, 1);
}

/* ---- failures -------------------------------------------------------------- */

static void failure(tl_job_failure *f, const char *job, const char *subject, int64_t attempts)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->job, sizeof(f->job), "%s", job);
	snprintf(f->subject, sizeof(f->subject), "%s", subject);
	snprintf(f->code, sizeof(f->code), "insufficient_funds");
	snprintf(f->message, sizeof(f->message), "%s: %s failed", job, subject);
	f->attempts = attempts;
	f->first_failed_at = T0;
	f->last_failed_at = T0 + attempts;
	f->next_retry_at = T0 + 600 * attempts;
}

static int failures_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_job_failure f, got;
	TT_FAILS(tl_store_job_failure_get(tx, "renew", "res_1", &got, TT_E), TL_ENOTFOUND,
		 "not_found");
	failure(&f, "renew", "res_1", 1);
	snprintf(f.account_id, sizeof(f.account_id), "acc_1");
	TT_OK(tl_store_job_failure_put(tx, &f, TT_E));
	TT_OK(tl_store_job_failure_get(tx, "renew", "res_1", &got, TT_E));
	TT_CHECK(strcmp(got.job, "renew") == 0 && strcmp(got.subject, "res_1") == 0);
	TT_CHECK(strcmp(got.account_id, "acc_1") == 0);
	TT_CHECK(strcmp(got.code, "insufficient_funds") == 0);
	TT_CHECK(strcmp(got.message, "renew: res_1 failed") == 0);
	TT_CHECK(got.attempts == 1 && got.first_failed_at == T0);
	TT_CHECK(got.last_failed_at == T0 + 1 && got.next_retry_at == T0 + 600);
	TT_CHECK(got.seq > 0);

	/* a put again replaces it, but for when it first failed */
	failure(&f, "renew", "res_1", 2);
	f.first_failed_at = T0 + 5;
	snprintf(f.code, sizeof(f.code), "store_busy");
	TT_OK(tl_store_job_failure_put(tx, &f, TT_E));
	TT_OK(tl_store_job_failure_get(tx, "renew", "res_1", &got, TT_E));
	TT_CHECK(got.attempts == 2 && strcmp(got.code, "store_busy") == 0);
	TT_CHECK(got.first_failed_at == T0 && got.last_failed_at == T0 + 2);
	TT_CHECK(got.next_retry_at == T0 + 1200);
	TT_CHECK(got.account_id[0] == '\0');

	/* clear: 1 once, then 0 */
	TT_CHECK(tl_store_job_failure_clear(tx, "renew", "res_1", err) == 1);
	TT_CHECK(tl_store_job_failure_clear(tx, "renew", "res_1", err) == 0);
	TT_FAILS(tl_store_job_failure_get(tx, "renew", "res_1", &got, TT_E), TL_ENOTFOUND,
		 NULL);
	return 0;
}

Test(store_jobs, a_failure_is_recorded_replaced_and_cleared)
{
	tt_store_must_write(s, failures_tx, NULL);
}

/* 7 failures of "renew", 3 of "reconcile", interleaved */
static int many_failures_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	for (int i = 1; i <= 10; i++) {
		tl_job_failure f;
		char subject[TL_ID_MAX];
		snprintf(subject, sizeof(subject), "sub_%02d", i);
		failure(&f, i % 3 == 0 ? "reconcile" : "renew", subject, 1);
		TT_OK(tl_store_job_failure_put(tx, &f, TT_E));
	}
	return 0;
}

typedef struct failure_pages {
	const char *job;
	char subjects[16][TL_CURSOR_MAX];
	int n, pages;
} failure_pages;

static int failure_pages_tx(tl_tx *tx, void *arg, tl_error *err)
{
	failure_pages *p = arg;
	tl_page page = {.limit = 3};
	tl_job_failure out[3];
	p->n = p->pages = 0;
	for (;;) {
		size_t count = 0;
		TT_OK(tl_store_job_failure_list(tx, p->job, &page, out, &count, TT_E));
		p->pages++;
		for (size_t i = 0; i < count; i++) {
			TT_CHECK(p->n < 16);
			TT_CHECK(p->job == NULL || strcmp(out[i].job, p->job) == 0);
			snprintf(p->subjects[p->n++], TL_CURSOR_MAX, "%s", out[i].subject);
		}
		if (count < 3)
			break;
		snprintf(page.after, sizeof(page.after), "%lld", (long long)out[count - 1].seq);
	}
	tl_job_failure_count counts[4];
	size_t count = 0;
	TT_OK(tl_store_job_failure_counts(tx, counts, 4, &count, TT_E));
	TT_CHECK(count == 2);
	TT_CHECK(strcmp(counts[0].job, "reconcile") == 0 && counts[0].subjects == 3);
	TT_CHECK(strcmp(counts[1].job, "renew") == 0 && counts[1].subjects == 7);
	return 0;
}

Test(store_jobs, failures_page_newest_first_by_job_or_all_and_are_counted)
{
	tt_store_must_write(s, many_failures_tx, NULL);
	failure_pages p = {.job = NULL};
	tt_store_must_read(s, failure_pages_tx, &p);
	cr_assert_eq(p.n, 10);
	cr_assert_eq(p.pages, 4);
	for (int i = 0; i < 10; i++) {
		char want[TL_ID_MAX];
		snprintf(want, sizeof(want), "sub_%02d", 10 - i);
		cr_assert_str_eq(p.subjects[i], want);
	}
	p = (failure_pages){.job = "renew"};
	tt_store_must_read(s, failure_pages_tx, &p);
	cr_assert_eq(p.n, 7);
	cr_assert_eq(p.pages, 3);
	cr_assert_str_eq(p.subjects[0], "sub_10");
	cr_assert_str_eq(p.subjects[6], "sub_01");
}

/* ---- idempotency records ------------------------------------------------- */

static void record(tl_idem_record *r, const char *scope, const char *key, int64_t at)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->scope, sizeof(r->scope), "%s", scope);
	snprintf(r->key, sizeof(r->key), "%s", key);
	for (unsigned i = 0; i < TL_FINGERPRINT_BYTES; i++)
		r->fingerprint[i] = (unsigned char)(255 - i);
	r->status = 201;
	r->body = "{\"id\":\"acc_1\"}";
	r->created_at = at;
}

static int idem_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_idem_record r, got = {0};
	TT_FAILS(tl_store_idem_get(tx, "admin", "k1", &got, TT_E), TL_ENOTFOUND, "not_found");
	record(&r, "admin", "k1", T0);
	TT_OK(tl_store_idem_put(tx, &r, TT_E));
	/* the same key in another scope is another record */
	record(&r, "acc_1", "k1", T0 + 10);
	r.status = 200;
	r.body = "{}";
	TT_OK(tl_store_idem_put(tx, &r, TT_E));

	TT_OK(tl_store_idem_get(tx, "admin", "k1", &got, TT_E));
	bool body_ok = got.body && strcmp(got.body, "{\"id\":\"acc_1\"}") == 0;
	free(got.body);
	TT_CHECK(body_ok);
	TT_CHECK(strcmp(got.scope, "admin") == 0 && strcmp(got.key, "k1") == 0);
	TT_CHECK(got.status == 201 && got.created_at == T0);
	record(&r, "admin", "k1", T0);
	TT_CHECK(memcmp(got.fingerprint, r.fingerprint, TL_FINGERPRINT_BYTES) == 0);
	TT_OK(tl_store_idem_get(tx, "acc_1", "k1", &got, TT_E));
	body_ok = got.body && strcmp(got.body, "{}") == 0;
	free(got.body);
	TT_CHECK(body_ok);
	TT_CHECK(strcmp(got.scope, "acc_1") == 0 && got.status == 200);
	TT_FAILS(tl_store_idem_get(tx, "acc_2", "k1", &got, TT_E), TL_ENOTFOUND, NULL);
	return 0;
}

static int idem_again_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_idem_record r;
	record(&r, "admin", "k1", T0 + 99);
	return tl_store_idem_put(tx, &r, err);
}

Test(store_jobs, an_idempotency_record_is_kept_per_scope_and_key_once)
{
	tt_store_must_write(s, idem_tx, NULL);
	tl_error e = {0};
	cr_assert_eq(tl_store_write(s, idem_again_tx, NULL, &e), TL_ECONFLICT);
	cr_assert_str_eq(e.code, "already_exists");
	tl_error_clear(&e);
}

static int idem_many_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		tl_idem_record r;
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		record(&r, "admin", key, T0 + i * 100);
		TT_OK(tl_store_idem_put(tx, &r, TT_E));
	}
	return 0;
}

static int idem_purge_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	size_t deleted = 99;
	/* before T0 + 500: k0..k4, at most 3 a call */
	TT_OK(tl_store_idem_purge(tx, T0 + 500, 3, &deleted, TT_E));
	TT_CHECK(deleted == 3);
	TT_OK(tl_store_idem_purge(tx, T0 + 500, 3, &deleted, TT_E));
	TT_CHECK(deleted == 2);
	TT_OK(tl_store_idem_purge(tx, T0 + 500, 3, &deleted, TT_E));
	TT_CHECK(deleted == 0);
	tl_idem_record got = {0};
	for (int i = 0; i < 10; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		if (i < 5) {
			TT_FAILS(tl_store_idem_get(tx, "admin", key, &got, TT_E), TL_ENOTFOUND,
				 NULL);
		} else {
			TT_OK(tl_store_idem_get(tx, "admin", key, &got, TT_E));
			free(got.body);
			got.body = NULL;
		}
	}
	return 0;
}

Test(store_jobs, idempotency_records_made_before_a_time_are_purged_in_bounded_steps)
{
	tt_store_must_write(s, idem_many_tx, NULL);
	tt_store_must_write(s, idem_purge_tx, NULL);
}
