/*
 * invoice_pdf.h: an invoice's PDF (cairo + pango), in Vietnamese or English.
 */
#ifndef TL_INVOICE_PDF_H
#define TL_INVOICE_PDF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/limits.h"

/* The seller printed on invoices (tallyd's --seller-* flags). */
typedef struct tl_seller {
	const char *name;
	const char *address;
	const char *tax_code;
} tl_seller;

/* Renders invoice (the API's JSON) into *out (malloc'd, *len bytes; the
 * caller frees); vi: Vietnamese, else English. */
int tl_invoice_pdf(const json_t *invoice, const tl_seller *seller, bool vi,
		   unsigned char **out, size_t *len, tl_error *err);

/* Frees the font caches rendering filled (pango's font map, cairo's and
 * fontconfig's static data), for a clean exit under LeakSanitizer. Call
 * once, when no rendering can run any more. */
void tl_invoice_pdf_release(void);

/* "1.947.000 ₫" (vi) or "1,947,000 VND"; minor digits from the currency. */
void tl_invoice_pdf_money(int64_t amount, const char *currency, bool vi, char *out,
			  size_t size);

#endif
