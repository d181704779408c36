-- 12 (issue 20, retention): the idempotency purge deletes by age;
-- without this index each pass would scan every stored answer
CREATE INDEX idempotency_by_age ON idempotency(created_at);
