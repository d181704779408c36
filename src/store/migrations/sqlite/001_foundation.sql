-- 1: foundation
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accounts (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,  name TEXT NOT NULL, currency TEXT NOT NULL, type TEXT NOT NULL,  created_at INTEGER NOT NULL);
CREATE TABLE tokens (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,  account_id TEXT NOT NULL REFERENCES accounts(id), secret_hash BLOB NOT NULL,  created_at INTEGER NOT NULL);
CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,  account_id TEXT, actor TEXT NOT NULL, type TEXT NOT NULL,  subject_id TEXT NOT NULL, before TEXT, after TEXT, created_at INTEGER NOT NULL);
CREATE INDEX events_by_account ON events(account_id, seq);
CREATE TABLE idempotency (scope TEXT NOT NULL, key TEXT NOT NULL,  fingerprint BLOB NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,  created_at INTEGER NOT NULL, PRIMARY KEY (scope, key));
