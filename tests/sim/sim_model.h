/*
 * sim_model.h: the simulation's oracle. What every account must have paid,
 * what it holds and what state each of its resources is in, computed from
 * the rules of DESIGN.md alone. It shares no code with tally: its own
 * pricing, its own calendar, its own renewal schedule. Where it and tallyd
 * disagree, one of them is wrong, and the simulation says where.
 *
 * What it models so far (docs/TESTING.md "The lifecycle simulation"):
 * prepaid accounts in the catalog's currency; credit top-ups; purchase
 * checkouts of servers and volumes (several lines, any term, auto-renew on
 * or off), changed, cancelled, left to expire, paid by credit; renewals 7
 * days ahead retried daily, suspension at term end, deletion 7 days later;
 * deletion by the customer with the refund of unused whole minutes.
 *
 * Rules, as DESIGN.md states them:
 *   line    = price x quantity x months, less round(that x cycle_bp / 10^4),
 *             plus tax round(rest x tax_bp / 10^4)      (half up)
 *   refund  = round(paid x unused whole minutes / term minutes), for the
 *             pre-tax part and the tax each, for every paid term not over
 *   a term  = calendar months from its start, the day clamped to the month
 */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_ACCOUNTS_MAX 8
#define SIM_RESOURCES_MAX 512
#define SIM_CHECKOUTS_MAX 512
#define SIM_LINES_MAX 3
#define SIM_TERMS_MAX 4   /* paid terms of one resource still refundable */
#define SIM_CYCLES_MAX 8
#define SIM_ID_MAX 48

#define SIM_RENEW_AHEAD_S (7 * 86400)  /* DESIGN.md: 7 days before the term ends */
#define SIM_GRACE_S (7 * 86400)        /* deleted 7 days after suspension */

typedef struct sim_cycle {
	int months;
	int64_t discount_bp;
} sim_cycle;

/* The prices the model knows: read once from GET /v1/catalog (data, not code). */
typedef struct sim_prices {
	int64_t tax_rate_bp;
	sim_cycle cycles[SIM_CYCLES_MAX];
	int cycle_count;
} sim_prices;

typedef struct sim_line {
	int64_t unit_price;
	int64_t quantity;
} sim_line;

typedef struct sim_term {
	int64_t start, end;
	int64_t total, tax;
} sim_term;

typedef enum { SIM_ACTIVE, SIM_SUSPENDED, SIM_DELETED } sim_status;

typedef struct sim_resource {
	char id[SIM_ID_MAX];
	int account;
	sim_line line;
	sim_status status;
	int cycle_months;
	bool auto_renew;
	int64_t term_start, term_end;
	sim_term terms[SIM_TERMS_MAX]; /* oldest first */
	int term_count;
	int64_t tried_term_end, tried_day; /* the last renewal attempt */
	int64_t suspended_term_end;        /* the term its suspension ended */
} sim_resource;

typedef enum { SIM_OPEN, SIM_PAID, SIM_CANCELLED, SIM_EXPIRED } sim_checkout_status;

typedef struct sim_checkout {
	char id[SIM_ID_MAX];
	int account;
	sim_line lines[SIM_LINES_MAX];
	char resource_ids[SIM_LINES_MAX][SIM_ID_MAX];
	int line_count;
	int cycle_months;
	bool auto_renew;
	int64_t expires_at;
	sim_checkout_status status;
	/* coupons feature: the coupon applied (index + 1 into sim_model.coupons,
	 * 0 for none) and its terms, which sim_checkout_total applies */
	int coupon;
	int64_t coupon_percent, coupon_amount_off;
} sim_checkout;

typedef struct sim_account {
	char id[SIM_ID_MAX];
	char token[96];
	int64_t credit;   /* balance of the credit wallet */
	int64_t invoiced; /* invoice totals less credit notes */
	int64_t held;     /* hold feature: credit held (balance = credit + held) */
} sim_account;

/* ---- POC feature (tests/sim/sim_model_poc.c, ops_poc.c) ------------------
 * POC wallets granted by the admin, extended and topped up; POC servers and
 * volumes paid from them hour by hour; a wallet used up or expired suspends
 * what it pays for, and 7 days after expiry that is deleted (rule 9). */
#define SIM_POC_WALLETS_MAX 64
#define SIM_POC_RESOURCES_MAX 256
#define SIM_POC_RETENTION_S (7 * 86400) /* DESIGN.md: deleted 7 days after expiry */

typedef struct sim_poc_wallet {
	char id[SIM_ID_MAX];
	int account;
	int64_t balance, granted, expires_at;
	int64_t suspended_for, deleted_for; /* the expiry whose step was done */
} sim_poc_wallet;

typedef struct sim_poc_resource {
	char id[SIM_ID_MAX];
	int account, wallet;
	sim_line line;
	sim_status status;
	int64_t created_at, accrued_until;
	bool checked_deleted; /* tallyd agreed it is deleted: no need to read it again */
	int cluster;          /* index of its cluster in resources, or -1 */
	bool is_cluster;      /* no fee of its own: its members are what is paid */
	bool cluster_poc;     /* a cluster's POC flag (cleared by its Stop POC) */
	bool converted;       /* Stop POC paid: now a prepaid resource of m->resources */
	char role[16];
} sim_poc_resource;

typedef struct sim_poc {
	sim_poc_wallet wallets[SIM_POC_WALLETS_MAX];
	int wallet_count;
	sim_poc_resource resources[SIM_POC_RESOURCES_MAX];
	int resource_count;
	int64_t granted, returned; /* the promotional account's debits and credits */
} sim_poc;

/* Usage cost of quantity x unit_price a month over seconds, whole minutes
 * of a 30-day month, half up (DESIGN.md "Usage cost"). */
int64_t sim_usage_cost(int64_t unit_price, int64_t quantity, int64_t seconds);

struct sim_model;

/* A wallet a new POC resource of its account may be paid from: unexpired,
 * with credit left. */
bool sim_poc_wallet_usable(const struct sim_model *m, const sim_poc_wallet *w);

/* The POC jobs due at m->now: hourly use charged, wallets used up or
 * expired suspend their resources, retention ends delete them. */
void sim_poc_jobs(struct sim_model *m);

/* An admin change of a wallet (new expiry when expires_at > 0, add_amount
 * added); false when the wallet has expired and nothing changed. */
bool sim_poc_change(struct sim_model *m, sim_poc_wallet *w, int64_t expires_at,
		    int64_t add_amount);

/* ---- end of the POC feature's declarations ---- */
/* ==== gateway feature (ops_gateway.c, sim_model_gateway.c) ================ */

#define SIM_GW_TXNS_MAX 512
#define SIM_GW_TXNS_PER_CHECKOUT 3 /* tallyd allows 32; a few show the rules */

typedef enum {
	SIM_GW_STARTED,
	SIM_GW_APPLIED,   /* paid the checkout */
	SIM_GW_KEPT,      /* paid, kept as credit: the checkout could not take it */
	SIM_GW_CANCELLED,
	SIM_GW_FAILED,
} sim_gw_status;

typedef struct sim_gw_txn {
	char id[64];
	int checkout;     /* index into sim_model.checkouts */
	int64_t amount;   /* the checkout's total when the payment started */
	int64_t started_at;
	sim_gw_status status;
	char reason[32];  /* why it was kept as credit */
} sim_gw_txn;

/* The gateway's first notification of t, with result "paid", "cancelled"
 * or "failed", applied at m->now. DESIGN.md: money received is never
 * refused; a paid notification tops up the credit, then pays the checkout
 * when it is open, not expired and still costs t->amount; otherwise the
 * money stays as credit and t->reason says why (checkout_<status>,
 * checkout_expired, checkout_changed). */
struct sim_model;
void sim_gateway_notify(struct sim_model *m, sim_gw_txn *t, const char *result);

/* The recorded_status tallyd reports for a settled transaction. */
const char *sim_gw_status_name(sim_gw_status s);

/* ==== end of the gateway feature ========================================== */

/* ==== coupons feature (ops_coupons.c, sim_model_coupons.c) ================ */

#define SIM_COUPONS_MAX 8

/* An admin's coupon: percent_off or amount_off of a purchase checkout's
 * subtotal, with its limits (0: none). Redeemed when a checkout is paid. */
typedef struct sim_coupon {
	char code[16];
	int64_t percent_off, amount_off;
	int64_t expires_at;
	int64_t max_redemptions, max_per_account;
	int64_t redemptions;
	int64_t account_redemptions[SIM_ACCOUNTS_MAX];
} sim_coupon;

/* Each line's total and tax of checkout c with its coupon (DESIGN.md: the
 * coupon comes off the subtotal after the cycle discounts, never below
 * zero, spread over the lines in proportion by the largest remainder; tax
 * per line on what remains). */
void sim_checkout_lines(const sim_prices *p, const sim_checkout *c, int64_t totals[],
			int64_t taxes[]);

/* Why c's coupon cannot be used now (coupon_expired, coupon_exhausted), or
 * NULL when it can (or c has none). */
const char *sim_coupon_refusal(const struct sim_model *m, const sim_checkout *c);

/* Counts a redemption of c's coupon (c is being paid). */
void sim_coupon_redeem(struct sim_model *m, const sim_checkout *c);

/* ==== end of the coupons feature ========================================== */

/* ==== postpaid feature (ops_postpaid.c, sim_model_postpaid.c) ============== */

#define SIM_PP_RESOURCES_MAX 32
#define SIM_PP_INVOICES_MAX 160 /* usage invoices of one resource: its months (13 years) */

/* One usage invoice: the month [period_start, period_end) of a resource,
 * its total (tax in) and what was paid of it. */
typedef struct sim_pp_invoice {
	int64_t period_end;
	int64_t total, paid;
} sim_pp_invoice;

/* A postpaid resource created directly: a load balancer (billed on its
 * running time) or a snapshot (billed on metered records). */
#define SIM_PP_RECORDS_MAX 64 /* metered records of one resource not yet invoiced */

typedef struct sim_pp_record {
	int64_t start, end;
	int64_t unit_minutes; /* whole minutes begun x quantity */
} sim_pp_record;

typedef struct sim_pp_resource {
	char id[SIM_ID_MAX];
	int64_t unit_price, quantity;
	int64_t created_at;
	int64_t rated_until; /* the end of its last usage invoice, or its creation */
	bool metered, deleted;
	/* suspended by tallyd's hold (its credit short): since when, and the
	 * seconds suspended since rated_until, which are not billed */
	bool suspended;
	int64_t suspended_since, suspended_s;
	sim_pp_record records[SIM_PP_RECORDS_MAX];
	int record_count;
	sim_pp_invoice invoices[SIM_PP_INVOICES_MAX];
	int invoice_count;
} sim_pp_resource;

/* The postpaid account of the run (an account of its own, not one of
 * sim_model.accounts: its credit carries the daily hold of 3 days of use,
 * which the other features' checks say must be 0). */
typedef struct sim_postpaid {
	bool started;
	char account_id[SIM_ID_MAX], token[96];
	int64_t credit;
	int64_t reconciled; /* the start of the month the last reconciliation ended */
	sim_pp_resource resources[SIM_PP_RESOURCES_MAX];
	int resource_count;
	int64_t invoiced; /* the usage invoices' totals */
} sim_postpaid;

struct sim_model;

/* 00:00 UTC on the 1st of t's month, moved by months. */
int64_t sim_pp_month(int64_t t, int months);

/* The monthly reconciliation due at m->now: each resource's use of the
 * month just ended invoiced. Who pays what is settled from tallyd
 * (ops_postpaid.c): when the credit is short, the order the invoices are
 * paid in is tallyd's, and the rules only say how much in all. */
void sim_postpaid_jobs(struct sim_model *m);

/* r's suspension seen at m->now: starts (on) or ends (off). */
void sim_postpaid_suspend(struct sim_model *m, sim_pp_resource *r, bool on);

/* What the account owes: the usage invoices' totals less what was paid. */
int64_t sim_postpaid_debt(const struct sim_model *m);

/* The customer deletes r at m->now: its use since it was last rated is
 * invoiced at once and paid from the credit. */
void sim_postpaid_delete(struct sim_model *m, sim_pp_resource *r);

/* ==== end of the postpaid feature ========================================== */
/* ==== hold feature (ops_hold.c, sim_model_hold.c) ======================== */

/* vContainer clusters converted by Stop POC paid with method hold: their
 * members are billed on use. DESIGN.md "Hold settlement": the payment
 * holds 3 days of use; each day's first jobs run replaces the account's
 * holds by this month's use so far + 3 days of the live ones; at the
 * month's end each resource's use is invoiced and paid from the hold;
 * credit short of the hold: warned, all of it held, and on the 4th warned
 * day in a row (today and the 3 grace days before) suspended; a day not
 * short wakes the suspended ones. sim_account.credit stays the AVAILABLE
 * credit: the wallet's balance is credit + held. */
#define SIM_HOLD_RESOURCES_MAX 128
#define SIM_HOLD_SUSPENSIONS_MAX 16
#define SIM_HOLD_DAYS 3        /* catalog hold_days */
#define SIM_HOLD_GRACE_DAYS 3  /* warned days before the suspension */

typedef struct sim_hold_resource {
	char id[SIM_ID_MAX];
	int account;
	sim_line line;
	sim_status status;
	int64_t rated_until; /* use before it is invoiced */
	int64_t susp_from[SIM_HOLD_SUSPENSIONS_MAX], susp_to[SIM_HOLD_SUSPENSIONS_MAX];
	int susp_count; /* susp_to 0: still suspended */
	char cluster_id[SIM_ID_MAX];
} sim_hold_resource;

#define SIM_HOLD_ACCOUNTS_MAX 2

typedef struct sim_hold {
	sim_hold_resource resources[SIM_HOLD_RESOURCES_MAX];
	int resource_count;
	/* its own accounts, at m->accounts[m->account_count + i]: usage debt
	 * blocks new purchases there, and the other features do not model it */
	int account_count;
	bool active[SIM_ACCOUNTS_MAX];          /* has had a hold-settled resource */
	int64_t hold_day[SIM_ACCOUNTS_MAX];     /* day number of the last daily hold */
	int64_t reconciled_to[SIM_ACCOUNTS_MAX]; /* months before this are invoiced */
	int64_t warned_day[SIM_ACCOUNTS_MAX], warned_streak[SIM_ACCOUNTS_MAX];
	int64_t debt[SIM_ACCOUNTS_MAX];         /* usage invoices credit could not pay */
	/* payments of method hold: each conversion's hold, and what each hold
	 * paid of usage invoices */
	int64_t hold_payments[SIM_ACCOUNTS_MAX];
	int invoices, warnings, suspensions, reactivations; /* counted for the report */
	int collected_early; /* debt the job ticker collected between clock ticks */
	int deletions;
} sim_hold;

struct sim_model;

/* 3 days of use of one line with its tax (the hold's estimate). */
int64_t sim_hold_estimate(const struct sim_model *m, const sim_line *l);

/* A Stop POC of account's cluster paid by a hold of amount at m->now. */
void sim_hold_paid(struct sim_model *m, int account, int64_t amount);

/* The customer deletes rs[0..n) of one account at m->now (a member, or a
 * cluster's members): their use since they were last invoiced is invoiced
 * and paid from the hold, the rest released, and the account's other
 * resources held for again. */
void sim_hold_delete(struct sim_model *m, sim_hold_resource *const *rs, int n);

/* The daily hold and the month-end reconciliation due at m->now. */
void sim_hold_jobs(struct sim_model *m);

/* ==== end of the hold feature ============================================= */

typedef struct sim_model {
	sim_prices prices;
	int64_t now;
	sim_account accounts[SIM_ACCOUNTS_MAX];
	int account_count;
	sim_resource resources[SIM_RESOURCES_MAX];
	int resource_count;
	sim_checkout checkouts[SIM_CHECKOUTS_MAX];
	int checkout_count;
	/* crashes: every amount the admin topped up, for the bank invariant */
	int64_t topped_up;
	sim_poc poc; /* the POC feature */
	/* gateway feature (sim_model_gateway.c): the payments started */
	sim_gw_txn gw_txns[SIM_GW_TXNS_MAX];
	int gw_txn_count;
	/* coupons feature (sim_model_coupons.c) */
	sim_coupon coupons[SIM_COUPONS_MAX];
	int coupon_count;
	/* postpaid feature (sim_model_postpaid.c) */
	sim_postpaid pp;
	sim_hold hold; /* hold feature (sim_model_hold.c) */
} sim_model;

/* t plus months calendar months, the day clamped to the month's last. */
int64_t sim_add_months(int64_t t, int months);

/* The cycle discount of a term; -1 when the catalog has no such term. */
int64_t sim_cycle_discount_bp(const sim_prices *p, int months);

/* One line's total and tax for a term of months. */
void sim_line_price(const sim_prices *p, const sim_line *l, int months, int64_t *total,
		    int64_t *tax);

/* A checkout's total: the sum of its lines' totals, its coupon applied. */
int64_t sim_checkout_total(const sim_prices *p, const sim_checkout *c);

/* Paying c by credit at m->now: true and the books moved when it is open
 * and the credit covers it; false and nothing changed otherwise. */
bool sim_pay(sim_model *m, sim_checkout *c);

/* r's suspension seen at m->now: starts (on) or ends (off). */
void sim_postpaid_suspend(struct sim_model *m, sim_pp_resource *r, bool on);

/* What the account owes: the usage invoices' totals less what was paid. */
int64_t sim_postpaid_debt(const struct sim_model *m);

/* The customer deletes r at m->now: unused whole minutes of every paid
 * term not over come back as credit. */
void sim_delete(sim_model *m, sim_resource *r);

/* What the jobs due at m->now do: checkouts expire, renewals are tried,
 * terms end. A renewal whose order against another of the same account
 * decides which is paid is left undecided: *contested is set, and the
 * caller settles it with sim_settle_renewal from what tallyd did. */
typedef struct sim_renewal_try {
	int resource;
	int64_t total, tax;
} sim_renewal_try;

int sim_jobs(sim_model *m, sim_renewal_try *contested, int contested_max);

/* Applies a contested renewal tallyd says it made. */
void sim_settle_renewal(sim_model *m, const sim_renewal_try *t);

/* ---- crashes (sim_model_crash.c) ---- */

/* True when the jobs due at m->now have prepaid work to do (a checkout to
 * expire, a renewal to try, a term to end, a suspended resource to delete):
 * the ticks where a kill can cut a job off halfway. No change to m. */
bool sim_jobs_have_work(const sim_model *m);

const char *sim_status_name(sim_status s);
const char *sim_checkout_status_name(sim_checkout_status s);

#endif
