-- 15 (issue 16): invoices (with their lines and the transfers that paid them) and
-- payments (with the invoices they paid) get tables of their own, with
-- typed columns: money in minor units of `currency`, statuses and kinds
-- checked, references as foreign keys. The invoice and payment documents
-- move into them, in their order (seq), and leave the documents table.
-- Invoice numbers still come from the counters table ('invoice:<year>'),
-- which is untouched: numbering goes on without a gap.
CREATE TABLE invoices (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  number TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  resource_id TEXT NOT NULL REFERENCES resources(id),
  resource_name TEXT NOT NULL, service TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('purchase', 'conversion', 'renewal', 'recovery',
    'usage', 'credit_note')),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
  subtotal INTEGER NOT NULL CHECK (subtotal >= 0),
  discount INTEGER NOT NULL CHECK (discount >= 0),
  coupon_code TEXT,
  tax INTEGER NOT NULL CHECK (tax >= 0),
  total INTEGER NOT NULL CHECK (total >= 0),
  amount_paid INTEGER NOT NULL CHECK (amount_paid >= 0 AND amount_paid <= total),
  status TEXT NOT NULL CHECK (status IN ('unpaid', 'partial_paid', 'paid')),
  payment_id TEXT, checkout_id TEXT,
  credits TEXT REFERENCES invoices(id),
  issued_at INTEGER NOT NULL, due_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  CHECK (total = subtotal - discount + tax),
  CHECK ((status = 'paid') = (amount_paid = total)),
  CHECK ((kind = 'credit_note') = (credits IS NOT NULL)));
CREATE INDEX invoices_by_account ON invoices(account_id, seq);
CREATE INDEX invoices_by_resource ON invoices(resource_id, seq);
CREATE INDEX invoices_open ON invoices(status, due_at) WHERE status IN ('unpaid', 'partial_paid');
CREATE TABLE invoice_lines (invoice_id TEXT NOT NULL REFERENCES invoices(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  item_id TEXT NOT NULL, description TEXT NOT NULL, unit TEXT NOT NULL,
  unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  cycle_months INTEGER NOT NULL CHECK (cycle_months >= 0),
  gross INTEGER NOT NULL CHECK (gross >= 0),
  cycle_discount INTEGER NOT NULL CHECK (cycle_discount >= 0),
  coupon_code TEXT,
  coupon_discount INTEGER NOT NULL CHECK (coupon_discount >= 0),
  tax_rate_bp INTEGER NOT NULL CHECK (tax_rate_bp >= 0),
  tax INTEGER NOT NULL CHECK (tax >= 0),
  total INTEGER NOT NULL CHECK (total >= 0),
  PRIMARY KEY (invoice_id, position));
CREATE TABLE invoice_transfers (invoice_id TEXT NOT NULL REFERENCES invoices(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  transfer_id TEXT NOT NULL REFERENCES transfers(id),
  PRIMARY KEY (invoice_id, position));
CREATE TABLE payments (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  method TEXT NOT NULL CHECK (method IN ('credit', 'gateway', 'hold')),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  checkout_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('succeeded')),
  hold_id TEXT REFERENCES transfers(id),
  created_at INTEGER NOT NULL,
  CHECK ((method = 'hold') = (hold_id IS NOT NULL)));
CREATE INDEX payments_by_account ON payments(account_id, seq);
CREATE TABLE payment_invoices (payment_id TEXT NOT NULL REFERENCES payments(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  PRIMARY KEY (payment_id, position));
CREATE INDEX payment_invoices_by_invoice ON payment_invoices(invoice_id);
INSERT INTO invoices (seq, id, number, account_id, resource_id, resource_name, service, kind,
  currency, period_start, period_end, subtotal, discount, coupon_code, tax, total,
  amount_paid, status, payment_id, checkout_id, credits, issued_at, due_at, created_at,
  updated_at)
  SELECT seq, id, json_extract(body, '$.number'), json_extract(body, '$.account_id'),
  json_extract(body, '$.resource_id'), json_extract(body, '$.resource_name'),
  json_extract(body, '$.service'), json_extract(body, '$.kind'),
  json_extract(body, '$.currency'),
  coalesce(unixepoch(json_extract(body, '$.period.start')), 0),
  coalesce(unixepoch(json_extract(body, '$.period.end')), 0),
  json_extract(body, '$.subtotal'), json_extract(body, '$.discount'),
  json_extract(body, '$.coupon_code'), json_extract(body, '$.tax'),
  json_extract(body, '$.total'), json_extract(body, '$.amount_paid'),
  json_extract(body, '$.status'), json_extract(body, '$.payment_id'),
  json_extract(body, '$.checkout_id'), json_extract(body, '$.credits'),
  unixepoch(json_extract(body, '$.issued_at')), due_at, created_at, updated_at
  FROM documents WHERE kind = 'invoice' ORDER BY seq;
INSERT INTO invoice_lines (invoice_id, position, item_id, description, unit, unit_price,
  quantity, cycle_months, gross, cycle_discount, coupon_code, coupon_discount, tax_rate_bp,
  tax, total)
  SELECT d.id, l.key, json_extract(l.value, '$.item_id'),
  json_extract(l.value, '$.description'), json_extract(l.value, '$.unit'),
  json_extract(l.value, '$.unit_price'), json_extract(l.value, '$.quantity'),
  json_extract(l.value, '$.cycle_months'), json_extract(l.value, '$.gross'),
  json_extract(l.value, '$.cycle_discount'), json_extract(l.value, '$.coupon_code'),
  json_extract(l.value, '$.coupon_discount'), json_extract(l.value, '$.tax_rate_bp'),
  json_extract(l.value, '$.tax'), json_extract(l.value, '$.total')
  FROM documents d, json_each(d.body, '$.lines') l WHERE d.kind = 'invoice';
INSERT INTO invoice_transfers (invoice_id, position, transfer_id)
  SELECT d.id, t.key, t.value
  FROM documents d, json_each(d.body, '$.transfer_ids') t WHERE d.kind = 'invoice';
INSERT INTO payments (seq, id, account_id, method, amount, currency, checkout_id, status,
  hold_id, created_at)
  SELECT seq, id, json_extract(body, '$.account_id'), json_extract(body, '$.method'),
  json_extract(body, '$.amount'), json_extract(body, '$.currency'),
  json_extract(body, '$.checkout_id'), json_extract(body, '$.status'),
  json_extract(body, '$.hold_id'), unixepoch(json_extract(body, '$.created_at'))
  FROM documents WHERE kind = 'payment' ORDER BY seq;
INSERT INTO payment_invoices (payment_id, position, invoice_id)
  SELECT d.id, i.key, i.value
  FROM documents d, json_each(d.body, '$.invoice_ids') i WHERE d.kind = 'payment';
DELETE FROM documents WHERE kind IN ('invoice', 'payment');
