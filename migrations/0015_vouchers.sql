-- The pricing pipeline's steps on every order line (list price → exclusive discount →
-- voucher → amount), so that the buyer, the seller and the open API read the same
-- numbers. Lines written before keep their amount as their list price.
ALTER TABLE mkt_order_lines ADD COLUMN list_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mkt_order_lines ADD COLUMN discount_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mkt_order_lines ADD COLUMN voucher_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mkt_order_lines ADD COLUMN voucher_id TEXT;
UPDATE mkt_order_lines SET list_amount = amount;

-- Vouchers (§5.3): what a seller publishes. `claimed` only grows, by a conditional
-- UPDATE below `total_quantity`, so concurrent claims cannot hand out more.
-- `scope_items` is a JSON array of {productId, skuCode?} (empty for scope 'all').
CREATE TABLE mkt_vouchers (
    id               TEXT PRIMARY KEY,
    seller_tenant_id TEXT NOT NULL,
    name             TEXT NOT NULL,
    face_value       BIGINT NOT NULL,
    minimum_spend    BIGINT NOT NULL,
    valid_from       BIGINT NOT NULL,
    valid_until      BIGINT NOT NULL,
    scope            TEXT NOT NULL,
    scope_items      TEXT NOT NULL,
    total_quantity   BIGINT NOT NULL,
    per_buyer_limit  BIGINT NOT NULL,
    claimed          BIGINT NOT NULL DEFAULT 0,
    combinable       BIGINT NOT NULL,
    state            TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX mkt_vouchers_by_seller ON mkt_vouchers (seller_tenant_id, created_at);

-- A buyer's claimed vouchers. Status codes as upstream: 2 unused, 3 used, 5 recycled
-- (4 expired is read from the clock against valid_until, never stored). `slot` numbers a
-- buyer's claims of one voucher from 1 to its per-buyer limit: the unique index is the
-- limit, whatever runs concurrently.
CREATE TABLE mkt_voucher_claims (
    id              TEXT PRIMARY KEY,
    voucher_id      TEXT NOT NULL REFERENCES mkt_vouchers (id),
    buyer_user_id   TEXT NOT NULL,
    buyer_tenant_id TEXT NOT NULL,
    slot            BIGINT NOT NULL,
    status          BIGINT NOT NULL,
    order_id        TEXT,
    deducted        BIGINT NOT NULL DEFAULT 0,
    version         BIGINT NOT NULL DEFAULT 0,
    claimed_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX mkt_voucher_claims_slot ON mkt_voucher_claims (voucher_id, buyer_user_id, slot);
CREATE INDEX mkt_voucher_claims_by_buyer ON mkt_voucher_claims (buyer_user_id, claimed_at);
CREATE INDEX mkt_voucher_claims_by_order ON mkt_voucher_claims (order_id);

-- One row per change of a voucher or a claim: published, withdrawn, claimed, used,
-- recycled.
CREATE TABLE mkt_voucher_log (
    id          TEXT PRIMARY KEY,
    voucher_id  TEXT NOT NULL REFERENCES mkt_vouchers (id),
    claim_id    TEXT,
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    order_id    TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX mkt_voucher_log_by_voucher ON mkt_voucher_log (voucher_id, at);
