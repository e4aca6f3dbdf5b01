-- A seller's joint-operation app for one of its SaaS products: where the portal sends
-- its users (home, redirect and post-logout URIs), its production URL, the RSA public
-- key its instances' secrets are delivered under, and the access key bound to each
-- interface category (basic, kit sync, generic: three different keys). Its id is the
-- appId of the portal link.
CREATE TABLE kit_apps (
    id               TEXT PRIMARY KEY,
    seller_tenant_id TEXT NOT NULL REFERENCES mkt_merchants (tenant_id),
    product_id       TEXT NOT NULL REFERENCES mkt_products (id),
    name             TEXT NOT NULL,
    home_url         TEXT NOT NULL,
    redirect_uris    TEXT NOT NULL,
    post_logout_uris TEXT NOT NULL,
    production_url   TEXT NOT NULL,
    public_key       TEXT NOT NULL,
    basic_key        TEXT NOT NULL,
    sync_key         TEXT NOT NULL,
    generic_key      TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX kit_apps_by_product ON kit_apps (product_id);
CREATE INDEX kit_apps_by_seller ON kit_apps (seller_tenant_id, created_at);
