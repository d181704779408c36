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

/* Usage records in one POST /v1/usage: an hour of per-minute records for a
 * fleet of ~160 resources, or a day of hourly ones for ~400. The whole batch
 * is one write transaction (a resource read and a document insert per
 * record) that holds up every other writer in its group commit: a full
 * batch takes about 0.2 s of the writer's time, which is the most one call
 * should take. 10,000 records are also about 1 MiB of JSON, well under
 * TL_MAX_BODY_BYTES. */
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

/* Expired holds released per sweep transaction: keeps the writer's batch
 * short; the sweep repeats until none is due. */
#define TL_EXPIRY_SWEEP_MAX 500u

/* A subject (account, wallet, resource...) a job failed on is retried after
 * TL_JOB_RETRY_MIN_S, doubling with each failure in a row up to
 * TL_JOB_RETRY_MAX_S. A minute lets a passing cause (a busy store, a
 * restart) clear before the retry, while the ticker's every-second passes
 * skip it instead of writing an audit event each second; an hour bounds how
 * long a repaired subject waits and keeps a subject that keeps failing to
 * 24 attempts (and events) a day. The doubling stops at 2^6 = 64 minutes. */
#define TL_JOB_RETRY_MIN_S 60
#define TL_JOB_RETRY_MAX_S 3600

/* Accounts reconciled per job transaction: each rates up to 512 resources
 * and issues their invoices, so 50 keep a pass to a few hundred ms. */
#define TL_RECONCILE_ACCOUNTS_MAX 50u

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
