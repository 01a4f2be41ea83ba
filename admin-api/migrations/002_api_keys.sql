-- API keys. Only the SHA-256 of a key is kept (keys are 32 random bytes, so a slow hash buys
-- nothing) beside its visible prefix; the key itself is shown once, at creation. Rows are never
-- deleted: a revoked key stays for the audit trail and for the Firestore projection.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key_hash     text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  prefix       text NOT NULL,
  owner_uid    text NOT NULL,
  name         text NOT NULL,
  scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0),
  tier         text NOT NULL CHECK (tier IN ('free', 'standard', 'unlimited')),
  expires_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  revoked_at   timestamptz,
  rotated_from uuid REFERENCES api_keys (id),
  grace_until  timestamptz
);

-- Listings page newest first, per owner or across everyone.
CREATE INDEX api_keys_owner_created ON api_keys (owner_uid, created_at DESC, id DESC);
CREATE INDEX api_keys_created ON api_keys (created_at DESC, id DESC);
