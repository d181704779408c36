-- 8: when a POC wallet's next expiry step is due (NULL: none left).
-- The expiry sweep took the 500 soonest-expiring wallets that were not
-- finished, and a wallet stays unfinished for 7 days after its expiry:
-- with 500 in that window, none after them was ever reminded or
-- suspended. Every wallet not finished is due at once after this.
ALTER TABLE ledger_accounts ADD COLUMN next_step_at INTEGER DEFAULT 0;
UPDATE ledger_accounts SET next_step_at = NULL WHERE kind != 'poc' OR id IN  (SELECT subject FROM job_runs WHERE job = 'poc_expiry.done');
CREATE INDEX poc_wallets_next_step ON ledger_accounts(next_step_at)  WHERE kind = 'poc' AND next_step_at IS NOT NULL;
