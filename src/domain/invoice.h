/*
 * invoice.h: the immutable document for money charged: one per resource per
 * billable action (here: a purchase or a conversion; renewals and monthly
 * usage come later). Numbers are "INV-<year>-<six or more digits>",
 * sequential per year with no gaps: the number is taken from a counter in
 * the same transaction that stores the invoice.
 */
#ifndef TL_INVOICE_H
#define TL_INVOICE_H

#include <jansson.h>
#include <stdint.h>
#include "domain/checkout.h"

#define TL_INVOICE_NUMBER_MAX 32

/* "INV-2026-000042" */
void tl_invoice_number(char out[TL_INVOICE_NUMBER_MAX], int year, int64_t sequence);

/* The UTC year of a time, for numbering. */
int tl_invoice_year(int64_t t);

typedef struct tl_invoice_source {
	const tl_checkout *checkout;
	const tl_checkout_line *line;
	const char *id;
	const char *number;
	const char *kind;        /* purchase, conversion */
	const char *payment_id;
	json_t *transfer_ids;    /* borrowed: the transfers that paid it */
	int64_t period_start, period_end, issued_at;
} tl_invoice_source;

/* The invoice's JSON (API.md's shape), as issued: status "paid". */
json_t *tl_invoice_build(const tl_invoice_source *src);

#endif
