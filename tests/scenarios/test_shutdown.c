/* Scenario: SIGTERM during a burst of writes loses no acknowledged write,
 * and tallyd exits cleanly. Also: a restart keeps everything. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"

static tt_server srv;
static void stop(void) { tt_server_stop(&srv); }

enum { WRITERS = 8, PER_WRITER = 400 };

typedef struct writer {
	int index;
	char acked[PER_WRITER][64]; /* ids of accounts whose 201 came back */
	int acked_count;            /* read by the test's thread while it grows */
} writer;

/* Records an acknowledged account id; the count is published after it. */
static void ack(writer *w, const json_t *answer)
{
	int n = __atomic_load_n(&w->acked_count, __ATOMIC_RELAXED);
	snprintf(w->acked[n], 64, "%s", json_string_value(json_object_get(answer, "id")));
	__atomic_store_n(&w->acked_count, n + 1, __ATOMIC_RELEASE);
}

/* Waits until the writers have had a few writes acknowledged (up to 30 s:
 * a loaded machine with an ASan tallyd may take seconds to answer the
 * first), so the signal that follows lands in the middle of the burst. */
static void wait_for_acks(writer *writers)
{
	for (int tries = 0; tries < 3000; tries++) {
		int acked = 0;
		for (int i = 0; i < WRITERS; i++)
			acked += __atomic_load_n(&writers[i].acked_count, __ATOMIC_ACQUIRE);
		if (acked >= WRITERS)
			return;
		struct timespec tick = {0, 10000000};
		nanosleep(&tick, NULL);
	}
}

static void *write_burst(void *arg)
{
	writer *w = arg;
	for (int i = 0; i < PER_WRITER; i++) {
		char body[64];
		snprintf(body, sizeof(body), "{\"name\":\"w%d-%d\"}", w->index, i);
		tt_response r = tt_request(&srv, "POST", "/v1/accounts", srv.admin_token, body, NULL);
		if (r.status == 201)
			ack(w, r.json);
		long status = r.status;
		tt_response_free(&r);
		if (status == 0)
			break; /* the server is gone */
	}
	return NULL;
}

Test(shutdown, sigterm_during_writes_loses_no_acknowledged_write, .fini = stop)
{
	tt_server_start(&srv, NULL);
	static writer writers[WRITERS];
	pthread_t threads[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		writers[i].index = i;
		pthread_create(&threads[i], NULL, write_burst, &writers[i]);
	}
	wait_for_acks(writers);
	cr_assert_eq(tt_server_term(&srv), 0, "tallyd did not exit cleanly on SIGTERM");
	int acked = 0;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		acked += writers[i].acked_count;
	}
	cr_assert_gt(acked, 0, "no write was acknowledged before SIGTERM; the test proves nothing");

	tt_server_restart(&srv, NULL);
	for (int i = 0; i < WRITERS; i++)
		for (int j = 0; j < writers[i].acked_count; j++) {
			char path[128];
			snprintf(path, sizeof(path), "/v1/accounts/%s", writers[i].acked[j]);
			tt_response r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
			cr_expect_eq(r.status, 200, "acknowledged account %s is missing",
				     writers[i].acked[j]);
			tt_response_free(&r);
		}
	cr_log_info("%d acknowledged writes, all present after restart", acked);
}

/* Keep-alive clients go on sending while tallyd drains: every write in the
 * database must be one a client was told about, and the other way round. */
static void *write_keepalive(void *arg)
{
	writer *w = arg;
	tt_client *c = tt_client_new(&srv);
	for (int i = 0; i < PER_WRITER; i++) {
		char body[64];
		snprintf(body, sizeof(body), "{\"name\":\"k%d-%d\"}", w->index, i);
		tt_response r = tt_client_request(c, "POST", "/v1/accounts", srv.admin_token, body);
		long status = r.status;
		if (status == 201)
			ack(w, r.json);
		tt_response_free(&r);
		if (status != 201)
			break; /* 503 while draining, or the server is gone */
	}
	tt_client_free(c);
	return NULL;
}

Test(shutdown, keepalive_clients_get_an_answer_for_every_committed_write, .fini = stop)
{
	tt_server_start(&srv, NULL);
	static writer writers[WRITERS];
	pthread_t threads[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		writers[i] = (writer){.index = i};
		pthread_create(&threads[i], NULL, write_keepalive, &writers[i]);
	}
	wait_for_acks(writers);
	cr_assert_eq(tt_server_term(&srv), 0);
	int acked = 0;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		acked += writers[i].acked_count;
	}
	cr_assert_gt(acked, 0);
	char cmd[512], out[64];
	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'SELECT count(*) FROM accounts'", srv.db);
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0);
	cr_assert_eq(strtol(out, NULL, 10), acked,
		     "%s accounts in the database, %d acknowledged", out, acked);
}

Test(shutdown, sigkill_loses_no_acknowledged_write, .fini = stop)
{
	tt_server_start(&srv, NULL);
	static writer writers[WRITERS];
	pthread_t threads[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		writers[i].index = i;
		pthread_create(&threads[i], NULL, write_burst, &writers[i]);
	}
	wait_for_acks(writers);
	tt_server_kill(&srv);
	int acked = 0;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		acked += writers[i].acked_count;
	}
	cr_assert_gt(acked, 0);
	tt_server_restart(&srv, NULL);
	for (int i = 0; i < WRITERS; i++)
		for (int j = 0; j < writers[i].acked_count; j++) {
			char path[128];
			snprintf(path, sizeof(path), "/v1/accounts/%s", writers[i].acked[j]);
			tt_response r = tt_request(&srv, "GET", path, srv.admin_token, NULL, NULL);
			cr_expect_eq(r.status, 200, "acknowledged account %s is missing",
				     writers[i].acked[j]);
			tt_response_free(&r);
		}
}
