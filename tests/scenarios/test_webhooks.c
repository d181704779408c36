/*
 * Scenario: webhooks (issue 18). A real tallyd delivers to a real HTTP
 * receiver run by this process (libmicrohttpd on a random port): events of
 * a POC expiry, a Stop POC payment and a reconciliation arrive signed and
 * verifiable; a receiver that fails or times out gets retries with
 * backoff (driven by the test clock); a tallyd killed mid-delivery loses
 * no event; an endpoint failing for days is disabled with an event; and
 * destinations that would turn tallyd against its own network are refused
 * with stable codes.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

/* ---- the receiver ------------------------------------------------------------ */

enum { MODE_OK, MODE_FAIL, MODE_HANG };
#define HITS_MAX 256

typedef struct hit {
	char path[32];
	char event_id[64];
	char signature[200];
	char *body;
} hit;

typedef struct receiver {
	struct MHD_Daemon *daemon;
	int port;
	pthread_mutex_t lock;
	hit hits[HITS_MAX];
	size_t n;
	atomic_int mode;     /* for /hook; /fail always answers 500 */
	atomic_int hang_ms;  /* MODE_HANG: how long before answering */
	atomic_bool release; /* ends a hang at once */
} receiver;

static receiver rcv;

typedef struct upload {
	char *data;
	size_t len;
} upload;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **state)
{
	(void)method, (void)version;
	receiver *r = cls;
	upload *u = *state;
	if (u == NULL) {
		*state = calloc(1, sizeof(upload));
		return MHD_YES;
	}
	if (*upload_size) {
		u->data = realloc(u->data, u->len + *upload_size + 1);
		memcpy(u->data + u->len, upload_data, *upload_size);
		u->len += *upload_size;
		u->data[u->len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}
	const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Tally-Event-Id");
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Tally-Signature");
	pthread_mutex_lock(&r->lock);
	if (r->n < HITS_MAX) {
		hit *h = &r->hits[r->n++];
		snprintf(h->path, sizeof(h->path), "%s", url);
		snprintf(h->event_id, sizeof(h->event_id), "%s", id ? id : "");
		snprintf(h->signature, sizeof(h->signature), "%s", sig ? sig : "");
		h->body = u->data ? u->data : strdup("");
		u->data = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	free(u->data);
	free(u);
	*state = NULL;
	unsigned status = 200;
	if (strcmp(url, "/fail") == 0 || atomic_load(&r->mode) == MODE_FAIL) {
		status = 500;
	} else if (atomic_load(&r->mode) == MODE_HANG) {
		for (int i = 0; i < atomic_load(&r->hang_ms) / 10 && !atomic_load(&r->release); i++)
			usleep(10000);
	}
	struct MHD_Response *res =
		MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(c, status, res);
	MHD_destroy_response(res);
	return ret;
}

static void receiver_start(void)
{
	memset(&rcv, 0, sizeof(rcv));
	pthread_mutex_init(&rcv.lock, NULL);
	struct sockaddr_in addr = {.sin_family = AF_INET};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rcv.daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
				      0, NULL, NULL, on_request, &rcv, MHD_OPTION_SOCK_ADDR, &addr,
				      MHD_OPTION_END);
	cr_assert_not_null(rcv.daemon, "the receiver did not start");
	rcv.port = MHD_get_daemon_info(rcv.daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void receiver_stop(void)
{
	atomic_store(&rcv.release, true);
	MHD_stop_daemon(rcv.daemon);
	for (size_t i = 0; i < rcv.n; i++)
		free(rcv.hits[i].body);
	pthread_mutex_destroy(&rcv.lock);
}

static size_t hits(void)
{
	pthread_mutex_lock(&rcv.lock);
	size_t n = rcv.n;
	pthread_mutex_unlock(&rcv.lock);
	return n;
}

/* Waits (up to 10 s) until the receiver holds at least n requests. */
static void wait_hits(size_t n)
{
	for (int i = 0; i < 1000 && hits() < n; i++)
		usleep(10000);
	cr_assert_geq(hits(), n, "the receiver got %zu requests, wanted %zu", hits(), n);
}

/* The parsed body of the first request carrying an event of this type. */
static json_t *hit_of_type(const char *type, size_t *index)
{
	for (int tries = 0; tries < 1000; tries++) {
		pthread_mutex_lock(&rcv.lock);
		for (size_t i = 0; i < rcv.n; i++) {
			json_t *j = json_loads(rcv.hits[i].body, 0, NULL);
			if (j && strcmp(json_string_value(json_object_get(j, "type")), type) == 0) {
				pthread_mutex_unlock(&rcv.lock);
				if (index)
					*index = i;
				return j;
			}
			json_decref(j);
		}
		pthread_mutex_unlock(&rcv.lock);
		usleep(10000);
	}
	cr_assert_fail("no %s event arrived", type);
	return NULL;
}

/* What a receiver does (README): HMAC-SHA256 of "t.body" with the secret. */
static bool signature_valid(const hit *h, const char *secret, int64_t now, int64_t tolerance_s)
{
	long long t = 0;
	char v1[80] = "";
	if (sscanf(h->signature, "t=%lld,v1=%64s", &t, v1) != 2)
		return false;
	char signed_text[32];
	snprintf(signed_text, sizeof(signed_text), "%lld.", t);
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)signed_text, strlen(signed_text));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)h->body, strlen(h->body));
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	return sodium_memcmp(hex, v1, sizeof(hex) - 1) == 0 && llabs(now - t) <= tolerance_s;
}

/* ---- tallyd ---------------------------------------------------------------------- */

static tt_server srv;
static char acc[64], token[80];
static const char *const private_ok[] = {"--webhook-allow-private", "--webhook-timeout-ms",
					 "300", NULL};

static void start(void)
{
	receiver_start();
	tt_server_start(&srv, private_ok);
	tt_create_account(&srv, "Hooked", acc);
	tt_create_token(&srv, acc, token);
}

static void stop(void)
{
	tt_server_stop(&srv);
	receiver_stop();
}

TestSuite(webhooks, .init = start, .fini = stop, .timeout = 60);

static void ok(tt_response r)
{
	cr_assert_lt(r.status, 300, "%s", r.raw);
	tt_response_free(&r);
}

static tt_response admin(const char *method, const char *path, const char *body)
{
	return tt_request(&srv, method, path, srv.admin_token, body, NULL);
}

static void set_clock(const char *when)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", when);
	ok(admin("POST", "/v1/admin/clock", body));
}

static void advance(int64_t seconds)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"advance_seconds\":%lld}", (long long)seconds);
	ok(admin("POST", "/v1/admin/clock", body));
}

static int64_t clock_now(void)
{
	tt_response r = admin("GET", "/v1/admin/clock", NULL);
	const char *s = json_string_value(json_object_get(r.json, "now"));
	struct tm tm = {0};
	cr_assert_not_null(strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm), "%s", r.raw);
	tt_response_free(&r);
	return (int64_t)timegm(&tm);
}

/* Registers an endpoint on the receiver's path for types (a JSON array);
 * its id and secret into the buffers. */
static void endpoint(const char *path, const char *types, char *id, char *secret)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"url\":\"http://127.0.0.1:%d%s\",\"event_types\":%s}",
		 rcv.port, path, types);
	tt_response r = admin("POST", "/v1/webhook-endpoints", body);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(id, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	if (secret)
		snprintf(secret, 80, "%s", json_string_value(json_object_get(r.json, "secret")));
	tt_response_free(&r);
}

static void poc_wallet(const char *expires_at)
{
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/poc-wallets", acc);
	snprintf(body, sizeof(body), "{\"amount\":90000000,\"expires_at\":\"%s\"}", expires_at);
	ok(admin("POST", path, body));
}

static void poc_server(char *id)
{
	tt_response r = tt_request(&srv, "POST", "/v1/resources", token,
				   "{\"type\":\"server\",\"name\":\"s\",\"poc\":true,"
				   "\"spec\":{\"flavor\":\"s.general.1c2g\"}}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(id, 64, "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
}

/* A change with one event: a POC server created and deleted. */
static void delete_a_server(char *id)
{
	poc_wallet("2099-01-01T00:00:00Z");
	poc_server(id);
	char path[96];
	snprintf(path, sizeof(path), "/v1/resources/%s", id);
	ok(tt_request(&srv, "DELETE", path, token, NULL, NULL));
}

/* The endpoint's only delivery (its log has one row). */
static json_t *delivery(const char *endpoint_id)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/webhook-endpoints/%s/deliveries", endpoint_id);
	tt_response r = admin("GET", path, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	json_t *d = json_incref(json_array_get(json_object_get(r.json, "data"), 0));
	cr_assert_not_null(d, "no delivery: %s", r.raw);
	tt_response_free(&r);
	return d;
}

/* Waits until the delivery has made `attempts` attempts (recorded). */
static json_t *delivery_after(const char *endpoint_id, int64_t attempts)
{
	for (int i = 0; i < 500; i++) {
		json_t *d = delivery(endpoint_id);
		if (json_integer_value(json_object_get(d, "attempts")) >= attempts)
			return d;
		json_decref(d);
		usleep(20000);
	}
	cr_assert_fail("delivery of %s never reached %lld attempts", endpoint_id,
		       (long long)attempts);
	return NULL;
}

static bool in_audit_trail(const char *event_id)
{
	tt_response r = admin("GET", "/v1/events?limit=500", NULL);
	bool found = false;
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(r.json, "data"), i, e)
		found |= strcmp(json_string_value(json_object_get(e, "id")), event_id) == 0;
	tt_response_free(&r);
	return found;
}

/* Checks one delivered event: signed with secret, header id = body id, in
 * the audit trail, of this account. */
static void check_signed(const char *type, const char *secret, json_t **out)
{
	size_t i;
	json_t *j = hit_of_type(type, &i);
	pthread_mutex_lock(&rcv.lock);
	hit h = rcv.hits[i];
	cr_assert(signature_valid(&h, secret, clock_now(), 300), "%s: bad signature %s", type,
		  h.signature);
	cr_assert(!signature_valid(&h, "whsec_not_the_secret", clock_now(), 300));
	pthread_mutex_unlock(&rcv.lock);
	const char *id = json_string_value(json_object_get(j, "id"));
	cr_assert_str_eq(id, h.event_id);
	cr_assert(in_audit_trail(id), "%s is not in the audit trail", id);
	cr_assert_str_eq(json_string_value(json_object_get(j, "account_id")), acc);
	*out = j;
}

/* ---- tests ------------------------------------------------------------------------ */

Test(webhooks, a_poc_expiry_arrives_signed)
{
	char ep[64], secret[80], server[64];
	set_clock("2026-12-01T00:00:00Z");
	endpoint("/hook", "[\"poc_wallet.expiring\",\"poc_wallet.expired\",\"resource.suspended\"]",
		 ep, secret);
	poc_wallet("2026-12-11T00:00:00Z");
	poc_server(server);
	set_clock("2026-12-04T00:00:00Z");
	json_t *j;
	check_signed("poc_wallet.expiring", secret, &j);
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(json_object_get(j, "data"), "object"), "days_before")),
		     7);
	json_decref(j);
	set_clock("2026-12-11T00:00:00Z");
	check_signed("poc_wallet.expired", secret, &j);
	json_decref(j);
	check_signed("resource.suspended", secret, &j);
	json_t *object = json_object_get(json_object_get(j, "data"), "object");
	cr_assert_str_eq(json_string_value(json_object_get(object, "id")), server);
	cr_assert_str_eq(json_string_value(json_object_get(object, "status")), "suspended");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(j, "data"), "previous"), "status")),
			 "active");
	cr_assert_str_eq(json_string_value(json_object_get(j, "subject_id")), server);
	json_decref(j);
	/* only what the endpoint subscribed to: not resource.created */
	pthread_mutex_lock(&rcv.lock);
	for (size_t i = 0; i < rcv.n; i++)
		cr_assert(strstr(rcv.hits[i].body, "\"resource.created\"") == NULL);
	pthread_mutex_unlock(&rcv.lock);
	/* the feed has them too, newest first */
	tt_response r = admin("GET", "/v1/webhook-events?type=resource.suspended", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_eq(json_array_size(json_object_get(r.json, "data")), 1, "%s", r.raw);
	tt_response_free(&r);
}

Test(webhooks, a_stop_poc_payment_arrives_signed)
{
	char ep[64], secret[80], server[64], path[128];
	endpoint("/hook", "[\"*\"]", ep, secret);
	poc_wallet("2099-01-01T00:00:00Z");
	poc_server(server);
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	ok(admin("POST", path, "{\"amount\":10000000}"));
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc", server);
	tt_response r = tt_request(&srv, "POST", path, token, "{\"cycle_months\":1}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&srv, "POST", path, token, "{\"method\":\"credit\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	char payment[64];
	snprintf(payment, sizeof(payment), "%s",
		 json_string_value(json_object_get(r.json, "payment_id")));
	tt_response_free(&r);

	json_t *j;
	check_signed("payment.succeeded", secret, &j);
	json_t *object = json_object_get(json_object_get(j, "data"), "object");
	cr_assert_str_eq(json_string_value(json_object_get(object, "id")), payment);
	json_decref(j);
	check_signed("resource.converted", secret, &j);
	object = json_object_get(json_object_get(j, "data"), "object");
	cr_assert_str_eq(json_string_value(json_object_get(object, "id")), server);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(object, "billing"),
							    "mode")),
			 "prepaid");
	json_decref(j);
	check_signed("invoice.issued", secret, &j);
	json_decref(j);
	check_signed("checkout.paid", secret, &j);
	json_decref(j);
}

Test(webhooks, a_hold_payment_arrives_as_hold_placed)
{
	char ep[64], secret[80], path[128];
	endpoint("/hook", "[\"hold.placed\"]", ep, secret);
	poc_wallet("2099-01-01T00:00:00Z");
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	ok(admin("POST", path, "{\"amount\":10000000}"));
	tt_response r = tt_request(&srv, "POST", "/v1/resources", token,
				   "{\"type\":\"cluster\",\"name\":\"vc\",\"poc\":true,"
				   "\"spec\":{\"service\":\"vcontainer\",\"node_flavor\":"
				   "\"s.general.2c4g\",\"node_count\":1,\"boot_volume_type\":\"v.ssd\","
				   "\"boot_volume_gb\":20}}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(path, sizeof(path), "/v1/resources/%s/stop-poc",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&srv, "POST", path, token, "{}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&srv, "POST", path, token, "{\"method\":\"hold\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	char hold[64];
	snprintf(hold, sizeof(hold), "%s", json_string_value(json_object_get(r.json, "hold_id")));
	tt_response_free(&r);
	json_t *j;
	check_signed("hold.placed", secret, &j);
	json_t *object = json_object_get(json_object_get(j, "data"), "object");
	cr_assert_str_eq(json_string_value(json_object_get(object, "id")), hold);
	cr_assert_str_eq(json_string_value(json_object_get(object, "status")), "pending");
	cr_assert_gt(json_integer_value(json_object_get(object, "amount")), 0);
	json_decref(j);
}

Test(webhooks, a_reconciliation_arrives_signed)
{
	char ep[64], secret[80], path[128];
	set_clock("2027-01-15T00:00:00Z");
	endpoint("/hook", "[\"invoice.issued\",\"payment.succeeded\"]", ep, secret);
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", acc);
	ok(admin("POST", path, "{\"amount\":10000000}"));
	ok(tt_request(&srv, "POST", "/v1/resources", token,
		      "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,\"spec\":{}}", NULL));
	set_clock("2027-02-01T00:00:00Z");
	json_t *j;
	check_signed("invoice.issued", secret, &j);
	json_t *object = json_object_get(json_object_get(j, "data"), "object");
	cr_assert_str_eq(json_string_value(json_object_get(object, "kind")), "usage");
	json_decref(j);
	check_signed("payment.succeeded", secret, &j);
	json_decref(j);
}

Test(webhooks, unpaid_use_arrives_as_an_overdue_invoice)
{
	char ep[64], secret[80];
	set_clock("2027-01-15T00:00:00Z");
	endpoint("/hook", "[\"invoice.overdue\"]", ep, secret);
	ok(tt_request(&srv, "POST", "/v1/resources", token,
		      "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,\"spec\":{}}", NULL));
	set_clock("2027-02-01T00:00:00Z");
	json_t *j;
	check_signed("invoice.overdue", secret, &j);
	json_t *object = json_object_get(json_object_get(j, "data"), "object");
	cr_assert_str_eq(json_string_value(json_object_get(object, "status")), "unpaid");
	cr_assert_str_eq(json_string_value(json_object_get(object, "kind")), "usage");
	json_decref(j);
	cr_assert_eq(hits(), 1, "one overdue invoice, one event");
}

Test(webhooks, a_failing_receiver_gets_retries_with_backoff)
{
	char ep[64], server[64];
	atomic_store(&rcv.mode, MODE_FAIL);
	endpoint("/hook", "[\"resource.deleted\"]", ep, NULL);
	delete_a_server(server);
	json_t *d = delivery_after(ep, 1);
	int64_t t0 = clock_now();
	cr_assert_str_eq(json_string_value(json_object_get(d, "status")), "pending");
	cr_assert_eq(json_integer_value(json_object_get(d, "last_status")), 500);
	json_decref(d);
	advance(29); /* the first retry is 30 s after the failure */
	usleep(600000);
	cr_assert_eq(hits(), 1, "retried before its backoff");
	advance(1);
	wait_hits(2);
	json_decref(delivery_after(ep, 2));
	advance(59); /* then 60 s */
	usleep(600000);
	cr_assert_eq(hits(), 2, "the backoff did not double");
	atomic_store(&rcv.mode, MODE_OK);
	advance(1);
	wait_hits(3);
	d = delivery_after(ep, 3);
	cr_assert_str_eq(json_string_value(json_object_get(d, "status")), "delivered");
	cr_assert(clock_now() - t0 == 90);
	json_decref(d);
	/* one event, three attempts, one id */
	pthread_mutex_lock(&rcv.lock);
	cr_assert_str_eq(rcv.hits[0].event_id, rcv.hits[2].event_id);
	cr_assert_str_eq(rcv.hits[1].event_id, rcv.hits[2].event_id);
	pthread_mutex_unlock(&rcv.lock);
	tt_response r = tt_request(&srv, "GET", "/metrics", NULL, NULL, NULL);
	cr_assert(strstr(r.raw, "tally_webhook_attempts_total{result=\"failed\"} 2"), "%s", r.raw);
	cr_assert(strstr(r.raw, "tally_webhook_deliveries{status=\"delivered\"} 1"));
	tt_response_free(&r);
}

Test(webhooks, a_receiver_that_times_out_gets_retries)
{
	char ep[64], server[64];
	atomic_store(&rcv.hang_ms, 3000);
	atomic_store(&rcv.mode, MODE_HANG);
	endpoint("/hook", "[\"resource.deleted\"]", ep, NULL);
	delete_a_server(server);
	json_t *d = delivery_after(ep, 1);
	cr_assert_str_eq(json_string_value(json_object_get(d, "status")), "pending");
	cr_assert(json_is_null(json_object_get(d, "last_status")), "%s", json_dumps(d, 0));
	cr_assert_not_null(strstr(json_string_value(json_object_get(d, "last_error")), "imeout"),
			   "%s", json_string_value(json_object_get(d, "last_error")));
	int64_t latency = json_integer_value(json_object_get(d, "last_latency_ms"));
	cr_assert(latency >= 250 && latency < 2500, "latency %lld", (long long)latency);
	json_decref(d);
	atomic_store(&rcv.mode, MODE_OK);
	advance(30);
	d = delivery_after(ep, 2);
	cr_assert_str_eq(json_string_value(json_object_get(d, "status")), "delivered");
	json_decref(d);
}

Test(webhooks, sigkill_mid_delivery_loses_no_event)
{
	char ep[64], server[64];
	atomic_store(&rcv.hang_ms, 20000);
	atomic_store(&rcv.mode, MODE_HANG);
	/* a timeout longer than the hang's start: the kill comes mid-request */
	tt_server_restart(&srv, (const char *const[]){"--webhook-allow-private", NULL});
	endpoint("/hook", "[\"resource.deleted\"]", ep, NULL);
	delete_a_server(server);
	wait_hits(1);
	tt_server_kill(&srv);
	atomic_store(&rcv.release, true);
	atomic_store(&rcv.mode, MODE_OK);
	tt_server_restart(&srv, private_ok);
	wait_hits(2);
	pthread_mutex_lock(&rcv.lock);
	cr_assert_str_eq(rcv.hits[0].event_id, rcv.hits[1].event_id);
	cr_assert_str_eq(rcv.hits[0].body, rcv.hits[1].body);
	pthread_mutex_unlock(&rcv.lock);
	json_t *d = delivery_after(ep, 1);
	cr_assert_str_eq(json_string_value(json_object_get(d, "status")), "delivered");
	json_decref(d);
}

Test(webhooks, an_endpoint_failing_for_days_is_disabled_with_an_event)
{
	char failing[64], watcher[64], server[64];
	endpoint("/fail", "[\"*\"]", failing, NULL);
	endpoint("/hook", "[\"webhook_endpoint.disabled\"]", watcher, NULL);
	delete_a_server(server);
	json_decref(delivery_after(failing, 1));
	for (int day = 1; day <= 3; day++) {
		advance(86400);
		json_decref(delivery_after(failing, day + 1));
	}
	json_t *j = hit_of_type("webhook_endpoint.disabled", NULL);
	json_t *object = json_object_get(json_object_get(j, "data"), "object");
	cr_assert_str_eq(json_string_value(json_object_get(object, "id")), failing);
	cr_assert(json_is_false(json_object_get(object, "enabled")));
	json_decref(j);
	char path[96];
	snprintf(path, sizeof(path), "/v1/webhook-endpoints/%s", failing);
	tt_response r = admin("GET", path, NULL);
	cr_assert(json_is_false(json_object_get(r.json, "enabled")), "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "disabled_reason")), "failing");
	cr_assert_null(json_object_get(r.json, "secret"), "the secret is shown once");
	tt_response_free(&r);
	/* the delivery's 3 days are over too: failed, and redelivery on request */
	json_t *d = delivery(failing);
	cr_assert_str_eq(json_string_value(json_object_get(d, "status")), "failed");
	snprintf(path, sizeof(path), "/v1/webhook-deliveries/%s/redeliver",
		 json_string_value(json_object_get(d, "id")));
	json_decref(d);
	r = admin("POST", path, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "pending");
	tt_response_free(&r);
	r = admin("POST", path, NULL);
	cr_assert_eq(r.status, 409, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "delivery_pending");
	tt_response_free(&r);
}

static void expect_refused(const char *body, long status, const char *code)
{
	tt_response r = admin("POST", "/v1/webhook-endpoints", body);
	cr_expect_eq(r.status, status, "%s -> %s", body, r.raw);
	cr_expect_str_eq(tt_error_code(&r), code, "%s -> %s", body, r.raw);
	tt_response_free(&r);
}

Test(webhooks, destinations_and_bad_input_are_refused_with_stable_codes)
{
	/* a tallyd without --webhook-allow-private */
	tt_server_restart(&srv, NULL);
	static const char *const forbidden[] = {
		"http://127.0.0.1/x",       "http://localhost:8080/x", "http://[::1]/x",
		"http://10.1.2.3/x",        "https://192.168.0.10/x",  "http://172.16.0.1/x",
		"http://169.254.169.254/x", "http://0.0.0.0/x",        "http://[fe80::1]/x",
		"http://[::ffff:127.0.0.1]/x", "http://100.64.0.1/x",
	};
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		char body[128];
		snprintf(body, sizeof(body), "{\"url\":\"%s\"}", forbidden[i]);
		expect_refused(body, 422, "webhook_destination_forbidden");
	}
	expect_refused("{\"url\":\"ftp://example.com/x\"}", 422, "invalid_webhook_url");
	expect_refused("{\"url\":\"file:///etc/passwd\"}", 422, "invalid_webhook_url");
	expect_refused("{\"url\":\"not a url\"}", 422, "invalid_webhook_url");
	expect_refused("{\"url\":\"https://user:pw@example.com/x\"}", 422, "invalid_webhook_url");
	expect_refused("{\"url\":\"https://example.com/x\",\"event_types\":[\"resource.exploded\"]}",
		       422, "unknown_event_type");
	expect_refused("{\"url\":\"https://example.com/x\",\"secret\":\"mine\"}", 400,
		       "unknown_field");
	expect_refused("{\"url\":\"https://example.com/x\",\"event_types\":\"*\"}", 400,
		       "invalid_type");
	expect_refused("{\"event_types\":[\"*\"]}", 400, "missing_field");
	expect_refused("{\"url\":\"https://example.com/x\",\"event_types\":[]}", 400,
		       "invalid_value");

	tt_response r = admin("PATCH", "/v1/webhook-endpoints/we_aaaaaaaaaaaaaaaa", "{\"enabled\":true}");
	cr_assert_eq(r.status, 404, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "webhook_endpoint_not_found");
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/webhook-endpoints", token, NULL, NULL);
	cr_assert(r.status == 403 || r.status == 404, "an account saw endpoints: %s", r.raw);
	tt_response_free(&r);

	/* a public URL is accepted; a retry of its creation does not show the
	 * secret again; an update is checked like a creation */
	r = tt_request(&srv, "POST", "/v1/webhook-endpoints", srv.admin_token,
		       "{\"url\":\"https://example.com/hook\"}", "create-once");
	cr_assert_eq(r.status, 201, "%s", r.raw);
	cr_assert_not_null(json_object_get(r.json, "secret"));
	char path[96];
	snprintf(path, sizeof(path), "/v1/webhook-endpoints/%s",
		 json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/webhook-endpoints", srv.admin_token,
		       "{\"url\":\"https://example.com/hook\"}", "create-once");
	cr_assert_eq(r.status, 409, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "webhook_endpoint_already_created");
	tt_response_free(&r);
	r = admin("PATCH", path, "{\"url\":\"http://127.0.0.1:1/\"}");
	cr_assert_eq(r.status, 422, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "webhook_destination_forbidden");
	tt_response_free(&r);
	r = admin("PATCH", path, "{\"urll\":\"https://example.com/\"}");
	cr_assert_eq(r.status, 400, "%s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "unknown_field");
	tt_response_free(&r);
	r = admin("DELETE", path, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	r = admin("GET", path, NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	tt_response_free(&r);
}

/* A name that resolves to a loopback address passes the creation check
 * (it is not a literal) but never gets a request: the worker resolves,
 * checks and pins the address before connecting. */
Test(webhooks, a_name_resolving_to_loopback_gets_no_request)
{
	char host[128];
	cr_assert_eq(gethostname(host, sizeof(host)), 0);
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
	bool loopback = getaddrinfo(host, NULL, &hints, &res) == 0 && res &&
			(ntohl(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr) >> 24) == 127;
	if (res)
		freeaddrinfo(res);
	if (!loopback)
		cr_skip_test("this machine's name (%s) does not resolve to a loopback address", host);
	tt_server_restart(&srv, NULL);
	char body[256], server[64];
	snprintf(body, sizeof(body), "{\"url\":\"http://%s:%d/hook\",\"event_types\":[\"*\"]}", host,
		 rcv.port);
	tt_response r = admin("POST", "/v1/webhook-endpoints", body);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char ep[64];
	snprintf(ep, sizeof(ep), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	delete_a_server(server);
	json_t *d = delivery_after(ep, 1);
	cr_assert_str_eq(json_string_value(json_object_get(d, "status")), "pending");
	cr_assert_not_null(strstr(json_string_value(json_object_get(d, "last_error")),
				  "webhook_destination_forbidden"),
			   "%s", json_dumps(d, 0));
	json_decref(d);
	cr_assert_eq(hits(), 0, "a request reached a loopback address");
}

/* Runs `tally ARGS` as the admin; its exit status, stdout into out. */
static int tally(char *out, size_t size, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "env -u TALLY_PROFILE XDG_CONFIG_HOME=/nonexistent TALLY_URL='%s' TALLY_TOKEN='%s'"
		 " '%s' %s 2>&1",
		 srv.url, srv.admin_token, tt_bin("tally"), args);
	return tt_run(cmd, out, size);
}

Test(webhooks, the_cli_registers_lists_and_redelivers)
{
	char out[8192], args[512], server[64];
	snprintf(args, sizeof(args),
		 "--json webhooks create --url http://127.0.0.1:%d/hook --events resource.deleted",
		 rcv.port);
	cr_assert_eq(tally(out, sizeof(out), args), 0, "%s", out);
	json_t *e = json_loads(out, 0, NULL);
	cr_assert_not_null(e, "%s", out);
	cr_assert_not_null(json_object_get(e, "secret"), "%s", out);
	char ep[64];
	snprintf(ep, sizeof(ep), "%s", json_string_value(json_object_get(e, "id")));
	json_decref(e);
	cr_assert_eq(tally(out, sizeof(out), "webhooks list"), 0, "%s", out);
	cr_assert_not_null(strstr(out, ep), "%s", out);
	cr_assert_null(strstr(out, "whsec_"), "a list shows a secret: %s", out);
	delete_a_server(server);
	json_t *d = delivery_after(ep, 1);
	char did[64];
	snprintf(did, sizeof(did), "%s", json_string_value(json_object_get(d, "id")));
	json_decref(d);
	snprintf(args, sizeof(args), "webhooks deliveries %s", ep);
	cr_assert_eq(tally(out, sizeof(out), args), 0, "%s", out);
	cr_assert_not_null(strstr(out, "delivered"), "%s", out);
	snprintf(args, sizeof(args), "webhooks redeliver %s", did);
	cr_assert_eq(tally(out, sizeof(out), args), 0, "%s", out);
	wait_hits(2);
	cr_assert_eq(tally(out, sizeof(out), "webhooks events"), 0, "%s", out);
	cr_assert_not_null(strstr(out, "resource.deleted"), "%s", out);
	snprintf(args, sizeof(args), "webhooks update %s --events nope.nope", ep);
	cr_assert_neq(tally(out, sizeof(out), args), 0, "%s", out);
	cr_assert_not_null(strstr(out, "unknown_event_type"), "%s", out);
}
