-- 9: when a prepaid resource's next term step is due (NULL: none
-- left); any update of the resource makes it due at once. The renewal
-- sweep took the 500 soonest-ending terms, resources with nothing to
-- do among them (no auto-renew, retried today, waiting for deletion),
-- and with 500 of those no later term was ever renewed.
ALTER TABLE resources ADD COLUMN next_step_at INTEGER DEFAULT 0;
CREATE INDEX resources_next_step ON resources(next_step_at)  WHERE billing_mode = 'prepaid' AND type != 'cluster' AND next_step_at IS NOT NULL;
