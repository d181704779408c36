-- 7: the accounts with postpaid use, looked for by every job pass (the
-- reconciliation and the daily hold), which read every resource
CREATE INDEX resources_postpaid ON resources(account_id)  WHERE billing_mode = 'postpaid' AND type != 'cluster';
