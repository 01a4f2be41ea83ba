// The audit log's use cases. `appendAudit` is what every mutation calls, inside its own
// transaction, so the change and its entry commit or roll back together; other features
// (provider keys, settings) call it the same way.
import { z } from 'zod';
import type { AuditEntry, AuditPage, AuditQuery, AuditVerification } from '@colonycraft/protocol';
import type pg from 'pg';
import { insertAuditEntry, lockChainHead, queryAudit, walkAudit } from '../data/audit-log.js';
import type { Queryable } from '../data/db.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import { API_KEY_IN_TEXT } from './api-key-format.js';
import { GENESIS_HASH, entryHash, verifyChain } from './audit-chain.js';
import type { CallContext } from './call-context.js';

/** Who made a change: a request's caller, or a named process such as `system:reconciler`. */
export type AuditOrigin = CallContext | { actor: string; ip: null; requestId: null };

export interface AuditChange {
  /** `<subject>.<verb>`: `api_key.create`, `user.role.set`, `provider_key.rotate`, … */
  action: string;
  /** `<kind>:<id>`: `api_key:<uuid>`, `user:<uid>`, … */
  target: string;
  /** Plain JSON, never a secret: no key, no hash, no password. */
  before: unknown;
  after: unknown;
}

// `key` alone is left out: settings entries may well have a field of that name.
const SECRET_NAMES = /^(keyhash|key_hash|secret|password|apikey|api_key|privatekey|token)$/i;

/** A secret in the audit log could never be removed again: refuse it loudly instead. */
function assertNoSecrets(value: unknown, path = ''): void {
  if (typeof value === 'string' && new RegExp(API_KEY_IN_TEXT.source).test(value)) {
    throw new Error(`audit entry refused: ${path || 'a value'} looks like an API key`);
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_NAMES.test(k)) throw new Error(`audit entry refused: field ${path}${k}`);
      assertNoSecrets(v, `${path}${k}.`);
    }
  }
}

/** JSON as jsonb will hand it back: what gets hashed must be what gets stored. */
const asJson = (value: unknown): unknown =>
  value === undefined || value === null ? null : JSON.parse(JSON.stringify(value));

/**
 * Appends one entry. Call it with the client of an open transaction, as the last step before
 * COMMIT: from here until the transaction ends, every other append waits for this one.
 */
export async function appendAudit(
  tx: pg.PoolClient,
  origin: AuditOrigin,
  change: AuditChange,
): Promise<AuditEntry> {
  assertNoSecrets(change.before);
  assertNoSecrets(change.after);
  const head = await lockChainHead(tx);
  const unhashed = {
    id: head.seq + 1,
    at: head.now,
    actor: 'caller' in origin ? origin.caller.uid : origin.actor,
    action: change.action,
    target: change.target,
    before: asJson(change.before),
    after: asJson(change.after),
    ip: origin.ip,
    requestId: origin.requestId,
    prevHash: head.hash ?? GENESIS_HASH,
  };
  const entry = { ...unhashed, hash: entryHash(unhashed) };
  await insertAuditEntry(tx, entry);
  return entry;
}

const AuditCursor = z.object({ s: z.number().int().positive() });

export async function listAudit(
  db: Queryable,
  query: z.output<typeof AuditQuery>,
): Promise<AuditPage> {
  const before = query.cursor ? decodeCursor(AuditCursor, query.cursor).s : undefined;
  const rows = await queryAudit(db, query, query.limit + 1, before);
  const entries = rows.slice(0, query.limit);
  const last = entries.at(-1);
  return {
    entries,
    nextCursor: rows.length > query.limit && last ? encodeCursor({ s: last.id }) : null,
  };
}

/** Walks the whole chain in one snapshot, so appends during the walk cannot confuse it. */
export async function verifyAudit(pool: pg.Pool): Promise<AuditVerification> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await verifyChain(walkAudit(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
