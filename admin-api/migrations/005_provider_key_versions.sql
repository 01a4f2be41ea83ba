-- Provider keys (OPENAI_API_KEY, …) live in the secret store (Google Secret Manager, or the
-- sealed local file); this table holds only what the store does not know about each version:
-- who added it through the admin API and when a rotation will disable it. Never a key, nor any
-- part of one. The store stays the truth about which versions exist and their state.
CREATE TABLE provider_key_versions (
  provider    text NOT NULL CHECK (provider IN ('openai', 'anthropic', 'compatible')),
  -- The store's version number, `1`, `2`, … as Secret Manager numbers them.
  version     text NOT NULL CHECK (version ~ '^[1-9][0-9]*$'),
  -- The admin who added it; NULL for a version set elsewhere (the dotenv file, gcloud) that a
  -- rotation scheduled for disabling.
  created_by  text,
  -- When the store says the version was created.
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  -- When the sweeper is to disable it (a rotation's grace end); NULL: nothing scheduled.
  disable_at  timestamptz,
  -- When the admin API disabled it in the store; set once, never cleared.
  disabled_at timestamptz,
  PRIMARY KEY (provider, version)
);

-- The sweeper's question: which versions are due and not yet disabled.
CREATE INDEX provider_key_versions_due ON provider_key_versions (disable_at)
  WHERE disable_at IS NOT NULL AND disabled_at IS NULL;
