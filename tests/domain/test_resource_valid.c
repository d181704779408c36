/* Unit tests: what tl_resource_assert_valid refuses before any save. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "domain/resource.h"

/* A valid resource of each billing mode. */
static tl_resource valid(const char *type, const char *mode)
{
	tl_resource r;
	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "res_1");
	snprintf(r.account_id, sizeof(r.account_id), "acc_1");
	snprintf(r.type, sizeof(r.type), "%s", type);
	snprintf(r.status, sizeof(r.status), "active");
	snprintf(r.billing_mode, sizeof(r.billing_mode), "%s", mode);
	r.quantity = 1;
	if (strcmp(mode, "poc") == 0)
		snprintf(r.poc_wallet_id, sizeof(r.poc_wallet_id), "pw_1");
	if (strcmp(mode, "prepaid") == 0) {
		r.cycle_months = 1;
		r.term_start = 1795255200;
		r.term_end = 1795255200 + 30 * 86400;
	}
	return r;
}

/* Refused, with the stable code. */
static void assert_refused(const tl_resource *r, const char *why)
{
	tl_error e = {0};
	cr_assert_eq(tl_resource_assert_valid(r, &e), TL_EINTERNAL, "%s: accepted", why);
	cr_assert_str_eq(e.code, "invalid_resource", "%s", why);
	tl_error_clear(&e);
}

Test(resource_valid, accepts_what_the_services_save)
{
	const char *modes[] = {"poc", "prepaid", "postpaid"};
	for (size_t i = 0; i < 3; i++) {
		tl_resource r = valid("server", modes[i]);
		cr_assert_eq(tl_resource_assert_valid(&r, NULL), 0, "%s", modes[i]);
		snprintf(r.status, sizeof(r.status), "suspended");
		cr_assert_eq(tl_resource_assert_valid(&r, NULL), 0, "%s suspended", modes[i]);
		snprintf(r.status, sizeof(r.status), "deleted");
		cr_assert_eq(tl_resource_assert_valid(&r, NULL), 0, "%s deleted", modes[i]);
	}
	tl_resource c = valid("cluster", "poc");
	c.cluster_poc = true;
	cr_assert_eq(tl_resource_assert_valid(&c, NULL), 0);
	/* a cluster whose POC stopped with nothing to convert: prepaid, no term
	 * of its own (its members' terms are its term) */
	c = valid("cluster", "prepaid");
	c.cycle_months = 0;
	c.term_start = c.term_end = 0;
	cr_assert_eq(tl_resource_assert_valid(&c, NULL), 0);
	tl_resource lb = valid("load_balancer", "postpaid");
	lb.quantity = 20;
	cr_assert_eq(tl_resource_assert_valid(&lb, NULL), 0);
}

Test(resource_valid, refuses_unknown_names)
{
	tl_resource r = valid("server", "postpaid");
	snprintf(r.status, sizeof(r.status), "paused");
	assert_refused(&r, "an unknown status");
	r = valid("server", "postpaid");
	snprintf(r.billing_mode, sizeof(r.billing_mode), "free");
	assert_refused(&r, "an unknown billing mode");
	r = valid("server", "postpaid");
	snprintf(r.type, sizeof(r.type), "router");
	assert_refused(&r, "an unknown type");
	r = valid("server", "postpaid");
	r.account_id[0] = '\0';
	assert_refused(&r, "no account");
	r = valid("server", "postpaid");
	r.id[0] = '\0';
	assert_refused(&r, "no id");
	r = valid("volume", "postpaid");
	r.quantity = 0;
	assert_refused(&r, "a quantity of 0");
}

Test(resource_valid, refuses_poc_where_it_cannot_be)
{
	tl_resource r = valid("load_balancer", "poc");
	assert_refused(&r, "a POC load balancer");
	r = valid("snapshot", "poc");
	assert_refused(&r, "a POC snapshot");
	r = valid("server", "poc");
	r.cluster_poc = true;
	assert_refused(&r, "cluster_poc on a server");
	r = valid("server", "poc");
	r.poc_wallet_id[0] = '\0';
	assert_refused(&r, "POC with no wallet");
	r = valid("server", "postpaid");
	snprintf(r.poc_wallet_id, sizeof(r.poc_wallet_id), "pw_1");
	assert_refused(&r, "a wallet but not POC");
}

Test(resource_valid, refuses_a_term_that_does_not_fit_the_billing)
{
	tl_resource r = valid("server", "prepaid");
	r.cycle_months = 0;
	assert_refused(&r, "prepaid with no cycle");
	r = valid("server", "prepaid");
	r.term_end = r.term_start;
	assert_refused(&r, "a term that ends when it starts");
	r = valid("server", "prepaid");
	r.term_start = 0;
	assert_refused(&r, "a term with no start");
	r = valid("server", "postpaid");
	r.term_end = 1795255200;
	assert_refused(&r, "a postpaid resource with a term");
	r = valid("volume", "poc");
	r.cycle_months = 1;
	assert_refused(&r, "a POC resource with a cycle");
}

Test(resource_valid, refuses_a_deleted_resource_in_an_open_checkout)
{
	tl_resource r = valid("server", "prepaid");
	snprintf(r.open_checkout_id, sizeof(r.open_checkout_id), "chk_1");
	cr_assert_eq(tl_resource_assert_valid(&r, NULL), 0, "a live one may be");
	snprintf(r.status, sizeof(r.status), "deleted");
	assert_refused(&r, "deleted but payable");
}
