/*
 * main_dispatch.c: the command table, the help made from it, and the
 * choice of the row that runs.
 *
 * `tally [global options] NOUN VERB [args]`. The global options are read
 * here and given their final values (environment, profile) in options.c,
 * once the row is known: a `local` row (configure) reads no profile. A row
 * with verb NULL is run by its noun alone (`tally health`).
 * A handler's usage error prints the usage of its noun after the message;
 * `--help` anywhere among a verb's words prints it on stdout instead.
 * Rows of one noun stay together: the usage and help listings rely on it.
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <string.h>

static const tl_cli_command commands[] = {
	{"health", NULL, tl_cli_health, "", "check that tallyd is up (no token needed)", false},
	{"configure", NULL, tl_cli_configure, "[--profile NAME] [--endpoint URL] [--token TOKEN|-]",
	 "save a profile's endpoint and token", true},
	{"accounts", "create", tl_cli_accounts_create, "--name NAME [--currency CUR]",
	 "create an account (admin)", false},
	{"accounts", "list", tl_cli_accounts_list, "[--limit N] [--after ID]",
	 "list accounts, newest first (admin)", false},
	{"accounts", "show", tl_cli_accounts_show, "ID", "show one account", false},
	{"accounts", "change", tl_cli_accounts_change, "ID --type prepaid|postpaid",
	 "make an account prepaid or postpaid (admin)", false},
	{"tokens", "create", tl_cli_tokens_create, "ACCOUNT_ID [--scope account|metering]",
	 "issue an API token (admin; shown once; metering: submits usage only)", false},
	{"wallets", NULL, tl_cli_wallets, "[--account ID]",
	 "an account's credit and POC wallets", false},
	{"holds", NULL, tl_cli_holds, "[--account ID] [--limit N] [--after ID]",
	 "holds on the credit wallet, newest first", false},
	{"credit", "top-up", tl_cli_credit_top_up,
	 "ACCOUNT_ID --amount AMOUNT [--minor] [--reference TEXT]",
	 "add money to the credit wallet (admin)", false},
	{"poc-wallets", "grant", tl_cli_poc_wallets_grant,
	 "ACCOUNT_ID --amount AMOUNT [--minor] --expires-at TIME [--cluster ID]",
	 "grant expiring promotional credit (admin)", false},
	{"poc-wallets", "change", tl_cli_poc_wallets_change,
	 "WALLET_ID [--expires-at TIME] [--add AMOUNT [--minor]]",
	 "extend a POC wallet's expiry or add credit (admin)", false},
	{"transfers", "list", tl_cli_transfers_list,
	 "--account LEDGER_ACCOUNT [--limit N] [--after ID] [--currency CUR]",
	 "a ledger account's transfers (admin)", false},
	{"transfers", "create", tl_cli_transfers_create, "--file FILE.json [--linked]",
	 "submit a batch of transfers (admin)", false},
	{"ledger", "check", tl_cli_ledger_check, "",
	 "check the ledger; exit 1 when broken (admin)", false},
	{"ledger", "accounts", tl_cli_ledger_accounts, "[--account ID]",
	 "ledger accounts and their sums (admin)", false},
	{"catalog", NULL, tl_cli_catalog, "", "what can be bought: terms, services, monthly prices",
	 false},
	{"resources", "list", tl_cli_resources_list,
	 "[--search NAME_OR_ID] [--type T] [--billing poc|prepaid|postpaid] [--cluster ID] "
	 "[--account ID] [--limit N] [--after ID]",
	 "an account's resources, newest first", false},
	{"resources", "show", tl_cli_resources_show, "ID",
	 "one resource; a cluster with its members by role", false},
	{"resources", "create", tl_cli_resources_create,
	 "--type T --name NAME [--poc] [--spec JSON] [--cluster ID --role ROLE] [--account ID]",
	 "create a POC or postpaid resource", false},
	{"resources", "delete", tl_cli_resources_delete, "ID [--yes]",
	 "delete a resource (a cluster with its members); asks first", false},
	{"resources", "renew", tl_cli_resources_renew, "ID --cycle N",
	 "a checkout for another term (or to recover a suspended one)", false},
	{"stop-poc", NULL, tl_cli_stop_poc,
	 "ID [--preview] [--cycle N] [--auto-renew] [--coupon CODE] "
	 "[--pay credit|gateway|hold] [--wait SECONDS] [--yes]",
	 "end a POC: preview, confirm, then a checkout to pay", false},
	{"checkouts", "show", tl_cli_checkouts_show, "ID", "a checkout's price breakdown", false},
	{"checkouts", "create", tl_cli_checkouts_create,
	 "--file ITEMS.json --cycle N [--auto-renew] [--coupon CODE] [--account ID]",
	 "a purchase checkout for new resources", false},
	{"checkouts", "change", tl_cli_checkouts_change,
	 "ID [--cycle N] [--auto-renew on|off] [--coupon CODE|--no-coupon]",
	 "change an open checkout's terms; re-priced", false},
	{"checkouts", "pay", tl_cli_checkouts_pay,
	 "ID --method credit|gateway|hold [--wait SECONDS]",
	 "pay a checkout (gateway: wait for the payment)", false},
	{"checkouts", "cancel", tl_cli_checkouts_cancel, "ID",
	 "cancel an open checkout; resources stay as they were", false},
	{"invoices", "list", tl_cli_invoices_list,
	 "[--resource ID] [--account ID] [--limit N] [--after ID]", "invoices, newest first",
	 false},
	{"invoices", "show", tl_cli_invoices_show, "ID", "one invoice with its line and totals",
	 false},
	{"payments", "list", tl_cli_payments_list, "[--account ID] [--limit N] [--after ID]",
	 "payments, newest first", false},
	{"payments", "show", tl_cli_payments_show, "ID", "one payment and the invoices it paid",
	 false},
	{"coupons", "create", tl_cli_coupons_create,
	 "--code CODE (--percent-off N | --amount-off AMOUNT [--minor]) [--starts-at TIME] "
	 "[--expires-at TIME] [--max-redemptions N] [--max-per-account N] "
	 "[--services a,b] [--min-cycle N] [--first-purchase-only]",
	 "create a coupon (admin)", false},
	{"coupons", "list", tl_cli_coupons_list, "[--limit N] [--after ID]",
	 "coupons, newest first (admin)", false},
	{"coupons", "disable", tl_cli_coupons_disable, "ID", "disable a coupon (admin)", false},
	{"webhooks", "create", tl_cli_webhooks_create,
	 "--url URL [--events a,b|*] [--description TEXT] [--disable]",
	 "register a webhook endpoint; prints its secret once (admin)", false},
	{"webhooks", "list", tl_cli_webhooks_list, "[--limit N] [--after ID]",
	 "webhook endpoints, newest first (admin)", false},
	{"webhooks", "show", tl_cli_webhooks_show, "ID", "one webhook endpoint (admin)", false},
	{"webhooks", "update", tl_cli_webhooks_update,
	 "ID [--url URL] [--events a,b|*] [--description TEXT] [--enable|--disable]",
	 "change a webhook endpoint (admin)", false},
	{"webhooks", "delete", tl_cli_webhooks_delete, "ID",
	 "delete a webhook endpoint and its delivery log (admin)", false},
	{"webhooks", "deliveries", tl_cli_webhooks_deliveries, "ID [--limit N] [--after ID]",
	 "an endpoint's delivery log: attempts, status, latency (admin)", false},
	{"webhooks", "redeliver", tl_cli_webhooks_redeliver, "DELIVERY_ID",
	 "send a delivered or failed event again (admin)", false},
	{"webhooks", "events", tl_cli_webhooks_events, "[--limit N] [--after ID]",
	 "the webhook outbox, newest first (admin)", false},
	{"events", "list", tl_cli_events_list, "[--account ID] [--limit N] [--after ID]",
	 "the audit trail, newest first", false},
	{"clock", "show", tl_cli_clock_show, "", "the server's test clock (admin)", false},
	{"clock", "set", tl_cli_clock_set, "TIME", "set the test clock (2026-11-22T10:00:00Z)",
	 false},
	{"clock", "advance", tl_cli_clock_advance, "SECONDS",
	 "move the test clock (90, 90s, 15m, 2h, 3d)", false},
	{"jobs", "run", tl_cli_jobs_run, "",
	 "run every job due now and print what each did (admin)", false},
	{"jobs", "failures", tl_cli_jobs_failures, "[--job NAME] [--limit N] [--after ID]",
	 "the subjects the jobs are failing on, with their error and next retry (admin)",
	 false},
	{"admin", "backup", tl_cli_admin_backup, "FILE",
	 "back up the server's store, while it serves, into FILE of its backup directory "
	 "(admin)", false},
	{"usage", "import", tl_cli_usage_import, "FILE [--format ndjson|csv] [--batch N]",
	 "send metered usage records from a file (\"-\": stdin) in batches", false},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char options_help[] =
	"options (before NOUN):\n"
	"  --endpoint URL         tallyd's address (default " TL_CLI_DEFAULT_URL ")\n"
	"  --token TOKEN          bearer token, admin or account\n"
	"  --profile NAME         the profile to read from the config file (default \"default\")\n"
	"  --output table|json    a table (default), or the API's JSON answer unchanged\n"
	"  --idempotency-key KEY  sent as Idempotency-Key on POST, PATCH and DELETE:\n"
	"                         a retry with the same key receives the first answer\n"
	"  --url URL, --json      older spellings of --endpoint URL and --output json\n"
	"  --help                 this help; `tally NOUN --help` for one noun\n"
	"  --version              print the version\n";

static const char config_help[] =
	"configuration (the first that is set wins):\n"
	"  endpoint  --endpoint, TALLY_ENDPOINT (or TALLY_URL), the profile, the default\n"
	"  token     --token, TALLY_TOKEN, the profile\n"
	"  profile   --profile, TALLY_PROFILE, \"default\"\n"
	"  profiles live in $XDG_CONFIG_HOME/tally/config (else ~/.config/tally/config),\n"
	"  written by `tally configure`: [profile NAME] sections of endpoint = and token =\n";

static const char exit_help[] =
	"exit status:\n"
	"  0  success\n"
	"  1  the server answered with an error (4xx/5xx) or an unusable answer; also a\n"
	"     failed `ledger check`, a batch with failed transfers, a question answered\n"
	"     no, a gateway payment not paid within --wait, and a usage import with\n"
	"     records the server did not record\n"
	"  2  usage error: unknown command or option, missing or bad argument, bad config,\n"
	"     an unreadable line of a usage import file;\n"
	"     also a change that asks first, run without a terminal and without --yes\n"
	"  3  could not reach the server (connection refused, timeout)\n";

static const char *verb_text(const tl_cli_command *c)
{
	return c->verb ? c->verb : "";
}

static void command_line(const tl_cli_command *c, char *out, size_t cap)
{
	snprintf(out, cap, "tally %s%s%s%s%s", c->noun, c->verb ? " " : "", verb_text(c),
		 c->usage[0] ? " " : "", c->usage);
}

/* Every row whose noun is `noun`, or all rows for NULL: the command, then
 * its summary in a column; a command too wide for the column has its
 * summary on the next line. */
static void print_commands(FILE *f, const char *noun)
{
	enum { COLUMN_MAX = 30 };
	char line[512];
	int width = 0;
	for (int pass = 0; pass < 2; pass++) { /* measure, then print */
		for (size_t k = 0; k < N_COMMANDS; k++) {
			if (noun && strcmp(noun, commands[k].noun) != 0)
				continue;
			command_line(&commands[k], line, sizeof(line));
			int len = (int)strlen(line);
			if (pass == 0 && len > width && len <= COLUMN_MAX)
				width = len;
			if (pass == 1 && len > width)
				fprintf(f, "  %s\n  %-*s  %s\n", line, width, "",
					commands[k].summary);
			else if (pass == 1)
				fprintf(f, "  %-*s  %s\n", width, line, commands[k].summary);
		}
	}
}

static void print_help(FILE *f)
{
	fputs("usage: tally [options] NOUN VERB [args]\n\n"
	      "The command-line client of tallyd, the billing engine.\n\n",
	      f);
	fputs(options_help, f);
	fputs("\n", f);
	fputs(config_help, f);
	fputs("\ncommands:\n", f);
	print_commands(f, NULL);
	fputs("\n", f);
	fputs(exit_help, f);
}

static void print_noun_usage(FILE *f, const char *noun)
{
	fputs("usage:\n", f);
	print_commands(f, noun);
	fputs("global options go before NOUN: see `tally --help`\n", f);
}

static int unknown_noun(const char *noun)
{
	fputs("error: unknown command '", stderr);
	tl_cli_put_clean(stderr, noun);
	fputs("'; commands:", stderr);
	for (size_t k = 0; k < N_COMMANDS; k++) {
		if (k == 0 || strcmp(commands[k].noun, commands[k - 1].noun) != 0)
			fprintf(stderr, " %s", commands[k].noun);
	}
	fputs(" (see `tally --help`)\n", stderr);
	return TL_CLI_EXIT_USAGE;
}

/* The row for argv[0] (noun) and argv[1] (verb); *skip: words it used. */
static const tl_cli_command *find_command(int argc, char **argv, int *skip, bool *noun_known)
{
	*noun_known = false;
	for (size_t k = 0; k < N_COMMANDS; k++) {
		const tl_cli_command *c = &commands[k];
		if (strcmp(c->noun, argv[0]) != 0)
			continue;
		*noun_known = true;
		*skip = c->verb ? 2 : 1;
		if (c->verb == NULL || (argc > 1 && strcmp(c->verb, argv[1]) == 0))
			return c;
	}
	return NULL;
}

static int no_such_verb(int argc, char **argv)
{
	const char *noun = argv[0];
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_noun_usage(stdout, noun);
		return TL_CLI_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "error: unknown verb '");
		tl_cli_put_clean(stderr, argv[1]);
		fprintf(stderr, "' for %s\n", noun);
	} else {
		fprintf(stderr, "error: %s needs a verb\n", noun);
	}
	print_noun_usage(stderr, noun);
	return TL_CLI_EXIT_USAGE;
}

/* Runs row c with the words after its noun and verb. */
static int run(const tl_cli_command *c, const tl_cli_globals *g, int argc, char **argv)
{
	tl_cli_opts o;
	int rc = tl_cli_opts_resolve(g, c->local, &o);
	if (rc != 0)
		return rc; /* about the global options: no noun's usage */
	rc = c->run(&o, argc, argv);
	if (rc == TL_CLI_HELP) {
		print_noun_usage(stdout, c->noun);
		rc = TL_CLI_EXIT_OK;
	} else if (rc == TL_CLI_EXIT_USAGE) {
		print_noun_usage(stderr, c->noun);
	}
	memset(&o, 0, sizeof(o)); /* the token */
	return rc;
}

static int dispatch(const tl_cli_globals *g, int argc, char **argv)
{
	if (argc == 0) {
		fputs("error: missing command\n\n", stderr);
		print_help(stderr);
		return TL_CLI_EXIT_USAGE;
	}
	int skip = 0;
	bool noun_known;
	const tl_cli_command *c = find_command(argc, argv, &skip, &noun_known);
	if (!noun_known)
		return unknown_noun(argv[0]);
	if (c == NULL)
		return no_such_verb(argc, argv);
	return run(c, g, argc - skip, argv + skip);
}

int tl_cli_main(int argc, char **argv)
{
	tl_cli_globals g;
	int next = 0;
	int rc = tl_cli_globals_read(argc, argv, &g, &next);
	if (rc != 0)
		return rc;
	if (g.help || g.version) {
		if (g.help)
			print_help(stdout);
		else
			puts("tally " TL_CLI_VERSION);
		return TL_CLI_EXIT_OK;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("error: could not start libcurl\n", stderr);
		return TL_CLI_EXIT_UNREACHABLE;
	}
	rc = dispatch(&g, argc - next, argv + next);
	curl_global_cleanup();
	if (fflush(stdout) != 0 && rc == TL_CLI_EXIT_OK) {
		fputs("error: could not write the output\n", stderr);
		rc = TL_CLI_EXIT_SERVER;
	}
	return rc;
}
