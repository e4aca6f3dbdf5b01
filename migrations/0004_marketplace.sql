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
