/*
 * tallyd: the tally server. Reads its configuration from flags (each with an
 * environment equivalent), opens the store, starts the HTTP server and waits
 * for SIGTERM or SIGINT, then shuts down gracefully: stop accepting, finish
 * in-flight requests, drain the writer, close the store.
 */
#include "api/metrics.h"
#include "domain/catalog.h"
#include "api/server.h"
#include "common/log.h"
#include "jobs/jobs.h"
#include "service/admin.h"
#include "service/ledger.h"
#include "service/gateway_payments.h"
#include "api/invoice_pdf.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define TALLY_VERSION "0.1.0"

typedef struct config {
	char host[64];
	unsigned port;
	const char *db;
	const char *catalog;
	bool test_clock;
	bool access_log;
	unsigned http_threads;
	int64_t checkout_ttl_s;
	bool sandbox_gateway;
	const char *public_url;
	const char *vnpay_url;
	const char *vnpay_tmn_code;
	const char *seller_name, *seller_address, *seller_tax_code;
	const char *web_dir;
	tl_server_timeouts timeouts;
} config;

static void usage(FILE *out)
{
	fputs("usage: tallyd [options]\n"
	      "\n"
	      "tally's server: HTTP JSON API, background jobs and the web console.\n"
	      "\n"
	      "options (each has an environment equivalent; a flag wins over it):\n"
	      "  --listen HOST:PORT  address to serve on (TALLY_LISTEN; default 127.0.0.1:8080;\n"
	      "                      port 0 picks a free port, logged as \"listening\")\n"
	      "  --db PATH           SQLite database file, created if missing (TALLY_DB;\n"
	      "                      default tally.db)\n"
	      "  --catalog FILE      product catalog, JSON (TALLY_CATALOG; default: the one the\n"
	      "                      source tree ships, catalog/default.json); tallyd refuses\n"
	      "                      to start on an invalid one\n"
	      "  --checkout-ttl SECONDS\n"
	      "                      how long an unpaid checkout stays open (TALLY_CHECKOUT_TTL;\n"
	      "                      default 1800)\n"
	      "  --test-clock        freeze the clock and serve GET/POST /v1/admin/clock so tests\n"
	      "                      can set or advance it (TALLY_TEST_CLOCK=1); never in production\n"
	      "  --no-access-log     do not log one line per request (TALLY_ACCESS_LOG=0)\n"
	      "  --sandbox-gateway   serve the sandbox payment gateway (a page with Pay and\n"
	      "                      Cancel) for tests and demos (TALLY_SANDBOX_GATEWAY=1)\n"
	      "  --public-url URL    how browsers reach this tallyd, for gateway redirects\n"
	      "                      (TALLY_PUBLIC_URL; default http://HOST:PORT of --listen)\n"
	      "  --vnpay-url URL     pay through VNPay: its payment page, e.g.\n"
	      "                      https://sandbox.vnpayment.vn/paymentv2/vpcpay.html\n"
	      "                      (TALLY_VNPAY_URL); its hash secret is TALLY_GATEWAY_SECRET\n"
	      "  --vnpay-tmn-code CODE  the merchant's VNPay terminal code (TALLY_VNPAY_TMN_CODE;\n"
	      "                      required with --vnpay-url)\n"
	      "  --seller-name TEXT, --seller-address TEXT, --seller-tax-code TEXT\n"
	      "                      the seller printed on invoices' PDFs (TALLY_SELLER_NAME,\n"
	      "                      TALLY_SELLER_ADDRESS, TALLY_SELLER_TAX_CODE)\n"
	      "  --web DIR           the web console's files, served at / (TALLY_WEB; default:\n"
	      "                      the source tree's web/); --web '' serves no console\n"
	      "  --http-threads N    0 (default): a thread per connection; N: N epoll threads\n"
	      "                      serve all connections (TALLY_HTTP_THREADS); see\n"
	      "                      docs/PERFORMANCE.md for why 0 is the default\n"
	      "  --header-timeout MS, --body-timeout MS, --idle-timeout MS\n"
	      "                      how long a connection may take to send a request's\n"
	      "                      headers, then its body, and may wait idle between\n"
	      "                      requests (TALLY_HEADER_TIMEOUT_MS, TALLY_BODY_TIMEOUT_MS,\n"
	      "                      TALLY_IDLE_TIMEOUT_MS; defaults 10000, 60000, 60000)\n"
	      "  --help              this text\n"
	      "  --version           print the version\n"
	      "\n"
	      "environment only:\n"
	      "  TALLY_ADMIN_TOKEN   the admin token. When unset, the first start of a database\n"
	      "                      generates one, prints it once and stores only its hash.\n"
	      "  TALLY_GATEWAY_SECRET  the secret that signs gateway notifications (HMAC-SHA512);\n"
	      "                      when unset, generated on a database's first start and\n"
	      "                      kept in it\n"
	      "\n"
	      "Logs are JSON lines on stderr. SIGTERM or SIGINT stops tallyd gracefully.\n",
	      out);
}

static int parse_listen(const char *value, config *cfg)
{
	const char *colon = strrchr(value, ':');
	if (colon == NULL || colon == value || (size_t)(colon - value) >= sizeof(cfg->host))
		return -1;
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
		return -1;
	snprintf(cfg->host, sizeof(cfg->host), "%.*s", (int)(colon - value), value);
	cfg->port = (unsigned)port;
	return 0;
}

static int parse_count(const char *value, unsigned *out)
{
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (errno || end == value || *end || n < 0 || n > 256)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int parse_ttl(const char *value, int64_t *out)
{
	*out = 30 * 60;
	if (value == NULL)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(value, &end, 10);
	if (errno || end == value || *end || n < 60 || n > 7 * 86400)
		return -1;
	*out = n;
	return 0;
}

/* A timeout in milliseconds, 100 ms to an hour; NULL leaves the default. */
static int parse_timeout(const char *name, const char *value, unsigned *out)
{
	if (value == NULL)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (errno || end == value || *end || n < 100 || n > 3600000) {
		fprintf(stderr, "tallyd: --%s must be 100 to 3600000 milliseconds, got \"%s\"\n",
			name, value);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static bool env_flag(const char *name, bool fallback)
{
	const char *v = getenv(name);
	if (v == NULL || v[0] == '\0')
		return fallback;
	return strcmp(v, "0") != 0 && strcmp(v, "false") != 0 && strcmp(v, "no") != 0;
}

/* 0 to run, 1 to exit successfully (--help), -1 on a usage error. */
static int parse_args(int argc, char **argv, config *cfg)
{
	const char *listen = getenv("TALLY_LISTEN");
	cfg->db = getenv("TALLY_DB") ? getenv("TALLY_DB") : "tally.db";
	cfg->catalog = getenv("TALLY_CATALOG") ? getenv("TALLY_CATALOG")
					      : TALLY_SOURCE_DIR "/catalog/default.json";
	const char *ttl = getenv("TALLY_CHECKOUT_TTL");
	cfg->test_clock = env_flag("TALLY_TEST_CLOCK", false);
	cfg->access_log = env_flag("TALLY_ACCESS_LOG", true);
	cfg->sandbox_gateway = env_flag("TALLY_SANDBOX_GATEWAY", false);
	cfg->public_url = getenv("TALLY_PUBLIC_URL");
	cfg->vnpay_url = getenv("TALLY_VNPAY_URL");
	cfg->vnpay_tmn_code = getenv("TALLY_VNPAY_TMN_CODE");
	cfg->seller_name = getenv("TALLY_SELLER_NAME");
	cfg->seller_address = getenv("TALLY_SELLER_ADDRESS");
	cfg->seller_tax_code = getenv("TALLY_SELLER_TAX_CODE");
	cfg->web_dir = getenv("TALLY_WEB") ? getenv("TALLY_WEB") : TALLY_WEB_DIR;
	static const struct option options[] = {
		{"listen", required_argument, NULL, 'l'}, {"db", required_argument, NULL, 'd'},
		{"catalog", required_argument, NULL, 'c'}, {"test-clock", no_argument, NULL, 't'},
		{"no-access-log", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {"http-threads", required_argument, NULL, 'T'},
		{"checkout-ttl", required_argument, NULL, 'E'},
		{"sandbox-gateway", no_argument, NULL, 'G'}, {"public-url", required_argument, NULL, 'P'},
		{"web", required_argument, NULL, 'W'},
		{"vnpay-url", required_argument, NULL, 'U'},
		{"vnpay-tmn-code", required_argument, NULL, 'N'},
		{"seller-name", required_argument, NULL, 'S'},
		{"seller-address", required_argument, NULL, 'A'},
		{"seller-tax-code", required_argument, NULL, 'X'},
		{"header-timeout", required_argument, NULL, 'H'},
		{"body-timeout", required_argument, NULL, 'B'},
		{"idle-timeout", required_argument, NULL, 'I'},
		{NULL, 0, NULL, 0},
	};
	const char *threads = getenv("TALLY_HTTP_THREADS");
	const char *header_timeout = getenv("TALLY_HEADER_TIMEOUT_MS");
	const char *body_timeout = getenv("TALLY_BODY_TIMEOUT_MS");
	const char *idle_timeout = getenv("TALLY_IDLE_TIMEOUT_MS");
	int opt;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'l': listen = optarg; break;
		case 'd': cfg->db = optarg; break;
		case 'c': cfg->catalog = optarg; break;
		case 't': cfg->test_clock = true; break;
		case 'q': cfg->access_log = false; break;
		case 'T': threads = optarg; break;
		case 'E': ttl = optarg; break;
		case 'G': cfg->sandbox_gateway = true; break;
		case 'P': cfg->public_url = optarg; break;
		case 'W': cfg->web_dir = optarg; break;
		case 'U': cfg->vnpay_url = optarg; break;
		case 'N': cfg->vnpay_tmn_code = optarg; break;
		case 'S': cfg->seller_name = optarg; break;
		case 'A': cfg->seller_address = optarg; break;
		case 'X': cfg->seller_tax_code = optarg; break;
		case 'H': header_timeout = optarg; break;
		case 'B': body_timeout = optarg; break;
		case 'I': idle_timeout = optarg; break;
		case 'h': usage(stdout); return 1;
		case 'V': puts("tallyd " TALLY_VERSION); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tallyd: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if (cfg->vnpay_url && cfg->vnpay_url[0] &&
	    (strlen(cfg->vnpay_url) >= 256 || !cfg->vnpay_tmn_code || !cfg->vnpay_tmn_code[0] ||
	     strlen(cfg->vnpay_tmn_code) >= 16)) {
		fprintf(stderr, "tallyd: --vnpay-url takes a URL under 256 bytes and needs "
				"--vnpay-tmn-code (under 16 characters)\n");
		return -1;
	}
	if ((cfg->seller_name && strlen(cfg->seller_name) >= 160) ||
	    (cfg->seller_address && strlen(cfg->seller_address) >= 320) ||
	    (cfg->seller_tax_code && strlen(cfg->seller_tax_code) >= 32)) {
		fprintf(stderr, "tallyd: --seller-name is under 160 bytes, --seller-address under "
				"320, --seller-tax-code under 32\n");
		return -1;
	}
	if (parse_ttl(ttl, &cfg->checkout_ttl_s) < 0) {
		fprintf(stderr, "tallyd: --checkout-ttl must be 60 to 604800 seconds, got \"%s\"\n",
			ttl);
		return -1;
	}
	if (parse_timeout("header-timeout", header_timeout, &cfg->timeouts.header_ms) < 0 ||
	    parse_timeout("body-timeout", body_timeout, &cfg->timeouts.body_ms) < 0 ||
	    parse_timeout("idle-timeout", idle_timeout, &cfg->timeouts.idle_ms) < 0)
		return -1;
	if (threads && parse_count(threads, &cfg->http_threads) < 0) {
		fprintf(stderr, "tallyd: --http-threads must be 0 to 256, got \"%s\"\n", threads);
		return -1;
	}
	if (parse_listen(listen ? listen : "127.0.0.1:8080", cfg) < 0) {
		fprintf(stderr, "tallyd: --listen must be HOST:PORT, got \"%s\"\n", listen);
		return -1;
	}
	return 0;
}

/* A catalog that fails validation stops tallyd here, naming the file, the
 * field and the reason. */
static int load_catalog(const char *path, tl_catalog *out)
{
	tl_error err = {0};
	if (tl_catalog_load(path, out, &err) == 0)
		return 0;
	fprintf(stderr, "tallyd: invalid catalog: %s\n", err.message);
	tl_error_clear(&err);
	return -1;
}

static void fatal(const char *what, tl_error *err)
{
	fprintf(stderr, "tallyd: %s: %s\n", what, err->message);
	tl_log("error", what, json_pack("{s:s, s:s}", "code", err->code, "reason", err->message));
	tl_error_clear(err);
}

/* Prints a generated admin token once, where the operator will see it. */
static void announce_admin_token(const char *token)
{
	if (token[0] == '\0')
		return;
	printf("tallyd: generated the admin token (shown only this once; store it now):\n"
	       "  %s\n", token);
	fflush(stdout);
}

static int bootstrap_tx(tl_tx *tx, void *arg, tl_error *err)
{
	return tl_ledger_bootstrap(tx, *(const int64_t *)arg, err);
}

/* Enough descriptors for TL_MAX_CONNECTIONS connections plus the store's
 * files: the soft limit is often 1,024, and a connection refused for want
 * of a descriptor is refused to everyone, whatever server.c sheds. */
static void raise_fd_limit(void)
{
	const rlim_t wanted = TL_MAX_CONNECTIONS + 256u;
	struct rlimit lim;
	if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= wanted)
		return;
	lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > wanted ? wanted
									     : lim.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur < wanted)
		tl_log("warn", "few file descriptors",
		       json_pack("{s:I, s:I}", "limit", (json_int_t)lim.rlim_cur, "wanted",
				 (json_int_t)wanted));
}

static int serve(const config *cfg, tl_app *app)
{
	raise_fd_limit();
	tl_error err = {0};
	tl_server *server;
	tl_ticker *ticker;
	if (tl_ticker_start(&ticker, app->store, app->clock, app->catalog, 1000) < 0) {
		fprintf(stderr, "tallyd: cannot start the job ticker\n");
		return 1;
	}
	if (tl_server_start(&server, app, cfg->host, cfg->port, cfg->http_threads, &cfg->timeouts,
			    &err) < 0) {
		fatal("cannot start the HTTP server", &err);
		tl_ticker_stop(ticker);
		return 1;
	}
	char url[96];
	snprintf(url, sizeof(url), "http://%s:%u", cfg->host, tl_server_port(server));
	/* the port is known only now (--listen ...:0) */
	snprintf(app->public_url, sizeof(app->public_url), "%s", cfg->public_url ? cfg->public_url : url);
	tl_log("info", "listening",
	       json_pack("{s:s, s:s, s:b, s:s?}", "url", url, "db", cfg->db, "test_clock",
			 cfg->test_clock, "console",
			 cfg->web_dir && cfg->web_dir[0] ? cfg->web_dir : NULL));

	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	int sig = 0;
	sigwait(&stop_signals, &sig);
	tl_log("info", "shutting down", json_pack("{s:s}", "signal",
						  sig == SIGINT ? "SIGINT" : "SIGTERM"));
	tl_server_stop(server);
	tl_ticker_stop(ticker);
	return 0;
}

int main(int argc, char **argv)
{
	/* Block the stop signals in every thread; main waits for them. SIGPIPE
	 * from a client that hung up must not kill the server. */
	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	pthread_sigmask(SIG_BLOCK, &blocked, NULL);
	signal(SIGPIPE, SIG_IGN);

	config cfg = {0};
	int parsed = parse_args(argc, argv, &cfg);
	if (parsed != 0)
		return parsed > 0 ? 0 : 2;
	static tl_catalog catalog; /* large; immutable once loaded */
	if (sodium_init() < 0 || load_catalog(cfg.catalog, &catalog) < 0)
		return 1;

	tl_clock clock;
	tl_clock_init(&clock, cfg.test_clock);
	tl_app app = {.clock = &clock, .test_clock = cfg.test_clock, .catalog = &catalog,
		      .checkout_ttl_s = cfg.checkout_ttl_s, .sandbox_gateway = cfg.sandbox_gateway,
		      .access_log = cfg.access_log, .web_dir = cfg.web_dir,
		      .metrics = tl_metrics_new()};
	snprintf(app.seller_name, sizeof(app.seller_name), "%s",
		 cfg.seller_name ? cfg.seller_name : "");
	snprintf(app.seller_address, sizeof(app.seller_address), "%s",
		 cfg.seller_address ? cfg.seller_address : "");
	snprintf(app.seller_tax_code, sizeof(app.seller_tax_code), "%s",
		 cfg.seller_tax_code ? cfg.seller_tax_code : "");
	if (cfg.vnpay_url && cfg.vnpay_url[0]) {
		snprintf(app.vnpay_url, sizeof(app.vnpay_url), "%s", cfg.vnpay_url);
		snprintf(app.vnpay_tmn_code, sizeof(app.vnpay_tmn_code), "%s", cfg.vnpay_tmn_code);
	}
	tl_error err = {0};
	char generated[TL_ADMIN_TOKEN_STR_MAX];
	int status = 1;
	if (tl_store_open(&app.store, cfg.db, &err) < 0) {
		fatal("cannot open the store", &err);
	} else if (tl_admin_token_setup(app.store, getenv("TALLY_ADMIN_TOKEN"),
					tl_clock_now(&clock), app.admin_hash, generated,
					&err) < 0) {
		fatal("cannot set up the admin token", &err);
	} else if (tl_gateway_secret_setup(app.store, getenv("TALLY_GATEWAY_SECRET"),
					   tl_clock_now(&clock), app.gateway_secret,
					   sizeof(app.gateway_secret), &err) < 0) {
		fatal("cannot set up the gateway secret", &err);
	} else if (tl_store_write(app.store, bootstrap_tx, &(int64_t){tl_clock_now(&clock)},
				  &err) < 0) {
		fatal("cannot create the ledger's system accounts", &err);
	} else {
		announce_admin_token(generated);
		status = serve(&cfg, &app);
	}
	tl_store_close(app.store);
	tl_metrics_free(app.metrics);
	tl_invoice_pdf_release();
	tl_clock_destroy(&clock);
	if (status == 0)
		tl_log("info", "stopped", NULL);
	return status;
}
