/*
 * err.h: tally's error codes and the error object that carries a failure from
 * where it is found to the HTTP answer.
 *
 * Functions return 0 or a negative tl_err. The first function that finds a
 * failure fills the tl_error with the stable API code (snake_case, clients
 * test it) and a message for people; callers above only propagate it. A
 * message is set once and never overwritten (tl_error_set is a no-op on an
 * error that is already set), so the answer names the real cause.
 */
#ifndef TL_ERR_H
#define TL_ERR_H

#include <jansson.h>
#include "common/limits.h"

typedef enum {
	TL_OK = 0,
	TL_EINVALID = -1,   /* malformed input: 400 */
	TL_EAUTH = -2,      /* missing or bad credentials: 401 */
	TL_EFORBIDDEN = -3, /* authenticated but not allowed: 403 */
	TL_ENOTFOUND = -4,  /* no such object (or not yours): 404 */
	TL_EMETHOD = -5,    /* path exists, method does not: 405 */
	TL_ECONFLICT = -6,  /* conflicts with the current state: 409 */
	TL_ETOOLARGE = -7,  /* request body over the limit: 413 */
	TL_ERULE = -8,      /* well-formed but the rules say no: 422 */
	TL_EFUNDS = -9,     /* not enough money: 422 */
	TL_ELIMIT = -10,    /* rate or capacity limit: 429 */
	TL_EINTERNAL = -11, /* a bug or an unexpected failure: 500 */
	TL_EUNAVAILABLE = -12 /* store unreachable or shutting down: 503 */
} tl_err;

typedef struct tl_error {
	int err;                 /* a tl_err, 0 when no error is set */
	char code[48];           /* stable API code, e.g. "unknown_field" */
	char message[TL_ERROR_MESSAGE_MAX];
	json_t *details;         /* optional object, owned */
} tl_error;

/* Records the failure unless one is already recorded; returns `err` so a
 * caller can write `return tl_error_set(e, TL_EINVALID, "x", "...")`. */
int tl_error_set(tl_error *e, int err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Attaches details (steals the reference) to the recorded error. */
void tl_error_details(tl_error *e, json_t *details);

void tl_error_clear(tl_error *e);

/* HTTP status for an error code. */
unsigned tl_err_http_status(int err);

/* Generic API code for an error kind, used when no specific one was set. */
const char *tl_err_default_code(int err);

#endif
