/* metrics.c: fixed-size counters (routes x statuses, routes x buckets), so
 * recording a request never allocates. One mutex: a request spends far more
 * time in its transaction than waiting here. */
#include "api/metrics.h"
#include "jobs/jobs.h"
#include "service/holds.h"
#include "jobs/webhook_worker.h"
#include "service/reconcile.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ROUTES TL_METRICS_ROUTES_MAX
#define STATUS_SLOTS 16
/* Upper bounds of the latency buckets in microseconds; +Inf is implied. */
static const uint64_t bucket_us[] = {500, 1000, 2500, 5000, 10000, 25000, 50000,
				     100000, 250000, 500000, 1000000, 2500000};
#define BUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

struct tl_metrics {
	pthread_mutex_t lock;
	struct {
		unsigned status;
		uint64_t count;
	} by_status[MAX_ROUTES + 1][STATUS_SLOTS];
	uint64_t buckets[MAX_ROUTES + 1][BUCKETS + 1];
	uint64_t sum_us[MAX_ROUTES + 1];
	uint64_t count[MAX_ROUTES + 1];
	int64_t started_at; /* wall clock */
};

tl_metrics *tl_metrics_new(void)
{
	tl_metrics *m = calloc(1, sizeof(*m));
	if (m) {
		pthread_mutex_init(&m->lock, NULL);
		m->started_at = (int64_t)time(NULL);
	}
	return m;
}

void tl_metrics_free(tl_metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void tl_metrics_observe(tl_metrics *m, size_t route, unsigned status, uint64_t duration_us)
{
	if (route > MAX_ROUTES || route >= tl_route_count)
		route = MAX_ROUTES; /* the "unmatched" row */
	size_t bucket = 0;
	while (bucket < BUCKETS && duration_us > bucket_us[bucket])
		bucket++;
	pthread_mutex_lock(&m->lock);
	/* status 0: the client went away before an answer; it has its own slot
	 * value (1) so that 0 can mean "empty" */
	unsigned key = status ? status : 1;
	for (size_t i = 0; i < STATUS_SLOTS; i++) {
		if (m->by_status[route][i].status == key || m->by_status[route][i].status == 0) {
			m->by_status[route][i].status = key;
			m->by_status[route][i].count++;
			break;
		}
	}
	m->buckets[route][bucket]++;
	m->sum_us[route] += duration_us;
	m->count[route]++;
	pthread_mutex_unlock(&m->lock);
}

static void route_label(size_t route, char *buf, size_t size)
{
	if (route >= tl_route_count || route >= MAX_ROUTES)
		snprintf(buf, size, "unmatched");
	else
		snprintf(buf, size, "%s %s", tl_routes[route].method, tl_routes[route].pattern);
}

static void render_route(FILE *out, tl_metrics *m, size_t r)
{
	char label[160];
	route_label(r, label, sizeof(label));
	for (size_t i = 0; i < STATUS_SLOTS && m->by_status[r][i].status; i++) {
		char status[16];
		if (m->by_status[r][i].status == 1)
			snprintf(status, sizeof(status), "aborted");
		else
			snprintf(status, sizeof(status), "%u", m->by_status[r][i].status);
		fprintf(out, "tally_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n", label,
			status, (unsigned long long)m->by_status[r][i].count);
	}
	uint64_t cumulative = 0;
	for (size_t b = 0; b <= BUCKETS; b++) {
		cumulative += m->buckets[r][b];
		if (b < BUCKETS)
			fprintf(out,
				"tally_http_request_duration_seconds_bucket{route=\"%s\",le=\"%llu.%06llu\"} %llu\n",
				label, (unsigned long long)(bucket_us[b] / 1000000),
				(unsigned long long)(bucket_us[b] % 1000000),
				(unsigned long long)cumulative);
		else
			fprintf(out,
				"tally_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
				label, (unsigned long long)cumulative);
	}
	fprintf(out, "tally_http_request_duration_seconds_sum{route=\"%s\"} %llu.%06llu\n", label,
		(unsigned long long)(m->sum_us[r] / 1000000),
		(unsigned long long)(m->sum_us[r] % 1000000));
	fprintf(out, "tally_http_request_duration_seconds_count{route=\"%s\"} %llu\n", label,
		(unsigned long long)m->count[r]);
}

/* Jobs with this many names at most: the ones in jobs/ and service/. */
#define MAX_JOBS 32

typedef struct job_counts {
	tl_job_failure_count rows[MAX_JOBS];
	size_t n;
} job_counts;

static int job_counts_tx(tl_tx *tx, void *arg, tl_error *err)
{
	job_counts *c = arg;
	return tl_store_job_failure_counts(tx, c->rows, MAX_JOBS, &c->n, err);
}

/* The subjects each job is failing on (GET /v1/admin/jobs lists them); a
 * job with none has no line. */
static void render_job_failures(FILE *out, tl_store *store)
{
	job_counts c = {0};
	tl_error err = {0};
	fputs("# HELP tally_job_failing_subjects Subjects a job failed on and retries later.\n"
	      "# TYPE tally_job_failing_subjects gauge\n",
	      out);
	if (tl_store_read(store, job_counts_tx, &c, &err) < 0) {
		tl_error_clear(&err);
		return;
	}
	for (size_t i = 0; i < c.n; i++)
		fprintf(out, "tally_job_failing_subjects{job=\"%s\"} %lld\n", c.rows[i].job,
			(long long)c.rows[i].subjects);
}

typedef struct short_count {
	int64_t now;
	int64_t accounts;
} short_count;

static int short_count_tx(tl_tx *tx, void *arg, tl_error *err)
{
	short_count *c = arg;
	return tl_holds_short_today(tx, c->now, &c->accounts, err);
}

/* Whether the jobs keep up: when the ticker last finished a pass (wall
 * clock, like Prometheus's time()), when this tallyd started, and how
 * many accounts' holds were short of credit today (the test clock's day
 * under --test-clock). */
static void render_jobs_health(FILE *out, tl_metrics *m, tl_store *store, int64_t now)
{
	fprintf(out,
		"# HELP tally_start_time_seconds When this tallyd started (Unix time).\n"
		"# TYPE tally_start_time_seconds gauge\n"
		"tally_start_time_seconds %lld\n"
		"# HELP tally_jobs_last_pass_timestamp_seconds When the job ticker last finished a"
		" pass with no job failing as a whole (Unix time; 0: not yet).\n"
		"# TYPE tally_jobs_last_pass_timestamp_seconds gauge\n"
		"tally_jobs_last_pass_timestamp_seconds %lld\n",
		(long long)m->started_at, (long long)tl_jobs_last_pass_ok());
	short_count c = {.now = now};
	tl_error err = {0};
	if (tl_store_read(store, short_count_tx, &c, &err) < 0) {
		tl_error_clear(&err);
		return;
	}
	fprintf(out,
		"# HELP tally_holds_short_accounts Accounts whose daily hold was short of credit"
		" today (warned; suspended after the grace period).\n"
		"# TYPE tally_holds_short_accounts gauge\n"
		"tally_holds_short_accounts %lld\n",
		(long long)c.accounts);
}

static int webhook_stats_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_store_webhook_stats(tx, arg, err);
}

/* Webhooks: the backlog (an alert watches its age), the outcome of
 * deliveries and attempts, and endpoints the worker disabled. */
static void render_webhooks(FILE *out, tl_store *store, int64_t now)
{
	tl_webhook_stats st = {0};
	tl_error err = {0};
	if (tl_store_read(store, webhook_stats_tx, &st, &err) < 0) {
		tl_error_clear(&err);
		return;
	}
	fprintf(out,
		"# HELP tally_webhook_deliveries Webhook deliveries by status.\n"
		"# TYPE tally_webhook_deliveries gauge\n"
		"tally_webhook_deliveries{status=\"pending\"} %lld\n"
		"tally_webhook_deliveries{status=\"delivered\"} %lld\n"
		"tally_webhook_deliveries{status=\"failed\"} %lld\n"
		"# HELP tally_webhook_oldest_pending_age_seconds Age of the oldest pending webhook"
		" delivery (0: none).\n"
		"# TYPE tally_webhook_oldest_pending_age_seconds gauge\n"
		"tally_webhook_oldest_pending_age_seconds %lld\n"
		"# HELP tally_webhook_attempts_total Webhook HTTP attempts since start, by result.\n"
		"# TYPE tally_webhook_attempts_total counter\n"
		"tally_webhook_attempts_total{result=\"ok\"} %llu\n"
		"tally_webhook_attempts_total{result=\"failed\"} %llu\n"
		"# HELP tally_webhook_endpoints_disabled Endpoints disabled after failing for days.\n"
		"# TYPE tally_webhook_endpoints_disabled gauge\n"
		"tally_webhook_endpoints_disabled %lld\n",
		(long long)st.pending, (long long)st.delivered, (long long)st.failed,
		(long long)(st.oldest_pending_at && now > st.oldest_pending_at
				    ? now - st.oldest_pending_at
				    : 0),
		(unsigned long long)tl_webhook_attempts_ok(),
		(unsigned long long)tl_webhook_attempts_failed(), (long long)st.endpoints_disabled);
}

char *tl_metrics_render(tl_metrics *m, tl_store *store, int64_t now)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (out == NULL)
		return NULL;
	fputs("# HELP tally_http_requests_total HTTP requests by route and status.\n"
	      "# TYPE tally_http_requests_total counter\n"
	      "# HELP tally_http_request_duration_seconds HTTP request latency by route.\n"
	      "# TYPE tally_http_request_duration_seconds histogram\n",
	      out);
	pthread_mutex_lock(&m->lock);
	for (size_t r = 0; r <= MAX_ROUTES; r++)
		if (m->count[r])
			render_route(out, m, r);
	pthread_mutex_unlock(&m->lock);
	tl_store_stats stats;
	tl_store_get_stats(store, &stats);
	fprintf(out,
		"# HELP tally_store_commits_total Group-committed store transactions.\n"
		"# TYPE tally_store_commits_total counter\n"
		"tally_store_commits_total %llu\n"
		"# HELP tally_store_writes_total Write requests committed by those transactions.\n"
		"# TYPE tally_store_writes_total counter\n"
		"tally_store_writes_total %llu\n",
		(unsigned long long)stats.batches, (unsigned long long)stats.writes);
	render_job_failures(out, store);
	render_jobs_health(out, m, store, now);
	render_webhooks(out, store, now);
	fclose(out);
	return text;
}
