-- Which providers exist is the provider table's to say (protocol/src/providers.ts), and the
-- admin API refuses an id that is not in it; the column keeps only to the form of an id, so a
-- provider added to the table needs no migration.
ALTER TABLE provider_key_versions DROP CONSTRAINT provider_key_versions_provider_check;
ALTER TABLE provider_key_versions
  ADD CONSTRAINT provider_key_versions_provider_check CHECK (provider ~ '^[a-z][a-z0-9]*$');
