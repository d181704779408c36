/*
 * server.c: libmicrohttpd glue. For each request: bound and collect the body,
 * route, authenticate, call the handler, send its answer, and on completion
 * log the access line and record metrics.
 *
 * Request states (per MHD callback sequence):
 *   NEW --headers--> too large? 413 : BODY --body chunks--> BODY
 *   BODY --last call--> DISPATCHED (answer queued) --completed--> freed
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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct tl_server {
	struct MHD_Daemon *daemon;
	tl_app *app;
	atomic_int in_flight;
	atomic_bool draining; /* shutting down: refuse new requests, close connections */
};

typedef struct request_state {
	tl_server *server;
	char *body;
	size_t body_len;
	bool too_large;
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

/* Sends res; returns MHD's verdict. */
static enum MHD_Result send_response(struct MHD_Connection *conn, request_state *st,
				     tl_response *res, const char *allow)
{
	char *body = tl_response_body_text(res);
	size_t len = body ? strlen(body) : 0;
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
	if (atomic_load(&st->server->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ok = MHD_queue_response(conn, res->status, r);
	MHD_destroy_response(r);
	if (ok == MHD_YES)
		st->status = res->status;
	return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, request_state *st,
				  tl_error *err, const char *allow)
{
	tl_response res = {0};
	tl_respond_error(&res, err);
	enum MHD_Result ok = send_response(conn, st, &res, allow);
	tl_response_reset(&res);
	tl_error_clear(err);
	return ok;
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
	struct MHD_Response *r = tl_static_response(st->server->app->web_dir, url);
	if (r == NULL)
		return MHD_YES;
	*sent = true;
	enum MHD_Result ok = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	if (ok == MHD_YES)
		st->status = MHD_HTTP_OK;
	return ok;
}

/* Route, authenticate, run the handler, answer. */
static enum MHD_Result dispatch(struct MHD_Connection *conn, request_state *st,
				const char *method, const char *url)
{
	tl_app *app = st->server->app;
	tl_request req = {.app = app, .conn = conn, .method = method, .path = url,
			  .body = st->body ? st->body : "", .body_len = st->body_len};
	tl_error err = {0};
	char allow[64];
	tl_route_match m = tl_router_find(app, &req, method, url, allow, sizeof(allow));
	if (m == TL_ROUTE_NO_PATH) {
		bool sent;
		enum MHD_Result ok = send_console_file(conn, st, method, url, &sent);
		if (sent)
			return ok;
		tl_error_set(&err, TL_ENOTFOUND, "not_found", "no such path: %.200s", url);
		return send_error(conn, st, &err, NULL);
	}
	if (m == TL_ROUTE_NO_METHOD) {
		tl_error_set(&err, TL_EMETHOD, "method_not_allowed", "%s is not allowed on %.200s",
			     method, url);
		return send_error(conn, st, &err, allow);
	}
	st->route_index = (size_t)(req.route - tl_routes);
	if (req.route->auth != TL_AUTH_NONE && authenticate(&req, &err) < 0)
		return send_error(conn, st, &err, NULL);
	if (req.route->auth == TL_AUTH_ADMIN && !req.who.is_admin) {
		tl_error_set(&err, TL_EFORBIDDEN, "forbidden", "this call needs the admin token");
		return send_error(conn, st, &err, NULL);
	}
	if (req.route->auth != TL_AUTH_NONE && !req.who.is_admin &&
	    (req.route->auth == TL_AUTH_METERING) != req.who.metering) {
		tl_error_set(&err, TL_EFORBIDDEN, "forbidden",
			     req.who.metering ? "a metering token only submits usage"
					      : "usage is submitted with the admin token or a "
						"metering token");
		return send_error(conn, st, &err, NULL);
	}
	snprintf(st->actor, sizeof(st->actor), "%s", req.who.actor);
	if (idempotency_key(&req, &err) < 0)
		return send_error(conn, st, &err, NULL);
	req.ctx.who = &req.who;
	req.ctx.now = tl_clock_now(app->clock);

	tl_response res = {0};
	if (req.route->handler(&req, &res, &err) < 0)
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
		     "the request body is over the limit of %u bytes", TL_MAX_BODY_BYTES);
	tl_error_details(&err, json_pack("{s:I}", "limit_bytes", (json_int_t)TL_MAX_BODY_BYTES));
	return send_error(conn, st, &err, NULL);
}

static enum MHD_Result shutting_down(struct MHD_Connection *conn, request_state *st)
{
	tl_error err = {0};
	tl_error_set(&err, TL_EUNAVAILABLE, "shutting_down",
		     "tallyd is shutting down; retry against another instance");
	return send_error(conn, st, &err, NULL);
}

/* The first call for a request: set up its state, refuse an announced
 * over-size body before reading any of it. */
static enum MHD_Result begin_request(tl_server *server, struct MHD_Connection *conn,
				     const char *method, const char *url, void **con_cls)
{
	request_state *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return MHD_NO;
	st->server = server;
	st->route_index = tl_route_count;
	clock_gettime(CLOCK_MONOTONIC, &st->started);
	snprintf(st->method, sizeof(st->method), "%s", method);
	snprintf(st->path, sizeof(st->path), "%s", url);
	tl_utf8_sanitize(st->path); /* MHD decodes %XX: any byte can be there */
	atomic_fetch_add(&server->in_flight, 1);
	*con_cls = st;
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length && strtoull(length, NULL, 10) > TL_MAX_BODY_BYTES)
		st->too_large = true;
	return MHD_YES;
}

static bool append_body(request_state *st, const char *data, size_t size)
{
	if (st->too_large || size > TL_MAX_BODY_BYTES - st->body_len) {
		st->too_large = true;
		return true;
	}
	char *grown = realloc(st->body, st->body_len + size + 1);
	if (grown == NULL)
		return false;
	st->body = grown;
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
	if (*con_cls == NULL) {
		if (begin_request(server, conn, method, url, con_cls) != MHD_YES)
			return MHD_NO;
		request_state *fresh = *con_cls;
		if (atomic_load(&server->draining))
			return shutting_down(conn, fresh);
		/* Answered before any of the body is read; MHD then closes the
		 * connection instead of reading the rest. */
		return fresh->too_large ? too_large(conn, fresh) : MHD_YES;
	}
	request_state *st = *con_cls;
	if (st->status != 0) {
		*upload_data_size = 0; /* already answered: discard what still comes */
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* A chunked body over the limit cannot be answered mid-upload by
		 * libmicrohttpd 0.9.75, and reading on would let one client stream
		 * forever: close the connection. */
		if (!append_body(st, upload_data, *upload_data_size) || st->too_large)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->too_large)
		return too_large(conn, st);
	return dispatch(conn, st, method, url);
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
	uint64_t us = elapsed_us(&st->started);
	tl_metrics_observe(server->app->metrics, st->route_index, st->status, us);
	if (server->app->access_log)
		log_access(conn, st, us);
	free(st->body);
	free(st);
	*con_cls = NULL;
	atomic_fetch_sub(&server->in_flight, 1);
}

int tl_server_start(tl_server **out, tl_app *app, const char *host, unsigned port,
		    unsigned pool_threads, tl_error *err)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return tl_error_set(err, TL_EINVALID, "invalid_listen",
				    "listen host must be an IPv4 address, got \"%s\"", host);
	tl_server *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	s->app = app;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
	if (pool_threads == 0)
		flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
	else
		flags |= MHD_USE_EPOLL;
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)TL_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TL_CONNECTION_TIMEOUT_S,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
		pool_threads ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, pool_threads,
		MHD_OPTION_END);
	if (s->daemon == NULL) {
		free(s);
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
	MHD_stop_daemon(s->daemon);
	free(s);
}
