/*
 * server.h: the HTTP server: libmicrohttpd with one thread per connection.
 * Handlers block on their transaction (a write waits for its group commit),
 * and a thread per connection lets those waits overlap so group commit can
 * gather them; see docs/ARCHITECTURE.md.
 */
#ifndef TL_SERVER_H
#define TL_SERVER_H

#include "api/api.h"

typedef struct tl_server tl_server;

/* How long a connection may take over each phase (see server.c); 0 takes
 * the default from limits.h. Tests shorten them. */
typedef struct tl_server_timeouts {
	unsigned header_ms; /* connect to the end of the first request's headers */
	unsigned body_ms;   /* end of the headers to the end of the body */
	unsigned idle_ms;   /* an answer to the end of the next request's headers */
} tl_server_timeouts;

/* Listens on host:port (port 0 picks a free one). pool_threads 0 gives
 * each connection its own thread (the default); N > 0 serves all
 * connections from N epoll threads instead (kept for measurement: see
 * docs/PERFORMANCE.md). timeouts may be NULL. */
int tl_server_start(tl_server **out, tl_app *app, const char *host, unsigned port,
		    unsigned pool_threads, const tl_server_timeouts *timeouts, tl_error *err);

/* The port actually bound. */
unsigned tl_server_port(const tl_server *s);

/* Stops accepting, lets in-flight requests finish (up to
 * TL_SHUTDOWN_GRACE_S), then closes every connection. */
void tl_server_stop(tl_server *s);

#endif
