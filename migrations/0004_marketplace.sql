-- The marketplace's own tables (prefix mkt_). It reads nothing of the identity provider's
-- but what tokens carry: user ids (sub) and tenant ids.

-- Tenants registered as merchants: their users are sellers.
CREATE TABLE mkt_merchants (
    tenant_id  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Platform reviewers, by user id.
CREATE TABLE mkt_operators (
    user_id    TEXT PRIMARY KEY,
    granted_at BIGINT NOT NULL
);

-- A merchant's access keys for the signed open API. The secret key is sealed with
-- AES-256-GCM under a key kept in UNILOGIN_KEYS_DIR: base64(nonce || ciphertext || tag).
CREATE TABLE mkt_access_keys (
    access_key    TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES mkt_merchants (tenant_id),
    secret_sealed TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX mkt_access_keys_by_tenant ON mkt_access_keys (tenant_id);

-- Products. `content` is the approved JSON (name, description, category, access type,
-- specs); NULL until the first approval, while the product is `in_review`.
CREATE TABLE mkt_products (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES mkt_merchants (tenant_id),
    status     TEXT NOT NULL,
    content    TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mkt_products_by_status ON mkt_products (status, created_at);

-- Review applications: each publication or modification of a product. `seq` orders a
-- product's applications; the unique index makes two concurrent submissions for one
-- product collide instead of both becoming pending.
CREATE TABLE mkt_applications (
    id         TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES mkt_products (id),
    tenant_id  TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL,
    content    TEXT NOT NULL,
    reason     TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX mkt_applications_by_product ON mkt_applications (product_id, seq);
CREATE INDEX mkt_applications_by_tenant ON mkt_applications (tenant_id, created_at);
CREATE INDEX mkt_applications_by_status ON mkt_applications (status, created_at);

-- One entry per state change, written in the same transaction as the change.
CREATE TABLE mkt_application_log (
    application_id TEXT NOT NULL REFERENCES mkt_applications (id),
    seq            BIGINT NOT NULL,
    at             BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, seq)
);

-- Orders. Ids follow the upstream form; a line id is the order id + "-000001".
-- A retried POST with the same Idempotency-Key finds the order through the unique index.
CREATE TABLE mkt_orders (
    id              TEXT PRIMARY KEY,
    order_type      TEXT NOT NULL,
    buyer_user_id   TEXT NOT NULL,
    buyer_tenant_id TEXT NOT NULL,
    seller_tenant_id TEXT NOT NULL REFERENCES mkt_merchants (tenant_id),
    related_order_id TEXT,
    idempotency_key TEXT,
    request_hash    TEXT,
    shipping        TEXT,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX mkt_orders_idempotency ON mkt_orders (buyer_user_id, idempotency_key);
CREATE INDEX mkt_orders_by_buyer ON mkt_orders (buyer_user_id, created_at);
CREATE INDEX mkt_orders_by_seller ON mkt_orders (seller_tenant_id, created_at);

CREATE TABLE mkt_order_lines (
    id             TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL REFERENCES mkt_orders (id),
    product_id     TEXT NOT NULL,
    product_name   TEXT NOT NULL,
    sku_code       TEXT NOT NULL,
    charging_mode  TEXT NOT NULL,
    period_type    TEXT,
    period_number  BIGINT,
    quantity       BIGINT NOT NULL,
    unit_price     BIGINT NOT NULL,
    amount         BIGINT NOT NULL,
    expire_time    BIGINT
);
CREATE INDEX mkt_order_lines_by_order ON mkt_order_lines (order_id);
