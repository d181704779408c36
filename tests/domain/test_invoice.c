/* Unit tests: invoices and payments, their invariants and JSON form. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "domain/invoice.h"

/* A usage invoice of 1000 + 100 tax, unpaid. */
static tl_invoice usage(void)
{
	tl_invoice v = {.period_start = 1798761600, .period_end = 1801440000, .subtotal = 1000,
			.tax = 100, .total = 1100, .issued_at = 1801440000, .line_count = 1};
	snprintf(v.id, sizeof(v.id), "inv_u");
	snprintf(v.number, sizeof(v.number), "INV-2027-000001");
	snprintf(v.account_id, sizeof(v.account_id), "acc_a");
	snprintf(v.resource_id, sizeof(v.resource_id), "res_r");
	snprintf(v.resource_name, sizeof(v.resource_name), "db");
	snprintf(v.service, sizeof(v.service), "vcontainer");
	snprintf(v.kind, sizeof(v.kind), "usage");
	snprintf(v.currency, sizeof(v.currency), "VND");
	snprintf(v.status, sizeof(v.status), "unpaid");
	v.lines[0] = (tl_invoice_line){.unit_price = 1000, .quantity = 1, .gross = 1000,
				       .tax_rate_bp = 1000, .tax = 100, .total = 1100};
	snprintf(v.lines[0].item_id, sizeof(v.lines[0].item_id), "c.small");
	snprintf(v.lines[0].description, sizeof(v.lines[0].description), "Small");
	snprintf(v.lines[0].unit, sizeof(v.lines[0].unit), "month");
	return v;
}

Test(invoice_domain, a_well_formed_invoice_is_valid)
{
	tl_invoice v = usage();
	tl_error e = {0};
	cr_assert_eq(tl_invoice_assert_valid(&v, &e), 0, "%s", e.message);
}

/* inv breaks an invariant: tl_invoice_assert_valid says which. */
static void assert_broken(const tl_invoice *v, const char *why)
{
	tl_error e = {0};
	cr_assert_eq(tl_invoice_assert_valid(v, &e), TL_EINTERNAL, "not refused: %s", why);
	cr_assert_str_eq(e.code, "invoice_invalid");
	cr_assert_not_null(strstr(e.message, why), "%s, not %s", e.message, why);
}

Test(invoice_domain, assert_valid_names_each_broken_rule)
{
	tl_invoice v = usage();
	v.tax = -100;
	v.total = 900;
	assert_broken(&v, "negative amount");
	v = usage();
	v.total = 1200;
	assert_broken(&v, "total is not subtotal - discount + tax");
	v = usage();
	v.amount_paid = 1200;
	assert_broken(&v, "paid past its total");
	v = usage();
	v.amount_paid = 500; /* still "unpaid" */
	assert_broken(&v, "status does not match amount_paid");
	v = usage();
	snprintf(v.status, sizeof(v.status), "overdue");
	assert_broken(&v, "unknown status");
	v = usage();
	snprintf(v.kind, sizeof(v.kind), "gift");
	assert_broken(&v, "unknown kind");
	v = usage();
	v.number[0] = '\0';
	assert_broken(&v, "a number");
	v = usage();
	v.lines[0].quantity = -1;
	assert_broken(&v, "a line has a negative amount");
	v = usage();
	snprintf(v.kind, sizeof(v.kind), "credit_note");
	assert_broken(&v, "names the invoice it credits");
}

Test(invoice_domain, payments_move_the_status_with_amount_paid)
{
	tl_invoice v = usage();
	tl_error e = {0};
	cr_assert_eq(tl_invoice_apply_payment(&v, 400, "pay_1", &e), 0);
	cr_assert_str_eq(v.status, "partial_paid");
	cr_assert_eq(v.amount_paid, 400);
	cr_assert_eq(tl_invoice_assert_valid(&v, &e), 0, "%s", e.message);
	cr_assert_eq(tl_invoice_apply_payment(&v, 701, "pay_2", &e), TL_EINVALID,
		     "paid past the total");
	cr_assert_eq(v.amount_paid, 400, "a refused payment changes nothing");
	tl_error_clear(&e);
	cr_assert_eq(tl_invoice_apply_payment(&v, 700, "pay_2", &e), 0);
	cr_assert_str_eq(v.status, "paid");
	cr_assert_str_eq(v.payment_id, "pay_2");
	cr_assert_eq(tl_invoice_assert_valid(&v, &e), 0, "%s", e.message);
}

static void assert_json(json_t *j, const char *want)
{
	char *got = json_dumps(j, JSON_COMPACT);
	cr_assert_str_eq(got, want);
	free(got);
	json_decref(j);
}

Test(invoice_domain, json_is_the_api_shape)
{
	tl_invoice v = usage();
	cr_assert_eq(tl_id_list_add(&v.transfer_ids, "xfr_1"), 0);
	assert_json(tl_invoice_to_json(&v),
		    "{\"id\":\"inv_u\",\"number\":\"INV-2027-000001\",\"account_id\":\"acc_a\","
		    "\"resource_id\":\"res_r\",\"resource_name\":\"db\",\"service\":\"vcontainer\","
		    "\"kind\":\"usage\",\"currency\":\"VND\",\"period\":{\"start\":"
		    "\"2027-01-01T00:00:00Z\",\"end\":\"2027-02-01T00:00:00Z\"},\"lines\":[{"
		    "\"item_id\":\"c.small\",\"description\":\"Small\",\"unit\":\"month\","
		    "\"unit_price\":1000,\"quantity\":1,\"cycle_months\":0,\"gross\":1000,"
		    "\"cycle_discount\":0,\"coupon_code\":null,\"coupon_discount\":0,"
		    "\"tax_rate_bp\":1000,\"tax\":100,\"total\":1100}],\"subtotal\":1000,"
		    "\"discount\":0,\"coupon_code\":null,\"tax\":100,\"total\":1100,"
		    "\"amount_paid\":0,\"status\":\"unpaid\",\"payment_id\":null,"
		    "\"checkout_id\":null,\"transfer_ids\":[\"xfr_1\"],"
		    "\"issued_at\":\"2027-02-01T00:00:00Z\"}");
	/* a credit note names the invoice it credits, before its transfers */
	snprintf(v.kind, sizeof(v.kind), "credit_note");
	snprintf(v.credits, sizeof(v.credits), "inv_p");
	json_t *j = tl_invoice_to_json(&v);
	const char *keys[] = {"checkout_id", "credits", "transfer_ids", "issued_at"};
	void *it = json_object_iter_at(j, "checkout_id");
	for (size_t i = 0; i < 4; i++, it = json_object_iter_next(j, it))
		cr_assert_str_eq(json_object_iter_key(it), keys[i]);
	json_decref(j);
	tl_invoice_release(&v);
}

Test(invoice_domain, a_payment_has_hold_id_for_a_checkout_or_a_hold_only)
{
	tl_payment p = {.amount = 1100, .created_at = 1801440000};
	snprintf(p.id, sizeof(p.id), "pay_1");
	snprintf(p.account_id, sizeof(p.account_id), "acc_a");
	snprintf(p.method, sizeof(p.method), "credit");
	snprintf(p.currency, sizeof(p.currency), "VND");
	snprintf(p.status, sizeof(p.status), "succeeded");
	cr_assert_eq(tl_id_list_add(&p.invoice_ids, "inv_u"), 0);
	tl_error e = {0};
	cr_assert_eq(tl_payment_assert_valid(&p, &e), 0, "%s", e.message);
	assert_json(tl_payment_to_json(&p),
		    "{\"id\":\"pay_1\",\"account_id\":\"acc_a\",\"method\":\"credit\","
		    "\"amount\":1100,\"currency\":\"VND\",\"invoice_ids\":[\"inv_u\"],"
		    "\"checkout_id\":null,\"status\":\"succeeded\","
		    "\"created_at\":\"2027-02-01T00:00:00Z\"}");
	snprintf(p.checkout_id, sizeof(p.checkout_id), "chk_1");
	json_t *j = tl_payment_to_json(&p);
	cr_assert(json_is_null(json_object_get(j, "hold_id")), "a checkout's: hold_id null");
	json_decref(j);
	p.amount = -1;
	cr_assert_eq(tl_payment_assert_valid(&p, &e), TL_EINTERNAL);
	cr_assert_str_eq(e.code, "payment_invalid");
	tl_error_clear(&e);
	p.amount = 1;
	snprintf(p.method, sizeof(p.method), "cash");
	cr_assert_eq(tl_payment_assert_valid(&p, &e), TL_EINTERNAL);
	tl_error_clear(&e);
	tl_payment_release(&p);
}
