/* sim_model_hold.c: the hold feature's part of the oracle (sim_model.h,
 * "hold feature"). Written from DESIGN.md "Hold settlement" and "Usage
 * cost": use is whole minutes of running time (not while suspended) x
 * monthly price x quantity / 43,200, half up, per resource; tax half up
 * per resource on its use. */
#include "sim_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t tax_of(const sim_model *m, int64_t amount)
{
	__int128 p = (__int128)amount * m->prices.tax_rate_bp;
	return (int64_t)((p + 5000) / 10000);
}

/* 00:00 UTC on the first of t's month. */
static int64_t month_start(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm);
}

int64_t sim_hold_estimate(const sim_model *m, const sim_line *l)
{
	int64_t use = sim_usage_cost(l->unit_price, l->quantity, SIM_HOLD_DAYS * 86400);
	return use + tax_of(m, use);
}

/* Seconds of [from, to) r spent suspended (the one open now ends at to). */
static int64_t suspended_in(const sim_hold_resource *r, int64_t from, int64_t to)
{
	int64_t sum = 0;
	for (int i = 0; i < r->susp_count; i++) {
		int64_t a = r->susp_from[i] > from ? r->susp_from[i] : from;
		int64_t b = r->susp_to[i] && r->susp_to[i] < to ? r->susp_to[i] : to;
		sum += b > a ? b - a : 0;
	}
	return sum;
}

/* r's use in [from, to) with its tax (0 when nothing ran). */
static int64_t use_with_tax(const sim_model *m, const sim_hold_resource *r, int64_t from,
			    int64_t to)
{
	if (to <= from)
		return 0;
	int64_t use = sim_usage_cost(r->line.unit_price, r->line.quantity,
				     to - from - suspended_in(r, from, to));
	return use + tax_of(m, use);
}

/* Releases the account's holds back to its available credit. */
static void release(sim_model *m, int a)
{
	m->accounts[a].credit += m->accounts[a].held;
	m->accounts[a].held = 0;
}

/* Holds `need` (nothing when it is 0); false when credit was short: then
 * all the credit there is is held. */
static bool place(sim_model *m, int a, int64_t need)
{
	sim_account *acc = &m->accounts[a];
	if (need <= 0)
		return true;
	int64_t take = need <= acc->credit ? need : acc->credit;
	acc->credit -= take;
	acc->held += take;
	return take == need;
}

/* The month [from, to) of account a: one invoice per resource on its use,
 * paid from the hold, the rest of the hold released, what it lacked paid
 * from credit (the remainder is debt), then 3 days held again. */
static void reconcile(sim_model *m, int a, int64_t from, int64_t to)
{
	sim_hold *h = &m->hold;
	sim_account *acc = &m->accounts[a];
	int64_t due = 0;
	for (int i = 0; i < h->resource_count; i++) {
		sim_hold_resource *r = &h->resources[i];
		if (r->account != a || r->rated_until >= to || r->status == SIM_DELETED)
			continue; /* a deleted one was invoiced at its deletion */
		int64_t total = use_with_tax(m, r, r->rated_until > from ? r->rated_until : from, to);
		r->rated_until = to;
		if (total > 0) {
			due += total;
			acc->invoiced += total;
			h->invoices++;
		}
	}
	int64_t from_hold = due < acc->held ? due : acc->held;
	acc->held -= from_hold;
	h->hold_payments[a] += from_hold;
	due -= from_hold;
	release(m, a);
	int64_t from_credit = due < acc->credit ? due : acc->credit;
	acc->credit -= from_credit;
	h->debt[a] += due - from_credit;
	int64_t need = 0;
	for (int i = 0; i < h->resource_count; i++)
		if (h->resources[i].account == a && h->resources[i].status == SIM_ACTIVE)
			need += sim_hold_estimate(m, &h->resources[i].line);
	place(m, a, need);
}

static void daily(sim_model *m, int a)
{
	sim_hold *h = &m->hold;
	int64_t start = month_start(m->now), used = 0, estimate = 0;
	for (int i = 0; i < h->resource_count; i++) {
		sim_hold_resource *r = &h->resources[i];
		if (r->account != a || r->status == SIM_DELETED)
			continue;
		used += use_with_tax(m, r, r->rated_until > start ? r->rated_until : start, m->now);
		estimate += sim_hold_estimate(m, &r->line); /* the suspended too: may they run? */
	}
	release(m, a);
	bool covered = place(m, a, used + estimate);
	for (int i = 0; covered && i < h->resource_count; i++) {
		sim_hold_resource *r = &h->resources[i];
		if (r->account != a || r->status != SIM_SUSPENDED)
			continue;
		r->status = SIM_ACTIVE; /* credit arrived: it runs again */
		r->susp_to[r->susp_count - 1] = m->now;
		h->reactivations++;
	}
	if (covered)
		return;
	int64_t today = m->now / 86400;
	h->warned_streak[a] = h->warned_day[a] == today - 1 ? h->warned_streak[a] + 1 : 1;
	h->warned_day[a] = today;
	h->warnings++;
	if (h->warned_streak[a] <= SIM_HOLD_GRACE_DAYS)
		return;
	for (int i = 0; i < h->resource_count; i++) {
		sim_hold_resource *r = &h->resources[i];
		if (r->account != a || r->status != SIM_ACTIVE ||
		    r->susp_count == SIM_HOLD_SUSPENSIONS_MAX)
			continue;
		r->status = SIM_SUSPENDED;
		r->susp_from[r->susp_count] = m->now;
		r->susp_to[r->susp_count++] = 0;
		h->suspensions++;
	}
}

void sim_hold_paid(sim_model *m, int account, int64_t amount)
{
	sim_hold *h = &m->hold;
	m->accounts[account].credit -= amount;
	m->accounts[account].held += amount;
	h->hold_payments[account] += amount;
	if (h->active[account])
		return; /* its daily hold ran at today's jobs; it stands until tomorrow's */
	h->active[account] = true;
	h->hold_day[account] = m->now / 86400; /* the payment's hold is today's */
	h->reconciled_to[account] = month_start(m->now);
}

void sim_hold_delete(sim_model *m, sim_hold_resource *const *rs, int n)
{
	sim_hold *h = &m->hold;
	int a = rs[0]->account;
	sim_account *acc = &m->accounts[a];
	int64_t due = 0;
	for (int i = 0; i < n; i++) { /* a cluster's members: one settlement */
		sim_hold_resource *r = rs[i];
		int64_t total = use_with_tax(m, r, r->rated_until, m->now);
		r->status = SIM_DELETED;
		if (r->susp_count > 0 && r->susp_to[r->susp_count - 1] == 0)
			r->susp_to[r->susp_count - 1] = m->now;
		if (r->rated_until < m->now)
			r->rated_until = m->now;
		if (total > 0) {
			due += total;
			acc->invoiced += total;
			h->invoices++;
		}
	}
	/* DESIGN.md "Hold settlement": "deleting the resource settles its final
	 * usage and releases the rest" -- also when it used nothing (deleted
	 * the moment it was converted): the rest is released now, not at the
	 * next day's hold (seed 14: tallyd left it until its expiry) */
	int64_t from_hold = due < acc->held ? due : acc->held;
	acc->held -= from_hold;
	h->hold_payments[a] += from_hold;
	due -= from_hold;
	release(m, a);
	int64_t from_credit = due < acc->credit ? due : acc->credit;
	acc->credit -= from_credit;
	h->debt[a] += due - from_credit;
	/* the others still there are held for again, as the daily run would
	 * (the suspended ones not: nothing wakes them here) */
	int64_t start = month_start(m->now), need = 0;
	bool live = false;
	for (int i = 0; i < h->resource_count; i++) {
		sim_hold_resource *o = &h->resources[i];
		if (o->account != a || o->status == SIM_DELETED)
			continue;
		live = true;
		need += use_with_tax(m, o, o->rated_until > start ? o->rated_until : start, m->now);
		if (o->status == SIM_ACTIVE)
			need += sim_hold_estimate(m, &o->line);
	}
	if (live)
		place(m, a, need);
}

void sim_hold_jobs(sim_model *m)
{
	sim_hold *h = &m->hold;
	for (int a = 0; a < m->account_count + h->account_count; a++) {
		if (!h->active[a])
			continue;
		int64_t month = month_start(m->now);
		if (month > h->reconciled_to[a]) { /* ticks are a day at most: one month */
			reconcile(m, a, h->reconciled_to[a], month);
			h->reconciled_to[a] = month;
		}
		if (h->hold_day[a] != m->now / 86400) {
			h->hold_day[a] = m->now / 86400;
			daily(m, a);
		}
		/* then the debt collection: usage invoices paid from what is left */
		int64_t pay = h->debt[a] < m->accounts[a].credit ? h->debt[a] : m->accounts[a].credit;
		h->debt[a] -= pay;
		m->accounts[a].credit -= pay;
	}
}
