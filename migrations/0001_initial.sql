-- Portable SQL: the same text runs on SQLite and PostgreSQL.
-- Ids are text, times are unix seconds, flags are 0/1 integers.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    domain_name TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    password_hash TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    mobile        TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT 'user',
    org_code      TEXT NOT NULL DEFAULT '',
    org_name      TEXT NOT NULL DEFAULT '',
    project_name  TEXT NOT NULL DEFAULT '',
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE clients (
    client_id   TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    -- SHA-256 of the secret; NULL for public clients.
    secret_hash TEXT,
    home_url    TEXT,
    created_at  BIGINT NOT NULL
);

-- kind: 'redirect' or 'post_logout'; position keeps the registration order.
CREATE TABLE client_uris (
    client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    position  BIGINT NOT NULL,
    uri       TEXT NOT NULL,
    PRIMARY KEY (client_id, kind, position)
);
CREATE INDEX client_uris_by_uri ON client_uris (kind, uri);

-- One family per authorization code: every refresh token descended from it.
CREATE TABLE grant_families (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    sid        TEXT NOT NULL,
    scope      TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX grant_families_by_sid ON grant_families (sid);
CREATE INDEX grant_families_by_client ON grant_families (client_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES grant_families (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    spent_at   BIGINT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);

-- Metadata only; the key material lives in UNILOGIN_KEYS_DIR.
CREATE TABLE signing_keys (
    kid        TEXT PRIMARY KEY,
    alg        TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Durable copy of revoked sessions and grants, reloaded into the ephemeral store at start.
CREATE TABLE revocations (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);

CREATE TABLE audit_events (
    id        TEXT PRIMARY KEY,
    at        BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL DEFAULT '',
    client_id TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_by_at ON audit_events (at);
