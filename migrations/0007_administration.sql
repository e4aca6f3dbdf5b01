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
