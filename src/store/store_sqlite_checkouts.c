/* store_sqlite_checkouts.c: the checkouts, checkout_lines, coupons and
 * coupon_redemptions tables in the SQLite driver (migration 013). The rows
 * are the domain's types column for column; the API's JSON is made by the
 * domain (tl_checkout_to_json, tl_coupon_to_json), never stored. The only
 * JSON kept is what is free-form or a copied list: a line's spec, a
 * checkout's copy of the catalog's terms (cycles) and a coupon's services. */
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_opt(sqlite3_stmt *st, int col, const char *text)
{
	if (text && text[0])
		sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static int corrupt(tl_error *err, const char *what, const char *id)
{
	return tl_error_set(err, TL_EINTERNAL, "corrupt_row", "stored %s %.40s is corrupt", what,
			    id);
}

/* ---- checkouts ----------------------------------------------------------------- */

#define CHECKOUT_COLUMNS "id, account_id, kind, status, currency, cycle_months, auto_renew," \
	" settlement, coupon_code, coupon_id, coupon_percent_off, coupon_amount_off," \
	" tax_rate_bp, hold_days, cycles, hold_amount, gross, cycle_discount, subtotal," \
	" discount, tax, total, created_at, expires_at, paid_at, payment_id," \
	" origin_resource_id, updated_at"

#define LINE_COLUMNS "checkout_id, position, resource_id, resource_type, resource_name," \
	" item_id, item_name, service, unit, spec, unit_price, quantity, gross, cycle_discount," \
	" amount, coupon_discount, taxable, tax, total"

static char *cycles_text(const tl_checkout *c)
{
	json_t *cycles = json_array();
	for (size_t i = 0; i < c->cycle_count; i++)
		json_array_append_new(cycles, json_pack("{s:i, s:I}", "months", c->cycles[i].months,
							"discount_bp",
							(json_int_t)c->cycles[i].discount_bp));
	char *text = json_dumps(cycles, JSON_COMPACT);
	json_decref(cycles);
	return text;
}

static void bind_checkout(sqlite3_stmt *st, const tl_checkout *c, const char *cycles,
			  int64_t now)
{
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, c->cycle_months);
	sqlite3_bind_int(st, 7, c->auto_renew);
	sqlite3_bind_text(st, 8, tl_settlement_name(c->settlement), -1, SQLITE_STATIC);
	bind_opt(st, 9, c->coupon_code);
	bind_opt(st, 10, c->coupon_id);
	sqlite3_bind_int64(st, 11, c->coupon_percent_off);
	sqlite3_bind_int64(st, 12, c->coupon_amount_off);
	sqlite3_bind_int64(st, 13, c->tax_rate_bp);
	sqlite3_bind_int(st, 14, c->hold_days);
	sqlite3_bind_text(st, 15, cycles, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 16, c->hold_amount);
	sqlite3_bind_int64(st, 17, c->totals.gross);
	sqlite3_bind_int64(st, 18, c->totals.cycle_discount);
	sqlite3_bind_int64(st, 19, c->totals.subtotal);
	sqlite3_bind_int64(st, 20, c->totals.discount);
	sqlite3_bind_int64(st, 21, c->totals.tax);
	sqlite3_bind_int64(st, 22, c->totals.total);
	sqlite3_bind_int64(st, 23, c->created_at);
	sqlite3_bind_int64(st, 24, c->expires_at);
	sqlite3_bind_int64(st, 25, c->paid_at);
	bind_opt(st, 26, c->payment_id);
	bind_opt(st, 27, c->origin_id);
	sqlite3_bind_int64(st, 28, now);
}

static int insert_line(sqlite_conn *c, const tl_checkout *k, size_t i, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO checkout_lines (" LINE_COLUMNS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "checkout line");
	const tl_checkout_line *l = &k->lines[i];
	char *spec = l->spec ? json_dumps(l->spec, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (l->spec && spec == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
	sqlite3_bind_text(st, 3, l->resource_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, l->resource_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, l->resource_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, l->item_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, l->item_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, l->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, tl_price_unit_name(l->unit), -1, SQLITE_STATIC);
	if (spec)
		sqlite3_bind_text(st, 10, spec, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 10);
	const tl_price_line *p = &l->price;
	const int64_t money[9] = {p->unit_price, p->quantity, p->gross, p->cycle_discount,
				  p->amount, p->coupon_discount, p->taxable, p->tax, p->total};
	for (int m = 0; m < 9; m++)
		sqlite3_bind_int64(st, 11 + m, money[m]);
	int rc = tl_sqlite_step_done(c, st, err, "checkout line");
	free(spec);
	return rc;
}

static int write_lines(sqlite_conn *c, const tl_checkout *k, bool replace, tl_error *err)
{
	if (replace) {
		sqlite3_stmt *st = tl_sqlite_stmt(c, "DELETE FROM checkout_lines"
						     " WHERE checkout_id = ?1");
		if (st == NULL)
			return tl_sqlite_error(c, err, "checkout line");
		sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
		int rc = tl_sqlite_step_done(c, st, err, "checkout line");
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < k->line_count; i++) {
		int rc = insert_line(c, k, i, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int write_checkout(sqlite_conn *c, const char *sql, const tl_checkout *k, int64_t now,
			  bool update, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql);
	if (st == NULL)
		return tl_sqlite_error(c, err, "checkout");
	char *cycles = cycles_text(k);
	if (cycles == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	bind_checkout(st, k, cycles, now);
	int rc = tl_sqlite_step_done(c, st, err, "checkout");
	free(cycles);
	if (rc == 0 && update && sqlite3_changes(c->db) != 1)
		return tl_error_set(err, TL_ENOTFOUND, "checkout_not_found", "no checkout %.40s",
				    k->id);
	return rc ? rc : write_lines(c, k, update, err);
}

int tl_sqlite_checkout_insert(void *conn, const tl_checkout *k, int64_t now, tl_error *err)
{
	static const char sql[] = "INSERT INTO checkouts (" CHECKOUT_COLUMNS ") VALUES (?1, ?2,"
		" ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
		" ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)";
	return write_checkout(conn, sql, k, now, false, err);
}

int tl_sqlite_checkout_update(void *conn, const tl_checkout *k, int64_t now, tl_error *err)
{
	/* binds every column; what never changes (currency, the copied terms,
	 * created_at, origin) is simply not used: SQLite numbers parameters up
	 * to the highest */
	static const char sql[] = "UPDATE checkouts SET status = ?4, cycle_months = ?6,"
		" auto_renew = ?7, coupon_code = ?9, coupon_id = ?10, coupon_percent_off = ?11,"
		" coupon_amount_off = ?12, hold_amount = ?16, gross = ?17, cycle_discount = ?18,"
		" subtotal = ?19, discount = ?20, tax = ?21, total = ?22, expires_at = ?24,"
		" paid_at = ?25, payment_id = ?26, updated_at = ?28"
		" WHERE id = ?1 AND account_id = ?2 AND kind = ?3";
	return write_checkout(conn, sql, k, now, true, err);
}

static int read_cycles(const char *text, tl_checkout *k)
{
	json_t *cycles = text ? json_loads(text, 0, NULL) : NULL, *cy;
	if (!json_is_array(cycles)) {
		json_decref(cycles);
		return -1;
	}
	size_t i;
	k->cycle_count = 0;
	json_array_foreach(cycles, i, cy) {
		if (i >= TL_CATALOG_CYCLES_MAX)
			break;
		k->cycles[i].months = (int)json_integer_value(json_object_get(cy, "months"));
		k->cycles[i].discount_bp = json_integer_value(json_object_get(cy, "discount_bp"));
		k->cycle_count = i + 1;
	}
	json_decref(cycles);
	return 0;
}

static int read_checkout(sqlite3_stmt *st, tl_checkout *k)
{
	memset(k, 0, sizeof(*k));
	tl_sqlite_copy_text(k->id, sizeof(k->id), st, 0);
	tl_sqlite_copy_text(k->account_id, sizeof(k->account_id), st, 1);
	tl_sqlite_copy_text(k->kind, sizeof(k->kind), st, 2);
	tl_sqlite_copy_text(k->status, sizeof(k->status), st, 3);
	tl_sqlite_copy_text(k->currency, sizeof(k->currency), st, 4);
	k->cycle_months = sqlite3_column_int(st, 5);
	k->auto_renew = sqlite3_column_int(st, 6) != 0;
	const unsigned char *settlement = sqlite3_column_text(st, 7);
	k->settlement = settlement && strcmp((const char *)settlement, "hold") == 0
				? TL_SETTLE_HOLD : TL_SETTLE_PREPAID;
	tl_sqlite_copy_text(k->coupon_code, sizeof(k->coupon_code), st, 8);
	tl_sqlite_copy_text(k->coupon_id, sizeof(k->coupon_id), st, 9);
	k->coupon_percent_off = sqlite3_column_int64(st, 10);
	k->coupon_amount_off = sqlite3_column_int64(st, 11);
	k->tax_rate_bp = sqlite3_column_int64(st, 12);
	k->hold_days = sqlite3_column_int(st, 13);
	int rc = read_cycles((const char *)sqlite3_column_text(st, 14), k);
	k->hold_amount = sqlite3_column_int64(st, 15);
	k->totals = (tl_price_totals){
		.gross = sqlite3_column_int64(st, 16), .cycle_discount = sqlite3_column_int64(st, 17),
		.subtotal = sqlite3_column_int64(st, 18), .discount = sqlite3_column_int64(st, 19),
		.tax = sqlite3_column_int64(st, 20), .total = sqlite3_column_int64(st, 21)};
	k->created_at = sqlite3_column_int64(st, 22);
	k->expires_at = sqlite3_column_int64(st, 23);
	k->paid_at = sqlite3_column_int64(st, 24);
	tl_sqlite_copy_text(k->payment_id, sizeof(k->payment_id), st, 25);
	tl_sqlite_copy_text(k->origin_id, sizeof(k->origin_id), st, 26);
	return rc;
}

/* Reads row i of checkout_lines into k->lines[i]; -1 when its spec does
 * not parse. */
static int read_line(sqlite3_stmt *st, tl_checkout_line *l)
{
	memset(l, 0, sizeof(*l));
	tl_sqlite_copy_text(l->resource_id, sizeof(l->resource_id), st, 0);
	tl_sqlite_copy_text(l->resource_type, sizeof(l->resource_type), st, 1);
	tl_sqlite_copy_text(l->resource_name, sizeof(l->resource_name), st, 2);
	tl_sqlite_copy_text(l->item_id, sizeof(l->item_id), st, 3);
	tl_sqlite_copy_text(l->item_name, sizeof(l->item_name), st, 4);
	tl_sqlite_copy_text(l->service, sizeof(l->service), st, 5);
	const unsigned char *unit = sqlite3_column_text(st, 6);
	l->unit = unit && strcmp((const char *)unit, "gb_month") == 0 ? TL_UNIT_GB_MONTH
								       : TL_UNIT_MONTH;
	const unsigned char *spec = sqlite3_column_text(st, 7);
	l->spec = spec ? json_loads((const char *)spec, JSON_DECODE_ANY, NULL) : NULL;
	l->price = (tl_price_line){
		.unit_price = sqlite3_column_int64(st, 8), .quantity = sqlite3_column_int64(st, 9),
		.gross = sqlite3_column_int64(st, 10), .cycle_discount = sqlite3_column_int64(st, 11),
		.amount = sqlite3_column_int64(st, 12), .coupon_discount = sqlite3_column_int64(st, 13),
		.taxable = sqlite3_column_int64(st, 14), .tax = sqlite3_column_int64(st, 15),
		.total = sqlite3_column_int64(st, 16)};
	return spec && l->spec == NULL ? -1 : 0;
}

static int read_lines(sqlite_conn *c, tl_checkout *k, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT resource_id, resource_type, resource_name,"
		" item_id, item_name, service, unit, spec, unit_price, quantity, gross,"
		" cycle_discount, amount, coupon_discount, taxable, tax, total"
		" FROM checkout_lines WHERE checkout_id = ?1 ORDER BY position");
	if (st == NULL)
		return tl_sqlite_error(c, err, "checkout line");
	sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
	int rc, bad = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k->line_count < TL_PRICING_LINES_MAX) {
		if (read_line(st, &k->lines[k->line_count]) < 0)
			bad = 1;
		k->line_count++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tl_sqlite_error(c, err, "checkout line");
	return bad ? corrupt(err, "checkout", k->id) : 0;
}

int tl_sqlite_checkout_get(void *conn, const char *id, tl_checkout *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " CHECKOUT_COLUMNS " FROM checkouts"
					     " WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "checkout");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), bad = rc == SQLITE_ROW ? read_checkout(st, out) : 0;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "checkout_not_found", "no checkout %.40s", id);
	if (rc != SQLITE_ROW)
		return tl_sqlite_error(c, err, "checkout");
	rc = bad ? corrupt(err, "checkout", id) : read_lines(c, out, err);
	if (rc < 0)
		tl_checkout_release(out);
	return rc;
}

int tl_sqlite_checkouts_due(void *conn, int64_t now, tl_checkout_due *out, size_t max,
			   size_t *count, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT id, account_id FROM checkouts k"
		" WHERE status = 'open' AND expires_at <= ?1"
		" AND NOT EXISTS (SELECT 1 FROM job_failures f WHERE f.subject = k.id"
		" AND f.next_retry_at > ?1)" /* one a job failed on waits for its retry */
		" ORDER BY expires_at LIMIT ?2");
	*count = 0;
	if (st == NULL)
		return tl_sqlite_error(c, err, "checkout");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	int rc;
	while (*count < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_sqlite_copy_text(out[*count].id, sizeof(out[*count].id), st, 0);
		tl_sqlite_copy_text(out[*count].account_id, sizeof(out[*count].account_id), st, 1);
		(*count)++;
	}
	if (*count == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : tl_sqlite_error(c, err, "checkout");
}

/* ---- coupons ------------------------------------------------------------------- */

#define COUPON_COLUMNS "id, code, percent_off, amount_off, currency, starts_at, expires_at," \
	" max_redemptions, max_per_account, services, min_cycle_months, first_purchase_only," \
	" disabled, redemptions, created_at, updated_at"

static char *services_text(const tl_coupon *k)
{
	if (k->service_count == 0)
		return NULL;
	json_t *list = json_array();
	for (size_t i = 0; i < k->service_count; i++)
		json_array_append_new(list, json_string(k->services[i]));
	char *text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	return text;
}

static int write_coupon(sqlite_conn *c, const char *sql, const tl_coupon *k, int64_t now,
			bool update, tl_error *err)
{
	sqlite3_stmt *st = tl_sqlite_stmt(c, sql);
	if (st == NULL)
		return tl_sqlite_error(c, err, "coupon");
	char *services = services_text(k);
	if (k->service_count && services == NULL)
		return tl_error_set(err, TL_EINTERNAL, NULL, "out of memory");
	sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, k->percent_off);
	sqlite3_bind_int64(st, 4, k->amount_off);
	sqlite3_bind_text(st, 5, k->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, k->starts_at);
	sqlite3_bind_int64(st, 7, k->expires_at);
	sqlite3_bind_int64(st, 8, k->max_redemptions);
	sqlite3_bind_int64(st, 9, k->max_per_account);
	bind_opt(st, 10, services);
	sqlite3_bind_int(st, 11, k->min_cycle_months);
	sqlite3_bind_int(st, 12, k->first_purchase_only);
	sqlite3_bind_int(st, 13, k->disabled);
	sqlite3_bind_int64(st, 14, k->redemptions);
	sqlite3_bind_int64(st, 15, k->created_at);
	sqlite3_bind_int64(st, 16, now);
	int rc = tl_sqlite_step_done(c, st, err, "coupon");
	free(services);
	if (rc == 0 && update && sqlite3_changes(c->db) != 1)
		return tl_error_set(err, TL_ENOTFOUND, "coupon_not_found", "no coupon %.40s", k->id);
	return rc;
}

int tl_sqlite_coupon_insert(void *conn, const tl_coupon *k, int64_t now, tl_error *err)
{
	static const char sql[] = "INSERT INTO coupons (" COUPON_COLUMNS ") VALUES (?1, ?2, ?3,"
		" ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
	return write_coupon(conn, sql, k, now, false, err);
}

int tl_sqlite_coupon_update(void *conn, const tl_coupon *k, int64_t now, tl_error *err)
{
	/* a coupon's terms never change: only its state and its count */
	static const char sql[] = "UPDATE coupons SET disabled = ?13, redemptions = ?14,"
		" updated_at = ?16 WHERE id = ?1 AND code = ?2";
	return write_coupon(conn, sql, k, now, true, err);
}

static int read_coupon(sqlite3_stmt *st, tl_coupon *k)
{
	memset(k, 0, sizeof(*k));
	tl_sqlite_copy_text(k->id, sizeof(k->id), st, 0);
	tl_sqlite_copy_text(k->code, sizeof(k->code), st, 1);
	k->percent_off = sqlite3_column_int64(st, 2);
	k->amount_off = sqlite3_column_int64(st, 3);
	tl_sqlite_copy_text(k->currency, sizeof(k->currency), st, 4);
	k->starts_at = sqlite3_column_int64(st, 5);
	k->expires_at = sqlite3_column_int64(st, 6);
	k->max_redemptions = sqlite3_column_int64(st, 7);
	k->max_per_account = sqlite3_column_int64(st, 8);
	const unsigned char *services = sqlite3_column_text(st, 9);
	k->min_cycle_months = sqlite3_column_int(st, 10);
	k->first_purchase_only = sqlite3_column_int(st, 11) != 0;
	k->disabled = sqlite3_column_int(st, 12) != 0;
	k->redemptions = sqlite3_column_int64(st, 13);
	k->created_at = sqlite3_column_int64(st, 14);
	if (services == NULL)
		return 0;
	json_t *list = json_loads((const char *)services, 0, NULL), *s;
	size_t i;
	if (!json_is_array(list)) {
		json_decref(list);
		return -1;
	}
	json_array_foreach(list, i, s) {
		if (i >= TL_COUPON_SERVICES_MAX)
			break;
		snprintf(k->services[i], sizeof(k->services[i]), "%s",
			 json_string_value(s) ? json_string_value(s) : "");
		k->service_count = i + 1;
	}
	json_decref(list);
	return 0;
}

static int one_coupon(sqlite_conn *c, sqlite3_stmt *st, const char *what, tl_coupon *out,
		      tl_error *err)
{
	int rc = sqlite3_step(st), bad = rc == SQLITE_ROW ? read_coupon(st, out) : 0;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return tl_error_set(err, TL_ENOTFOUND, "coupon_not_found", "no coupon %.40s", what);
	if (rc != SQLITE_ROW)
		return tl_sqlite_error(c, err, "coupon");
	return bad ? corrupt(err, "coupon", what) : 0;
}

int tl_sqlite_coupon_get(void *conn, const char *id, tl_coupon *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " COUPON_COLUMNS " FROM coupons WHERE id = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "coupon");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return one_coupon(c, st, id, out, err);
}

int tl_sqlite_coupon_get_by_code(void *conn, const char *code, tl_coupon *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " COUPON_COLUMNS " FROM coupons"
					     " WHERE code = ?1");
	if (st == NULL)
		return tl_sqlite_error(c, err, "coupon");
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	return one_coupon(c, st, code, out, err);
}

int tl_sqlite_coupon_list(void *conn, const tl_page *page, tl_coupon *out, size_t *count,
			  tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT " COUPON_COLUMNS " FROM coupons"
		" WHERE (?1 IS NULL OR seq < (SELECT seq FROM coupons WHERE id = ?1))"
		" ORDER BY seq DESC LIMIT ?2");
	*count = 0;
	if (st == NULL)
		return tl_sqlite_error(c, err, "coupon");
	tl_sqlite_bind_page(st, 1, page);
	int rc = SQLITE_DONE, bad = 0;
	while (*count < (size_t)page->limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (read_coupon(st, &out[(*count)++]) < 0)
			bad = 1;
	if (*count == (size_t)page->limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tl_sqlite_error(c, err, "coupon");
	return bad ? corrupt(err, "coupon", "in the list") : 0;
}

int tl_sqlite_coupon_redemption_insert(void *conn, const char *id, const char *coupon_id,
				       const char *account_id, const char *checkout_id,
				       int64_t now, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "INSERT INTO coupon_redemptions (id, coupon_id,"
		" account_id, checkout_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL)
		return tl_sqlite_error(c, err, "coupon redemption");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, coupon_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, checkout_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	return tl_sqlite_step_done(c, st, err, "coupon redemption");
}

int tl_sqlite_coupon_redemptions_count(void *conn, const char *coupon_id,
				       const char *account_id, int64_t *out, tl_error *err)
{
	sqlite_conn *c = conn;
	sqlite3_stmt *st = tl_sqlite_stmt(c, "SELECT count(*) FROM coupon_redemptions"
		" WHERE coupon_id = ?1 AND account_id = ?2");
	if (st == NULL)
		return tl_sqlite_error(c, err, "coupon redemption");
	sqlite3_bind_text(st, 1, coupon_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, account_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : tl_sqlite_error(c, err, "coupon redemption");
}
