-- Administration: platform administrators, and audit events that name who acted
-- (actor: "user:<id>", "client:<id>", "cli:<os user>") and from which address.
ALTER TABLE users ADD COLUMN platform_admin BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_events ADD COLUMN actor TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_events_by_actor ON audit_events (actor, at);
CREATE INDEX audit_events_by_subject ON audit_events (subject, at);

-- Optimistic concurrency for the admin API: an update names the version it read (ETag /
-- If-Match) and bumps it; a stale one changes nothing.
ALTER TABLE tenants ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX grant_families_by_user ON grant_families (user_id);

-- Browser sessions, as administrators see them (the sessions themselves live in the
-- ephemeral store): one row per sign-in, marked when it ends.
CREATE TABLE user_sessions (
    sid        TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    address    TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    ended_at   BIGINT
);
CREATE INDEX user_sessions_by_user ON user_sessions (user_id, expires_at);
CREATE INDEX user_sessions_by_expiry ON user_sessions (expires_at);

-- One-time set-password links for users an administrator created without a password:
-- the SHA-256 of the link's token, valid until expires_at, spent once.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
