/*
 * ledger.h: double-entry bookkeeping rules, pure (no I/O). Every movement of
 * money is a transfer from one ledger account (debited) to another
 * (credited); the service layer loads the accounts, these functions decide
 * and apply, the store persists.
 *
 * Ledger accounts. Each customer account has a credit wallet ("cw_...") and
 * one ledger account per POC wallet ("pw_...", with expires_at); the system
 * has, per currency, revenue, tax payable, gateway clearing, promotional
 * funding and debt ("sys_<kind>_<currency>"). Each keeps four running sums:
 *
 *   balance   = posted_credits - posted_debits      (money the holder has)
 *   held      = pending_debits                      (reserved by holds)
 *   available = balance - held                      (what it may spend)
 *
 * Transfer kinds and the pending-transfer (hold) state machine:
 *
 *   single   posts at once:  D.posted_debits += a,  C.posted_credits += a
 *   pending  reserves:       D.pending_debits += a, C.pending_credits += a
 *                            state: pending
 *   post     resolves P with amount p <= P.amount (default P.amount):
 *            pending sums -= P.amount, posted sums += p;  P: pending -> posted
 *   void     resolves P:     pending sums -= P.amount;    P: pending -> voided
 *   expiry   (by the clock, not a transfer): as void;     P: pending -> expired
 *
 *            +--- post ---> posted
 *   pending -+--- void ---> voided        each resolution happens at most once;
 *            +-- clock ---> expired       a second one fails with the state's code
 *
 * Invariants (checked by tl_ledger_check_totals, asserted by the tests):
 *   1. Over all ledger accounts, sum(posted_debits) = sum(posted_credits) and
 *      sum(pending_debits) = sum(pending_credits): the books balance.
 *   2. An account flagged DEBITS_MUST_NOT_EXCEED_CREDITS never has
 *      posted_debits + pending_debits > posted_credits: a wallet never goes
 *      below zero, counting what is held.
 *   3. Each account's sums equal the sums of its transfers.
 *   4. A transfer id is used once; a retry with the same fields is a no-op.
 */
#ifndef TL_LEDGER_H
#define TL_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/limits.h"

#define TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS 1u

#define TL_TRANSFER_ID_MAX 65   /* 64 characters and the NUL */
#define TL_TRANSFER_CODE_MAX 33 /* 32 characters and the NUL */
#define TL_TRANSFER_REFERENCE_MAX 129

/* A post that names no amount posts the whole pending amount. */
#define TL_AMOUNT_WHOLE INT64_MIN

typedef struct tl_ledger_account {
	char id[TL_ID_MAX];
	char account_id[TL_ID_MAX]; /* the customer; empty for system accounts */
	char kind[24];              /* credit, poc, revenue, tax_payable, ... */
	char currency[4];
	uint32_t flags;
	int64_t expires_at;         /* 0: never */
	char cluster_id[TL_ID_MAX]; /* POC wallets tied to one cluster */
	int64_t posted_debits, posted_credits, pending_debits, pending_credits;
	int64_t created_at;
} tl_ledger_account;

typedef enum {
	TL_TRANSFER_SINGLE,
	TL_TRANSFER_PENDING,
	TL_TRANSFER_POST,
	TL_TRANSFER_VOID,
} tl_transfer_kind;

typedef struct tl_transfer {
	char id[TL_TRANSFER_ID_MAX];
	char debit_account[TL_ID_MAX];
	char credit_account[TL_ID_MAX];
	int64_t amount;             /* for post: TL_AMOUNT_WHOLE posts the whole hold */
	char code[TL_TRANSFER_CODE_MAX];
	char reference[TL_TRANSFER_REFERENCE_MAX];
	tl_transfer_kind kind;
	char pending_id[TL_TRANSFER_ID_MAX]; /* post and void: the pending transfer */
	int64_t expires_at;         /* pending: 0 or when it expires */
	/* pending transfers only: where they stand */
	char state[12];             /* pending, posted, voided, expired; "" otherwise */
	int64_t resolved_amount;    /* amount posted (0 for void/expiry) */
	int64_t created_at;
} tl_transfer;

/* Why a transfer was refused: stable snake_case names, in API answers. */
typedef enum {
	TL_TR_OK = 0,
	TL_TR_EXISTS,               /* same id, same fields: nothing done, success */
	TL_TR_EXISTS_WITH_DIFFERENT_FIELDS,
	TL_TR_ID_INVALID,
	TL_TR_CODE_INVALID,
	TL_TR_AMOUNT_MUST_BE_POSITIVE,
	TL_TR_ACCOUNTS_MUST_BE_DIFFERENT,
	TL_TR_DEBIT_ACCOUNT_NOT_FOUND,
	TL_TR_CREDIT_ACCOUNT_NOT_FOUND,
	TL_TR_CURRENCY_MISMATCH,
	TL_TR_EXCEEDS_CREDITS,
	TL_TR_OVERFLOWS,
	TL_TR_EXPIRES_AT_NOT_IN_FUTURE,
	TL_TR_PENDING_TRANSFER_NOT_FOUND,
	TL_TR_PENDING_TRANSFER_NOT_PENDING,
	TL_TR_PENDING_TRANSFER_HAS_DIFFERENT_ACCOUNTS,
	TL_TR_ALREADY_POSTED,
	TL_TR_ALREADY_VOIDED,
	TL_TR_EXPIRED,
	TL_TR_EXCEEDS_PENDING_AMOUNT,
	TL_TR_LINKED_EVENT_FAILED,
} tl_transfer_result;

const char *tl_transfer_result_name(tl_transfer_result r);
const char *tl_transfer_kind_name(tl_transfer_kind k);

/* Ids chosen by clients: 1-64 of [A-Za-z0-9_.:-]. Codes: 1-32 of [a-z0-9_]. */
bool tl_transfer_id_valid(const char *id);
bool tl_transfer_code_valid(const char *code);

/* For a retry: does the stored transfer have the fields the new one asks
 * for? (An omitted post amount matches whatever was posted.) */
bool tl_transfer_same_fields(const tl_transfer *stored, const tl_transfer *asked);

/* Checks a single or pending transfer against its two accounts and, when it
 * passes, applies it to them (the caller persists both). */
tl_transfer_result tl_ledger_apply_new(tl_transfer *t, tl_ledger_account *debit,
				       tl_ledger_account *credit, int64_t now);

/* Checks a post or void of pending transfer p and applies it to p's
 * accounts and to p itself; fills t's accounts and amount from p. */
tl_transfer_result tl_ledger_apply_resolution(tl_transfer *t, tl_transfer *p,
					      tl_ledger_account *debit,
					      tl_ledger_account *credit, int64_t now);

/* Releases an expired pending transfer p (state must be pending). */
void tl_ledger_apply_expiry(tl_transfer *p, tl_ledger_account *debit,
			    tl_ledger_account *credit);

/* Ledger account ids. System accounts: kind is one of tl_ledger_system_kinds. */
extern const char *const tl_ledger_system_kinds[];
extern const size_t tl_ledger_system_kind_count;
void tl_ledger_system_account_id(char out[TL_ID_MAX], const char *kind, const char *currency);
/* "acc_xyz" has the credit wallet "cw_xyz". */
void tl_ledger_credit_wallet_id(char out[TL_ID_MAX], const char *account_id);

int64_t tl_ledger_balance(const tl_ledger_account *a);
int64_t tl_ledger_available(const tl_ledger_account *a);

/* Totals over the whole ledger, as the store sums them. */
typedef struct tl_ledger_totals {
	int64_t accounts;
	int64_t posted_debits, posted_credits, pending_debits, pending_credits;
	int64_t constrained_overdrawn;    /* accounts breaking invariant 2 */
	int64_t accounts_out_of_step;     /* accounts breaking invariant 3 */
} tl_ledger_totals;

/* 0 when the totals satisfy invariants 1-3; otherwise writes what is wrong
 * into problem (problem_size bytes) and returns -1. */
int tl_ledger_check_totals(const tl_ledger_totals *t, char *problem, size_t problem_size);

#endif
