-- 2: the ledger. The CHECKs repeat the domain's invariants so that even
-- a bug above the store cannot overdraw a wallet.
CREATE TABLE ledger_accounts (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,  account_id TEXT REFERENCES accounts(id), kind TEXT NOT NULL,  currency TEXT NOT NULL, flags INTEGER NOT NULL, expires_at INTEGER NOT NULL,  cluster_id TEXT, posted_debits INTEGER NOT NULL DEFAULT 0,  posted_credits INTEGER NOT NULL DEFAULT 0, pending_debits INTEGER NOT NULL DEFAULT 0,  pending_credits INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,  CHECK (posted_debits >= 0 AND posted_credits >= 0 AND pending_debits >= 0         AND pending_credits >= 0),  CHECK ((flags & 1) = 0 OR posted_debits + pending_debits <= posted_credits));
CREATE INDEX ledger_accounts_by_account ON ledger_accounts(account_id, seq);
CREATE TABLE transfers (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,  debit_account TEXT NOT NULL, credit_account TEXT NOT NULL,  amount INTEGER NOT NULL CHECK (amount >= 0), code TEXT NOT NULL,  reference TEXT NOT NULL, kind INTEGER NOT NULL, pending_id TEXT,  expires_at INTEGER NOT NULL, state TEXT NOT NULL, resolved_amount INTEGER NOT NULL,  created_at INTEGER NOT NULL);
CREATE INDEX transfers_by_debit ON transfers(debit_account, seq);
CREATE INDEX transfers_by_credit ON transfers(credit_account, seq);
CREATE INDEX transfers_due ON transfers(expires_at) WHERE state = 'pending'  AND expires_at > 0;
-- credit wallets of the accounts made before the ledger existed
INSERT INTO ledger_accounts (id, account_id, kind, currency, flags, expires_at,  created_at) SELECT 'cw_' || substr(id, 5), id, 'credit', currency, 1, 0, created_at  FROM accounts;
