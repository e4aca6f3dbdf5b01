-- Upgrade rules (§5.4): a SaaS product's source SKU that a live subscription may be
-- upgraded to a target SKU from. Whether a rule holds is decided when it is read, from
-- the product on sale (delisting, billing, prices), so the seller sees why it does not.
CREATE TABLE mkt_upgrade_rules (
    id               TEXT PRIMARY KEY,
    seller_tenant_id TEXT NOT NULL,
    product_id       TEXT NOT NULL,
    source_sku       TEXT NOT NULL,
    target_sku       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX mkt_upgrade_rules_pair ON mkt_upgrade_rules (product_id, source_sku, target_sku);
CREATE INDEX mkt_upgrade_rules_by_seller ON mkt_upgrade_rules (seller_tenant_id, product_id);
