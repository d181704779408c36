/*
 * The store's contract for webhooks (issue 18): an outbox event fans out to
 * the enabled endpoints subscribed to its type; due deliveries come one per
 * (endpoint, object) in order; saving a delivery; retention keeps events
 * with a delivery pending. Opens its store only through store_fixture.h.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store_fixture.h"

static tl_store *store;
static void setup(void) { tt_store_open_fresh(&store); }
static void teardown(void) { tt_store_close_fresh(store); }
TestSuite(store_webhooks, .init = setup, .fini = teardown);

static tl_webhook_endpoint endpoint(const char *id, const char *types, bool enabled)
{
	tl_webhook_endpoint e = {.enabled = enabled, .created_at = 100, .updated_at = 100};
	snprintf(e.id, sizeof(e.id), "%s", id);
	snprintf(e.url, sizeof(e.url), "https://example.com/%s", id);
	snprintf(e.event_types, sizeof(e.event_types), "%s", types);
	snprintf(e.secret, sizeof(e.secret), "whsec_%s", id);
	return e;
}

static int setup_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	tl_webhook_endpoint eps[] = {
		endpoint("we_all", "[\"*\"]", true),
		endpoint("we_suspend", "[\"resource.suspended\"]", true),
		endpoint("we_off", "[\"*\"]", false),
	};
	for (size_t i = 0; i < 3; i++)
		if (tl_store_webhook_endpoint_insert(tx, &eps[i], err) < 0)
			return -1;
	const char *events[][3] = {
		{"evt_1", "resource.suspended", "res_a"},
		{"evt_2", "resource.deleted", "res_a"},
		{"evt_3", "resource.suspended", "res_b"},
	};
	for (int i = 0; i < 3; i++) {
		tl_webhook_event e = {.created_at = 1000 + i, .data = "{\"object\":null}"};
		snprintf(e.id, sizeof(e.id), "%s", events[i][0]);
		snprintf(e.type, sizeof(e.type), "%s", events[i][1]);
		snprintf(e.account_id, sizeof(e.account_id), "acc_x");
		snprintf(e.subject_id, sizeof(e.subject_id), "%s", events[i][2]);
		if (tl_store_webhook_event_insert(tx, &e, err) < 0)
			return -1;
	}
	return 0;
}

typedef struct due {
	int64_t now;
	tl_webhook_delivery d[16];
	size_t n;
	tl_webhook_stats stats;
	size_t purged;
} due;

static int due_tx(tl_tx *tx, void *arg, tl_error *err)
{
	due *q = arg;
	int rc = tl_store_webhook_delivery_due(tx, q->now, q->d, 16, &q->n, err);
	return rc ? rc : tl_store_webhook_stats(tx, &q->stats, err);
}

Test(store_webhooks, events_fan_out_to_subscribed_enabled_endpoints_in_order)
{
	tt_store_must_write(store, setup_tx, NULL);
	due q = {.now = 999};
	tt_store_must_write(store, due_tx, &q);
	cr_assert_eq(q.n, 0, "due before its time");
	cr_assert_eq(q.stats.pending, 5, "we_all 3 and we_suspend 2, got %lld",
		     (long long)q.stats.pending);
	q.now = 2000;
	tt_store_must_write(store, due_tx, &q);
	/* we_all: evt_1 (res_a; evt_2 waits behind it), evt_3 (res_b);
	 * we_suspend: evt_1, evt_3; we_off: nothing */
	cr_assert_eq(q.n, 4);
	for (size_t i = 0; i < q.n; i++) {
		cr_assert_str_neq(q.d[i].event_id, "evt_2", "an object's events out of order");
		cr_assert_str_neq(q.d[i].endpoint_id, "we_off");
		cr_assert_str_eq(q.d[i].status, "pending");
		cr_assert_eq(q.d[i].last_latency_ms, -1);
	}
	cr_assert_eq(q.stats.oldest_pending_at, 1000);
}

static int deliver_first_tx(tl_tx *tx, void *arg, tl_error *err)
{
	due *q = arg;
	int rc = tl_store_webhook_delivery_due(tx, q->now, q->d, 16, &q->n, err);
	for (size_t i = 0; rc == 0 && i < q->n; i++) {
		if (strcmp(q->d[i].endpoint_id, "we_all") != 0 ||
		    strcmp(q->d[i].event_id, "evt_1") != 0)
			continue;
		tl_webhook_delivery d = q->d[i];
		snprintf(d.status, sizeof(d.status), "delivered");
		d.attempts = 1;
		d.last_status = 204;
		d.last_latency_ms = 12;
		d.last_attempt_at = d.delivered_at = q->now;
		rc = tl_store_webhook_delivery_save(tx, &d, err);
		tl_webhook_delivery back;
		rc = rc ? rc : tl_store_webhook_delivery_get(tx, d.id, &back, err);
		if (rc == 0) {
			cr_assert_str_eq(back.status, "delivered");
			cr_assert_eq(back.last_status, 204);
			cr_assert_eq(back.last_latency_ms, 12);
			cr_assert_eq(back.delivered_at, q->now);
		}
	}
	return rc;
}

static int purge_tx(tl_tx *tx, void *arg, tl_error *err)
{
	due *q = arg;
	return tl_store_webhook_purge(tx, q->now, 100, &q->purged, err);
}

Test(store_webhooks, a_delivered_event_lets_the_next_one_go_and_retention_keeps_pending_ones)
{
	tt_store_must_write(store, setup_tx, NULL);
	due q = {.now = 2000};
	tt_store_must_write(store, deliver_first_tx, &q);
	tt_store_must_write(store, due_tx, &q);
	bool evt2 = false;
	for (size_t i = 0; i < q.n; i++)
		evt2 |= strcmp(q.d[i].event_id, "evt_2") == 0;
	cr_assert(evt2, "evt_2 still waits after evt_1 was delivered");
	cr_assert_eq(q.stats.delivered, 1);
	/* every event still has a pending delivery somewhere: none purged */
	tt_store_must_write(store, purge_tx, &q);
	cr_assert_eq(q.purged, 0);
}

static int delete_tx(tl_tx *tx, void *arg, tl_error *err)
{
	(void)arg;
	int rc = tl_store_webhook_endpoint_delete(tx, "we_all", err);
	rc = rc ? rc : tl_store_webhook_endpoint_delete(tx, "we_suspend", err);
	tl_error e2 = {0};
	cr_assert_eq(tl_store_webhook_endpoint_delete(tx, "we_nope", &e2), TL_ENOTFOUND);
	cr_assert_str_eq(e2.code, "webhook_endpoint_not_found");
	tl_error_clear(&e2);
	return rc;
}

Test(store_webhooks, deleting_endpoints_drops_their_deliveries_and_frees_events_for_retention)
{
	tt_store_must_write(store, setup_tx, NULL);
	tt_store_must_write(store, delete_tx, NULL);
	due q = {.now = 2000};
	tt_store_must_write(store, due_tx, &q);
	cr_assert_eq(q.stats.pending, 0);
	q.now = 1001; /* older than 1001: evt_1 only */
	tt_store_must_write(store, purge_tx, &q);
	cr_assert_eq(q.purged, 1);
}
