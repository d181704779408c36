/*
 * limits.h: every bound tally puts on input, queues and loops, in one place,
 * each with the reason for its value. Nothing in tally is unbounded.
 */
#ifndef TL_LIMITS_H
#define TL_LIMITS_H

/* Largest request body. A full ledger batch (8,190 transfers of ~250 bytes)
 * or a usage import batch (10,000 records of ~150 bytes) is about 2 MiB;
 * 8 MiB leaves room and still caps the memory one client can pin. */
#define TL_MAX_BODY_BYTES (8u * 1024u * 1024u)

/* Nesting of arrays and objects in a request body. The deepest body tally
 * reads has 4 levels ({items: [{spec: {...}}]}). jansson parses (up to its
 * own 2,048 levels) and json_dumps writes back by recursion, and a value of
 * ~2,000 levels stored once overflowed a connection thread's 512 KiB stack
 * when written back, on every later read too. 32 leaves room for new fields
 * and costs a few KiB of stack at most; it is checked on the body's bytes,
 * without recursion, before jansson parses anything. */
#define TL_JSON_DEPTH_MAX 32u

/* Longest string member of a request body. The strings tally reads are
 * ids, codes, times, names (TL_NAME_MAX) and references (128 bytes); 1 KiB
 * refuses a megabyte-long value before it reaches an error message, a log
 * line or a stored document, and is well above any real one. */
#define TL_JSON_STRING_MAX 1024u

/* How an error names a nested field ("items[12].spec.node_flavor"): the
 * path and a client's key, cut at 64 bytes. */
#define TL_FIELD_PATH_MAX 128u

/* Largest body of a route that takes no token (the gateway's notification,
 * the sandbox gateway's form): a few hundred bytes in practice. Anyone can
 * send these, so they may not pin what an authenticated batch may. */
#define TL_MAX_UNAUTH_BODY_BYTES (64u * 1024u)

/* All request bodies being received or handled at once, together. Bodies
 * are buffered whole (the JSON parser needs all of it), so without a global
 * cap TL_MAX_CONNECTIONS uploads could pin 8 GiB. 128 MiB holds 16 bodies
 * of the largest size, or 64 full ledger batches, at once, while the one
 * writer thread handles them one at a time anyway; a body that does not fit
 * is refused at once (503 server_busy, Retry-After) before any of it is
 * read, never left waiting. */
#define TL_BODY_BUDGET_BYTES (128u * 1024u * 1024u)

/* Request target (path and query) in bytes, and query parameters. tally's
 * paths are under 200 bytes and its calls take at most a handful of
 * parameters; anything longer is an attack or a bug, answered 414
 * uri_too_long or 400 too_many_parameters. They must stay well inside
 * TL_CONNECTION_MEMORY_BYTES: libmicrohttpd stores each parameter it parses
 * (~50 bytes) in the connection's memory, and a request that overflows it
 * is closed without an answer. */
#define TL_MAX_URI_BYTES 8192u
#define TL_MAX_QUERY_PARAMS 64u

/* libmicrohttpd's memory per connection: the request line and headers, the
 * parsed parameters and headers, and the response's header block. Its
 * default (32 KiB) already fits the limits above; a header section that
 * does not fit is answered by libmicrohttpd itself with 431 (an HTML body:
 * it has no hook to answer otherwise), a request line with 414. */
#define TL_CONNECTION_MEMORY_BYTES (32u * 1024u)

/* Concurrent connections. Each connection has its own thread (see
 * docs/ARCHITECTURE.md); 1024 threads with 512 KiB stacks stay well inside
 * the 24 GiB machine, and no real client needs more. */
#define TL_MAX_CONNECTIONS 1024u

/* Connections are shed by state, not by address (a proxy or a NAT puts
 * many clients behind one address, and tests all come from loopback): when
 * more than TL_MAX_CONNECTIONS - TL_CONNECTIONS_SPARE are open, each new one
 * closes the connection that has waited longest without a request under
 * way (idle keep-alive, or headers not complete). 64 spare slots keep
 * /healthz and real clients answered while a flood of idle connections is
 * turned over; only connections all in the middle of requests can fill the
 * last ones. */
#define TL_CONNECTIONS_SPARE 64u

/* Seconds an idle keep-alive connection may hold its thread; also
 * libmicrohttpd's inactivity timeout while an answer is being sent. */
#define TL_CONNECTION_TIMEOUT_S 60u

/* Milliseconds from the connection (or its previous answer, after which the
 * idle timeout above applies instead) to the end of a request's headers.
 * libmicrohttpd's own timeout counts only silence, so a client sending a
 * byte every few seconds (slowloris) would hold its thread forever. Real
 * clients send their headers in one packet; 10 s allows for a slow link. */
#define TL_HEADER_TIMEOUT_MS 10000u

/* Milliseconds from the end of the headers to the end of the body: the
 * largest body (8 MiB) at about 1.1 Mbit/s. A body still arriving then is
 * cut off and its share of TL_BODY_BUDGET_BYTES freed. */
#define TL_BODY_TIMEOUT_MS 60000u

/* How often the server looks for connections past their deadline; a
 * connection outlives its deadline by at most this. */
#define TL_REAPER_PERIOD_MS 100u

/* List pages: default and maximum `limit`. 500 rows render in well under a
 * millisecond and keep a page under ~1 MiB. */
#define TL_PAGE_DEFAULT 50
#define TL_PAGE_MAX 500

/* Paging cursors are ids, and transfer ids (chosen by clients) are the
 * longest: 64 characters. */
#define TL_CURSOR_MAX 72u

/* Transfers in one POST /v1/ledger/transfers: TigerBeetle's batch size,
 * which keeps one request's work (and its JSON, ~2 MiB) bounded. */
#define TL_LEDGER_BATCH_MAX 8190u

/* Gateway payments started for one checkout: each is kept (the gateway may
 * still pay it), so a caller pressing pay in a loop must not grow the store
 * without end; a customer retrying in a few tabs needs a handful. */
#define TL_GATEWAY_STARTS_PER_CHECKOUT_MAX 32u
/* Top-ups of credit through the gateway: the same bound on an account's
 * top-ups still waiting for the gateway, for the same reason; and the
 * largest one, under VNPay's per-transaction ceiling (1,000,000,000 VND). */
#define TL_GATEWAY_TOP_UPS_PENDING_MAX 32u
#define TL_GATEWAY_TOP_UP_MAX 500000000ll

/* Lines (resources) in one checkout. A Stop POC converts a whole cluster
 * in one checkout (DESIGN.md rule 7), so this is the most POC members a
 * cluster converts at once: 2,048 nodes with their boot volumes. A line is
 * ~550 bytes in memory (a checkout at the limit is ~2.2 MiB, kept on the
 * heap) and under 1 KiB of JSON; paying issues an invoice per line, all in
 * one transaction. A bigger Stop POC is refused (422 too_many_resources),
 * never cut short. */
#define TL_CHECKOUT_LINES_MAX 4096

/* Usage records in one POST /v1/usage: an hour of per-minute records for a
 * fleet of ~160 resources, or a day of hourly ones for ~400. The whole batch
 * is one write transaction (a row insert per record, a resource read per
 * resource) that holds up every other writer in its group commit: a full
 * batch took about 0.2 s of the writer's time when each record was a
 * document, the most one call should take; it is far less now. 10,000
 * records are also about 1 MiB of JSON, well under TL_MAX_BODY_BYTES. */
#define TL_USAGE_BATCH_MAX 10000u

/* Largest `quantity` of one usage record. Its use (minutes x quantity) is
 * multiplied by a monthly unit price, so an unbounded quantity overflowed
 * the reconciliation's money product (2^63 - 1 was accepted, then failed
 * the account's reconciliation every pass). A record meters one resource: a
 * million units (GB, IPs, thousands of requests) is more than any single
 * resource is sold in, and a month of such records (44,640 minutes x 10^6)
 * is 4.5 x 10^10 unit-minutes, far inside the 9.2 x 10^14 the usage cost
 * (x 10,000 basis points) can carry. */
#define TL_USAGE_QUANTITY_MAX 1000000

/* Longest usage record, end - start, in seconds: 31 days. A record's use
 * is billed whole in the month of its start, so a longer one would bill
 * another month's use in this one; and its minutes were unbounded: a
 * record from now to year 9999 (5 x 10^9 minutes, times a quantity of up
 * to 10^6) is past the 9.2 x 10^14 unit-minutes the usage cost can carry,
 * which would fail the account's month on every pass, as an unbounded
 * quantity once did. Metering is
 * per minute or per hour; a month is the longest honest record. */
#define TL_USAGE_RECORD_MAX_S (31 * 86400)

/* Expired holds released per sweep transaction: keeps the writer's batch
 * short; the sweep repeats until none is due. */
#define TL_EXPIRY_SWEEP_MAX 500u

/* Idempotency records deleted per retention transaction: a short writer
 * batch, like the expiry sweep's; the job repeats until none is older than
 * the window. */
#define TL_RETENTION_SWEEP_MAX 500u

/* How long a stored Idempotency-Key answer is kept (tallyd
 * --idempotency-retention-days): 7 days by default covers any client's
 * retry horizon; a day at least, ten years at most. */
#define TL_IDEMPOTENCY_RETENTION_DAYS_DEFAULT 7
#define TL_IDEMPOTENCY_RETENTION_DAYS_MAX 3650

/* Webhooks (service/webhooks.h, jobs/webhook_worker.c). Delivered outbox
 * events are purged by the retention job after the idempotency window;
 * audit events never. An endpoint URL is at most this long (a URL with a
 * path and a query fits; the column is text). */
#define TL_WEBHOOK_URL_MAX 512u
/* Event types an endpoint subscribes to, each a short dotted word. */
#define TL_WEBHOOK_TYPES_MAX 32u
#define TL_WEBHOOK_TYPE_MAX 48u
#define TL_WEBHOOK_DESCRIPTION_MAX 200u
/* A delivery is retried with exponential backoff (first retry after
 * TL_WEBHOOK_RETRY_MIN_S, doubling, at most TL_WEBHOOK_RETRY_MAX_S apart)
 * for TL_WEBHOOK_RETRY_WINDOW_S after its event, then marked failed: three
 * days cover a receiver down over a weekend. */
#define TL_WEBHOOK_RETRY_MIN_S 30
#define TL_WEBHOOK_RETRY_MAX_S 3600
#define TL_WEBHOOK_RETRY_WINDOW_S (3 * 86400)
/* An endpoint whose every attempt failed for this long is disabled (with a
 * webhook_endpoint.disabled event): nobody is listening there any more. */
#define TL_WEBHOOK_DISABLE_AFTER_S (3 * 86400)
/* One attempt: connect and whole-request timeouts (the default of tallyd
 * --webhook-timeout-ms), and how much of the receiver's answer is read
 * (only its status matters; the rest is kept for the log). */
#define TL_WEBHOOK_CONNECT_TIMEOUT_MS 5000L
#define TL_WEBHOOK_TIMEOUT_MS_DEFAULT 10000
#define TL_WEBHOOK_TIMEOUT_MS_MAX 60000
#define TL_WEBHOOK_RESPONSE_MAX 4096u
/* Deliveries the worker takes per pass: each is one HTTP request made
 * outside any transaction, so a pass stays short. */
#define TL_WEBHOOK_BATCH_MAX 32u
/* The worker looks for due deliveries this often when nothing wakes it. */
#define TL_WEBHOOK_POLL_MS 200u

/* A subject (account, wallet, resource...) a job failed on is retried after
 * TL_JOB_RETRY_MIN_S, doubling with each failure in a row up to
 * TL_JOB_RETRY_MAX_S. A minute lets a passing cause (a busy store, a
 * restart) clear before the retry, while the ticker's every-second passes
 * skip it instead of writing an audit event each second; an hour bounds how
 * long a repaired subject waits and keeps a subject that keeps failing to
 * 24 attempts (and events) a day. The doubling stops at 2^6 = 64 minutes. */
#define TL_JOB_RETRY_MIN_S 60
#define TL_JOB_RETRY_MAX_S 3600

/* Rows a job step or a cascade reads at a time (an account's postpaid
 * resources, a POC wallet's resources, a cluster's members). It pages on
 * until a page comes back short, so this bounds memory, not the work: a
 * page of resources is ~150 KiB. */
#define TL_CASCADE_PAGE 256u

/* Accounts reconciled per job transaction: each rates all its postpaid
 * resources (TL_CASCADE_PAGE at a time) and issues their invoices; 50
 * accounts of ordinary size keep a pass to a few hundred ms. */
#define TL_RECONCILE_ACCOUNTS_MAX 50u

/* A reconciliation pass takes no further account once it has issued this
 * many invoices (about 0.5 ms each, with their payments: ~0.5 s of the
 * writer). An account's month is one transaction, so an account with more
 * resources still finishes in its pass; the next accounts wait for the
 * next pass. */
#define TL_RECONCILE_INVOICES_MAX 1000u

/* Bytes of an invoice's PDF: one invoice has a line per resource and its
 * PDF is ~20 KiB with the embedded font subsets; 4 MiB stops a runaway
 * rendering from growing the heap without bound. */
#define TL_INVOICE_PDF_MAX (4u * 1024u * 1024u)

/* Names (accounts, resources) in bytes of UTF-8. */
#define TL_NAME_MAX 200u

/* Longest term (cycle_months) a request may name: three years, the longest
 * a catalog may price (domain/pricing.c). A term in range that the catalog
 * does not offer is 422 invalid_cycle; one outside it is malformed (400),
 * and is refused before any cast to int could wrap it into a valid term. */
#define TL_CYCLE_MONTHS_MAX 36

/* Idempotency-Key header length: long enough for a UUID or a ULID with a
 * prefix, short enough to index cheaply. */
#define TL_IDEMPOTENCY_KEY_MAX 255u

/* Ids are a short prefix, "_" and 16 base32 characters (80 random bits). */
#define TL_ID_RANDOM_CHARS 16u
#define TL_ID_MAX 32u

/* Group commit: at most this many write requests share one transaction and
 * one fsync. Larger batches amortise the fsync further but delay the first
 * request of the batch; 1024 keeps a batch's work under a few milliseconds. */
#define TL_GROUP_COMMIT_MAX 1024u

/* Write requests waiting for the writer thread. When full, submitters wait:
 * back-pressure instead of unbounded memory. */
#define TL_WRITE_QUEUE_MAX 4096u

/* Page cache per SQLite connection, KiB. SQLite's default (2 MiB) stops
 * holding the transfers' indexes after a few hundred thousand transfers,
 * and every insert then reads index pages back from the OS. 64 MiB for each
 * of the 9 connections is a ceiling, not an allocation. */
#define TL_STORE_CACHE_KIB 65536

/* Read connections to the embedded store (WAL allows concurrent readers). */
#define TL_STORE_READERS 8u

/* Milliseconds a SQLite connection waits on a lock held by another process
 * (for example the sqlite3 shell) before reporting the store busy. */
#define TL_STORE_BUSY_TIMEOUT_MS 5000

/* Online backup (SQLite's backup API): pages copied per step, and the
 * pause between steps. The backup reads one snapshot, so it never blocks
 * the writer (WAL); small steps with pauses keep it from taking the disk
 * and a core from the requests it runs beside. 256 pages (1 MiB at 4 KiB)
 * every 5 ms is about 200 MiB/s at most. The step count is bounded by the
 * database's page count, which SQLite caps. */
#define TL_BACKUP_STEP_PAGES 256
#define TL_BACKUP_PAUSE_MS 5

/* A backup's file name (POST /v1/admin/backup): a plain name inside the
 * backup directory, no path. */
#define TL_BACKUP_NAME_MAX 128u

/* Graceful shutdown: how long in-flight requests get to finish. */
#define TL_SHUTDOWN_GRACE_S 10

/* tallyd's configuration file, bytes: a few dozen `key = value` lines
 * need a few KiB; a larger file is a wrong path (a log, a database), and
 * the bound keeps tallyd from reading one whole into memory. */
#define TL_CONFIG_FILE_MAX (64u * 1024u)

/* Error messages, including the field names they quote. */
#define TL_ERROR_MESSAGE_MAX 256u

#endif
