/* store_sqlite_invoices.c: invoices (invoices, invoice_lines,
 * invoice_transfers) and payments (payments, payment_invoices) in the
 * SQLite driver. Migration 013 made the tables. */
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

/* ---- invoices ------------------------------------------------------------ */

#define INVOICE_COLUMNS                                                                    \
	"id, number, account_id, resource_id, resource_name, service, kind, currency,"   \
	" period_start, period_end, subtotal, discount, coupon_code, tax, total,"          \
	" amount_paid, status, payment_id, checkout_id, credits, issued_at, due_at,"       \
	" updated_at"

static void read_invoice_row(sqlite3_stmt *st, tl_invoice *v)
{
	memset(v, 0, sizeof(*v));
	tl_sqlite_copy_text(v->id, sizeof(v->id), st, 0);
	tl_sqlite_copy_text(v->number, sizeof(v->number), st, 1);
	tl_sqlite_copy_text(v->account_id, sizeof(v->account_id), st, 2);
	tl_sqlite_copy_text(v->resource_id, sizeof(v->resource_id), st, 3);
	tl_sqlite_copy_text(v->resource_name, sizeof(v->resource_name), st, 4);
	tl_sqlite_copy_text(v->service, sizeof(v->service), st, 5);
	tl_sqlite_copy_text(v->kind, sizeof(v->kind), st, 6);
	tl_sqlite_copy_text(v->currency, sizeof(v->currency), st, 7);
	v->period_start = sqlite3_column_int64(st, 8);
	v->period_end = sqlite3_column_int64(st, 9);
	v->subtotal = sqlite3_column_int64(st, 10);
	v->discount = sqlite3_column_int64(st, 11);
	tl_sqlite_copy_text(v->coupon_code, sizeof(v->coupon_code), st, 12);
	v->tax = sqlite3_column_int64(st, 13);
	v->total = sqlite3_column_int64(st, 14);
	v->amount_paid = sqlite3_column_int64(st, 15);
	tl_sqlite_copy_text(v->status, sizeof(v->status), st, 16);
	tl_sqlite_copy_text(v->payment_id, sizeof(v->payment_id), st, 17);
	tl_sqlite_copy_text(v->checkout_id, sizeof(v->checkout_id), st, 18);
	tl_sqlite_copy_text(v->credits, sizeof(v->credits), st, 19);
	v->issued_at = sqlite3_column_int64(st, 20);
	v->due_at = sqlite3_column_int64(st, 21);
	v->updated_at = sqlite3_column_int64(st, 22);
}

/* The invoice's lines and transfers, after its row. */
static int read_invoice_children(sqlite_conn *c, tl_invoice *v, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT item_id, description, unit, unit_price,"
		" quantity, cycle_months, gross, cycle_discount, coupon_code, coupon_discount,"
		" tax_rate_bp, tax, total FROM invoice_lines WHERE invoice_id = ?1"
		" ORDER BY position");
	if (st == NULL)
		return tl_sqlite_error(c, err, "invoice lines");
	sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && v->line_count < TL_INVOICE_LINES_MAX) {
		tl_invoice_line *l = &v->lines[v->line_count++];
		tl_sqlite_copy_text(l->item_id, sizeof(l->item_id), st, 0);
		tl_sqlite_copy_text(l->description, sizeof(l->description), st, 1);
		tl_sqlite_copy_text(l->unit, sizeof(l->unit), st, 2);
		l->unit_price = sqlite3_column_int64(st, 3);
		l->quantity = sqlite3_column_int64(st, 4);
		l->cycle_months = sqlite3_column_int(st, 5);
		l->gross = sqlite3_column_int64(st, 6);
		l->cycle_discount = sqlite3_column_int64(st, 7);
		tl_sqlite_copy_text(l->coupon_code, sizeof(l->coupon_code), st, 8);
		l->coupon_discount = sqlite3_column_int64(st, 9);
		l->tax_rate_bp = sqlite3_column_int64(st, 10);
		l->tax = sqlite3_column_int64(st, 11);
		l->total = sqlite3_column_int64(st, 12);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return tl_sqlite_error(c, err, "invoice lines");
	st = tl_sqlite_stmt(c, "SELECT transfer_id FROM invoice_transfers WHERE invoice_id = ?1"
			       " ORDER BY position");
	if (st == NULL)
		return tl_sqlite_error(c, err, "invoice transfers");
	sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
	int added = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && added == 0)
		added = tl_id_list_add(&v->transfer_ids, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (added < 0)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "invoice transfers");
}

/* Writes the invoice's transfers from position `from` on. */
static int write_transfers(sqlite_conn *c, const tl_invoice *v, size_t from, tl_error *err)
{
	for (size_t i = from; i < v->transfer_ids.count; i++) {
		sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO invoice_transfers"
			" (invoice_id, position, transfer_id) VALUES (?1, ?2, ?3)");
		if (st == NULL)
			return tl_sqlite_error(c, err, "invoice transfers");
		sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, v->transfer_ids.ids[i], -1, SQLITE_STATIC);
		int rc = tl_sqlite_step_done(c, st, err, "invoice transfers");
		if (rc < 0)
			return rc;
	}
	return 0;
}

int tl_sqlite_invoice_insert(void *conn, const tl_invoice *v, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO invoices (" INVOICE_COLUMNS
		", created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?21)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "invoice");
	sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, v->resource_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v->resource_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, v->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, v->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, v->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, v->period_start);
	sqlite3_bind_int64(st, 10, v->period_end);
	sqlite3_bind_int64(st, 11, v->subtotal);
	sqlite3_bind_int64(st, 12, v->discount);
	bind_text_or_null(st, 13, v->coupon_code);
	sqlite3_bind_int64(st, 14, v->tax);
	sqlite3_bind_int64(st, 15, v->total);
	sqlite3_bind_int64(st, 16, v->amount_paid);
	sqlite3_bind_text(st, 17, v->status, -1, SQLITE_STATIC);
	bind_text_or_null(st, 18, v->payment_id);
	bind_text_or_null(st, 19, v->checkout_id);
	bind_text_or_null(st, 20, v->credits);
	sqlite3_bind_int64(st, 21, v->issued_at);
	sqlite3_bind_int64(st, 22, v->due_at);
	sqlite3_bind_int64(st, 23, v->updated_at);
	int rc = tl_sqlite_step_done(c, st, err, "invoice");
	for (size_t i = 0; rc == 0 && i < v->line_count; i++) {
		const tl_invoice_line *l = &v->lines[i];
		st = tl_sqlite_stmt(c, "INSERT INTO invoice_lines (invoice_id, position, item_id,"
			" description, unit, unit_price, quantity, cycle_months, gross, cycle_discount,"
			" coupon_code, coupon_discount, tax_rate_bp, tax, total) VALUES (?1, ?2, ?3,"
			" ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
		if (st == NULL)
			return tl_sqlite_error(c, err, "invoice line");
		sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, l->item_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, l->description, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, l->unit, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, l->unit_price);
		sqlite3_bind_int64(st, 7, l->quantity);
		sqlite3_bind_int(st, 8, l->cycle_months);
		sqlite3_bind_int64(st, 9, l->gross);
		sqlite3_bind_int64(st, 10, l->cycle_discount);
		bind_text_or_null(st, 11, l->coupon_code);
		sqlite3_bind_int64(st, 12, l->coupon_discount);
		sqlite3_bind_int64(st, 13, l->tax_rate_bp);
		sqlite3_bind_int64(st, 14, l->tax);
		sqlite3_bind_int64(st, 15, l->total);
		rc = tl_sqlite_step_done(c, st, err, "invoice line");
	}
	return rc ? rc : write_transfers(c, v, 0, err);
}

int tl_sqlite_invoice_update(void *conn, const tl_invoice *v, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "UPDATE invoices SET amount_paid = ?2, status = ?3,"
		" payment_id = ?4, due_at = ?5, updated_at = ?6 WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "invoice");
	sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v->amount_paid);
	sqlite3_bind_text(st, 3, v->status, -1, SQLITE_STATIC);
	bind_text_or_null(st, 4, v->payment_id);
	sqlite3_bind_int64(st, 5, v->due_at);
	sqlite3_bind_int64(st, 6, v->updated_at);
	int rc = tl_sqlite_step_done(c, st, err, "invoice");
	if (rc == 0 && sqlite3_changes(c->db) != 1)
		return tl_error_set(err, TL_ENOTFOUND, "not_found", "no invoice %.64s", v->id);
	/* transfers only grow: the ones stored stay, the new ones follow */
	st = rc ? NULL : tl_sqlite_stmt(c, "SELECT count(*) FROM invoice_transfers"
					   " WHERE invoice_id = ?1");
	if (rc == 0 && st == NULL)
		return tl_sqlite_error(c, err, "invoice transfers");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	int64_t stored = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return tl_sqlite_error(c, err, "invoice transfers");
	return write_transfers(c, v, (size_t)stored, err);
}

/* Reads up to max invoice rows of st, then their lines and transfers. */
static int read_invoices(sqlite_conn *c, sqlite3_stmt *st, tl_invoice *out, size_t max,
			 size_t *count, tl_error *err)
{
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_invoice_row(st, &out[n++]);
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	int out_rc = rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "invoices");
	for (size_t i = 0; out_rc == 0 && i < n; i++)
		out_rc = read_invoice_children(c, &out[i], err);
	if (out_rc < 0) {
		for (size_t i = 0; i < n; i++)
			tl_invoice_release(&out[i]);
		*count = 0;
	}
	return out_rc;
}

int tl_sqlite_invoice_get(void *conn, const char *id, tl_invoice *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " INVOICE_COLUMNS " FROM invoices"
					     " WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "invoice");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = read_invoices(c, st, out, 1, &n, err);
	if (rc == 0 && n == 0)
		return tl_error_set(err, TL_ENOTFOUND, "not_found", "no invoice %.64s", id);
	return rc;
}

int tl_sqlite_invoice_list(void *conn, const tl_invoice_query *q, const tl_page *page,
			   tl_invoice *out, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	/* each shape names its filter as a plain equality, which an index
	 * serves (invoices_by_resource, invoices_by_account) */
#define INVOICE_PAGE " AND (?1 IS NULL OR seq < (SELECT seq FROM invoices WHERE id = ?1))" \
	" ORDER BY seq DESC LIMIT ?2"
	bool by_resource = q->resource_id && q->resource_id[0];
	sqlite3_stmt *st = tl_sqlite_stmt(c, by_resource
		? "SELECT " INVOICE_COLUMNS " FROM invoices WHERE resource_id = ?4"
		  " AND (?3 IS NULL OR account_id = ?3)" INVOICE_PAGE
		: "SELECT " INVOICE_COLUMNS " FROM invoices WHERE account_id = ?3" INVOICE_PAGE);
	if (st == NULL)
		return tl_sqlite_error(c, err, "invoices");
	tl_sqlite_bind_page(st, 1, page);
	bind_text_or_null(st, 3, q->account_id);
	if (by_resource)
		sqlite3_bind_text(st, 4, q->resource_id, -1, SQLITE_STATIC);
	return read_invoices(c, st, out, (size_t)page->limit, count, err);
}

int tl_sqlite_invoices_payable(void *conn, const char *status, int64_t now, tl_invoice *out,
			       size_t max, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " INVOICE_COLUMNS " FROM invoices d"
		" WHERE d.status = ?1 AND d.status IN ('unpaid', 'partial_paid')"
		" AND d.due_at > 0 AND d.due_at <= ?2"
		" AND NOT EXISTS (SELECT 1 FROM job_failures f WHERE f.subject = d.id"
		" AND f.next_retry_at > ?2)"
		" AND EXISTS (SELECT 1 FROM ledger_accounts w WHERE w.account_id = d.account_id"
		" AND w.kind = 'credit'"
		" AND w.posted_credits - w.posted_debits - w.pending_debits > 0)"
		" ORDER BY d.due_at LIMIT ?3");
	if (st == NULL)
		return tl_sqlite_error(c, err, "invoice");
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	return read_invoices(c, st, out, max, count, err);
}

static int count_one(sqlite_conn *c, sqlite3_stmt *st, const char *account_id, int64_t *out,
		     tl_error *err, const char *what)
{
	if (st == NULL)
		return tl_sqlite_error(c, err, what);
	sqlite3_bind_text(st, 1, account_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, what);
}

int tl_sqlite_invoices_open_count(void *conn, const char *account_id, int64_t *out,
				  tl_error *err)
{
	sqlite_conn *c = conn;
	return count_one(c, tl_sqlite_stmt(c, "SELECT count(*) FROM invoices WHERE account_id = ?1"
					      " AND status IN ('unpaid', 'partial_paid')"),
			 account_id, out, err, "invoices");
}

/* ---- payments ------------------------------------------------------------ */

#define PAYMENT_COLUMNS \
	"id, account_id, method, amount, currency, checkout_id, status, hold_id, created_at"

static void read_payment_row(sqlite3_stmt *st, tl_payment *p)
{
	memset(p, 0, sizeof(*p));
	tl_sqlite_copy_text(p->id, sizeof(p->id), st, 0);
	tl_sqlite_copy_text(p->account_id, sizeof(p->account_id), st, 1);
	tl_sqlite_copy_text(p->method, sizeof(p->method), st, 2);
	p->amount = sqlite3_column_int64(st, 3);
	tl_sqlite_copy_text(p->currency, sizeof(p->currency), st, 4);
	tl_sqlite_copy_text(p->checkout_id, sizeof(p->checkout_id), st, 5);
	tl_sqlite_copy_text(p->status, sizeof(p->status), st, 6);
	tl_sqlite_copy_text(p->hold_id, sizeof(p->hold_id), st, 7);
	p->created_at = sqlite3_column_int64(st, 8);
}

static int read_payment_invoices(sqlite_conn *c, tl_payment *p, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT invoice_id FROM payment_invoices"
					     " WHERE payment_id = ?1 ORDER BY position");
	if (st == NULL)
		return tl_sqlite_error(c, err, "payment invoices");
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	int rc, added = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && added == 0)
		added = tl_id_list_add(&p->invoice_ids, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (added < 0)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "payment invoices");
}

static int read_payments(sqlite_conn *c, sqlite3_stmt *st, tl_payment *out, size_t max,
			 size_t *count, tl_error *err)
{
	size_t n = 0;
	int rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_payment_row(st, &out[n++]);
	if (n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	*count = n;
	int out_rc = rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "payments");
	for (size_t i = 0; out_rc == 0 && i < n; i++)
		out_rc = read_payment_invoices(c, &out[i], err);
	if (out_rc < 0) {
		for (size_t i = 0; i < n; i++)
			tl_payment_release(&out[i]);
		*count = 0;
	}
	return out_rc;
}

int tl_sqlite_payment_insert(void *conn, const tl_payment *p, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO payments (" PAYMENT_COLUMNS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "payment");
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, p->amount);
	sqlite3_bind_text(st, 5, p->currency, -1, SQLITE_STATIC);
	bind_text_or_null(st, 6, p->checkout_id);
	sqlite3_bind_text(st, 7, p->status, -1, SQLITE_STATIC);
	bind_text_or_null(st, 8, p->hold_id);
	sqlite3_bind_int64(st, 9, p->created_at);
	int rc = tl_sqlite_step_done(c, st, err, "payment");
	for (size_t i = 0; rc == 0 && i < p->invoice_ids.count; i++) {
		st = tl_sqlite_stmt(c, "INSERT INTO payment_invoices (payment_id, position,"
				       " invoice_id) VALUES (?1, ?2, ?3)");
		if (st == NULL)
			return tl_sqlite_error(c, err, "payment invoices");
		sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, p->invoice_ids.ids[i], -1, SQLITE_STATIC);
		rc = tl_sqlite_step_done(c, st, err, "payment invoices");
	}
	return rc;
}

int tl_sqlite_payment_get(void *conn, const char *id, tl_payment *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " PAYMENT_COLUMNS " FROM payments"
					     " WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "payment");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = read_payments(c, st, out, 1, &n, err);
	if (rc == 0 && n == 0)
		return tl_error_set(err, TL_ENOTFOUND, "not_found", "no payment %.64s", id);
	return rc;
}

int tl_sqlite_payment_list(void *conn, const char *account_id, const tl_page *page,
			   tl_payment *out, size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " PAYMENT_COLUMNS " FROM payments"
		" WHERE account_id = ?3"
		" AND (?1 IS NULL OR seq < (SELECT seq FROM payments WHERE id = ?1))"
		" ORDER BY seq DESC LIMIT ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "payments");
	tl_sqlite_bind_page(st, 1, page);
	sqlite3_bind_text(st, 3, account_id, -1, SQLITE_STATIC);
	return read_payments(c, st, out, (size_t)page->limit, count, err);
}

int tl_sqlite_payment_count(void *conn, const char *account_id, int64_t *out, tl_error *err)
{
	sqlite_conn *c = conn;
	return count_one(c, tl_sqlite_stmt(c, "SELECT count(*) FROM payments WHERE account_id = ?1"),
			 account_id, out, err, "payments");
}
