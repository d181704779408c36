/*
 * fuzz_vnpay.c: VNPay's IPN and return (src/gateway/vnpay.c), reached by
 * anyone without a token: GET /v1/gateway/vnpay/ipn?<vnp_*> and
 * /v1/gateway/vnpay/return. Their query is parameters under an
 * HMAC-SHA512 signature of VNPay's canonical form encoding.
 *
 * The input is read as a form (the query's name=value pairs), then checked
 * as VNPay's notification (the signature first: a random one must never
 * pass). To reach the code behind the signature, the same parameters are
 * then signed with the secret and checked again, as a notification and as
 * the sandbox's reading of a payment URL; the signed query must stay within
 * its buffer and be read back to the same signature.
 */
#include "fuzz.h"

#include "gateway/gateway.h"

#include <sodium.h>
#include <stdlib.h>

static const tl_gateway_config config = {.secret = "fuzz-secret",
					 .public_url = "http://127.0.0.1:8080"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

/* The signed query, parsed again, still carries a valid signature. */
static void query_round_trip(const tl_gateway_params *ps)
{
	tl_error err = {0};
	char *query = malloc(TL_GATEWAY_URL_MAX);
	tl_gateway_params *again = calloc(1, sizeof(*again));
	if (query && again && tl_vnpay_query(ps, query, TL_GATEWAY_URL_MAX, &err) == 0 &&
	    tl_gateway_params_from_form(again, query, strlen(query), &err) == 0)
		FUZZ_ASSERT(tl_vnpay_verify_signature(again, config.secret, &err) == 0);
	tl_error_clear(&err);
	free(again);
	free(query);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > TL_GATEWAY_FORM_MAX)
		return 0; /* longer queries are refused before they are read */
	char *body = fuzz_strdup(data, size);
	tl_gateway_params *ps = calloc(1, sizeof(*ps));
	if (body == NULL || ps == NULL) {
		free(body);
		free(ps);
		return 0;
	}
	tl_error err = {0};
	tl_gateway_notice notice;
	if (tl_gateway_params_from_form(ps, body, size, &err) == 0) {
		/* A forged signature must not pass (one in 2^512 would). */
		if (tl_gateway_vnpay.verify(&config, ps, &notice, &err) == 0)
			FUZZ_ASSERT(tl_vnpay_verify_signature(ps, config.secret, &err) == 0);
		tl_error_clear(&err);

		if (tl_vnpay_sign(ps, config.secret, &err) == 0) {
			FUZZ_ASSERT(tl_vnpay_verify_signature(ps, config.secret, &err) == 0);
			(void)tl_gateway_vnpay.verify(&config, ps, &notice, &err);
			tl_error_clear(&err);
			tl_gateway_payment payment;
			(void)tl_vnpay_read_payment(&config, ps, &payment, &err);
			tl_error_clear(&err);
			query_round_trip(ps);
		}
	}
	tl_error_clear(&err);
	free(ps);
	free(body);
	return 0;
}
