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

/* Concurrent connections. Each connection has its own thread (see
 * docs/ARCHITECTURE.md); 1024 threads with 512 KiB stacks stay well inside
 * the 24 GiB machine, and no real client needs more. */
#define TL_MAX_CONNECTIONS 1024u

/* Seconds an idle keep-alive connection may hold its thread. */
#define TL_CONNECTION_TIMEOUT_S 60u

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
 * is one write transaction (a resource read and a document insert per
 * record) that holds up every other writer in its group commit: a full
 * batch takes about 0.2 s of the writer's time, which is the most one call
 * should take. 10,000 records are also about 1 MiB of JSON, well under
 * TL_MAX_BODY_BYTES. */
#define TL_USAGE_BATCH_MAX 10000u

/* Expired holds released per sweep transaction: keeps the writer's batch
 * short; the sweep repeats until none is due. */
#define TL_EXPIRY_SWEEP_MAX 500u

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

/* Names (accounts, resources) in bytes of UTF-8. */
#define TL_NAME_MAX 200u

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

/* Graceful shutdown: how long in-flight requests get to finish. */
#define TL_SHUTDOWN_GRACE_S 10

/* Error messages, including the field names they quote. */
#define TL_ERROR_MESSAGE_MAX 256u

#endif
