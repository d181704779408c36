/*
 * vnpay.c: the VNPay adapter (protocol 2.1.0, rules in gateway.h), and the
 * sandbox's side of the same protocol: the sandbox gateway is a VNPay
 * stand-in, so the demo and the tests go through this adapter.
 *
 * Invariants:
 *   1. What is signed is exactly VNPay's reference code's string: vnp_*
 *      parameters but vnp_SecureHash and vnp_SecureHashType, sorted by
 *      name, PHP-urlencoded (space as '+'), joined by '&'. Any other
 *      parameter is neither signed nor believed.
 *   2. Nothing of a message is read before its signature checks.
 *   3. An amount is VND x 100 on the wire; one that is not a multiple of
 *      100 names no amount tally could have asked for (amount_mismatch).
 */
#include "gateway/gateway.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VERSION "2.1.0"
#define GMT7 (7 * 3600)
#define SANDBOX_PATH "/sandbox-gateway/pay"
#define SANDBOX_TMN_CODE "TALLYSBX"
#define DEFAULT_EXPIRY_S (15 * 60)

static const char *tmn_code_of(const tl_gateway_config *cfg)
{
	return cfg->tmn_code && cfg->tmn_code[0] ? cfg->tmn_code : SANDBOX_TMN_CODE;
}

/* ---- the canonical string ------------------------------------------------ */

static bool signed_name(const char *name)
{
	return strncmp(name, "vnp_", 4) == 0 && strcmp(name, "vnp_SecureHash") != 0 &&
	       strcmp(name, "vnp_SecureHashType") != 0;
}

/* VNPay's reference code: every vnp_* parameter but the hash, PHP's
 * urlencode for names and values (A-Z a-z 0-9 - _ . as they are, space as
 * '+', every other byte, UTF-8 included, as %XX in upper-case hex). */
static const tl_gateway_scheme vnpay_scheme = {"vnp_SecureHash", signed_name, true};

int tl_vnpay_canonical(const tl_gateway_params *ps, char *out, size_t size, tl_error *err)
{
	return tl_gateway_canonical(&vnpay_scheme, ps, out, size, err);
}

int tl_vnpay_sign(tl_gateway_params *ps, const char *secret, tl_error *err)
{
	return tl_gateway_scheme_sign(&vnpay_scheme, ps, secret, err);
}

int tl_vnpay_verify_signature(const tl_gateway_params *ps, const char *secret, tl_error *err)
{
	return tl_gateway_scheme_verify(&vnpay_scheme, ps, secret, err);
}

int tl_vnpay_query(const tl_gateway_params *ps, char *out, size_t size, tl_error *err)
{
	const char *hash = tl_gateway_params_get(ps, "vnp_SecureHash");
	int rc = tl_vnpay_canonical(ps, out, size, err);
	if (rc < 0 || hash == NULL)
		return rc;
	size_t len = strlen(out);
	int n = snprintf(out + len, size - len, "&vnp_SecureHash=%s", hash);
	if (n < 0 || (size_t)n >= size - len)
		return tl_error_set(err, TL_EINTERNAL, NULL, "VNPay URL over %zu bytes", size);
	return 0;
}

/* ---- times: yyyyMMddHHmmss in GMT+7 ------------------------------------------ */

void tl_vnpay_format_time(int64_t t, char out[15])
{
	time_t local = (time_t)(t + GMT7);
	struct tm tm;
	gmtime_r(&local, &tm);
	/* strftime: bounded fields, no truncation to reason about */
	if (strftime(out, 15, "%Y%m%d%H%M%S", &tm) != 14)
		snprintf(out, 15, "00000000000000");
}

bool tl_vnpay_parse_time(const char *text, int64_t *out)
{
	if (strlen(text) != 14)
		return false;
	for (int i = 0; i < 14; i++)
		if (text[i] < '0' || text[i] > '9')
			return false;
	struct tm tm = {0};
	if (sscanf(text, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm) - GMT7;
	return true;
}

/* ---- the adapter ------------------------------------------------------------- */

static int add_int(tl_gateway_params *ps, const char *name, int64_t v, tl_error *err)
{
	char text[24];
	snprintf(text, sizeof(text), "%lld", (long long)v);
	return tl_gateway_params_add(ps, name, text, err);
}

static int add_time(tl_gateway_params *ps, const char *name, int64_t t, tl_error *err)
{
	char text[15];
	tl_vnpay_format_time(t, text);
	return tl_gateway_params_add(ps, name, text, err);
}

/* VND has no minor unit: vnp_Amount is the amount x 100. */
static int wire_amount(const tl_gateway_payment *p, int64_t *out, tl_error *err)
{
	if (strcmp(p->currency, "VND") != 0)
		return tl_error_set(err, TL_ERULE, "currency_not_supported",
				    "VNPay takes payments in VND only, not %s", p->currency);
	if (p->amount <= 0 || p->amount > INT64_MAX / 100)
		return tl_error_set(err, TL_ERULE, "amount_out_of_range",
				    "VNPay cannot take an amount of %lld VND", (long long)p->amount);
	*out = p->amount * 100;
	return 0;
}

static int vnpay_start(const tl_gateway_config *cfg, const tl_gateway_payment *p,
		       char *out_url, size_t size, tl_error *err)
{
	int64_t amount;
	int rc = wire_amount(p, &amount, err);
	if (rc < 0)
		return rc;
	/* VNPay asks for order information without diacritics or special
	 * characters; the checkout's id says which order it is. */
	char info[TL_GATEWAY_VALUE_MAX];
	snprintf(info, sizeof(info), "Thanh toan don hang %s", p->checkout_id);
	int64_t expires = p->expires_at > p->now ? p->expires_at : p->now + DEFAULT_EXPIRY_S;
	tl_gateway_params *ps = calloc(1, sizeof(*ps));
	if (ps == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	rc = tl_gateway_params_add(ps, "vnp_Version", VERSION, err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_Command", "pay", err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_TmnCode", tmn_code_of(cfg), err);
	rc = rc ? rc : add_int(ps, "vnp_Amount", amount, err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_CurrCode", "VND", err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_TxnRef", p->txn_id, err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_OrderInfo", info, err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_OrderType", "other", err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_ReturnUrl", p->return_url, err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_IpAddr",
					     p->ip_addr && p->ip_addr[0] ? p->ip_addr : "127.0.0.1",
					     err);
	rc = rc ? rc : add_time(ps, "vnp_CreateDate", p->now, err);
	rc = rc ? rc : add_time(ps, "vnp_ExpireDate", expires, err);
	rc = rc ? rc : tl_gateway_params_add(ps, "vnp_Locale", "vn", err);
	rc = rc ? rc : tl_vnpay_sign(ps, cfg->secret, err);
	int n = 0;
	if (rc == 0) {
		if (cfg->pay_url && cfg->pay_url[0])
			n = snprintf(out_url, size, "%s?", cfg->pay_url);
		else
			n = snprintf(out_url, size, "%s" SANDBOX_PATH "?", cfg->public_url);
		if (n < 0 || (size_t)n >= size)
			rc = tl_error_set(err, TL_EINTERNAL, NULL, "the payment URL is too long");
	}
	rc = rc ? rc : tl_vnpay_query(ps, out_url + n, size - (size_t)n, err);
	free(ps);
	return rc;
}

static int bad(tl_error *err, const char *name, const char *why)
{
	tl_error_set(err, TL_EINVALID, "invalid_notification", "parameter %s: %s", name, why);
	tl_error_details(err, json_pack("{s:s}", "parameter", name));
	return TL_EINVALID;
}

static bool txn_ref_ok(const char *id)
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

/* What a verified message's vnp_* parameters say. */
static int read_notice(const tl_gateway_config *cfg, const tl_gateway_params *ps,
		       tl_gateway_notice *n, tl_error *err)
{
	const char *tmn, *txn, *code, *status = NULL, *pay_date;
	int64_t wire;
	int rc = tl_gateway_param_text(ps, "vnp_TmnCode", &tmn, err);
	rc = rc ? rc : tl_gateway_param_text(ps, "vnp_TxnRef", &txn, err);
	rc = rc ? rc : tl_gateway_param_int(ps, "vnp_Amount", 1, INT64_MAX, &wire, err);
	rc = rc ? rc : tl_gateway_param_text(ps, "vnp_ResponseCode", &code, err);
	rc = rc ? rc : tl_gateway_param_text(ps, "vnp_PayDate", &pay_date, err);
	if (rc < 0)
		return rc;
	status = tl_gateway_params_get(ps, "vnp_TransactionStatus");
	if (strcmp(tmn, tmn_code_of(cfg)) != 0)
		return bad(err, "vnp_TmnCode", "not this merchant's terminal");
	if (!txn_ref_ok(txn))
		return bad(err, "vnp_TxnRef", "1 to 63 characters of A-Z a-z 0-9 _ - .");
	if (!tl_vnpay_parse_time(pay_date, &n->ts))
		return bad(err, "vnp_PayDate", "must be yyyyMMddHHmmss");
	snprintf(n->txn_id, sizeof(n->txn_id), "%s", txn);
	snprintf(n->currency, sizeof(n->currency), "VND");
	/* an amount not a multiple of 100 can match no VND amount: -1 never does */
	n->amount = wire % 100 == 0 ? wire / 100 : -1;
	if (strcmp(code, "00") == 0 && status && strcmp(status, "00") == 0)
		n->result = TL_GATEWAY_PAID;
	else if (strcmp(code, "24") == 0)
		n->result = TL_GATEWAY_CANCELLED;
	else
		n->result = TL_GATEWAY_FAILED;
	const char *ref = tl_gateway_params_get(ps, "vnp_TransactionNo");
	const char *bank = tl_gateway_params_get(ps, "vnp_BankCode");
	if (ref && strlen(ref) < sizeof(n->gateway_ref))
		snprintf(n->gateway_ref, sizeof(n->gateway_ref), "%s", ref);
	if (bank && strlen(bank) < sizeof(n->bank_code))
		snprintf(n->bank_code, sizeof(n->bank_code), "%s", bank);
	return 0;
}

static int vnpay_verify(const tl_gateway_config *cfg, const tl_gateway_params *params,
			tl_gateway_notice *out, tl_error *err)
{
	tl_gateway_notice n = {0};
	int rc = tl_vnpay_verify_signature(params, cfg->secret, err);
	rc = rc ? rc : read_notice(cfg, params, &n, err);
	if (rc == 0)
		*out = n; /* checkout_id "": the caller's record names it */
	return rc;
}

const tl_gateway tl_gateway_vnpay = {
	.name = "vnpay",
	.start = vnpay_start,
	.verify = vnpay_verify,
};

/* ---- the sandbox's side: VNPay's payment page and its IPN ------------------------ */

int tl_vnpay_read_payment(const tl_gateway_config *cfg, const tl_gateway_params *link,
			  tl_gateway_payment *out, tl_error *err)
{
	const char *txn, *currency, *return_url, *create, *command;
	int64_t wire, created = 0;
	int rc = tl_vnpay_verify_signature(link, cfg->secret, err);
	rc = rc ? rc : tl_gateway_param_text(link, "vnp_Command", &command, err);
	rc = rc ? rc : tl_gateway_param_text(link, "vnp_TxnRef", &txn, err);
	rc = rc ? rc : tl_gateway_param_text(link, "vnp_CurrCode", &currency, err);
	rc = rc ? rc : tl_gateway_param_text(link, "vnp_ReturnUrl", &return_url, err);
	rc = rc ? rc : tl_gateway_param_text(link, "vnp_CreateDate", &create, err);
	rc = rc ? rc : tl_gateway_param_int(link, "vnp_Amount", 100, INT64_MAX, &wire, err);
	if (rc < 0)
		return rc;
	if (strcmp(command, "pay") != 0)
		return bad(err, "vnp_Command", "must be pay");
	if (strcmp(currency, "VND") != 0 || wire % 100 != 0)
		return bad(err, "vnp_Amount", "must be VND x 100");
	if (!txn_ref_ok(txn))
		return bad(err, "vnp_TxnRef", "1 to 63 characters of A-Z a-z 0-9 _ - .");
	if (!tl_vnpay_parse_time(create, &created))
		return bad(err, "vnp_CreateDate", "must be yyyyMMddHHmmss");
	*out = (tl_gateway_payment){.txn_id = txn,
				    .checkout_id = tl_gateway_params_get(link, "vnp_OrderInfo"),
				    .amount = wire / 100,
				    .currency = currency,
				    .return_url = return_url,
				    .now = created};
	return 0;
}

int tl_vnpay_notification(const tl_gateway_config *cfg, const tl_gateway_payment *p,
			  tl_gateway_result result, int64_t now, tl_gateway_params *out,
			  tl_error *err)
{
	memset(out, 0, sizeof(*out));
	const char *code = result == TL_GATEWAY_PAID        ? "00"
			   : result == TL_GATEWAY_CANCELLED ? "24"
							    : "99";
	/* VNPay's own transaction number: 8 digits */
	char number[16];
	snprintf(number, sizeof(number), "%08u", (unsigned)(randombytes_uniform(90000000) + 10000000));
	int64_t amount;
	int rc = wire_amount(p, &amount, err);
	rc = rc ? rc : add_int(out, "vnp_Amount", amount, err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_BankCode", "NCB", err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_CardType", "ATM", err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_OrderInfo",
					     p->checkout_id ? p->checkout_id : "", err);
	rc = rc ? rc : add_time(out, "vnp_PayDate", now, err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_ResponseCode", code, err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_TmnCode", tmn_code_of(cfg), err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_TransactionNo",
					     result == TL_GATEWAY_PAID ? number : "0", err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_TransactionStatus",
					     result == TL_GATEWAY_PAID ? "00" : "02", err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_TxnRef", p->txn_id, err);
	rc = rc ? rc : tl_gateway_params_add(out, "vnp_SecureHashType", "HmacSHA512", err);
	return rc ? rc : tl_vnpay_sign(out, cfg->secret, err);
}
