/* gateway_txn.c: a gateway transaction's record; see gateway_txn.h. */
#include "domain/gateway_txn.h"
#include "common/timefmt.h"

#include <stdbool.h>
#include <string.h>

static bool in(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static int invalid(tl_error *err, const tl_gateway_txn *t, const char *why)
{
	return tl_error_set(err, TL_EINTERNAL, "invalid_gateway_txn",
			    "gateway transaction %s: %s", t->txn_id, why);
}

int tl_gateway_txn_assert_valid(const tl_gateway_txn *t, tl_error *err)
{
	static const char *const purposes[] = {"checkout", "top_up", NULL};
	static const char *const statuses[] = {"started", "applied", "kept_as_credit",
					       "cancelled", "failed", NULL};
	static const char *const results[] = {"paid", "cancelled", "failed", NULL};
	if (t->id[0] == '\0' || t->txn_id[0] == '\0' || t->account_id[0] == '\0' ||
	    t->gateway[0] == '\0')
		return invalid(err, t, "id, txn_id, account_id and gateway are required");
	if (t->amount <= 0 || strlen(t->currency) != 3)
		return invalid(err, t, "the amount must be positive, in a currency");
	if (!in(t->purpose, purposes))
		return invalid(err, t, "unknown purpose");
	if ((strcmp(t->purpose, "top_up") == 0) != (t->checkout_id[0] == '\0'))
		return invalid(err, t, "a top-up has no checkout, a checkout's payment has one");
	if (!in(t->status, statuses))
		return invalid(err, t, "unknown status");
	bool started = strcmp(t->status, "started") == 0;
	if (started && (t->result[0] || t->notified_at))
		return invalid(err, t, "a started transaction has no result yet");
	if (!started && (!in(t->result, results) || t->notified_at <= 0))
		return invalid(err, t, "a finished transaction has a result and its time");
	return 0;
}

static void set_text(json_t *j, const char *name, const char *value)
{
	if (value[0])
		json_object_set_new(j, name, json_string(value));
}

json_t *tl_gateway_txn_to_json(const tl_gateway_txn *t)
{
	char at[TL_TIME_STR_MAX];
	tl_time_format(t->created_at, at);
	json_t *j = json_pack("{s:s, s:s, s:s}", "id", t->id, "gateway", t->gateway, "txn_id",
			      t->txn_id);
	if (j == NULL)
		return NULL;
	if (strcmp(t->purpose, "top_up") == 0)
		json_object_set_new(j, "purpose", json_string(t->purpose));
	json_object_set_new(j, "checkout_id", json_string(t->checkout_id));
	json_object_set_new(j, "account_id", json_string(t->account_id));
	json_object_set_new(j, "amount", json_integer((json_int_t)t->amount));
	json_object_set_new(j, "currency", json_string(t->currency));
	json_object_set_new(j, "status", json_string(t->status));
	json_object_set_new(j, "created_at", json_string(at));
	set_text(j, "result", t->result);
	set_text(j, "top_up_transfer_id", t->top_up_transfer_id);
	if (t->notified_at)
		json_object_set_new(j, "notified_at", json_integer((json_int_t)t->notified_at));
	set_text(j, "gateway_ref", t->gateway_ref);
	set_text(j, "bank_code", t->bank_code);
	set_text(j, "payment_id", t->payment_id);
	if (t->reason[0]) {
		json_object_set_new(j, "reason", json_string(t->reason));
		json_object_set_new(j, "reason_message", json_string(t->reason_message));
	}
	return j;
}
