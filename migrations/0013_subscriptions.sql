-- Subscriptions: one per order line that starts something (NEW, TRIAL). Every later order
-- line of the same purchase (RENEW, CHANGE, TRIAL_TO_FORMAL, UNSUBSCRIBE) names it in
-- `subscription_id`. `version` makes each change a conditional UPDATE, with one log row.
-- (No foreign key to the order: the subscription is written first, in the order's
-- transaction, so that the line can name it.)
CREATE TABLE mkt_subscriptions (
    id               TEXT PRIMARY KEY,
    order_id         TEXT NOT NULL,
    order_line_id    TEXT NOT NULL,
    product_id       TEXT NOT NULL,
    product_name     TEXT NOT NULL,
    sku_code         TEXT NOT NULL,
    buyer_user_id    TEXT NOT NULL,
    buyer_tenant_id  TEXT NOT NULL,
    seller_tenant_id TEXT NOT NULL,
    billing          TEXT NOT NULL,
    state            TEXT NOT NULL,
    expires_at       BIGINT,
    frozen_until     BIGINT,
    version          BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX mkt_subscriptions_by_line ON mkt_subscriptions (order_line_id);
CREATE INDEX mkt_subscriptions_by_buyer ON mkt_subscriptions (buyer_user_id, created_at);
CREATE INDEX mkt_subscriptions_by_seller ON mkt_subscriptions (seller_tenant_id, created_at);
CREATE INDEX mkt_subscriptions_by_state ON mkt_subscriptions (state, expires_at);

CREATE TABLE mkt_subscription_log (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES mkt_subscriptions (id),
    action          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    from_state      TEXT NOT NULL,
    to_state        TEXT NOT NULL,
    order_id        TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL
);
CREATE INDEX mkt_subscription_log_by_subscription ON mkt_subscription_log (subscription_id, at);

-- One free trial per buyer tenant (or, without a tenant, per buyer) and product: the
-- primary key is the rule, so two concurrent trials cannot both be stored.
CREATE TABLE mkt_trials (
    buyer_key  TEXT NOT NULL,
    product_id TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    PRIMARY KEY (buyer_key, product_id)
);

-- Which subscription a line belongs to, and when its period starts (a renewal starts
-- where the period it extends ends).
ALTER TABLE mkt_order_lines ADD COLUMN subscription_id TEXT;
ALTER TABLE mkt_order_lines ADD COLUMN starts_at BIGINT;
CREATE INDEX mkt_order_lines_by_subscription ON mkt_order_lines (subscription_id);

-- Orders placed before subscriptions existed: each starting line gets its subscription,
-- its follow-ups point to it, and the sweep expires what is past its period.
INSERT INTO mkt_subscriptions (id, order_id, order_line_id, product_id, product_name, sku_code,
    buyer_user_id, buyer_tenant_id, seller_tenant_id, billing, state, expires_at,
    frozen_until, version, created_at, updated_at)
SELECT 'sub-' || l.id, o.id, l.id, l.product_id, l.product_name, l.sku_code,
    o.buyer_user_id, o.buyer_tenant_id, o.seller_tenant_id,
    CASE WHEN l.charging_mode = 'PERIOD' THEN 'period' ELSE 'once' END,
    CASE
        WHEN EXISTS (SELECT 1 FROM mkt_orders u
                     WHERE u.related_order_id = o.id AND u.order_type = 'UNSUBSCRIBE')
            THEN 'unsubscribed'
        WHEN o.order_type = 'TRIAL' AND NOT EXISTS (SELECT 1 FROM mkt_orders f
                     WHERE f.related_order_id = o.id AND f.order_type = 'TRIAL_TO_FORMAL')
            THEN 'trial'
        ELSE 'live'
    END,
    (SELECT MAX(fl.expire_time) FROM mkt_order_lines fl JOIN mkt_orders f ON f.id = fl.order_id
     WHERE (f.id = o.id OR f.related_order_id = o.id) AND f.order_type <> 'UNSUBSCRIBE'),
    NULL, 0, o.created_at, o.created_at
FROM mkt_order_lines l JOIN mkt_orders o ON o.id = l.order_id
WHERE o.order_type IN ('NEW', 'TRIAL');

UPDATE mkt_order_lines SET subscription_id = 'sub-' || id
WHERE order_id IN (SELECT id FROM mkt_orders WHERE order_type IN ('NEW', 'TRIAL'));
UPDATE mkt_order_lines SET subscription_id = (
    SELECT MIN(s.id) FROM mkt_subscriptions s JOIN mkt_orders f ON f.related_order_id = s.order_id
    WHERE f.id = mkt_order_lines.order_id)
WHERE subscription_id IS NULL;

INSERT INTO mkt_trials (buyer_key, product_id, order_id)
SELECT CASE WHEN o.buyer_tenant_id = '' THEN 'user:' || o.buyer_user_id
            ELSE 'tenant:' || o.buyer_tenant_id END,
       l.product_id, MIN(o.id)
FROM mkt_orders o JOIN mkt_order_lines l ON l.order_id = o.id
WHERE o.order_type = 'TRIAL'
GROUP BY 1, 2;

-- Unsubscribe requests (§5.7): one open per subscription (`open_key` is the subscription
-- while the request is open, NULL after, under a unique index).
CREATE TABLE mkt_unsubscribe_requests (
    id               TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL REFERENCES mkt_subscriptions (id),
    order_id         TEXT NOT NULL REFERENCES mkt_orders (id),
    buyer_user_id    TEXT NOT NULL,
    buyer_tenant_id  TEXT NOT NULL,
    seller_tenant_id TEXT NOT NULL,
    product_name     TEXT NOT NULL,
    hardware         BIGINT NOT NULL,
    rule             TEXT NOT NULL,
    reason_type      TEXT NOT NULL,
    reason           TEXT NOT NULL,
    refund_amount    BIGINT,
    order_amount     BIGINT NOT NULL,
    state            TEXT NOT NULL,
    open_key         TEXT,
    return_due_at    BIGINT,
    return_carrier   TEXT,
    return_tracking  TEXT,
    unsubscribe_order_id TEXT,
    version          BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX mkt_unsubscribe_requests_open ON mkt_unsubscribe_requests (open_key);
CREATE INDEX mkt_unsubscribe_requests_by_buyer ON mkt_unsubscribe_requests (buyer_user_id, created_at);
CREATE INDEX mkt_unsubscribe_requests_by_seller ON mkt_unsubscribe_requests (seller_tenant_id, created_at);
CREATE INDEX mkt_unsubscribe_requests_by_state ON mkt_unsubscribe_requests (state, return_due_at);

-- Every step of a request, with who took it, the comment and the evidence (attachment ids).
CREATE TABLE mkt_unsubscribe_log (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES mkt_unsubscribe_requests (id),
    action       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    from_state   TEXT NOT NULL,
    to_state     TEXT NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    attachments  TEXT NOT NULL DEFAULT '',
    at           BIGINT NOT NULL
);
CREATE INDEX mkt_unsubscribe_log_by_request ON mkt_unsubscribe_log (request_id, at);

-- An invoice requested for an order: no 5-day no-reason refund after it, and a pending
-- unsubscribe request of the order fails.
CREATE TABLE mkt_invoice_requests (
    order_id      TEXT PRIMARY KEY REFERENCES mkt_orders (id),
    buyer_user_id TEXT NOT NULL,
    title         TEXT NOT NULL,
    tax_id        TEXT NOT NULL,
    requested_at  BIGINT NOT NULL
);

-- A hardware order's shipment: in transit from `shipped_at` until the buyer confirms
-- receipt.
CREATE TABLE mkt_shipments (
    order_id        TEXT PRIMARY KEY REFERENCES mkt_orders (id),
    carrier         TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    shipped_at      BIGINT NOT NULL,
    received_at     BIGINT
);

-- Files the parties attach (evidence now; requirements and reports later). The content
-- is base64 in TEXT so that both backends store it alike; `subject` is what it was
-- attached to (empty until then), which decides who else may read it.
CREATE TABLE mkt_attachments (
    id              TEXT PRIMARY KEY,
    owner_user_id   TEXT NOT NULL,
    owner_tenant_id TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    content         TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX mkt_attachments_by_subject ON mkt_attachments (subject);
