/* debts.c: collecting debt and refusing new spending while there is
 * some; see debts.h. */
#include "service/debts.h"
#include "service/audit.h"
#include "service/invoices.h"
#include "service/job_failures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct debt {
	const tl_ctx *ctx;
	tl_invoice *inv;
	bool paid_off;
} debt;

/* Pays what credit allows of one due invoice. */
static int collect_one(tl_tx *tx, void *arg, tl_error *err)
{
	debt *d = arg;
	const tl_ctx *ctx = d->ctx;
	tl_invoice *inv = d->inv;
	int64_t paid_now = 0;
	json_t *before = json_pack("{s:s, s:I}", "status", inv->status, "amount_paid",
				   (json_int_t)inv->amount_paid);
	int rc = tl_invoices_pay_from_credit(tx, ctx, inv, &paid_now, err);
	if (rc == 0 && paid_now > 0) {
		bool paid = strcmp(inv->status, "paid") == 0;
		rc = tl_invoices_save(tx, ctx, inv, err);
		rc = rc ? rc : tl_audit_record(tx, ctx, paid ? "invoice.paid" : "invoice.part_paid",
					       inv->account_id, inv->id, json_incref(before),
					       json_pack("{s:s, s:I}", "status", inv->status,
							 "amount_paid",
							 (json_int_t)inv->amount_paid),
					       err);
		d->paid_off = rc == 0 && paid;
	}
	json_decref(before);
	return rc;
}

/* Pays what credit allows of the due invoices in `status`, each invoice in
 * its own savepoint (job "debt_collection"). */
static int collect_in(tl_tx *tx, const tl_ctx *ctx, const char *status, size_t max,
		      size_t *collected, tl_error *err)
{
	tl_invoice *invs = calloc(max ? max : 1, sizeof(*invs));
	size_t n = 0;
	int rc = invs ? tl_store_invoices_payable(tx, status, ctx->now, invs, max, &n, err)
		      : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		debt d = {.ctx = ctx, .inv = &invs[i]};
		tl_job_subject s = {.job = "debt_collection", .subject = invs[i].id,
				    .account_id = invs[i].account_id};
		if (rc == 0)
			rc = tl_job_subject_run(tx, ctx, &s, collect_one, &d, NULL, err);
		*collected += d.paid_off;
		tl_invoice_release(&invs[i]);
	}
	free(invs);
	return rc;
}

int tl_debts_collect(tl_tx *tx, const tl_ctx *ctx, size_t max, size_t *collected,
		     tl_error *err)
{
	*collected = 0;
	int rc = collect_in(tx, ctx, "partial_paid", max, collected, err);
	return rc ? rc : collect_in(tx, ctx, "unpaid", max, collected, err);
}

int tl_debts_check_none(tl_tx *tx, const char *account_id, tl_error *err)
{
	int64_t unpaid = 0;
	int rc = tl_store_invoices_open_count(tx, account_id, &unpaid, err);
	if (rc == 0 && unpaid > 0) {
		tl_error_set(err, TL_ERULE, "account_in_debt",
			     "the account has %lld unpaid invoice(s): add credit to pay them first",
			     (long long)unpaid);
		tl_error_details(err, json_pack("{s:I}", "unpaid_invoices", (json_int_t)unpaid));
		return TL_ERULE;
	}
	return rc;
}
