/* Scenario: paying a checkout through the VNPay adapter, with a real
 * tallyd whose sandbox speaks VNPay's protocol. Every message the test
 * sends is signed here independently of tallyd's code: the parameters are
 * encoded by this file's own PHP-urlencode and the HMAC-SHA512 comes from
 * the openssl command, so a disagreement with VNPay's published signing
 * (sorting, encoding, what is left out) fails here. Covered: the payment
 * URL's parameters and signature, pay, cancel, a bad signature (97), a
 * wrong amount (04), a replay (02), an unknown order (01), and a late IPN
 * for an expired checkout (00, the money kept as credit). */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

#define SECRET "VNPay hash secret with spaces & symbols=ok"
#define TOTAL 528000 /* s.general.2c4g for a month: 480,000 + 10% tax */

static tt_server srv;
static void start(void)
{
	setenv("TALLY_GATEWAY_SECRET", SECRET, 1);
	const char *const args[] = {"--sandbox-gateway", NULL};
	tt_server_start(&srv, args);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(vnpay, .init = start, .fini = stop);

/* ---- an independent VNPay signer ----------------------------------------------- */

typedef struct kv {
	const char *name;
	const char *value;
} kv;

/* PHP's urlencode, written out: A-Z a-z 0-9 - _ . kept, ' ' -> '+', the
 * rest %XX upper-case. */
static void php_urlencode(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < size; p++) {
		if (isalnum(*p) && *p < 0x80)
			out[n++] = (char)*p;
		else if (*p == '-' || *p == '_' || *p == '.')
			out[n++] = (char)*p;
		else if (*p == ' ')
			out[n++] = '+';
		else
			n += (size_t)snprintf(out + n, size - n, "%%%02X", *p);
	}
	out[n] = '\0';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const kv *)a)->name, ((const kv *)b)->name);
}

/* VNPay's hashData: vnp_* but the hash fields, sorted, encoded, joined. */
static void hash_data(const kv *params, size_t count, char *out, size_t size)
{
	kv sorted[32];
	size_t n = 0;
	for (size_t i = 0; i < count; i++)
		if (strncmp(params[i].name, "vnp_", 4) == 0 &&
		    strcmp(params[i].name, "vnp_SecureHash") != 0 &&
		    strcmp(params[i].name, "vnp_SecureHashType") != 0)
			sorted[n++] = params[i];
	qsort(sorted, n, sizeof(sorted[0]), by_name);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char name[64], value[1024];
		php_urlencode(sorted[i].name, name, sizeof(name));
		php_urlencode(sorted[i].value, value, sizeof(value));
		size_t len = strlen(out);
		snprintf(out + len, size - len, "%s%s=%s", i ? "&" : "", name, value);
	}
}

/* HMAC-SHA512 by the openssl command, as 128 lower-case hex digits. */
static void openssl_hmac(const char *key, const char *text, char hex[129])
{
	char path[] = "/tmp/tally-vnpay-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "openssl dgst -sha512 -hmac '%s' -r '%s'", key, path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char line[300] = "";
	cr_assert_not_null(fgets(line, sizeof(line), p), "openssl printed nothing");
	pclose(p);
	unlink(path);
	cr_assert(strlen(line) > 128 && line[128] == ' ', "openssl: %s", line);
	memcpy(hex, line, 128);
	hex[128] = '\0';
}

/* The query string VNPay would send: the hash data and vnp_SecureHash. */
static void signed_query(const kv *params, size_t count, const char *key, char *out,
			 size_t size)
{
	char data[4096], hex[129];
	hash_data(params, count, data, sizeof(data));
	openssl_hmac(key, data, hex);
	int n = snprintf(out, size, "%s&vnp_SecureHashType=HmacSHA512&vnp_SecureHash=%s", data,
			 hex);
	cr_assert(n > 0 && (size_t)n < size);
}

/* ---- the test's customer and checkout ----------------------------------------------- */

typedef struct customer {
	char account[64];
	char token[80];
} customer;

static void new_customer(customer *c)
{
	tt_create_account(&srv, "VNPay customer", c->account);
	tt_create_token(&srv, c->account, c->token);
}

static void new_checkout(const customer *c, char *out)
{
	tt_response r = tt_request(&srv, "POST", "/v1/checkouts", c->token,
				   "{\"kind\":\"purchase\",\"items\":[{\"type\":\"server\",\"name\":"
				   "\"web\",\"spec\":{\"flavor\":\"s.general.2c4g\"}}],"
				   "\"cycle_months\":1}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "total")), TOTAL, "%s", r.raw);
	snprintf(out, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
}

/* Starts a payment; its redirect URL's query into link, the txn into txn. */
static void start_payment(const customer *c, const char *id, char *link, size_t size,
			  char *txn)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", id);
	tt_response r = tt_request(&srv, "POST", path, c->token, "{\"method\":\"gateway\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "gateway")), "vnpay");
	const char *url = json_string_value(json_object_get(r.json, "redirect_url"));
	snprintf(link, size, "%s", strchr(url, '?') + 1);
	snprintf(txn, 64, "%s", json_string_value(json_object_get(r.json, "gateway_txn_id")));
	tt_response_free(&r);
}

static int64_t server_now(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/admin/clock", srv.admin_token, NULL, NULL);
	struct tm tm = {0};
	const char *now = json_string_value(json_object_get(r.json, "now"));
	cr_assert(now && sscanf(now, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				&tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6, "%s", r.raw);
	tt_response_free(&r);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* t in GMT+7 as yyyyMMddHHmmss. */
static void gmt7(int64_t t, char out[15])
{
	time_t local = (time_t)t + 7 * 3600;
	struct tm tm;
	gmtime_r(&local, &tm);
	strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

static const char *checkout_status(const customer *c, const char *id, char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	tt_response r = tt_request(&srv, "GET", path, c->token, NULL, NULL);
	snprintf(out, 16, "%s", json_string_value(json_object_get(r.json, "status")));
	tt_response_free(&r);
	return out;
}

static int64_t balance(const customer *c)
{
	tt_response r = tt_request(&srv, "GET", "/v1/wallets", c->token, NULL, NULL);
	int64_t v = json_integer_value(json_object_get(json_object_get(r.json, "credit"),
						       "balance"));
	tt_response_free(&r);
	return v;
}

static void assert_books_balance(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* ---- IPNs ------------------------------------------------------------------------- */

typedef struct ipn {
	const char *txn;
	int64_t amount;        /* VND; sent x 100 */
	const char *response;  /* vnp_ResponseCode */
	const char *status;    /* vnp_TransactionStatus */
	const char *key;       /* NULL: the secret */
	const char *tmn_code;  /* NULL: the sandbox's */
} ipn;

/* Sends an IPN as VNPay would (GET, signed), and answers its RspCode into
 * code (3 bytes); the Message must be there. */
static void send_ipn(const ipn *m, char code[3])
{
	char amount[32], pay_date[15];
	snprintf(amount, sizeof(amount), "%lld", (long long)m->amount * 100);
	gmt7(server_now(), pay_date);
	kv params[] = {
		{"vnp_Amount", amount},
		{"vnp_BankCode", "NCB"},
		{"vnp_BankTranNo", "VNP14226112"},
		{"vnp_CardType", "ATM"},
		/* what VNPay echoes back is free text: diacritics, '&', '=', '~' */
		{"vnp_OrderInfo", "Thanh toán đơn hàng & phí=0 ~ 100%"},
		{"vnp_PayDate", pay_date},
		{"vnp_ResponseCode", m->response},
		{"vnp_TmnCode", m->tmn_code ? m->tmn_code : "TALLYSBX"},
		{"vnp_TransactionNo", "14226112"},
		{"vnp_TransactionStatus", m->status},
		{"vnp_TxnRef", m->txn},
	};
	char query[4096], path[4200];
	signed_query(params, sizeof(params) / sizeof(params[0]), m->key ? m->key : SECRET, query,
		     sizeof(query));
	snprintf(path, sizeof(path), "/v1/gateway/vnpay/ipn?%s", query);
	tt_response r = tt_request(&srv, "GET", path, NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "an IPN is always answered 200: %s", r.raw);
	const char *rsp = json_string_value(json_object_get(r.json, "RspCode"));
	cr_assert_not_null(rsp, "%s", r.raw);
	cr_assert_not_null(json_string_value(json_object_get(r.json, "Message")), "%s", r.raw);
	cr_assert_eq(json_object_size(r.json), 2, "only RspCode and Message: %s", r.raw);
	snprintf(code, 3, "%s", rsp);
	tt_response_free(&r);
}

static void assert_ipn(const ipn *m, const char *want)
{
	char code[3];
	send_ipn(m, code);
	cr_assert_str_eq(code, want, "IPN for %s answered %s, want %s", m->txn, code, want);
}

/* ---- the payment URL ---------------------------------------------------------------- */

/* The value of name in a query (decoded: '+' and %XX), or "" */
static void query_get(const char *query, const char *name, char *out, size_t size)
{
	out[0] = '\0';
	size_t len = strlen(name);
	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, name, len) != 0 || p[len] != '=')
			continue;
		size_t n = 0;
		for (const char *v = p + len + 1; *v && *v != '&' && n + 1 < size; v++) {
			unsigned c;
			if (*v == '+') {
				out[n++] = ' ';
			} else if (*v == '%' && sscanf(v + 1, "%2X", &c) == 1) {
				out[n++] = (char)c;
				v += 2;
			} else {
				out[n++] = *v;
			}
		}
		out[n] = '\0';
		return;
	}
}

Test(vnpay, the_payment_url_carries_vnpays_parameters_signed_as_vnpay_signs)
{
	customer c;
	new_customer(&c);
	char id[64], link[4096], txn[64];
	new_checkout(&c, id);
	int64_t now = server_now();
	start_payment(&c, id, link, sizeof(link), txn);

	static const char *const names[] = {
		"vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_Amount", "vnp_CurrCode",
		"vnp_TxnRef", "vnp_OrderInfo", "vnp_OrderType", "vnp_ReturnUrl", "vnp_IpAddr",
		"vnp_CreateDate", "vnp_ExpireDate", "vnp_Locale"};
	enum { N = sizeof(names) / sizeof(names[0]) };
	static char values[N][600];
	kv params[N];
	for (size_t i = 0; i < N; i++) {
		query_get(link, names[i], values[i], sizeof(values[i]));
		cr_assert(values[i][0], "%s missing from %s", names[i], link);
		params[i] = (kv){names[i], values[i]};
	}
	cr_assert_str_eq(values[0], "2.1.0");
	cr_assert_str_eq(values[1], "pay");
	cr_assert_str_eq(values[3], "52800000", "VND x 100");
	cr_assert_str_eq(values[4], "VND");
	cr_assert_str_eq(values[5], txn);
	cr_assert(strstr(values[6], id), "the order info names the checkout: %s", values[6]);
	char want_return[256];
	snprintf(want_return, sizeof(want_return), "%s/v1/gateway/vnpay/return", srv.url);
	cr_assert_str_eq(values[8], want_return);
	cr_assert_str_eq(values[9], "127.0.0.1");
	char create[15];
	gmt7(now, create);
	cr_assert_str_eq(values[10], create, "vnp_CreateDate is the clock in GMT+7");
	cr_assert_str_eq(values[12], "vn");

	/* the query is exactly VNPay's hash data, then the hash */
	char expected[4096];
	signed_query(params, N, SECRET, expected, sizeof(expected));
	char *type = strstr(expected, "&vnp_SecureHashType=HmacSHA512");
	memmove(type, type + strlen("&vnp_SecureHashType=HmacSHA512"),
		strlen(type + strlen("&vnp_SecureHashType=HmacSHA512")) + 1);
	cr_assert_str_eq(link, expected);
}

/* ---- pay, cancel ------------------------------------------------------------------------- */

Test(vnpay, a_paid_ipn_pays_the_checkout_once_and_a_replay_is_02)
{
	customer c;
	new_customer(&c);
	char id[64], link[4096], txn[64], st[16];
	new_checkout(&c, id);
	start_payment(&c, id, link, sizeof(link), txn);
	ipn m = {txn, TOTAL, "00", "00", NULL, NULL};
	assert_ipn(&m, "00");
	cr_assert_str_eq(checkout_status(&c, id, st), "paid");
	cr_assert_eq(balance(&c), 0, "the gateway's money paid the checkout, no more");
	assert_books_balance();
	assert_ipn(&m, "02"); /* VNPay's retry, or a replay */
	cr_assert_eq(balance(&c), 0);
	assert_books_balance();

	tt_response r = tt_request(&srv, "GET", "/v1/payments", c.token, NULL, NULL);
	json_t *data = json_object_get(r.json, "data");
	cr_assert_eq(json_array_size(data), 1, "one payment: %s", r.raw);
	tt_response_free(&r);
}

Test(vnpay, a_cancelled_ipn_is_recorded_and_the_checkout_stays_open)
{
	customer c;
	new_customer(&c);
	char id[64], link[4096], txn[64], st[16];
	new_checkout(&c, id);
	start_payment(&c, id, link, sizeof(link), txn);
	ipn m = {txn, TOTAL, "24", "02", NULL, NULL};
	assert_ipn(&m, "00"); /* tally recorded it */
	cr_assert_str_eq(checkout_status(&c, id, st), "open");
	cr_assert_eq(balance(&c), 0);
	m = (ipn){txn, TOTAL, "00", "00", NULL, NULL};
	assert_ipn(&m, "02"); /* a cancelled transaction cannot turn into a payment */
	cr_assert_str_eq(checkout_status(&c, id, st), "open");
	cr_assert_eq(balance(&c), 0);
	/* a new transaction pays it */
	start_payment(&c, id, link, sizeof(link), txn);
	m.txn = txn;
	assert_ipn(&m, "00");
	cr_assert_str_eq(checkout_status(&c, id, st), "paid");
	assert_books_balance();
}

/* ---- refusals --------------------------------------------------------------------------- */

Test(vnpay, a_bad_signature_is_97_and_changes_nothing)
{
	customer c;
	new_customer(&c);
	char id[64], link[4096], txn[64], st[16];
	new_checkout(&c, id);
	start_payment(&c, id, link, sizeof(link), txn);
	ipn m = {txn, TOTAL, "00", "00", "not the secret", NULL};
	assert_ipn(&m, "97");
	/* no hash at all */
	char path[256];
	snprintf(path, sizeof(path), "/v1/gateway/vnpay/ipn?vnp_TxnRef=%s&vnp_Amount=52800000", txn);
	tt_response r = tt_request(&srv, "GET", path, NULL, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "RspCode")), "97", "%s", r.raw);
	tt_response_free(&r);
	cr_assert_str_eq(checkout_status(&c, id, st), "open");
	cr_assert_eq(balance(&c), 0);
	/* then the real one applies */
	m.key = NULL;
	assert_ipn(&m, "00");
	cr_assert_str_eq(checkout_status(&c, id, st), "paid");
}

Test(vnpay, a_wrong_amount_is_04_and_changes_nothing)
{
	customer c;
	new_customer(&c);
	char id[64], link[4096], txn[64], st[16];
	new_checkout(&c, id);
	start_payment(&c, id, link, sizeof(link), txn);
	ipn m = {txn, TOTAL - 1, "00", "00", NULL, NULL};
	assert_ipn(&m, "04");
	cr_assert_str_eq(checkout_status(&c, id, st), "open");
	cr_assert_eq(balance(&c), 0);
	assert_books_balance();
	m.amount = TOTAL;
	assert_ipn(&m, "00");
}

Test(vnpay, an_order_tallyd_did_not_start_is_01)
{
	ipn m = {"gtx_nowhere", TOTAL, "00", "00", NULL, NULL};
	assert_ipn(&m, "01");
}

Test(vnpay, another_merchants_ipn_is_99)
{
	customer c;
	new_customer(&c);
	char id[64], link[4096], txn[64], st[16];
	new_checkout(&c, id);
	start_payment(&c, id, link, sizeof(link), txn);
	ipn m = {txn, TOTAL, "00", "00", NULL, "OTHERTMN"};
	assert_ipn(&m, "99");
	cr_assert_str_eq(checkout_status(&c, id, st), "open");
}

/* ---- late -------------------------------------------------------------------------------- */

Test(vnpay, a_late_ipn_for_an_expired_checkout_keeps_the_money_as_credit)
{
	customer c;
	new_customer(&c);
	char id[64], link[4096], txn[64], st[16];
	new_checkout(&c, id);
	start_payment(&c, id, link, sizeof(link), txn);
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
				   "{\"advance_seconds\":7200}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_str_eq(checkout_status(&c, id, st), "expired");
	ipn m = {txn, TOTAL, "00", "00", NULL, NULL};
	assert_ipn(&m, "00"); /* money received is never refused */
	cr_assert_eq(balance(&c), TOTAL, "the money is the customer's credit");
	cr_assert_str_eq(checkout_status(&c, id, st), "expired");
	assert_books_balance();
	assert_ipn(&m, "02");
	cr_assert_eq(balance(&c), TOTAL);

	r = tt_request(&srv, "GET", "/v1/events?limit=500", c.token, NULL, NULL);
	cr_assert(strstr(r.raw, "gateway.payment_kept_as_credit"), "%s", r.raw);
	tt_response_free(&r);
}

/* ---- the sandbox, through the adapter ------------------------------------------------- */

Test(vnpay, the_sandbox_checks_the_payment_url_over_its_decoded_values)
{
	customer c;
	new_customer(&c);
	char id[64], link[4096], txn[64], path[4200];
	new_checkout(&c, id);
	start_payment(&c, id, link, sizeof(link), txn);
	snprintf(path, sizeof(path), "/sandbox-gateway/pay?%s", link);
	tt_response r = tt_request(&srv, "GET", path, NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	/* the same URL with the hash of RFC 3986 encoding ('%20', not '+') */
	char *info = strstr(path, "Thanh+toan");
	cr_assert_not_null(info, "%s", path);
	char alt[4300];
	snprintf(alt, sizeof(alt), "%.*sThanh%%20toan%s", (int)(info - path), path,
		 info + strlen("Thanh+toan"));
	r = tt_request(&srv, "GET", alt, NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "the same parameters, decoded alike: %s", r.raw);
	tt_response_free(&r);
	/* a parameter added after signing */
	snprintf(alt, sizeof(alt), "%s&vnp_BankCode=NCB", path);
	r = tt_request(&srv, "GET", alt, NULL, NULL, NULL);
	cr_assert_eq(r.status, 401, "%s", r.raw);
	tt_response_free(&r);
}

/* ---- a top-up of credit through the gateway ----------------------------------------- */

static void start_top_up(const customer *c, int64_t amount, char *link, size_t size, char *txn)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"amount\":%lld}", (long long)amount);
	tt_response r = tt_request(&srv, "POST", "/v1/wallets/top-ups", c->token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "awaiting_payment");
	const char *url = json_string_value(json_object_get(r.json, "redirect_url"));
	snprintf(link, size, "%s", strchr(url, '?') + 1);
	snprintf(txn, 64, "%s", json_string_value(json_object_get(r.json, "gateway_txn_id")));
	tt_response_free(&r);
}

Test(vnpay, a_top_up_paid_at_the_gateway_is_credit_once)
{
	customer c;
	new_customer(&c);
	char link[4096], txn[64], amount[32];
	start_top_up(&c, 200000, link, sizeof(link), txn);
	query_get(link, "vnp_Amount", amount, sizeof(amount));
	cr_assert_str_eq(amount, "20000000");
	cr_assert_eq(balance(&c), 0, "starting moves nothing");
	ipn m = {txn, 199999, "00", "00", NULL, NULL};
	assert_ipn(&m, "04");
	cr_assert_eq(balance(&c), 0);
	m.amount = 200000;
	assert_ipn(&m, "00");
	cr_assert_eq(balance(&c), 200000);
	assert_ipn(&m, "02");
	cr_assert_eq(balance(&c), 200000, "a replay adds nothing");
	assert_books_balance();

	/* through the sandbox's page, and back to the console's wallets */
	start_top_up(&c, 50000, link, sizeof(link), txn);
	char form[4200];
	snprintf(form, sizeof(form), "%s&action=pay", link);
	const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	tt_response r = tt_request_h(&srv, "POST", "/sandbox-gateway/pay", headers, form,
				     strlen(form));
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert(strstr(r.raw, "on the account as credit"), "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(balance(&c), 250000);
	assert_books_balance();
}

Test(vnpay, a_top_up_is_the_customers_and_bounded)
{
	customer c;
	new_customer(&c);
	tt_response r = tt_request(&srv, "POST", "/v1/wallets/top-ups", srv.admin_token,
				   "{\"amount\":100000}", NULL);
	cr_assert_eq(r.status, 403, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/wallets/top-ups", c.token, "{\"amount\":0}", NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/wallets/top-ups", c.token, "{}", NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	tt_response_free(&r);
	char link[4096], txn[64];
	for (int i = 0; i < 32; i++)
		start_top_up(&c, 10000, link, sizeof(link), txn);
	r = tt_request(&srv, "POST", "/v1/wallets/top-ups", c.token, "{\"amount\":10000}", NULL);
	cr_assert_eq(r.status, 429, "%s", r.raw);
	tt_response_free(&r);
	/* one paid frees a place */
	ipn m = {txn, 10000, "00", "00", NULL, NULL};
	assert_ipn(&m, "00");
	start_top_up(&c, 10000, link, sizeof(link), txn);
}
