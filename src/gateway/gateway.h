/*
 * gateway.h: payment gateways behind one interface, and what every
 * redirect gateway shares: signed parameter sets.
 *
 * A redirect gateway (the Vietnamese kind, VNPay-like) takes a payment in
 * three steps:
 *
 *   1. start:  tally builds a signed URL of the gateway's payment page for a
 *              checkout's total, and the customer's browser is sent there;
 *   2. pay:    the customer pays (or cancels) on the gateway's page;
 *   3. notify: the gateway tells tally, server to server, with signed
 *              parameters (POST /v1/gateway/notify), and sends the browser
 *              back to the return URL.
 *
 * Only the notification moves money; the browser's return proves nothing.
 *
 * Signing. The canonical string of a parameter set is every parameter but
 * `signature`, sorted by name (bytewise), written name=value with the value
 * URL-encoded (RFC 3986: all but A-Z a-z 0-9 - . _ ~ as %XX, upper-case
 * hex), joined by '&'. The signature is HMAC-SHA512 of it keyed with the
 * shared secret's bytes, as 128 hex digits; it is compared in constant time.
 *
 * Invariants:
 *   1. A parameter set holds at most TL_GATEWAY_PARAMS_MAX parameters, each
 *      name at most once; every value is valid UTF-8 with no control bytes.
 *   2. Nothing in a notification is believed before its signature checks.
 *   3. A notification's time is not a reason to refuse it: a gateway
 *      retries through outages, and what stops a replay is its transaction
 *      id, which tally records when it starts the payment and applies once
 *      (service/gateway_payments.h).
 */
#ifndef TL_GATEWAY_H
#define TL_GATEWAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/limits.h"

/* Limits of gateway parameters. A notification has under 14 parameters;
 * the longest value is a return URL (public URL, path and a checkout id,
 * ~250 bytes). A form body is bounded so a caller cannot make the parser
 * work on megabytes of parameters. */
#define TL_GATEWAY_PARAMS_MAX 20u /* VNPay: 14 in a payment URL, 13 in an IPN */
#define TL_GATEWAY_NAME_MAX 32u    /* with the NUL */
#define TL_GATEWAY_VALUE_MAX 512u  /* with the NUL */
#define TL_GATEWAY_FORM_MAX 8192u  /* bytes of a form or JSON body */
#define TL_GATEWAY_URL_MAX 4096u   /* a payment page URL, with the NUL */
#define TL_GATEWAY_TXN_MAX 64u     /* a gateway transaction id, with the NUL */
#define TL_GATEWAY_SIGNATURE_HEX 128u

typedef struct tl_gateway_param {
	char name[TL_GATEWAY_NAME_MAX];
	char value[TL_GATEWAY_VALUE_MAX];
} tl_gateway_param;

typedef struct tl_gateway_params {
	size_t count;
	tl_gateway_param items[TL_GATEWAY_PARAMS_MAX];
} tl_gateway_params;

/* Adds a parameter: 400 invalid_parameter when the name is taken, not
 * [a-zA-Z0-9_] (VNPay's are vnp_TmnCode, ...) or too long, or the value is too long or not clean text. */
int tl_gateway_params_add(tl_gateway_params *ps, const char *name, const char *value,
			  tl_error *err);
/* The value, or NULL when absent. */
const char *tl_gateway_params_get(const tl_gateway_params *ps, const char *name);
void tl_gateway_params_remove(tl_gateway_params *ps, const char *name);

/* Parses an application/x-www-form-urlencoded body ('+' is a space, %XX a
 * byte): 400 invalid_form when malformed or over the limits. */
int tl_gateway_params_from_form(tl_gateway_params *out, const char *body, size_t len,
				tl_error *err);
/* Reads a JSON object whose members are all strings. */
int tl_gateway_params_from_json(tl_gateway_params *out, const json_t *obj, tl_error *err);

/* How a gateway signs its parameters: which it signs, how the canonical
 * string encodes them, and the parameter that carries the HMAC-SHA512. */
typedef struct tl_gateway_scheme {
	const char *signature; /* "signature", "vnp_SecureHash" */
	bool (*is_signed)(const char *name);
	bool php_urlencode; /* names and values as PHP's urlencode (VNPay); else
			     * names as they are and values in RFC 3986 */
} tl_gateway_scheme;

extern const tl_gateway_scheme tl_gateway_tally_scheme; /* the sandbox's own (above) */

/* The signed parameters sorted by name, encoded and joined by '&';
 * TL_EINTERNAL when out is short. */
int tl_gateway_canonical(const tl_gateway_scheme *scheme, const tl_gateway_params *ps,
			 char *out, size_t size, tl_error *err);
/* Sets scheme->signature on ps. */
int tl_gateway_scheme_sign(const tl_gateway_scheme *scheme, tl_gateway_params *ps,
			   const char *secret, tl_error *err);
/* 401 invalid_signature when the signature is missing, malformed or wrong
 * (compared in constant time). */
int tl_gateway_scheme_verify(const tl_gateway_scheme *scheme, const tl_gateway_params *ps,
			     const char *secret, tl_error *err);

/* The parameters sorted, encoded and joined (see above); with_signature
 * adds `signature` too (a query string); TL_EINTERNAL when out is short. */
int tl_gateway_params_encode(const tl_gateway_params *ps, bool with_signature, char *out,
			     size_t size, tl_error *err);

/* Sets the `signature` parameter of ps. */
int tl_gateway_sign(tl_gateway_params *ps, const char *secret, tl_error *err);
/* 401 invalid_signature when `signature` is missing, malformed or wrong. */
int tl_gateway_verify_signature(const tl_gateway_params *ps, const char *secret,
				tl_error *err);

/* A required parameter, or 400 invalid_notification naming it. */
int tl_gateway_param_text(const tl_gateway_params *ps, const char *name, const char **out,
			  tl_error *err);
/* A required decimal integer parameter in [min, max]. */
int tl_gateway_param_int(const tl_gateway_params *ps, const char *name, int64_t min,
			 int64_t max, int64_t *out, tl_error *err);

/* ---- the adapter interface -------------------------------------------- */

typedef struct tl_gateway_config {
	const char *secret;     /* the shared HMAC secret */
	const char *public_url; /* how browsers reach tallyd */
	const char *pay_url;    /* VNPay: its payment page; NULL: the sandbox's */
	const char *tmn_code;   /* VNPay: the merchant's terminal code */
	const char *client_ip;  /* VNPay: the requesting customer's address */
} tl_gateway_config;

/* One payment to start on a gateway. */
typedef struct tl_gateway_payment {
	const char *txn_id;
	const char *checkout_id;
	int64_t amount;         /* minor units */
	const char *currency;
	const char *return_url; /* where the browser goes back to */
	int64_t now;
	int64_t expires_at;     /* VNPay: the checkout's expiry (0: now + 15 min) */
	const char *ip_addr;    /* VNPay: the customer's address (NULL: 127.0.0.1) */
} tl_gateway_payment;

typedef enum { TL_GATEWAY_PAID, TL_GATEWAY_CANCELLED, TL_GATEWAY_FAILED } tl_gateway_result;

const char *tl_gateway_result_name(tl_gateway_result r);

/* What a verified notification says. */
typedef struct tl_gateway_notice {
	char txn_id[TL_GATEWAY_TXN_MAX];
	char checkout_id[TL_ID_MAX];
	int64_t amount;
	char currency[4];
	tl_gateway_result result;
	int64_t ts;
	char gateway_ref[TL_GATEWAY_TXN_MAX]; /* VNPay: vnp_TransactionNo, or "" */
	char bank_code[24];                   /* VNPay: vnp_BankCode, or "" */
} tl_gateway_notice;

typedef struct tl_gateway {
	const char *name; /* "sandbox", "vnpay" */
	/* Writes the gateway's signed payment page URL for p into out_url. */
	int (*start)(const tl_gateway_config *cfg, const tl_gateway_payment *p, char *out_url,
		     size_t size, tl_error *err);
	/* Checks a notification, in this order: its signature (401
	 * invalid_signature), its form (400 invalid_notification); fills out
	 * only when both pass. Whether tally started the transaction, and
	 * whether it was applied already, is the caller's to check. */
	int (*verify)(const tl_gateway_config *cfg, const tl_gateway_params *params,
		      tl_gateway_notice *out, tl_error *err);
} tl_gateway;

/* ---- sandbox.c: the sandbox gateway (tests and demos) ------------------ */

extern const tl_gateway tl_gateway_sandbox;

/* Reads a sandbox payment page link (its query parameters): 401
 * invalid_signature unless it was signed with the secret; out points into
 * link. */
int tl_sandbox_read_link(const tl_gateway_config *cfg, const tl_gateway_params *link,
			 tl_gateway_payment *out, tl_error *err);

/* The signed notification the sandbox sends for a link's payment. */
int tl_sandbox_notification(const tl_gateway_config *cfg, const tl_gateway_payment *p,
			    tl_gateway_result result, int64_t now, tl_gateway_params *out,
			    tl_error *err);

/* ---- vnpay.c: VNPay's published protocol (version 2.1.0) -------------------- *
 *
 * Payment URL: <pay_url>?<signed query> with vnp_Version=2.1.0,
 * vnp_Command=pay, vnp_TmnCode, vnp_Amount (VND x 100), vnp_CurrCode=VND,
 * vnp_TxnRef (tally's gateway transaction id), vnp_OrderInfo, vnp_OrderType,
 * vnp_ReturnUrl, vnp_IpAddr, vnp_CreateDate and vnp_ExpireDate
 * (yyyyMMddHHmmss in GMT+7), vnp_Locale.
 *
 * Signing (VNPay's reference code): every vnp_* parameter but
 * vnp_SecureHash and vnp_SecureHashType, sorted by name (bytewise), each
 * name and value form-encoded as PHP's urlencode does (A-Z a-z 0-9 - _ .
 * kept, space as '+', every other byte %XX with upper-case hex), written
 * name=value and joined by '&'; vnp_SecureHash is HMAC-SHA512 of that
 * keyed with the hash secret, as hex (either case is accepted).
 *
 * IPN and return: vnp_TmnCode, vnp_Amount, vnp_TxnRef, vnp_ResponseCode,
 * vnp_TransactionStatus (both "00": paid; vnp_ResponseCode "24": the
 * customer cancelled; else failed), vnp_TransactionNo, vnp_BankCode,
 * vnp_PayDate, vnp_OrderInfo, ... and vnp_SecureHash. A notice from VNPay
 * names no checkout (the caller takes it from tally's record of the
 * transaction) and is always in VND. */

extern const tl_gateway tl_gateway_vnpay;

/* The canonical (signed) string of ps: see above; TL_EINTERNAL when short. */
int tl_vnpay_canonical(const tl_gateway_params *ps, char *out, size_t size, tl_error *err);
/* Sets vnp_SecureHash (lower-case hex) on ps. */
int tl_vnpay_sign(tl_gateway_params *ps, const char *secret, tl_error *err);
/* 401 invalid_signature when vnp_SecureHash is missing, malformed or wrong. */
int tl_vnpay_verify_signature(const tl_gateway_params *ps, const char *secret, tl_error *err);
/* The signed query string of ps (the canonical string and vnp_SecureHash). */
int tl_vnpay_query(const tl_gateway_params *ps, char *out, size_t size, tl_error *err);
/* t as yyyyMMddHHmmss in GMT+7 (out: 15 bytes), and back (false when not). */
void tl_vnpay_format_time(int64_t t, char out[15]);
bool tl_vnpay_parse_time(const char *text, int64_t *out);

/* The sandbox as a VNPay stand-in: reads a payment URL's query (401
 * invalid_signature unless signed with cfg->secret); out points into link,
 * its checkout_id at vnp_OrderInfo (which names the checkout). */
int tl_vnpay_read_payment(const tl_gateway_config *cfg, const tl_gateway_params *link,
			  tl_gateway_payment *out, tl_error *err);
/* The signed IPN (and return) parameters VNPay sends for a payment. */
int tl_vnpay_notification(const tl_gateway_config *cfg, const tl_gateway_payment *p,
			  tl_gateway_result result, int64_t now, tl_gateway_params *out,
			  tl_error *err);

#endif
