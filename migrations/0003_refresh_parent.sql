-- A successor names the refresh token it replaced. The unique index lets exactly one
-- successor exist per token, so a rotation is one atomic INSERT: of two concurrent
-- rotations of the same token, the second violates the index and is refused.
ALTER TABLE refresh_tokens ADD COLUMN parent_hash TEXT;
CREATE UNIQUE INDEX refresh_tokens_by_parent ON refresh_tokens (parent_hash);
