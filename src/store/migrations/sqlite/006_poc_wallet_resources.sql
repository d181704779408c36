-- 6: a POC wallet's resources, suspended and deleted with it at its
-- expiry: without this each wallet's step read every resource
CREATE INDEX resources_by_poc_wallet ON resources(poc_wallet_id)  WHERE poc_wallet_id IS NOT NULL;
