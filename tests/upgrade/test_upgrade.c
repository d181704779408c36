/*
 * Upgrading a database in place (issue 16, docs/TESTING.md "Upgrading a
 * database in place").
 *
 * tests/upgrade/fixture/release.sql is a database written by the release
 * (sqlite3 .dump of it, as text) holding data of every kind, and
 * release-answers.json is what that release's API answered for every object
 * and every list in it, as the admin and as each account. The test
 * `upgrade.release_database_reads_back_unchanged` builds a database from the
 * dump, starts the current tallyd on it (its migrations run), asks every
 * recorded question again and wants the recorded answer exactly, checks the
 * books, and drives a month more on the upgraded data.
 *
 * `upgrade.generate_fixture` made the fixture: it runs only with
 * TALLY_UPGRADE_GENERATE=1 (otherwise it is skipped), drives a real tallyd
 * --test-clock through every kind of object over the API, and writes both
 * files. It stands for the release's databases: do not run it again to make
 * a schema change pass (see docs/TESTING.md).
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"

#define SECRET "upgrade fixture gateway secret"

static tt_server srv;
static json_t *tokens;    /* account name -> its token ("admin": the admin's) */
static json_t *calls;     /* the recorded questions and answers */
static json_t *checkouts; /* account name -> [checkout ids] */

static const char *const server_args[] = {"--sandbox-gateway", NULL};

static void start(void)
{
	setenv("TALLY_GATEWAY_SECRET", SECRET, 1);
	tokens = json_object();
	calls = json_array();
	checkouts = json_object();
}
static void stop(void)
{
	tt_server_stop(&srv);
	json_decref(tokens);
	json_decref(calls);
	json_decref(checkouts);
}
TestSuite(upgrade, .init = start, .fini = stop, .timeout = 300);

/* A file of the fixture (tests/upgrade/fixture/). */
static const char *fixture_path(const char *name)
{
	static char path[1024];
	snprintf(path, sizeof(path), "%s/tests/upgrade/fixture/%s", TALLY_SOURCE_DIR, name);
	return path;
}

static const char *token_of(const char *who)
{
	if (strcmp(who, "admin") == 0)
		return srv.admin_token;
	const char *t = json_string_value(json_object_get(tokens, who));
	cr_assert_not_null(t, "no token for %s", who);
	return t;
}

static tt_response call(const char *who, const char *method, const char *body, const char *fmt,
			...)
{
	char path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return tt_request(&srv, method, path, token_of(who), body, NULL);
}

/* A call that must succeed; its id (if any) into id (64 bytes). */
static void must(const char *who, const char *method, const char *body, char *id,
		 const char *fmt, ...)
{
	char path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	tt_response r = tt_request(&srv, method, path, token_of(who), body, NULL);
	cr_assert(r.status >= 200 && r.status < 300, "%s %s: %ld %s", method, path, r.status,
		  r.raw);
	if (id) {
		const char *v = json_string_value(json_object_get(r.json, "id"));
		snprintf(id, 64, "%s", v ? v : "");
	}
	tt_response_free(&r);
}

static void clock_to(const char *when)
{
	char body[600];
	snprintf(body, sizeof(body), "{\"now\":\"%s\"}", when);
	must("admin", "POST", body, NULL, "/v1/admin/clock");
}

/* ---- the generator -------------------------------------------------------- */

/* Records one question and its answer. */
static json_t *record(const char *who, const char *method, const char *path, const char *body,
		      const char *idem)
{
	tt_response r = tt_request(&srv, method, path, token_of(who), body, idem);
	cr_assert(r.status > 0 && r.json, "%s %s: %s", method, path, r.raw);
	json_t *c = json_pack("{s:s, s:s, s:s, s:i, s:O}", "who", who, "method", method, "path",
			      path, "status", (json_int_t)r.status, "answer", r.json);
	if (body)
		json_object_set_new(c, "body", json_string(body));
	if (idem)
		json_object_set_new(c, "idempotency_key", json_string(idem));
	json_array_append_new(calls, c);
	tt_response_free(&r);
	return json_object_get(c, "answer");
}

/* Records a list (all of it, and its first two pages of two). */
static json_t *record_list(const char *who, const char *path)
{
	char p[512];
	const char *sep = strchr(path, '?') ? "&" : "?";
	snprintf(p, sizeof(p), "%s%slimit=2", path, sep);
	json_t *first = record(who, "GET", p, NULL, NULL);
	const char *next = json_string_value(json_object_get(first, "next"));
	if (next) {
		snprintf(p, sizeof(p), "%s%slimit=2&after=%s", path, sep, next);
		record(who, "GET", p, NULL, NULL);
	}
	snprintf(p, sizeof(p), "%s%slimit=500", path, sep);
	json_t *all = record(who, "GET", p, NULL, NULL);
	cr_assert(json_object_get(all, "next") == NULL || json_is_null(json_object_get(all, "next")),
		  "%s has more than 500", path);
	return json_object_get(all, "data");
}

/* Every object of a list by its id, as the account and as the admin. */
static void record_each(const char *who, json_t *data, const char *base)
{
	size_t i;
	json_t *o;
	char p[256];
	json_array_foreach(data, i, o) {
		snprintf(p, sizeof(p), "%s/%s", base, json_string_value(json_object_get(o, "id")));
		record(who, "GET", p, NULL, NULL);
		record("admin", "GET", p, NULL, NULL);
	}
}

static void record_account(const char *who, const char *acc)
{
	char p[256];
	static const char *const lists[] = {"/v1/resources", "/v1/invoices", "/v1/payments"};
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		json_t *data = record_list(who, lists[k]);
		snprintf(p, sizeof(p), "%s?account_id=%s", lists[k], acc);
		record_list("admin", p);
		record_each(who, data, lists[k]);
	}
	record_list(who, "/v1/holds");
	snprintf(p, sizeof(p), "/v1/holds?account_id=%s", acc);
	record_list("admin", p);
	record_list(who, "/v1/events");
	snprintf(p, sizeof(p), "/v1/events?account_id=%s", acc);
	record_list("admin", p);
	record(who, "GET", "/v1/wallets", NULL, NULL);
	snprintf(p, sizeof(p), "/v1/wallets?account_id=%s", acc);
	record("admin", "GET", p, NULL, NULL);
	snprintf(p, sizeof(p), "/v1/accounts/%s", acc);
	record(who, "GET", p, NULL, NULL);
	record("admin", "GET", p, NULL, NULL);
	record(who, "GET", "/v1/catalog", NULL, NULL);
	size_t i;
	json_t *id;
	json_array_foreach(json_object_get(checkouts, who), i, id) {
		snprintf(p, sizeof(p), "/v1/checkouts/%s", json_string_value(id));
		record(who, "GET", p, NULL, NULL);
		record("admin", "GET", p, NULL, NULL);
	}
}

/* A new account with a token (and credit when credit > 0). */
static void customer(const char *who, const char *body, int64_t credit, char *acc)
{
	char tok[80], b[128];
	must("admin", "POST", body, acc, "/v1/accounts");
	tt_create_token(&srv, acc, tok);
	json_object_set_new(tokens, who, json_string(tok));
	json_object_set_new(checkouts, who, json_array());
	if (credit > 0) {
		snprintf(b, sizeof(b), "{\"amount\":%lld,\"reference\":\"wire %s\"}",
			 (long long)credit, who);
		must("admin", "POST", b, NULL, "/v1/accounts/%s/credit", acc);
	}
}

/* A purchase checkout of one item; its id into id. */
static void purchase(const char *who, const char *item, int months, bool renew,
		     const char *coupon, char *id)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"kind\":\"purchase\",\"items\":[%s],\"cycle_months\":%d,"
		 "\"auto_renew\":%s%s%s%s}", item, months, renew ? "true" : "false",
		 coupon ? ",\"coupon\":\"" : "", coupon ? coupon : "", coupon ? "\"" : "");
	must(who, "POST", body, id, "/v1/checkouts");
	json_array_append_new(json_object_get(checkouts, who), json_string(id));
}

static void pay(const char *who, const char *checkout, const char *method)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"method\":\"%s\"}", method);
	must(who, "POST", body, NULL, "/v1/checkouts/%s/pay", checkout);
}

/* The id of the resource a paid purchase checkout created. */
static void resource_of(const char *who, const char *checkout, char *out)
{
	tt_response r = call(who, "GET", NULL, "/v1/checkouts/%s", checkout);
	json_t *res = json_array_get(json_object_get(r.json, "resources"), 0);
	const char *id = json_is_string(res) ? json_string_value(res)
					      : json_string_value(json_object_get(res, "id"));
	cr_assert_not_null(id, "%s", r.raw);
	snprintf(out, 64, "%s", id);
	tt_response_free(&r);
}

/* Stop POC of a cluster: the checkout it makes into checkout. */
static void stop_poc(const char *who, const char *cluster, const char *body, char *checkout)
{
	must(who, "POST", NULL, NULL, "/v1/resources/%s/stop-poc/preview", cluster);
	must(who, "POST", body, checkout, "/v1/resources/%s/stop-poc", cluster);
	json_array_append_new(json_object_get(checkouts, who), json_string(checkout));
}

static void notify_paid(const char *checkout, const char *txn, int64_t amount, int64_t ts)
{
	char text[512], body[1024], hex[129];
	unsigned char mac[crypto_auth_hmacsha512_BYTES];
	snprintf(text, sizeof(text),
		 "amount=%lld&checkout_id=%s&currency=VND&result=paid&ts=%lld&txn_id=%s",
		 (long long)amount, checkout, (long long)ts, txn);
	crypto_auth_hmacsha512_state st;
	crypto_auth_hmacsha512_init(&st, (const unsigned char *)SECRET, strlen(SECRET));
	crypto_auth_hmacsha512_update(&st, (const unsigned char *)text, strlen(text));
	crypto_auth_hmacsha512_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(body, sizeof(body), "%s&signature=%s", text, hex);
	const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	tt_response r = tt_request_h(&srv, "POST", "/v1/gateway/notify", headers, body,
				     strlen(body));
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
}

static int64_t total_of(const char *who, const char *checkout)
{
	tt_response r = call(who, "GET", NULL, "/v1/checkouts/%s", checkout);
	int64_t t = json_integer_value(json_object_get(r.json, "total"));
	tt_response_free(&r);
	return t;
}

static const char *SERVER_1C = "{\"type\":\"server\",\"name\":\"web-1\","
			       "\"spec\":{\"flavor\":\"s.general.1c2g\"}}";
static const char *SERVER_2C = "{\"type\":\"server\",\"name\":\"db-1\","
			       "\"spec\":{\"flavor\":\"s.general.2c4g\"}}";
static const char *VOLUME = "{\"type\":\"volume\",\"name\":\"data-1\","
			    "\"spec\":{\"volume_type\":\"v.ssd\",\"size_gb\":100}}";

Test(upgrade, generate_fixture)
{
	if (!getenv("TALLY_UPGRADE_GENERATE"))
		cr_skip_test("makes the fixture; only with TALLY_UPGRADE_GENERATE=1");
	cr_assert_eq(sodium_init() >= 0, true);
	tt_server_start(&srv, server_args);
	clock_to("2088-01-15T00:00:00Z");

	char pre[64], post[64], debt[64], part[64], holder[64], usd[64], id[64], pw[64];
	char chk[64], paid_renew[64], paid_lapse[64], paid_delete[64], res[64], cluster[64];
	char meter[80], b[512];

	/* accounts: prepaid (the default), postpaid, another currency */
	customer("prepaid", "{\"name\":\"Prepaid Co\"}", 60000000, pre);
	customer("postpaid", "{\"name\":\"Postpaid Co\"}", 0, post);
	must("admin", "PATCH", "{\"type\":\"postpaid\"}", NULL, "/v1/accounts/%s", post);
	customer("debtor", "{\"name\":\"Debtor\"}", 0, debt);
	customer("part", "{\"name\":\"Part payer\"}", 100000, part);
	customer("holder", "{\"name\":\"Hold user\"}", 10000000, holder);
	customer("usd", "{\"name\":\"Dollar Co\",\"currency\":\"USD\"}", 50000, usd);

	/* a metering-scoped token */
	snprintf(b, sizeof(b), "/v1/accounts/%s/tokens", post);
	tt_response r = tt_request(&srv, "POST", b, srv.admin_token, "{\"scope\":\"metering\"}",
				   NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	snprintf(meter, sizeof(meter), "%s", json_string_value(json_object_get(r.json, "token")));
	tt_response_free(&r);
	json_object_set_new(tokens, "meter", json_string(meter));

	/* coupons: percent, amount with a limit, disabled */
	must("admin", "POST", "{\"code\":\"WELCOME10\",\"percent_off\":10}", NULL, "/v1/coupons");
	must("admin", "POST", "{\"code\":\"FLAT50K\",\"amount_off\":50000,\"max_redemptions\":5,"
	     "\"max_per_account\":1,\"expires_at\":\"2088-12-31T00:00:00Z\"}", NULL, "/v1/coupons");
	must("admin", "POST", "{\"code\":\"OLD\",\"percent_off\":50}", id, "/v1/coupons");
	must("admin", "POST", "{}", NULL, "/v1/coupons/%s/disable", id);

	/* POC: a wallet granted then extended, a POC server, a vks cluster
	 * with members, and its Stop POC paid by credit */
	snprintf(b, sizeof(b), "{\"amount\":20000000,\"expires_at\":\"2088-06-01T00:00:00Z\"}");
	must("admin", "POST", b, pw, "/v1/accounts/%s/poc-wallets", pre);
	must("admin", "PATCH", "{\"expires_at\":\"2088-12-01T00:00:00Z\",\"add_amount\":1000000}",
	     NULL, "/v1/poc-wallets/%s", pw);
	must("prepaid", "POST", "{\"type\":\"server\",\"name\":\"poc-vm\",\"poc\":true,"
	     "\"spec\":{\"flavor\":\"s.general.2c4g\"}}", NULL, "/v1/resources");
	must("prepaid", "POST", "{\"type\":\"cluster\",\"name\":\"k8s-vks\",\"poc\":true,"
	     "\"spec\":{\"service\":\"vks\",\"node_flavor\":\"s.general.2c4g\",\"node_count\":2,"
	     "\"boot_volume_gb\":20,\"boot_volume_type\":\"v.ssd\"}}", cluster, "/v1/resources");
	snprintf(b, sizeof(b), "{\"type\":\"volume\",\"name\":\"pvc-data\",\"poc\":true,"
		 "\"cluster_id\":\"%s\",\"role\":\"pvc\",\"spec\":{\"volume_type\":\"v.ssd\","
		 "\"size_gb\":50}}", cluster);
	must("prepaid", "POST", b, NULL, "/v1/resources");
	stop_poc("prepaid", cluster, "{\"cycle_months\":1,\"auto_renew\":true,"
		 "\"coupon\":\"WELCOME10\"}", chk);
	pay("prepaid", chk, "credit");

	/* a vContainer cluster paid by hold */
	must("admin", "POST", "{\"amount\":5000000,\"expires_at\":\"2099-01-01T00:00:00Z\"}", NULL,
	     "/v1/accounts/%s/poc-wallets", holder);
	must("holder", "POST", "{\"type\":\"cluster\",\"name\":\"vc\",\"poc\":true,"
	     "\"spec\":{\"service\":\"vcontainer\",\"node_flavor\":\"s.general.2c4g\","
	     "\"node_count\":2,\"boot_volume_type\":\"v.ssd\",\"boot_volume_gb\":20}}", cluster,
	     "/v1/resources");
	stop_poc("holder", cluster, "{}", chk);
	pay("holder", chk, "hold");

	/* purchases: paid (renewing; lapsing; to be deleted), with coupons */
	purchase("prepaid", SERVER_1C, 1, true, "FLAT50K", paid_renew);
	pay("prepaid", paid_renew, "credit");
	purchase("prepaid", VOLUME, 1, false, NULL, paid_lapse);
	pay("prepaid", paid_lapse, "credit");
	purchase("prepaid", SERVER_2C, 3, false, "WELCOME10", paid_delete);
	pay("prepaid", paid_delete, "credit");
	/* a cancelled one, and one left to expire */
	purchase("prepaid", SERVER_2C, 1, false, NULL, chk);
	must("prepaid", "POST", "{}", NULL, "/v1/checkouts/%s/cancel", chk);
	purchase("prepaid", VOLUME, 12, true, NULL, chk);

	/* the gateway: one payment notified, one only started */
	purchase("part", SERVER_2C, 1, false, NULL, chk);
	r = call("part", "POST", "{\"method\":\"gateway\"}", "/v1/checkouts/%s/pay", chk);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	char txn[64];
	snprintf(txn, sizeof(txn), "%s",
		 json_string_value(json_object_get(r.json, "gateway_txn_id")));
	tt_response_free(&r);
	r = call("admin", "GET", NULL, "/v1/admin/clock");
	struct tm tm = {0};
	cr_assert(sscanf(json_string_value(json_object_get(r.json, "now")), "%d-%d-%dT%d:%d:%dZ",
			 &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec) == 6);
	tt_response_free(&r);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	notify_paid(chk, txn, total_of("part", chk), (int64_t)timegm(&tm));
	purchase("part", SERVER_1C, 1, false, NULL, chk);
	pay("part", chk, "gateway");

	/* postpaid use: a load balancer and a snapshot, metered; a duplicate */
	must("postpaid", "POST", "{\"type\":\"load_balancer\",\"name\":\"edge-lb\",\"poc\":false,"
	     "\"spec\":{}}", res, "/v1/resources");
	must("postpaid", "POST", "{\"type\":\"snapshot\",\"name\":\"backup\",\"poc\":false,"
	     "\"spec\":{\"size_gb\":10}}", id, "/v1/resources");
	snprintf(b, sizeof(b), "{\"records\":["
		 "{\"resource_id\":\"%s\",\"start\":\"2088-01-15T00:00:00Z\","
		 "\"end\":\"2088-01-15T01:00:00Z\",\"quantity\":3},"
		 "{\"resource_id\":\"%s\",\"start\":\"2088-01-15T01:00:00Z\","
		 "\"end\":\"2088-01-15T02:00:00Z\",\"quantity\":4},"
		 "{\"resource_id\":\"%s\",\"start\":\"2088-01-15T00:00:00Z\","
		 "\"end\":\"2088-01-15T01:00:00Z\",\"quantity\":3}]}", id, id, id);
	must("meter", "POST", b, NULL, "/v1/usage");
	/* debt: unpaid, and partly paid */
	must("debtor", "POST", "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
	     "\"spec\":{}}", NULL, "/v1/resources");
	must("part", "POST", "{\"type\":\"load_balancer\",\"name\":\"lb\",\"poc\":false,"
	     "\"spec\":{}}", NULL, "/v1/resources");

	/* the clock: expiry, a deletion with a refund, month end, renewal,
	 * suspension */
	clock_to("2088-01-18T00:00:00Z");
	resource_of("prepaid", paid_delete, res);
	must("prepaid", "DELETE", NULL, NULL, "/v1/resources/%s", res);
	clock_to("2088-02-01T00:00:00Z");
	/* day by day: the hold warnings of the account without credit, then
	 * its hold-settled resources suspended (a suspension record) */
	for (int day = 10; day <= 16; day++) {
		snprintf(b, sizeof(b), "2088-02-%02dT00:00:00Z", day);
		clock_to(b);
	}
	/* one still open at the end */
	purchase("prepaid", SERVER_1C, 6, true, "WELCOME10", chk);
	must("prepaid", "PATCH", "{\"cycle_months\":12}", NULL, "/v1/checkouts/%s", chk);

	/* idempotency records, made last so that they are current */
	snprintf(b, sizeof(b), "/v1/accounts/%s/credit", pre);
	record("admin", "POST", b, "{\"amount\":12345,\"reference\":\"idem\"}", "upgrade-credit-1");
	record("admin", "POST", b, "{\"amount\":12345,\"reference\":\"idem\"}", "upgrade-credit-1");
	json_t *a = record("prepaid", "POST", "/v1/checkouts",
			   "{\"kind\":\"purchase\",\"items\":[{\"type\":\"server\",\"name\":\"idem\","
			   "\"spec\":{\"flavor\":\"s.general.1c2g\"}}],\"cycle_months\":1}",
			   "upgrade-checkout-1");
	json_array_append_new(json_object_get(checkouts, "prepaid"),
			      json_string(json_string_value(json_object_get(a, "id"))));

	/* everything the API says */
	record("admin", "GET", "/v1/admin/clock", NULL, NULL);
	record_list("admin", "/v1/accounts");
	record_list("admin", "/v1/coupons");
	record_list("admin", "/v1/events");
	record("admin", "GET", "/v1/admin/jobs", NULL, NULL);
	record("admin", "GET", "/v1/ledger/check", NULL, NULL);
	json_t *ledger = record_list("admin", "/v1/ledger/accounts");
	size_t i;
	json_t *la;
	json_array_foreach(ledger, i, la) {
		snprintf(b, sizeof(b), "/v1/ledger/transfers?account=%s",
			 json_string_value(json_object_get(la, "id")));
		record_list("admin", b);
	}
	static const char *const whos[] = {"prepaid", "postpaid", "debtor", "part", "holder", "usd"};
	const char *accs[] = {pre, post, debt, part, holder, usd};
	for (size_t k = 0; k < 6; k++)
		record_account(whos[k], accs[k]);
	record_list("meter", "/v1/resources");

	/* the database, as the release left it: .dump leaves out the schema
	 * version (PRAGMA user_version), which says which migrations ran */
	cr_assert_eq(tt_server_term(&srv), 0);
	char cmd[8192], out[256];
	snprintf(cmd, sizeof(cmd), "sqlite3 %s .dump > %s && echo \"PRAGMA user_version=$(sqlite3 "
		 "%s 'PRAGMA user_version');\" >> %s", srv.db, fixture_path("release.sql"), srv.db,
		 fixture_path("release.sql"));
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	/* the answers: one call a line, so that a diff shows which changed */
	FILE *f = fopen(fixture_path("release-answers.json"), "w");
	cr_assert_not_null(f);
	char *text = json_dumps(tokens, JSON_COMPACT | JSON_SORT_KEYS);
	fprintf(f, "{\"tokens\":%s,\n\"calls\":[\n", text);
	free(text);
	json_array_foreach(calls, i, la) {
		text = json_dumps(la, JSON_COMPACT | JSON_SORT_KEYS);
		fprintf(f, "%s%s\n", text, i + 1 < json_array_size(calls) ? "," : "");
		free(text);
	}
	fprintf(f, "]}\n");
	cr_assert_eq(fclose(f), 0);
}

/* ---- the test --------------------------------------------------------------- */

/* Where want and got first differ, as a JSON path into where; false when
 * they are equal. */
static bool differ(json_t *want, json_t *got, char *where, size_t size)
{
	if (json_equal(want, got))
		return false;
	size_t len = strlen(where);
	if (json_is_object(want) && json_is_object(got)) {
		const char *k;
		json_t *v;
		json_object_foreach(want, k, v) {
			snprintf(where + len, size - len, ".%s", k);
			if (differ(v, json_object_get(got, k), where, size))
				return true;
		}
		json_object_foreach(got, k, v) {
			snprintf(where + len, size - len, ".%s (new)", k);
			if (!json_object_get(want, k))
				return true;
		}
	} else if (json_is_array(want) && json_is_array(got) &&
		   json_array_size(want) == json_array_size(got)) {
		for (size_t i = 0; i < json_array_size(want); i++) {
			snprintf(where + len, size - len, "[%zu]", i);
			if (differ(json_array_get(want, i), json_array_get(got, i), where, size))
				return true;
		}
	}
	where[len] = '\0';
	return true;
}

/* The one normalisation: setting the test clock to the recorded instant
 * is itself an audit event (clock.moved, of no account), the only one the
 * replay adds. It is taken out of the admin's list of all events, whose
 * first page is asked one longer (unless it is the whole list) so that it
 * still has the recorded items and cursor. */
static char replay_event[64];

static bool all_events(const char *who, const char *path)
{
	return strcmp(who, "admin") == 0 && strncmp(path, "/v1/events?", 11) == 0 &&
	       !strstr(path, "account_id=");
}

static tt_response ask(const char *who, json_t *c)
{
	const char *path = json_string_value(json_object_get(c, "path"));
	char p[600];
	snprintf(p, sizeof(p), "%s", path);
	int limit;
	const char *l = strstr(path, "limit=");
	bool events = all_events(who, path);
	if (events && l && !strstr(path, "after=") && sscanf(l, "limit=%d", &limit) == 1 &&
	    limit < 500)
		snprintf(p + (l - path), sizeof(p) - (size_t)(l - path), "limit=%d%s", limit + 1,
			 strchr(l, '&') ? strchr(l, '&') : "");
	tt_response r = tt_request(&srv, json_string_value(json_object_get(c, "method")), p,
				   token_of(who), json_string_value(json_object_get(c, "body")),
				   json_string_value(json_object_get(c, "idempotency_key")));
	json_t *data = json_object_get(r.json, "data");
	for (size_t i = 0; events && i < json_array_size(data); i++) {
		const char *id = json_string_value(json_object_get(json_array_get(data, i), "id"));
		if (id && strcmp(id, replay_event) == 0)
			json_array_remove(data, i--);
	}
	return r;
}

/* Events of a type on who's trail after the instant since. */
static int events_since(const char *who, const char *type, const char *since)
{
	tt_response r = call(who, "GET", NULL, "/v1/events?limit=500");
	cr_assert_eq(r.status, 200, "%s", r.raw);
	int n = 0;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "data"), i, e)
		n += strcmp(json_string_value(json_object_get(e, "type")), type) == 0 &&
		     strcmp(json_string_value(json_object_get(e, "created_at")), since) > 0;
	tt_response_free(&r);
	return n;
}

Test(upgrade, release_database_reads_back_unchanged)
{
	json_error_t e;
	json_t *fx = json_load_file(fixture_path("release-answers.json"), 0, &e);
	cr_assert_not_null(fx, "%s: %s", fixture_path("release-answers.json"), e.text);
	json_object_update(tokens, json_object_get(fx, "tokens"));
	json_t *recorded = json_object_get(fx, "calls"), *c;
	size_t i;

	/* the release's database in place of a fresh one: tallyd runs its
	 * migrations on it when it starts */
	tt_server_start(&srv, server_args);
	cr_assert_eq(tt_server_term(&srv), 0);
	char cmd[8192], out[512];
	snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm && sqlite3 -bail %s < %s 2>&1", srv.db,
		 srv.db, srv.db, srv.db, fixture_path("release.sql"));
	cr_assert_eq(tt_run(cmd, out, sizeof(out)), 0, "%s", out);
	tt_server_restart(&srv, server_args);

	const char *now = NULL;
	json_array_foreach(recorded, i, c)
		if (strcmp(json_string_value(json_object_get(c, "path")), "/v1/admin/clock") == 0)
			now = json_string_value(json_object_get(json_object_get(c, "answer"), "now"));
	cr_assert_not_null(now);
	clock_to(now);
	tt_response r = call("admin", "GET", NULL, "/v1/events?limit=1");
	json_t *ev = json_array_get(json_object_get(r.json, "data"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(ev, "type")), "clock.moved", "%s", r.raw);
	snprintf(replay_event, sizeof(replay_event), "%s",
		 json_string_value(json_object_get(ev, "id")));
	tt_response_free(&r);

	/* every recorded question, the same answer */
	int wrong = 0;
	json_array_foreach(recorded, i, c) {
		const char *who = json_string_value(json_object_get(c, "who"));
		r = ask(who, c);
		json_t *want = json_object_get(c, "answer");
		char where[512] = "";
		long status = (long)json_integer_value(json_object_get(c, "status"));
		if (r.status != status || differ(want, r.json, where, sizeof(where))) {
			if (wrong++ < 10) {
				char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
				fprintf(stderr, "upgrade: %s %s as %s: at %s\n want %ld %.600s\n got  "
					"%ld %.600s\n", json_string_value(json_object_get(c, "method")),
					json_string_value(json_object_get(c, "path")), who,
					where[0] ? where : "(top)", status, w, r.status, r.raw);
				free(w);
			}
		}
		tt_response_free(&r);
	}
	cr_assert_eq(wrong, 0, "%d of %zu answers changed after the upgrade (the first are above)",
		     wrong, json_array_size(recorded));

	/* the books still balance, and the upgraded data is usable: a month on
	 * (month end, renewals, the suspended resources deleted), a new
	 * purchase paid by credit */
	r = call("admin", "GET", NULL, "/v1/ledger/check");
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
	clock_to("2088-03-01T00:00:00Z");
	clock_to("2088-03-10T00:00:00Z");
	clock_to("2088-03-16T00:00:00Z");
	/* what the jobs did on the upgraded data, by the audit trail */
	cr_expect_gt(events_since("postpaid", "invoice.issued", now), 0, "no month end");
	cr_expect_gt(events_since("prepaid", "resource.renewed", now), 0, "no renewal");
	cr_expect_gt(events_since("prepaid", "resource.deleted", now), 0,
		     "the suspended resource not deleted");
	r = call("admin", "GET", NULL, "/v1/ledger/check");
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
	char chk[64];
	json_object_set_new(checkouts, "prepaid", json_array());
	r = call("prepaid", "POST", "{\"kind\":\"purchase\",\"cycle_months\":1,\"coupon\":"
		 "\"FLAT50K\",\"items\":[{\"type\":\"server\",\"name\":\"after\",\"spec\":"
		 "{\"flavor\":\"s.general.1c2g\"}}]}", "/v1/checkouts");
	cr_assert_eq(r.status, 422, "the account redeemed FLAT50K before: %s", r.raw);
	cr_assert_str_eq(tt_error_code(&r), "coupon_exhausted");
	tt_response_free(&r);
	purchase("prepaid", SERVER_1C, 1, false, "WELCOME10", chk);
	r = call("prepaid", "POST", "{\"method\":\"credit\"}", "/v1/checkouts/%s/pay", chk);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "paid", "%s", r.raw);
	tt_response_free(&r);
	r = call("admin", "GET", NULL, "/v1/ledger/check");
	cr_assert(json_is_true(json_object_get(r.json, "ok")), "%s", r.raw);
	tt_response_free(&r);
	json_decref(fx);
}
