/* h_ledger.c: HTTP handlers for the ledger (admin transfers, inspection and
 * the invariant check) and for wallets, top-ups, POC grants and holds. */
#include "api/api.h"
#include "common/timefmt.h"
#include "service/ledger.h"
#include "service/poc_expiry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON forms ------------------------------------------------------------ */


static json_t *transfer_json(const tl_transfer *t)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "id", t->id, "kind",
			      tl_transfer_kind_name(t->kind), "debit_account", t->debit_account,
			      "credit_account", t->credit_account, "amount", (json_int_t)t->amount,
			      "code", t->code, "reference", t->reference, "created_at",
			      tl_time_to_json(t->created_at));
	if (t->pending_id[0])
		json_object_set_new(j, "pending_id", json_string(t->pending_id));
	if (t->kind == TL_TRANSFER_PENDING) {
		json_object_set_new(j, "expires_at", tl_time_to_json(t->expires_at));
		json_object_set_new(j, "state", json_string(t->state));
		json_object_set_new(j, "resolved_amount", json_integer(t->resolved_amount));
	}
	return j;
}

static json_t *credit_wallet_json(const tl_ledger_account *a)
{
	return json_pack("{s:s, s:I, s:I, s:I}", "id", a->id, "balance",
			 (json_int_t)tl_ledger_balance(a), "held", (json_int_t)a->pending_debits,
			 "available", (json_int_t)tl_ledger_available(a));
}

/* granted (every grant and top-up) and created_at let a client draw the
 * wallet's burn-down toward expires_at. */
static json_t *poc_wallet_json(const tl_ledger_account *a, int64_t now)
{
	return json_pack("{s:s, s:I, s:I, s:o, s:o, s:s?, s:b}", "id", a->id, "balance",
			 (json_int_t)tl_ledger_available(a), "granted",
			 (json_int_t)a->posted_credits, "created_at",
			 tl_time_to_json(a->created_at), "expires_at",
			 tl_time_to_json(a->expires_at), "cluster_id",
			 a->cluster_id[0] ? a->cluster_id : NULL, "expired",
			 a->expires_at != 0 && a->expires_at <= now);
}

static json_t *ledger_account_json(const tl_ledger_account *a)
{
	return json_pack("{s:s, s:s?, s:s, s:s, s:b, s:o, s:s?, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "id", a->id, "account_id", a->account_id[0] ? a->account_id : NULL,
			 "kind", a->kind, "currency", a->currency, "debits_must_not_exceed_credits",
			 (a->flags & TL_LEDGER_DEBITS_MUST_NOT_EXCEED_CREDITS) != 0, "expires_at",
			 tl_time_to_json(a->expires_at), "cluster_id",
			 a->cluster_id[0] ? a->cluster_id : NULL, "posted_debits",
			 (json_int_t)a->posted_debits, "posted_credits",
			 (json_int_t)a->posted_credits, "pending_debits",
			 (json_int_t)a->pending_debits, "pending_credits",
			 (json_int_t)a->pending_credits, "balance",
			 (json_int_t)tl_ledger_balance(a), "available",
			 (json_int_t)tl_ledger_available(a));
}

/* The account a call is about: the token's own, or the admin's ?account_id=. */
static int target_account(const tl_request *req, const char **out, tl_error *err)
{
	if (!req->who.is_admin) {
		*out = req->who.account_id;
		return 0;
	}
	*out = tl_query(req, "account_id");
	if (*out == NULL || (*out)[0] == '\0') {
		tl_error_set(err, TL_EINVALID, "missing_parameter",
			     "the admin must name the account: ?account_id=acc_...");
		tl_error_details(err, json_pack("{s:s}", "parameter", "account_id"));
		return TL_EINVALID;
	}
	return 0;
}

/* ---- POST /v1/ledger/transfers -------------------------------------------- */

static int field_error(tl_error *err, const char *code, size_t index, const char *field,
		       const char *message)
{
	tl_error_set(err, TL_EINVALID, code, "transfers[%zu].%s: %s", index, field, message);
	tl_error_details(err, json_pack("{s:I, s:s}", "index", (json_int_t)index, "field", field));
	return TL_EINVALID;
}

/* Copies an optional string member into out, refusing one that would not
 * fit rather than cutting it. */
static int copy_member(const json_t *obj, const char *name, char *out, size_t size,
		       size_t index, tl_error *err)
{
	const char *v = tl_json_str(obj, name);
	out[0] = '\0';
	if (v == NULL)
		return 0;
	if (strlen(v) >= size)
		return field_error(err, "invalid_field", index, name, "too long");
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int transfer_kind(const json_t *obj, size_t index, tl_transfer *t, tl_error *err)
{
	bool post = json_object_get(obj, "post_pending_id") != NULL;
	bool void_ = json_object_get(obj, "void_pending_id") != NULL;
	bool pending = json_is_true(json_object_get(obj, "pending"));
	if (post + void_ + pending > 1)
		return field_error(err, "invalid_request", index, "pending",
				   "give at most one of pending, post_pending_id, void_pending_id");
	t->kind = post ? TL_TRANSFER_POST : void_ ? TL_TRANSFER_VOID
		  : pending ? TL_TRANSFER_PENDING : TL_TRANSFER_SINGLE;
	if (json_object_get(obj, "expires_at") && !pending)
		return field_error(err, "invalid_request", index, "expires_at",
				   "only a pending transfer expires");
	if (void_ && json_object_get(obj, "amount"))
		return field_error(err, "invalid_request", index, "amount",
				   "a void releases the whole pending amount");
	bool needs_accounts = !post && !void_;
	static const char *const required[] = {"debit_account", "credit_account", "amount"};
	for (size_t i = 0; needs_accounts && i < 3; i++)
		if (json_object_get(obj, required[i]) == NULL)
			return field_error(err, "missing_field", index, required[i], "is required");
	return 0;
}

static int parse_transfer(const json_t *obj, size_t index, tl_transfer *t, tl_error *err)
{
	static const tl_field fields[] = {
		{"id", TL_JSON_STRING, true},           {"debit_account", TL_JSON_STRING, false},
		{"credit_account", TL_JSON_STRING, false}, {"amount", TL_JSON_INTEGER, false},
		{"code", TL_JSON_STRING, true},         {"reference", TL_JSON_STRING, false},
		{"pending", TL_JSON_BOOLEAN, false},    {"expires_at", TL_JSON_STRING, false},
		{"post_pending_id", TL_JSON_STRING, false},
		{"void_pending_id", TL_JSON_STRING, false},
	};
	memset(t, 0, sizeof(*t));
	if (!json_is_object(obj))
		return field_error(err, "invalid_type", index, "", "must be an object");
	tl_error field_err = {0};
	if (tl_json_check(obj, fields, sizeof(fields) / sizeof(fields[0]), &field_err) < 0) {
		const char *field = json_string_value(json_object_get(field_err.details, "field"));
		field_error(err, field_err.code, index, field ? field : "", field_err.message);
		tl_error_clear(&field_err);
		return TL_EINVALID;
	}
	int rc = transfer_kind(obj, index, t, err);
	rc = rc ? rc : copy_member(obj, "id", t->id, sizeof(t->id), index, err);
	rc = rc ? rc : copy_member(obj, "code", t->code, sizeof(t->code), index, err);
	rc = rc ? rc : copy_member(obj, "reference", t->reference, sizeof(t->reference), index, err);
	rc = rc ? rc : copy_member(obj, "debit_account", t->debit_account,
				   sizeof(t->debit_account), index, err);
	rc = rc ? rc : copy_member(obj, "credit_account", t->credit_account,
				   sizeof(t->credit_account), index, err);
	const char *pending_field = t->kind == TL_TRANSFER_POST ? "post_pending_id"
								: "void_pending_id";
	rc = rc ? rc : copy_member(obj, pending_field, t->pending_id, sizeof(t->pending_id),
				   index, err);
	if (rc < 0)
		return rc;
	/* INT64_MIN is TL_AMOUNT_WHOLE, "the whole hold": no client may send it */
	t->amount = TL_AMOUNT_WHOLE;
	tl_error range_err = {0};
	if (tl_json_int_range(obj, "amount", INT64_MIN + 1, INT64_MAX, &t->amount, &range_err) < 0) {
		tl_error_clear(&range_err);
		return field_error(err, "invalid_value", index, "amount",
				   "must be an integer from -2^63+1 to 2^63-1");
	}
	const char *expires = tl_json_str(obj, "expires_at");
	if (expires && tl_time_parse(expires, &t->expires_at) < 0)
		return field_error(err, "invalid_time", index, "expires_at",
				   "must be an RFC 3339 time");
	return 0;
}

typedef struct submit {
	tl_request *req;
	tl_response *res;
	tl_transfer *transfers;
	tl_transfer_result *results;
	size_t count;
	bool linked;
} submit;

static json_t *batch_json(const submit *s)
{
	json_t *results = json_array();
	size_t created = 0, existing = 0;
	for (size_t i = 0; i < s->count; i++) {
		created += s->results[i] == TL_TR_OK;
		existing += s->results[i] == TL_TR_EXISTS;
		if (s->results[i] != TL_TR_OK)
			json_array_append_new(results, json_pack("{s:I, s:s, s:s}", "index",
				(json_int_t)i, "id", s->transfers[i].id, "result",
				tl_transfer_result_name(s->results[i])));
	}
	return json_pack("{s:I, s:I, s:I, s:o}", "created", (json_int_t)created, "existing",
			 (json_int_t)existing, "failed", (json_int_t)(s->count - created - existing),
			 "results", results);
}

static int submit_tx(tl_tx *tx, void *arg, tl_error *err)
{
	submit *s = arg;
	int rc = tl_ledger_submit(tx, &s->req->ctx, s->transfers, s->count, s->linked, s->results,
				  err);
	if (rc == 0)
		tl_respond_json(s->res, 200, batch_json(s));
	return rc;
}

static int parse_batch(tl_request *req, submit *s, tl_error *err)
{
	static const tl_field fields[] = {
		{"transfers", TL_JSON_ARRAY, true},
		{"linked", TL_JSON_BOOLEAN, false},
	};
	json_t *in = NULL;
	int rc = tl_json_input(req, fields, 2, &in, err);
	if (rc < 0)
		return rc;
	json_t *list = json_object_get(in, "transfers");
	s->count = json_array_size(list);
	s->linked = json_is_true(json_object_get(in, "linked"));
	if (s->count == 0 || s->count > TL_LEDGER_BATCH_MAX) {
		json_decref(in);
		return tl_error_set(err, TL_EINVALID, "invalid_batch",
				    "transfers must hold 1 to %u transfers", TL_LEDGER_BATCH_MAX);
	}
	s->transfers = calloc(s->count, sizeof(*s->transfers));
	s->results = calloc(s->count, sizeof(*s->results));
	if (s->transfers == NULL || s->results == NULL)
		rc = tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	for (size_t i = 0; rc == 0 && i < s->count; i++)
		rc = parse_transfer(json_array_get(list, i), i, &s->transfers[i], err);
	json_decref(in);
	return rc;
}

int tl_h_transfers_create(tl_request *req, tl_response *res, tl_error *err)
{
	submit s = {.req = req, .res = res};
	int rc = parse_batch(req, &s, err);
	if (rc == 0)
		rc = tl_api_write(req, res, submit_tx, &s, err);
	free(s.transfers);
	free(s.results);
	return rc;
}

/* ---- GET /v1/ledger/transfers, /v1/holds ------------------------------------ */

typedef struct list_transfers {
	tl_request *req;
	const char *account; /* ledger account, or customer account for holds */
	bool holds;
	tl_page page;
	tl_transfer rows[TL_PAGE_MAX];
	size_t count;
} list_transfers;

static int list_transfers_tx(tl_tx *tx, void *arg, tl_error *err)
{
	list_transfers *l = arg;
	if (l->holds)
		return tl_ledger_holds(tx, &l->req->ctx, l->account, &l->page, l->rows, &l->count,
				       err);
	return tl_ledger_transfers(tx, &l->req->ctx, l->account, &l->page, l->rows, &l->count,
				   err);
}

static json_t *hold_json(const tl_transfer *t)
{
	return json_pack("{s:s, s:I, s:s, s:I, s:o, s:s, s:s, s:o}", "id", t->id, "amount",
			 (json_int_t)t->amount, "status", t->state, "posted_amount",
			 (json_int_t)t->resolved_amount, "expires_at", tl_time_to_json(t->expires_at),
			 "code", t->code, "reference", t->reference, "created_at",
			 tl_time_to_json(t->created_at));
}

static int respond_transfers(tl_request *req, tl_response *res, const char *account,
			     bool holds, tl_error *err)
{
	list_transfers *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	*l = (list_transfers){.req = req, .account = account, .holds = holds};
	int rc = tl_query_page(req, &l->page, err);
	if (rc == 0)
		rc = tl_api_read(req, list_transfers_tx, l, err);
	if (rc == 0) {
		json_t *items = json_array();
		for (size_t i = 0; i < l->count; i++)
			json_array_append_new(items, holds ? hold_json(&l->rows[i])
							   : transfer_json(&l->rows[i]));
		tl_respond_json(res, 200, tl_page_json(items, &l->page,
						       l->count ? l->rows[l->count - 1].id : NULL));
	}
	free(l);
	return rc;
}

int tl_h_transfers_list(tl_request *req, tl_response *res, tl_error *err)
{
	const char *account = tl_query(req, "account");
	if (account == NULL || account[0] == '\0') {
		tl_error_set(err, TL_EINVALID, "missing_parameter",
			     "name the ledger account: ?account=cw_... or sys_...");
		tl_error_details(err, json_pack("{s:s}", "parameter", "account"));
		return TL_EINVALID;
	}
	return respond_transfers(req, res, account, false, err);
}

int tl_h_holds_list(tl_request *req, tl_response *res, tl_error *err)
{
	const char *account;
	int rc = target_account(req, &account, err);
	return rc < 0 ? rc : respond_transfers(req, res, account, true, err);
}

/* ---- GET /v1/wallets, /v1/ledger/accounts, /v1/ledger/check --------------- */

typedef struct wallets {
	tl_request *req;
	const char *account_id;
	tl_account account;
	tl_ledger_account rows[TL_WALLETS_MAX];
	size_t count;
	json_t *credit, *poc, *data; /* what the pages held */
} wallets;

/* Every page of the account's wallets: an admin may grant any number of
 * POC wallets, and the answer used to stop at the first 256. */
static int wallets_tx(tl_tx *tx, void *arg, tl_error *err)
{
	wallets *w = arg;
	char after[TL_ID_MAX] = "";
	int rc;
	json_array_clear(w->poc);
	json_decref(w->credit);
	w->credit = json_null();
	do {
		rc = tl_ledger_wallets(tx, &w->req->ctx, w->account_id, after[0] ? after : NULL,
				       &w->account, w->rows, &w->count, err);
		for (size_t i = 0; rc == 0 && i < w->count; i++) {
			if (strcmp(w->rows[i].kind, "credit") == 0) {
				json_decref(w->credit);
				w->credit = credit_wallet_json(&w->rows[i]);
			} else if (strcmp(w->rows[i].kind, "poc") == 0) {
				json_array_append_new(w->poc,
						      poc_wallet_json(&w->rows[i], w->req->ctx.now));
			}
		}
		if (rc == 0 && w->count > 0)
			snprintf(after, sizeof(after), "%s", w->rows[w->count - 1].id);
	} while (rc == 0 && w->count == TL_WALLETS_MAX);
	return rc;
}

int tl_h_wallets_get(tl_request *req, tl_response *res, tl_error *err)
{
	wallets *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	w->req = req;
	w->credit = json_null();
	w->poc = json_array();
	int rc = target_account(req, &w->account_id, err);
	if (rc == 0)
		rc = tl_api_read(req, wallets_tx, w, err);
	/* as_of: tallyd's clock, so "days to expiry" agrees with the server's */
	if (rc == 0)
		tl_respond_json(res, 200,
				json_pack("{s:s, s:s, s:o, s:O, s:O}", "account_id", w->account.id,
					  "currency", w->account.currency, "as_of",
					  tl_time_to_json(req->ctx.now), "credit", w->credit, "poc",
					  w->poc));
	json_decref(w->credit);
	json_decref(w->poc);
	free(w);
	return rc;
}

/* Every page, as for the wallets. */
static int ledger_accounts_tx(tl_tx *tx, void *arg, tl_error *err)
{
	wallets *w = arg;
	char after[TL_ID_MAX] = "";
	int rc;
	json_array_clear(w->data);
	do {
		rc = tl_ledger_accounts(tx, &w->req->ctx, w->account_id, after[0] ? after : NULL,
					w->rows, &w->count, err);
		for (size_t i = 0; rc == 0 && i < w->count; i++)
			json_array_append_new(w->data, ledger_account_json(&w->rows[i]));
		if (rc == 0 && w->count > 0)
			snprintf(after, sizeof(after), "%s", w->rows[w->count - 1].id);
	} while (rc == 0 && w->count == TL_WALLETS_MAX);
	return rc;
}

int tl_h_ledger_accounts_list(tl_request *req, tl_response *res, tl_error *err)
{
	wallets *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	w->req = req;
	w->account_id = tl_query(req, "account_id"); /* none: the system accounts */
	w->data = json_array();
	int rc = tl_api_read(req, ledger_accounts_tx, w, err);
	if (rc == 0)
		tl_respond_json(res, 200, json_pack("{s:O}", "data", w->data));
	json_decref(w->data);
	free(w);
	return rc;
}

typedef struct check {
	tl_ledger_totals totals;
	char problem[256];
} check;

static int check_tx(tl_tx *tx, void *arg, tl_error *err)
{
	check *c = arg;
	return tl_ledger_check(tx, &c->totals, c->problem, sizeof(c->problem), err);
}

int tl_h_ledger_check(tl_request *req, tl_response *res, tl_error *err)
{
	check c = {0};
	int rc = tl_api_read(req, check_tx, &c, err);
	if (rc < 0)
		return rc;
	tl_respond_json(res, 200, json_pack("{s:b, s:s?, s:I, s:I, s:I}", "ok", c.problem[0] == 0,
					    "problem", c.problem[0] ? c.problem : NULL, "accounts",
					    (json_int_t)c.totals.accounts, "posted_total",
					    (json_int_t)c.totals.posted_debits, "pending_total",
					    (json_int_t)c.totals.pending_debits));
	return 0;
}

/* ---- POST /v1/accounts/{acc}/credit, /poc-wallets ------------------------- */

typedef struct money_in {
	tl_request *req;
	tl_response *res;
	json_t *in;
} money_in;

static int too_long(tl_error *err, const char *field, size_t max)
{
	tl_error_set(err, TL_EINVALID, "invalid_field", "%s is longer than %zu bytes", field, max);
	tl_error_details(err, json_pack("{s:s}", "field", field));
	return TL_EINVALID;
}

static int top_up_tx(tl_tx *tx, void *arg, tl_error *err)
{
	money_in *m = arg;
	int64_t amount = 0;
	int rc = tl_json_amount(m->in, "amount", &amount, err); /* required: checked already */
	tl_transfer t;
	tl_ledger_account wallet;
	if (rc == 0)
		rc = tl_ledger_top_up(tx, &m->req->ctx, m->req->params[0], amount,
				      tl_json_str(m->in, "reference"), &t, &wallet, err);
	if (rc == 0)
		tl_respond_json(m->res, 201,
				json_pack("{s:s, s:s, s:I, s:s, s:o}", "transfer_id", t.id,
					  "account_id", m->req->params[0], "amount",
					  (json_int_t)amount, "currency", wallet.currency, "credit",
					  credit_wallet_json(&wallet)));
	return rc;
}

int tl_h_credit_top_up(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"amount", TL_JSON_INTEGER, true},
		{"reference", TL_JSON_STRING, false},
	};
	money_in m = {req, res, NULL};
	int64_t amount = 0;
	int rc = tl_json_input(req, fields, 2, &m.in, err);
	rc = rc ? rc : tl_json_amount(m.in, "amount", &amount, err);
	const char *reference = rc == 0 ? tl_json_str(m.in, "reference") : NULL;
	if (reference && strlen(reference) >= TL_TRANSFER_REFERENCE_MAX)
		rc = too_long(err, "reference", TL_TRANSFER_REFERENCE_MAX - 1);
	if (rc == 0)
		rc = tl_api_write(req, res, top_up_tx, &m, err);
	json_decref(m.in);
	return rc;
}

static int grant_tx(tl_tx *tx, void *arg, tl_error *err)
{
	money_in *m = arg;
	int64_t amount = 0, expires_at = 0;
	int rc = tl_json_amount(m->in, "amount", &amount, err); /* required: checked already */
	if (rc == 0 && tl_time_parse(tl_json_str(m->in, "expires_at"), &expires_at) < 0)
		rc = tl_error_set(err, TL_EINVALID, "invalid_time",
				  "expires_at must be an RFC 3339 time");
	tl_ledger_account w;
	if (rc == 0)
		rc = tl_ledger_grant_poc(tx, &m->req->ctx, m->req->params[0], amount, expires_at,
					 tl_json_str(m->in, "cluster_id"), &w, err);
	if (rc == 0) {
		json_t *body = poc_wallet_json(&w, m->req->ctx.now);
		json_object_set_new(body, "account_id", json_string(w.account_id));
		json_object_set_new(body, "currency", json_string(w.currency));
		tl_respond_json(m->res, 201, body);
	}
	return rc;
}

int tl_h_poc_wallets_create(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"amount", TL_JSON_INTEGER, true},
		{"expires_at", TL_JSON_STRING, true},
		{"cluster_id", TL_JSON_STRING, false},
	};
	money_in m = {req, res, NULL};
	int64_t amount = 0;
	int rc = tl_json_input(req, fields, 3, &m.in, err);
	rc = rc ? rc : tl_json_amount(m.in, "amount", &amount, err);
	const char *cluster = rc == 0 ? tl_json_str(m.in, "cluster_id") : NULL;
	if (cluster && strlen(cluster) >= TL_ID_MAX)
		rc = too_long(err, "cluster_id", TL_ID_MAX - 1);
	if (rc == 0)
		rc = tl_api_write(req, res, grant_tx, &m, err);
	json_decref(m.in);
	return rc;
}

/* ---- PATCH /v1/poc-wallets/{id} ---------------------------------------------- */

typedef struct poc_change {
	tl_request *req;
	tl_response *res;
	int64_t expires_at, add_amount;
} poc_change;

static int change_poc_tx(tl_tx *tx, void *arg, tl_error *err)
{
	poc_change *p = arg;
	tl_ledger_account w;
	int rc = tl_ledger_change_poc(tx, &p->req->ctx, p->req->params[0], p->expires_at,
				      p->add_amount, &w, err);
	rc = rc ? rc : tl_poc_wallet_topped_up(tx, &p->req->ctx, w.id, err);
	if (rc == 0) {
		json_t *body = poc_wallet_json(&w, p->req->ctx.now);
		json_object_set_new(body, "account_id", json_string(w.account_id));
		json_object_set_new(body, "currency", json_string(w.currency));
		tl_respond_json(p->res, 200, body);
	}
	return rc;
}

int tl_h_poc_wallets_change(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"expires_at", TL_JSON_STRING, false},
		{"add_amount", TL_JSON_INTEGER, false},
	};
	json_t *in = NULL;
	int rc = tl_json_input(req, fields, 2, &in, err);
	if (rc < 0)
		return rc;
	poc_change p = {.req = req, .res = res};
	const char *expires = tl_json_str(in, "expires_at");
	json_t *add = json_object_get(in, "add_amount");
	if (expires == NULL && add == NULL)
		rc = tl_error_set(err, TL_EINVALID, "invalid_request",
				  "give expires_at, add_amount, or both");
	else if (expires && tl_time_parse(expires, &p.expires_at) < 0)
		rc = tl_error_set(err, TL_EINVALID, "invalid_time", "expires_at must be RFC 3339");
	else
		rc = tl_json_amount(in, "add_amount", &p.add_amount, err);
	json_decref(in);
	return rc < 0 ? rc : tl_api_write(req, res, change_poc_tx, &p, err);
}
