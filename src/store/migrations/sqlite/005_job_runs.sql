-- 5: job runs, keyed so that no job does a thing twice for one subject
-- and period, whatever crashes or restarts in between
CREATE TABLE job_runs (job TEXT NOT NULL, subject TEXT NOT NULL, period TEXT NOT NULL,  done_at INTEGER NOT NULL, PRIMARY KEY (job, subject, period));
CREATE INDEX ledger_accounts_poc_expiry ON ledger_accounts(expires_at)  WHERE kind = 'poc';
CREATE INDEX resources_term_due ON resources(term_end) WHERE billing_mode = 'prepaid'  AND status IN ('active', 'suspended');
