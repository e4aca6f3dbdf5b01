-- The customer service provider plan (§5.8): tenants an operator registered as partners
-- (after their business certification), each with the discount it is authorized to give
-- per product, as basis points of the price paid (8500: 85 % paid, "8.5 折"). A reseller
-- names its distributor: it qualifies while the distributor does, and is authorized no
-- deeper than the distributor.
CREATE TABLE mkt_partners (
    tenant_id     TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    distributor_tenant_id TEXT,
    state         TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE mkt_partner_authorizations (
    tenant_id  TEXT NOT NULL REFERENCES mkt_partners (tenant_id),
    product_id TEXT NOT NULL,
    paid_bp    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, product_id)
);

-- A partner's exclusive discount for one designated customer account and product: a
-- product quote (every SKU) or a configuration quote (one SKU). Within the authorized
-- discount it is effective at once; deeper, it waits for an operator. `link_token` is the
-- private link's secret; one order uses the discount.
CREATE TABLE mkt_discounts (
    id                TEXT PRIMARY KEY,
    partner_tenant_id TEXT NOT NULL REFERENCES mkt_partners (tenant_id),
    partner_user_id   TEXT NOT NULL,
    customer_user_id  TEXT NOT NULL,
    product_id        TEXT NOT NULL,
    product_name      TEXT NOT NULL,
    seller_tenant_id  TEXT NOT NULL,
    quote_type        TEXT NOT NULL,
    sku_code          TEXT,
    paid_bp           BIGINT NOT NULL,
    authorized_bp     BIGINT NOT NULL,
    state             TEXT NOT NULL,
    link_token        TEXT NOT NULL,
    valid_until       BIGINT NOT NULL,
    order_id          TEXT,
    comment           TEXT NOT NULL DEFAULT '',
    version           BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX mkt_discounts_by_link ON mkt_discounts (link_token);
CREATE INDEX mkt_discounts_by_partner ON mkt_discounts (partner_tenant_id, created_at);
CREATE INDEX mkt_discounts_by_state ON mkt_discounts (state, created_at);

CREATE TABLE mkt_discount_log (
    id          TEXT PRIMARY KEY,
    discount_id TEXT NOT NULL REFERENCES mkt_discounts (id),
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX mkt_discount_log_by_discount ON mkt_discount_log (discount_id, at);

-- An order through a partner's link names the discount and binds the partner.
ALTER TABLE mkt_order_lines ADD COLUMN discount_id TEXT;
ALTER TABLE mkt_order_lines ADD COLUMN partner_tenant_id TEXT;
