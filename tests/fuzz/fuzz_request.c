/*
 * fuzz_request.c: a whole request through the api layer up to the store:
 * the router, then the route's handler (src/api/h_*.c) with its own body
 * schema, query parameters and path parameters, as server.c dispatches
 * it. Every handler's parse and check step sees the fuzzed input this way,
 * not just json_in.c's.
 *
 * The input is "METHOD PATH?QUERY\nBODY" (request.h). The transaction
 * layer is replaced: this file defines tl_api_read and tl_api_write, so
 * transact.c is not linked, and a use case never runs. Each answers as the
 * real one does when the store refuses (503 store_unavailable), which
 * every handler must already handle. Routes whose handlers reach the store
 * without them (health, metrics, jobs) are skipped.
 */
#include "fuzz.h"
#include "request.h"

#include "api/api.h"
#include "domain/catalog.h"

#include <sodium.h>
#include <stdio.h>

static tl_catalog catalog;
static tl_clock clock_;
static tl_app app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tl_error err = {0};
	if (sodium_init() < 0 ||
	    tl_catalog_load(TALLY_SOURCE_DIR "/catalog/default.json", &catalog, &err) < 0) {
		fprintf(stderr, "fuzz_request: %s\n", err.message);
		abort();
	}
	tl_clock_init(&clock_, true);
	tl_clock_set(&clock_, 1764979200); /* 2025-12-06: runs repeat */
	app = (tl_app){.catalog = &catalog, .checkout_ttl_s = 900, .sandbox_gateway = true,
		       .gateway_secret = "fuzz-secret", .public_url = "http://127.0.0.1:8080",
		       .clock = &clock_, .test_clock = true};
	return 0;
}

static int store_unavailable(tl_error *err)
{
	return tl_error_set(err, TL_EUNAVAILABLE, "store_unavailable", "fuzzing: no store");
}

int tl_api_read(tl_request *req, tl_tx_fn fn, void *arg, tl_error *err)
{
	(void)req;
	(void)fn;
	(void)arg;
	return store_unavailable(err);
}

/* The real one renders a use case's failure into res and returns 0. */
int tl_api_write(tl_request *req, tl_response *res, tl_tx_fn fn, void *arg, tl_error *err)
{
	(void)req;
	(void)fn;
	(void)arg;
	(void)err;
	tl_error refused = {0};
	tl_response_reset(res);
	store_unavailable(&refused);
	tl_respond_error(res, &refused);
	tl_error_clear(&refused);
	return 0;
}

/* Handlers that use the store directly, not through tl_api_read/write (the
 * catalog reads the caller's account for its currency): not fuzzed here. */
static bool reaches_store(tl_handler h)
{
	return h == tl_h_healthz || h == tl_h_metrics || h == tl_h_jobs_run ||
	       h == tl_h_catalog_get;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_request fr;
	if (size > TL_MAX_BODY_BYTES || fuzz_request_parse(&fr, data, size) < 0)
		return 0;
	tl_request req = {.app = &app, .method = fr.method, .path = fr.path,
			  .body = fr.body, .body_len = fr.body_len};
	char allow[64];
	tl_error route_err = {0};
	tl_route_match m = tl_router_find(&app, &req, fr.method, fr.path, allow, sizeof(allow),
					  &route_err);
	tl_error_clear(&route_err);
	if (m == TL_ROUTE_FOUND &&
	    !reaches_store(req.route->handler)) {
		/* The admin on admin routes (server.c refuses anyone else before
		 * the handler); elsewhere the admin or an account's token, by
		 * the input's length. */
		if (req.route->auth == TL_AUTH_ADMIN || (size & 1)) {
			req.who.is_admin = true;
			snprintf(req.who.actor, sizeof(req.who.actor), "admin");
		} else {
			snprintf(req.who.account_id, sizeof(req.who.account_id), "acc_fuzz");
			snprintf(req.who.actor, sizeof(req.who.actor), "tok_fuzz");
		}
		req.ctx.who = &req.who;
		req.ctx.now = tl_clock_now(app.clock);
		tl_response res = {0};
		tl_error err = {0};
		if (req.route->handler(&req, &res, &err) < 0)
			tl_respond_error(&res, &err);
		FUZZ_ASSERT(res.status >= 200 && res.status < 600);
		free(tl_response_body_text(&res));
		tl_response_reset(&res);
		tl_error_clear(&err);
	}
	fuzz_request_free(&fr);
	return 0;
}
