-- 14 (issue 16): metered usage gets tables of its own instead of "usage"
-- documents. usage_records: one row per accepted record, integer columns,
-- clustered by (resource, start, end), which is both the duplicate rule
-- (the same period of the same resource is one record) and the order
-- reading a resource's records over a time range needs. usage_months: per
-- resource and month (of the record's start), the count and the
-- unit-minutes (sum of minutes x quantity) of its records, kept up to date
-- at ingestion in the same transaction, so month-end rating reads one row
-- per resource instead of every record.
CREATE TABLE usage_records (resource_seq INTEGER NOT NULL REFERENCES resources(seq),
  start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity >= 1),
  id TEXT NOT NULL, received_at INTEGER NOT NULL,
  CHECK (start_at < end_at AND end_at - start_at <= 2678400),
  PRIMARY KEY (resource_seq, start_at, end_at)) WITHOUT ROWID;
CREATE TABLE usage_months (resource_seq INTEGER NOT NULL REFERENCES resources(seq),
  month INTEGER NOT NULL, records INTEGER NOT NULL CHECK (records >= 1),
  unit_minutes INTEGER NOT NULL
    CHECK (typeof(unit_minutes) = 'integer' AND unit_minutes >= records),
  PRIMARY KEY (resource_seq, month)) WITHOUT ROWID;
INSERT INTO usage_records (resource_seq, start_at, end_at, quantity, id, received_at)
  SELECT r.seq, unixepoch(json_extract(d.body, '$.start')),
         unixepoch(json_extract(d.body, '$.end')), json_extract(d.body, '$.quantity'), d.id,
         d.created_at
  FROM documents d JOIN resources r ON r.id = d.ref WHERE d.kind = 'usage' ORDER BY d.seq;
INSERT INTO usage_months (resource_seq, month, records, unit_minutes)
  SELECT resource_seq, unixepoch(start_at, 'unixepoch', 'start of month'), count(*),
         sum((end_at - start_at + 59) / 60 * quantity)
  FROM usage_records GROUP BY 1, 2;
DELETE FROM documents WHERE kind = 'usage';
