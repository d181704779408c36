/* renewals.c: auto-renew, suspension at term end and deletion after the
 * grace period; see renewals.h. A renewal is a renewal checkout created and
 * paid from credit in one savepoint, so a short wallet undoes just it. */
#include "service/renewals.h"
#include "service/audit.h"
#include "service/checkout.h"
#include "service/job_failures.h"
#include "service/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int claim(tl_tx *tx, const tl_ctx *ctx, const char *step, const tl_resource *r,
		 int64_t day, tl_error *err)
{
	char period[48];
	snprintf(period, sizeof(period), "%lld:%lld", (long long)r->term_end, (long long)day);
	return tl_store_job_run_claim(tx, step, r->id, period, ctx->now, err);
}

typedef struct renewal {
	const tl_ctx *ctx;
	const tl_catalog *catalog;
	const tl_resource *r;
	tl_checkout *checkout;
} renewal;

static int renew_tx(tl_tx *tx, void *arg, tl_error *err)
{
	renewal *rn = arg;
	int rc = tl_checkouts_create_renewal(tx, rn->ctx, rn->catalog, rn->r->id,
					     rn->r->cycle_months, 0, rn->checkout, err);
	char checkout_id[TL_ID_MAX];
	snprintf(checkout_id, sizeof(checkout_id), "%s", rn->checkout->id);
	tl_checkout_release(rn->checkout);
	tl_payment_result paid = {0};
	rc = rc ? rc : tl_checkouts_pay_credit(tx, rn->ctx, checkout_id, "credit", &paid, err);
	json_decref(paid.invoice_ids);
	return rc;
}

/* checkout: the pass's one scratch checkout (a checkout holds room for
 * TL_CHECKOUT_LINES_MAX lines, megabytes: a fresh allocation for each
 * renewal was a tenth of a renewal's time, mostly page faults) */
static int try_renew(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *cat, const tl_resource *r,
		     tl_checkout *checkout, tl_renewals_report *out, tl_error *err)
{
	/* once a day from 7 days before the term ends */
	int64_t day = (ctx->now - (r->term_end - TL_RENEW_AHEAD_S)) / 86400;
	int rc = claim(tx, ctx, "renew.attempt", r, day, err);
	if (rc != 1)
		return rc;
	renewal rn = {.ctx = ctx, .catalog = cat, .r = r, .checkout = checkout};
	tl_error why = {0};
	rc = tl_store_nested(tx, renew_tx, &rn, &why);
	if (rc == 0) {
		out->renewed++;
	} else if (rc == TL_EFUNDS || rc == TL_ECONFLICT || rc == TL_ERULE) {
		/* retried tomorrow; the account sees why */
		out->failed++;
		rc = tl_audit_record(tx, ctx, "resource.renewal_failed", r->account_id, r->id, NULL,
				     json_pack("{s:s, s:s, s:O?}", "code", why.code, "message",
					       why.message, "details", why.details), err);
	} else {
		tl_error_set(err, rc, why.code, "%s", why.message);
	}
	tl_error_clear(&why);
	return rc;
}

static int set_status(tl_tx *tx, const tl_ctx *ctx, tl_resource *r, const char *status,
		      const char *event, tl_error *err)
{
	json_t *before = tl_resource_to_json(r);
	snprintf(r->status, sizeof(r->status), "%s", status);
	r->updated_at = ctx->now;
	int rc = tl_resources_save(tx, r, err);
	if (rc < 0) {
		json_decref(before);
		return rc;
	}
	return tl_audit_record(tx, ctx, event, r->account_id, r->id, before, tl_resource_to_json(r),
			       err);
}

static int end_of_term(tl_tx *tx, const tl_ctx *ctx, tl_resource *r, tl_renewals_report *out,
		       tl_error *err)
{
	int rc = 0;
	if (strcmp(r->status, "active") == 0 && r->open_checkout_id[0] == '\0' &&
	    (rc = claim(tx, ctx, "term.suspend", r, 0, err)) == 1) {
		out->suspended++;
		rc = set_status(tx, ctx, r, "suspended", "resource.suspended", err);
	}
	if (rc >= 0 && strcmp(r->status, "suspended") == 0 &&
	    ctx->now >= r->term_end + TL_RENEW_GRACE_S && r->open_checkout_id[0] == '\0' &&
	    (rc = claim(tx, ctx, "term.delete", r, 0, err)) == 1) {
		out->deleted++;
		rc = set_status(tx, ctx, r, "deleted", "resource.deleted", err);
	}
	return rc < 0 ? rc : 0;
}

/* The first step of r's term still to come after now: the first renewal
 * attempt 7 days ahead, the next day's retry, the term's end, the end of
 * the grace period; -1 when none is. */
static int64_t next_step_at(const tl_resource *r, int64_t now)
{
	int64_t first_try = r->term_end - TL_RENEW_AHEAD_S;
	if (now < first_try)
		return first_try;
	if (now < r->term_end) {
		bool retries = r->auto_renew && strcmp(r->status, "active") == 0;
		int64_t next_day = first_try + ((now - first_try) / 86400 + 1) * 86400;
		return retries && next_day < r->term_end ? next_day : r->term_end;
	}
	if (now < r->term_end + TL_RENEW_GRACE_S)
		return r->term_end + TL_RENEW_GRACE_S;
	/* the deletion may have waited for an open recovery checkout */
	return strcmp(r->status, "deleted") == 0 ? -1 : now + 86400;
}

typedef struct term_step {
	const tl_ctx *ctx;
	const tl_catalog *catalog;
	tl_resource *r;
	tl_checkout *checkout; /* scratch, shared by the pass */
	tl_renewals_report *out;
} term_step;

/* A resource's due term step, in its own savepoint: counted only when it
 * holds. */
static int term_step_tx(tl_tx *tx, void *arg, tl_error *err)
{
	term_step *t = arg;
	const tl_ctx *ctx = t->ctx;
	tl_resource *r = t->r;
	tl_renewals_report part = {0};
	bool active = strcmp(r->status, "active") == 0;
	int rc = 0;
	if (active && r->auto_renew && ctx->now >= r->term_end - TL_RENEW_AHEAD_S &&
	    ctx->now < r->term_end)
		rc = try_renew(tx, ctx, t->catalog, r, t->checkout, &part, err);
	else if (ctx->now >= r->term_end)
		rc = end_of_term(tx, ctx, r, &part, err);
	/* from the term as it was read: a renewal above moved the term on,
	 * and its update made the resource due again at once, so at worst
	 * it is visited early, never late */
	if (rc == 0)
		rc = tl_store_resource_next_step(tx, r->id, next_step_at(r, ctx->now), err);
	if (rc == 0) {
		t->out->renewed += part.renewed;
		t->out->failed += part.failed;
		t->out->suspended += part.suspended;
		t->out->deleted += part.deleted;
	}
	return rc;
}

int tl_renewals_run(tl_tx *tx, const tl_ctx *ctx, const tl_catalog *catalog, size_t max,
		    tl_renewals_report *out, tl_error *err)
{
	*out = (tl_renewals_report){0};
	tl_resource *due = calloc(max, sizeof(*due));
	tl_checkout *checkout = malloc(sizeof(*checkout));
	size_t n = 0;
	int rc = due && checkout ? tl_store_resources_term_due(tx, ctx->now, due, max, &n, err)
				 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		term_step t = {.ctx = ctx, .catalog = catalog, .r = &due[i], .checkout = checkout,
			       .out = out};
		tl_job_subject s = {.job = "renewals", .subject = due[i].id,
				    .account_id = due[i].account_id};
		int64_t retry_at = 0;
		if (rc == 0)
			rc = tl_job_subject_run(tx, ctx, &s, term_step_tx, &t, &retry_at, err);
		/* failed: the resource is due again at its retry, not at once */
		if (rc == 0 && retry_at)
			rc = tl_store_resource_next_step(tx, due[i].id, retry_at, err);
		tl_resource_release(&due[i]);
	}
	out->visited = n;
	free(checkout);
	free(due);
	return rc;
}
