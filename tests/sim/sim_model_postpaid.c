/* sim_model_postpaid.c: the model of postpaid use (DESIGN.md "Usage cost",
 * "Postpaid", rule 6's monthly reconciliation), written from DESIGN.md, not
 * from tally's code.
 *
 * Interpretations where DESIGN.md leaves a choice (also in docs/TESTING.md):
 *   - the month's use of a resource billed on running time is the whole
 *     minutes from max(its creation, the 1st) to the next 1st; the seconds
 *     of a started minute are not billed (sim_usage_cost);
 *   - tax is round half up of the pre-tax amount x tax_rate_bp / 10^4, on
 *     each invoice;
 *   - an invoice is paid from the credit as far as it goes: paid when all
 *     of it, partial_paid when some, unpaid (all of it debt) when none;
 *     which of several invoices gets the last credit is tallyd's order,
 *     so the model settles it from what tallyd did (ops_postpaid.c),
 *     checking that what was paid in all is min(credit, what is owed);
 *   - a resource suspended (its hold short) is not billed for the time it
 *     is suspended; when tallyd suspends is read from tallyd (the hold's
 *     amount is not modelled), checked against the credit. */
#include "sim_model.h"

#include <time.h>

static int64_t half_up(int64_t x, int64_t num, int64_t den)
{
	__int128 p = (__int128)x * num;
	return (int64_t)((p + den / 2) / den);
}

/* 00:00 UTC on the 1st of t's month, moved by months. */
int64_t sim_pp_month(int64_t t, int months)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int month = tm.tm_year * 12 + tm.tm_mon + months;
	struct tm first = {.tm_year = month / 12, .tm_mon = month % 12, .tm_mday = 1};
	return (int64_t)timegm(&first);
}

static void invoice(sim_model *m, sim_pp_resource *r, int64_t period_end, int64_t pre_tax)
{
	sim_postpaid *pp = &m->pp;
	int64_t total = pre_tax + half_up(pre_tax, m->prices.tax_rate_bp, 10000);
	int64_t paid = 0; /* ops_postpaid.c settles the payment from tallyd */
	pp->invoiced += total;
	if (pre_tax == 0)
		return; /* no use, no invoice */
	if (r->invoice_count < SIM_PP_INVOICES_MAX) /* past it, the check finds one unknown */
		r->invoices[r->invoice_count++] = (sim_pp_invoice){period_end, total, paid};
}

/* r's use in [r->rated_until, end): its running time in whole minutes, or
 * the metered records that start there, priced once as a sum (whole
 * minutes begun of each record x its quantity). */
static void rate(sim_model *m, sim_pp_resource *r, int64_t end)
{
	int64_t pre_tax = 0;
	if (r->metered) {
		int64_t unit_minutes = 0;
		int kept = 0;
		for (int i = 0; i < r->record_count; i++) {
			if (r->records[i].start >= r->rated_until && r->records[i].start < end)
				unit_minutes += r->records[i].unit_minutes;
			else if (r->records[i].start >= end)
				r->records[kept++] = r->records[i];
		}
		r->record_count = kept;
		pre_tax = half_up(unit_minutes, r->unit_price, 43200);
	} else if (end > r->rated_until) {
		if (r->suspended) {
			r->suspended_s += end - r->suspended_since;
			r->suspended_since = end;
		}
		pre_tax = sim_usage_cost(r->unit_price, r->quantity,
					 end - r->rated_until - r->suspended_s);
		r->suspended_s = 0;
	}
	invoice(m, r, end, pre_tax);
	r->rated_until = end;
}

void sim_postpaid_suspend(sim_model *m, sim_pp_resource *r, bool on)
{
	if (on == r->suspended)
		return;
	if (on)
		r->suspended_since = m->now;
	else
		r->suspended_s += m->now - r->suspended_since;
	r->suspended = on;
}

int64_t sim_postpaid_debt(const sim_model *m)
{
	int64_t debt = 0;
	for (int i = 0; i < m->pp.resource_count; i++)
		for (int k = 0; k < m->pp.resources[i].invoice_count; k++)
			debt += m->pp.resources[i].invoices[k].total - m->pp.resources[i].invoices[k].paid;
	return debt;
}

void sim_postpaid_delete(sim_model *m, sim_pp_resource *r)
{
	rate(m, r, m->now);
	r->deleted = true;
}

void sim_postpaid_jobs(sim_model *m)
{
	sim_postpaid *pp = &m->pp;
	int64_t end = sim_pp_month(m->now, 0);
	if (!pp->started || end <= pp->reconciled)
		return;
	pp->reconciled = end;
	for (int i = 0; i < pp->resource_count; i++) {
		sim_pp_resource *r = &pp->resources[i];
		if (!r->deleted && r->rated_until < end)
			rate(m, r, end);
	}
}
