/* Unit tests: the Stop POC plan at the size of a checkout. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/resource.h"

static void make(tl_resource *r, const char *id, const char *type, const char *mode)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->type, sizeof(r->type), "%s", type);
	snprintf(r->status, sizeof(r->status), "active");
	snprintf(r->billing_mode, sizeof(r->billing_mode), "%s", mode);
}

/* A cluster with `poc` members in POC after 300 that are not (a load
 * balancer is never converted). */
static tl_resource *members_of(size_t poc, size_t *count)
{
	*count = poc + 300;
	tl_resource *m = calloc(*count, sizeof(*m));
	for (size_t i = 0; i < *count; i++) {
		char id[32];
		snprintf(id, sizeof(id), "res_%zu", i);
		if (i < 300)
			make(&m[i], id, "load_balancer", "postpaid");
		else
			make(&m[i], id, "volume", "poc");
	}
	return m;
}

Test(stop_poc_plan, a_cluster_up_to_a_checkout_converts_every_member_in_poc)
{
	tl_resource cluster;
	make(&cluster, "res_c", "cluster", "poc");
	cluster.cluster_poc = true;
	size_t n = 0;
	tl_resource *m = members_of(TL_STOP_POC_MAX, &n);
	tl_stop_poc_plan *plan = calloc(1, sizeof(*plan));
	tl_error e = {0};
	cr_assert_eq(tl_stop_poc_plan_make(&cluster, NULL, m, n, plan, &e), 0, "%s", e.message);
	cr_assert_eq(plan->count, TL_STOP_POC_MAX);
	cr_assert_eq(plan->convert[plan->count - 1], &m[n - 1]); /* the newest too */
	free(plan);
	free(m);
}

Test(stop_poc_plan, a_cluster_past_a_checkout_is_refused_whole)
{
	tl_resource cluster;
	make(&cluster, "res_c", "cluster", "poc");
	cluster.cluster_poc = true;
	size_t n = 0;
	tl_resource *m = members_of(TL_STOP_POC_MAX + 1, &n);
	tl_stop_poc_plan *plan = calloc(1, sizeof(*plan));
	tl_error e = {0};
	cr_assert_eq(tl_stop_poc_plan_make(&cluster, NULL, m, n, plan, &e), TL_ERULE);
	cr_assert_str_eq(e.code, "too_many_resources");
	cr_assert_eq(json_integer_value(json_object_get(e.details, "count")), TL_STOP_POC_MAX + 1);
	cr_assert_eq(plan->count, 0);
	tl_error_clear(&e);
	free(plan);
	free(m);
}
