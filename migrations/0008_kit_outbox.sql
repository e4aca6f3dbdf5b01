-- The joint-operation kit's outbox: one row per call to a seller's production URL
-- (an activity of the production interface). A row is claimed by a conditional UPDATE
-- (lease_owner, lease_until), so exactly one instance makes each attempt; it is retried
-- on the upstream schedule until give_up_at, then marked failed and listed to the
-- seller, who can start it again. The unique idempotency key makes a repeated request
-- (a retried order, a second click) find the job it already created.
CREATE TABLE kit_jobs (
    id               TEXT PRIMARY KEY,
    seller_tenant_id TEXT NOT NULL,
    app_id           TEXT NOT NULL,
    instance_id      TEXT NOT NULL DEFAULT '',
    activity         TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    give_up_at       BIGINT NOT NULL,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    answer           TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX kit_jobs_idempotency ON kit_jobs (idempotency_key);
CREATE INDEX kit_jobs_due ON kit_jobs (status, next_attempt_at);
CREATE INDEX kit_jobs_by_seller ON kit_jobs (seller_tenant_id, status, updated_at);
