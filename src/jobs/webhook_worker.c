/* webhook_worker.c: delivering webhooks over HTTP; see webhook_worker.h. */
#include "jobs/webhook_worker.h"
#include "common/log.h"
#include "service/webhooks.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic uint64_t attempts_ok, attempts_failed;

uint64_t tl_webhook_attempts_ok(void)
{
	return atomic_load(&attempts_ok);
}

uint64_t tl_webhook_attempts_failed(void)
{
	return atomic_load(&attempts_failed);
}

void tl_webhook_sign(const char *secret, int64_t t, const char *body, size_t body_len,
		     char *out, size_t out_size)
{
	char ts[24];
	int ts_len = snprintf(ts, sizeof(ts), "%lld", (long long)t);
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)ts_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, out_size, "t=%s,v1=%s", ts, hex);
}

struct tl_webhook_worker {
	tl_store *store;
	tl_clock *clock;
	tl_webhook_options opt;
	atomic_bool stopping;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
};

/* One delivery to make: everything read in the pass's read transaction. */
typedef struct work {
	char delivery_id[TL_ID_MAX];
	char event_id[TL_ID_MAX];
	char event_type[TL_WEBHOOK_TYPE_MAX];
	char url[TL_WEBHOOK_URL_MAX + 1];
	char secret[80];
	char *body;
} work;

typedef struct due_pass {
	int64_t now;
	work items[TL_WEBHOOK_BATCH_MAX];
	size_t n;
} due_pass;

static int due_tx(tl_tx *tx, void *arg, tl_error *err)
{
	due_pass *p = arg;
	tl_webhook_delivery d[TL_WEBHOOK_BATCH_MAX];
	size_t n = 0;
	p->n = 0;
	int rc = tl_store_webhook_delivery_due(tx, p->now, d, TL_WEBHOOK_BATCH_MAX, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		tl_webhook_event ev;
		tl_webhook_endpoint ep;
		rc = tl_store_webhook_event_get(tx, d[i].event_seq, &ev, err);
		if (rc < 0)
			break;
		rc = tl_store_webhook_endpoint_get(tx, d[i].endpoint_id, &ep, err);
		json_t *j = rc ? NULL : tl_webhook_event_to_json(&ev);
		tl_webhook_event_free_fields(&ev);
		if (rc < 0)
			break;
		work *w = &p->items[p->n];
		*w = (work){0};
		snprintf(w->delivery_id, sizeof(w->delivery_id), "%s", d[i].id);
		snprintf(w->event_id, sizeof(w->event_id), "%s", d[i].event_id);
		snprintf(w->event_type, sizeof(w->event_type), "%s", d[i].event_type);
		snprintf(w->url, sizeof(w->url), "%s", ep.url);
		snprintf(w->secret, sizeof(w->secret), "%s", ep.secret);
		w->body = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (w->body)
			p->n++;
	}
	return rc;
}

typedef struct answer {
	size_t read;
} answer;

/* Reads at most TL_WEBHOOK_RESPONSE_MAX bytes of the answer: only its
 * status matters, and a receiver must not make tallyd read without end. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	answer *a = arg;
	a->read += size * nmemb;
	return a->read > TL_WEBHOOK_RESPONSE_MAX ? 0 : size * nmemb;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	tl_webhook_worker *w = arg;
	return atomic_load(&w->stopping) ? 1 : 0; /* abandoned: resent after the restart */
}

/* Resolves the URL's host and checks every address; fills "host:port:addr"
 * for CURLOPT_RESOLVE with the first. */
static int pin_destination(const char *url, bool allow_private, char *pin, size_t pin_size,
			   char *why, size_t why_size)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int rc = -1;
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		snprintf(why, why_size, "invalid_webhook_url");
		goto done;
	}
	char name[256];
	size_t hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && hl - 2 < sizeof(name)) { /* [v6] */
		memcpy(name, host + 1, hl - 2);
		name[hl - 2] = '\0';
	} else {
		snprintf(name, sizeof(name), "%s", host);
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(name, port, &hints, &res);
	if (gai != 0 || res == NULL) {
		snprintf(why, why_size, "dns_failed: %.100s", gai_strerror(gai));
		goto done;
	}
	char addr[INET6_ADDRSTRLEN] = "";
	bool v6 = false;
	rc = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (!allow_private && tl_webhook_addr_forbidden(ai->ai_addr)) {
			snprintf(why, why_size, "webhook_destination_forbidden: %.60s resolves to a"
				 " loopback, private or link-local address", name);
			rc = -1;
			break;
		}
		if (addr[0] == '\0') {
			v6 = ai->ai_family == AF_INET6;
			const void *a = v6 ? (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
					   : (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			inet_ntop(ai->ai_family, a, addr, sizeof(addr));
		}
	}
	freeaddrinfo(res);
	if (rc == 0)
		snprintf(pin, pin_size, "%s:%s:%s%s%s", host, port, v6 ? "[" : "", addr,
			 v6 ? "]" : "");
done:
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One HTTP attempt; false when abandoned because tallyd is stopping. */
static bool attempt(tl_webhook_worker *w, const work *item, tl_webhook_attempt *out)
{
	*out = (tl_webhook_attempt){0};
	char pin[512];
	if (pin_destination(item->url, w->opt.allow_private, pin, sizeof(pin), out->error,
			    sizeof(out->error)) < 0)
		return true;
	CURL *curl = curl_easy_init();
	if (curl == NULL) {
		snprintf(out->error, sizeof(out->error), "out of memory");
		return true;
	}
	char sig[160], h_sig[200], h_id[80], h_type[100];
	size_t body_len = strlen(item->body);
	tl_webhook_sign(item->secret, tl_clock_now(w->clock), item->body, body_len, sig,
			sizeof(sig));
	snprintf(h_sig, sizeof(h_sig), "Tally-Signature: %s", sig);
	snprintf(h_id, sizeof(h_id), "Tally-Event-Id: %s", item->event_id);
	snprintf(h_type, sizeof(h_type), "Tally-Event-Type: %s", item->event_type);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = curl_slist_append(headers, h_sig);
	headers = curl_slist_append(headers, h_id);
	headers = curl_slist_append(headers, h_type);
	headers = curl_slist_append(headers, "Expect:");
	struct curl_slist *resolve = curl_slist_append(NULL, pin);
	unsigned timeout_ms = w->opt.timeout_ms ? w->opt.timeout_ms : TL_WEBHOOK_TIMEOUT_MS_DEFAULT;
	answer ans = {0};
	curl_easy_setopt(curl, CURLOPT_URL, item->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)timeout_ms < TL_WEBHOOK_CONNECT_TIMEOUT_MS
				 ? (long)timeout_ms
				 : TL_WEBHOOK_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "tally-webhooks/1");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, item->body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ans);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, w);
	int64_t started = mono_ms();
	CURLcode cc = curl_easy_perform(curl);
	out->latency_ms = mono_ms() - started;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->http_status);
	bool abandoned = cc == CURLE_ABORTED_BY_CALLBACK;
	bool status_ok = out->http_status >= 200 && out->http_status < 300;
	/* a 2xx whose long answer we stopped reading is delivered all the same */
	out->ok = status_ok && (cc == CURLE_OK || cc == CURLE_WRITE_ERROR);
	if (!out->ok && cc != CURLE_OK && cc != CURLE_WRITE_ERROR)
		snprintf(out->error, sizeof(out->error), "%s", curl_easy_strerror(cc));
	else if (!out->ok)
		snprintf(out->error, sizeof(out->error), "HTTP %ld", out->http_status);
	curl_slist_free_all(headers);
	curl_slist_free_all(resolve);
	curl_easy_cleanup(curl);
	return !abandoned;
}

typedef struct record {
	int64_t now;
	const char *delivery_id;
	const tl_webhook_attempt *attempt;
} record;

static int record_tx(tl_tx *tx, void *arg, tl_error *err)
{
	record *r = arg;
	tl_principal who = {.is_admin = true, .actor = "job:webhooks"};
	tl_ctx ctx = {.who = &who, .now = r->now};
	return tl_webhook_delivery_record(tx, &ctx, r->delivery_id, r->attempt, err);
}

/* One pass: the due deliveries, each attempted and recorded. Returns how
 * many were attempted. */
static size_t run_pass(tl_webhook_worker *w)
{
	due_pass *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return 0;
	p->now = tl_clock_now(w->clock);
	tl_error err = {0};
	if (tl_store_read(w->store, due_tx, p, &err) < 0) {
		tl_log("error", "webhook deliveries could not be read",
		       json_pack("{s:s}", "reason", err.message));
		tl_error_clear(&err);
	}
	size_t done = 0;
	for (size_t i = 0; i < p->n && !atomic_load(&w->stopping); i++) {
		tl_webhook_attempt a;
		if (!attempt(w, &p->items[i], &a))
			break;
		atomic_fetch_add(a.ok ? &attempts_ok : &attempts_failed, 1);
		record r = {.now = tl_clock_now(w->clock), .delivery_id = p->items[i].delivery_id,
			    .attempt = &a};
		if (tl_store_write(w->store, record_tx, &r, &err) < 0) {
			tl_log("error", "a webhook attempt could not be recorded",
			       json_pack("{s:s, s:s}", "delivery", p->items[i].delivery_id,
					 "reason", err.message));
			tl_error_clear(&err);
		} else if (!a.ok) {
			tl_log("warn", "webhook delivery failed",
			       json_pack("{s:s, s:s, s:I, s:s}", "delivery", p->items[i].delivery_id,
					 "event", p->items[i].event_id, "status",
					 (json_int_t)a.http_status, "reason", a.error));
		}
		done++;
	}
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i].body);
	free(p);
	return done;
}

static void *worker_main(void *arg)
{
	tl_webhook_worker *w = arg;
	while (!atomic_load(&w->stopping)) {
		if (run_pass(w) > 0)
			continue; /* more may be due at once */
		pthread_mutex_lock(&w->lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)TL_WEBHOOK_POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (!atomic_load(&w->stopping))
			pthread_cond_timedwait(&w->wake, &w->lock, &until);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

int tl_webhook_worker_start(tl_webhook_worker **out, tl_store *store, tl_clock *clock,
			    const tl_webhook_options *opt)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return TL_EINTERNAL;
	tl_webhook_worker *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return TL_EINTERNAL;
	w->store = store;
	w->clock = clock;
	w->opt = *opt;
	atomic_init(&w->stopping, false);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return TL_EINTERNAL;
	}
	*out = w;
	return 0;
}

void tl_webhook_worker_stop(tl_webhook_worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->stopping, true);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
	curl_global_cleanup();
}
