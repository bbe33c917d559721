-- Qiusuo schema v3: when a job last joined the queue (its submission, or its last
-- preemption). The scheduler lets a job that has waited long enough preempt borrowers.

ALTER TABLE jobs ADD COLUMN queued_at BIGINT NOT NULL DEFAULT 0;
UPDATE jobs SET queued_at = submitted_at;
