/* sim_model_gateway.c: the model of gateway payments (sim_model.h, the
 * gateway feature), from DESIGN.md: only the gateway's notification moves
 * money, each transaction at most once, and money received is never
 * refused. */
#include "sim_model.h"

#include <stdio.h>
#include <string.h>

void sim_gateway_notify(sim_model *m, sim_gw_txn *t, const char *result)
{
	if (strcmp(result, "paid") != 0) {
		/* a cancelled or failed payment moves nothing; the checkout stays */
		t->status = strcmp(result, "cancelled") == 0 ? SIM_GW_CANCELLED : SIM_GW_FAILED;
		return;
	}
	sim_checkout *c = &m->checkouts[t->checkout];
	m->accounts[c->account].credit += t->amount; /* the gateway's money is credit first */
	t->reason[0] = '\0';
	if (c->status != SIM_OPEN)
		snprintf(t->reason, sizeof(t->reason), "checkout_%s",
			 sim_checkout_status_name(c->status));
	else if (m->now >= c->expires_at)
		snprintf(t->reason, sizeof(t->reason), "checkout_expired");
	else if (sim_checkout_total(&m->prices, c) != t->amount)
		snprintf(t->reason, sizeof(t->reason), "checkout_changed");
	else if (sim_coupon_refusal(m, c)) /* the coupon ran out since it was applied */
		snprintf(t->reason, sizeof(t->reason), "%s", sim_coupon_refusal(m, c));
	else if (!sim_pay(m, c)) /* cannot happen: the credit now holds the total */
		snprintf(t->reason, sizeof(t->reason), "model_refused");
	t->status = t->reason[0] ? SIM_GW_KEPT : SIM_GW_APPLIED;
}

const char *sim_gw_status_name(sim_gw_status s)
{
	static const char *names[] = {"started", "applied", "kept_as_credit", "cancelled",
				      "failed"};
	return names[s];
}
