// Repository for provider key versions' metadata: who added a version and when a rotation
// disables it. Parameterized SQL only; never a key. Times are truncated to milliseconds, as the
// API reports them.
import type { ProviderId } from '@colonycraft/protocol';
import type { Queryable } from './db.js';

export interface ProviderKeyRow {
  provider: ProviderId;
  version: string;
  createdBy: string | null;
  createdAt: number;
  disableAt: number | null;
  disabledAt: number | null;
}

interface Row {
  provider: ProviderId;
  version: string;
  created_by: string | null;
  created_at: Date;
  disable_at: Date | null;
  disabled_at: Date | null;
}

const COLUMNS = 'provider, version, created_by, created_at, disable_at, disabled_at';
const NOW_MS = `date_trunc('milliseconds', clock_timestamp())`;
/** Namespace of the per-provider advisory locks (the two-key form: apart from 7_231_00x). */
const PROVIDER_LOCK_SPACE = 7_231_005;

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

function fromRow(r: Row): ProviderKeyRow {
  return {
    provider: r.provider,
    version: r.version,
    createdBy: r.created_by,
    createdAt: r.created_at.getTime(),
    disableAt: ms(r.disable_at),
    disabledAt: ms(r.disabled_at),
  };
}

/**
 * Serializes rotations of one provider until the transaction ends, across instances: the
 * second waits, then sees the first's version among the store's.
 */
export async function lockProvider(tx: Queryable, provider: ProviderId): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PROVIDER_LOCK_SPACE, provider]);
}

/** Every row, or one provider's, newest version first. */
export async function listVersionRows(
  db: Queryable,
  provider?: ProviderId,
): Promise<ProviderKeyRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM provider_key_versions
     WHERE $1::text IS NULL OR provider = $1
     ORDER BY provider, version::bigint DESC`,
    [provider ?? null],
  );
  return rows.map(fromRow);
}

export async function insertAddedVersion(
  tx: Queryable,
  v: { provider: ProviderId; version: string; createdBy: string; createdAt: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO provider_key_versions (provider, version, created_by, created_at)
     VALUES ($1, $2, $3, date_trunc('milliseconds', to_timestamp($4::double precision / 1000)))`,
    [v.provider, v.version, v.createdBy, v.createdAt],
  );
}

/**
 * Schedules `versions` to be disabled `graceSeconds` from now and returns that time. A version
 * set elsewhere gets its row here (created_by NULL); one already scheduled earlier keeps the
 * earlier time, and one already disabled is left alone.
 */
export async function scheduleDisable(
  tx: Queryable,
  provider: ProviderId,
  versions: readonly { version: string; createdAt: number }[],
  graceSeconds: number,
): Promise<number> {
  const { rows } = await tx.query<{ at: Date }>(
    `SELECT ${NOW_MS} + make_interval(secs => $1) AS at`,
    [graceSeconds],
  );
  const at = rows[0]!.at;
  await tx.query(
    `INSERT INTO provider_key_versions AS p (provider, version, created_at, disable_at)
     SELECT $1, v.version, date_trunc('milliseconds', to_timestamp(v.created_ms / 1000)), $4
     FROM unnest($2::text[], $3::double precision[]) AS v (version, created_ms)
     ON CONFLICT (provider, version) DO UPDATE
       SET disable_at = LEAST(p.disable_at, EXCLUDED.disable_at)
       WHERE p.disabled_at IS NULL`,
    [provider, versions.map((v) => v.version), versions.map((v) => v.createdAt), at],
  );
  return at.getTime();
}

/** Versions whose disable_at has passed and that are not disabled yet, oldest first. */
export async function findDue(
  db: Queryable,
  provider?: ProviderId,
): Promise<{ provider: ProviderId; version: string }[]> {
  const { rows } = await db.query<{ provider: ProviderId; version: string }>(
    `SELECT provider, version FROM provider_key_versions
     WHERE disabled_at IS NULL AND disable_at <= clock_timestamp()
       AND ($1::text IS NULL OR provider = $1)
     ORDER BY disable_at, provider, version::bigint`,
    [provider ?? null],
  );
  return rows;
}

/**
 * Locks one due version for the rest of the transaction; undefined when another sweeper holds
 * it (SKIP LOCKED: several instances never wait for each other) or it is no longer due.
 */
export async function lockDue(
  tx: Queryable,
  provider: ProviderId,
  version: string,
): Promise<ProviderKeyRow | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM provider_key_versions
     WHERE provider = $1 AND version = $2
       AND disabled_at IS NULL AND disable_at <= clock_timestamp()
     FOR UPDATE SKIP LOCKED`,
    [provider, version],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function markDisabled(
  tx: Queryable,
  provider: ProviderId,
  version: string,
): Promise<void> {
  await tx.query(
    `UPDATE provider_key_versions SET disabled_at = ${NOW_MS} WHERE provider = $1 AND version = $2`,
    [provider, version],
  );
}
