-- 10: a token's scope: every token so far acts for its account; a
-- "metering" token only submits usage (metered usage is the
-- provider's word, not the customer's)
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'account';
