-- Service supervision (§5.1): one per supervised order line, from the buyer's requirement
-- (or the seller's delivery) to acceptance. `since` is when the flow reached its node;
-- the appeal columns hold an appeal while it freezes the flow.
CREATE TABLE mkt_supervisions (
    id                TEXT PRIMARY KEY,
    order_id          TEXT NOT NULL REFERENCES mkt_orders (id),
    order_line_id     TEXT NOT NULL,
    subscription_id   TEXT,
    product_id        TEXT NOT NULL,
    product_name      TEXT NOT NULL,
    access_type       TEXT NOT NULL,
    buyer_user_id     TEXT NOT NULL,
    buyer_tenant_id   TEXT NOT NULL,
    seller_tenant_id  TEXT NOT NULL,
    flow              TEXT NOT NULL,
    state             TEXT NOT NULL,
    since             BIGINT NOT NULL,
    rejections        BIGINT NOT NULL DEFAULT 0,
    delivered         BIGINT NOT NULL DEFAULT 0,
    appeal_by         TEXT,
    appeal_ground     TEXT,
    appeal_frozen_at  TEXT,
    appealed_at       BIGINT,
    carrier           TEXT,
    tracking_number   TEXT,
    actual_start      BIGINT,
    valid_from        BIGINT,
    completed_at      BIGINT,
    settlement        TEXT NOT NULL DEFAULT 'held',
    version           BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX mkt_supervisions_by_line ON mkt_supervisions (order_line_id);
CREATE INDEX mkt_supervisions_by_order ON mkt_supervisions (order_id);
CREATE INDEX mkt_supervisions_by_buyer ON mkt_supervisions (buyer_user_id, created_at);
CREATE INDEX mkt_supervisions_by_seller ON mkt_supervisions (seller_tenant_id, created_at);
CREATE INDEX mkt_supervisions_by_state ON mkt_supervisions (state, appealed_at);

CREATE TABLE mkt_supervision_log (
    id             TEXT PRIMARY KEY,
    supervision_id TEXT NOT NULL REFERENCES mkt_supervisions (id),
    action         TEXT NOT NULL,
    actor          TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    attachments    TEXT NOT NULL DEFAULT '',
    at             BIGINT NOT NULL
);
CREATE INDEX mkt_supervision_log_by_supervision ON mkt_supervision_log (supervision_id, at);

-- Work orders (§5.2): `status` is the upstream code. The SLA is kept as the times it
-- needs (opened, accepted, resolved, ended) and its pauses.
CREATE TABLE mkt_work_orders (
    id               TEXT PRIMARY KEY,
    buyer_user_id    TEXT NOT NULL,
    buyer_tenant_id  TEXT NOT NULL,
    seller_tenant_id TEXT NOT NULL,
    order_id         TEXT,
    product_id       TEXT NOT NULL,
    product_name     TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    status           BIGINT NOT NULL,
    handler_user_id  TEXT,
    handler_name     TEXT,
    escalated        BIGINT NOT NULL DEFAULT 0,
    opened_at        BIGINT NOT NULL,
    accepted_at      BIGINT,
    resolved_at      BIGINT,
    ended_at         BIGINT,
    paused_since     BIGINT,
    paused_total     BIGINT NOT NULL DEFAULT 0,
    last_urged_at    BIGINT,
    cause            TEXT,
    solution         TEXT,
    version          BIGINT NOT NULL DEFAULT 0,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX mkt_work_orders_by_buyer ON mkt_work_orders (buyer_user_id, opened_at);
CREATE INDEX mkt_work_orders_by_seller ON mkt_work_orders (seller_tenant_id, opened_at);
CREATE INDEX mkt_work_orders_by_handler ON mkt_work_orders (handler_user_id, opened_at);
CREATE INDEX mkt_work_orders_escalated ON mkt_work_orders (escalated, opened_at);

-- Every action on a work order; messages carry their type (0 customer, 1 support).
CREATE TABLE mkt_work_order_log (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES mkt_work_orders (id),
    action        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    from_status   BIGINT NOT NULL,
    to_status     BIGINT NOT NULL,
    message_type  BIGINT,
    body          TEXT NOT NULL DEFAULT '',
    attachments   TEXT NOT NULL DEFAULT '',
    at            BIGINT NOT NULL
);
CREATE INDEX mkt_work_order_log_by_work_order ON mkt_work_order_log (work_order_id, at);
CREATE INDEX mkt_work_order_log_by_actor ON mkt_work_order_log (actor_id, work_order_id);

-- In-site messages: addressed to a user, to a tenant (every user of it reads it), or to
-- the operators; read per user.
CREATE TABLE mkt_inbox (
    id           TEXT PRIMARY KEY,
    audience     TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    event        TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX mkt_inbox_by_recipient ON mkt_inbox (audience, recipient, created_at);

CREATE TABLE mkt_inbox_reads (
    message_id TEXT NOT NULL REFERENCES mkt_inbox (id),
    user_id    TEXT NOT NULL,
    read_at    BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
