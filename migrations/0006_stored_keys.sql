-- Key material in the durable store, sealed (AES-256-GCM) under a master key that is not
-- stored here: signing keys and the marketplace sealing key, shared by every instance.
-- kid: the RFC 7638 thumbprint of a signing key, or the name of a symmetric key.
-- master_id: which master key sealed it (a fingerprint, not the key).
-- sealed: base64 of nonce || ciphertext || tag, with purpose and kid as associated data.
CREATE TABLE stored_keys (
    kid        TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    alg        TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    master_id  TEXT NOT NULL,
    sealed     TEXT NOT NULL
);
CREATE INDEX stored_keys_by_purpose ON stored_keys (purpose, created_ms);

-- One row per automatic rotation: the instance that inserts it rotates, the others do not.
CREATE TABLE key_rotations (
    slot       TEXT PRIMARY KEY,
    claimed_at BIGINT NOT NULL
);

-- Metadata only, of key files that now live in stored_keys.
DROP TABLE signing_keys;
