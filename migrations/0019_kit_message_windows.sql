-- Each production message's retry window starts at its own first attempt (upstream
-- §4.4), not when it was queued behind others. A sync names its subject (the instance's
-- tenant or application, or one user of it): a later sync of the same subject supersedes
-- an earlier one not yet delivered, which is then marked instead of being sent stale.
ALTER TABLE kit_jobs ADD COLUMN first_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kit_jobs ADD COLUMN subject TEXT NOT NULL DEFAULT '';
UPDATE kit_jobs SET first_attempt_at = created_at WHERE attempts > 0;
CREATE INDEX kit_jobs_by_subject ON kit_jobs (subject, seq);
