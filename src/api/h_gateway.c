/*
 * h_gateway.c: HTTP handlers for paying through a redirect gateway
 * (service/gateway_payments.h) and for the sandbox gateway's own pages.
 *
 *   POST /v1/checkouts/{id}/pay {method: gateway}  -> redirect_url: VNPay's
 *                                                     payment URL (h_commerce.c
 *                                                     hands the call here)
 *   GET  /v1/gateway/vnpay/ipn?<vnp_*>             -> VNPay's IPN, answered
 *                                                     {RspCode, Message}
 *   GET  /v1/gateway/vnpay/return?<vnp_*>          -> the browser back from
 *                                                     VNPay: verified, then
 *                                                     sent to the console
 *   GET  /sandbox-gateway/pay?<vnp_* payment URL>  -> the sandbox, a VNPay
 *                                                     stand-in: Pay / Cancel
 *   POST /sandbox-gateway/pay (form)               -> the sandbox sends its IPN
 *                                                     to the VNPay adapter, then
 *                                                     the browser to the return
 *   POST /v1/gateway/notify (form or JSON)         -> tally's own signed
 *                                                     notification (sandbox only)
 *
 * Payments go through the VNPay adapter: to VNPay itself with --vnpay-url
 * and --vnpay-tmn-code, or to the sandbox under --sandbox-gateway.
 */
#include "api/api.h"
#include "common/log.h"
#include "domain/currency.h"
#include "gateway/gateway.h"
#include "service/gateway_payments.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The gateway payments go through, or NULL (and 422) when none is set up. */
static const tl_gateway *active_gateway(const tl_request *req, tl_error *err)
{
	if (req->app->sandbox_gateway || req->app->vnpay_url[0])
		return &tl_gateway_vnpay;
	tl_error_set(err, TL_ERULE, "gateway_not_configured",
		     "no payment gateway is configured on this tallyd (start it with "
		     "--vnpay-url, or --sandbox-gateway for the sandbox); pay by credit");
	return NULL;
}

static tl_gateway_config config_of(const tl_app *app)
{
	return (tl_gateway_config){.secret = app->gateway_secret,
				   .public_url = app->public_url,
				   .pay_url = app->vnpay_url[0] ? app->vnpay_url : NULL,
				   .tmn_code = app->vnpay_tmn_code[0] ? app->vnpay_tmn_code : NULL};
}

/* The connection's peer address as text into out (INET6_ADDRSTRLEN). */
static void client_ip(const tl_request *req, char *out, size_t size)
{
	snprintf(out, size, "127.0.0.1");
	const union MHD_ConnectionInfo *info =
		req->conn ? MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS)
			  : NULL;
	const struct sockaddr *sa = info ? info->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)size);
}

/* ---- POST /v1/checkouts/{id}/pay, method gateway ------------------------------ */

typedef struct start_call {
	tl_request *req;
	tl_response *res;
	const tl_gateway *gw;
	tl_gateway_config cfg;
	char ip[INET6_ADDRSTRLEN];
	tl_gateway_started started; /* a URL of up to 4 KiB */
} start_call;

static int start_tx(tl_tx *tx, void *arg, tl_error *err)
{
	start_call *s = arg;
	int rc = tl_gateway_payments_start(tx, &s->req->ctx, s->gw, &s->cfg, s->req->params[0],
					   &s->started, err);
	if (rc == 0)
		tl_respond_json(s->res, 200,
				json_pack("{s:s, s:s, s:s, s:s}", "status", "awaiting_payment",
					  "redirect_url", s->started.redirect_url, "gateway",
					  s->gw->name, "gateway_txn_id", s->started.txn_id));
	return rc;
}

int tl_h_pay_gateway(tl_request *req, tl_response *res, tl_error *err)
{
	const tl_gateway *gw = active_gateway(req, err);
	if (gw == NULL)
		return TL_ERULE;
	start_call *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	*s = (start_call){.req = req, .res = res, .gw = gw, .cfg = config_of(req->app)};
	client_ip(req, s->ip, sizeof(s->ip));
	s->cfg.client_ip = s->ip;
	int rc = tl_api_write(req, res, start_tx, s, err);
	free(s);
	return rc;
}

/* ---- POST /v1/wallets/top-ups --------------------------------------------------- */

typedef struct top_up_call {
	tl_request *req;
	tl_response *res;
	const tl_gateway *gw;
	tl_gateway_config cfg;
	int64_t amount;
	char ip[INET6_ADDRSTRLEN];
	tl_gateway_started started;
} top_up_call;

static int top_up_tx(tl_tx *tx, void *arg, tl_error *err)
{
	top_up_call *t = arg;
	int rc = tl_gateway_payments_start_top_up(tx, &t->req->ctx, t->gw, &t->cfg, t->amount,
						  "VND", &t->started, err);
	if (rc == 0)
		tl_respond_json(t->res, 201,
				json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "status",
					  "awaiting_payment", "redirect_url",
					  t->started.redirect_url, "gateway", t->gw->name,
					  "gateway_txn_id", t->started.txn_id, "amount",
					  (json_int_t)t->amount, "currency", "VND"));
	return rc;
}

int tl_h_top_up_gateway(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {{"amount", TL_JSON_INTEGER, true}};
	json_t *body = NULL;
	int64_t amount = 0;
	/* the body first, as on every write route: a malformed one is 400
	 * whatever the server's gateway */
	int rc = tl_json_body(req, &body, err);
	rc = rc ? rc : tl_json_check(body, fields, 1, err);
	rc = rc ? rc : tl_json_int_range(body, "amount", 1, TL_GATEWAY_TOP_UP_MAX, &amount, err);
	json_decref(body);
	if (rc < 0)
		return rc;
	const tl_gateway *gw = active_gateway(req, err);
	if (gw == NULL)
		return TL_ERULE;
	top_up_call *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	*t = (top_up_call){.req = req, .res = res, .gw = gw, .cfg = config_of(req->app),
			   .amount = amount};
	client_ip(req, t->ip, sizeof(t->ip));
	t->cfg.client_ip = t->ip;
	rc = tl_api_write(req, res, top_up_tx, t, err);
	free(t);
	return rc;
}

/* ---- delivering a notification --------------------------------------------------- */

typedef struct notify_call {
	tl_request *req;
	tl_response *res;
	const tl_gateway *gw;
	tl_gateway_config cfg;
	tl_gateway_params params;
} notify_call;

static json_t *applied_json(const tl_gateway_applied *a)
{
	const tl_gateway_notice *n = &a->notice;
	json_t *j = json_pack("{s:s, s:s, s:s}", "status", a->status, "gateway_txn_id", n->txn_id,
			      "checkout_id", n->checkout_id);
	if (a->recorded_result[0])
		json_object_set_new(j, "result", json_string(a->recorded_result));
	if (a->recorded_status[0])
		json_object_set_new(j, "recorded_status", json_string(a->recorded_status));
	if (a->reason[0])
		json_object_set_new(j, "reason", json_string(a->reason));
	if (a->payment_id[0])
		json_object_set_new(j, "payment_id", json_string(a->payment_id));
	if (a->invoice_ids)
		json_object_set(j, "invoice_ids", a->invoice_ids);
	return j;
}

static int apply_tx(tl_tx *tx, void *arg, tl_error *err)
{
	notify_call *n = arg;
	tl_gateway_applied applied;
	int rc = tl_gateway_payments_apply(tx, &n->req->ctx, n->gw, &n->cfg, &n->params,
					   &applied, err);
	if (rc == 0)
		tl_respond_json(n->res, 200, applied_json(&applied));
	json_decref(applied.invoice_ids);
	return rc;
}

/* Applies n->params in one write transaction; the answer (or the use
 * case's error) is in res. */
static int deliver(notify_call *n, tl_error *err)
{
	return tl_api_write(n->req, n->res, apply_tx, n, err);
}

static notify_call *new_notify_call(tl_request *req, tl_response *res, const tl_gateway *gw)
{
	notify_call *n = calloc(1, sizeof(*n));
	if (n)
		*n = (notify_call){.req = req, .res = res, .gw = gw, .cfg = config_of(req->app)};
	return n;
}

/* ---- POST /v1/gateway/notify ---------------------------------------------------- */

/* A JSON object of strings when the body starts with '{' (no form can:
 * parameter names are a-z 0-9 _), else a form. */
static int read_notification(const tl_request *req, tl_gateway_params *out, tl_error *err)
{
	if (req->body_len > TL_GATEWAY_FORM_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_form",
				    "a gateway notification is at most %u bytes",
				    TL_GATEWAY_FORM_MAX);
	size_t i = 0;
	while (i < req->body_len && (req->body[i] == ' ' || req->body[i] == '\n' ||
				     req->body[i] == '\r' || req->body[i] == '\t'))
		i++;
	if (i == req->body_len || req->body[i] != '{')
		return tl_gateway_params_from_form(out, req->body, req->body_len, err);
	json_t *obj = NULL;
	int rc = tl_json_body(req, &obj, err);
	if (rc == 0)
		rc = tl_gateway_params_from_json(out, obj, err);
	json_decref(obj);
	return rc;
}

int tl_h_gateway_notify(tl_request *req, tl_response *res, tl_error *err)
{
	/* tally's own signed format: the sandbox's, not VNPay's (its IPN below) */
	if (!req->app->sandbox_gateway)
		return tl_error_set(err, TL_ERULE, "gateway_not_configured",
				    "tally's own notification format is taken only under "
				    "--sandbox-gateway; VNPay notifies GET /v1/gateway/vnpay/ipn");
	notify_call *n = new_notify_call(req, res, &tl_gateway_sandbox);
	if (n == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = read_notification(req, &n->params, err);
	if (rc == 0)
		rc = deliver(n, err);
	free(n);
	return rc;
}

/* ---- HTML ------------------------------------------------------------------------ */

#define PAGE_MAX (32u * 1024u) /* a page: a few hundred bytes and a signed link */

typedef struct html {
	char *data;
	size_t len;
	bool overflow;
} html;

static void html_raw(html *h, const char *s)
{
	size_t n = strlen(s);
	if (h->overflow || n >= PAGE_MAX - h->len) {
		h->overflow = true;
		return;
	}
	memcpy(h->data + h->len, s, n + 1);
	h->len += n;
}

/* Text (or an attribute value) with the five special characters escaped. */
static void html_text(html *h, const char *s)
{
	char one[2] = {0};
	for (; *s; s++) {
		switch (*s) {
		case '&': html_raw(h, "&amp;"); break;
		case '<': html_raw(h, "&lt;"); break;
		case '>': html_raw(h, "&gt;"); break;
		case '"': html_raw(h, "&quot;"); break;
		case '\'': html_raw(h, "&#39;"); break;
		default: one[0] = *s; html_raw(h, one); break;
		}
	}
}

static void html_begin(html *h, const char *title, const char *refresh_url)
{
	html_raw(h, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width\">");
	if (refresh_url) {
		html_raw(h, "<meta http-equiv=\"refresh\" content=\"3;url=");
		html_text(h, refresh_url);
		html_raw(h, "\">");
	}
	html_raw(h, "<title>");
	html_text(h, title);
	html_raw(h, "</title><style>body{font-family:sans-serif;max-width:34rem;margin:3rem auto;"
		    "padding:0 1rem}dt{color:#555}dd{margin:0 0 .8rem;font-size:1.2rem}"
		    "button{font-size:1.1rem;padding:.5rem 1.5rem;margin-right:1rem}</style>"
		    "</head><body><h1>Sandbox payment gateway</h1>\n<p>This page stands in for "
		    "a real payment gateway (VNPay-like). No real money moves.</p>\n");
}

/* Answers the page, or 500 when it outgrew PAGE_MAX. */
static int html_finish(html *h, tl_response *res, unsigned status, tl_error *err)
{
	html_raw(h, "</body></html>\n");
	if (h->overflow) {
		free(h->data);
		return tl_error_set(err, TL_EINTERNAL, NULL, "the page is over %u bytes", PAGE_MAX);
	}
	tl_response_reset(res);
	res->status = status;
	res->text = h->data;
	res->content_type = "text/html; charset=utf-8";
	return 0;
}

/* "1,250,000 VND", or "12.50 USD" for a currency with minor digits. */
static void format_money(int64_t amount, const char *currency, char *out, size_t size)
{
	const tl_currency *cur = tl_currency_find(currency);
	int digits = cur && cur->minor_digits <= 4 ? cur->minor_digits : 0;
	int64_t scale = 1;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	char whole[32], grouped[48];
	snprintf(whole, sizeof(whole), "%lld", (long long)(amount / scale));
	size_t len = strlen(whole), n = 0;
	for (size_t i = 0; i < len && n + 2 < sizeof(grouped); i++) {
		if (i > 0 && (len - i) % 3 == 0)
			grouped[n++] = ',';
		grouped[n++] = whole[i];
	}
	grouped[n] = '\0';
	char minor[8] = "";
	if (digits > 0)
		snprintf(minor, sizeof(minor), ".%0*d", digits, (int)(amount % scale));
	int n2 = snprintf(out, size, "%s%s %s", grouped, minor, currency);
	(void)n2; /* a cut-off amount still shows; the form carries the exact one */
}

/* ---- GET /sandbox-gateway/pay ------------------------------------------------------- */

static bool sandbox_on(const tl_request *req, tl_error *err)
{
	if (req->app->sandbox_gateway)
		return true;
	tl_error_set(err, TL_ENOTFOUND, "not_found",
		     "no such path: %s (the sandbox gateway is off)", req->route->pattern);
	return false;
}

typedef struct query_reader {
	tl_gateway_params *params;
	tl_error *err;
	int rc;
} query_reader;

static enum MHD_Result read_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	(void)kind;
	query_reader *q = cls;
	q->rc = tl_gateway_params_add(q->params, key, value ? value : "", q->err);
	return q->rc == 0 ? MHD_YES : MHD_NO;
}

/* Every query parameter: an added one breaks the signature too. */
static int read_link(tl_request *req, tl_gateway_params *out, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	query_reader q = {.params = out, .err = err};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, read_query_arg, &q);
	return q.rc;
}

static void page_detail(html *h, const char *term, const char *id, const char *value)
{
	html_raw(h, "<dt>");
	html_text(h, term);
	html_raw(h, "</dt><dd id=\"");
	html_raw(h, id);
	html_raw(h, "\">");
	html_text(h, value);
	html_raw(h, "</dd>");
}

static void page_form(html *h, const tl_gateway_params *link)
{
	html_raw(h, "<form method=\"post\" action=\"/sandbox-gateway/pay\">\n");
	for (size_t i = 0; i < link->count; i++) {
		html_raw(h, "<input type=\"hidden\" name=\"");
		html_text(h, link->items[i].name);
		html_raw(h, "\" value=\"");
		html_text(h, link->items[i].value);
		html_raw(h, "\">\n");
	}
	html_raw(h, "<button type=\"submit\" name=\"action\" value=\"pay\">Pay</button>"
		    "<button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>\n"
		    "</form>\n");
}

static int render_payment_page(tl_response *res, const tl_gateway_params *link,
			       const tl_gateway_payment *p, tl_error *err)
{
	html h = {.data = malloc(PAGE_MAX)};
	if (h.data == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	h.data[0] = '\0';
	char money[64];
	format_money(p->amount, p->currency, money, sizeof(money));
	html_begin(&h, "Pay - sandbox gateway", NULL);
	html_raw(&h, "<dl>");
	page_detail(&h, "Amount", "amount", money);
	page_detail(&h, "Order", "checkout", p->checkout_id ? p->checkout_id : "");
	page_detail(&h, "Gateway transaction", "txn", p->txn_id);
	html_raw(&h, "</dl>\n");
	page_form(&h, link);
	return html_finish(&h, res, 200, err);
}

int tl_h_sandbox_page(tl_request *req, tl_response *res, tl_error *err)
{
	if (!sandbox_on(req, err))
		return TL_ENOTFOUND;
	tl_gateway_params *link = calloc(1, sizeof(*link));
	if (link == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_gateway_config cfg = config_of(req->app);
	tl_gateway_payment p;
	int rc = read_link(req, link, err);
	rc = rc ? rc : tl_vnpay_read_payment(&cfg, link, &p, err);
	rc = rc ? rc : render_payment_page(res, link, &p, err);
	free(link);
	return rc;
}

/* ---- POST /sandbox-gateway/pay ------------------------------------------------------- */

/* The page's form: the signed link and action=pay or cancel. */
static int read_action(const tl_request *req, tl_gateway_params *link,
		       tl_gateway_result *out, tl_error *err)
{
	int rc = tl_gateway_params_from_form(link, req->body, req->body_len, err);
	if (rc < 0)
		return rc;
	const char *action = tl_gateway_params_get(link, "action");
	if (action && strcmp(action, "pay") == 0)
		*out = TL_GATEWAY_PAID;
	else if (action && strcmp(action, "cancel") == 0)
		*out = TL_GATEWAY_CANCELLED;
	else
		return tl_error_set(err, TL_EINVALID, "invalid_action",
				    "the form's action must be pay or cancel");
	tl_gateway_params_remove(link, "action");
	return 0;
}

/* What the notification's answer (in res) means for the customer: a
 * sentence into out, and a word for the return URL (paid, kept_as_credit,
 * cancelled, already_applied or error). */
static const char *outcome_text(const tl_response *res, char *out, size_t size)
{
	static const char *const words[] = {"paid", "kept_as_credit", "cancelled",
					    "already_applied", "topped_up"};
	static const char *const texts[] = {
		"Payment received: tally applied it and the checkout is paid.",
		("Payment received: the checkout could no longer be paid, so the money was "
		 "kept as credit on the account."),
		"Payment cancelled: the checkout stays open until it expires.",
		"This payment was sent to tally already; nothing changed.",
		"Payment received: the money is on the account as credit."};
	json_t *body = res->json ? json_incref(res->json)
				 : json_loads(res->text ? res->text : "", 0, NULL);
	const char *status = json_string_value(json_object_get(body, "status"));
	const char *message = json_string_value(
		json_object_get(json_object_get(body, "error"), "message"));
	const char *word = "error";
	snprintf(out, size, "tally refused the payment: %s", message ? message : "no answer");
	for (size_t i = 0; status && i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(status, words[i]) == 0) {
			word = words[i];
			snprintf(out, size, "%s", texts[i]);
		}
	}
	json_decref(body);
	return word;
}

/* VNPay sends the browser to vnp_ReturnUrl with the IPN's signed
 * parameters. */
static int render_outcome(tl_response *res, const tl_gateway_payment *p,
			  const tl_gateway_params *ipn, tl_error *err)
{
	char text[TL_ERROR_MESSAGE_MAX + 64];
	unsigned status = res->status;
	(void)outcome_text(res, text, sizeof(text));
	char *back = malloc(TL_GATEWAY_URL_MAX);
	if (back == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int n = snprintf(back, TL_GATEWAY_URL_MAX, "%s%c", p->return_url,
			 strchr(p->return_url, '?') ? '&' : '?');
	int rc = n > 0 && (size_t)n < TL_GATEWAY_URL_MAX
			 ? tl_vnpay_query(ipn, back + n, TL_GATEWAY_URL_MAX - (size_t)n, err)
			 : tl_error_set(err, TL_EINTERNAL, NULL, "the return URL is too long");
	html h = {.data = rc == 0 ? malloc(PAGE_MAX) : NULL};
	if (h.data == NULL) {
		free(back);
		return rc ? rc : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	}
	h.data[0] = '\0';
	html_begin(&h, "Payment result - sandbox gateway", back);
	html_raw(&h, "<p id=\"outcome\">");
	html_text(&h, text);
	html_raw(&h, "</p>\n<p><a id=\"return\" href=\"");
	html_text(&h, back);
	html_raw(&h, "\">Return to the merchant</a></p>\n");
	free(back);
	return html_finish(&h, res, status, err);
}

int tl_h_sandbox_action(tl_request *req, tl_response *res, tl_error *err)
{
	if (!sandbox_on(req, err))
		return TL_ENOTFOUND;
	notify_call *n = new_notify_call(req, res, &tl_gateway_vnpay);
	tl_gateway_params *link = calloc(1, sizeof(*link));
	int rc = n && link ? 0 : tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_gateway_result result = TL_GATEWAY_FAILED;
	tl_gateway_payment p;
	rc = rc ? rc : read_action(req, link, &result, err);
	rc = rc ? rc : tl_vnpay_read_payment(&n->cfg, link, &p, err);
	/* VNPay calls the IPN URL over the network; the sandbox lives in this
	 * process, so it hands the same signed parameters to the same adapter
	 * and use case directly, in one write transaction. */
	rc = rc ? rc : tl_vnpay_notification(&n->cfg, &p, result, req->ctx.now, &n->params, err);
	rc = rc ? rc : deliver(n, err);
	rc = rc ? rc : render_outcome(res, &p, &n->params, err);
	free(link);
	free(n);
	return rc;
}

/* ---- GET /v1/gateway/vnpay/ipn -------------------------------------------------- */

/* VNPay's answer code for an IPN from tally's answer: its status, or its
 * error's code (refusals are answered, not failed: see transact.c). */
static void ipn_answer(tl_response *res, const char *status, const char *error)
{
	static const struct {
		const char *status, *error, *code, *message;
	} map[] = {
		{"already_applied", NULL, "02", "Order already confirmed"},
		{NULL, "invalid_signature", "97", "Invalid signature"},
		{NULL, "gateway_txn_not_found", "01", "Order not found"},
		{NULL, "amount_mismatch", "04", "Invalid amount"},
	};
	const char *code = status ? "00" : "99", *message = status ? "Confirm Success"
								   : "Unknown error";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if ((map[i].status && status && strcmp(map[i].status, status) == 0) ||
		    (map[i].error && error && strcmp(map[i].error, error) == 0)) {
			code = map[i].code;
			message = map[i].message;
		}
	}
	tl_response_reset(res);
	tl_respond_json(res, 200, json_pack("{s:s, s:s}", "RspCode", code, "Message", message));
}

/* Answered 200 {RspCode, Message} whatever happened, as VNPay expects; a
 * failure of the store is 99, which VNPay retries. */
int tl_h_vnpay_ipn(tl_request *req, tl_response *res, tl_error *err)
{
	if (active_gateway(req, err) == NULL)
		return TL_ERULE;
	notify_call *n = new_notify_call(req, res, &tl_gateway_vnpay);
	if (n == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = read_link(req, &n->params, err);
	rc = rc ? rc : deliver(n, err);
	char status[24] = "", error[48] = "";
	if (rc < 0) {
		snprintf(error, sizeof(error), "%s", err->code);
	} else if (res->json && res->status < 300) {
		const char *s = json_string_value(json_object_get(res->json, "status"));
		snprintf(status, sizeof(status), "%s", s ? s : "");
	} else if (res->json) {
		const char *e = json_string_value(
			json_object_get(json_object_get(res->json, "error"), "code"));
		snprintf(error, sizeof(error), "%s", e ? e : "");
	}
	tl_log("info", "vnpay_ipn",
	       json_pack("{s:s, s:s}", "status", status, "error", error));
	ipn_answer(res, status[0] ? status : NULL, error);
	tl_error_clear(err);
	free(n);
	return 0;
}

/* ---- GET /v1/gateway/vnpay/return ----------------------------------------------- */

typedef struct return_call {
	const char *txn_id;
	char checkout_id[TL_ID_MAX];
} return_call;

static int return_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return_call *r = arg;
	return tl_gateway_payments_checkout_of(tx, r->txn_id, r->checkout_id, err);
}

/* Proves nothing and moves nothing (only the IPN does): checked like an
 * IPN, it sends the browser to the console's page of the checkout with
 * what VNPay said (paid, cancelled or failed). */
int tl_h_vnpay_return(tl_request *req, tl_response *res, tl_error *err)
{
	if (active_gateway(req, err) == NULL)
		return TL_ERULE;
	tl_gateway_params *ps = calloc(1, sizeof(*ps));
	if (ps == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	tl_gateway_config cfg = config_of(req->app);
	tl_gateway_notice notice;
	int rc = read_link(req, ps, err);
	rc = rc ? rc : tl_gateway_vnpay.verify(&cfg, ps, &notice, err);
	free(ps);
	return_call r = {.txn_id = notice.txn_id};
	rc = rc ? rc : tl_api_read(req, return_tx, &r, err);
	if (rc < 0)
		return rc;
	char back[TL_GATEWAY_VALUE_MAX + 96];
	if (r.checkout_id[0]) /* a checkout's payment: its page in the console */
		snprintf(back, sizeof(back), "%s/?checkout_id=%s&result=%s", req->app->public_url,
			 r.checkout_id, tl_gateway_result_name(notice.result));
	else /* a top-up of credit: the wallets */
		snprintf(back, sizeof(back), "%s/?top_up=%s&result=%s#/wallets",
			 req->app->public_url, notice.txn_id,
			 tl_gateway_result_name(notice.result));
	html h = {.data = malloc(PAGE_MAX)};
	if (h.data == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	h.data[0] = '\0';
	html_raw(&h, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		     "<meta http-equiv=\"refresh\" content=\"0;url=");
	html_text(&h, back);
	html_raw(&h, "\"><title>Returning to tally</title></head><body><p><a id=\"return\" "
		     "href=\"");
	html_text(&h, back);
	html_raw(&h, "\">Back to the console</a></p>\n");
	return html_finish(&h, res, 200, err);
}
