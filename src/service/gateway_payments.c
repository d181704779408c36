/*
 * gateway_payments.c: starting a gateway payment and applying the
 * gateway's notification (rules in gateway_payments.h).
 *
 * A gateway transaction's life, as its row of gateway_transactions
 * (domain/gateway_txn.h) records it:
 *
 *   (none) --pay with method gateway----------> started
 *   started --paid, the checkout takes it-----> applied         (top-up, checkout paid)
 *   started --paid, the checkout cannot-------> kept_as_credit  (top-up only, reason)
 *   started --cancelled-----------------------> cancelled       (nothing else changes)
 *   started --failed--------------------------> failed          (nothing else changes)
 *   any but started --any notification-------> unchanged       (answered already_applied)
 *   (none) --any notification----------------> refused 404     (tallyd did not start it)
 *
 * Invariants:
 *   1. One record per gateway transaction id (unique txn_id), written when tallyd sends the customer to the
 *      gateway; it names the checkout, account, amount and currency, and a
 *      notification that differs in any of them is refused.
 *   2. It leaves `started` once, in the same transaction as the money it
 *      moved, so a transaction's money moves at most once.
 *   3. Money received is never refused (DESIGN.md): a verified paid
 *      notification always moves the amount sys_gateway_clearing_<cur> ->
 *      the account's credit wallet (gateway_top_up). Only then is the
 *      checkout paid from credit, in a savepoint of its own; if the
 *      checkout cannot take it (no longer open, expired, re-priced, or any
 *      rule of paying refuses) the money stays as credit and the record
 *      and an event (gateway.payment_kept_as_credit) say why.
 */
#include "service/gateway_payments.h"
#include "domain/gateway_txn.h"
#include "service/audit.h"
#include "service/checkout.h"
#include "service/ledger.h"
#include "common/ids.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the transaction's record --------------------------------------------- */

/* The record of gateway transaction txn_id: 404 gateway_txn_not_found when
 * tallyd did not start it. */
static int record_load(tl_tx *tx, const char *txn_id, tl_gateway_txn *out, tl_error *err)
{
	tl_error lookup = {0};
	int rc = tl_store_gateway_txn_get(tx, txn_id, out, &lookup);
	if (rc == TL_ENOTFOUND) {
		tl_error_clear(&lookup);
		tl_error_set(err, TL_ENOTFOUND, "gateway_txn_not_found",
			     "no payment was started with gateway transaction %s", txn_id);
		tl_error_details(err, json_pack("{s:s}", "txn_id", txn_id));
		return TL_ENOTFOUND;
	}
	if (rc < 0) {
		tl_error_set(err, lookup.err, lookup.code, "%s", lookup.message);
		tl_error_clear(&lookup);
	}
	return rc;
}

/* Saves r, which the notification moved out of `started`, and writes the
 * event. */
static int record_finish(tl_tx *tx, const tl_ctx *ctx, tl_gateway_txn *r, tl_error *err)
{
	r->notified_at = ctx->now;
	r->updated_at = ctx->now;
	int rc = tl_gateway_txn_assert_valid(r, err);
	rc = rc ? rc : tl_store_gateway_txn_update(tx, r, err);
	if (rc < 0)
		return rc;
	return tl_audit_record(tx, ctx, "gateway.notification_applied", r->account_id, r->id,
			       json_pack("{s:s}", "status", "started"), tl_gateway_txn_to_json(r),
			       err);
}

/* Records a payment tallyd sends the customer to make, as started: what a
 * notification for it must match. checkout_id "" for a top-up. */
static int record_started(tl_tx *tx, const tl_ctx *ctx, const char *gateway,
			  const char *checkout_id, const char *account_id, int64_t amount,
			  const char *currency, const char *txn_id, tl_error *err)
{
	tl_gateway_txn t = {.amount = amount, .created_at = ctx->now, .updated_at = ctx->now};
	tl_id_new(t.id, sizeof(t.id), "gwt");
	snprintf(t.gateway, sizeof(t.gateway), "%s", gateway);
	snprintf(t.txn_id, sizeof(t.txn_id), "%s", txn_id);
	snprintf(t.purpose, sizeof(t.purpose), "%s", checkout_id[0] ? "checkout" : "top_up");
	snprintf(t.checkout_id, sizeof(t.checkout_id), "%s", checkout_id);
	snprintf(t.account_id, sizeof(t.account_id), "%s", account_id);
	snprintf(t.currency, sizeof(t.currency), "%s", currency);
	snprintf(t.status, sizeof(t.status), "started");
	int rc = tl_gateway_txn_assert_valid(&t, err);
	return rc ? rc : tl_store_gateway_txn_insert(tx, &t, err);
}

/* ---- start --------------------------------------------------------------- */

static int check_payable(const tl_checkout *c, int64_t now, tl_error *err)
{
	int rc = tl_checkout_check_open(c, now, err);
	if (rc < 0)
		return rc;
	if (c->settlement != TL_SETTLE_PREPAID)
		return tl_error_set(err, TL_ERULE, "method_not_allowed",
				    "this checkout settles by hold: pay it with method hold");
	if (c->totals.total <= 0)
		return tl_error_set(err, TL_ERULE, "nothing_to_pay",
				    "checkout %s costs nothing: pay it by credit", c->id);
	return 0;
}

/* A checkout starts at most TL_GATEWAY_STARTS_PER_CHECKOUT_MAX payments. */
static int check_start_limit(tl_tx *tx, const tl_checkout *c, tl_error *err)
{
	int64_t started = 0;
	int rc = tl_store_gateway_txn_count_of_checkout(tx, c->id, &started, err);
	if (rc < 0 || started < (int64_t)TL_GATEWAY_STARTS_PER_CHECKOUT_MAX)
		return rc;
	tl_error_set(err, TL_ELIMIT, "too_many_gateway_payments",
		     "checkout %s has started %lld gateway payments, the most one may; pay one "
		     "of them, pay by credit, or start a new checkout",
		     c->id, (long long)started);
	tl_error_details(err, json_pack("{s:i}", "max", (int)TL_GATEWAY_STARTS_PER_CHECKOUT_MAX));
	return TL_ELIMIT;
}

static int start_on_gateway(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			    const tl_gateway_config *cfg, const tl_checkout *c,
			    tl_gateway_started *out, tl_error *err)
{
	char return_url[TL_GATEWAY_VALUE_MAX];
	/* VNPay's return is checked by tallyd first (h_gateway.c), which then
	 * sends the browser to the console */
	int n = strcmp(gw->name, "vnpay") == 0
			? snprintf(return_url, sizeof(return_url), "%s/v1/gateway/vnpay/return",
				   cfg->public_url)
			: snprintf(return_url, sizeof(return_url), "%s/?checkout_id=%s",
				   cfg->public_url, c->id);
	if (n < 0 || (size_t)n >= sizeof(return_url))
		return tl_error_set(err, TL_EINTERNAL, NULL, "the public URL is too long");
	tl_id_new(out->txn_id, sizeof(out->txn_id), "gtx");
	tl_gateway_payment p = {.txn_id = out->txn_id, .checkout_id = c->id,
				.amount = c->totals.total, .currency = c->currency,
				.return_url = return_url, .now = ctx->now,
				.expires_at = c->expires_at, .ip_addr = cfg->client_ip};
	int rc = gw->start(cfg, &p, out->redirect_url, sizeof(out->redirect_url), err);
	rc = rc ? rc
		: record_started(tx, ctx, gw->name, c->id, c->account_id, c->totals.total,
				 c->currency, out->txn_id, err);
	if (rc < 0)
		return rc;
	return tl_audit_record(tx, ctx, "checkout.gateway_payment_started", c->account_id, c->id,
			       NULL,
			       json_pack("{s:s, s:s, s:I, s:s}", "gateway", gw->name, "txn_id",
					 out->txn_id, "amount", (json_int_t)c->totals.total,
					 "currency", c->currency),
			       err);
}

int tl_gateway_payments_start(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			      const tl_gateway_config *cfg, const char *checkout_id,
			      tl_gateway_started *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	tl_checkout *c = calloc(1, sizeof(*c)); /* large: lines */
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_checkouts_get(tx, ctx, checkout_id, c, err);
	if (rc == 0) {
		rc = tl_checkouts_check_payable(tx, ctx, c, err);
		rc = rc ? rc : check_payable(c, ctx->now, err);
		rc = rc ? rc : check_start_limit(tx, c, err);
		rc = rc ? rc : start_on_gateway(tx, ctx, gw, cfg, c, out, err);
		tl_checkout_release(c);
	}
	free(c);
	return rc;
}

/* ---- top-ups ------------------------------------------------------------------ */

int tl_gateway_payments_start_top_up(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
				     const tl_gateway_config *cfg, int64_t amount,
				     const char *currency, tl_gateway_started *out,
				     tl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (ctx->who->is_admin || ctx->who->account_id[0] == '\0')
		return tl_error_set(err, TL_EFORBIDDEN, "account_required",
				    "a top-up is the customer's: use the account's token");
	if (amount <= 0 || amount > TL_GATEWAY_TOP_UP_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_amount",
				    "a top-up is 1 to %lld", (long long)TL_GATEWAY_TOP_UP_MAX);
	const char *account = ctx->who->account_id;
	int64_t pending = 0;
	int rc = tl_store_gateway_top_ups_pending(tx, account, &pending, err);
	if (rc < 0)
		return rc;
	if (pending >= (int64_t)TL_GATEWAY_TOP_UPS_PENDING_MAX) {
		tl_error_set(err, TL_ELIMIT, "too_many_gateway_payments",
			     "%lld top-ups are still waiting for the gateway, the most an account "
			     "may have",
			     (long long)pending);
		tl_error_details(err,
				 json_pack("{s:i}", "max", (int)TL_GATEWAY_TOP_UPS_PENDING_MAX));
		return TL_ELIMIT;
	}
	char return_url[TL_GATEWAY_VALUE_MAX];
	snprintf(return_url, sizeof(return_url), "%s/v1/gateway/vnpay/return", cfg->public_url);
	tl_id_new(out->txn_id, sizeof(out->txn_id), "gtx");
	tl_gateway_payment p = {.txn_id = out->txn_id, .checkout_id = account,
				.amount = amount, .currency = currency,
				.return_url = return_url, .now = ctx->now,
				.ip_addr = cfg->client_ip};
	rc = gw->start(cfg, &p, out->redirect_url, sizeof(out->redirect_url), err);
	if (rc < 0)
		return rc;
	rc = record_started(tx, ctx, gw->name, "", account, amount, currency, out->txn_id, err);
	if (rc < 0)
		return rc;
	return tl_audit_record(tx, ctx, "account.gateway_top_up_started", account, account, NULL,
			       json_pack("{s:s, s:s, s:I, s:s}", "gateway", gw->name, "txn_id",
					 out->txn_id, "amount", (json_int_t)amount, "currency",
					 currency),
			       err);
}

/* ---- apply ------------------------------------------------------------------ */

/* A retry of what was recorded: its first outcome, nothing changed. */
static void answer_recorded(const tl_gateway_txn *r, tl_gateway_applied *out)
{
	snprintf(out->recorded_result, sizeof(out->recorded_result), "%s", r->result);
	snprintf(out->recorded_status, sizeof(out->recorded_status), "%s", r->status);
	snprintf(out->payment_id, sizeof(out->payment_id), "%s", r->payment_id);
	snprintf(out->reason, sizeof(out->reason), "%s", r->reason);
	out->status = "already_applied";
}

static int mismatch(tl_error *err, const char *code, const char *what, json_t *expected,
		    json_t *got)
{
	tl_error_set(err, TL_ERULE, code,
		     "the notification's %s is not the %s of the payment tallyd started", what,
		     what);
	tl_error_details(err, json_pack("{s:o, s:o}", "expected", expected, "got", got));
	return TL_ERULE;
}

/* The notification must be about the payment tallyd started. */
static int check_matches(const tl_gateway_txn *r, const tl_gateway_notice *n, tl_error *err)
{
	const char *checkout = r->checkout_id;
	const char *currency = r->currency;
	json_int_t amount = (json_int_t)r->amount;
	if (strcmp(checkout, n->checkout_id) != 0)
		return mismatch(err, "checkout_mismatch", "checkout", json_string(checkout),
				json_string(n->checkout_id));
	if (strcmp(currency, n->currency) != 0)
		return mismatch(err, "currency_mismatch", "currency", json_string(currency),
				json_string(n->currency));
	if (amount != n->amount)
		return mismatch(err, "amount_mismatch", "amount", json_integer(amount),
				json_integer((json_int_t)n->amount));
	return 0;
}

/* The money arrives: gateway clearing -> the account's credit wallet. */
static int top_up(tl_tx *tx, const tl_ctx *ctx, const char *gateway, const tl_gateway_txn *r,
		  const tl_gateway_notice *n, tl_transfer *t, tl_error *err)
{
	memset(t, 0, sizeof(*t));
	t->kind = TL_TRANSFER_SINGLE;
	t->amount = n->amount;
	tl_ledger_system_account_id(t->debit_account, "gateway_clearing", n->currency);
	tl_ledger_credit_wallet_id(t->credit_account, r->account_id);
	snprintf(t->code, sizeof(t->code), "gateway_top_up");
	snprintf(t->reference, sizeof(t->reference), "%s %s %s", gateway, n->txn_id,
		 n->checkout_id);
	return tl_ledger_move(tx, ctx, t, 1, err);
}

/* Paying the checkout with the money just received, in its own savepoint. */
typedef struct pay_attempt {
	const tl_ctx *ctx; /* the customer */
	const tl_gateway_notice *notice;
	tl_payment_result paid;
} pay_attempt;

/* Why the checkout cannot take the notice's money, as an error whose code
 * is the reason: checkout_<status> when it is no longer open,
 * checkout_expired, or checkout_changed when it was re-priced since. */
static int check_takes(const tl_checkout *c, const tl_gateway_notice *n, int64_t now,
		       tl_error *err)
{
	if (strcmp(c->status, "open") != 0) {
		char code[32];
		snprintf(code, sizeof(code), "checkout_%s", c->status);
		return tl_error_set(err, TL_ECONFLICT, code, "checkout %s is %s", c->id,
				    c->status);
	}
	if (now >= c->expires_at)
		return tl_error_set(err, TL_ECONFLICT, "checkout_expired",
				    "checkout %s expired", c->id);
	if (c->totals.total != n->amount || strcmp(c->currency, n->currency) != 0) {
		tl_error_set(err, TL_ECONFLICT, "checkout_changed",
			     "checkout %s now costs %lld %s, not the %lld %s paid", c->id,
			     (long long)c->totals.total, c->currency, (long long)n->amount,
			     n->currency);
		tl_error_details(err, json_pack("{s:I, s:I}", "total", (json_int_t)c->totals.total,
						"paid", (json_int_t)n->amount));
		return TL_ECONFLICT;
	}
	return 0;
}

static int pay_attempt_tx(tl_tx *tx, void *arg, tl_error *err)
{
	pay_attempt *a = arg;
	tl_checkout *c = calloc(1, sizeof(*c)); /* large: lines */
	if (c == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_checkouts_get(tx, a->ctx, a->notice->checkout_id, c, err);
	if (rc == 0) {
		rc = check_takes(c, a->notice, a->ctx->now, err);
		tl_checkout_release(c);
	}
	free(c);
	return rc ? rc
		  : tl_checkouts_pay_credit(tx, a->ctx, a->notice->checkout_id, "gateway",
					    &a->paid, err);
}

/* A failure of the store, not a refusal of the rules: the whole
 * notification fails and the gateway retries. */
static bool is_failure(int rc)
{
	return rc == TL_EINTERNAL || rc == TL_EUNAVAILABLE;
}

/* What every paid notification records: the money's arrival and the
 * gateway's references. */
static void record_paid(tl_gateway_txn *r, const tl_transfer *t, const tl_gateway_notice *n,
			bool with_bank)
{
	snprintf(r->result, sizeof(r->result), "paid");
	snprintf(r->top_up_transfer_id, sizeof(r->top_up_transfer_id), "%s", t->id);
	snprintf(r->gateway_ref, sizeof(r->gateway_ref), "%s", n->gateway_ref);
	if (with_bank)
		snprintf(r->bank_code, sizeof(r->bank_code), "%s", n->bank_code);
}

static int apply_paid(tl_tx *tx, const tl_ctx *ctx, const char *gateway, tl_gateway_txn *r,
		      tl_gateway_applied *out, tl_error *err)
{
	/* the payment is the customer's: it acts for the transaction's account */
	tl_principal customer = {.is_admin = false};
	snprintf(customer.account_id, sizeof(customer.account_id), "%s", r->account_id);
	snprintf(customer.actor, sizeof(customer.actor), "%s", ctx->who->actor);
	tl_ctx as_customer = {.who = &customer, .now = ctx->now};
	tl_transfer t;
	int rc = top_up(tx, &as_customer, gateway, r, &out->notice, &t, err);
	if (rc < 0)
		return rc;
	if (strcmp(r->purpose, "top_up") == 0) {
		/* a top-up: the money on the credit wallet is all it asked for */
		record_paid(r, &t, &out->notice, false);
		snprintf(r->status, sizeof(r->status), "applied");
		out->status = "topped_up";
		return record_finish(tx, &as_customer, r, err);
	}
	pay_attempt a = {.ctx = &as_customer, .notice = &out->notice};
	tl_error why = {0};
	int paid = tl_store_nested(tx, pay_attempt_tx, &a, &why);
	if (is_failure(paid)) {
		tl_error_set(err, why.err, why.code, "%s", why.message);
		tl_error_clear(&why);
		return paid;
	}
	record_paid(r, &t, &out->notice, true);
	if (paid == 0) {
		out->status = "paid";
		out->invoice_ids = a.paid.invoice_ids;
		snprintf(out->payment_id, sizeof(out->payment_id), "%s", a.paid.payment_id);
		snprintf(r->status, sizeof(r->status), "applied");
		snprintf(r->payment_id, sizeof(r->payment_id), "%s", a.paid.payment_id);
		return record_finish(tx, &as_customer, r, err);
	}
	/* Money received is never refused: it stays as the customer's credit. */
	out->status = "kept_as_credit";
	snprintf(out->reason, sizeof(out->reason), "%s", why.code[0] ? why.code : "refused");
	snprintf(r->status, sizeof(r->status), "kept_as_credit");
	snprintf(r->reason, sizeof(r->reason), "%s", out->reason);
	snprintf(r->reason_message, sizeof(r->reason_message), "%s", why.message);
	r->notified_at = ctx->now;
	tl_error_clear(&why);
	rc = tl_audit_record(tx, &as_customer, "gateway.payment_kept_as_credit", r->account_id,
			     r->id, NULL, tl_gateway_txn_to_json(r), err);
	return rc ? rc : record_finish(tx, &as_customer, r, err);
}

static int apply_started(tl_tx *tx, const tl_ctx *ctx, const char *gateway, tl_gateway_txn *r,
			 tl_gateway_applied *out, tl_error *err)
{
	int rc = check_matches(r, &out->notice, err);
	if (rc < 0)
		return rc;
	if (out->notice.result == TL_GATEWAY_PAID)
		return apply_paid(tx, ctx, gateway, r, out, err);
	/* cancelled or failed: the checkout stays open */
	const char *result = tl_gateway_result_name(out->notice.result);
	out->status = result;
	snprintf(r->result, sizeof(r->result), "%s", result);
	snprintf(r->status, sizeof(r->status), "%s", result);
	return record_finish(tx, ctx, r, err);
}

int tl_gateway_payments_apply(tl_tx *tx, const tl_ctx *ctx, const tl_gateway *gw,
			      const tl_gateway_config *cfg, const tl_gateway_params *params,
			      tl_gateway_applied *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = gw->verify(cfg, params, &out->notice, err);
	if (rc < 0)
		return rc;
	/* the gateway sees every checkout; the signature is its credential */
	tl_principal gateway = {.is_admin = true};
	snprintf(gateway.actor, sizeof(gateway.actor), "gateway:%s", gw->name);
	tl_ctx as_gateway = {.who = &gateway, .now = ctx->now};
	tl_gateway_txn r;
	rc = record_load(tx, out->notice.txn_id, &r, err);
	if (rc < 0)
		return rc;
	/* a gateway that names no checkout (VNPay) pays the one tallyd recorded */
	if (out->notice.checkout_id[0] == '\0')
		snprintf(out->notice.checkout_id, sizeof(out->notice.checkout_id), "%s",
			 r.checkout_id);
	/* A gateway retries until it is answered: a retry of what was applied
	 * gets its first answer however late. A first delivery is applied
	 * however late too: the transaction id, not the time, stops replays. */
	if (strcmp(r.status, "started") != 0)
		answer_recorded(&r, out);
	else
		rc = apply_started(tx, &as_gateway, gw->name, &r, out, err);
	if (rc < 0) {
		json_decref(out->invoice_ids);
		out->invoice_ids = NULL;
		out->status = NULL;
	}
	return rc;
}

int tl_gateway_payments_checkout_of(tl_tx *tx, const char *txn_id, char *out, tl_error *err)
{
	tl_gateway_txn r;
	int rc = record_load(tx, txn_id, &r, err);
	if (rc < 0)
		return rc;
	snprintf(out, TL_ID_MAX, "%s", r.checkout_id);
	return 0;
}

/* ---- the shared secret ---------------------------------------------------- */

#define SECRET_META_KEY "gateway_secret"
#define SECRET_BYTES 32u /* 256 bits, kept as 64 hex digits */

typedef struct secret_job {
	char *out;
	size_t size;
	int64_t now;
} secret_job;

/* Runs in one write transaction so two tallyd starting on one new database
 * cannot keep two secrets. */
static int secret_in_tx(tl_tx *tx, void *arg, tl_error *err)
{
	secret_job *job = arg;
	tl_error lookup = {0};
	int rc = tl_store_meta_get(tx, SECRET_META_KEY, job->out, job->size, &lookup);
	tl_error_clear(&lookup);
	if (rc == 0 && job->out[0])
		return 0;
	if (rc < 0 && rc != TL_ENOTFOUND)
		return tl_error_set(err, rc, NULL, "cannot read the gateway secret");
	if (job->size < SECRET_BYTES * 2 + 1)
		return tl_error_set(err, TL_EINTERNAL, NULL, "no room for the gateway secret");
	unsigned char random[SECRET_BYTES];
	randombytes_buf(random, sizeof(random));
	sodium_bin2hex(job->out, job->size, random, sizeof(random));
	sodium_memzero(random, sizeof(random));
	rc = tl_store_meta_put(tx, SECRET_META_KEY, job->out, err);
	if (rc < 0)
		return rc;
	tl_principal system = {.is_admin = true, .actor = "tallyd"};
	tl_ctx ctx = {.who = &system, .now = job->now};
	return tl_audit_record(tx, &ctx, "gateway_secret.generated", NULL, "gateway", NULL, NULL,
			       err);
}

int tl_gateway_secret_setup(tl_store *store, const char *env_secret, int64_t now, char *out,
			    size_t size, tl_error *err)
{
	if (env_secret && env_secret[0]) {
		int n = snprintf(out, size, "%s", env_secret);
		if (n < 0 || (size_t)n >= size)
			return tl_error_set(err, TL_EINVALID, "gateway_secret_too_long",
					    "TALLY_GATEWAY_SECRET is at most %zu bytes", size - 1);
		return 0;
	}
	secret_job job = {.out = out, .size = size, .now = now};
	return tl_store_write(store, secret_in_tx, &job, err);
}
