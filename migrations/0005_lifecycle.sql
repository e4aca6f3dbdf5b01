-- Identity lifecycle: user and client cutoffs beside session and grant revocations.
-- not_before: the last second whose credentials are dead (users, clients; 0 otherwise).
-- recorded_at: unix milliseconds of the write, so other instances can pick up new rows.
ALTER TABLE revocations ADD COLUMN not_before BIGINT NOT NULL DEFAULT 0;
ALTER TABLE revocations ADD COLUMN recorded_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX revocations_by_recorded ON revocations (recorded_at);

-- Audiences: resource servers other than the built-in ones, and the scopes they define.
CREATE TABLE resource_servers (
    identifier TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE resource_scopes (
    scope      TEXT PRIMARY KEY,
    identifier TEXT NOT NULL REFERENCES resource_servers (identifier) ON DELETE CASCADE
);

-- The API scopes a client may request (OpenID Connect scopes are open to every client).
CREATE TABLE client_scopes (
    client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    scope     TEXT NOT NULL,
    PRIMARY KEY (client_id, scope)
);

-- The audiences a grant's access tokens carry (space-separated identifiers).
ALTER TABLE grant_families ADD COLUMN audience TEXT NOT NULL DEFAULT '';
