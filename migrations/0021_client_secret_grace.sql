-- A rotated client secret may stay valid for a grace period the administrator chooses,
-- so that a rotation is not an outage: the previous secret's hash and when it stops.
ALTER TABLE clients ADD COLUMN previous_secret_hash TEXT;
ALTER TABLE clients ADD COLUMN previous_secret_until BIGINT;
