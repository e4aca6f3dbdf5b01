-- Instances of joint-operation apps: one per (app, buyer tenant) while it is open
-- (opening, live or frozen), created by a NEW order's line. `open_key` is
-- `{app_id}/{buyer_tenant_id}` while open and NULL after (released, failed), so the
-- unique index allows one open instance per pair on SQLite and PostgreSQL alike. `version`
-- makes every change a conditional UPDATE: of two instances of unilogin racing, one wins.
CREATE TABLE kit_instances (
    id                 TEXT PRIMARY KEY,
    app_id             TEXT NOT NULL REFERENCES kit_apps (id),
    seller_tenant_id   TEXT NOT NULL,
    buyer_tenant_id    TEXT NOT NULL,
    buyer_user_id      TEXT NOT NULL,
    order_id           TEXT NOT NULL,
    order_line_id      TEXT NOT NULL,
    state              TEXT NOT NULL,
    open_key           TEXT,
    seller_instance_id TEXT NOT NULL DEFAULT '',
    client_id          TEXT NOT NULL,
    expires_at         BIGINT,
    frozen_until       BIGINT,
    version            BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX kit_instances_by_line ON kit_instances (order_line_id);
CREATE UNIQUE INDEX kit_instances_open ON kit_instances (open_key);
CREATE INDEX kit_instances_by_tenant ON kit_instances (buyer_tenant_id, created_at);
CREATE INDEX kit_instances_by_state ON kit_instances (state, expires_at);

-- Every change of an instance: one row, written in the change's transaction.
CREATE TABLE kit_instance_log (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES kit_instances (id),
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX kit_instance_log_by_instance ON kit_instance_log (instance_id, at);

-- The calls of one instance are made in the order they were enqueued (a freeze before
-- its unfreeze): `seq` orders them, and a job waits while an earlier one of its instance
-- is pending.
ALTER TABLE kit_jobs ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX kit_jobs_by_instance ON kit_jobs (instance_id, status, seq);
