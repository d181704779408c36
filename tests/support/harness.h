/*
 * harness.h: black-box test support. Starts a real tallyd on a random port
 * with a temporary database and the test clock, and talks to it over HTTP
 * as any client would (libcurl). Used by tests/scenarios/.
 */
#ifndef TT_HARNESS_H
#define TT_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct tt_server {
	pid_t pid;
	int port;
	char url[64];
	char dir[256];        /* temporary directory, removed by tt_server_stop */
	char db[320];
	char log[320];        /* tallyd's stderr */
	char admin_token[80];
	bool real_clock;      /* started without --test-clock */
	bool no_admin_env;    /* start without TALLY_ADMIN_TOKEN in the environment */
	char bin[512];        /* the tallyd to run; "" for the build's */
} tt_server;

/* Starts build/bin/tallyd with --test-clock on 127.0.0.1:0 and a fresh
 * database; extra_args (NULL-terminated, may be NULL) are appended.
 * Fails the current test (criterion) when tallyd does not come up. */
void tt_server_start(tt_server *s, const char *const *extra_args);

/* Same, without --test-clock: the production clock. */
void tt_server_start_real_clock(tt_server *s, const char *const *extra_args);

/* Starts the tallyd at bin (an installed one) with the production clock,
 * only --listen and --db, and extra_args. */
void tt_server_start_bin(tt_server *s, const char *bin, const char *const *extra_args);

/* Starts tallyd again on the same database and directory. */
void tt_server_restart(tt_server *s, const char *const *extra_args);

/* SIGTERM, waits, returns tallyd's exit status (0 for a clean stop). */
int tt_server_term(tt_server *s);

/* SIGKILL and reap: a crash. */
void tt_server_kill(tt_server *s);

/* Stops tallyd if running and removes the temporary directory. */
void tt_server_stop(tt_server *s);

typedef struct tt_response {
	long status;       /* 0 when the request could not be made */
	char *raw;         /* body as received, NUL-terminated */
	json_t *json;      /* parsed body, or NULL */
	char content_type[128];
} tt_response;

/* One HTTP request. token and body and idem_key may be NULL. */
tt_response tt_request(const tt_server *s, const char *method, const char *path,
		       const char *token, const char *body, const char *idem_key);

/* Same, with raw extra header lines (NULL-terminated list). */
tt_response tt_request_h(const tt_server *s, const char *method, const char *path,
			 const char *const *headers, const char *body, size_t body_len);

void tt_response_free(tt_response *r);

/* A client that keeps its connection open between requests (keep-alive). */
typedef struct tt_client tt_client;
tt_client *tt_client_new(const tt_server *s);
tt_response tt_client_request(tt_client *c, const char *method, const char *path,
			      const char *token, const char *body);
void tt_client_free(tt_client *c);

/* Runs a shell command and returns its exit status; output to out. */
int tt_run(const char *cmd, char *out, size_t out_size);

/* error.code of an error response, or "" */
const char *tt_error_code(const tt_response *r);

/* Creates an account as admin and returns its id in out (64 bytes). */
void tt_create_account(const tt_server *s, const char *name, char *out);

/* Issues a token for account_id as admin, into out (80 bytes). */
void tt_create_token(const tt_server *s, const char *account_id, char *out);

/* Path of a binary in the build being tested (tallyd, tally). */
const char *tt_bin(const char *name);

#endif
