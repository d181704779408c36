-- 3: documents: checkouts, coupons, invoices, payments and resources,
-- each a JSON body owned by its domain module, with the columns its
-- queries need. Invoice numbers come from counters, in the same
-- transaction as the invoice, so they have no gaps.
CREATE TABLE documents (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,  id TEXT NOT NULL UNIQUE, account_id TEXT, key TEXT, ref TEXT,  status TEXT NOT NULL, due_at INTEGER NOT NULL, body TEXT NOT NULL,  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE UNIQUE INDEX documents_by_key ON documents(kind, key) WHERE key IS NOT NULL;
CREATE INDEX documents_by_account ON documents(kind, account_id, seq);
CREATE INDEX documents_by_ref ON documents(kind, ref, seq) WHERE ref IS NOT NULL;
CREATE INDEX documents_due ON documents(kind, status, due_at);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
