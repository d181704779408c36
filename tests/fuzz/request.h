/*
 * request.h: an HTTP request from fuzz input, for the harnesses that drive
 * the api layer without a socket (fuzz_router, fuzz_request).
 *
 * The input is "METHOD PATH[?QUERY]" up to the first newline, then the
 * body. The query string stands in for libmicrohttpd's parsed arguments:
 * request.c defines MHD_lookup_connection_value and
 * MHD_get_connection_values, which the harness executables take instead
 * of the library's, answering from the input's query as libmicrohttpd
 * would ('&'-separated name=value, '+' and %XX unescaped).
 */
#ifndef TL_FUZZ_REQUEST_H
#define TL_FUZZ_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_QUERY_MAX 16

typedef struct fuzz_request {
	char *text;   /* the input's copy, NUL-terminated, cut in pieces */
	const char *method;
	const char *path;
	const char *body;
	size_t body_len;
	size_t query_count;
	const char *query_name[FUZZ_QUERY_MAX];
	const char *query_value[FUZZ_QUERY_MAX];
} fuzz_request;

/* Splits the input; -1 when out of memory. The query is what the MHD
 * stand-ins answer until the next call. */
int fuzz_request_parse(fuzz_request *r, const uint8_t *data, size_t size);
void fuzz_request_free(fuzz_request *r);

#endif
