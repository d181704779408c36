/*
 * sandbox.c: tally's own signed notification format (POST /v1/gateway/notify,
 * only under --sandbox-gateway), and its link format. The sandbox's pages
 * now speak VNPay's protocol (vnpay.c) so payments go through the VNPay
 * adapter; this format stays for gateways without an adapter of their own
 * and is what tests/scenarios/test_gateway.c signs by hand.
 *
 * Its payment page link (GET <public_url>/sandbox-gateway/pay?...) carries
 *   checkout_id, amount, currency, txn_id, return_url, ts, signature
 * and its notification (POST /v1/gateway/notify) carries
 *   txn_id, checkout_id, amount, currency, result (paid, cancelled,
 *   failed), ts, signature
 * each signed as gateway.h describes. A link has no `result` and a
 * notification no `return_url`, so neither passes for the other.
 */
#include "gateway/gateway.h"

#include <stdio.h>
#include <string.h>

static int add_int(tl_gateway_params *ps, const char *name, int64_t v, tl_error *err)
{
	char text[24];
	snprintf(text, sizeof(text), "%lld", (long long)v);
	return tl_gateway_params_add(ps, name, text, err);
}

/* The parameters both messages share. */
static int add_common(tl_gateway_params *ps, const tl_gateway_payment *p, int64_t ts,
		      tl_error *err)
{
	int rc = tl_gateway_params_add(ps, "txn_id", p->txn_id, err);
	rc = rc ? rc : tl_gateway_params_add(ps, "checkout_id", p->checkout_id, err);
	rc = rc ? rc : add_int(ps, "amount", p->amount, err);
	rc = rc ? rc : tl_gateway_params_add(ps, "currency", p->currency, err);
	return rc ? rc : add_int(ps, "ts", ts, err);
}

static int sandbox_start(const tl_gateway_config *cfg, const tl_gateway_payment *p,
			 char *out_url, size_t size, tl_error *err)
{
	tl_gateway_params ps = {0};
	int rc = add_common(&ps, p, p->now, err);
	rc = rc ? rc : tl_gateway_params_add(&ps, "return_url", p->return_url, err);
	rc = rc ? rc : tl_gateway_sign(&ps, cfg->secret, err);
	if (rc < 0)
		return rc;
	int n = snprintf(out_url, size, "%s/sandbox-gateway/pay?", cfg->public_url);
	if (n < 0 || (size_t)n >= size)
		return tl_error_set(err, TL_EINTERNAL, NULL, "the public URL is too long");
	return tl_gateway_params_encode(&ps, true, out_url + n, size - (size_t)n, err);
}

static bool txn_id_ok(const char *id)
{
	size_t len = strlen(id);
	if (len == 0 || len >= TL_GATEWAY_TXN_MAX)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

static int bad(tl_error *err, const char *name, const char *why)
{
	tl_error_set(err, TL_EINVALID, "invalid_notification", "parameter %s: %s", name, why);
	tl_error_details(err, json_pack("{s:s}", "parameter", name));
	return TL_EINVALID;
}

static int read_result(const char *text, tl_gateway_result *out, tl_error *err)
{
	static const tl_gateway_result all[] = {TL_GATEWAY_PAID, TL_GATEWAY_CANCELLED,
						TL_GATEWAY_FAILED};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(text, tl_gateway_result_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return bad(err, "result", "must be paid, cancelled or failed");
}

/* The fields of a signed message (link or notification) into n. */
static int read_common(const tl_gateway_params *ps, tl_gateway_notice *n, tl_error *err)
{
	const char *txn, *checkout, *currency;
	int rc = tl_gateway_param_text(ps, "txn_id", &txn, err);
	rc = rc ? rc : tl_gateway_param_text(ps, "checkout_id", &checkout, err);
	rc = rc ? rc : tl_gateway_param_text(ps, "currency", &currency, err);
	rc = rc ? rc : tl_gateway_param_int(ps, "amount", 1, INT64_MAX, &n->amount, err);
	rc = rc ? rc : tl_gateway_param_int(ps, "ts", 0, INT64_MAX, &n->ts, err);
	if (rc < 0)
		return rc;
	if (!txn_id_ok(txn))
		return bad(err, "txn_id", "1 to 63 characters of A-Z a-z 0-9 _ - .");
	if (strlen(currency) != 3)
		return bad(err, "currency", "an ISO 4217 code");
	snprintf(n->txn_id, sizeof(n->txn_id), "%s", txn);
	snprintf(n->currency, sizeof(n->currency), "%s", currency);
	/* an id too long to exist is simply not found later */
	snprintf(n->checkout_id, sizeof(n->checkout_id), "%s",
		 strlen(checkout) < sizeof(n->checkout_id) ? checkout : "chk_unknown");
	return 0;
}

static int sandbox_verify(const tl_gateway_config *cfg, const tl_gateway_params *params,
			  tl_gateway_notice *out, tl_error *err)
{
	tl_gateway_notice n = {0};
	const char *result;
	int rc = tl_gateway_verify_signature(params, cfg->secret, err);
	rc = rc ? rc : read_common(params, &n, err);
	rc = rc ? rc : tl_gateway_param_text(params, "result", &result, err);
	rc = rc ? rc : read_result(result, &n.result, err);
	if (rc == 0)
		*out = n;
	return rc;
}

const tl_gateway tl_gateway_sandbox = {
	.name = "sandbox",
	.start = sandbox_start,
	.verify = sandbox_verify,
};

int tl_sandbox_read_link(const tl_gateway_config *cfg, const tl_gateway_params *link,
			 tl_gateway_payment *out, tl_error *err)
{
	tl_gateway_notice n = {0};
	const char *return_url;
	int rc = tl_gateway_verify_signature(link, cfg->secret, err);
	rc = rc ? rc : read_common(link, &n, err);
	rc = rc ? rc : tl_gateway_param_text(link, "return_url", &return_url, err);
	if (rc < 0)
		return rc;
	*out = (tl_gateway_payment){.txn_id = tl_gateway_params_get(link, "txn_id"),
				    .checkout_id = tl_gateway_params_get(link, "checkout_id"),
				    .amount = n.amount,
				    .currency = tl_gateway_params_get(link, "currency"),
				    .return_url = return_url,
				    .now = n.ts};
	return 0;
}

int tl_sandbox_notification(const tl_gateway_config *cfg, const tl_gateway_payment *p,
			    tl_gateway_result result, int64_t now, tl_gateway_params *out,
			    tl_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = add_common(out, p, now, err);
	rc = rc ? rc : tl_gateway_params_add(out, "result", tl_gateway_result_name(result), err);
	return rc ? rc : tl_gateway_sign(out, cfg->secret, err);
}
