-- 11: the subjects a job failed on (one row per job and subject,
-- removed when it succeeds), so one failing account or resource is
-- retried on its own schedule instead of failing every pass for all;
-- the sweeps leave out a subject until its next_retry_at
CREATE TABLE job_failures (seq INTEGER PRIMARY KEY, job TEXT NOT NULL,  subject TEXT NOT NULL, account_id TEXT, code TEXT NOT NULL, message TEXT NOT NULL,  attempts INTEGER NOT NULL, first_failed_at INTEGER NOT NULL,  last_failed_at INTEGER NOT NULL, next_retry_at INTEGER NOT NULL,  UNIQUE (job, subject));
CREATE INDEX job_failures_by_subject ON job_failures(subject, next_retry_at);
