// Repository for API keys. Parameterized SQL only. Times are stored truncated to milliseconds
// so that Postgres and the Firestore projection (ms since the epoch) agree exactly.
import type { RateTier } from '@colonycraft/protocol';
import type { Queryable } from './db.js';

export interface StoredApiKey {
  id: string;
  /** SHA-256 of the key: never leaves the admin API except as the Firestore document id. */
  hash: string;
  prefix: string;
  owner: string;
  name: string;
  scopes: string[];
  tier: RateTier;
  expiresAt: number | null;
  createdAt: number;
  revokedAt: number | null;
  rotatedFrom: string | null;
  graceUntil: number | null;
}

interface Row {
  id: string;
  key_hash: string;
  prefix: string;
  owner_uid: string;
  name: string;
  scopes: string[];
  tier: RateTier;
  expires_at: Date | null;
  created_at: Date;
  revoked_at: Date | null;
  rotated_from: string | null;
  grace_until: Date | null;
}

const COLUMNS = `id, key_hash, prefix, owner_uid, name, scopes, tier, expires_at, created_at,
  revoked_at, rotated_from, grace_until`;
const NOW_MS = `date_trunc('milliseconds', clock_timestamp())`;

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

function fromRow(r: Row): StoredApiKey {
  return {
    id: r.id,
    hash: r.key_hash,
    prefix: r.prefix,
    owner: r.owner_uid,
    name: r.name,
    scopes: r.scopes,
    tier: r.tier,
    expiresAt: ms(r.expires_at),
    createdAt: r.created_at.getTime(),
    revokedAt: ms(r.revoked_at),
    rotatedFrom: r.rotated_from,
    graceUntil: ms(r.grace_until),
  };
}

function one(rows: Row[]): StoredApiKey {
  if (!rows[0]) throw new Error('expected one api_keys row');
  return fromRow(rows[0]);
}

export interface NewKeyRow {
  hash: string;
  prefix: string;
  owner: string;
  name: string;
  scopes: string[];
  tier: RateTier;
  expiresAt: number | null;
  rotatedFrom: string | null;
}

export async function insertKey(db: Queryable, k: NewKeyRow): Promise<StoredApiKey> {
  const { rows } = await db.query<Row>(
    `INSERT INTO api_keys (key_hash, prefix, owner_uid, name, scopes, tier, expires_at, rotated_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [
      k.hash,
      k.prefix,
      k.owner,
      k.name,
      k.scopes,
      k.tier,
      k.expiresAt === null ? null : new Date(k.expiresAt),
      k.rotatedFrom,
    ],
  );
  return one(rows);
}

/**
 * One key by id. With `owner`, only if that user owns it: the ownership check is part of the
 * query, so another member's key is simply not found. `forUpdate` locks the row until the
 * transaction ends, which serializes every change to one key (and the reconciler's rewrite).
 */
export async function findKey(
  db: Queryable,
  id: string,
  opts: { owner?: string; forUpdate?: boolean } = {},
): Promise<StoredApiKey | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM api_keys WHERE id = $1 AND ($2::text IS NULL OR owner_uid = $2)
     ${opts.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, opts.owner ?? null],
  );
  return rows[0] && fromRow(rows[0]);
}

export async function findKeyByHash(
  db: Queryable,
  hash: string,
  opts: { forUpdate?: boolean } = {},
): Promise<StoredApiKey | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 ${opts.forUpdate ? 'FOR UPDATE' : ''}`,
    [hash],
  );
  return rows[0] && fromRow(rows[0]);
}

/** Every key of `owner`, locked until the transaction ends, in creation order as other paths lock. */
export async function ownerKeysForUpdate(tx: Queryable, owner: string): Promise<StoredApiKey[]> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM api_keys WHERE owner_uid = $1 ORDER BY created_at, id FOR UPDATE`,
    [owner],
  );
  return rows.map(fromRow);
}

/** Namespace of the per-owner advisory locks (the two-key form: apart from 7_231_00x). */
const OWNER_LOCK_SPACE = 7_231_006;

/**
 * Holds, until the transaction ends, the lock that orders a change to `owner`'s disabled state
 * (exclusive) against publishing the records of `owner`'s new keys (shared). Those records are
 * written after the key's COMMIT, where no row lock guards them: without this, a key created
 * while its owner is being disabled could be published as enabled after the disabling marked
 * every key it could see.
 */
export async function lockOwnerKeys(
  tx: Queryable,
  owner: string,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  const lock = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await tx.query(`SELECT ${lock}($1, hashtext($2))`, [OWNER_LOCK_SPACE, owner]);
}

export interface KeyPosition {
  createdAt: number;
  id: string;
}

/** Newest first; `after` is the last key of the previous page. */
export async function listKeys(
  db: Queryable,
  opts: { owner?: string; limit: number; after?: KeyPosition },
): Promise<StoredApiKey[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM api_keys
     WHERE ($1::text IS NULL OR owner_uid = $1)
       AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [
      opts.owner ?? null,
      opts.after ? new Date(opts.after.createdAt) : null,
      opts.after?.id ?? null,
      opts.limit,
    ],
  );
  return rows.map(fromRow);
}

/**
 * An owner's keys that could have been used between `from` and `to` (ms): created before `to`
 * and not ended (revoked, past grace or expired) before `from`. Oldest first.
 */
export async function keysUsableBetween(
  db: Queryable,
  owner: string,
  from: number,
  to: number,
): Promise<StoredApiKey[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM api_keys
     WHERE owner_uid = $1 AND created_at < $3
       AND coalesce(least(revoked_at, grace_until, expires_at), 'infinity') >= $2
     ORDER BY created_at, id`,
    [owner, new Date(from), new Date(to)],
  );
  return rows.map(fromRow);
}

/** Every key, in id order, a page at a time: for the reconciler. */
export async function* allKeys(db: Queryable, pageSize = 1000): AsyncGenerator<StoredApiKey> {
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: Row[] } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM api_keys WHERE ($1::uuid IS NULL OR id > $1::uuid)
       ORDER BY id LIMIT $2`,
      [after, pageSize],
    );
    for (const row of rows) yield fromRow(row);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

export async function markRevoked(db: Queryable, id: string): Promise<StoredApiKey> {
  const { rows } = await db.query<Row>(
    `UPDATE api_keys SET revoked_at = ${NOW_MS} WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return one(rows);
}

/** Starts a rotated key's grace: it keeps working until now + `graceSeconds`. */
export async function startGrace(
  db: Queryable,
  id: string,
  graceSeconds: number,
): Promise<StoredApiKey> {
  const { rows } = await db.query<Row>(
    `UPDATE api_keys SET grace_until = ${NOW_MS} + make_interval(secs => $2)
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, graceSeconds],
  );
  return one(rows);
}

export async function clearGrace(db: Queryable, id: string): Promise<StoredApiKey> {
  const { rows } = await db.query<Row>(
    `UPDATE api_keys SET grace_until = NULL WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return one(rows);
}

/** Postgres's clock, to the millisecond: the one clock every stored time comes from. */
export async function databaseNow(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ now: Date }>(`SELECT ${NOW_MS} AS now`);
  return rows[0]!.now.getTime();
}
