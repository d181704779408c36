/* ledger.c: the rules of transfers and holds; see ledger.h for the state
 * machine and the invariants. Every sum is overflow-checked before anything
 * is changed, so a refused transfer leaves both accounts exactly as they
 * were. */
#include "domain/ledger.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const char *const result_names[] = {
	[TL_TR_OK] = "ok",
	[TL_TR_EXISTS] = "exists",
	[TL_TR_EXISTS_WITH_DIFFERENT_FIELDS] = "exists_with_different_fields",
	[TL_TR_ID_INVALID] = "id_invalid",
	[TL_TR_CODE_INVALID] = "code_invalid",
	[TL_TR_AMOUNT_MUST_BE_POSITIVE] = "amount_must_be_positive",
	[TL_TR_ACCOUNTS_MUST_BE_DIFFERENT] = "accounts_must_be_different",
	[TL_TR_DEBIT_ACCOUNT_NOT_FOUND] = "debit_account_not_found",
	[TL_TR_CREDIT_ACCOUNT_NOT_FOUND] = "credit_account_not_found",
	[TL_TR_CURRENCY_MISMATCH] = "currency_mismatch",
	[TL_TR_EXCEEDS_CREDITS] = "exceeds_credits",
	[TL_TR_OVERFLOWS] = "overflows",
	[TL_TR_EXPIRES_AT_NOT_IN_FUTURE] = "expires_at_not_in_future",
	[TL_TR_PENDING_TRANSFER_NOT_FOUND] = "pending_transfer_not_found",
	[TL_TR_PENDING_TRANSFER_NOT_PENDING] = "pending_transfer_not_pending",
	[TL_TR_PENDING_TRANSFER_HAS_DIFFERENT_ACCOUNTS] = "pending_transfer_has_different_accounts",
	[TL_TR_ALREADY_POSTED] = "already_posted",
	[TL_TR_ALREADY_VOIDED] = "already_voided",
	[TL_TR_EXPIRED] = "expired",
	[TL_TR_EXCEEDS_PENDING_AMOUNT] = "exceeds_pending_amount",
	[TL_TR_LINKED_EVENT_FAILED] = "linked_event_failed",
};

const char *tl_transfer_result_name(tl_transfer_result r)
{
	if ((size_t)r < sizeof(result_names) / sizeof(result_names[0]) && result_names[r])
		return result_names[r];
	return "unknown";
}

const char *tl_transfer_kind_name(tl_transfer_kind k)
{
	switch (k) {
	case TL_TRANSFER_SINGLE: return "single";
	case TL_TRANSFER_PENDING: return "pending";
	case TL_TRANSFER_POST: return "post";
	case TL_TRANSFER_VOID: return "void";
	}
	return "unknown";
}

bool tl_transfer_id_valid(const char *id)
{
	size_t len = strlen(id);
	if (len == 0 || len >= TL_TRANSFER_ID_MAX)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.:-", *p)))
			return false;
	return true;
}

bool tl_transfer_code_valid(const char *code)
{
	size_t len = strlen(code);
	if (len == 0 || len >= TL_TRANSFER_CODE_MAX)
		return false;
	for (const char *p = code; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

bool tl_transfer_same_fields(const tl_transfer *s, const tl_transfer *a)
{
	if (s->kind != a->kind || strcmp(s->code, a->code) != 0 ||
	    strcmp(s->reference, a->reference) != 0)
		return false;
	if (a->kind == TL_TRANSFER_POST || a->kind == TL_TRANSFER_VOID) {
		/* accounts of a resolution come from its pending transfer */
		if (strcmp(s->pending_id, a->pending_id) != 0)
			return false;
		if ((a->debit_account[0] && strcmp(s->debit_account, a->debit_account) != 0) ||
		    (a->credit_account[0] && strcmp(s->credit_account, a->credit_account) != 0))
			return false;
		return a->kind == TL_TRANSFER_VOID || a->amount == TL_AMOUNT_WHOLE ||
		       s->amount == a->amount;
	}
	return strcmp(s->debit_account, a->debit_account) == 0 &&
	       strcmp(s->credit_account, a->credit_account) == 0 && s->amount == a->amount &&
	       s->expires_at == a->expires_at;
}

const char *const tl_ledger_system_kinds[] = {
	"revenue", "tax_payable", "gateway_clearing", "promotional", "debt",
};
const size_t tl_ledger_system_kind_count =
	sizeof(tl_ledger_system_kinds) / sizeof(tl_ledger_system_kinds[0]);

void tl_ledger_system_account_id(char out[TL_ID_MAX], const char *kind, const char *currency)
{
	char lower[4] = {0};
	for (size_t i = 0; i < 3 && currency[i]; i++)
		lower[i] = (char)(currency[i] >= 'A' && currency[i] <= 'Z' ? currency[i] + 32
									   : currency[i]);
	snprintf(out, TL_ID_MAX, "sys_%s_%s", kind, lower);
}

void tl_ledger_credit_wallet_id(char out[TL_ID_MAX], const char *account_id)
{
	const char *random = strchr(account_id, '_');
	snprintf(out, TL_ID_MAX, "cw_%s", random ? random + 1 : account_id);
}

int64_t tl_ledger_balance(const tl_ledger_account *a)
{
	return a->posted_credits - a->posted_debits;
}

int64_t tl_ledger_available(const tl_ledger_account *a)
{
	return a->posted_credits - a->posted_debits - a->pending_debits;
}

/* Would debiting `amount` more (posted or pending) overdraw a constrained
 * account? Computed without overflow: all sums are non-negative. */
static bool exceeds_credits(const tl_ledger_account *d, int64_t amount)
{
	if (!(d->flags & TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS))
		return false;
	int64_t debits;
	if (__builtin_add_overflow(d->posted_debits, d->pending_debits, &debits) ||
	    __builtin_add_overflow(debits, amount, &debits))
		return true;
	return debits > d->posted_credits;
}

tl_transfer_result tl_ledger_apply_new(tl_transfer *t, tl_ledger_account *debit,
				       tl_ledger_account *credit, int64_t now)
{
	assert(t->kind == TL_TRANSFER_SINGLE || t->kind == TL_TRANSFER_PENDING);
	if (t->amount <= 0)
		return TL_TR_AMOUNT_MUST_BE_POSITIVE;
	if (strcmp(t->debit_account, t->credit_account) == 0)
		return TL_TR_ACCOUNTS_MUST_BE_DIFFERENT;
	if (debit == NULL)
		return TL_TR_DEBIT_ACCOUNT_NOT_FOUND;
	if (credit == NULL)
		return TL_TR_CREDIT_ACCOUNT_NOT_FOUND;
	if (strcmp(debit->currency, credit->currency) != 0)
		return TL_TR_CURRENCY_MISMATCH;
	bool pending = t->kind == TL_TRANSFER_PENDING;
	if (pending && t->expires_at != 0 && t->expires_at <= now)
		return TL_TR_EXPIRES_AT_NOT_IN_FUTURE;
	if (exceeds_credits(debit, t->amount))
		return TL_TR_EXCEEDS_CREDITS;
	int64_t *dsum = pending ? &debit->pending_debits : &debit->posted_debits;
	int64_t *csum = pending ? &credit->pending_credits : &credit->posted_credits;
	int64_t dnew, cnew;
	if (__builtin_add_overflow(*dsum, t->amount, &dnew) ||
	    __builtin_add_overflow(*csum, t->amount, &cnew))
		return TL_TR_OVERFLOWS;
	*dsum = dnew;
	*csum = cnew;
	snprintf(t->state, sizeof(t->state), "%s", pending ? "pending" : "");
	t->resolved_amount = 0;
	return TL_TR_OK;
}

/* Can p still be resolved? */
static tl_transfer_result check_pending(const tl_transfer *p, int64_t now)
{
	if (p->kind != TL_TRANSFER_PENDING)
		return TL_TR_PENDING_TRANSFER_NOT_PENDING;
	if (strcmp(p->state, "posted") == 0)
		return TL_TR_ALREADY_POSTED;
	if (strcmp(p->state, "voided") == 0)
		return TL_TR_ALREADY_VOIDED;
	if (strcmp(p->state, "expired") == 0 || (p->expires_at != 0 && p->expires_at <= now))
		return TL_TR_EXPIRED;
	return TL_TR_OK;
}

tl_transfer_result tl_ledger_apply_resolution(tl_transfer *t, tl_transfer *p,
					      tl_ledger_account *debit,
					      tl_ledger_account *credit, int64_t now)
{
	assert(t->kind == TL_TRANSFER_POST || t->kind == TL_TRANSFER_VOID);
	if (p == NULL)
		return TL_TR_PENDING_TRANSFER_NOT_FOUND;
	tl_transfer_result r = check_pending(p, now);
	if (r != TL_TR_OK)
		return r;
	if ((t->debit_account[0] && strcmp(t->debit_account, p->debit_account) != 0) ||
	    (t->credit_account[0] && strcmp(t->credit_account, p->credit_account) != 0))
		return TL_TR_PENDING_TRANSFER_HAS_DIFFERENT_ACCOUNTS;
	bool post = t->kind == TL_TRANSFER_POST;
	int64_t amount = post && t->amount != TL_AMOUNT_WHOLE ? t->amount : p->amount;
	if (post && amount <= 0)
		return TL_TR_AMOUNT_MUST_BE_POSITIVE;
	if (amount > p->amount)
		return TL_TR_EXCEEDS_PENDING_AMOUNT;
	assert(debit && credit); /* p's accounts exist: p was applied to them */
	assert(debit->pending_debits >= p->amount && credit->pending_credits >= p->amount);
	int64_t dposted = debit->posted_debits, cposted = credit->posted_credits;
	if (post && (__builtin_add_overflow(dposted, amount, &dposted) ||
		     __builtin_add_overflow(cposted, amount, &cposted)))
		return TL_TR_OVERFLOWS;
	debit->pending_debits -= p->amount;
	credit->pending_credits -= p->amount;
	debit->posted_debits = dposted;
	credit->posted_credits = cposted;
	snprintf(t->debit_account, sizeof(t->debit_account), "%s", p->debit_account);
	snprintf(t->credit_account, sizeof(t->credit_account), "%s", p->credit_account);
	t->amount = amount;
	snprintf(p->state, sizeof(p->state), "%s", post ? "posted" : "voided");
	p->resolved_amount = post ? amount : 0;
	return TL_TR_OK;
}

void tl_ledger_apply_expiry(tl_transfer *p, tl_ledger_account *debit,
			    tl_ledger_account *credit)
{
	assert(strcmp(p->state, "pending") == 0);
	assert(debit->pending_debits >= p->amount && credit->pending_credits >= p->amount);
	debit->pending_debits -= p->amount;
	credit->pending_credits -= p->amount;
	snprintf(p->state, sizeof(p->state), "expired");
	p->resolved_amount = 0;
}

int tl_ledger_check_totals(const tl_ledger_totals *t, char *problem, size_t problem_size)
{
	if (t->posted_debits != t->posted_credits) {
		snprintf(problem, problem_size, "posted debits %lld != posted credits %lld",
			 (long long)t->posted_debits, (long long)t->posted_credits);
		return -1;
	}
	if (t->pending_debits != t->pending_credits) {
		snprintf(problem, problem_size, "pending debits %lld != pending credits %lld",
			 (long long)t->pending_debits, (long long)t->pending_credits);
		return -1;
	}
	if (t->constrained_overdrawn != 0) {
		snprintf(problem, problem_size, "%lld wallet(s) below zero",
			 (long long)t->constrained_overdrawn);
		return -1;
	}
	if (t->accounts_out_of_step != 0) {
		snprintf(problem, problem_size,
			 "%lld account(s) whose sums differ from their transfers",
			 (long long)t->accounts_out_of_step);
		return -1;
	}
	if (problem_size)
		problem[0] = '\0';
	return 0;
}
