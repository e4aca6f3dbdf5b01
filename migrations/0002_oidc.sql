-- The algorithm a client's ID tokens are signed with (OIDC Dynamic Client Registration's
-- id_token_signed_response_alg); RS256 is the OpenID Connect default.
ALTER TABLE clients ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'RS256';
