/*
 * invoice.h: the document for money charged or given back, and the payment
 * that settles it.
 *
 * An invoice bills one resource for one billable action: a purchase, a
 * conversion, a renewal or a recovery (paid at once from a checkout), a
 * month's use (kind "usage", issued unpaid by the reconciliation and paid
 * from the hold, from credit, or later by debt collection), or a refund
 * (kind "credit_note", for the unused part of a paid term). Numbers are
 * "INV-<year>-<six or more digits>", sequential per year with no gaps:
 * the number is taken from a counter in the same transaction that stores
 * the invoice (service/invoices.h is the one place that does it).
 *
 * Status (usage invoices only move; every other kind is issued paid):
 *
 *     unpaid --pay part--> partial_paid --pay the rest--> paid
 *       \______________________pay all______________________/
 *
 * amount_paid only grows, never past total; status is a function of it:
 * 0 unpaid, 0 < amount_paid < total partial_paid, total paid.
 */
#ifndef TL_INVOICE_H
#define TL_INVOICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/err.h"
#include "domain/checkout.h"
#include "domain/ledger.h"

#define TL_INVOICE_NUMBER_MAX 32

/* "INV-2026-000042" */
void tl_invoice_number(char out[TL_INVOICE_NUMBER_MAX], int year, int64_t sequence);

/* The UTC year of a time, for numbering. */
int tl_invoice_year(int64_t t);

/* A growing list of ids (an invoice's transfers, a payment's invoices). */
typedef struct tl_id_list {
	char (*ids)[TL_TRANSFER_ID_MAX];
	size_t count, cap;
} tl_id_list;
/* 0, or TL_EINTERNAL out of memory. */
int tl_id_list_add(tl_id_list *l, const char *id);
void tl_id_list_release(tl_id_list *l);

/* One billed item (a purchase-like invoice has one; a credit note none). */
typedef struct tl_invoice_line {
	char item_id[TL_CATALOG_ID_MAX];
	char description[TL_CATALOG_NAME_MAX];
	char unit[16];               /* month, gb_month, ... (tl_price_unit_name) */
	int64_t unit_price, quantity;
	int cycle_months;            /* 0 for usage */
	int64_t gross, cycle_discount;
	char coupon_code[TL_COUPON_CODE_MAX]; /* "" when none */
	int64_t coupon_discount, tax_rate_bp, tax, total;
} tl_invoice_line;

/* Invoices have at most one line today (one resource each). */
#define TL_INVOICE_LINES_MAX 1

typedef struct tl_invoice {
	char id[TL_ID_MAX];
	char number[TL_INVOICE_NUMBER_MAX];
	char account_id[TL_ID_MAX];
	char resource_id[TL_ID_MAX];
	char resource_name[TL_NAME_MAX + 1];
	char service[TL_CATALOG_ID_MAX];
	char kind[16];      /* purchase, conversion, renewal, recovery, usage, credit_note */
	char currency[4];
	int64_t period_start, period_end; /* 0: none (null) */
	tl_invoice_line lines[TL_INVOICE_LINES_MAX];
	size_t line_count;
	int64_t subtotal, discount;
	char coupon_code[TL_COUPON_CODE_MAX]; /* "" when none */
	int64_t tax, total, amount_paid;
	char status[16];    /* unpaid, partial_paid, paid */
	char payment_id[TL_ID_MAX];  /* the last payment; "" when none */
	char checkout_id[TL_ID_MAX]; /* "" when none (usage, credit notes) */
	char credits[TL_ID_MAX];     /* credit note: the invoice it refunds */
	tl_id_list transfer_ids;     /* the ledger transfers that paid it (owned) */
	int64_t issued_at;
	/* storage only: when debt collection looks at it next (0: never) */
	int64_t due_at;
	int64_t updated_at;
} tl_invoice;

/* Frees what an invoice owns (its transfer ids). */
void tl_invoice_release(tl_invoice *inv);

/* The invoice for one checkout line, as issued: status "paid" when the
 * checkout pays it (payment_id given), else "unpaid" with nothing paid. */
typedef struct tl_invoice_source {
	const tl_checkout *checkout;
	const tl_checkout_line *line;
	const char *kind;        /* purchase, conversion, renewal, recovery, usage */
	const char *payment_id;  /* NULL or "": not paid yet */
	int64_t period_start, period_end, issued_at;
} tl_invoice_source;
void tl_invoice_from_line(const tl_invoice_source *src, tl_invoice *out);

/* Records `amount` more paid by payment_id: amount_paid grows and the
 * status follows it. TL_EINVALID when it would pay past the total. */
int tl_invoice_apply_payment(tl_invoice *inv, int64_t amount, const char *payment_id,
			     tl_error *err);

/* 0 when the invoice keeps its invariants (amounts >= 0, total = subtotal
 * - discount + tax for billed kinds, 0 <= amount_paid <= total, status
 * matching amount_paid, a known kind, a number, an account); else
 * TL_EINTERNAL "invoice_invalid" naming the broken rule. Called on every
 * save. */
int tl_invoice_assert_valid(const tl_invoice *inv, tl_error *err);

/* The invoice's API JSON (API.md's shape: the answer of GET
 * /v1/invoices/{id}). */
json_t *tl_invoice_to_json(const tl_invoice *inv);

/* A payment: money received for invoices (or a hold placed for a checkout
 * billed on use). Immutable once recorded. */
typedef struct tl_payment {
	char id[TL_ID_MAX];
	char account_id[TL_ID_MAX];
	char method[16];             /* credit, gateway, hold */
	int64_t amount;
	char currency[4];
	tl_id_list invoice_ids;      /* the invoices it paid (owned) */
	char checkout_id[TL_ID_MAX]; /* "" when none (a usage invoice's payment) */
	char status[16];             /* succeeded */
	int64_t created_at;
	char hold_id[TL_TRANSFER_ID_MAX]; /* method hold: the hold it came from */
} tl_payment;

void tl_payment_release(tl_payment *p);

/* 0, or TL_EINTERNAL "payment_invalid" (negative amount, unknown method or
 * status, no account). Called on every save. */
int tl_payment_assert_valid(const tl_payment *p, tl_error *err);

/* The payment's API JSON (GET /v1/payments/{id}). A checkout's payment
 * always has hold_id (null when paid by credit); a usage invoice's has it
 * only when paid from a hold. */
json_t *tl_payment_to_json(const tl_payment *p);

#endif
