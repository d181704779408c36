/* h_accounts.c: HTTP handlers for accounts (create, read, set the type) and
 * their tokens. */
#include "api/api.h"
#include "common/timefmt.h"
#include "service/accounts.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct create_account {
	tl_request *req;
	tl_response *res;
	const char *name;
	const char *currency;
} create_account;

static int create_account_tx(tl_tx *tx, void *arg, tl_error *err)
{
	create_account *c = arg;
	tl_account account;
	int rc = tl_accounts_create(tx, &c->req->ctx, c->name, c->currency, &account, err);
	if (rc == 0)
		tl_respond_json(c->res, 201, tl_account_to_json(&account));
	return rc;
}

int tl_h_accounts_create(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"name", TL_JSON_STRING, true},
		{"currency", TL_JSON_STRING, false},
	};
	json_t *in = NULL;
	int rc = tl_json_input(req, fields, 2, &in, err);
	if (rc < 0)
		return rc;
	create_account c = {req, res, tl_json_str(in, "name"), tl_json_str(in, "currency")};
	rc = tl_api_write(req, res, create_account_tx, &c, err);
	json_decref(in);
	return rc;
}

typedef struct list_accounts {
	tl_request *req;
	tl_page page;
	tl_account rows[TL_PAGE_MAX];
	size_t count;
} list_accounts;

static int list_accounts_tx(tl_tx *tx, void *arg, tl_error *err)
{
	list_accounts *l = arg;
	return tl_accounts_list(tx, &l->req->ctx, &l->page, l->rows, &l->count, err);
}

int tl_h_accounts_list(tl_request *req, tl_response *res, tl_error *err)
{
	list_accounts *l = calloc(1, sizeof(*l)); /* ~100 KiB: not on the stack */
	if (l == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	l->req = req;
	int rc = tl_query_page(req, &l->page, err);
	if (rc == 0)
		rc = tl_api_read(req, list_accounts_tx, l, err);
	if (rc == 0) {
		json_t *items = json_array();
		for (size_t i = 0; i < l->count; i++)
			json_array_append_new(items, tl_account_to_json(&l->rows[i]));
		tl_respond_json(res, 200, tl_page_json(items, &l->page,
						       l->count ? l->rows[l->count - 1].id : NULL));
	}
	free(l);
	return rc;
}

typedef struct get_account {
	tl_request *req;
	tl_account account;
} get_account;

static int get_account_tx(tl_tx *tx, void *arg, tl_error *err)
{
	get_account *g = arg;
	return tl_accounts_get(tx, &g->req->ctx, g->req->params[0], &g->account, err);
}

int tl_h_accounts_get(tl_request *req, tl_response *res, tl_error *err)
{
	get_account g = {.req = req};
	int rc = tl_api_read(req, get_account_tx, &g, err);
	if (rc == 0)
		tl_respond_json(res, 200, tl_account_to_json(&g.account));
	return rc;
}

typedef struct change_account {
	tl_request *req;
	tl_response *res;
	const char *type;
} change_account;

static int change_account_tx(tl_tx *tx, void *arg, tl_error *err)
{
	change_account *c = arg;
	tl_account account;
	int rc = tl_accounts_set_type(tx, &c->req->ctx, c->req->params[0], c->type, &account,
				      err);
	if (rc == 0)
		tl_respond_json(c->res, 200, tl_account_to_json(&account));
	return rc;
}

int tl_h_accounts_change(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"type", TL_JSON_STRING, true},
	};
	json_t *in = NULL;
	int rc = tl_json_input(req, fields, 1, &in, err);
	if (rc < 0)
		return rc;
	/* a bad value is the body's fault: answered before any transaction */
	change_account c = {req, res, tl_json_str(in, "type")};
	rc = tl_account_type_check(c.type, err);
	if (rc == 0)
		rc = tl_api_write(req, res, change_account_tx, &c, err);
	json_decref(in);
	return rc;
}

typedef struct create_token {
	tl_request *req;
	tl_response *res;
	const char *scope; /* NULL: "account" */
} create_token;

static int create_token_tx(tl_tx *tx, void *arg, tl_error *err)
{
	create_token *c = arg;
	char text[TL_TOKEN_STR_MAX];
	tl_token token;
	int rc = tl_tokens_issue(tx, &c->req->ctx, c->req->params[0], c->scope, text, &token,
				 err);
	if (rc < 0)
		return rc;
	char created[TL_TIME_STR_MAX];
	tl_time_format(token.created_at, created);
	tl_respond_json(c->res, 201,
			json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", token.id, "token", text,
				  "account_id", token.account_id, "scope", token.scope, "created_at",
				  created));
	/* The secret exists only in this answer: a retry learns which token
	 * its first call made, never the secret (it is not stored anywhere). */
	c->res->retry_status = 409;
	c->res->retry_json = json_pack(
		"{s:{s:s, s:s, s:{s:s}}}", "error", "code", "token_already_issued", "message",
		"this Idempotency-Key already issued a token; its secret was shown once",
		"details", "token_id", token.id);
	return 0;
}

int tl_h_tokens_create(tl_request *req, tl_response *res, tl_error *err)
{
	static const tl_field fields[] = {
		{"scope", TL_JSON_STRING, false},
	};
	json_t *in = NULL;
	int rc = tl_json_input(req, fields, 1, &in, err);
	if (rc < 0)
		return rc;
	create_token c = {req, res, tl_json_str(in, "scope")};
	/* a bad scope is the body's fault: answered before any transaction */
	rc = c.scope ? tl_token_scope_check(c.scope, err) : 0;
	if (rc == 0)
		rc = tl_api_write(req, res, create_token_tx, &c, err);
	json_decref(in);
	return rc;
}
