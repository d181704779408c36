/* The gateway transaction's record: what may be saved, and its JSON form
 * (the body of its audit events, unchanged since it was a document). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include "domain/gateway_txn.h"

static tl_gateway_txn started(void)
{
	tl_gateway_txn t = {.amount = 528000, .created_at = 3724963200, .updated_at = 3724963200};
	snprintf(t.id, sizeof(t.id), "gwt_1");
	snprintf(t.gateway, sizeof(t.gateway), "sandbox");
	snprintf(t.txn_id, sizeof(t.txn_id), "gtx_1");
	snprintf(t.purpose, sizeof(t.purpose), "checkout");
	snprintf(t.checkout_id, sizeof(t.checkout_id), "chk_1");
	snprintf(t.account_id, sizeof(t.account_id), "acc_1");
	snprintf(t.currency, sizeof(t.currency), "VND");
	snprintf(t.status, sizeof(t.status), "started");
	return t;
}

static void assert_json(const tl_gateway_txn *t, const char *expected)
{
	json_t *j = tl_gateway_txn_to_json(t);
	char *text = json_dumps(j, JSON_COMPACT);
	cr_assert_str_eq(text, expected);
	free(text);
	json_decref(j);
}

Test(gateway_txn, a_started_payment_is_the_documents_body_it_replaced)
{
	tl_gateway_txn t = started();
	assert_json(&t, "{\"id\":\"gwt_1\",\"gateway\":\"sandbox\",\"txn_id\":\"gtx_1\","
			"\"checkout_id\":\"chk_1\",\"account_id\":\"acc_1\",\"amount\":528000,"
			"\"currency\":\"VND\",\"status\":\"started\","
			"\"created_at\":\"2088-01-15T00:00:00Z\"}");
	cr_assert_eq(tl_gateway_txn_assert_valid(&t, NULL), 0);
}

Test(gateway_txn, a_paid_one_adds_the_notifications_facts_in_order)
{
	tl_gateway_txn t = started();
	snprintf(t.status, sizeof(t.status), "applied");
	snprintf(t.result, sizeof(t.result), "paid");
	snprintf(t.top_up_transfer_id, sizeof(t.top_up_transfer_id), "xfr_1");
	snprintf(t.payment_id, sizeof(t.payment_id), "pay_1");
	snprintf(t.gateway_ref, sizeof(t.gateway_ref), "144");
	snprintf(t.bank_code, sizeof(t.bank_code), "NCB");
	t.notified_at = 3724963200;
	assert_json(&t, "{\"id\":\"gwt_1\",\"gateway\":\"sandbox\",\"txn_id\":\"gtx_1\","
			"\"checkout_id\":\"chk_1\",\"account_id\":\"acc_1\",\"amount\":528000,"
			"\"currency\":\"VND\",\"status\":\"applied\","
			"\"created_at\":\"2088-01-15T00:00:00Z\",\"result\":\"paid\","
			"\"top_up_transfer_id\":\"xfr_1\",\"notified_at\":3724963200,"
			"\"gateway_ref\":\"144\",\"bank_code\":\"NCB\",\"payment_id\":\"pay_1\"}");
	cr_assert_eq(tl_gateway_txn_assert_valid(&t, NULL), 0);
}

Test(gateway_txn, a_top_up_names_its_purpose_and_no_checkout)
{
	tl_gateway_txn t = started();
	snprintf(t.purpose, sizeof(t.purpose), "top_up");
	t.checkout_id[0] = '\0';
	snprintf(t.status, sizeof(t.status), "kept_as_credit");
	snprintf(t.result, sizeof(t.result), "paid");
	snprintf(t.reason, sizeof(t.reason), "checkout_expired");
	t.notified_at = 3724963200;
	assert_json(&t, "{\"id\":\"gwt_1\",\"gateway\":\"sandbox\",\"txn_id\":\"gtx_1\","
			"\"purpose\":\"top_up\",\"checkout_id\":\"\",\"account_id\":\"acc_1\","
			"\"amount\":528000,\"currency\":\"VND\",\"status\":\"kept_as_credit\","
			"\"created_at\":\"2088-01-15T00:00:00Z\",\"result\":\"paid\","
			"\"notified_at\":3724963200,\"reason\":\"checkout_expired\","
			"\"reason_message\":\"\"}");
}

Test(gateway_txn, refuses_what_cannot_be_saved)
{
	tl_gateway_txn t = started();
	t.amount = 0;
	tl_error e = {0};
	cr_assert_eq(tl_gateway_txn_assert_valid(&t, &e), TL_EINTERNAL);
	cr_assert_str_eq(e.code, "invalid_gateway_txn");
	t = started();
	t.checkout_id[0] = '\0';
	cr_assert_lt(tl_gateway_txn_assert_valid(&t, NULL), 0, "a checkout's with no checkout");
	t = started();
	snprintf(t.status, sizeof(t.status), "paid");
	cr_assert_lt(tl_gateway_txn_assert_valid(&t, NULL), 0, "an unknown status");
	t = started();
	snprintf(t.status, sizeof(t.status), "failed");
	cr_assert_lt(tl_gateway_txn_assert_valid(&t, NULL), 0, "finished with no result");
	snprintf(t.result, sizeof(t.result), "failed");
	t.notified_at = 1;
	cr_assert_eq(tl_gateway_txn_assert_valid(&t, NULL), 0);
	t = started();
	snprintf(t.result, sizeof(t.result), "paid");
	cr_assert_lt(tl_gateway_txn_assert_valid(&t, NULL), 0, "started with a result");
}
