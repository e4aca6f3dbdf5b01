-- Joint-operation apps as the identity provider knows them: the appId of the portal link
-- (`ind=UNOP&appId=`), the name the login page shows and the home the code goes to. A
-- buyer tenant reaches one through a client registration bound to that tenant (the
-- instance's), which only that tenant's users, and only those authorized for it, sign in
-- through; a disabled one (a frozen or released instance) signs nobody in.
CREATE TABLE portal_apps (
    app_id     TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    home_url   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

ALTER TABLE clients ADD COLUMN portal_app_id TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;
CREATE INDEX clients_by_portal_app ON clients (portal_app_id, tenant_id);

-- The users of its tenant a tenant-bound client signs in, with their role in the app.
CREATE TABLE client_users (
    client_id  TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    role       TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, user_id)
);
