-- The audit log: append-only and hash-chained. Each entry's `hash` is SHA-256 over a canonical
-- serialization of its fields and `prev_hash` (computed by the admin API, see
-- src/domain/audit-chain.ts), so an edited, removed or reordered entry breaks the chain at that
-- point. `seq` is assigned under a transaction-scoped advisory lock as the previous seq + 1, so
-- concurrent appends queue instead of forking the chain, and a gap shows a removed row.
CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY CHECK (seq > 0),
  at         timestamptz NOT NULL,
  actor      text NOT NULL,
  action     text NOT NULL,
  target     text NOT NULL,
  before     jsonb,
  after      jsonb,
  ip         text,
  request_id text,
  prev_hash  text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash       text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX audit_log_actor ON audit_log (actor, seq DESC);
CREATE INDEX audit_log_target ON audit_log (target, seq DESC);
CREATE INDEX audit_log_action ON audit_log (action, seq DESC);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only in the database itself, whoever connects: UPDATE, DELETE and TRUNCATE raise.
-- (A superuser can still disable the trigger; the hash chain is what catches that.)
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
