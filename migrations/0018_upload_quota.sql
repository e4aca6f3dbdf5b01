-- Upload quotas (per user: unattached uploads held, bytes a day). Each upload first
-- touches its uploader's row here, so concurrent uploads of one user are counted one
-- after the other and the quota holds exactly.
CREATE TABLE mkt_uploaders (
    user_id    TEXT PRIMARY KEY,
    touched_at BIGINT NOT NULL
);
CREATE INDEX mkt_attachments_by_owner ON mkt_attachments (owner_user_id, created_at);
CREATE INDEX mkt_attachments_unattached ON mkt_attachments (subject, created_at);
