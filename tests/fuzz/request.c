/* request.c: see request.h. */
#include "request.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

static const fuzz_request *current; /* the query the MHD stand-ins answer */

static void parse_query(fuzz_request *r, char *query)
{
	while (query && r->query_count < FUZZ_QUERY_MAX) {
		char *next = strchr(query, '&');
		if (next)
			*next++ = '\0';
		char *eq = strchr(query, '=');
		if (eq)
			*eq++ = '\0';
		MHD_http_unescape(query);
		if (eq)
			MHD_http_unescape(eq);
		if (query[0] != '\0') {
			r->query_name[r->query_count] = query;
			r->query_value[r->query_count] = eq; /* "?name": NULL, as MHD */
			r->query_count++;
		}
		query = next;
	}
}

int fuzz_request_parse(fuzz_request *r, const uint8_t *data, size_t size)
{
	memset(r, 0, sizeof(*r));
	r->text = malloc(size + 1);
	if (r->text == NULL)
		return -1;
	memcpy(r->text, data, size);
	r->text[size] = '\0';
	char *nl = memchr(r->text, '\n', size);
	if (nl) {
		*nl = '\0';
		r->body = nl + 1;
		r->body_len = size - (size_t)(nl + 1 - r->text);
	} else {
		r->body = r->text + size;
	}
	char *space = strchr(r->text, ' ');
	r->method = r->text;
	r->path = "";
	if (space) {
		*space = '\0';
		r->path = space + 1;
		char *q = strchr(space + 1, '?');
		if (q)
			*q++ = '\0';
		parse_query(r, q);
	}
	current = r;
	return 0;
}

void fuzz_request_free(fuzz_request *r)
{
	if (current == r)
		current = NULL;
	free(r->text);
	r->text = NULL;
}

/* libmicrohttpd answers the first value of a repeated name. */
const char *MHD_lookup_connection_value(struct MHD_Connection *connection,
					enum MHD_ValueKind kind, const char *key)
{
	(void)connection;
	if (current == NULL || kind != MHD_GET_ARGUMENT_KIND || key == NULL)
		return NULL;
	for (size_t i = 0; i < current->query_count; i++)
		if (strcmp(current->query_name[i], key) == 0)
			return current->query_value[i];
	return NULL;
}

int MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
			      MHD_KeyValueIterator iterator, void *iterator_cls)
{
	(void)connection;
	if (current == NULL || kind != MHD_GET_ARGUMENT_KIND)
		return 0;
	int n = 0;
	for (size_t i = 0; i < current->query_count; i++) {
		n++;
		if (iterator && iterator(iterator_cls, kind, current->query_name[i],
					 current->query_value[i]) != MHD_YES)
			break;
	}
	return n;
}
