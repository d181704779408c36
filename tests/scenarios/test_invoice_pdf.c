/* Scenario: an invoice as a PDF from tallyd (GET /v1/invoices/{id}.pdf, or
 * Accept: application/pdf), in Vietnamese and English, with the seller
 * from tallyd's flags. The PDF is read back to text with poppler-utils'
 * pdftotext, so what is checked is what a customer's reader shows:
 * the number, the line, the totals formatted per language, the seller,
 * and Vietnamese diacritics intact. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

#define SELLER_NAME "Công ty TNHH Điện toán Đám mây Tally"
#define SELLER_ADDRESS "Tầng 5, 123 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh"
#define SELLER_TAX "0312345678"

static tt_server srv;
static void start(void)
{
	const char *const args[] = {"--seller-name", SELLER_NAME, "--seller-address",
				    SELLER_ADDRESS, "--seller-tax-code", SELLER_TAX, NULL};
	tt_server_start(&srv, args);
}
static void stop(void) { tt_server_stop(&srv); }
TestSuite(invoice_pdf, .init = start, .fini = stop);

typedef struct paid {
	char token[80];
	char invoice[64];
	char number[64];
	char description[128];
} paid;

/* A customer who bought a server for a month (480,000 + 10% VAT). */
static void buy(paid *p)
{
	char account[64];
	tt_create_account(&srv, "Khách hàng Nguyễn Văn A", account);
	tt_create_token(&srv, account, p->token);
	char path[128];
	snprintf(path, sizeof(path), "/v1/accounts/%s/credit", account);
	tt_response r = tt_request(&srv, "POST", path, srv.admin_token, "{\"amount\":1000000}",
				   NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "POST", "/v1/checkouts", p->token,
		       "{\"kind\":\"purchase\",\"items\":[{\"type\":\"server\",\"name\":\"web\","
		       "\"spec\":{\"flavor\":\"s.general.2c4g\"}}],\"cycle_months\":1}", NULL);
	cr_assert_eq(r.status, 201, "%s", r.raw);
	char id[64];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(r.json, "id")));
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/checkouts/%s/pay", id);
	r = tt_request(&srv, "POST", path, p->token, "{\"method\":\"credit\"}", NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	r = tt_request(&srv, "GET", "/v1/invoices", p->token, NULL, NULL);
	json_t *inv = json_array_get(json_object_get(r.json, "data"), 0);
	cr_assert_not_null(inv, "%s", r.raw);
	cr_assert_eq(json_integer_value(json_object_get(inv, "total")), 528000, "%s", r.raw);
	snprintf(p->invoice, sizeof(p->invoice), "%s",
		 json_string_value(json_object_get(inv, "id")));
	snprintf(p->number, sizeof(p->number), "%s",
		 json_string_value(json_object_get(inv, "number")));
	json_t *line = json_array_get(json_object_get(inv, "lines"), 0);
	snprintf(p->description, sizeof(p->description), "%s",
		 json_string_value(json_object_get(line, "description")));
	tt_response_free(&r);
}

/* Downloads path with curl (headers: extra -H arguments) and answers the
 * PDF's text by pdftotext into out. */
static void pdf_text(const paid *p, const char *path, const char *headers, char *out,
		     size_t size)
{
	char file[] = "/tmp/tally-invoice-XXXXXX";
	int fd = mkstemp(file);
	cr_assert(fd >= 0);
	close(fd);
	char cmd[1024], type[256];
	snprintf(cmd, sizeof(cmd),
		 "curl -s -o '%s' -w '%%{http_code} %%{content_type}' -H 'Authorization: Bearer %s' "
		 "%s '%s%s'",
		 file, p->token, headers, srv.url, path);
	cr_assert_eq(tt_run(cmd, type, sizeof(type)), 0, "%s", cmd);
	cr_assert_str_eq(type, "200 application/pdf", "%s", cmd);
	FILE *f = fopen(file, "rb");
	char magic[6] = "";
	cr_assert_eq(fread(magic, 1, 5, f), 5);
	fclose(f);
	cr_assert_str_eq(magic, "%PDF-");
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 -layout '%s' -", file);
	cr_assert_eq(tt_run(cmd, out, size), 0, "pdftotext: %s", out);
	if (getenv("TT_KEEP_PDF"))
		fprintf(stderr, "%s\n%s\n", file, out);
	else
		unlink(file);
}

static void expect_has(const char *text, const char *want)
{
	cr_expect(strstr(text, want) != NULL, "want \"%s\" in:\n%s", want, text);
}

Test(invoice_pdf, vietnamese_by_the_pdf_path)
{
	paid p;
	buy(&p);
	char path[128], text[16384];
	snprintf(path, sizeof(path), "/v1/invoices/%s.pdf?lang=vi", p.invoice);
	pdf_text(&p, path, "", text, sizeof(text));
	expect_has(text, "HÓA ĐƠN");
	expect_has(text, p.number);
	expect_has(text, p.description);
	expect_has(text, "Cộng tiền hàng");
	expect_has(text, "480.000 ₫");
	expect_has(text, "Thuế GTGT");
	expect_has(text, "48.000 ₫");
	expect_has(text, "Tổng cộng");
	expect_has(text, "528.000 ₫");
	expect_has(text, SELLER_NAME);
	expect_has(text, SELLER_ADDRESS);
	expect_has(text, "Mã số thuế: " SELLER_TAX);
}

Test(invoice_pdf, english_by_accept_and_accept_language)
{
	paid p;
	buy(&p);
	char path[128], text[16384];
	snprintf(path, sizeof(path), "/v1/invoices/%s", p.invoice);
	pdf_text(&p, path, "-H 'Accept: application/pdf' -H 'Accept-Language: en-US,en;q=0.8'",
		 text, sizeof(text));
	expect_has(text, "INVOICE");
	expect_has(text, p.number);
	expect_has(text, p.description);
	expect_has(text, "Subtotal");
	expect_has(text, "480,000 VND");
	expect_has(text, "VAT");
	expect_has(text, "48,000 VND");
	expect_has(text, "Total");
	expect_has(text, "528,000 VND");
	expect_has(text, SELLER_NAME); /* the seller's own text stays Vietnamese */
	expect_has(text, "Tax code: " SELLER_TAX);
	cr_expect(strstr(text, "HÓA ĐƠN") == NULL, "%s", text);

	/* the JSON is unchanged without the header, and a bad lang is 400 */
	tt_response r = tt_request(&srv, "GET", path, p.token, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "number")), p.number);
	tt_response_free(&r);
	snprintf(path, sizeof(path), "/v1/invoices/%s.pdf?lang=fr", p.invoice);
	r = tt_request(&srv, "GET", path, p.token, NULL, NULL);
	cr_assert_eq(r.status, 400, "%s", r.raw);
	tt_response_free(&r);
	/* another customer's invoice is not found, as PDF too */
	paid other;
	buy(&other);
	snprintf(path, sizeof(path), "/v1/invoices/%s.pdf", p.invoice);
	r = tt_request(&srv, "GET", path, other.token, NULL, NULL);
	cr_assert_eq(r.status, 404, "%s", r.raw);
	tt_response_free(&r);
}

/* An invoice issued at 20:00 UTC is dated the next day: Vietnam's. */
Test(invoice_pdf, dates_are_vietnams)
{
	tt_response r = tt_request(&srv, "GET", "/v1/admin/clock", srv.admin_token, NULL, NULL);
	struct tm tm = {0};
	cr_assert(sscanf(json_string_value(json_object_get(r.json, "now")), "%d-%d-%dT%d:%d:%d",
			 &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec) == 6, "%s", r.raw);
	tt_response_free(&r);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t now = timegm(&tm);
	long to_20h = ((20 * 3600 - (now % 86400)) + 86400) % 86400;
	char body[64];
	snprintf(body, sizeof(body), "{\"advance_seconds\":%ld}", to_20h);
	r = tt_request(&srv, "POST", "/v1/admin/clock", srv.admin_token, body, NULL);
	cr_assert_eq(r.status, 200, "%s", r.raw);
	tt_response_free(&r);
	time_t next_day = now + to_20h + 86400;
	struct tm day;
	gmtime_r(&next_day, &day);
	char want_vi[32], want_en[32];
	strftime(want_vi, sizeof(want_vi), "Ngày phát hành: %d/%m/%Y", &day);
	strftime(want_en, sizeof(want_en), "Issued: %Y-%m-%d", &day);

	paid p;
	buy(&p);
	char path[128], text[16384];
	snprintf(path, sizeof(path), "/v1/invoices/%s.pdf?lang=vi", p.invoice);
	pdf_text(&p, path, "", text, sizeof(text));
	expect_has(text, want_vi);
	snprintf(path, sizeof(path), "/v1/invoices/%s.pdf?lang=en", p.invoice);
	pdf_text(&p, path, "", text, sizeof(text));
	expect_has(text, want_en);
}
