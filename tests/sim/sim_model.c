/* sim_model.c: the simulation's oracle; see sim_model.h. Written from
 * DESIGN.md, not from tally's code: it must be able to disagree. */
#include "sim_model.h"

#include <string.h>
#include <time.h>

/* x * num / den rounded half up, for x, num >= 0; 128-bit so that no
 * product the simulation makes can overflow the model itself. */
static int64_t mul_div_half_up(int64_t x, int64_t num, int64_t den)
{
	__int128 p = (__int128)x * num;
	return (int64_t)((p + den / 2) / den);
}

static int days_in_month(int year, int month0)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month0 == 1 && leap ? 29 : days[month0];
}

int64_t sim_add_months(int64_t t, int months)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int month = tm.tm_mon + months;
	int year = tm.tm_year + 1900 + month / 12;
	month %= 12;
	if (tm.tm_mday > days_in_month(year, month))
		tm.tm_mday = days_in_month(year, month);
	tm.tm_year = year - 1900;
	tm.tm_mon = month;
	return (int64_t)timegm(&tm);
}

int64_t sim_cycle_discount_bp(const sim_prices *p, int months)
{
	for (int i = 0; i < p->cycle_count; i++)
		if (p->cycles[i].months == months)
			return p->cycles[i].discount_bp;
	return -1;
}

void sim_line_price(const sim_prices *p, const sim_line *l, int months, int64_t *total,
		    int64_t *tax)
{
	int64_t gross = l->unit_price * l->quantity * months;
	int64_t amount = gross - mul_div_half_up(gross, sim_cycle_discount_bp(p, months), 10000);
	*tax = mul_div_half_up(amount, p->tax_rate_bp, 10000);
	*total = amount + *tax;
}

int64_t sim_checkout_total(const sim_prices *p, const sim_checkout *c)
{
	int64_t sum = 0, totals[SIM_LINES_MAX], taxes[SIM_LINES_MAX];
	sim_checkout_lines(p, c, totals, taxes); /* with its coupon */
	for (int i = 0; i < c->line_count; i++)
		sum += totals[i];
	return sum;
}

/* Keeps only the terms not over at now, then adds t. */
static void push_term(sim_resource *r, int64_t now, sim_term t)
{
	int kept = 0;
	for (int i = 0; i < r->term_count; i++)
		if (r->terms[i].end > now)
			r->terms[kept++] = r->terms[i];
	r->term_count = kept;
	if (r->term_count < SIM_TERMS_MAX)
		r->terms[r->term_count++] = t;
}

bool sim_pay(sim_model *m, sim_checkout *c)
{
	sim_account *a = &m->accounts[c->account];
	int64_t total = sim_checkout_total(&m->prices, c);
	if (c->status != SIM_OPEN || m->now >= c->expires_at || a->credit < total ||
	    sim_coupon_refusal(m, c))
		return false;
	sim_coupon_redeem(m, c);
	int64_t totals[SIM_LINES_MAX], taxes[SIM_LINES_MAX];
	sim_checkout_lines(&m->prices, c, totals, taxes);
	a->credit -= total;
	a->invoiced += total;
	c->status = SIM_PAID;
	for (int i = 0; i < c->line_count && m->resource_count < SIM_RESOURCES_MAX; i++) {
		sim_resource *r = &m->resources[m->resource_count++];
		memset(r, 0, sizeof(*r));
		memcpy(r->id, c->resource_ids[i], SIM_ID_MAX);
		r->account = c->account;
		r->line = c->lines[i];
		r->status = SIM_ACTIVE;
		r->cycle_months = c->cycle_months;
		r->auto_renew = c->auto_renew;
		r->term_start = m->now;
		r->term_end = sim_add_months(m->now, c->cycle_months);
		r->tried_term_end = -1;
		sim_term t = {.start = r->term_start, .end = r->term_end, .total = totals[i],
			      .tax = taxes[i]};
		push_term(r, m->now, t);
	}
	return true;
}

void sim_delete(sim_model *m, sim_resource *r)
{
	sim_account *a = &m->accounts[r->account];
	for (int i = 0; i < r->term_count && r->term_end > m->now; i++) {
		const sim_term *t = &r->terms[i];
		if (t->end <= m->now)
			continue;
		int64_t left = t->end - (m->now > t->start ? m->now : t->start);
		left -= left % 60; /* whole minutes */
		int64_t back = mul_div_half_up(t->total - t->tax, left, t->end - t->start) +
			       mul_div_half_up(t->tax, left, t->end - t->start);
		a->credit += back;
		a->invoiced -= back;
	}
	r->term_count = 0;
	r->status = SIM_DELETED;
}

static void renew(sim_model *m, sim_resource *r, int64_t total, int64_t tax)
{
	sim_account *a = &m->accounts[r->account];
	a->credit -= total;
	a->invoiced += total;
	sim_term t = {.start = r->term_end, .end = sim_add_months(r->term_end, r->cycle_months),
		      .total = total, .tax = tax};
	push_term(r, m->now, t);
	r->term_end = t.end;
}

void sim_settle_renewal(sim_model *m, const sim_renewal_try *t)
{
	renew(m, &m->resources[t->resource], t->total, t->tax);
}

/* True when r's renewal is due now and not yet tried today. */
static bool renewal_due(const sim_model *m, sim_resource *r)
{
	int64_t first_try = r->term_end - SIM_RENEW_AHEAD_S;
	if (r->status != SIM_ACTIVE || !r->auto_renew || m->now < first_try ||
	    m->now >= r->term_end)
		return false;
	int64_t day = (m->now - first_try) / 86400;
	if (r->tried_term_end == r->term_end && r->tried_day == day)
		return false;
	r->tried_term_end = r->term_end;
	r->tried_day = day;
	return true;
}

static void end_of_term(const sim_model *m, sim_resource *r)
{
	if (r->status == SIM_DELETED || m->now < r->term_end)
		return;
	if (r->status == SIM_ACTIVE && r->suspended_term_end != r->term_end) {
		r->status = SIM_SUSPENDED;
		r->suspended_term_end = r->term_end;
	}
	if (r->status == SIM_SUSPENDED && m->now >= r->term_end + SIM_GRACE_S)
		r->status = SIM_DELETED;
}

/* The renewals due on one account: all paid when its credit covers them
 * all, none when it covers none of them; otherwise tallyd's order decides,
 * and they go to the caller. */
static int renew_account(sim_model *m, int account, const int *due, int n,
			 sim_renewal_try *contested, int contested_max)
{
	sim_renewal_try tries[SIM_RESOURCES_MAX];
	int64_t sum = 0, smallest = INT64_MAX;
	for (int i = 0; i < n; i++) {
		tries[i].resource = due[i];
		sim_resource *r = &m->resources[due[i]];
		sim_line_price(&m->prices, &r->line, r->cycle_months, &tries[i].total, &tries[i].tax);
		sum += tries[i].total;
		smallest = tries[i].total < smallest ? tries[i].total : smallest;
	}
	int64_t credit = m->accounts[account].credit;
	if (sum <= credit) {
		for (int i = 0; i < n; i++)
			sim_settle_renewal(m, &tries[i]);
		return 0;
	}
	if (smallest > credit)
		return 0; /* every attempt fails; retried tomorrow */
	int k = 0;
	for (int i = 0; i < n && k < contested_max; i++)
		contested[k++] = tries[i];
	return k;
}

int sim_jobs(sim_model *m, sim_renewal_try *contested, int contested_max)
{
	sim_poc_jobs(m);
	sim_postpaid_jobs(m);
	for (int i = 0; i < m->checkout_count; i++)
		if (m->checkouts[i].status == SIM_OPEN && m->now >= m->checkouts[i].expires_at)
			m->checkouts[i].status = SIM_EXPIRED;
	int contested_count = 0;
	for (int a = 0; a < m->account_count; a++) {
		int due[SIM_RESOURCES_MAX], n = 0;
		for (int i = 0; i < m->resource_count; i++)
			if (m->resources[i].account == a && renewal_due(m, &m->resources[i]))
				due[n++] = i;
		contested_count += renew_account(m, a, due, n, contested + contested_count,
						 contested_max - contested_count);
	}
	for (int i = 0; i < m->resource_count; i++)
		end_of_term(m, &m->resources[i]);
	return contested_count;
}

const char *sim_status_name(sim_status s)
{
	static const char *names[] = {"active", "suspended", "deleted"};
	return names[s];
}

const char *sim_checkout_status_name(sim_checkout_status s)
{
	static const char *names[] = {"open", "paid", "cancelled", "expired"};
	return names[s];
}
