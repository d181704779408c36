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

/* Listens on host:port (port 0 picks a free one). pool_threads 0 gives
 * each connection its own thread (the default); N > 0 serves all
 * connections from N epoll threads instead (kept for measurement: see
 * docs/PERFORMANCE.md). */
int tl_server_start(tl_server **out, tl_app *app, const char *host, unsigned port,
		    unsigned pool_threads, tl_error *err);

/* The port actually bound. */
unsigned tl_server_port(const tl_server *s);

/* Stops accepting, lets in-flight requests finish (up to
 * TL_SHUTDOWN_GRACE_S), then closes every connection. */
void tl_server_stop(tl_server *s);

#endif
