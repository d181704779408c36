/*
 * server.c: libmicrohttpd glue. For each request: route and authenticate as
 * soon as the headers are in, then admit and collect the body, call the
 * handler, send its answer, and on completion log the access line and
 * record metrics. It also keeps connections from outstaying their welcome.
 *
 * Request states (per MHD callback sequence):
 *   URI seen --too long / too many parameters?--> answered 414 / 400
 *   headers --route? token? size? budget?--> answered 404/405, 401/403,
 *              413, 503 before a byte of the body is read (MHD then closes
 *              the connection rather than read it) : BODY
 *   BODY --body chunks--> BODY --last call--> DISPATCHED --completed--> freed
 *
 * Why authenticate first: a body is buffered whole, and an unauthenticated
 * client must not make the server hold megabytes for it. Only a request
 * that passed its route's token check may send up to TL_MAX_BODY_BYTES; a
 * route that takes no token up to TL_MAX_UNAUTH_BODY_BYTES. Every body's
 * bytes are reserved from one budget (TL_BODY_BUDGET_BYTES) before they
 * are read: the announced Content-Length at once, a chunked body as it
 * comes. A body that does not fit is answered 503 server_busy at once (a
 * chunked one is read on and discarded, up to its cap, then answered).
 *
 * Connection phases, tracked per connection (MHD_OPTION_NOTIFY_CONNECTION)
 * because libmicrohttpd's own timeout counts only silence, which a client
 * sending a byte now and then never leaves:
 *
 *   phase     from                      deadline                 shed when full
 *   WAITING   connect / previous answer  header / idle timeout    yes, oldest first
 *   BODY      headers complete           body timeout             no
 *   BUSY      dispatch, or an answer     none (MHD's inactivity)  no
 *
 * 1. A reaper thread closes (shutdown(2)) every connection past its
 *    deadline; its thread then sees end-of-file and MHD cleans up.
 * 2. When a new connection makes more than TL_MAX_CONNECTIONS -
 *    TL_CONNECTIONS_SPARE open, the WAITING connection that has waited
 *    longest is closed, so a flood of idle or slow connections turns over
 *    instead of locking everyone out: per-IP limits would not help (proxies
 *    and NAT share addresses) and MHD's own limit refuses the newcomers.
 * 3. A tracked connection's socket is shut down only under conns_lock, and
 *    MHD reports a connection closed (which unlinks it under the same lock)
 *    before it closes the socket, so the descriptor is never a reused one.
 *
 * The query string is checked in the URI callback, before MHD parses it:
 * MHD keeps every parameter in the connection's small memory pool and
 * closes the connection without an answer when it runs out. An over-long
 * or over-full query is therefore cut (the byte after '?' becomes NUL, so
 * MHD parses an empty query) and the request answered 414 or 400.
 */
#include "api/server.h"
#include "api/metrics.h"
#include "api/static_files.h"
#include "common/log.h"
#include "common/utf8.h"
#include "service/accounts.h"
#include "service/admin.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef enum { CONN_WAITING, CONN_BODY, CONN_BUSY } conn_phase;

/* One open connection, for deadlines and shedding; on the list from MHD's
 * STARTED notification to its CLOSED one. */
typedef struct tracked_conn {
	struct tracked_conn *prev, *next;
	int fd;
	conn_phase phase;
	bool shed;           /* shut down by us; MHD will report it closed */
	int64_t since_ms;    /* when the phase began (monotonic) */
	int64_t deadline_ms; /* 0: none */
} tracked_conn;

struct tl_server {
	struct MHD_Daemon *daemon;
	tl_app *app;
	atomic_int in_flight;
	atomic_bool draining; /* shutting down: refuse new requests, close connections */
	atomic_size_t body_bytes; /* reserved from TL_BODY_BUDGET_BYTES */
	tl_server_timeouts timeouts;
	pthread_mutex_t conns_lock; /* the list, its count, and every entry's fields */
	pthread_cond_t reaper_wake;
	tracked_conn *conns;
	unsigned conns_open; /* on the list and not shed */
	bool reaper_stop;
	pthread_t reaper;
};

typedef enum { URI_OK, URI_TOO_LONG, URI_TOO_MANY_PARAMS } uri_verdict;

typedef struct request_state {
	tl_server *server;
	bool begun;           /* on_request has seen it (counted in in_flight) */
	uri_verdict uri;
	tl_request req;       /* routed and authenticated at the headers */
	char *body;
	size_t body_len;
	size_t body_alloc;    /* bytes allocated at body */
	size_t body_cap;      /* the most this route's body may be */
	size_t reserved;      /* bytes of the body budget this request holds */
	size_t discarded;     /* chunked body over the budget: bytes dropped */
	bool over_budget;
	size_t route_index;
	unsigned status;
	struct timespec started;
	char actor[TL_ID_MAX];
	char method[16];
	char path[256]; /* for the access log; longer paths are cut */
} request_state;

static uint64_t elapsed_us(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t us = (int64_t)(now.tv_sec - since->tv_sec) * 1000000 +
		     (now.tv_nsec - since->tv_nsec) / 1000;
	return us > 0 ? (uint64_t)us : 0;
}

static int64_t monotonic_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* ---- the body budget ---- */

static bool budget_take(tl_server *s, size_t bytes)
{
	size_t used = atomic_load(&s->body_bytes);
	do {
		if (bytes > TL_BODY_BUDGET_BYTES || used > TL_BODY_BUDGET_BYTES - bytes)
			return false;
	} while (!atomic_compare_exchange_weak(&s->body_bytes, &used, used + bytes));
	return true;
}

static void budget_give(tl_server *s, size_t bytes)
{
	atomic_fetch_sub(&s->body_bytes, bytes);
}

/* ---- connection phases, deadlines and shedding ---- */

static tracked_conn *tracked(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return info ? info->socket_context : NULL;
}

/* Closes c: its thread sees end-of-file and MHD cleans up. Under conns_lock. */
static void conn_shed(tl_server *s, tracked_conn *c)
{
	if (c->shed)
		return;
	c->shed = true;
	s->conns_open--;
	shutdown(c->fd, SHUT_RDWR);
}

static void conn_enter(tl_server *s, struct MHD_Connection *conn, conn_phase phase,
		       unsigned timeout_ms)
{
	pthread_mutex_lock(&s->conns_lock);
	tracked_conn *c = tracked(conn);
	if (c) {
		c->phase = phase;
		c->since_ms = monotonic_ms();
		c->deadline_ms = timeout_ms ? c->since_ms + timeout_ms : 0;
	}
	pthread_mutex_unlock(&s->conns_lock);
}

/* The WAITING connection, other than fresh, that has waited longest. */
static tracked_conn *longest_waiting(tl_server *s, const tracked_conn *fresh)
{
	tracked_conn *oldest = NULL;
	for (tracked_conn *c = s->conns; c; c = c->next)
		if (c != fresh && !c->shed && c->phase == CONN_WAITING &&
		    (oldest == NULL || c->since_ms < oldest->since_ms))
			oldest = c;
	return oldest;
}

static void conn_started(tl_server *s, struct MHD_Connection *conn, void **socket_context)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	tracked_conn *c = info ? calloc(1, sizeof(*c)) : NULL;
	*socket_context = c;
	if (c == NULL)
		return; /* untracked: MHD's own timeout still applies */
	c->fd = info->connect_fd;
	c->phase = CONN_WAITING;
	c->since_ms = monotonic_ms();
	c->deadline_ms = c->since_ms + s->timeouts.header_ms;
	pthread_mutex_lock(&s->conns_lock);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->conns_open++;
	while (s->conns_open > TL_MAX_CONNECTIONS - TL_CONNECTIONS_SPARE) {
		tracked_conn *victim = longest_waiting(s, c);
		if (victim == NULL)
			break;
		conn_shed(s, victim);
	}
	pthread_mutex_unlock(&s->conns_lock);
}

static void conn_closed(tl_server *s, void **socket_context)
{
	tracked_conn *c = *socket_context;
	if (c == NULL)
		return;
	pthread_mutex_lock(&s->conns_lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!c->shed)
		s->conns_open--;
	pthread_mutex_unlock(&s->conns_lock);
	free(c);
	*socket_context = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		conn_started(cls, conn, socket_context);
	else
		conn_closed(cls, socket_context);
}

static void *reaper_main(void *arg)
{
	tl_server *s = arg;
	pthread_mutex_lock(&s->conns_lock);
	while (!s->reaper_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)TL_REAPER_PERIOD_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&s->reaper_wake, &s->conns_lock, &until);
		int64_t now = monotonic_ms();
		for (tracked_conn *c = s->conns; c; c = c->next)
			if (c->deadline_ms && now >= c->deadline_ms)
				conn_shed(s, c);
	}
	pthread_mutex_unlock(&s->conns_lock);
	return NULL;
}

static void reaper_stop(tl_server *s)
{
	pthread_mutex_lock(&s->conns_lock);
	s->reaper_stop = true;
	pthread_cond_signal(&s->reaper_wake);
	pthread_mutex_unlock(&s->conns_lock);
	pthread_join(s->reaper, NULL);
}

/* ---- the request target, before MHD parses it ---- */

static uri_verdict check_uri(const char *uri)
{
	if (strlen(uri) > TL_MAX_URI_BYTES)
		return URI_TOO_LONG;
	const char *query = strchr(uri, '?');
	if (query == NULL)
		return URI_OK;
	unsigned params = 1;
	for (const char *p = query + 1; *p; p++)
		if (*p == '&' && ++params > TL_MAX_QUERY_PARAMS)
			return URI_TOO_MANY_PARAMS;
	return URI_OK;
}

/* MHD's URI callback: the first thing known of a request. What it returns
 * is the request's state (on_request's *con_cls). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)conn;
	request_state *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->server = cls;
	st->uri = check_uri(uri);
	char *query = strchr(uri, '?');
	if (st->uri != URI_OK && query && query[1]) {
		/* uri points into MHD's (writable) read buffer; MHD parses the
		 * query after this call, from the byte after '?' */
		query[1] = '\0';
	}
	return st;
}

/* Sends res; returns MHD's verdict. */
static enum MHD_Result send_response(struct MHD_Connection *conn, request_state *st,
				     tl_response *res, const char *allow)
{
	char *body = tl_response_body_text(res);
	size_t len = body ? (res->text && res->text_len ? res->text_len : strlen(body)) : 0;
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body ? body : (char *)"", MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type",
				res->content_type ? res->content_type : "application/json");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (res->replayed)
		MHD_add_response_header(r, "Idempotent-Replayed", "true");
	if (allow && allow[0])
		MHD_add_response_header(r, "Allow", allow);
	if (res->status == 401)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
	if (res->status == 503)
		MHD_add_response_header(r, "Retry-After", "1");
	if (atomic_load(&st->server->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ok = MHD_queue_response(conn, res->status, r);
	MHD_destroy_response(r);
	if (ok == MHD_YES)
		st->status = res->status;
	return ok;
}

/* status 0: the one err's kind maps to. */
static enum MHD_Result send_error_status(struct MHD_Connection *conn, request_state *st,
					 tl_error *err, const char *allow, unsigned status)
{
	tl_response res = {0};
	tl_respond_error(&res, err);
	if (status)
		res.status = status;
	enum MHD_Result ok = send_response(conn, st, &res, allow);
	tl_response_reset(&res);
	tl_error_clear(err);
	return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, request_state *st,
				  tl_error *err, const char *allow)
{
	return send_error_status(conn, st, err, allow, 0);
}

typedef struct token_lookup {
	const char *text;
	tl_principal *who;
} token_lookup;

static int token_lookup_tx(tl_tx *tx, void *arg, tl_error *err)
{
	token_lookup *t = arg;
	return tl_tokens_authenticate(tx, t->text, t->who, err);
}

/* Fills req->who from the Authorization header, or fails with 401. */
static int authenticate(tl_request *req, tl_error *err)
{
	const char *header = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_AUTHORIZATION);
	if (header == NULL)
		return tl_error_set(err, TL_EAUTH, "missing_token",
				    "an Authorization: Bearer token is required");
	if (strncmp(header, "Bearer ", 7) != 0 || header[7] == '\0')
		return tl_error_set(err, TL_EAUTH, "invalid_token",
				    "the Authorization header must be \"Bearer <token>\"");
	const char *token = header + 7;
	if (strncmp(token, "tly_", 4) == 0) {
		token_lookup t = {token, &req->who};
		return tl_store_read(req->app->store, token_lookup_tx, &t, err);
	}
	if (!tl_admin_token_matches(req->app->admin_hash, token))
		return tl_error_set(err, TL_EAUTH, "invalid_token", "the bearer token is not valid");
	req->who.is_admin = true;
	snprintf(req->who.actor, sizeof(req->who.actor), "admin");
	return 0;
}

/* The Idempotency-Key header, checked; NULL when absent. */
static int idempotency_key(tl_request *req, tl_error *err)
{
	const char *key = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
						      "Idempotency-Key");
	if (key == NULL || strcmp(req->method, "GET") == 0)
		return 0;
	size_t len = strlen(key);
	if (len == 0 || len > TL_IDEMPOTENCY_KEY_MAX)
		return tl_error_set(err, TL_EINVALID, "invalid_idempotency_key",
				    "Idempotency-Key must be 1 to %u characters",
				    TL_IDEMPOTENCY_KEY_MAX);
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return tl_error_set(err, TL_EINVALID, "invalid_idempotency_key",
					    "Idempotency-Key must be printable ASCII");
	req->idempotency_key = key;
	return 0;
}

/* A GET or HEAD that no API route claims may name a console file. */
static enum MHD_Result send_console_file(struct MHD_Connection *conn, request_state *st,
					 const char *method, const char *url, bool *sent)
{
	*sent = false;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_YES;
	unsigned status = MHD_HTTP_OK;
	struct MHD_Response *r = tl_static_response(
		st->server->app->web_dir, url,
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
		&status);
	if (r == NULL)
		return MHD_YES;
	*sent = true;
	enum MHD_Result ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	if (ok == MHD_YES)
		st->status = status;
	return ok;
}

/* Routes and authenticates a request whose headers are in. Answers (and
 * returns true) when it goes no further: no such path or method, no or a
 * bad token, not admin. */
static bool route_and_authenticate(struct MHD_Connection *conn, request_state *st,
				   const char *method, const char *url, enum MHD_Result *answer)
{
	tl_app *app = st->server->app;
	tl_request *req = &st->req;
	*req = (tl_request){.app = app, .conn = conn, .method = method, .path = url};
	tl_error err = {0};
	char allow[64];
	tl_route_match m = tl_router_find(app, req, method, url, allow, sizeof(allow), &err);
	if (m == TL_ROUTE_INVALID) {
		*answer = send_error(conn, st, &err, NULL);
		return true;
	}
	if (m == TL_ROUTE_NO_PATH) {
		bool sent;
		*answer = send_console_file(conn, st, method, url, &sent);
		if (sent)
			return true;
		tl_error_set(&err, TL_ENOTFOUND, "not_found", "no such path: %.200s", url);
		*answer = send_error(conn, st, &err, NULL);
		return true;
	}
	if (m == TL_ROUTE_NO_METHOD) {
		tl_error_set(&err, TL_EMETHOD, "method_not_allowed", "%s is not allowed on %.200s",
			     method, url);
		*answer = send_error(conn, st, &err, allow);
		return true;
	}
	st->route_index = (size_t)(req->route - tl_routes);
	if (req->route->auth != TL_AUTH_NONE && authenticate(req, &err) < 0) {
		*answer = send_error(conn, st, &err, NULL);
		return true;
	}
	if (req->route->auth == TL_AUTH_ADMIN && !req->who.is_admin) {
		tl_error_set(&err, TL_EFORBIDDEN, "forbidden", "this call needs the admin token");
		*answer = send_error(conn, st, &err, NULL);
		return true;
	}
	if (req->route->auth != TL_AUTH_NONE && !req->who.is_admin &&
	    (req->route->auth == TL_AUTH_METERING) != req->who.metering) {
		tl_error_set(&err, TL_EFORBIDDEN, "forbidden",
			     req->who.metering ? "a metering token only submits usage"
					       : "usage is submitted with the admin token or a "
						 "metering token");
		*answer = send_error(conn, st, &err, NULL);
		return true;
	}
	snprintf(st->actor, sizeof(st->actor), "%s", req->who.actor);
	st->body_cap = req->route->auth == TL_AUTH_NONE ? TL_MAX_UNAUTH_BODY_BYTES
							: TL_MAX_BODY_BYTES;
	return false;
}

/* Runs the handler of the routed, authenticated request; answers. */
static enum MHD_Result dispatch(struct MHD_Connection *conn, request_state *st)
{
	tl_request *req = &st->req;
	req->body = st->body ? st->body : "";
	req->body_len = st->body_len;
	tl_error err = {0};
	if (idempotency_key(req, &err) < 0)
		return send_error(conn, st, &err, NULL);
	req->ctx.who = &req->who;
	req->ctx.now = tl_clock_now(req->app->clock);

	tl_response res = {0};
	if (req->route->handler(req, &res, &err) < 0)
		tl_respond_error(&res, &err);
	enum MHD_Result ok = send_response(conn, st, &res, NULL);
	tl_response_reset(&res);
	tl_error_clear(&err);
	return ok;
}

static enum MHD_Result too_large(struct MHD_Connection *conn, request_state *st)
{
	tl_error err = {0};
	tl_error_set(&err, TL_ETOOLARGE, "body_too_large",
		     "the request body is over the limit of %zu bytes", st->body_cap);
	tl_error_details(&err, json_pack("{s:I}", "limit_bytes", (json_int_t)st->body_cap));
	return send_error(conn, st, &err, NULL);
}

static enum MHD_Result server_busy(struct MHD_Connection *conn, request_state *st)
{
	tl_error err = {0};
	tl_error_set(&err, TL_EUNAVAILABLE, "server_busy",
		     "tallyd is holding as many request bodies as it may; retry shortly");
	return send_error(conn, st, &err, NULL);
}

static enum MHD_Result shutting_down(struct MHD_Connection *conn, request_state *st)
{
	tl_error err = {0};
	tl_error_set(&err, TL_EUNAVAILABLE, "shutting_down",
		     "tallyd is shutting down; retry against another instance");
	return send_error(conn, st, &err, NULL);
}

static enum MHD_Result bad_uri(struct MHD_Connection *conn, request_state *st)
{
	tl_error err = {0};
	if (st->uri == URI_TOO_LONG) {
		tl_error_set(&err, TL_EINVALID, "uri_too_long",
			     "the request target is over the limit of %u bytes", TL_MAX_URI_BYTES);
		tl_error_details(&err, json_pack("{s:I}", "limit_bytes",
						 (json_int_t)TL_MAX_URI_BYTES));
		return send_error_status(conn, st, &err, NULL, MHD_HTTP_URI_TOO_LONG);
	}
	tl_error_set(&err, TL_EINVALID, "too_many_parameters",
		     "the query string has more than %u parameters", TL_MAX_QUERY_PARAMS);
	tl_error_details(&err, json_pack("{s:I}", "limit", (json_int_t)TL_MAX_QUERY_PARAMS));
	return send_error(conn, st, &err, NULL);
}

/* The first call for a request, its headers complete: set up its state. */
static request_state *begin_request(tl_server *server, const char *method, const char *url,
				    void **con_cls)
{
	request_state *st = *con_cls;
	if (st == NULL) /* the URI callback could not allocate it */
		st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->server = server;
	st->begun = true;
	st->route_index = tl_route_count;
	clock_gettime(CLOCK_MONOTONIC, &st->started);
	snprintf(st->method, sizeof(st->method), "%s", method);
	snprintf(st->path, sizeof(st->path), "%s", url);
	tl_utf8_sanitize(st->path); /* MHD decodes %XX: any byte can be there */
	atomic_fetch_add(&server->in_flight, 1);
	*con_cls = st;
	return st;
}

/* Whether the body (if any) may come in: within the route's cap, its
 * announced length reserved from the budget. Answers when not. */
static bool admit_body(struct MHD_Connection *conn, request_state *st, enum MHD_Result *answer)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length == NULL)
		return true; /* none, or chunked: reserved as it comes */
	unsigned long long announced = strtoull(length, NULL, 10);
	if (announced > st->body_cap) {
		*answer = too_large(conn, st);
		return false;
	}
	if (!budget_take(st->server, (size_t)announced)) {
		*answer = server_busy(conn, st);
		return false;
	}
	st->reserved = (size_t)announced;
	return true;
}

static bool expects_body(struct MHD_Connection *conn)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length)
		return strtoull(length, NULL, 10) > 0;
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/* Everything decided at the headers, before any of the body is read.
 * Returns MHD_YES to go on reading the body, or the verdict of an answer. */
static enum MHD_Result on_headers(tl_server *server, struct MHD_Connection *conn,
				  request_state *st, const char *method, const char *url)
{
	enum MHD_Result answer = MHD_YES;
	conn_enter(server, conn, CONN_BUSY, 0);
	if (atomic_load(&server->draining))
		return shutting_down(conn, st);
	if (st->uri != URI_OK)
		return bad_uri(conn, st);
	if (route_and_authenticate(conn, st, method, url, &answer))
		return answer;
	if (!admit_body(conn, st, &answer))
		return answer;
	if (expects_body(conn))
		conn_enter(server, conn, CONN_BODY, server->timeouts.body_ms);
	return MHD_YES;
}

/* Keeps a chunk of the body, reserving it from the budget unless the
 * announced length already was. false: the connection must close. */
static bool append_body(request_state *st, const char *data, size_t size)
{
	if (size > st->body_cap - st->body_len - st->discarded)
		return false; /* cannot be answered mid-upload: see on_request */
	if (st->over_budget) {
		st->discarded += size;
		return true;
	}
	size_t needed = st->body_len + size;
	if (needed > st->reserved) {
		/* a chunked body: reserve (and allocate) in doublings, so a body
		 * of n bytes costs log n copies, not one per chunk */
		if (needed < 2 * st->reserved)
			needed = 2 * st->reserved < st->body_cap ? 2 * st->reserved : st->body_cap;
		if (!budget_take(st->server, needed - st->reserved)) {
			/* a chunked body the budget cannot hold: drop it, answer 503 */
			st->over_budget = true;
			st->discarded = st->body_len + size;
			free(st->body);
			st->body = NULL;
			st->body_len = 0;
			st->body_alloc = 0;
			budget_give(st->server, st->reserved);
			st->reserved = 0;
			return true;
		}
		st->reserved = needed;
	}
	if (st->body == NULL || st->body_alloc < st->reserved + 1) {
		char *grown = realloc(st->body, st->reserved + 1);
		if (grown == NULL)
			return false;
		st->body = grown;
		st->body_alloc = st->reserved + 1;
	}
	memcpy(st->body + st->body_len, data, size);
	st->body_len += size;
	st->body[st->body_len] = '\0';
	return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)version;
	tl_server *server = cls;
	request_state *st = *con_cls;
	if (st == NULL || !st->begun) {
		st = begin_request(server, method, url, con_cls);
		if (st == NULL)
			return MHD_NO;
		return on_headers(server, conn, st, method, url);
	}
	if (st->status != 0) {
		*upload_data_size = 0; /* already answered: discard what still comes */
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* A chunked body over the limit cannot be answered mid-upload by
		 * libmicrohttpd 0.9.75, and reading on would let one client stream
		 * forever: close the connection. */
		if (!append_body(st, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	conn_enter(server, conn, CONN_BUSY, 0);
	if (st->over_budget)
		return server_busy(conn, st);
	return dispatch(conn, st);
}

static void log_access(struct MHD_Connection *conn, request_state *st, uint64_t us)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[INET6_ADDRSTRLEN] = "";
	if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)info->client_addr)->sin_addr,
			  addr, sizeof(addr));
	const char *route = st->route_index < tl_route_count
				    ? tl_routes[st->route_index].pattern : "unmatched";
	tl_log("info", "request",
	       json_pack("{s:s, s:s, s:s, s:i, s:I, s:s, s:s}", "method", st->method, "path",
			 st->path, "route", route, "status", (int)st->status,
			 "duration_us", (json_int_t)us, "actor", st->actor, "client", addr));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	tl_server *server = cls;
	request_state *st = *con_cls;
	if (st == NULL)
		return;
	*con_cls = NULL;
	/* a kept-alive connection waits for its next request from now on */
	conn_enter(server, conn, CONN_WAITING, server->timeouts.idle_ms);
	if (st->begun) {
		uint64_t us = elapsed_us(&st->started);
		tl_metrics_observe(server->app->metrics, st->route_index, st->status, us);
		if (server->app->access_log)
			log_access(conn, st, us);
		atomic_fetch_sub(&server->in_flight, 1);
	}
	budget_give(server, st->reserved);
	free(st->body);
	free(st);
}

static void timeouts_or_defaults(tl_server_timeouts *out, const tl_server_timeouts *in)
{
	*out = in ? *in : (tl_server_timeouts){0};
	if (out->header_ms == 0)
		out->header_ms = TL_HEADER_TIMEOUT_MS;
	if (out->body_ms == 0)
		out->body_ms = TL_BODY_TIMEOUT_MS;
	if (out->idle_ms == 0)
		out->idle_ms = TL_CONNECTION_TIMEOUT_S * 1000u;
}

static void server_free(tl_server *s)
{
	pthread_cond_destroy(&s->reaper_wake);
	pthread_mutex_destroy(&s->conns_lock);
	free(s);
}

int tl_server_start(tl_server **out, tl_app *app, const char *host, unsigned port,
		    unsigned pool_threads, const tl_server_timeouts *timeouts, tl_error *err)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return tl_error_set(err, TL_EINVALID, "invalid_listen",
				    "listen host must be an IPv4 address, got \"%s\"", host);
	tl_server *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	s->app = app;
	timeouts_or_defaults(&s->timeouts, timeouts);
	pthread_mutex_init(&s->conns_lock, NULL);
	pthread_cond_init(&s->reaper_wake, NULL);
	if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
		server_free(s);
		return tl_error_set(err, TL_EINTERNAL, NULL, "cannot start the connection reaper");
	}
	/* MHD's timeout counts silence; ours (the reaper's) count phases. It
	 * stays as the bound on a client that stops reading its answer. */
	unsigned inactivity_s = TL_CONNECTION_TIMEOUT_S;
	if (s->timeouts.idle_ms / 1000u + 1u > inactivity_s)
		inactivity_s = s->timeouts.idle_ms / 1000u + 1u;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
	if (pool_threads == 0)
		flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
	else
		flags |= MHD_USE_EPOLL;
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)TL_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, inactivity_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)TL_CONNECTION_MEMORY_BYTES,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_UNESCAPE_CALLBACK, tl_url_unescape, NULL,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
		pool_threads ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, pool_threads,
		MHD_OPTION_END);
	if (s->daemon == NULL) {
		reaper_stop(s);
		server_free(s);
		return tl_error_set(err, TL_EUNAVAILABLE, "listen_failed",
				    "cannot listen on %s:%u (in use, or not allowed)", host, port);
	}
	*out = s;
	return 0;
}

unsigned tl_server_port(const tl_server *s)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return info ? info->port : 0;
}

void tl_server_stop(tl_server *s)
{
	if (s == NULL)
		return;
	/* Stop accepting; answer requests that keep-alive connections still
	 * send with 503 and close them; then let the ones under way finish. */
	MHD_socket listen_fd = MHD_quiesce_daemon(s->daemon);
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
	atomic_store(&s->draining, true);
	for (int waited_ms = 0; atomic_load(&s->in_flight) > 0 &&
				waited_ms < TL_SHUTDOWN_GRACE_S * 1000; waited_ms += 10)
		usleep(10000);
	reaper_stop(s);
	MHD_stop_daemon(s->daemon);
	server_free(s);
}
