-- 13 (issue 16, relational schema): gateway transactions and suspensions
-- leave the documents table for tables of their own (docs/ARCHITECTURE.md,
-- "Schema"). The documents of both kinds are copied and then deleted.
CREATE TABLE gateway_transactions (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  gateway TEXT NOT NULL, txn_id TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL CHECK (purpose IN ('checkout', 'top_up')),
  checkout_id TEXT, account_id TEXT NOT NULL REFERENCES accounts(id),
  amount INTEGER NOT NULL CHECK (amount > 0), currency TEXT NOT NULL CHECK (length(currency) = 3),
  status TEXT NOT NULL CHECK (status IN ('started', 'applied', 'kept_as_credit', 'cancelled', 'failed')),
  result TEXT CHECK (result IN ('paid', 'cancelled', 'failed')),
  top_up_transfer_id TEXT REFERENCES transfers(id), payment_id TEXT,
  gateway_ref TEXT, bank_code TEXT, reason TEXT, reason_message TEXT, notified_at INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  CHECK ((purpose = 'top_up') = (checkout_id IS NULL)),
  CHECK ((status = 'started') = (result IS NULL AND notified_at IS NULL)));
-- how many payments a checkout started (TL_GATEWAY_STARTS_PER_CHECKOUT_MAX)
CREATE INDEX gateway_transactions_by_checkout ON gateway_transactions(checkout_id)
  WHERE checkout_id IS NOT NULL;
-- an account's top-ups still waiting for the gateway (TL_GATEWAY_TOP_UPS_PENDING_MAX)
CREATE INDEX gateway_transactions_pending_top_ups ON gateway_transactions(account_id)
  WHERE purpose = 'top_up' AND status = 'started';
INSERT INTO gateway_transactions (id, gateway, txn_id, purpose, checkout_id, account_id,
  amount, currency, status, result, top_up_transfer_id, payment_id, gateway_ref, bank_code,
  reason, reason_message, notified_at, created_at, updated_at)
  SELECT id, json_extract(body, '$.gateway'), key,
  coalesce(json_extract(body, '$.purpose'), 'checkout'),
  nullif(json_extract(body, '$.checkout_id'), ''), account_id, json_extract(body, '$.amount'),
  json_extract(body, '$.currency'), status, json_extract(body, '$.result'),
  json_extract(body, '$.top_up_transfer_id'), json_extract(body, '$.payment_id'),
  json_extract(body, '$.gateway_ref'), json_extract(body, '$.bank_code'),
  json_extract(body, '$.reason'), json_extract(body, '$.reason_message'),
  json_extract(body, '$.notified_at'), created_at, updated_at
  FROM documents WHERE kind = 'gateway_txn' ORDER BY seq;
DELETE FROM documents WHERE kind = 'gateway_txn';
CREATE TABLE suspensions (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  resource_id TEXT NOT NULL REFERENCES resources(id),
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  start_at INTEGER NOT NULL, end_at INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  CHECK ((status = 'open') = (end_at IS NULL)), CHECK (end_at IS NULL OR end_at >= start_at));
-- a resource's suspensions, in order (rating; closing the open one)
CREATE INDEX suspensions_by_resource ON suspensions(resource_id, seq);
INSERT INTO suspensions (id, account_id, resource_id, status, start_at, end_at, created_at,
  updated_at)
  SELECT id, account_id, ref, status, json_extract(body, '$.start'), json_extract(body, '$.end'),
  created_at, updated_at FROM documents WHERE kind = 'suspension' ORDER BY seq;
DELETE FROM documents WHERE kind = 'suspension';
