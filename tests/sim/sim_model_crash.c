/* sim_model_crash.c: what the crash part of the simulation asks the model;
 * see sim_model.h. Written from DESIGN.md, as the rest of the model. */
#include "sim_model.h"

static bool renewal_window(const sim_model *m, const sim_resource *r)
{
	return r->status == SIM_ACTIVE && r->auto_renew &&
	       m->now >= r->term_end - SIM_RENEW_AHEAD_S && m->now < r->term_end;
}

bool sim_jobs_have_work(const sim_model *m)
{
	for (int i = 0; i < m->checkout_count; i++)
		if (m->checkouts[i].status == SIM_OPEN && m->now >= m->checkouts[i].expires_at)
			return true;
	for (int i = 0; i < m->resource_count; i++) {
		const sim_resource *r = &m->resources[i];
		if (renewal_window(m, r) ||
		    (r->status == SIM_ACTIVE && m->now >= r->term_end) ||
		    (r->status == SIM_SUSPENDED && m->now >= r->term_end + SIM_GRACE_S))
			return true;
	}
	return false;
}
