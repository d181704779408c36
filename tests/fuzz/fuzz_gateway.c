/*
 * fuzz_gateway.c: a payment gateway's notification (src/gateway/), the one
 * body tallyd takes from outside without a token: POST /v1/gateway/notify,
 * a form (or a JSON object of strings) whose HMAC signature is all that
 * stands between a stranger and a paid checkout.
 *
 * The body is read as h_gateway.c reads it, then checked as a notification
 * (the signature first: a random one must never pass). To reach the code
 * behind the signature too, the same parameters are then signed with the
 * secret and checked again, as a notification and as a sandbox payment
 * link; their canonical encoding must stay within its buffer.
 */
#include "fuzz.h"

#include "gateway/gateway.h"

#include <sodium.h>

static const tl_gateway_config config = {.secret = "fuzz-secret",
					 .public_url = "http://127.0.0.1:8080"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

/* As read_notification in src/api/h_gateway.c: JSON when it starts with
 * '{', else a form. */
static int read_params(const char *body, size_t len, tl_gateway_params *out, tl_error *err)
{
	if (len == 0 || body[0] != '{')
		return tl_gateway_params_from_form(out, body, len, err);
	json_t *obj = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return TL_EINVALID;
	}
	int rc = tl_gateway_params_from_json(out, obj, err);
	json_decref(obj);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > TL_GATEWAY_FORM_MAX)
		return 0; /* h_gateway.c refuses those before parsing */
	char *body = fuzz_strdup(data, size);
	if (body == NULL)
		return 0;
	tl_gateway_params ps = {0};
	tl_error err = {0};
	tl_gateway_notice notice;
	if (read_params(body, size, &ps, &err) == 0) {
		/* A forged signature must not pass (one in 2^512 would). */
		if (tl_gateway_sandbox.verify(&config, &ps, &notice, &err) == 0)
			FUZZ_ASSERT(tl_gateway_verify_signature(&ps, config.secret, &err) == 0);
		tl_error_clear(&err);

		if (tl_gateway_sign(&ps, config.secret, &err) == 0) {
			FUZZ_ASSERT(tl_gateway_verify_signature(&ps, config.secret, &err) == 0);
			(void)tl_gateway_sandbox.verify(&config, &ps, &notice, &err);
			tl_error_clear(&err);
			tl_gateway_payment link;
			(void)tl_sandbox_read_link(&config, &ps, &link, &err);
			tl_error_clear(&err);
			char *encoded = malloc(TL_GATEWAY_URL_MAX);
			if (encoded)
				(void)tl_gateway_params_encode(&ps, true, encoded,
							       TL_GATEWAY_URL_MAX, &err);
			free(encoded);
		}
	}
	tl_error_clear(&err);
	free(body);
	return 0;
}
