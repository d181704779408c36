/*
 * sim_webhooks.c: the simulation's webhook check (issue 18). A receiver in
 * this process (libmicrohttpd, always 200) is registered for every type at
 * the start of a run; at its end, once nothing is pending, every audit
 * event of a webhook type made since must have arrived, and nothing else:
 * every state change the run made has its event delivered. Deliveries are
 * at least once, so an id may arrive twice only when tallyd was killed.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "service/webhooks.h"
#include "sim.h"

#define RECEIVED_MAX 20000

static struct {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char (*ids)[40];
	size_t n;
	char endpoint_id[64];
} rcv = {.lock = PTHREAD_MUTEX_INITIALIZER};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **state)
{
	(void)cls, (void)url, (void)method, (void)version, (void)upload_data;
	if (*state == NULL) {
		*state = (void *)1;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* the id is in a header */
		return MHD_YES;
	}
	const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Tally-Event-Id");
	pthread_mutex_lock(&rcv.lock);
	if (id && rcv.n < RECEIVED_MAX)
		snprintf(rcv.ids[rcv.n++], sizeof(rcv.ids[0]), "%s", id);
	pthread_mutex_unlock(&rcv.lock);
	struct MHD_Response *res =
		MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(c, 200, res);
	MHD_destroy_response(res);
	return ret;
}

void sim_webhooks_start(sim *s)
{
	if (rcv.daemon == NULL) {
		rcv.ids = calloc(RECEIVED_MAX, sizeof(rcv.ids[0]));
		struct sockaddr_in addr = {.sin_family = AF_INET};
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		rcv.daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
						      MHD_USE_THREAD_PER_CONNECTION,
					      0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
					      &addr, MHD_OPTION_END);
		cr_assert_not_null(rcv.daemon, "sim: the webhook receiver did not start");
	}
	pthread_mutex_lock(&rcv.lock);
	rcv.n = 0;
	pthread_mutex_unlock(&rcv.lock);
	char body[160];
	snprintf(body, sizeof(body), "{\"url\":\"http://127.0.0.1:%d/sim\",\"event_types\":[\"*\"]}",
		 MHD_get_daemon_info(rcv.daemon, MHD_DAEMON_INFO_BIND_PORT)->port);
	json_t *e = sim_call_ok(s, "POST", "/v1/webhook-endpoints", s->srv.admin_token, body);
	snprintf(rcv.endpoint_id, sizeof(rcv.endpoint_id), "%s",
		 json_string_value(json_object_get(e, "id")));
	json_decref(e);
}

static int64_t pending(sim *s)
{
	tt_response r = sim_call(s, "GET", "/metrics", NULL, NULL);
	const char *p = r.raw ? strstr(r.raw, "tally_webhook_deliveries{status=\"pending\"} ") : NULL;
	int64_t n = p ? strtoll(p + strlen("tally_webhook_deliveries{status=\"pending\"} "), NULL, 10)
		      : -1;
	tt_response_free(&r);
	return n;
}

/* How often id arrived (waiting up to 2 s for one the ticker's last
 * changes may still be sending). */
static size_t times_received(const char *id)
{
	size_t n = 0;
	for (int tries = 0; tries < 100 && n == 0; tries++) {
		if (tries)
			usleep(20000);
		pthread_mutex_lock(&rcv.lock);
		for (size_t i = 0; i < rcv.n; i++)
			n += strcmp(rcv.ids[i], id) == 0;
		pthread_mutex_unlock(&rcv.lock);
	}
	return n;
}

void sim_webhooks_check(sim *s)
{
	s->op = "webhooks";
	int64_t left = -1;
	for (int i = 0; i < 1000 && (left = pending(s)) != 0; i++)
		usleep(20000);
	if (left != 0)
		sim_disagree(s, "webhooks: %lld deliveries still pending", (long long)left);
	pthread_mutex_lock(&rcv.lock);
	size_t received = rcv.n; /* all of these must be events the trail has */
	pthread_mutex_unlock(&rcv.lock);
	char (*listed)[40] = calloc(RECEIVED_MAX, sizeof(*listed));
	cr_assert_not_null(listed);
	/* the audit trail since the endpoint's creation, newest first */
	size_t expected = 0, duplicates = 0;
	char path[160], after[64] = "";
	bool done = false;
	for (int page = 0; page < 1000 && !done; page++) {
		snprintf(path, sizeof(path), "/v1/events?limit=500%s%s", after[0] ? "&after=" : "",
			 after);
		json_t *got = sim_call_ok(s, "GET", path, s->srv.admin_token, NULL);
		json_t *data = json_object_get(got, "data"), *e;
		size_t i;
		json_array_foreach(data, i, e) {
			const char *type = json_string_value(json_object_get(e, "type"));
			const char *id = json_string_value(json_object_get(e, "id"));
			if (strcmp(type, "webhook_endpoint.created") == 0 &&
			    strcmp(json_string_value(json_object_get(e, "subject_id")),
				   rcv.endpoint_id) == 0) {
				done = true;
				break;
			}
			if (tl_webhook_type_for(type) == NULL || expected >= RECEIVED_MAX)
				continue;
			snprintf(listed[expected++], sizeof(listed[0]), "%s", id);
			size_t n = times_received(id);
			if (n == 0)
				sim_disagree(s, "webhooks: %s (%s) was never delivered", id, type);
			if (n > 1 && s->restarts == 0)
				sim_disagree(s, "webhooks: %s (%s) delivered %zu times without a crash",
					     id, type, n);
			duplicates += n - 1;
		}
		json_t *next = json_object_get(got, "next");
		if (json_is_string(next))
			snprintf(after, sizeof(after), "%s", json_string_value(next));
		else
			done = true;
		json_decref(got);
	}
	pthread_mutex_lock(&rcv.lock);
	for (size_t r = 0; r < received; r++) {
		bool known = false;
		for (size_t i = 0; i < expected && !known; i++)
			known = strcmp(listed[i], rcv.ids[r]) == 0;
		if (!known)
			sim_disagree(s, "webhooks: %s arrived but is no state change of the trail",
				     rcv.ids[r]);
	}
	pthread_mutex_unlock(&rcv.lock);
	free(listed);
	fprintf(stderr, "sim: seed %llu: webhooks: %zu events delivered, %zu again after a crash\n",
		(unsigned long long)s->seed, expected, duplicates);
}
