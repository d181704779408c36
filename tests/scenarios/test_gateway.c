/* Scenario: paying a checkout through the sandbox redirect gateway, with a
 * real tallyd: the payment page over HTTP, the signed notification (signed
 * here independently, with libsodium, as a gateway would), each bad
 * notification refused with its code and nothing changed, each gateway
 * transaction applied once, and one checkout charged once under
 * concurrency. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

#define SECRET "a shared secret of any length, not 32 bytes"
#define TOTAL 528000 /* s.general.2c4g for a month: 480,000 + 10% tax */

static tt_server srv;
static void start(void)
{
	setenv("TALLY_GATEWAY_SECRET", SECRET, 1);
	const char *const args[] = {"--sandbox-gateway", NULL};
	tt_server_start(&srv, args);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(gateway, .init = start, .fini = stop);

typedef struct customer {
	char account[64];
	char token[80];
	char wallet[64];
} customer;

static void new_customer(customer *c, int64_t credit)
{
	tt_create_account(&srv, "Gateway customer", c->account);
	tt_create_token(&srv, c->account, c->token);
	snprintf(c->wallet, sizeof(c->wallet), "cw_%s", strchr(c->account, '_') + 1);
	if (credit <= 0)
		return;
	char path[128], body[64];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", c->account);
	snprintf(body, sizeof(body), "{\"amount\":%lld}", (long long)credit);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token, body, NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
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

static tt_response pay_by_gateway(const customer *c, const char *id, const char *idem)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", id);
	return tt_request(&srv, "POST", path, c->token, "{\"method\":\"gateway\"}", idem);
}

/* The path and query of a redirect_url on this tallyd. */
static void redirect_of(const customer *c, const char *id, char *out, size_t size)
{
	tt_response r = pay_by_gateway(c, id, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	const char *url = json_string_value(json_object_get(r.json, "redirect_url"));
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "awaiting_payment");
	cr_assert_not_null(url, "%s", r.raw);
	cr_assert_eq(strncmp(url, srv.url, strlen(srv.url)), 0, "%s is not on %s", url, srv.url);
	snprintf(out, size, "%s", url + strlen(srv.url));
	tt_response_free(&r);
}

/* Starts a gateway payment of checkout id; its gateway transaction id into
 * txn (64 bytes). */
static void start_txn(const customer *c, const char *id, char *txn)
{
	tt_response r = pay_by_gateway(c, id, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	const char *t = json_string_value(json_object_get(r.json, "gateway_txn_id"));
	cr_assert_not_null(t, "%s", r.raw);
	snprintf(txn, 64, "%s", t);
	tt_response_free(&r);
}

static const char *checkout_status(const customer *c, const char *id, char *out)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	tt_response r = tt_request(&srv, "GET", path, c->token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
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

/* Transfers of a ledger account with this code: how many, and their sum. */
static int transfers_with_code(const char *account, const char *code, int64_t *sum)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/ledger/transfers?account=%s&limit=500", account);
	tt_response r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	int n = 0;
	*sum = 0;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(r.json, "data"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "code")), code) == 0) {
			n++;
			*sum += json_integer_value(json_object_get(t, "amount"));
		}
	}
	tt_response_free(&r);
	return n;
}

static int clearing_top_ups(int64_t *sum)
{
	return transfers_with_code("sys_gateway_clearing_vnd", "gateway_top_up", sum);
}

static void assert_books_balance(void)
{
	tt_response r = tt_request(&srv, "GET", "/v1/ledger/check", srv.admin_token, NULL, NULL);
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
}

/* Nothing moved and the checkout is open. */
static void assert_unchanged(const customer *c, const char *id, int64_t credit)
{
	char status[16];
	int64_t sum;
	cr_assert_str_eq(checkout_status(c, id, status), "open");
	cr_assert_eq(balance(c), credit);
	cr_assert_eq(clearing_top_ups(&sum), 0);
	assert_books_balance();
}

/* The test clock's now, in unix seconds. */
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

/* ---- signing notifications as the gateway would --------------------------- */

typedef struct notice {
	const char *txn_id;
	const char *checkout_id;
	int64_t amount;
	const char *result;
	int64_t ts;
	const char *currency; /* NULL: VND */
} notice;

/* The canonical string: parameters sorted by name, values URL-encoded (these
 * need no encoding), joined by '&'. */
static void canonical(const notice *n, char *out, size_t size)
{
	snprintf(out, size, "amount=%lld&checkout_id=%s&currency=%s&result=%s&ts=%lld&txn_id=%s",
		 (long long)n->amount, n->checkout_id, n->currency ? n->currency : "VND", n->result,
		 (long long)n->ts, n->txn_id);
}

static void sign(const char *text, const char *secret, char hex[129])
{
	unsigned char mac[crypto_auth_hmacsha512_BYTES];
	crypto_auth_hmacsha512_state st;
	crypto_auth_hmacsha512_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha512_update(&st, (const unsigned char *)text, strlen(text));
	crypto_auth_hmacsha512_final(&st, mac);
	sodium_bin2hex(hex, 129, mac, sizeof(mac));
}

static void form_of(const notice *n, const char *secret, char *out, size_t size)
{
	char text[512], hex[129];
	canonical(n, text, sizeof(text));
	sign(text, secret, hex);
	snprintf(out, size, "%s&signature=%s", text, hex);
}

static tt_response post_form(const char *path, const char *body)
{
	const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	return tt_request_h(&srv, "POST", path, headers, body, strlen(body));
}

static tt_response notify(const notice *n)
{
	char body[1024];
	form_of(n, SECRET, body, sizeof(body));
	return post_form("/v1/gateway/notify", body);
}

static tt_response notify_json(const notice *n)
{
	char text[512], hex[129], body[1024];
	canonical(n, text, sizeof(text));
	sign(text, SECRET, hex);
	snprintf(body, sizeof(body), "{\"txn_id\":\"%s\",\"checkout_id\":\"%s\",\"amount\":\"%lld\","
		 "\"currency\":\"VND\",\"result\":\"%s\",\"ts\":\"%lld\",\"signature\":\"%s\"}",
		 n->txn_id, n->checkout_id, (long long)n->amount, n->result, (long long)n->ts,
		 hex);
	return tt_request(&srv, "POST", "/v1/gateway/notify", NULL, body, NULL);
}

static void assert_error(tt_response *r, long status, const char *code)
{
	cr_assert_eq(r->status, status, "want %ld %s, got %ld %s", status, code, r->status,
		     r->raw);
	cr_assert_str_eq(tt_error_code(r), code, "%s", r->raw);
	tt_response_free(r);
}

/* ---- the whole flow through the sandbox page ----------------------------------- */

static bool has_event(const customer *c, const char *type)
{
	tt_response r = tt_request(&srv, "GET", "/v1/events?limit=500", c->token, NULL, NULL);
	bool found = false;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "data"), i, e)
		found = found || strcmp(json_string_value(json_object_get(e, "type")), type) == 0;
	tt_response_free(&r);
	return found;
}

static void assert_paid_once(const customer *c, const char *id, int64_t credit)
{
	char status[16];
	int64_t sum;
	cr_assert_str_eq(checkout_status(c, id, status), "paid");
	cr_assert_eq(clearing_top_ups(&sum), 1, "one top-up from gateway clearing");
	cr_assert_eq(sum, TOTAL);
	cr_assert_eq(transfers_with_code(c->wallet, "gateway_top_up", &sum), 1);
	cr_assert_eq(transfers_with_code(c->wallet, "purchase", &sum), 1);
	cr_assert_eq(sum, 480000, "wallet -> revenue");
	cr_assert_eq(transfers_with_code(c->wallet, "purchase_tax", &sum), 1);
	cr_assert_eq(sum, 48000, "wallet -> tax payable");
	cr_assert_eq(balance(c), credit, "the gateway's money paid the checkout, no more");
	assert_books_balance();
}

/* The path and query of the sandbox outcome page's link back (VNPay's
 * return URL with the IPN's signed parameters), its &amp; undone. */
static void return_link(const tt_response *r, char *out, size_t size)
{
	const char *href = strstr(r->raw, "id=\"return\" href=\"");
	cr_assert_not_null(href, "%s", r->raw);
	href += strlen("id=\"return\" href=\"") + strlen(srv.url);
	size_t n = 0;
	for (const char *p = href; *p && *p != '"' && n + 1 < size; p++) {
		out[n++] = *p;
		if (strncmp(p, "&amp;", 5) == 0)
			p += 4;
	}
	out[n] = '\0';
	cr_assert_eq(strncmp(out, "/v1/gateway/vnpay/return?", 25), 0, "%s", out);
}

/* The return URL is verified and sends the browser to the console's page
 * of the checkout; tampered, it is refused. */
static void follow_return(const char *back, const char *checkout, const char *result)
{
	tt_response r = tt_request(&srv, "GET", back, NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	char want[160];
	snprintf(want, sizeof(want), "/?checkout_id=%s&amp;result=%s\"", checkout, result);
	cr_assert(strstr(r.raw, want) && strstr(r.raw, "http-equiv=\"refresh\""), "want %s: %s",
		  want, r.raw);
	tt_response_free(&r);
	char tampered[2048];
	snprintf(tampered, sizeof(tampered), "%s", back);
	char *code = strstr(tampered, "vnp_ResponseCode=");
	cr_assert_not_null(code);
	code[17] = code[17] == '0' ? '2' : '0';
	r = tt_request(&srv, "GET", tampered, NULL, NULL, NULL);
	assert_error(&r, 401, "invalid_signature");
}

Test(gateway, a_payment_on_the_sandbox_page_tops_up_then_pays_the_checkout)
{
	customer c;
	new_customer(&c, 100000);
	char id[64], link[2048];
	new_checkout(&c, id);
	redirect_of(&c, id, link, sizeof(link));
	cr_assert_eq(strncmp(link, "/sandbox-gateway/pay?", 21), 0, "%s", link);
	assert_unchanged(&c, id, 100000); /* starting a payment moves nothing */

	tt_response r = tt_request(&srv, "GET", link, NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(r.content_type, "text/html; charset=utf-8");
	cr_assert(strstr(r.raw, "528,000 VND") && strstr(r.raw, "value=\"52800000\""), "%s", r.raw);
	cr_assert(strstr(r.raw, id) && strstr(r.raw, ">Pay<") && strstr(r.raw, ">Cancel<"));
	tt_response_free(&r);

	/* the page's form posts the link's parameters and the button pressed */
	char form[2200];
	snprintf(form, sizeof(form), "%s&action=pay", strchr(link, '?') + 1);
	r = post_form("/sandbox-gateway/pay", form);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert(strstr(r.raw, "checkout is paid"), "%s", r.raw);
	cr_assert(strstr(r.raw, "href=\"http://") && strstr(r.raw, "vnp_ResponseCode=00&amp;"),
		  "a link back: %s", r.raw);
	char back[2048];
	return_link(&r, back, sizeof(back));
	tt_response_free(&r);
	follow_return(back, id, "paid");

	assert_paid_once(&c, id, 100000);
	r = tt_request(&srv, "GET", "/v1/invoices", c.token, NULL, NULL);
	json_t *invoices = json_object_get(r.json, "data");
	cr_assert_eq(json_array_size(invoices), 1, "%s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(invoices, 0), "total")),
		     TOTAL);
	tt_response_free(&r);
	cr_assert(has_event(&c, "gateway.notification_applied"));
	cr_assert(has_event(&c, "checkout.gateway_payment_started"));
}

Test(gateway, cancel_on_the_page_leaves_the_checkout_open_to_pay_again)
{
	customer c;
	new_customer(&c, 0);
	char id[64], link[2048], form[2200];
	new_checkout(&c, id);
	redirect_of(&c, id, link, sizeof(link));
	snprintf(form, sizeof(form), "%s&action=cancel", strchr(link, '?') + 1);
	tt_response r = post_form("/sandbox-gateway/pay", form);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert(strstr(r.raw, "Payment cancelled") && strstr(r.raw, "vnp_ResponseCode=24&amp;"),
		  "%s", r.raw);
	char back[2048];
	return_link(&r, back, sizeof(back));
	tt_response_free(&r);
	follow_return(back, id, "cancelled");
	assert_unchanged(&c, id, 0);

	redirect_of(&c, id, link, sizeof(link)); /* a new gateway transaction */
	snprintf(form, sizeof(form), "%s&action=pay", strchr(link, '?') + 1);
	r = post_form("/sandbox-gateway/pay", form);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);
}

Test(gateway, a_tampered_payment_link_is_refused)
{
	customer c;
	new_customer(&c, 0);
	char id[64], link[2048], form[2200];
	new_checkout(&c, id);
	redirect_of(&c, id, link, sizeof(link));
	char *amount = strstr(link, "vnp_Amount=52800000");
	cr_assert_not_null(amount, "%s", link);
	memcpy(amount, "vnp_Amount=00000100", 19);
	tt_response r = tt_request(&srv, "GET", link, NULL, NULL, NULL);
	assert_error(&r, 401, "invalid_signature");
	snprintf(form, sizeof(form), "%s&action=pay", strchr(link, '?') + 1);
	r = post_form("/sandbox-gateway/pay", form);
	assert_error(&r, 401, "invalid_signature");
	assert_unchanged(&c, id, 0);
}

/* ---- notifications --------------------------------------------------------------- */

Test(gateway, a_wrong_signature_is_401_and_changes_nothing)
{
	customer c;
	new_customer(&c, 0);
	char id[64], body[1024];
	new_checkout(&c, id);
	notice n = {"gtx_forged", id, TOTAL, "paid", server_now(), NULL};
	form_of(&n, "not the secret", body, sizeof(body));
	tt_response r = post_form("/v1/gateway/notify", body);
	assert_error(&r, 401, "invalid_signature");
	/* no signature at all */
	char text[512];
	canonical(&n, text, sizeof(text));
	r = post_form("/v1/gateway/notify", text);
	assert_error(&r, 401, "invalid_signature");
	/* a signed message with one value changed afterwards */
	form_of(&n, SECRET, body, sizeof(body));
	char *amount = strstr(body, "amount=528000");
	memcpy(amount, "amount=528001", 13);
	r = post_form("/v1/gateway/notify", body);
	assert_error(&r, 401, "invalid_signature");
	assert_unchanged(&c, id, 0);
}

/* A notification for a transaction tallyd started, whose amount, currency
 * or checkout differ from what it started, is refused: the gateway's word
 * is checked against tallyd's record, not against the checkout as it is. */
Test(gateway, a_notification_unlike_the_payment_started_is_422_and_changes_nothing)
{
	customer c;
	new_customer(&c, 0);
	char id[64], other[64], txn[64];
	new_checkout(&c, id);
	new_checkout(&c, other); /* same customer, same total */
	start_txn(&c, id, txn);
	int64_t now = server_now();
	notice n = {txn, id, TOTAL - 1, "paid", now, NULL};
	tt_response r = notify(&n);
	assert_error(&r, 422, "amount_mismatch");
	n = (notice){txn, id, TOTAL, "paid", now, "USD"};
	r = notify(&n);
	assert_error(&r, 422, "currency_mismatch");
	n = (notice){txn, other, TOTAL, "paid", now, NULL};
	r = notify(&n);
	assert_error(&r, 422, "checkout_mismatch");
	assert_unchanged(&c, id, 0);
	assert_unchanged(&c, other, 0);
	/* refusals record nothing: the right notification still applies */
	n = (notice){txn, id, TOTAL, "paid", now, NULL};
	r = notify(&n);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);
}

/* A signed notification naming a transaction tallyd never started is not a
 * payment tallyd asked for: 404 and nothing changes, even for a real open
 * checkout of the right amount. */
Test(gateway, a_transaction_tallyd_did_not_start_is_404)
{
	customer c;
	new_customer(&c, 0);
	char id[64], txn[64];
	new_checkout(&c, id);
	notice n = {"gtx_nowhere", id, TOTAL, "paid", server_now(), NULL};
	tt_response r = notify(&n);
	assert_error(&r, 404, "gateway_txn_not_found");
	n.checkout_id = "chk_aaaaaaaaaaaaaaaa";
	r = notify(&n);
	assert_error(&r, 404, "gateway_txn_not_found");
	/* while another transaction for the checkout is pending */
	start_txn(&c, id, txn);
	n = (notice){"gtx_aaaaaaaaaaaaaaaa", id, TOTAL, "paid", server_now(), NULL};
	r = notify(&n);
	assert_error(&r, 404, "gateway_txn_not_found");
	assert_unchanged(&c, id, 0);
}

/* A gateway retries through an outage: a notification delayed past 15
 * minutes is not a replay (the transaction id stops those) and pays the
 * checkout if it is still open. */
Test(gateway, a_delayed_notification_still_pays_an_open_checkout)
{
	customer c;
	new_customer(&c, 0);
	char id[64], txn[64];
	new_checkout(&c, id);
	start_txn(&c, id, txn);
	int64_t paid_at = server_now();
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
				   "{\"advance_seconds\":1200}", NULL);
	tt_response_free(&r);
	notice n = {txn, id, TOTAL, "paid", paid_at, NULL};
	r = notify(&n);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "paid", "%s", r.raw);
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);
}

Test(gateway, the_same_notification_twice_is_applied_once)
{
	customer c;
	new_customer(&c, 0);
	char id[64], txn[64];
	new_checkout(&c, id);
	start_txn(&c, id, txn);
	notice n = {txn, id, TOTAL, "paid", server_now(), NULL};
	tt_response r = notify(&n);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "paid");
	const char *payment = json_string_value(json_object_get(r.json, "payment_id"));
	char payment_id[64];
	snprintf(payment_id, sizeof(payment_id), "%s", payment ? payment : "");
	cr_assert_eq(json_array_size(json_object_get(r.json, "invoice_ids")), 1);
	tt_response_free(&r);

	r = notify_json(&n); /* the same, sent as JSON this time */
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "already_applied");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "payment_id")), payment_id);
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);

	/* a gateway still retrying an hour later gets the same answer: its
	 * transaction is known */
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token,
		       "{\"advance_seconds\":3600}", NULL);
	tt_response_free(&r);
	r = notify(&n);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "already_applied");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "payment_id")), payment_id);
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);
}

Test(gateway, a_cancelled_notification_is_recorded_and_changes_nothing_else)
{
	customer c;
	new_customer(&c, 0);
	char id[64], txn[64];
	new_checkout(&c, id);
	start_txn(&c, id, txn);
	notice n = {txn, id, TOTAL, "cancelled", server_now(), NULL};
	tt_response r = notify(&n);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "cancelled");
	tt_response_free(&r);
	assert_unchanged(&c, id, 0);
	n.result = "paid"; /* the same transaction id cannot turn into a payment later */
	r = notify(&n);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "already_applied",
			 "%s", r.raw);
	tt_response_free(&r);
	assert_unchanged(&c, id, 0);
}

/* ---- money received is never refused ---------------------------------------------- */

static void advance_clock(int64_t seconds)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"advance_seconds\":%lld}", (long long)seconds);
	tt_response r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token, body, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
}

/* Delivers a paid notification for txn that the checkout can no longer
 * take, and checks the money stayed: 200 kept_as_credit with the reason,
 * the credit balance up by the amount (credit_before + TOTAL), one more
 * top-up from clearing, the books balanced, the event on the customer's
 * trail, the checkout in `status`; then a replay, which changes nothing. */
static void assert_kept_as_credit(const customer *c, const char *id, const notice *n,
				  int64_t credit_before, int top_ups_before, const char *reason,
				  const char *status)
{
	tt_response r = notify(n);
	cr_assert_eq(r.status, 200, "money received is never refused: %s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "kept_as_credit",
			 "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "reason")), reason, "%s",
			 r.raw);
	cr_assert_null(json_object_get(r.json, "payment_id"), "%s", r.raw);
	tt_response_free(&r);
	int64_t sum;
	char st[16];
	cr_assert_eq(balance(c), credit_before + TOTAL, "the money is the customer's credit");
	cr_assert_eq(clearing_top_ups(&sum), top_ups_before + 1);
	cr_assert_str_eq(checkout_status(c, id, st), status);
	cr_assert(has_event(c, "gateway.payment_kept_as_credit"));
	assert_books_balance();

	r = notify(n); /* the gateway's retry */
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "already_applied",
			 "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "recorded_status")),
			 "kept_as_credit", "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(balance(c), credit_before + TOTAL, "a replay changes nothing");
	cr_assert_eq(clearing_top_ups(&sum), top_ups_before + 1);
	assert_books_balance();
}

Test(gateway, paid_after_the_checkout_expired_is_kept_as_credit)
{
	customer c;
	new_customer(&c, 0);
	char id[64], txn[64];
	new_checkout(&c, id);
	start_txn(&c, id, txn);
	advance_clock(1860); /* the customer lingered on the gateway's page */
	notice n = {txn, id, TOTAL, "paid", server_now(), NULL};
	assert_kept_as_credit(&c, id, &n, 0, 0, "checkout_expired", "expired");
}

Test(gateway, paid_after_the_checkout_was_paid_by_credit_is_kept_as_credit)
{
	customer c;
	new_customer(&c, TOTAL);
	char id[64], txn[64], path[128];
	new_checkout(&c, id);
	start_txn(&c, id, txn);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", id);
	tt_response r = tt_request(&srv, "POST", path, c.token, "{\"method\":\"credit\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	cr_assert_eq(balance(&c), 0);
	notice n = {txn, id, TOTAL, "paid", server_now(), NULL};
	assert_kept_as_credit(&c, id, &n, 0, 0, "checkout_paid", "paid");
}

Test(gateway, paid_after_a_patch_changed_the_total_is_kept_as_credit)
{
	customer c;
	new_customer(&c, 0);
	char id[64], txn[64], path[128];
	new_checkout(&c, id);
	start_txn(&c, id, txn);
	snprintf(path, sizeof(path), "/v1/checkouts/%s", id);
	tt_response r = tt_request(&srv, "PATCH", path, c.token, "{\"cycle_months\":3}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_neq(json_integer_value(json_object_get(r.json, "total")), TOTAL, "%s", r.raw);
	tt_response_free(&r);
	notice n = {txn, id, TOTAL, "paid", server_now(), NULL};
	/* the checkout stays open for its new total, which the credit may pay */
	assert_kept_as_credit(&c, id, &n, 0, 0, "checkout_changed", "open");
}

Test(gateway, a_second_paid_attempt_is_kept_as_credit)
{
	customer c;
	new_customer(&c, 0);
	char id[64], first[64], second[64];
	new_checkout(&c, id);
	start_txn(&c, id, first);
	start_txn(&c, id, second); /* a second tab */
	notice n = {first, id, TOTAL, "paid", server_now(), NULL};
	tt_response r = notify(&n);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "paid");
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);
	n.txn_id = second;
	assert_kept_as_credit(&c, id, &n, 0, 1, "checkout_paid", "paid");
}

Test(gateway, a_notification_delayed_past_the_checkout_is_kept_as_credit)
{
	customer c;
	new_customer(&c, 0);
	char id[64], txn[64];
	new_checkout(&c, id);
	start_txn(&c, id, txn);
	int64_t paid_at = server_now();
	advance_clock(2 * 3600); /* the gateway could not reach tallyd for two hours */
	notice n = {txn, id, TOTAL, "paid", paid_at, NULL};
	assert_kept_as_credit(&c, id, &n, 0, 0, "checkout_expired", "expired");
}

/* ---- concurrency ------------------------------------------------------------------ */

enum { CLIENTS = 10 };
static char shared_id[64];
static char shared_txns[CLIENTS][64];
static customer shared_customer;
static int64_t shared_ts;

/* What a client saw: paid, the expected refusal, kept as credit, other. */
enum { PAID, REFUSED, KEPT, OTHER, OUTCOMES };

/* Forks n clients; client i runs fn(i), which exits with an outcome;
 * counts each. */
static void run_clients(int n, int (*fn)(int), int counts[OUTCOMES])
{
	pid_t pids[CLIENTS];
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		cr_assert(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(fn(i));
	}
	for (int i = 0; i < OUTCOMES; i++)
		counts[i] = 0;
	for (int i = 0; i < n; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : OTHER;
		counts[code >= OUTCOMES ? OTHER : code]++;
	}
}

static const char *status_of(const tt_response *r)
{
	const char *s = json_string_value(json_object_get(r->json, "status"));
	return s ? s : "";
}

static int notify_same_txn(int i)
{
	(void)i;
	notice n = {shared_txns[0], shared_id, TOTAL, "paid", shared_ts, NULL};
	tt_response r = notify(&n);
	int rc = r.status != 200 ? OTHER : strcmp(status_of(&r), "paid") == 0 ? PAID
	       : strcmp(status_of(&r), "already_applied") == 0 ? REFUSED : OTHER;
	tt_response_free(&r);
	return rc;
}

Test(gateway, ten_concurrent_copies_of_one_notification_pay_once)
{
	new_customer(&shared_customer, 0);
	new_checkout(&shared_customer, shared_id);
	start_txn(&shared_customer, shared_id, shared_txns[0]);
	shared_ts = server_now();
	int counts[OUTCOMES];
	run_clients(CLIENTS, notify_same_txn, counts);
	cr_assert_eq(counts[PAID], 1, "paid: %d", counts[PAID]);
	cr_assert_eq(counts[REFUSED], CLIENTS - 1, "already applied: %d", counts[REFUSED]);
	assert_paid_once(&shared_customer, shared_id, 0);
}

static int notify_own_txn(int i)
{
	notice n = {shared_txns[i], shared_id, TOTAL, "paid", shared_ts, NULL};
	tt_response r = notify(&n);
	int rc = r.status != 200 ? OTHER : strcmp(status_of(&r), "paid") == 0 ? PAID
	       : strcmp(status_of(&r), "kept_as_credit") == 0 ? KEPT : OTHER;
	tt_response_free(&r);
	return rc;
}

Test(gateway, ten_gateway_transactions_for_one_checkout_pay_it_once_and_keep_the_rest)
{
	new_customer(&shared_customer, 0);
	new_checkout(&shared_customer, shared_id);
	for (int i = 0; i < CLIENTS; i++)
		start_txn(&shared_customer, shared_id, shared_txns[i]);
	shared_ts = server_now();
	int counts[OUTCOMES];
	run_clients(CLIENTS, notify_own_txn, counts);
	cr_assert_eq(counts[PAID], 1, "paid: %d", counts[PAID]);
	cr_assert_eq(counts[KEPT], CLIENTS - 1, "kept as credit: %d", counts[KEPT]);
	char status[16];
	int64_t sum;
	cr_assert_str_eq(checkout_status(&shared_customer, shared_id, status), "paid");
	cr_assert_eq(clearing_top_ups(&sum), CLIENTS, "every payment received arrived");
	cr_assert_eq(sum, (int64_t)CLIENTS * TOTAL);
	cr_assert_eq(transfers_with_code(shared_customer.wallet, "purchase", &sum), 1);
	cr_assert_eq(balance(&shared_customer), (int64_t)(CLIENTS - 1) * TOTAL,
		     "what did not pay the checkout is the customer's credit");
	assert_books_balance();
}

/* A customer who presses pay in ten tabs: each starts a gateway payment and
 * pays it on the sandbox page. */
static int pay_in_a_tab(int i)
{
	(void)i;
	char link[2048], form[2200];
	tt_response r = pay_by_gateway(&shared_customer, shared_id, NULL);
	const char *url = json_string_value(json_object_get(r.json, "redirect_url"));
	int rc = url ? PAID : r.status == 409 ? REFUSED : OTHER;
	if (url)
		snprintf(link, sizeof(link), "%s", strchr(url, '?') + 1);
	tt_response_free(&r);
	if (rc != PAID)
		return rc;
	snprintf(form, sizeof(form), "%s&action=pay", link);
	r = post_form("/sandbox-gateway/pay", form);
	rc = r.status != 200 ? OTHER : strstr(r.raw, "checkout is paid") ? PAID
	   : strstr(r.raw, "kept as credit") ? KEPT : OTHER;
	tt_response_free(&r);
	return rc;
}

Test(gateway, ten_concurrent_pays_of_one_checkout_charge_once)
{
	new_customer(&shared_customer, 0);
	new_checkout(&shared_customer, shared_id);
	int counts[OUTCOMES];
	run_clients(CLIENTS, pay_in_a_tab, counts);
	/* a tab that starts after the payment is told the checkout is paid; one
	 * that started before pays on the page, and that money is credit */
	cr_assert_eq(counts[PAID], 1, "paid: %d, refused %d, kept %d, other %d", counts[PAID],
		     counts[REFUSED], counts[KEPT], counts[OTHER]);
	cr_assert_eq(counts[REFUSED] + counts[KEPT], CLIENTS - 1);
	char status[16];
	int64_t sum;
	cr_assert_str_eq(checkout_status(&shared_customer, shared_id, status), "paid");
	cr_assert_eq(clearing_top_ups(&sum), 1 + counts[KEPT]);
	cr_assert_eq(transfers_with_code(shared_customer.wallet, "purchase", &sum), 1);
	cr_assert_eq(balance(&shared_customer), (int64_t)counts[KEPT] * TOTAL);
	assert_books_balance();
}

/* ---- the pay call ---------------------------------------------------------------- */

Test(gateway, pay_by_gateway_is_idempotent_and_tenant_scoped)
{
	customer c, other;
	new_customer(&c, 0);
	new_customer(&other, 0);
	char id[64];
	new_checkout(&c, id);
	tt_response a = pay_by_gateway(&c, id, "tab-1");
	tt_response b = pay_by_gateway(&c, id, "tab-1");
	cr_assert_eq(a.status, 200, "%s", a.raw);
	cr_assert_str_eq(a.raw, b.raw, "a retry answers the first redirect");
	tt_response_free(&a);
	tt_response_free(&b);
	tt_response r = pay_by_gateway(&other, id, NULL);
	assert_error(&r, 404, "checkout_not_found");
	assert_unchanged(&c, id, 0);
}

/* Every started payment is kept (the gateway may still pay it), so a caller
 * pressing pay in a loop is stopped at 32 per checkout; those started still
 * complete. */
Test(gateway, a_checkout_starts_at_most_32_gateway_payments)
{
	customer c;
	new_customer(&c, 0);
	char id[64], first[64], txn[64];
	new_checkout(&c, id);
	start_txn(&c, id, first);
	for (int i = 1; i < 32; i++)
		start_txn(&c, id, txn);
	tt_response r = pay_by_gateway(&c, id, NULL);
	assert_error(&r, 429, "too_many_gateway_payments");
	notice n = {first, id, TOTAL, "paid", server_now(), NULL};
	r = notify(&n);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);
}

Test(gateway, malformed_notifications_are_400)
{
	tt_response r = post_form("/v1/gateway/notify", "amount=%zz");
	assert_error(&r, 400, "invalid_form");
	r = post_form("/v1/gateway/notify", "a=1&a=2");
	assert_error(&r, 400, "invalid_parameter");
	r = tt_request(&srv, "POST", "/v1/gateway/notify", NULL, "{\"amount\":528000}", NULL);
	assert_error(&r, 400, "invalid_type");
	r = tt_request(&srv, "POST", "/v1/gateway/notify", NULL, "{\"amount\":", NULL);
	assert_error(&r, 400, "invalid_json");
	/* signed, but not a notification (no result) */
	notice n = {"gtx_x", "chk_aaaaaaaaaaaaaaaa", TOTAL, "paid", server_now(), NULL};
	char text[512], hex[129], body[1024];
	snprintf(text, sizeof(text), "amount=%d&checkout_id=%s&currency=VND&ts=%lld&txn_id=%s",
		 TOTAL, n.checkout_id, (long long)n.ts, n.txn_id);
	sign(text, SECRET, hex);
	snprintf(body, sizeof(body), "%s&signature=%s", text, hex);
	r = post_form("/v1/gateway/notify", body);
	assert_error(&r, 400, "invalid_notification");
}

Test(gateway, without_the_sandbox_there_is_no_gateway)
{
	tt_server plain;
	unsetenv("TALLY_GATEWAY_SECRET");
	tt_server_start(&plain, NULL);
	char account[64], token[80];
	tt_create_account(&plain, "No gateway", account);
	tt_create_token(&plain, account, token);
	tt_response r = tt_request(&plain, "POST", "/v1/checkouts", token,
				   "{\"kind\":\"purchase\",\"items\":[{\"type\":\"server\",\"name\":"
				   "\"web\",\"spec\":{\"flavor\":\"s.general.2c4g\"}}],"
				   "\"cycle_months\":1}", NULL);
	char path[128];
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&plain, "POST", path, token, "{\"method\":\"gateway\"}", NULL);
	assert_error(&r, 422, "gateway_not_configured");
	r = tt_request(&plain, "GET", "/sandbox-gateway/pay?amount=1", NULL, NULL, NULL);
	assert_error(&r, 404, "not_found");
	r = tt_request(&plain, "POST", "/v1/gateway/notify", NULL, "{}", NULL);
	assert_error(&r, 422, "gateway_not_configured");
	tt_server_stop(&plain);
}

/* ---- the secret, kept per database ------------------------------------------------ */

static const char *const sandbox_args[] = {"--sandbox-gateway", NULL};

/* Without TALLY_GATEWAY_SECRET, the first start of a database generates the
 * secret and keeps it: a restart (or a second tallyd) signs and checks with
 * the same one, so payments started before it still complete. */
Test(gateway_secret, a_payment_started_before_a_restart_completes_after_it, .fini = stop)
{
	unsetenv("TALLY_GATEWAY_SECRET");
	tt_server_start(&srv, sandbox_args);
	customer c;
	new_customer(&c, 0);
	char id[64], link[2048], form[2200];
	new_checkout(&c, id);
	redirect_of(&c, id, link, sizeof(link));
	tt_server_restart(&srv, sandbox_args);

	tt_response r = tt_request(&srv, "GET", link, NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "the link signed before the restart still checks: %s", r.raw);
	tt_response_free(&r);
	snprintf(form, sizeof(form), "%s&action=pay", strchr(link, '?') + 1);
	r = post_form("/sandbox-gateway/pay", form);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert(strstr(r.raw, "checkout is paid"), "%s", r.raw);
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);
}

/* TALLY_GATEWAY_SECRET, when set, is the secret, whatever the database
 * keeps. */
Test(gateway_secret, the_environment_overrides_the_kept_secret, .fini = stop)
{
	unsetenv("TALLY_GATEWAY_SECRET");
	tt_server_start(&srv, sandbox_args);
	setenv("TALLY_GATEWAY_SECRET", SECRET, 1);
	tt_server_restart(&srv, sandbox_args);
	customer c;
	new_customer(&c, 0);
	char id[64], txn[64];
	new_checkout(&c, id);
	start_txn(&c, id, txn);
	notice n = {txn, id, TOTAL, "paid", server_now(), NULL};
	tt_response r = notify(&n);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	assert_paid_once(&c, id, 0);
}
