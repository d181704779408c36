-- 17 (issue 18, webhooks): the transactional outbox and its deliveries.
-- An outbox row is written in the transaction of the change it reports
-- (service/audit.c), with one delivery per matching enabled endpoint, so a
-- committed change always has its event and its deliveries, across crashes.

-- Endpoints registered by the admin. The secret signs every delivery, so
-- it is kept as is (it cannot be hashed); the API shows it only once.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,                      -- we_...
    url TEXT NOT NULL,                        -- http(s) URL, checked at creation
    event_types TEXT NOT NULL,                -- JSON array of webhook types, or ["*"]
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    description TEXT NOT NULL DEFAULT '',
    secret TEXT NOT NULL,                     -- whsec_..., the HMAC-SHA256 key
    disabled_reason TEXT,                     -- 'failing' when the worker turned it off
    failing_since INTEGER,                    -- first failed attempt of the current run of failures
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The outbox. id is the audit event's id, so an event can be looked up in
-- the audit trail; seq orders events. data is the JSON payload's "data".
CREATE TABLE webhook_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    account_id TEXT,
    subject_id TEXT NOT NULL,                 -- the object; deliveries keep its order
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX webhook_events_by_age ON webhook_events(created_at);

-- One row per (event, endpoint): the delivery log.
CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,                  -- whd_...
    event_seq INTEGER NOT NULL REFERENCES webhook_events(seq) ON DELETE CASCADE,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    subject_id TEXT NOT NULL,                 -- copied from the event: the ordering key
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    last_attempt_at INTEGER,
    last_status INTEGER,                      -- HTTP status of the last attempt, 0: none
    last_error TEXT,                          -- why the last attempt failed
    last_latency_ms INTEGER CHECK (last_latency_ms IS NULL OR last_latency_ms >= 0),
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
-- the worker's query: due pending deliveries
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
-- order per endpoint and subject: is an earlier one still pending?
CREATE INDEX webhook_deliveries_order ON webhook_deliveries(endpoint_id, subject_id, status, seq);
-- an endpoint's delivery log, newest first
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, seq);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries(event_seq);
