/*
 * gateway.c: what all redirect gateways share: bounded parameter sets read
 * from forms or JSON, their canonical string, and HMAC-SHA512 signatures
 * (libsodium) checked in constant time. The rules are in gateway.h.
 */
#include "gateway/gateway.h"
#include "common/utf8.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameter sets --------------------------------------------------- */

static bool name_ok(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len >= TL_GATEWAY_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/* Valid UTF-8 with no control bytes (values end up in JSON and HTML). */
static bool value_ok(const char *value)
{
	size_t len = strlen(value);
	if (len >= TL_GATEWAY_VALUE_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	char copy[TL_GATEWAY_VALUE_MAX];
	memcpy(copy, value, len + 1);
	tl_utf8_sanitize(copy);
	return strcmp(copy, value) == 0;
}

static int param_error(tl_error *err, const char *code, const char *name, const char *why)
{
	tl_error_set(err, TL_EINVALID, code, "parameter %.40s: %s", name, why);
	tl_error_details(err, json_pack("{s:s}", "parameter", name)); /* name_ok: plain ASCII */
	return TL_EINVALID;
}

int tl_gateway_params_add(tl_gateway_params *ps, const char *name, const char *value,
			  tl_error *err)
{
	if (!name_ok(name))
		return tl_error_set(err, TL_EINVALID, "invalid_parameter",
				    "parameter names are 1 to %u characters of a-z, A-Z, 0-9 and _",
				    TL_GATEWAY_NAME_MAX - 1);
	if (tl_gateway_params_get(ps, name))
		return param_error(err, "invalid_parameter", name, "given twice");
	if (!value_ok(value))
		return param_error(err, "invalid_parameter", name,
				   "too long, or not printable UTF-8 text");
	if (ps->count >= TL_GATEWAY_PARAMS_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_parameter",
				    "at most %u parameters", TL_GATEWAY_PARAMS_MAX);
	tl_gateway_param *p = &ps->items[ps->count++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->value, sizeof(p->value), "%s", value);
	return 0;
}

const char *tl_gateway_params_get(const tl_gateway_params *ps, const char *name)
{
	for (size_t i = 0; i < ps->count; i++)
		if (strcmp(ps->items[i].name, name) == 0)
			return ps->items[i].value;
	return NULL;
}

void tl_gateway_params_remove(tl_gateway_params *ps, const char *name)
{
	for (size_t i = 0; i < ps->count; i++) {
		if (strcmp(ps->items[i].name, name) == 0) {
			ps->items[i] = ps->items[--ps->count];
			return;
		}
	}
}

/* ---- forms and JSON ---------------------------------------------------- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) into out (size bytes with the NUL); false when
 * malformed, too long or when it decodes to a NUL. */
static bool form_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
			int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return false;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || n + 1 >= size)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return true;
}

static int form_pair(tl_gateway_params *out, const char *pair, size_t len, tl_error *err)
{
	const char *eq = memchr(pair, '=', len);
	size_t name_len = eq ? (size_t)(eq - pair) : len;
	char name[TL_GATEWAY_NAME_MAX], value[TL_GATEWAY_VALUE_MAX];
	if (!form_decode(pair, name_len, name, sizeof(name)) ||
	    !form_decode(eq ? eq + 1 : "", eq ? len - name_len - 1 : 0, value, sizeof(value)))
		return tl_error_set(err, TL_EINVALID, "invalid_form",
				    "the form has a malformed or over-long parameter");
	return tl_gateway_params_add(out, name, value, err);
}

int tl_gateway_params_from_form(tl_gateway_params *out, const char *body, size_t len,
				tl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > TL_GATEWAY_FORM_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_form",
				    "a gateway form is at most %u bytes", TL_GATEWAY_FORM_MAX);
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && body[i] != '&')
			continue;
		if (i > start) { /* "a=1&&b=2": empty pairs are skipped, as browsers do */
			int rc = form_pair(out, body + start, i - start, err);
			if (rc < 0)
				return rc;
		}
		start = i + 1;
	}
	return 0;
}

int tl_gateway_params_from_json(tl_gateway_params *out, const json_t *obj, tl_error *err)
{
	memset(out, 0, sizeof(*out));
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)(uintptr_t)obj, key, value) {
		if (!json_is_string(value))
			return param_error(err, "invalid_type",
					   name_ok(key) ? key : "?", "must be a string");
		int rc = tl_gateway_params_add(out, key, json_string_value(value), err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- the canonical string ------------------------------------------------ */

typedef struct text_buf {
	char *data;
	size_t size, len;
	bool overflow;
} text_buf;

static void buf_put(text_buf *b, const char *s, size_t n)
{
	if (b->overflow || n >= b->size - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* RFC 3986 (A-Z a-z 0-9 - . _ ~ as they are, every other byte %XX), or
 * PHP's urlencode (the same but '~' is encoded and space is '+'); hex in
 * upper case either way. */
static void buf_put_encoded(text_buf *b, const char *s, bool php)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned c = *p;
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
			     (c == '~' && !php);
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
		if (plain)
			buf_put(b, (const char *)p, 1);
		else if (php && c == ' ')
			buf_put(b, "+", 1);
		else
			buf_put(b, esc, 3);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const tl_gateway_param *const *)a)[0]->name,
		      ((const tl_gateway_param *const *)b)[0]->name);
}

/* The parameters keep() takes (all when NULL), sorted by name, name=value
 * joined by '&'; the scheme decides how names and values are encoded. */
static int canonical(const tl_gateway_scheme *scheme, bool (*keep)(const tl_gateway_scheme *,
								    const char *),
		     const tl_gateway_params *ps, char *out, size_t size, tl_error *err)
{
	const tl_gateway_param *sorted[TL_GATEWAY_PARAMS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < ps->count; i++)
		if (keep == NULL || keep(scheme, ps->items[i].name))
			sorted[n++] = &ps->items[i];
	qsort(sorted, n, sizeof(sorted[0]), by_name);
	text_buf b = {.data = out, .size = size};
	if (size > 0)
		out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_put(&b, "&", 1);
		if (scheme->php_urlencode)
			buf_put_encoded(&b, sorted[i]->name, true);
		else
			buf_put(&b, sorted[i]->name, strlen(sorted[i]->name));
		buf_put(&b, "=", 1);
		buf_put_encoded(&b, sorted[i]->value, scheme->php_urlencode);
	}
	if (b.overflow || size == 0)
		return tl_error_set(err, TL_EINTERNAL, NULL, "gateway parameters over %zu bytes",
				    size);
	return 0;
}

static bool is_signed(const tl_gateway_scheme *scheme, const char *name)
{
	return scheme->is_signed(name);
}

int tl_gateway_canonical(const tl_gateway_scheme *scheme, const tl_gateway_params *ps,
			 char *out, size_t size, tl_error *err)
{
	return canonical(scheme, is_signed, ps, out, size, err);
}

/* The sandbox's own scheme: every parameter but `signature`, values in
 * RFC 3986. */
static bool sandbox_signs(const char *name)
{
	return strcmp(name, "signature") != 0;
}

const tl_gateway_scheme tl_gateway_tally_scheme = {"signature", sandbox_signs, false};

int tl_gateway_params_encode(const tl_gateway_params *ps, bool with_signature, char *out,
			     size_t size, tl_error *err)
{
	return canonical(&tl_gateway_tally_scheme, with_signature ? NULL : is_signed, ps, out,
			 size, err);
}

/* ---- signatures ------------------------------------------------------------- */

static int mac(const tl_gateway_scheme *scheme, const tl_gateway_params *ps,
	       const char *secret, unsigned char out[crypto_auth_hmacsha512_BYTES],
	       tl_error *err)
{
	/* the parameters' limits bound the canonical string: each is at most
	 * a name and a value of which every byte may become %XX, '=' and '&' */
	size_t size = TL_GATEWAY_PARAMS_MAX * (3 * TL_GATEWAY_NAME_MAX + 3 * TL_GATEWAY_VALUE_MAX + 2);
	char *text = malloc(size);
	if (text == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	int rc = tl_gateway_canonical(scheme, ps, text, size, err);
	if (rc == 0) {
		/* the _init/_update/_final form takes a key of any length */
		crypto_auth_hmacsha512_state st;
		crypto_auth_hmacsha512_init(&st, (const unsigned char *)secret, strlen(secret));
		crypto_auth_hmacsha512_update(&st, (const unsigned char *)text, strlen(text));
		crypto_auth_hmacsha512_final(&st, out);
		sodium_memzero(&st, sizeof(st));
	}
	free(text);
	return rc;
}

int tl_gateway_scheme_sign(const tl_gateway_scheme *scheme, tl_gateway_params *ps,
			   const char *secret, tl_error *err)
{
	unsigned char sig[crypto_auth_hmacsha512_BYTES];
	int rc = mac(scheme, ps, secret, sig, err);
	if (rc < 0)
		return rc;
	char hex[TL_GATEWAY_SIGNATURE_HEX + 1];
	sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
	tl_gateway_params_remove(ps, scheme->signature);
	return tl_gateway_params_add(ps, scheme->signature, hex, err);
}

int tl_gateway_scheme_verify(const tl_gateway_scheme *scheme, const tl_gateway_params *ps,
			     const char *secret, tl_error *err)
{
	const char *given = tl_gateway_params_get(ps, scheme->signature);
	unsigned char claimed[crypto_auth_hmacsha512_BYTES];
	size_t claimed_len = 0;
	if (given == NULL || strlen(given) != TL_GATEWAY_SIGNATURE_HEX ||
	    sodium_hex2bin(claimed, sizeof(claimed), given, TL_GATEWAY_SIGNATURE_HEX, NULL,
			   &claimed_len, NULL) != 0 || claimed_len != sizeof(claimed))
		return tl_error_set(err, TL_EAUTH, "invalid_signature",
				    "%s is missing or is not 128 hex digits", scheme->signature);
	unsigned char expected[crypto_auth_hmacsha512_BYTES];
	int rc = mac(scheme, ps, secret, expected, err);
	if (rc < 0)
		return rc;
	if (sodium_memcmp(claimed, expected, sizeof(expected)) != 0)
		return tl_error_set(err, TL_EAUTH, "invalid_signature",
				    "%s does not match the parameters", scheme->signature);
	return 0;
}

int tl_gateway_sign(tl_gateway_params *ps, const char *secret, tl_error *err)
{
	return tl_gateway_scheme_sign(&tl_gateway_tally_scheme, ps, secret, err);
}

int tl_gateway_verify_signature(const tl_gateway_params *ps, const char *secret,
				tl_error *err)
{
	return tl_gateway_scheme_verify(&tl_gateway_tally_scheme, ps, secret, err);
}

/* ---- reading parameters ------------------------------------------------------ */

int tl_gateway_param_text(const tl_gateway_params *ps, const char *name, const char **out,
			  tl_error *err)
{
	*out = tl_gateway_params_get(ps, name);
	if (*out && (*out)[0])
		return 0;
	return param_error(err, "invalid_notification", name, "required");
}

int tl_gateway_param_int(const tl_gateway_params *ps, const char *name, int64_t min,
			 int64_t max, int64_t *out, tl_error *err)
{
	const char *text;
	int rc = tl_gateway_param_text(ps, name, &text, err);
	if (rc < 0)
		return rc;
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || *end || text[0] < '0' || text[0] > '9' || v < min || v > max)
		return param_error(err, "invalid_notification", name,
				   "must be a decimal integer in range");
	*out = v;
	return 0;
}

const char *tl_gateway_result_name(tl_gateway_result r)
{
	switch (r) {
	case TL_GATEWAY_PAID: return "paid";
	case TL_GATEWAY_CANCELLED: return "cancelled";
	case TL_GATEWAY_FAILED: return "failed";
	}
	return "failed";
}
