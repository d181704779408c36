/*
 * tallyd: the tally server. Reads its configuration from flags, the
 * environment and a configuration file (one table of settings serves all
 * three), opens the store, starts the HTTP server and waits
 * for SIGTERM or SIGINT, then shuts down gracefully: stop accepting, finish
 * in-flight requests, drain the writer, close the store.
 */
#include "api/metrics.h"
#include "domain/catalog.h"
#include "api/server.h"
#include "common/log.h"
#include "jobs/jobs.h"
#include "jobs/webhook_worker.h"
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
#include <limits.h>
#include <sys/resource.h>
#include <unistd.h>

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
	const char *admin_token;    /* NULL: generated on a database's first start */
	const char *gateway_secret; /* NULL: the same */
	tl_server_timeouts timeouts;
	const char *backup_dir;     /* "": backups over HTTP are off */
	int64_t idempotency_retention_s;
	bool webhook_allow_private; /* webhooks may go to private addresses */
	unsigned webhook_timeout_ms;
	const char *restore_from;   /* --restore FILE: restore into --db, then exit */
	const char *config_file;    /* the configuration file read, or NULL */
	bool check_config;          /* --check-config: validate, report, exit */
	char *file_text;            /* the configuration file's text; its values point into it */
	char default_catalog[PATH_MAX];
	char default_web[PATH_MAX];
} config;

/*
 * tallyd's settings. Each one is a flag (--NAME), a key of the
 * configuration file (NAME = VALUE) and, where it has one, an environment
 * variable. A new setting needs an entry here and a case in
 * apply_setting(); the command line, the file and the environment then all
 * accept it. Precedence: flag, then environment, then file, then default.
 */
enum {
	S_LISTEN, S_DB, S_CATALOG, S_CHECKOUT_TTL, S_TEST_CLOCK, S_NO_ACCESS_LOG,
	S_SANDBOX_GATEWAY, S_PUBLIC_URL, S_VNPAY_URL, S_VNPAY_TMN_CODE, S_SELLER_NAME,
	S_SELLER_ADDRESS, S_SELLER_TAX_CODE, S_WEB, S_HTTP_THREADS, S_HEADER_TIMEOUT,
	S_BODY_TIMEOUT, S_IDLE_TIMEOUT, S_BACKUP_DIR, S_IDEMPOTENCY_RETENTION, S_ADMIN_TOKEN,
	S_GATEWAY_SECRET, S_WEBHOOK_ALLOW_PRIVATE, S_WEBHOOK_TIMEOUT,
	S_COUNT
};

typedef struct setting_spec {
	const char *name; /* --NAME, and the configuration file's key */
	bool is_switch;   /* a flag without a value; true or false in the file */
	const char *env;  /* its environment variable, or NULL */
	bool env_inverse; /* the variable says the opposite (TALLY_ACCESS_LOG=0) */
	bool secret;      /* environment and file only: never on a command line ps(1) shows */
} setting_spec;

static const setting_spec settings[S_COUNT] = {
	[S_LISTEN] = {"listen", false, "TALLY_LISTEN", false, false},
	[S_DB] = {"db", false, "TALLY_DB", false, false},
	[S_CATALOG] = {"catalog", false, "TALLY_CATALOG", false, false},
	[S_CHECKOUT_TTL] = {"checkout-ttl", false, "TALLY_CHECKOUT_TTL", false, false},
	[S_TEST_CLOCK] = {"test-clock", true, "TALLY_TEST_CLOCK", false, false},
	[S_NO_ACCESS_LOG] = {"no-access-log", true, "TALLY_ACCESS_LOG", true, false},
	[S_SANDBOX_GATEWAY] = {"sandbox-gateway", true, "TALLY_SANDBOX_GATEWAY", false, false},
	[S_PUBLIC_URL] = {"public-url", false, "TALLY_PUBLIC_URL", false, false},
	[S_VNPAY_URL] = {"vnpay-url", false, "TALLY_VNPAY_URL", false, false},
	[S_VNPAY_TMN_CODE] = {"vnpay-tmn-code", false, "TALLY_VNPAY_TMN_CODE", false, false},
	[S_SELLER_NAME] = {"seller-name", false, "TALLY_SELLER_NAME", false, false},
	[S_SELLER_ADDRESS] = {"seller-address", false, "TALLY_SELLER_ADDRESS", false, false},
	[S_SELLER_TAX_CODE] = {"seller-tax-code", false, "TALLY_SELLER_TAX_CODE", false, false},
	[S_WEB] = {"web", false, "TALLY_WEB", false, false},
	[S_HTTP_THREADS] = {"http-threads", false, "TALLY_HTTP_THREADS", false, false},
	[S_HEADER_TIMEOUT] = {"header-timeout", false, "TALLY_HEADER_TIMEOUT_MS", false, false},
	[S_BODY_TIMEOUT] = {"body-timeout", false, "TALLY_BODY_TIMEOUT_MS", false, false},
	[S_IDLE_TIMEOUT] = {"idle-timeout", false, "TALLY_IDLE_TIMEOUT_MS", false, false},
	[S_BACKUP_DIR] = {"backup-dir", false, "TALLY_BACKUP_DIR", false, false},
	[S_IDEMPOTENCY_RETENTION] = {"idempotency-retention-days", false,
				     "TALLY_IDEMPOTENCY_RETENTION_DAYS", false, false},
	[S_ADMIN_TOKEN] = {"admin-token", false, "TALLY_ADMIN_TOKEN", false, true},
	[S_GATEWAY_SECRET] = {"gateway-secret", false, "TALLY_GATEWAY_SECRET", false, true},
	[S_WEBHOOK_ALLOW_PRIVATE] = {"webhook-allow-private", true, "TALLY_WEBHOOK_ALLOW_PRIVATE",
				     false, false},
	[S_WEBHOOK_TIMEOUT] = {"webhook-timeout-ms", false, "TALLY_WEBHOOK_TIMEOUT_MS", false,
			       false},
};

/* One setting's value as the layers above decided it, and where it came
 * from, for error messages: "--db", "TALLY_DB" or "FILE:LINE: db". */
typedef struct setting_value {
	const char *value; /* NULL: not set, the default applies */
	char where[512];
} setting_value;

static void usage(FILE *out)
{
	fputs("usage: tallyd [options]\n"
	      "\n"
	      "tally's server: HTTP JSON API, background jobs and the web console.\n"
	      "\n"
	      "options (each also an environment variable and a configuration file key,\n"
	      "its name without the dashes; a flag wins over the environment, which wins\n"
	      "over the file):\n"
	      "  --listen HOST:PORT  address to serve on (TALLY_LISTEN; default 127.0.0.1:8080;\n"
	      "                      port 0 picks a free port, logged as \"listening\")\n"
	      "  --db PATH           SQLite database file, created if missing (TALLY_DB;\n"
	      "                      default tally.db)\n"
	      "  --catalog FILE      product catalog, JSON (TALLY_CATALOG; default: the\n"
	      "                      installed one, DATADIR/catalog/default.json); tallyd\n"
	      "                      refuses to start on an invalid one\n"
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
	      "                      (TALLY_VNPAY_URL); its hash secret is gateway-secret\n"
	      "  --vnpay-tmn-code CODE  the merchant's VNPay terminal code (TALLY_VNPAY_TMN_CODE;\n"
	      "                      required with --vnpay-url)\n"
	      "  --seller-name TEXT, --seller-address TEXT, --seller-tax-code TEXT\n"
	      "                      the seller printed on invoices' PDFs (TALLY_SELLER_NAME,\n"
	      "                      TALLY_SELLER_ADDRESS, TALLY_SELLER_TAX_CODE)\n"
	      "  --web DIR           the web console's files, served at / (TALLY_WEB; default:\n"
	      "                      the installed console, DATADIR/web); --web '' serves none\n"
	      "  --http-threads N    0 (default): a thread per connection; N: N epoll threads\n"
	      "                      serve all connections (TALLY_HTTP_THREADS); see\n"
	      "                      docs/PERFORMANCE.md for why 0 is the default\n"
	      "  --header-timeout MS, --body-timeout MS, --idle-timeout MS\n"
	      "                      how long a connection may take to send a request's\n"
	      "                      headers, then its body, and may wait idle between\n"
	      "                      requests (TALLY_HEADER_TIMEOUT_MS, TALLY_BODY_TIMEOUT_MS,\n"
	      "                      TALLY_IDLE_TIMEOUT_MS; defaults 10000, 60000, 60000)\n"
	      "  --backup-dir DIR    where POST /v1/admin/backup (tally admin backup) writes\n"
	      "                      its files (TALLY_BACKUP_DIR; default: the directory of\n"
	      "                      --db); --backup-dir '' turns backups over HTTP off\n"
	      "  --idempotency-retention-days N\n"
	      "                      how long a stored Idempotency-Key answer is kept; older\n"
	      "                      ones are purged and a retry with that key then counts\n"
	      "                      as a new request (TALLY_IDEMPOTENCY_RETENTION_DAYS;\n"
	      "                      default 7, 1 to 3650)\n"
	      "  --webhook-allow-private\n"
	      "                      let webhook endpoints be loopback, private or link-local\n"
	      "                      addresses (tests, on-premise receivers); off by default\n"
	      "                      (TALLY_WEBHOOK_ALLOW_PRIVATE)\n"
	      "  --webhook-timeout-ms N\n"
	      "                      time one webhook attempt may take (TALLY_WEBHOOK_TIMEOUT_MS;\n"
	      "                      default 10000, 100 to 60000)\n"
	      "  --restore FILE      restore the backup FILE into --db, which must not exist,\n"
	      "                      and exit (tallyd must not be running on --db)\n"
	      "  --config FILE       configuration file of `key = value` lines (TALLY_CONFIG;\n"
	      "                      default " TALLY_CONFIG_FILE ", if it exists)\n"
	      "  --check-config      validate the configuration and the catalog, then exit\n"
	      "  --help              this text\n"
	      "  --version           print the version\n"
	      "\n"
	      "environment and configuration file only (never flags, which ps shows):\n"
	      "  TALLY_ADMIN_TOKEN   the admin token (admin-token). When unset, the first start\n"
	      "                      of a database generates one, prints it once, keeps its hash.\n"
	      "  TALLY_GATEWAY_SECRET  (gateway-secret) the secret that signs gateway\n"
	      "                      notifications; when unset, generated on a database's\n"
	      "                      first start and kept in it\n"
	      "\n"
	      "DATADIR: " TALLY_DATA_DIR_FROM_BIN " from tallyd's own directory, else " TALLY_DATA_DIR ".\n"
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
static int parse_timeout(const char *value, unsigned *out)
{
	if (value == NULL)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (errno || end == value || *end || n < 100 || n > 3600000)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* Days, 1 to TL_IDEMPOTENCY_RETENTION_DAYS_MAX, as seconds; NULL leaves the
 * default. */
static int parse_retention(const char *value, int64_t *out)
{
	*out = (int64_t)TL_IDEMPOTENCY_RETENTION_DAYS_DEFAULT * 86400;
	if (value == NULL)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (errno || end == value || *end || n < 1 || n > TL_IDEMPOTENCY_RETENTION_DAYS_MAX)
		return -1;
	*out = (int64_t)n * 86400;
	return 0;
}

/* The directory of the database file, the default home of backups. */
static const char *db_dir(const char *db)
{
	static char dir[4096];
	const char *slash = strrchr(db, '/');
	if (slash == NULL)
		return ".";
	if (slash == db)
		return "/";
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - db), db);
	return dir;
}

/* The file's booleans; a flag stands for "true". */
static int parse_bool(const char *value, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* The environment's booleans, as lenient as they always were: anything
 * but 0, false and no is true; empty is unset. */
static const char *env_switch(const char *value, bool inverse)
{
	if (value == NULL || value[0] == '\0')
		return NULL;
	bool on = strcmp(value, "0") != 0 && strcmp(value, "false") != 0 &&
		  strcmp(value, "no") != 0;
	return on != inverse ? "true" : "false";
}

static int bad_value(const setting_value *v, const char *what)
{
	fprintf(stderr, "tallyd: %s must be %s, got \"%s\"\n", v->where, what, v->value);
	return -1;
}

/* Turns one setting's value (NULL: its default) into cfg. */
static int apply_setting(config *cfg, int id, const setting_value *v)
{
	const char *s = v->value;
	bool on = false;
	if (settings[id].is_switch && s && parse_bool(s, &on) < 0)
		return bad_value(v, "true or false");
	switch (id) {
	case S_LISTEN:
		if (parse_listen(s ? s : "127.0.0.1:8080", cfg) < 0)
			return bad_value(v, "HOST:PORT");
		return 0;
	case S_DB: cfg->db = s ? s : "tally.db"; return 0;
	case S_CATALOG: cfg->catalog = s ? s : cfg->default_catalog; return 0;
	case S_CHECKOUT_TTL:
		if (parse_ttl(s, &cfg->checkout_ttl_s) < 0)
			return bad_value(v, "60 to 604800 seconds");
		return 0;
	case S_TEST_CLOCK: cfg->test_clock = on; return 0;
	case S_NO_ACCESS_LOG: cfg->access_log = !on; return 0;
	case S_SANDBOX_GATEWAY: cfg->sandbox_gateway = on; return 0;
	case S_PUBLIC_URL: cfg->public_url = s; return 0;
	case S_VNPAY_URL: cfg->vnpay_url = s; return 0;
	case S_VNPAY_TMN_CODE: cfg->vnpay_tmn_code = s; return 0;
	case S_SELLER_NAME: cfg->seller_name = s; return 0;
	case S_SELLER_ADDRESS: cfg->seller_address = s; return 0;
	case S_SELLER_TAX_CODE: cfg->seller_tax_code = s; return 0;
	case S_WEB: cfg->web_dir = s ? s : cfg->default_web; return 0;
	case S_HTTP_THREADS:
		if (s && parse_count(s, &cfg->http_threads) < 0)
			return bad_value(v, "0 to 256");
		return 0;
	case S_HEADER_TIMEOUT:
	case S_BODY_TIMEOUT:
	case S_IDLE_TIMEOUT: {
		unsigned *ms = id == S_HEADER_TIMEOUT ? &cfg->timeouts.header_ms
			       : id == S_BODY_TIMEOUT ? &cfg->timeouts.body_ms
						      : &cfg->timeouts.idle_ms;
		if (parse_timeout(s, ms) < 0)
			return bad_value(v, "100 to 3600000 milliseconds");
		return 0;
	}
	case S_BACKUP_DIR: cfg->backup_dir = s ? s : db_dir(cfg->db); return 0; /* after S_DB */
	case S_IDEMPOTENCY_RETENTION:
		if (parse_retention(s, &cfg->idempotency_retention_s) < 0)
			return bad_value(v, "1 to 3650 days");
		return 0;
	case S_ADMIN_TOKEN: cfg->admin_token = s; return 0;
	case S_GATEWAY_SECRET: cfg->gateway_secret = s; return 0;
	case S_WEBHOOK_ALLOW_PRIVATE: cfg->webhook_allow_private = on; return 0;
	case S_WEBHOOK_TIMEOUT:
		cfg->webhook_timeout_ms = TL_WEBHOOK_TIMEOUT_MS_DEFAULT;
		if (parse_timeout(s, &cfg->webhook_timeout_ms) < 0 ||
		    cfg->webhook_timeout_ms > TL_WEBHOOK_TIMEOUT_MS_MAX)
			return bad_value(v, "100 to 60000 milliseconds");
		return 0;
	default: return 0;
	}
}

static int find_setting(const char *name)
{
	for (int i = 0; i < S_COUNT; i++)
		if (strcmp(settings[i].name, name) == 0)
			return i;
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* Reads the whole file (at most TL_CONFIG_FILE_MAX bytes) into cfg. */
static int slurp_config(config *cfg, const char *path, bool required)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		if (!required && errno == ENOENT)
			return 0; /* the default file is optional */
		fprintf(stderr, "tallyd: cannot read the configuration file %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	cfg->file_text = malloc(TL_CONFIG_FILE_MAX + 1);
	size_t n = cfg->file_text ? fread(cfg->file_text, 1, TL_CONFIG_FILE_MAX + 1, f) : 0;
	bool failed = cfg->file_text == NULL || ferror(f);
	fclose(f);
	if (failed || n > TL_CONFIG_FILE_MAX || memchr(cfg->file_text, '\0', n)) {
		fprintf(stderr, "tallyd: %s: %s\n", path,
			failed ? "cannot read it" : n > TL_CONFIG_FILE_MAX ? "larger than 64 KiB"
									 : "not a text file");
		return -1;
	}
	cfg->file_text[n] = '\0';
	cfg->config_file = path;
	return 1;
}

/*
 * The configuration file: `key = value` lines, the keys tallyd's long
 * options without the dashes; blank lines and lines starting with # are
 * ignored; a value may be quoted ("" is an empty value). An unknown key, a
 * key set twice, a line without = or a switch that is not true or false
 * is an error naming the file and the line.
 */
static int read_config_file(config *cfg, const char *path, bool required,
			    setting_value values[S_COUNT])
{
	int read = slurp_config(cfg, path, required);
	if (read <= 0)
		return read;
	unsigned line_no = 0;
	char *next = cfg->file_text;
	while (next != NULL) {
		char *line = next;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line_no++;
		line = trim(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		char *eq = strchr(line, '=');
		if (eq == NULL) {
			fprintf(stderr, "tallyd: %s:%u: expected key = value, got \"%s\"\n", path,
				line_no, line);
			return -1;
		}
		*eq = '\0';
		char *key = trim(line), *value = trim(eq + 1);
		size_t len = strlen(value);
		if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
			value[len - 1] = '\0';
			value++;
		}
		int id = find_setting(key);
		if (id < 0) {
			fprintf(stderr, "tallyd: %s:%u: unknown key \"%s\" (the keys are the long "
				"options of tallyd --help, without the dashes)\n", path, line_no, key);
			return -1;
		}
		if (values[id].value != NULL) {
			fprintf(stderr, "tallyd: %s:%u: %s is set twice (%s)\n", path, line_no, key,
				values[id].where);
			return -1;
		}
		values[id].value = value;
		snprintf(values[id].where, sizeof(values[id].where), "%s:%u: %s", path, line_no, key);
	}
	return 0;
}

/* Where the console and the default catalog are: TALLY_DATA_DIR_FROM_BIN
 * from tallyd's own directory (an installed tree that was moved, a DESTDIR
 * staging tree, and the build tree, whose share/tally links to the
 * sources), else the directory the build was configured to install to. */
static void locate_data_dir(config *cfg)
{
	char dir[PATH_MAX] = TALLY_DATA_DIR;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash != NULL) {
		*slash = '\0';
		char candidate[PATH_MAX + 64];
		int len = snprintf(candidate, sizeof(candidate), "%s/%s", exe,
				   TALLY_DATA_DIR_FROM_BIN);
		char *real = len > 0 && (size_t)len < sizeof(candidate) ? realpath(candidate, NULL)
									: NULL;
		if (real != NULL && strlen(real) < sizeof(dir))
			memcpy(dir, real, strlen(real) + 1);
		free(real);
	}
	int a = snprintf(cfg->default_catalog, sizeof(cfg->default_catalog),
			 "%s/catalog/default.json", dir);
	int b = snprintf(cfg->default_web, sizeof(cfg->default_web), "%s/web", dir);
	if (a < 0 || (size_t)a >= sizeof(cfg->default_catalog) || b < 0 ||
	    (size_t)b >= sizeof(cfg->default_web))
		cfg->default_catalog[0] = cfg->default_web[0] = '\0';
}

/* The settings that depend on one another or fill fixed fields of tl_app. */
static int check_gateway_and_seller(const config *cfg)
{
	if (cfg->vnpay_url && cfg->vnpay_url[0] &&
	    (strlen(cfg->vnpay_url) >= 256 || !cfg->vnpay_tmn_code || !cfg->vnpay_tmn_code[0] ||
	     strlen(cfg->vnpay_tmn_code) >= 16)) {
		fprintf(stderr, "tallyd: vnpay-url takes a URL under 256 bytes and needs "
				"vnpay-tmn-code (under 16 characters)\n");
		return -1;
	}
	if ((cfg->seller_name && strlen(cfg->seller_name) >= 160) ||
	    (cfg->seller_address && strlen(cfg->seller_address) >= 320) ||
	    (cfg->seller_tax_code && strlen(cfg->seller_tax_code) >= 32)) {
		fprintf(stderr, "tallyd: seller-name is under 160 bytes, seller-address under "
				"320, seller-tax-code under 32\n");
		return -1;
	}
	return 0;
}

enum { OPT_SETTING = 256, OPT_CONFIG = 512, OPT_CHECK_CONFIG, OPT_RESTORE, OPT_HELP, OPT_VERSION };

/* 0 to run, 1 to exit successfully (--help), -1 on a usage error. */
static int parse_args(int argc, char **argv, config *cfg)
{
	struct option options[S_COUNT + 6];
	int n_options = 0;
	for (int i = 0; i < S_COUNT; i++)
		if (!settings[i].secret)
			options[n_options++] = (struct option){
				settings[i].name, settings[i].is_switch ? no_argument
									: required_argument,
				NULL, OPT_SETTING + i};
	options[n_options++] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
	options[n_options++] = (struct option){"check-config", no_argument, NULL, OPT_CHECK_CONFIG};
	options[n_options++] = (struct option){"restore", required_argument, NULL, OPT_RESTORE};
	options[n_options++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	options[n_options++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	options[n_options] = (struct option){NULL, 0, NULL, 0};

	static setting_value flags[S_COUNT], values[S_COUNT];
	const char *config_file = getenv("TALLY_CONFIG");
	bool config_required = config_file != NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt >= OPT_SETTING && opt < OPT_SETTING + S_COUNT) {
			int id = opt - OPT_SETTING;
			flags[id].value = settings[id].is_switch ? "true" : optarg;
			snprintf(flags[id].where, sizeof(flags[id].where), "--%s", settings[id].name);
			continue;
		}
		switch (opt) {
		case OPT_CONFIG: config_file = optarg; config_required = true; break;
		case OPT_CHECK_CONFIG: cfg->check_config = true; break;
		case OPT_RESTORE: cfg->restore_from = optarg; break;
		case OPT_HELP: usage(stdout); return 1;
		case OPT_VERSION: puts("tallyd " TALLY_VERSION); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tallyd: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	/* the file, then the environment over it, then the flags over both */
	if (config_file == NULL)
		config_file = TALLY_CONFIG_FILE;
	if (config_file[0] != '\0' && read_config_file(cfg, config_file, config_required, values) < 0)
		return -1;
	for (int i = 0; i < S_COUNT; i++) {
		const char *env = settings[i].env ? getenv(settings[i].env) : NULL;
		if (settings[i].is_switch)
			env = env_switch(env, settings[i].env_inverse);
		if (env != NULL) {
			values[i].value = env;
			snprintf(values[i].where, sizeof(values[i].where), "%s", settings[i].env);
		}
		if (flags[i].value != NULL)
			values[i] = flags[i];
	}
	locate_data_dir(cfg);
	for (int i = 0; i < S_COUNT; i++)
		if (apply_setting(cfg, i, &values[i]) < 0)
			return -1;
	return check_gateway_and_seller(cfg);
}

/* --check-config: the settings parsed; now the catalog and the console. */
static int check_config(const config *cfg, tl_catalog *catalog)
{
	tl_error err = {0};
	if (tl_catalog_load(cfg->catalog, catalog, &err) < 0) {
		fprintf(stderr, "tallyd: invalid catalog: %s\n", err.message);
		tl_error_clear(&err);
		return 1;
	}
	if (cfg->web_dir[0] != '\0') {
		char index[PATH_MAX + 16];
		snprintf(index, sizeof(index), "%s/index.html", cfg->web_dir);
		if (access(index, R_OK) != 0) {
			fprintf(stderr, "tallyd: no web console in %s: %s (--web '' serves none)\n",
				cfg->web_dir, strerror(errno));
			return 1;
		}
	}
	printf("tallyd: configuration valid (file %s; catalog %s; console %s)\n",
	       cfg->config_file ? cfg->config_file : "none", cfg->catalog,
	       cfg->web_dir[0] ? cfg->web_dir : "none");
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
	if (tl_ticker_start(&ticker, app->store, app->clock, app->catalog,
			    app->idempotency_retention_s, 1000) < 0) {
		fprintf(stderr, "tallyd: cannot start the job ticker\n");
		return 1;
	}
	tl_webhook_worker *webhooks = NULL;
	tl_webhook_options webhook_opt = {.allow_private = cfg->webhook_allow_private,
					  .timeout_ms = cfg->webhook_timeout_ms};
	if (tl_webhook_worker_start(&webhooks, app->store, app->clock, &webhook_opt) < 0) {
		fprintf(stderr, "tallyd: cannot start the webhook worker\n");
		tl_ticker_stop(ticker);
		return 1;
	}
	if (tl_server_start(&server, app, cfg->host, cfg->port, cfg->http_threads, &cfg->timeouts,
			    &err) < 0) {
		fatal("cannot start the HTTP server", &err);
		tl_webhook_worker_stop(webhooks);
		tl_ticker_stop(ticker);
		return 1;
	}
	char url[96];
	snprintf(url, sizeof(url), "http://%s:%u", cfg->host, tl_server_port(server));
	/* the port is known only now (--listen ...:0) */
	snprintf(app->public_url, sizeof(app->public_url), "%s", cfg->public_url ? cfg->public_url : url);
	tl_log("info", "listening",
	       json_pack("{s:s, s:s, s:b, s:s?, s:s, s:s?}", "url", url, "db", cfg->db,
			 "test_clock", cfg->test_clock, "console",
			 cfg->web_dir && cfg->web_dir[0] ? cfg->web_dir : NULL, "catalog",
			 cfg->catalog, "config", cfg->config_file));

	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	int sig = 0;
	sigwait(&stop_signals, &sig);
	tl_log("info", "shutting down", json_pack("{s:s}", "signal",
						  sig == SIGINT ? "SIGINT" : "SIGTERM"));
	tl_server_stop(server);
	tl_webhook_worker_stop(webhooks);
	tl_ticker_stop(ticker);
	return 0;
}

/* tallyd --restore FILE: the backup into a new --db, then exit. */
static int restore(const char *backup, const char *db)
{
	tl_error err = {0};
	if (tl_store_restore(backup, db, &err) < 0) {
		fprintf(stderr, "tallyd: cannot restore %s: %s\n", backup, err.message);
		tl_error_clear(&err);
		return 1;
	}
	printf("tallyd: restored %s into %s; start tallyd with --db %s\n", backup, db, db);
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

	static config cfg; /* holds paths of PATH_MAX */
	int parsed = parse_args(argc, argv, &cfg);
	static tl_catalog catalog; /* large; immutable once loaded */
	if (parsed == 0 && cfg.check_config)
		parsed = check_config(&cfg, &catalog) == 0 ? 1 : -1;
	if (parsed != 0) {
		free(cfg.file_text);
		return parsed > 0 ? 0 : cfg.check_config ? 1 : 2;
	}
	if (cfg.restore_from) {
		int restored = restore(cfg.restore_from, cfg.db);
		free(cfg.file_text);
		return restored;
	}
	if (sodium_init() < 0 || load_catalog(cfg.catalog, &catalog) < 0) {
		free(cfg.file_text);
		return 1;
	}

	tl_clock clock;
	tl_clock_init(&clock, cfg.test_clock);
	tl_app app = {.clock = &clock, .test_clock = cfg.test_clock, .catalog = &catalog,
		      .checkout_ttl_s = cfg.checkout_ttl_s, .sandbox_gateway = cfg.sandbox_gateway,
		      .access_log = cfg.access_log, .web_dir = cfg.web_dir,
		      .backup_dir = cfg.backup_dir,
		      .idempotency_retention_s = cfg.idempotency_retention_s,
		      .webhook_allow_private = cfg.webhook_allow_private,
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
	} else if (tl_admin_token_setup(app.store, cfg.admin_token,
					tl_clock_now(&clock), app.admin_hash, generated,
					&err) < 0) {
		fatal("cannot set up the admin token", &err);
	} else if (tl_gateway_secret_setup(app.store, cfg.gateway_secret,
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
	free(cfg.file_text);
	return status;
}
