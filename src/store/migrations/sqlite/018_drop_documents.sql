-- 18 (issue 16): the documents table goes. Migrations 13 to 16 moved every
-- kind it held (gateway transactions, suspensions, usage, invoices,
-- payments, checkouts, coupons, redemptions) into tables of their own and
-- deleted the copied rows. A row still there is a kind no migration knows:
-- dropping it would lose data, so the guard's CHECK fails the migration
-- (and tallyd refuses to start, naming it) instead.
CREATE TEMP TABLE documents_left_behind (kinds TEXT,
  CHECK (kinds IS NULL));
INSERT INTO documents_left_behind
  SELECT group_concat(DISTINCT kind) FROM documents;
DROP TABLE documents_left_behind;
DROP TABLE documents;
