/* sim_model_poc.c: the model of POC wallets and POC resources (rule 9 and
 * DESIGN.md "POC"), written from DESIGN.md, not from tally's code.
 *
 * Interpretations where DESIGN.md leaves a choice (each one a comment below
 * too, and in docs/TESTING.md):
 *   - "at least hourly": a POC resource is charged for each whole hour of
 *     use from its creation (or from its reactivation); the hour a resource
 *     is deleted or suspended in is not charged. Hour k of a run costs the
 *     usage cost up to its end less the usage cost up to its start, both
 *     counted from the resource's creation, so the hours of one run add up
 *     to its cost, whatever rounding.
 *   - POC use carries no tax: no invoice is issued for promotional credit.
 *   - no use is charged after the wallet's expiry: the resources are
 *     suspended at expiry, even when the jobs run late (DESIGN.md "a period
 *     the jobs missed is caught up, oldest first").
 *   - the use charged beyond what is left is free, and the wallet is used up
 *     (its resources suspended) when the charges reach its balance.
 *   - a top-up of a wallet that is not expired brings its suspended POC
 *     resources back (their use counts from then); so does any change that
 *     leaves it with credit. */
#include "sim_model.h"

#include <string.h>

int64_t sim_usage_cost(int64_t unit_price, int64_t quantity, int64_t seconds)
{
	__int128 p = (__int128)(seconds / 60) * unit_price * quantity;
	return (int64_t)((p + 43200 / 2) / 43200);
}

bool sim_poc_wallet_usable(const sim_model *m, const sim_poc_wallet *w)
{
	return w->expires_at > m->now && w->balance > 0;
}

static void set_status(sim_model *m, int wallet, sim_status from, sim_status to)
{
	for (int i = 0; i < m->poc.resource_count; i++) {
		sim_poc_resource *r = &m->poc.resources[i];
		if (r->wallet != wallet || r->converted || r->status == SIM_DELETED || r->status == to)
			continue;
		if (from != SIM_DELETED && r->status != from)
			continue;
		r->status = to;
		if (to == SIM_ACTIVE)
			r->accrued_until = m->now; /* the suspended time is not charged */
	}
}

/* Whole hours of use up to min(now, expiry), charged against the wallet. */
static void accrue(sim_model *m, int wallet)
{
	sim_poc_wallet *w = &m->poc.wallets[wallet];
	int64_t limit = m->now < w->expires_at ? m->now : w->expires_at;
	int64_t due = 0;
	bool any = false;
	for (int i = 0; i < m->poc.resource_count; i++) {
		sim_poc_resource *r = &m->poc.resources[i];
		if (r->wallet != wallet || r->converted || r->is_cluster || r->status != SIM_ACTIVE ||
		    limit - r->accrued_until < 3600)
			continue;
		int64_t until = r->accrued_until + (limit - r->accrued_until) / 3600 * 3600;
		due += sim_usage_cost(r->line.unit_price, r->line.quantity, until - r->created_at) -
		       sim_usage_cost(r->line.unit_price, r->line.quantity,
				      r->accrued_until - r->created_at);
		r->accrued_until = until;
		any = true;
	}
	if (!any)
		return;
	if (due >= w->balance) { /* used up: the rest is free, and its resources stop */
		w->balance = 0;
		set_status(m, wallet, SIM_ACTIVE, SIM_SUSPENDED);
	} else {
		w->balance -= due;
	}
}

void sim_poc_jobs(sim_model *m)
{
	for (int i = 0; i < m->poc.wallet_count; i++) {
		sim_poc_wallet *w = &m->poc.wallets[i];
		accrue(m, i);
		if (m->now >= w->expires_at && w->suspended_for != w->expires_at) {
			w->suspended_for = w->expires_at;
			set_status(m, i, SIM_ACTIVE, SIM_SUSPENDED);
			m->poc.returned += w->balance; /* unused POC credit goes back */
			w->balance = 0;
		}
		if (m->now >= w->expires_at + SIM_POC_RETENTION_S && w->deleted_for != w->expires_at) {
			w->deleted_for = w->expires_at;
			set_status(m, i, SIM_DELETED, SIM_DELETED); /* every live one */
		}
	}
}

bool sim_poc_change(sim_model *m, sim_poc_wallet *w, int64_t expires_at, int64_t add_amount)
{
	if (w->expires_at <= m->now)
		return false;
	if (expires_at > 0)
		w->expires_at = expires_at;
	w->balance += add_amount;
	w->granted += add_amount;
	m->poc.granted += add_amount;
	if (w->balance > 0)
		set_status(m, (int)(w - m->poc.wallets), SIM_SUSPENDED, SIM_ACTIVE);
	return true;
}
