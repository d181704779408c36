/*
 * invoice_pdf.c: an invoice as a PDF a customer can file, in Vietnamese or
 * English, drawn with cairo and laid out with pango (which shapes
 * Vietnamese's stacked diacritics and embeds the fonts with their Unicode
 * mapping, so the text can be searched and copied).
 *
 * Input is the invoice's JSON as the API answers it (domain/invoice.c) and
 * the seller from tallyd's configuration; nothing here reads the store.
 * Money: "1.947.000 ₫" in Vietnamese, "1,947,000 VND" in English (minor
 * digits from the currency table). Dates: dd/mm/yyyy and yyyy-mm-dd, in GMT+7.
 */
#include "api/invoice_pdf.h"
#include "domain/currency.h"

#include <fontconfig/fontconfig.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_W 595.0 /* A4 in points */
#define PAGE_H 842.0
#define MARGIN 50.0
#define FONT "DejaVu Sans"

typedef struct labels {
	const char *title, *number, *issued, *seller, *address, *tax_code, *customer,
		*resource, *period, *description, *quantity, *unit_price, *amount, *subtotal,
		*discount, *tax, *total, *paid, *status_paid;
} labels;

static const labels VI = {
	"HÓA ĐƠN", "Số hóa đơn", "Ngày phát hành", "Người bán", "Địa chỉ", "Mã số thuế",
	"Khách hàng", "Tài nguyên", "Kỳ", "Mô tả", "Số lượng", "Đơn giá", "Thành tiền",
	"Cộng tiền hàng", "Chiết khấu", "Thuế GTGT", "Tổng cộng", "Đã thanh toán",
	"Đã thanh toán"};
static const labels EN = {
	"INVOICE", "Invoice number", "Issued", "Seller", "Address", "Tax code", "Customer",
	"Resource", "Period", "Description", "Quantity", "Unit price", "Amount", "Subtotal",
	"Discount", "VAT", "Total", "Amount paid", "Paid"};

/* ---- formats -------------------------------------------------------------- */

void tl_invoice_pdf_money(int64_t amount, const char *currency, bool vi, char *out, size_t size)
{
	const tl_currency *cur = tl_currency_find(currency);
	int digits = cur && cur->minor_digits <= 4 ? cur->minor_digits : 0;
	int64_t scale = 1;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	bool negative = amount < 0;
	uint64_t abs = negative ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
	char whole[32], grouped[48];
	snprintf(whole, sizeof(whole), "%llu", (unsigned long long)(abs / (uint64_t)scale));
	size_t len = strlen(whole), n = 0;
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			grouped[n++] = vi ? '.' : ',';
		grouped[n++] = whole[i];
	}
	grouped[n] = '\0';
	char minor[8] = ""; /* the separator and up to 4 digits, written by hand */
	if (digits > 0) {
		uint64_t rest = abs % (uint64_t)scale;
		minor[0] = vi ? ',' : '.';
		for (int i = digits; i >= 1; i--, rest /= 10)
			minor[i] = (char)('0' + rest % 10);
		minor[digits + 1] = '\0';
	}
	const char *symbol = vi && strcmp(currency, "VND") == 0 ? "₫" : currency;
	snprintf(out, size, "%s%s%s %s", negative ? "-" : "", grouped, minor, symbol);
}

/* "2026-12-06T20:00:00Z" as the date in Vietnam (GMT+7, where the seller
 * issues it): 07/12/2026 or 2026-12-07. */
static void format_date(const char *iso, bool vi, char *out, size_t size)
{
	struct tm tm = {0};
	if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
				  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(out, size, "%s", iso ? iso : "");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t local = timegm(&tm) + 7 * 3600;
	gmtime_r(&local, &tm);
	if (strftime(out, size, vi ? "%d/%m/%Y" : "%Y-%m-%d", &tm) == 0 && size > 0)
		out[0] = '\0';
}

static const char *text_of(const json_t *obj, const char *name)
{
	const char *v = json_string_value(json_object_get(obj, name));
	return v ? v : "";
}

static int64_t int_of(const json_t *obj, const char *name)
{
	return (int64_t)json_integer_value(json_object_get(obj, name));
}

/* ---- drawing ---------------------------------------------------------------- */

typedef struct pen {
	cairo_t *cr;
	PangoLayout *layout;
	double y;
} pen;

/* Text at (x, y) in width w (0: no wrapping), aligned; returns its height. */
static double text_at(pen *p, double x, double w, const char *text, double size, bool bold,
		      PangoAlignment align)
{
	char font[64];
	snprintf(font, sizeof(font), FONT "%s %.1f", bold ? " Bold" : "", size);
	PangoFontDescription *desc = pango_font_description_from_string(font);
	pango_layout_set_font_description(p->layout, desc);
	pango_font_description_free(desc);
	pango_layout_set_width(p->layout, w > 0 ? (int)(w * PANGO_SCALE) : -1);
	pango_layout_set_alignment(p->layout, align);
	pango_layout_set_text(p->layout, text, -1);
	cairo_move_to(p->cr, x, p->y);
	pango_cairo_show_layout(p->cr, p->layout);
	int width, height;
	pango_layout_get_size(p->layout, &width, &height);
	return (double)height / PANGO_SCALE;
}

static void line_rule(pen *p)
{
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, MARGIN, p->y);
	cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
	cairo_stroke(p->cr);
}

/* "Label: value" on one row. */
static void field(pen *p, const char *label, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	char row[1024];
	snprintf(row, sizeof(row), "%s: %s", label, value);
	p->y += text_at(p, MARGIN, PAGE_W - 2 * MARGIN, row, 10, false, PANGO_ALIGN_LEFT) + 2;
}

/* Column x positions and widths of the lines' table. */
static const double COL_X[] = {MARGIN, 265, 340, 435};
static const double COL_W[] = {210, 70, 90, 110};

static void table_row(pen *p, const char *const cells[4], bool bold)
{
	double h = 0;
	for (int i = 0; i < 4; i++) {
		double hi = text_at(p, COL_X[i], COL_W[i], cells[i], 9.5, bold,
				    i == 0 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
		if (hi > h)
			h = hi;
	}
	p->y += h + 4;
}

static void total_row(pen *p, const char *label, const char *value, bool bold)
{
	text_at(p, 265, 165, label, 10, bold, PANGO_ALIGN_LEFT);
	p->y += text_at(p, 435, 110, value, 10, bold, PANGO_ALIGN_RIGHT) + 3;
}

static void draw(pen *p, const json_t *inv, const tl_seller *seller, bool vi)
{
	const labels *l = vi ? &VI : &EN;
	const char *cur = text_of(inv, "currency");
	char money[64], date[32], row[512];

	p->y = MARGIN;
	p->y += text_at(p, MARGIN, PAGE_W - 2 * MARGIN, l->title, 20, true, PANGO_ALIGN_LEFT) + 8;
	field(p, l->number, text_of(inv, "number"));
	format_date(text_of(inv, "issued_at"), vi, date, sizeof(date));
	field(p, l->issued, date);
	p->y += 10;

	p->y += text_at(p, MARGIN, 0, l->seller, 11, true, PANGO_ALIGN_LEFT) + 2;
	field(p, vi ? "Tên" : "Name", seller->name);
	field(p, l->address, seller->address);
	field(p, l->tax_code, seller->tax_code);
	p->y += 10;

	p->y += text_at(p, MARGIN, 0, l->customer, 11, true, PANGO_ALIGN_LEFT) + 2;
	field(p, vi ? "Mã khách hàng" : "Account", text_of(inv, "account_id"));
	snprintf(row, sizeof(row), "%s (%s)", text_of(inv, "resource_name"),
		 text_of(inv, "resource_id"));
	if (text_of(inv, "resource_id")[0])
		field(p, l->resource, row);
	json_t *period = json_object_get(inv, "period");
	if (json_is_object(period)) {
		char start[32], end[32];
		format_date(text_of(period, "start"), vi, start, sizeof(start));
		format_date(text_of(period, "end"), vi, end, sizeof(end));
		snprintf(row, sizeof(row), "%s – %s", start, end);
		field(p, l->period, row);
	}
	p->y += 12;

	const char *head[4] = {l->description, l->quantity, l->unit_price, l->amount};
	table_row(p, head, true);
	line_rule(p);
	p->y += 4;
	size_t i;
	json_t *line;
	json_array_foreach(json_object_get(inv, "lines"), i, line) {
		char qty[32], unit[64], amount[64];
		int64_t months = int_of(line, "cycle_months");
		if (months > 0)
			snprintf(qty, sizeof(qty), "%lld × %lld %s", (long long)int_of(line, "quantity"),
				 (long long)months, vi ? "th" : "mo");
		else
			snprintf(qty, sizeof(qty), "%lld", (long long)int_of(line, "quantity"));
		tl_invoice_pdf_money(int_of(line, "unit_price"), cur, vi, unit, sizeof(unit));
		tl_invoice_pdf_money(json_object_get(line, "gross") ? int_of(line, "gross")
								    : int_of(line, "total"),
				     cur, vi, amount, sizeof(amount));
		const char *cells[4] = {text_of(line, "description"), qty, unit, amount};
		table_row(p, cells, false);
		if (p->y > PAGE_H - 200) { /* a long invoice goes on */
			cairo_show_page(p->cr);
			p->y = MARGIN;
		}
	}
	line_rule(p);
	p->y += 8;

	tl_invoice_pdf_money(int_of(inv, "subtotal"), cur, vi, money, sizeof(money));
	total_row(p, l->subtotal, money, false);
	if (int_of(inv, "discount") != 0) {
		tl_invoice_pdf_money(-int_of(inv, "discount"), cur, vi, money, sizeof(money));
		const char *coupon = text_of(inv, "coupon_code");
		snprintf(row, sizeof(row), coupon[0] ? "%s (%s)" : "%s", l->discount, coupon);
		total_row(p, row, money, false);
	}
	tl_invoice_pdf_money(int_of(inv, "tax"), cur, vi, money, sizeof(money));
	total_row(p, l->tax, money, false);
	tl_invoice_pdf_money(int_of(inv, "total"), cur, vi, money, sizeof(money));
	total_row(p, l->total, money, true);
	if (json_object_get(inv, "amount_paid")) {
		tl_invoice_pdf_money(int_of(inv, "amount_paid"), cur, vi, money, sizeof(money));
		total_row(p, l->paid, money, false);
	}
}

void tl_invoice_pdf_release(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

/* ---- the PDF's bytes -------------------------------------------------------- */

typedef struct bytes {
	unsigned char *data;
	size_t len, cap;
	bool failed;
} bytes;

static cairo_status_t write_bytes(void *closure, const unsigned char *data, unsigned int n)
{
	bytes *b = closure;
	if (b->failed || n > TL_INVOICE_PDF_MAX - b->len) {
		b->failed = true;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64 * 1024;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *grown = realloc(b->data, cap);
		if (grown == NULL) {
			b->failed = true;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return CAIRO_STATUS_SUCCESS;
}

int tl_invoice_pdf(const json_t *invoice, const tl_seller *seller, bool vi,
		   unsigned char **out, size_t *len, tl_error *err)
{
	*out = NULL;
	*len = 0;
	bytes b = {0};
	cairo_surface_t *surface =
		cairo_pdf_surface_create_for_stream(write_bytes, &b, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
				       text_of(invoice, "number"));
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "tally");
	cairo_t *cr = cairo_create(surface);
	pen p = {.cr = cr, .layout = pango_cairo_create_layout(cr)};
	cairo_set_source_rgb(cr, 0, 0, 0);
	draw(&p, invoice, seller, vi);
	g_object_unref(p.layout);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	cairo_status_t status = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (status != CAIRO_STATUS_SUCCESS || b.failed) {
		free(b.data);
		return tl_error_set(err, TL_EINTERNAL, NULL, "cannot render the invoice's PDF: %s",
				    cairo_status_to_string(status));
	}
	*out = b.data;
	*len = b.len;
	return 0;
}
